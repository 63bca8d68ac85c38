package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/submit/campaigns"
	"github.com/reel-video/reel/workflows"
)

// Usage errors of reel campaign start are found before any server is
// started or dialled (no --temporal, no state directory is made).
func TestCampaignStartUsage(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "titles.txt")
	if err := os.WriteFile(cat, []byte("/media/a.mp4\n/media/b.mov\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dup := filepath.Join(dir, "dup.txt")
	if err := os.WriteFile(dup, []byte("/media/a.mp4\n/other/a.mov\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"campaign", "start", "c1", "--out-template", "/o/{title}"}, exitUsage, `"catalog" not set`},
		{[]string{"campaign", "start", "c1", "--catalog", cat}, exitUsage, `"out-template" not set`},
		{[]string{"campaign", "start", "--catalog", cat, "--out-template", "/o/{title}"}, exitUsage, "expected NAME"},
		{[]string{"campaign", "start", "c1", "--catalog", cat, "--out-template", "/o/v2"}, exitUsage, "no {title}"},
		{[]string{"campaign", "start", "c1", "--catalog", cat, "--out-template", "/o/{title}", "--compare-with", "/old/{name}"}, exitUsage, "--compare-with"},
		{[]string{"campaign", "start", "c1", "--catalog", cat, "--out-template", "/o/{title}", "--max-in-flight", "0"}, exitUsage, "--max-in-flight 0"},
		{[]string{"campaign", "start", "c1", "--catalog", dup, "--out-template", "/o/{title}"}, exitFailed, "duplicate title id"},
		{[]string{"campaign", "start", "c1", "--catalog", filepath.Join(dir, "none.csv"), "--out-template", "/o/{title}"}, exitFailed, "no such file"},
		{[]string{"campaign", "start", "bad\tname", "--catalog", cat, "--out-template", "/o/{title}"}, exitUsage, "bad campaign name"},
	} {
		args := append(tc.args, "--state-dir", state)
		code, _, stderr := reel(context.Background(), args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("reel %q: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(state); err == nil {
		t.Error("a usage error started the embedded server")
	}
}

func TestPrintCampaign(t *testing.T) {
	p := workflows.CampaignProgress{Name: "c1", Total: 10, Done: 3, Skipped: 1, Failed: 1, Held: 1, InFlight: 2, Remaining: 2,
		TitlesPerHour: 6, MaxInFlight: 3, InFlightTitles: []string{"a", "b"}, HeldTitles: []string{"h"}, FailedTitles: []string{"f"}}
	var b bytes.Buffer
	printCampaign(&b, campaigns.Status{CampaignProgress: p, Running: true})
	out := b.String()
	for _, want := range []string{"campaign c1: running (10 titles, at most 3 in flight)", "done       3", "skipped    1",
		"in flight  2", "failed     1", "held       1", "remaining  2", "throughput 6.0 titles/hour, ETA 40m0s",
		"in flight: a, b", "held:      h", "failed:    f"} {
		if !strings.Contains(out, want) {
			t.Errorf("status does not say %q:\n%s", want, out)
		}
	}
	// The line view prints when the counts change, not when only the
	// clock does.
	var lines bytes.Buffer
	v := newCampaignView(&lines)
	v.update(p)
	p.Now = p.Now.Add(time.Minute)
	p.TitlesPerHour = 5
	v.update(p)
	p.Done++
	v.update(p)
	if n := strings.Count(lines.String(), "\n"); n != 2 {
		t.Errorf("%d lines, want 2:\n%s", n, lines.String())
	}
}
