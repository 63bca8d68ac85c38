package cli

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/report"
)

// writeReport writes a report.json whose rungs have the given codec,
// bitrates and VMAF means.
func writeReport(t *testing.T, name, codec string, kbps, vmafs []float64) string {
	t.Helper()
	r := report.Report{SchemaVersion: 1, Title: report.Title{ID: "clip"}}
	for i := range kbps {
		r.Rungs = append(r.Rungs, report.Rung{ID: codec + "-" + string(rune('a'+i)), Codec: codec,
			BitrateKbps: kbps[i], VMAF: report.VMAF{Mean: vmafs[i]}})
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	refKbps = []float64{145, 365, 730, 1100, 2000, 3000, 4500, 6000}
	refVMAF = []float64{35, 52, 64, 71, 80, 86, 91, 94}
)

func scaled(xs []float64, f float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = x * f
	}
	return out
}

func TestLadderCompare(t *testing.T) {
	a := writeReport(t, "a.json", "h264", refKbps, refVMAF)
	b := writeReport(t, "b.json", "h264", scaled(refKbps, 0.8), refVMAF)
	code, stdout, stderr := reel(context.Background(), "ladder", "compare", a, b)
	if code != 0 || !strings.Contains(stdout, "BD-rate of B against A: -20.0%") || !strings.Contains(stdout, "BD-VMAF of B against A: +") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	t.Log(stdout)
	// And the other way: 1/0.8 − 1 = +25%.
	if code, stdout, _ := reel(context.Background(), "ladder", "compare", b, a); code != 0 || !strings.Contains(stdout, "+25.0%") {
		t.Fatalf("exit %d, stdout %s", code, stdout)
	}

	code, stdout, stderr = reel(context.Background(), "ladder", "compare", "--json", a, b)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var c ladder.Comparison
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatal(err)
	}
	if c.BDRate == nil || math.Abs(*c.BDRate+0.2) > 1e-9 || math.Abs(*c.BDRatePercent+20) > 1e-7 || c.BDVMAF == nil || !(*c.BDVMAF > 0) ||
		len(c.A.Points) != 8 || c.A.Codec != "h264" || len(c.VMAFRange) != 2 || c.VMAFRange[0] != 35 || c.VMAFRange[1] != 94 ||
		len(c.KbpsRange) != 2 || c.KbpsRange[0] != 145 || c.KbpsRange[1] != 4800 {
		t.Fatalf("json %s", stdout)
	}
}

// TestLadderCompareHTML: --html writes the comparison page beside the
// usual output.
func TestLadderCompareHTML(t *testing.T) {
	a := writeReport(t, "a.json", "h264", refKbps, refVMAF)
	b := writeReport(t, "b.json", "h264", scaled(refKbps, 0.8), refVMAF)
	page := filepath.Join(t.TempDir(), "compare.html")
	code, stdout, stderr := reel(context.Background(), "ladder", "compare", "--html", page, a, b)
	if code != 0 || !strings.Contains(stdout, "BD-rate of B against A: -20.0%") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="bd-rate">-20.0%`, `id="rd-plot"`, `"kind":"compare"`, "uplot/LICENSE"} {
		if !strings.Contains(string(html), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// A page that cannot be written fails the command.
	if code, _, stderr := reel(context.Background(), "ladder", "compare", "--html", filepath.Join(a, "x.html"), a, b); code != 1 || stderr == "" {
		t.Errorf("unwritable page: exit %d, stderr %q", code, stderr)
	}
}

func TestLadderCompareCSV(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.csv")
	var sb strings.Builder
	sb.WriteString("kbps,vmaf\n# Apple's ladder\n")
	for i := range refKbps {
		sb.WriteString(strings.Join([]string{ftoa(refKbps[i]), ftoa(refVMAF[i])}, ",") + "\n")
	}
	if err := os.WriteFile(a, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	b := writeReport(t, "b.json", "h264", scaled(refKbps, 0.8), refVMAF)
	code, stdout, stderr := reel(context.Background(), "ladder", "compare", a, b)
	if code != 0 || !strings.Contains(stdout, "-20.0%") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func ftoa(f float64) string { b, _ := json.Marshal(f); return string(b) }

func TestLadderCompareErrors(t *testing.T) {
	a := writeReport(t, "a.json", "h264", refKbps, refVMAF)
	three := writeReport(t, "three.json", "h264", refKbps[:3], refVMAF[:3])
	high := writeReport(t, "high.json", "h264", []float64{8000, 9000, 10000, 12000}, []float64{95, 96, 97, 98})
	bumpy := writeReport(t, "bumpy.json", "h264", []float64{200, 400, 800, 1600, 3200}, []float64{40, 60, 58, 80, 90})
	mixed := writeReport(t, "mixed.json", "h264", refKbps, refVMAF)
	{ // add hevc rungs to mixed
		b, _ := os.ReadFile(mixed)
		var r report.Report
		_ = json.Unmarshal(b, &r)
		for i := range refKbps {
			r.Rungs = append(r.Rungs, report.Rung{ID: "hevc", Codec: "hevc", BitrateKbps: refKbps[i] * 0.6, VMAF: report.VMAF{Mean: refVMAF[i]}})
		}
		b, _ = json.Marshal(r)
		_ = os.WriteFile(mixed, b, 0o644)
	}
	notReport := filepath.Join(t.TempDir(), "x.json")
	_ = os.WriteFile(notReport, []byte(`{"foo": 1}`), 0o644)

	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"too few", []string{a, three}, 1, []string{"BD-rate: B: ladder: BD needs at least 4 points", "A has 8 rungs, B has 3", "not computable"}},
		{"no overlap", []string{a, high}, 1, []string{"BD-rate: ladder: BD curves do not overlap", "BD-VMAF: ladder: BD curves do not overlap"}},
		{"not monotonic", []string{a, bumpy}, 1, []string{"not monotonic", "--monotone"}},
		{"several codecs", []string{a, mixed}, 1, []string{"several codecs (h264, hevc); pick one with --codec"}},
		{"no such codec", []string{"--codec", "vp9", a, mixed}, 1, []string{"no vp9 rungs"}},
		{"not a report", []string{a, notReport}, 1, []string{"not a report.json"}},
		{"missing", []string{a, "nope.json"}, 1, []string{"nope.json"}},
		{"one file", []string{a}, 2, []string{"expected A B"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := reel(context.Background(), append([]string{"ladder", "compare"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stdout+stderr, w) {
					t.Errorf("output does not mention %q:\nstdout %s\nstderr %s", w, stdout, stderr)
				}
			}
		})
	}
	if code, _, _ := reel(context.Background(), "ladder"); code != 2 {
		t.Fatalf("reel ladder: exit %d", code)
	}

	// --monotone drops the dip and compares; --codec picks the hevc rungs.
	if code, stdout, stderr := reel(context.Background(), "ladder", "compare", "--monotone", a, bumpy); code != 0 || !strings.Contains(stdout, "1 rungs dropped") {
		t.Fatalf("--monotone: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if code, stdout, stderr := reel(context.Background(), "ladder", "compare", "--codec", "h265", a, mixed); code != 1 || !strings.Contains(stderr, "no hevc rungs") {
		// a has no hevc rungs: the filter applies to both files
		t.Fatalf("--codec hevc: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if code, stdout, stderr := reel(context.Background(), "ladder", "compare", "--codec", "avc", a, mixed); code != 0 || !strings.Contains(stdout, "+0.0%") {
		t.Fatalf("--codec avc: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}
