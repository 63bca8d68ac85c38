package webui

import (
	"encoding/json"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
)

// TestListCampaignFilter: ?campaign=NAME lists the titles whose run that
// campaign started (memo "campaign"), in the page, its search form and
// the JSON the page refreshes from; the name is shown escaped.
func TestListCampaignFilter(t *testing.T) {
	_, out := writeOutput(t)
	s, f := newTestServer(t, out, Config{})
	const hostile = `av1 <b>"x"</b>`
	f.add(&fakeTitle{title: "c1", status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, out: out, campaign: hostile})
	f.add(&fakeTitle{title: "c2", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, out: out, campaign: hostile})
	f.add(&fakeTitle{title: "other", status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, out: out, campaign: "another"})

	q := "campaign=" + strings.NewReplacer(" ", "+", "<", "%3C", ">", "%3E", `"`, "%22", "/", "%2F").Replace(hostile)
	w := get(t, s, "/api/titles?"+q)
	var rows []struct {
		TitleID string `json:"title_id"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil {
		t.Fatalf("%v: %s", err, w.Body.String())
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.TitleID)
	}
	if strings.Join(ids, ",") != "c2,c1" {
		t.Errorf("titles of the campaign: %v, want c2, c1", ids)
	}

	page := get(t, s, "/?"+q).Body.String()
	for _, want := range []string{
		`Titles of campaign <strong>av1 &lt;b&gt;&#34;x&#34;&lt;/b&gt;</strong>`,
		`<input type="hidden" name="campaign" value="av1 &lt;b&gt;&#34;x&#34;&lt;/b&gt;">`,
		`"campaign":"av1 \u003cb\u003e\"x\"\u003c/b\u003e"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, ">other<") || !strings.Contains(page, ">c1<") {
		t.Error("the page lists titles of another campaign, or not those of this one")
	}

	all := get(t, s, "/api/titles").Body.String()
	if !strings.Contains(all, `"title_id":"other"`) || !strings.Contains(all, `"title_id":"done"`) || strings.Count(all, `"campaign":`) != 3 {
		t.Errorf("without a filter every title is listed, each with its campaign: %s", all)
	}
}
