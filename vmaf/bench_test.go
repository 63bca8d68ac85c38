package vmaf

import (
	"fmt"
	"testing"

	"github.com/reel-video/reel/frame"
)

// synthPair makes a textured reference frame and a distorted copy (noise
// and a small shift), deterministic per seed.
func synthPair(b *testing.B, w, h, seed int) (*frame.Frame, *frame.Frame) {
	ref, _ := frame.New(w, h, 8, frame.Chroma420)
	dis, _ := frame.New(w, h, 8, frame.Chroma420)
	x := uint32(seed*2654435761 + 1)
	rnd := func() uint32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x }
	for p := 0; p < 3; p++ {
		rp, dp := &ref.Planes[p], &dis.Planes[p]
		for yy := 0; yy < rp.Height; yy++ {
			for xx := 0; xx < rp.Width; xx++ {
				v := 128 + int(60*float64((xx*3+yy*5+seed*4)%97)/97) + int((xx/16+yy/16+seed)%2)*40 - 20
				rp.Pix8[yy*rp.Stride+xx] = uint8(v)
				d := v + int(rnd()%9) - 4
				if d < 0 {
					d = 0
				} else if d > 255 {
					d = 255
				}
				dp.Pix8[yy*dp.Stride+xx] = uint8(d)
			}
		}
	}
	return ref, dis
}

func benchScore(b *testing.B, w, h, threads int) {
	benchScoreCfg(b, w, h, Config{Threads: threads})
}

func benchScoreCfg(b *testing.B, w, h int, cfg Config) {
	const n = 8
	refs := make([]*frame.Frame, n)
	diss := make([]*frame.Frame, n)
	for i := range refs {
		refs[i], diss[i] = synthPair(b, w, h, i)
	}
	b.ResetTimer()
	frames := 0
	for i := 0; i < b.N; i++ {
		s, err := NewScorer(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for j := range refs {
			if err := s.Push(refs[j], diss[j]); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Close(); err != nil {
			b.Fatal(err)
		}
		frames += n
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "fps")
}

// BenchmarkScore1080p scores synthetic 1920x1080 8-bit pairs with the
// default model (VIF, ADM, motion, SVM).
func BenchmarkScore1080p(b *testing.B) {
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) { benchScore(b, 1920, 1080, th) })
	}
}

// BenchmarkScorePipeline1080p scores as the pipeline does: ScoreRungs
// (default model and PSNR, Threads = cap(Tokens), scratch shared through
// the tokens) and a trial encode's scoring (default model, one thread,
// a shared token).
func BenchmarkScorePipeline1080p(b *testing.B) {
	b.Run("rungs/tokens=2", func(b *testing.B) {
		benchScoreCfg(b, 1920, 1080, Config{Features: []string{FeaturePSNR}, Threads: 2, Tokens: make(chan struct{}, 2)})
	})
	b.Run("trial/tokens=1", func(b *testing.B) {
		benchScoreCfg(b, 1920, 1080, Config{Threads: 1, Tokens: make(chan struct{}, 1)})
	})
}

// BenchmarkScore720p is BenchmarkScore1080p at 1280x720.
func BenchmarkScore720p(b *testing.B) {
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) { benchScore(b, 1280, 720, th) })
	}
}

// BenchmarkFeatures measures the optional features alone on one 1080p pair.
func BenchmarkFeatures(b *testing.B) {
	ref, dis := synthPair(b, 1920, 1080, 1)
	b.Run("psnr", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for c := 0; c < 3; c++ {
				PSNRPlane(&ref.Planes[c], &dis.Planes[c], 8)
			}
		}
	})
	b.Run("float_ssim", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			FloatSSIM(&ref.Planes[0], &dis.Planes[0], 8)
		}
	})
	b.Run("float_ms_ssim", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			FloatMSSSIM(&ref.Planes[0], &dis.Planes[0], 8)
		}
	})
}
