package activities

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// writeLadderReport writes a report.json under out with rungs at the
// given bitrates (kbps) and VMAFs; each rung's bytes are its bitrate
// over 10 s.
func writeLadderReport(t *testing.T, out string, kbps, vmafs []float64) {
	t.Helper()
	r := report.Report{SchemaVersion: report.SchemaVersion}
	for i := range kbps {
		r.Rungs = append(r.Rungs, report.Rung{ID: string(rune('a' + i)), Codec: "h264", BitrateKbps: kbps[i],
			Bytes: int64(kbps[i] * 1000 / 8 * 10), VMAF: report.VMAF{Mean: vmafs[i]}})
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "report.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTitleSavings(t *testing.T) {
	oldKbps := []float64{800, 1600, 3200, 6400}
	vmafs := []float64{70, 80, 88, 94}
	scaled := func(f float64) []float64 {
		out := make([]float64, len(oldKbps))
		for i, k := range oldKbps {
			out[i] = k * f
		}
		return out
	}
	for _, tc := range []struct {
		name string
		// old: nil writes no old report; bad writes garbage.
		old, new   []float64
		bad        bool
		wantBD     float64 // NaN: no BD-rate
		wantReason string
		wantBDErr  bool
	}{
		{name: "20% fewer bits", old: oldKbps, new: scaled(0.8), wantBD: -0.2},
		{name: "same ladder", old: oldKbps, new: oldKbps, wantBD: 0},
		{name: "old report missing", new: oldKbps, wantBD: math.NaN(), wantReason: "is missing"},
		{name: "old report unreadable", bad: true, new: oldKbps, wantBD: math.NaN(), wantReason: "old report"},
		{name: "too few old rungs", old: oldKbps[:2], new: oldKbps, wantBD: math.NaN(), wantBDErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			oldOut, newOut := filepath.Join(dir, "v1"), filepath.Join(dir, "v2")
			writeLadderReport(t, newOut, tc.new, vmafs[:len(tc.new)])
			switch {
			case tc.bad:
				os.MkdirAll(oldOut, 0o755)
				os.WriteFile(filepath.Join(oldOut, "report.json"), []byte("{not json"), 0o644)
			case tc.old != nil:
				writeLadderReport(t, oldOut, tc.old, vmafs[:len(tc.old)])
			}
			a := New(nil, nil)
			s, err := a.TitleSavings(context.Background(), workflows.TitleSavingsInput{TitleID: "t1", Out: newOut, OldOut: oldOut})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantReason != "" {
				if !strings.Contains(s.Reason, tc.wantReason) || s.BDRate != nil {
					t.Errorf("savings %+v, want a reason containing %q", s, tc.wantReason)
				}
				return
			}
			if s.Reason != "" {
				t.Fatalf("reason %q", s.Reason)
			}
			if tc.wantBDErr != (s.BDRateError != "") {
				t.Errorf("BD-rate error %q", s.BDRateError)
			}
			if math.IsNaN(tc.wantBD) != (s.BDRate == nil) || (s.BDRate != nil && math.Abs(*s.BDRate-tc.wantBD) > 1e-6) {
				t.Errorf("BD-rate %v, want %v", s.BDRate, tc.wantBD)
			}
			var oldBytes, newBytes int64
			for _, k := range tc.old {
				oldBytes += int64(k * 1000 / 8 * 10)
			}
			for _, k := range tc.new {
				newBytes += int64(k * 1000 / 8 * 10)
			}
			if s.OldBytes != oldBytes || s.NewBytes != newBytes || s.OldTopVMAF != vmafs[len(tc.old)-1] || s.NewTopVMAF != vmafs[len(tc.new)-1] {
				t.Errorf("bytes %d → %d (want %d → %d), top VMAF %v → %v", s.OldBytes, s.NewBytes, oldBytes, newBytes, s.OldTopVMAF, s.NewTopVMAF)
			}
		})
	}
}

func TestWriteCampaignReportMerges(t *testing.T) {
	dir := t.TempDir()
	a := New(nil, nil)
	bd := -0.25
	head := workflows.CampaignReport{Name: "c1", Profile: "v2", OutTemplate: "/o/{title}/v2", Progress: workflows.CampaignProgress{Name: "c1", Total: 3}}
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	first := []workflows.CampaignTitle{
		{TitleID: "a", State: workflows.CampaignTitleInFlight, Started: at},
		{TitleID: "b", State: workflows.CampaignTitleFailed, ErrorType: workflows.ErrTypeNotFound, Error: "gone, \"quoted\""},
	}
	if _, err := a.WriteCampaignReport(context.Background(), workflows.WriteCampaignReportInput{Report: dir, Head: head, Rows: first}); err != nil {
		t.Fatal(err)
	}
	head.Progress.Done = 2
	second := []workflows.CampaignTitle{
		{TitleID: "a", State: workflows.CampaignTitleDone, Started: at, Finished: at.Add(time.Hour),
			Savings: &workflows.Savings{BDRate: &bd, OldBytes: 1000, NewBytes: 750}},
		{TitleID: "c", State: workflows.CampaignTitleSkipped},
	}
	out, err := a.WriteCampaignReport(context.Background(), workflows.WriteCampaignReportInput{Report: dir, Head: head, Rows: second})
	if err != nil {
		t.Fatal(err)
	}
	if page, err := os.ReadFile(out.HTML); err != nil || !strings.Contains(string(page), "c1") {
		t.Errorf("campaign.html: %v", err)
	}
	b, err := os.ReadFile(out.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		workflows.CampaignReport
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Titles) != 3 || doc.Titles[0].TitleID != "a" || doc.Titles[0].State != workflows.CampaignTitleDone ||
		doc.Titles[1].ErrorType != workflows.ErrTypeNotFound || doc.Titles[2].TitleID != "c" {
		t.Errorf("titles %+v", doc.Titles)
	}
	if doc.Progress.Done != 2 || doc.Name != "c1" || doc.Summary == nil {
		t.Errorf("head %+v, summary %v", doc.CampaignReport.Progress, doc.Summary)
	}
	f, err := os.Open(out.CSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != strings.Join(workflows.CampaignCSVHeader, ",") {
		t.Fatalf("campaign.csv: %q", recs)
	}
	col := func(name string) int {
		for i, h := range recs[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	var a1 []string
	for _, r := range recs[1:] {
		if r[0] == "a" {
			a1 = r
		}
	}
	if a1 == nil || a1[col("bytes_saved")] != "250" || !strings.HasPrefix(a1[col("bd_rate")], "-0.25") {
		t.Errorf("row a: %q", a1)
	}
}

func TestCampaignCatalogPages(t *testing.T) {
	dir := t.TempDir()
	loc := filepath.Join(dir, "catalog.jsonl")
	var lines []string
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		b, _ := json.Marshal(workflows.CampaignEntry{TitleID: id, Source: "/m/" + id + ".mov"})
		lines = append(lines, string(b), "")
	}
	if err := os.WriteFile(loc, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	a := New(nil, nil)
	var got []string
	for off, pages := 0, 0; ; pages++ {
		if pages > 5 {
			t.Fatal("too many pages")
		}
		out, err := a.CampaignCatalog(context.Background(), workflows.CampaignCatalogInput{Location: loc, Offset: off, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Entries {
			got = append(got, e.TitleID)
		}
		off += len(out.Entries)
		if !out.More {
			break
		}
	}
	if strings.Join(got, "") != "abcde" {
		t.Errorf("entries %v", got)
	}
	if _, err := a.CampaignCatalog(context.Background(), workflows.CampaignCatalogInput{Location: filepath.Join(dir, "none.jsonl")}); err == nil {
		t.Error("a missing catalog read")
	}
}
