package vmaf

import (
	"errors"
	"testing"

	"github.com/reel-video/reel/frame"
)

// Frames narrower or shorter than MinSize are refused with ErrTooSmall
// (a 2000x16 source used to fail with the ADM extractor's own error,
// which callers could not tell from a transient failure).
func TestVMAFTooSmall(t *testing.T) {
	for _, size := range [][2]int{{2000, 16}, {16, 1200}, {MinSize - 2, MinSize}} {
		s, err := NewScorer(Config{})
		if err != nil {
			t.Fatal(err)
		}
		f := newTestFrame(t, size[0], size[1], 8, frame.Chroma420, 0)
		err = s.Push(f, f)
		if _, cerr := s.Close(); err == nil {
			err = cerr
		}
		if !errors.Is(err, ErrTooSmall) {
			t.Errorf("%dx%d: %v, want ErrTooSmall", size[0], size[1], err)
		}
	}
	s, err := NewScorer(Config{})
	if err != nil {
		t.Fatal(err)
	}
	f := newTestFrame(t, MinSize, MinSize, 8, frame.Chroma420, 0)
	if err := s.Push(f, f); err != nil {
		t.Fatalf("%dx%d: %v", MinSize, MinSize, err)
	}
	if _, err := s.Close(); err != nil {
		t.Fatalf("%dx%d: %v", MinSize, MinSize, err)
	}
}
