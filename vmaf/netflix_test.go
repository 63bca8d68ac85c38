package vmaf

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

func scoreFrames(t testing.TB, cfg Config, ref, dis []*frame.Frame) *Result {
	t.Helper()
	s, err := NewScorer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ref {
		if err := s.Push(ref[i], dis[i]); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Close()
	if errors.Is(err, errADMUnavailable) {
		t.Skip("integer ADM extractor not available yet")
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func checkPooled(t *testing.T, label string, res *Result, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		p, ok := res.Pooled[k]
		if !ok {
			t.Errorf("%s: no pooled %s", label, k)
			continue
		}
		tol := 1e-4 + 5e-7 // expectations are printed with 6 decimals
		if k == "vmaf" || k[:4] == "vmaf" {
			tol = 0.01
		}
		if d := math.Abs(p.Mean - w); d > tol {
			t.Errorf("%s: pooled %s = %.6f, want %.6f (|Δ| %.2g)", label, k, p.Mean, w, d)
		} else {
			t.Logf("%s: %s = %.6f (libvmaf %.6f, Δ %.2g)", label, k, p.Mean, w, p.Mean-w)
		}
	}
}

// TestTestdata160x90 runs the default model on the 160x90 Netflix pair
// stored in testdata/vmaf (runs without ../shared) and compares with
// libvmaf's numbers in expected_pooled_160x90.json.
func TestTestdata160x90(t *testing.T) {
	b, err := os.ReadFile(vmaftest.Testdata(t, "expected_pooled_160x90.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Width, Height, Frames int
		PooledMean            map[string]float64 `json:"pooled_mean"`
		RefVsRef              map[string]float64 `json:"ref_vs_ref_pooled_mean"`
		FrameValues           []struct {
			Frame  int
			Metric string
			Value  float64
		} `json:"frame_values"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	ref, dis := vmaftest.ReadTestdataPair(t, 0)
	if len(ref) != exp.Frames || len(dis) != exp.Frames || ref[0].Width != exp.Width || ref[0].Height != exp.Height {
		t.Fatalf("read %d/%d %dx%d frames, want %d %dx%d", len(ref), len(dis), ref[0].Width, ref[0].Height, exp.Frames, exp.Width, exp.Height)
	}
	res := scoreFrames(t, Config{Threads: 2}, ref, dis)
	checkPooled(t, "160x90", res, exp.PooledMean)
	for _, fv := range exp.FrameValues {
		v, _ := res.Frames[fv.Frame].Metrics.Get(fv.Metric)
		if math.Abs(v-fv.Value) > 5e-7+1e-9 {
			t.Errorf("frame %d %s = %.7f, want %.6f", fv.Frame, fv.Metric, v, fv.Value)
		}
	}
	if testing.Short() {
		return
	}
	rr := scoreFrames(t, Config{Threads: 2}, ref, ref)
	checkPooled(t, "160x90 ref vs ref", rr, exp.RefVsRef)
}

// TestNetflixAkiyo checks libvmaf's "VMAF hacking" case: dis = ref·gain,
// which VMAF rewards above 100 without clipping; NEG counters it.
func TestNetflixAkiyo(t *testing.T) {
	ref, dis := vmaftest.NetflixAkiyo.Read(t)
	res := scoreFrames(t, Config{Threads: 2, Models: []ModelSpec{
		{Version: "vmaf_v0.6.1", Options: ModelOptions{DisableClip: true, Name: "vmaf_noclip"}},
		{Version: "vmaf_v0.6.1neg", Options: ModelOptions{DisableClip: true, Name: "vmaf_neg_noclip"}},
		{Version: "vmaf_v0.6.1", Options: ModelOptions{Name: "vmaf"}},
	}}, ref, dis)
	checkPooled(t, "akiyo", res, map[string]float64{
		"vmaf_noclip": 132.733164, "vmaf_neg_noclip": 88.030464, "vmaf": 100,
		"integer_adm2": 1.116701, "integer_vif_scale0": 1.052402, "integer_vif_scale1": 1.070149,
		"integer_vif_scale2": 1.072518, "integer_vif_scale3": 1.072513, "integer_aim": 0.011556,
		"integer_adm3": 1.052573, "integer_adm2_egl_1": 0.957433, "integer_vif_scale0_egl_1": 0.983708,
		"integer_vif_scale1_egl_1": 0.997443, "integer_vif_scale2_egl_1": 0.998483, "integer_vif_scale3_egl_1": 0.999151,
	})
}

// TestNetflix10bit checks the 3-frame 10-bit 576x324 pair.
func TestNetflix10bit(t *testing.T) {
	ref, dis := vmaftest.Netflix10bit.Read(t)
	if len(ref) != 3 || len(dis) != 3 {
		t.Fatalf("read %d/%d frames", len(ref), len(dis))
	}
	cfg := Config{Threads: 2, Features: []string{FeaturePSNR, FeatureSSIM, FeatureMSSSIM}}
	res := scoreFrames(t, cfg, ref, dis)
	checkPooled(t, "10-bit", res, map[string]float64{
		"vmaf": 82.564227, "integer_vif_scale0": 0.433089, "integer_vif_scale1": 0.830613,
		"integer_vif_scale2": 0.907212, "integer_vif_scale3": 0.945896, "integer_motion2": 2.809551,
		"integer_adm2": 0.95177, "float_ssim": 0.897863, "float_ms_ssim": 0.974749,
	})
	// libvmaf's float_psnr (32.571452) equals psnr_y here (as in Netflix's
	// 12-bit expectations, where both are listed).
	checkPooled(t, "10-bit", res, map[string]float64{"psnr_y": 32.571452})
	rr := scoreFrames(t, cfg, ref, ref)
	checkPooled(t, "10-bit ref vs ref", rr, map[string]float64{"vmaf": 99.142826, "psnr_y": 72})
}

// TestNetflix160x90Shared is TestTestdata160x90 on the uncompressed files
// in ../shared, also checking that float_ms_ssim refuses 160x90 as
// libvmaf does.
func TestNetflix160x90Shared(t *testing.T) {
	ref, dis := vmaftest.Netflix160x90.Read(t)
	res := scoreFrames(t, Config{Threads: 2, Features: []string{FeatureSSIM}}, ref, dis)
	checkPooled(t, "160x90", res, map[string]float64{"vmaf": 92.520903, "integer_motion2": 1.357764, "integer_adm2": 0.980744})
	s, _ := NewScorer(Config{Features: []string{FeatureMSSSIM}})
	if err := s.Push(ref[0], dis[0]); !errors.Is(err, ErrTooSmall) {
		t.Errorf("float_ms_ssim on 160x90: %v, want ErrTooSmall", err)
	}
	s.Close()
}
