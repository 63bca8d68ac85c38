package profile

import (
	"slices"
	"strings"
	"testing"
)

func TestAnalysisPreset(t *testing.T) {
	tests := []struct{ analysis, final, want string }{
		{"auto", "medium", "veryfast"},
		{"", "", "veryfast"}, // the codec's default, medium
		{"auto", "veryfast", "superfast"},
		{"auto", "faster", "superfast"},
		{"auto", "superfast", "superfast"},
		{"auto", "ultrafast", "ultrafast"},
		{"auto", "slow", "faster"},
		{"auto", "placebo", "slow"},
		{"auto", "8", "8"}, // not an x264 name: the final preset
		{"ultrafast", "medium", "ultrafast"},
	}
	for _, c := range tests {
		if got := AnalysisPreset(c.analysis, c.final); got != c.want {
			t.Errorf("AnalysisPreset(%q, %q) = %q, want %q", c.analysis, c.final, got, c.want)
		}
	}
}

func TestAnalysisSettings(t *testing.T) {
	p, err := Parse(strings.NewReader("ladder:\n  mode: per-title\n  per_title: {crfs: [20, 24, 28, 32, 36, 40]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Ladder.PerTitle.Analysis
	if !a.EveryChunkOn() || a.ChunkSeconds != 2 || a.Preset != AnalysisAuto || a.VMAFEvery != 4 || a.Calibrate != 3 || !slices.Equal(a.CRFs, []float64{20, 32, 40}) {
		t.Errorf("analysis defaults %+v", a)
	}
	off, err := Parse(strings.NewReader("ladder:\n  mode: per-title\n  per_title: {analysis: {every_chunk: false}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if off.Ladder.PerTitle.Analysis.EveryChunkOn() {
		t.Error("every_chunk false: on")
	}
	bad := map[string]string{
		"{chunk_seconds: 0.1}": "chunk_seconds",
		"{vmaf_every: 101}":    "vmaf_every",
		"{calibrate: -1}":      "calibrate",
		"{crfs: [23]}":         "2–16",
		"{crfs: [23, 33]}":     "must span",
		"{crfs: [18, 18, 38]}": "twice",
		"{preset: warp}":       "analysis.preset",
	}
	for yaml, want := range bad {
		_, err := Parse(strings.NewReader("ladder:\n  mode: per-title\n  per_title: {analysis: " + yaml + "}\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("analysis %s: error %v, want one naming %q", yaml, err, want)
		}
	}
}
