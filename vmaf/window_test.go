package vmaf

import (
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// TestWindowedScoringMatchesWhole: a sequence scored in windows by
// successive Scorers (each primed with the frame before its window and fed
// one frame past its end) and merged gives exactly the whole-sequence
// numbers. This is what lets a scoring activity resume mid-title.
func TestWindowedScoringMatchesWhole(t *testing.T) {
	ref, dis := vmaftest.ReadTestdataPair(t, 0)
	cfg := Config{Features: []string{FeaturePSNR}, Threads: 2}
	whole := score(t, cfg, ref, dis, -1, 0, len(ref))

	for _, window := range []int{1, 2, 5, 17, 47, 48} {
		var parts []*Result
		for start := 0; start < len(ref); start += window {
			end := min(start+window, len(ref))
			parts = append(parts, score(t, cfg, ref, dis, start-1, start, end))
		}
		got := Merge(parts...)
		if len(got.Frames) != len(whole.Frames) {
			t.Fatalf("window %d: %d frames, want %d", window, len(got.Frames), len(whole.Frames))
		}
		for i := range whole.Frames {
			for _, k := range whole.Frames[i].Metrics.Keys() {
				w, _ := whole.Frames[i].Metrics.Get(k)
				g, ok := got.Frames[i].Metrics.Get(k)
				if !ok || g != w {
					t.Fatalf("window %d frame %d %s: %v, want %v", window, i, k, g, w)
				}
			}
		}
		for _, k := range whole.PooledOrder {
			if got.Pooled[k] != whole.Pooled[k] {
				t.Fatalf("window %d pooled %s: %+v, want %+v", window, k, got.Pooled[k], whole.Pooled[k])
			}
		}
	}
}

// score scores frames [start, end) primed with frame prime (if ≥ 0), pushing
// one frame past end when there is one and dropping its result.
func score(t *testing.T, cfg Config, ref, dis []*frame.Frame, prime, start, end int) *Result {
	t.Helper()
	s, err := NewScorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if prime >= 0 {
		if err := s.Prime(ref[prime]); err != nil {
			t.Fatal(err)
		}
	}
	last := end
	if end < len(ref) {
		last = end + 1
	}
	for i := start; i < last; i++ {
		if err := s.Push(ref[i], dis[i]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	r.Frames = r.Frames[:end-start]
	r.pool()
	return r
}
