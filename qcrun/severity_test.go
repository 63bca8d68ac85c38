package qcrun

import (
	"errors"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vision"
)

// A profile's qc section sets a check's severity; Resolve spells it out
// and Config reads it back; an unknown one fails naming the key.
func TestSeverityOverrides(t *testing.T) {
	over := map[string]any{
		"black": map[string]any{"severity": "blocker"},
		"audio": map[string]any{"true_peak_severity": "info"},
	}
	full, err := Resolve(over)
	if err != nil {
		t.Fatal(err)
	}
	if got := full["black"].(map[string]any)["severity"]; got != "blocker" {
		t.Errorf("resolved black.severity %v", got)
	}
	if got := full["freeze"].(map[string]any)["severity"]; got != "warning" {
		t.Errorf("resolved freeze.severity %v, want the default warning", got)
	}
	cfg, err := Config(full)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Black.Severity != vision.SeverityBlocker || cfg.Audio.TruePeakSeverity != vision.SeverityInfo ||
		cfg.Audio.SilenceSeverity != vision.SeverityWarning {
		t.Errorf("config from the resolved settings: %+v %+v", cfg.Black, cfg.Audio)
	}
	for _, c := range []struct {
		over map[string]any
		key  string
	}{
		{map[string]any{"black": map[string]any{"severity": "fatal"}}, `qc.black.severity "fatal" unknown (info, warning, blocker)`},
		{map[string]any{"audio": map[string]any{"silence_severity": "error"}}, `qc.audio.silence_severity "error" unknown`},
	} {
		if _, err := Resolve(c.over); !errors.Is(err, vision.ErrConfig) || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%v: got %v, want %s", c.over, err, c.key)
		}
	}
}

// The summary counts blocker events like any other severity.
func TestSummaryCountsBlockers(t *testing.T) {
	cfg, err := Config(map[string]any{
		"black":           map[string]any{"severity": "blocker"},
		"disabled":        []string{"freeze", "borders", "shots", "interlace", "levels", "blockiness", "blur", "headtail"},
		"thumbnail_width": 0,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := NewStream("black", cfg, vision.VideoInfo{Width: 64, Height: 48, FrameRateNum: 25, FrameRateDen: 1})
	if err != nil {
		t.Fatal(err)
	}
	f, err := frame.New(64, 48, 8, frame.Chroma420) // all zero: black
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 75; i++ {
		if err := st.Push(f); err != nil {
			t.Fatal(err)
		}
	}
	st.Audio(nil)
	out, err := st.Finish("", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Summary[vision.CheckBlack][vision.SeverityBlocker]; got != 1 || len(out.Events) != 1 {
		t.Fatalf("summary %v, events %+v", out.Summary, out.Events)
	}
}
