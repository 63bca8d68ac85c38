package vision

import (
	"errors"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
)

func TestAnalyzerBadInput(t *testing.T) {
	cfg := DefaultConfig()
	bad := cfg
	bad.Black.PictureThreshold = 2
	cases := []struct {
		name string
		cfg  Config
		info VideoInfo
		want error
	}{
		{"no frame rate", cfg, VideoInfo{Width: 64, Height: 64}, ErrFrameRate},
		{"bad config", bad, VideoInfo{Width: 64, Height: 64, FrameRateNum: 25, FrameRateDen: 1}, ErrConfig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewAnalyzer(c.cfg, c.info); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	a, err := NewAnalyzer(cfg, VideoInfo{Width: 64, Height: 48, FrameRateNum: 25, FrameRateDen: 1})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := frame.New(32, 32, 8, frame.Chroma420)
	if err := a.Push(wrong); !errors.Is(err, ErrFrameFormat) {
		t.Fatalf("wrong size: %v", err)
	}
	f, _ := frame.New(64, 48, 8, frame.Chroma420)
	if err := a.Push(f); err != nil {
		t.Fatal(err)
	}
	rep, err := a.Finish()
	if err != nil {
		t.Fatal(err)
	}
	skipped := strings.Join(rep.Skipped, "; ")
	for _, want := range []string{"audio: no audio stream", "freeze: needs at least 2 frames", "shots: needs at least 2 frames"} {
		if !strings.Contains(skipped, want) {
			t.Errorf("Skipped %q lacks %q", skipped, want)
		}
	}
	if len(rep.Shots) != 1 {
		t.Errorf("shots %+v", rep.Shots)
	}
	if err := a.Push(f); !errors.Is(err, ErrFinished) {
		t.Errorf("push after finish: %v", err)
	}
}
