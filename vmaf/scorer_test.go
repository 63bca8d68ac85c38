package vmaf

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// compareResult checks every metric of want (libvmaf) that got also has,
// frame by frame, and returns the worst absolute difference per metric.
func compareResult(t *testing.T, label string, got, want *Result, frames int, tol func(metric string) float64) map[string]float64 {
	t.Helper()
	worst := map[string]float64{}
	if frames <= 0 {
		frames = len(want.Frames)
		if len(got.Frames) != frames {
			t.Errorf("%s: %d frames, want %d", label, len(got.Frames), frames)
			return worst
		}
	}
	for i := 0; i < frames; i++ {
		gm := &got.Frames[i].Metrics
		for _, k := range gm.Keys() {
			w, ok := want.Frames[i].Metrics.Get(k)
			if !ok {
				continue
			}
			g, _ := gm.Get(k)
			d := math.Abs(g - w)
			worst[k] = math.Max(worst[k], d)
			if d > tol(k) {
				t.Errorf("%s frame %d %s = %.10g, want %.10g (|Δ| %.3g)", label, i, k, g, w, d)
			}
		}
	}
	return worst
}

func fmtWorst(w map[string]float64) string {
	var ks []string
	for k := range w {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var b strings.Builder
	for _, k := range ks {
		fmt.Fprintf(&b, " %s=%.2g", k, w[k])
	}
	return b.String()
}

func scoreGolden(t *testing.T, dir string, p vmaftest.GoldenPair, cfg Config, maxFrames int) *Result {
	t.Helper()
	s, err := NewScorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	forEachGoldenFrame(t, dir, p, maxFrames, func(i int, ref, dis *frame.Frame) {
		if err := s.Push(ref, dis); err != nil {
			t.Fatalf("%s/%s frame %d: %v", p.Dir, p.Pair, i, err)
		}
	})
	res, err := s.Close()
	if errors.Is(err, errADMUnavailable) {
		t.Skip("integer ADM extractor not available yet")
	}
	if err != nil {
		t.Fatalf("%s/%s: %v", p.Dir, p.Pair, err)
	}
	return res
}

// TestScorerFeaturesGolden runs the Scorer without a model (VIF, motion,
// PSNR, SSIM, MS-SSIM) on golden pairs.
func TestScorerFeaturesGolden(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	if testing.Short() {
		pairs = pairs[:1]
	}
	cfg := Config{Model: NoModel, Threads: 2, Features: []string{FeaturePSNR, FeatureSSIM, FeatureMSSSIM, FeatureVIF, FeatureMotion}}
	all := map[string]float64{}
	for _, p := range pairs {
		want := readReport(t, filepath.Join(dir, p.VmafHPJSON))
		got := scoreGolden(t, dir, p, cfg, 0)
		w := compareResult(t, p.Dir+"/"+p.Pair, got, want, 0, func(string) float64 { return 1e-4 })
		for k, v := range w {
			all[k] = math.Max(all[k], v)
		}
	}
	t.Logf("worst per-frame |Δ| over %d pairs:%s", len(pairs), fmtWorst(all))
}

// TestGoldenFull is the acceptance test: the full default pipeline on
// every golden pair — pooled VMAF within 0.01, every frame's VMAF within
// 0.05 and every feature within 1e-4 of libvmaf.
func TestGoldenFull(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	if testing.Short() {
		pairs = pairs[:1]
	}
	cfg := Config{Threads: 2, Features: []string{FeaturePSNR, FeatureSSIM, FeatureMSSSIM}}
	all := map[string]float64{}
	worstPooled := 0.0
	for _, p := range pairs {
		want := readReport(t, filepath.Join(dir, p.VmafHPJSON))
		got := scoreGolden(t, dir, p, cfg, 0)
		label := p.Dir + "/" + p.Pair
		w := compareResult(t, label, got, want, 0, func(k string) float64 {
			if k == "vmaf" {
				return 0.05
			}
			return 1e-4
		})
		for k, v := range w {
			all[k] = math.Max(all[k], v)
		}
		for _, k := range want.PooledOrder {
			gp, ok := got.Pooled[k]
			if !ok {
				continue
			}
			wp := want.Pooled[k]
			tol := 1e-4
			if k == "vmaf" {
				tol = 0.01
				worstPooled = math.Max(worstPooled, math.Abs(gp.Mean-wp.Mean))
			}
			for _, c := range [][2]float64{{gp.Mean, wp.Mean}, {gp.HarmonicMean, wp.HarmonicMean}, {gp.Min, wp.Min}, {gp.Max, wp.Max}} {
				if math.Abs(c[0]-c[1]) > tol {
					t.Errorf("%s pooled %s = %+v, want %+v", label, k, gp, wp)
					break
				}
			}
		}
		t.Logf("%s: vmaf %.6f (libvmaf %.6f, Δ %.2g)", label, got.Score(), want.Score(), got.Score()-want.Score())
	}
	t.Logf("worst pooled |ΔVMAF| %.3g; worst per-frame |Δ|:%s", worstPooled, fmtWorst(all))
}

// TestGoldenModels checks the NEG, 4K and no-clip models in one run
// against libvmaf's .models.json (6-decimal values).
func TestGoldenModels(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	if testing.Short() {
		pairs = pairs[:1]
	}
	cfg := Config{Threads: 2, Models: []ModelSpec{
		{Version: "vmaf_v0.6.1"},
		{Version: "vmaf_v0.6.1", Options: ModelOptions{DisableClip: true, Name: "vmaf_v0.6.1_noclip"}},
		{Version: "vmaf_v0.6.1neg"},
		{Version: "vmaf_4k_v0.6.1"},
	}}
	all := map[string]float64{}
	for _, p := range pairs {
		want := readReport(t, filepath.Join(dir, p.ModelsJSON))
		got := scoreGolden(t, dir, p, cfg, 0)
		w := compareResult(t, p.Dir+"/"+p.Pair, got, want, 0, func(k string) float64 {
			if strings.HasPrefix(k, "vmaf") {
				return 0.05
			}
			return 1e-4 + 5e-7
		})
		for k, v := range w {
			all[k] = math.Max(all[k], v)
		}
		for _, k := range []string{"vmaf_v0.6.1", "vmaf_v0.6.1_noclip", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1"} {
			if d := math.Abs(got.Pooled[k].Mean - want.Pooled[k].Mean); d > 0.01 {
				t.Errorf("%s/%s pooled %s mean %.6f, want %.6f", p.Dir, p.Pair, k, got.Pooled[k].Mean, want.Pooled[k].Mean)
			}
		}
	}
	t.Logf("worst per-frame |Δ| over %d pairs:%s", len(pairs), fmtWorst(all))
}

func newTestFrame(t testing.TB, w, h, bpc int, c frame.Chroma, seed int) *frame.Frame {
	f, err := frame.New(w, h, bpc, c)
	if err != nil {
		t.Fatal(err)
	}
	for p := 0; p < f.NumPlanes(); p++ {
		pl := &f.Planes[p]
		for y := 0; y < pl.Height; y++ {
			for x := 0; x < pl.Width; x++ {
				v := (x*7 + y*13 + seed*31 + (x*y)%17) % 256
				if bpc == 8 {
					pl.Pix8[y*pl.Stride+x] = uint8(v)
				} else {
					pl.Pix16[y*pl.Stride+x] = uint16(v << (bpc - 8))
				}
			}
		}
	}
	return f
}

func TestScorerErrors(t *testing.T) {
	if _, err := NewScorer(Config{Features: []string{"cambi"}}); !errors.Is(err, ErrUnknownFeature) {
		t.Errorf("unknown feature: %v", err)
	}
	if _, err := NewScorer(Config{Model: "vmaf_v9"}); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
	cfg := Config{Model: NoModel, Features: []string{FeaturePSNR}, Threads: 1}
	s, _ := NewScorer(cfg)
	if _, err := s.Close(); !errors.Is(err, ErrNoFrames) {
		t.Errorf("empty Close: %v", err)
	}
	if err := s.Push(nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Push after Close: %v", err)
	}
	s, _ = NewScorer(cfg)
	a := newTestFrame(t, 64, 48, 8, frame.Chroma420, 0)
	if err := s.Push(a, newTestFrame(t, 64, 40, 8, frame.Chroma420, 0)); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("size mismatch: %v", err)
	}
	if err := s.Push(a, newTestFrame(t, 64, 48, 10, frame.Chroma420, 0)); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("depth mismatch: %v", err)
	}
	if err := s.Push(a, a); err != nil {
		t.Fatal(err)
	}
	b := newTestFrame(t, 64, 48, 8, frame.Chroma444, 0)
	if err := s.Push(b, b); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("stream format change: %v", err)
	}
	res, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := res.Frames[0].Metrics.Get("psnr_y"); v != 60 {
		t.Errorf("identical psnr_y = %v, want 60", v)
	}
	s, _ = NewScorer(Config{Model: NoModel, Features: []string{FeatureMSSSIM}})
	if err := s.Push(a, a); !errors.Is(err, ErrTooSmall) {
		t.Errorf("small ms-ssim: %v", err)
	}
	s.Close()
	s, _ = NewScorer(Config{Model: NoModel, Features: []string{FeaturePSNR}})
	c := newTestFrame(t, 64, 48, 9, frame.Chroma420, 0)
	if err := s.Push(c, c); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("9-bit: %v", err)
	}
	s.Close()
}

func TestScorerThreadsAgree(t *testing.T) {
	var results []*Result
	for _, th := range []int{1, 2, 3} {
		s, err := NewScorer(Config{Model: NoModel, Threads: th, Features: []string{FeaturePSNR, FeatureSSIM, FeatureVIF, FeatureMotion}})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 7; i++ {
			if err := s.Push(newTestFrame(t, 96, 64, 10, frame.Chroma420, i), newTestFrame(t, 96, 64, 10, frame.Chroma420, i+1)); err != nil {
				t.Fatal(err)
			}
		}
		r, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	for _, r := range results[1:] {
		for i := range r.Frames {
			for _, k := range r.Frames[i].Metrics.Keys() {
				a, _ := r.Frames[i].Metrics.Get(k)
				b, _ := results[0].Frames[i].Metrics.Get(k)
				if a != b {
					t.Errorf("frame %d %s: %v vs %v", i, k, a, b)
				}
			}
		}
	}
}
