package vmaf

import (
	"bytes"
	"sync"
	"testing"

	"github.com/reel-video/reel/frame"
)

// TestRecycledFramesScoreTheSame: scoring y4m streams through ScoreY4M,
// which reads every picture into frames handed back by Config.Release,
// gives bit for bit what a Scorer fed freshly allocated frames gives, with
// the full model, PSNR and motion (which keeps its own copy of the
// previous reference), and Release sees every pair once.
func TestRecycledFramesScoreTheSame(t *testing.T) {
	const n, w, h = 9, 96, 64
	var refBuf, disBuf bytes.Buffer
	rw, _ := frame.NewY4MWriter(&refBuf, frame.Y4MHeader{Width: w, Height: h, Chroma: frame.Chroma420})
	dw, _ := frame.NewY4MWriter(&disBuf, frame.Y4MHeader{Width: w, Height: h, Chroma: frame.Chroma420})
	var refs, diss []*frame.Frame
	for i := 0; i < n; i++ {
		r, d := newTestFrame(t, w, h, 8, frame.Chroma420, i), newTestFrame(t, w, h, 8, frame.Chroma420, 3*i+1)
		refs, diss = append(refs, r), append(diss, d)
		if err := rw.WriteFrame(r); err != nil {
			t.Fatal(err)
		}
		if err := dw.WriteFrame(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, threads := range []int{1, 2, 3} {
		cfg := Config{Features: []string{FeaturePSNR}, Threads: threads}
		fresh, err := NewScorer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range refs {
			if err := fresh.Push(refs[i], diss[i]); err != nil {
				t.Fatal(err)
			}
		}
		want, err := fresh.Close()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ScoreY4M(bytes.NewReader(refBuf.Bytes()), bytes.NewReader(disBuf.Bytes()), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Frames) != n {
			t.Fatalf("threads %d: %d frames, want %d", threads, len(got.Frames), n)
		}
		for i := range want.Frames {
			for _, k := range want.Frames[i].Metrics.Keys() {
				a, _ := got.Frames[i].Metrics.Get(k)
				b, _ := want.Frames[i].Metrics.Get(k)
				if a != b {
					t.Errorf("threads %d frame %d %s: recycled %v, fresh %v", threads, i, k, a, b)
				}
			}
		}

		// Release sees each pushed pair exactly once.
		var mu sync.Mutex
		seen := map[*frame.Frame]int{}
		cfg.Release = func(r, d *frame.Frame) {
			mu.Lock()
			seen[r]++
			seen[d]++
			mu.Unlock()
		}
		s, err := NewScorer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i := range refs {
			if err := s.Push(refs[i], diss[i]); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Close(); err != nil {
			t.Fatal(err)
		}
		for i := range refs {
			if seen[refs[i]] != 1 || seen[diss[i]] != 1 {
				t.Errorf("threads %d pair %d released %d/%d times, want once", threads, i, seen[refs[i]], seen[diss[i]])
			}
		}
	}
}

func TestFramePool(t *testing.T) {
	p := NewFramePool(64, 48, 8, frame.Chroma420)
	a, err := p.Get()
	if err != nil {
		t.Fatal(err)
	}
	p.Put(a)
	b, _ := p.Get()
	if b != a {
		t.Error("Get after Put did not reuse the frame")
	}
	other, _ := frame.New(32, 48, 8, frame.Chroma420)
	p.Put(other) // another format: ignored
	p.Put(nil)
	c, _ := p.Get()
	if c == other || c == nil || c.Width != 64 {
		t.Errorf("Get returned %v, want a new 64x48 frame", c)
	}
	var nilPool *FramePool
	nilPool.Put(a) // no-op
}
