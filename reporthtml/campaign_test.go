package reporthtml

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/internal/browsertest"
)

func bd(f float64) *float64 { return &f }

// campaignRows is a campaign of n titles with a spread of BD-rates, two
// failures, a held title and a hostile title id.
func campaignRows(n int) []campaign.Row {
	var rows []campaign.Row
	for i := range n {
		r := campaign.Row{TitleID: fmt.Sprintf("t%03d", i), State: campaign.StateDone,
			Savings: &campaign.Savings{BDRate: bd(-0.45 + 0.6*float64(i)/float64(n)), BDVMAF: bd(1.2),
				OldBytes: 100 << 20, NewBytes: int64(100<<20) * int64(60+i%30) / 100, OldTopVMAF: 95.1, NewTopVMAF: 95.4}}
		rows = append(rows, r)
	}
	rows = append(rows,
		campaign.Row{TitleID: `<img src=x onerror="window.pwned=1">`, State: campaign.StateFailed, ErrorType: "InvalidMedia", Error: `<script>window.pwned=2</script>`},
		campaign.Row{TitleID: "f2", State: campaign.StateFailed, ErrorType: "InvalidMedia", Error: "bad"},
		campaign.Row{TitleID: "h", State: campaign.StateHeld},
		campaign.Row{TitleID: "nosave", State: campaign.StateDone, Savings: &campaign.Savings{Reason: "old report missing: </script><b>x</b>"}},
	)
	return rows
}

func TestWriteCampaign(t *testing.T) {
	var buf bytes.Buffer
	rep := campaign.Report{Name: `c1 <b>`, Profile: "h264-v2.yaml", OutTemplate: "s3://out/{title}/v2", Titles: campaignRows(20)}
	if err := WriteCampaign(&buf, rep, CampaignOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"Campaign <span id=\"campaign-name\">c1 &lt;b&gt;</span>",
		`<dd id="titles-total">24</dd>`,
		"21 done", "2 failed", "1 held", "0 in flight",
		"&lt;img src=x onerror=&#34;window.pwned=1&#34;&gt;",
		"&lt;script&gt;window.pwned=2&lt;/script&gt;",
		"old report missing: &lt;/script&gt;&lt;b&gt;x&lt;/b&gt;",
		"<td>InvalidMedia</td><td class=\"num\">2</td>",
		"over 20 titles",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Count(page, "<script") != 4 { // data, uPlot, common.js, campaign.js
		t.Errorf("%d script elements, want 4", strings.Count(page, "<script"))
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1000: "1000 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", -2048: "−2.0 KiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCampaignInBrowser(t *testing.T) {
	b := chromium(t)
	dir := t.TempDir()
	rows := campaignRows(60)
	f, err := os.Create(filepath.Join(dir, CampaignFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCampaign(f, campaign.Report{Name: "c-browser", Titles: rows}, CampaignOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	srv := browsertest.Serve(t, dir)
	p := b.Open(t, srv.URL+"/media/"+CampaignFileName)
	p.WaitTrue("the page drawn", `window.reelReport && reelReport.ready`, 10*time.Second)
	got := plots(p)
	// BD-rates −45% … +14% in bins of 5 points.
	s := campaign.Summarize(rows, campaign.SummaryOptions{})
	if len(got) != 1 || got[0].ID != "hist-plot" || !got[0].Canvas || got[0].Points != len(s.Histogram) || got[0].Drawn != 1 {
		t.Errorf("plots %+v, want the histogram of %d bins", got, len(s.Histogram))
	}
	var counts []int
	p.Eval(`reelReport.plots[0].plot.data[1]`, &counts)
	total := 0
	for _, c := range counts {
		total += c
	}
	if total != 60 {
		t.Errorf("the histogram holds %d titles (%v), want 60", total, counts)
	}
	var pwned any
	p.Eval(`window.pwned || null`, &pwned)
	if pwned != nil {
		t.Errorf("a title id or error ran: window.pwned = %v", pwned)
	}
	var rowsShown int
	p.Eval(`document.querySelectorAll('#titles tbody tr').length`, &rowsShown)
	if rowsShown != len(rows) {
		t.Errorf("%d rows in the titles table, want %d", rowsShown, len(rows))
	}
	checkOffline(t, p, srv.URL)
	if err := p.FullScreenshot(filepath.Join(t.ArtifactDir(), "campaign.png")); err != nil {
		t.Error(err)
	}
}
