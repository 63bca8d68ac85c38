package vif

import (
	"fmt"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// meanScores returns the per-scale means of VIF over the luma planes of
// ref and dis, and the per-frame scores.
func meanScores(t *testing.T, ref, dis []*frame.Frame, bpc int, opt Options) ([4]float64, []Scores) {
	t.Helper()
	var sum [4]float64
	var all []Scores
	for i := range ref {
		s, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], bpc, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
		for k := range sum {
			sum[k] += s.Scale[k]
		}
	}
	for k := range sum {
		sum[k] /= float64(len(ref))
	}
	return sum, all
}

// TestNetflix checks the Netflix test pairs against libvmaf HEAD's CLI
// results (NETFLIX_TEST_EXPECTATIONS.md; pooled means printed with 6
// decimals).
func TestNetflix(t *testing.T) {
	vmaftest.NetflixDir(t) // skips when the shared data is absent
	t.Run("160x90", func(t *testing.T) {
		ref, dis := vmaftest.Netflix160x90.Read(t)
		m, all := meanScores(t, ref, dis, 8, DefaultOptions())
		for k, want := range []float64{0.689539, 0.95762, 0.976961, 0.982918} {
			vmaftest.Check6(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
		vmaftest.Check6(t, "integer_vif_scale3[31]", all[31].Scale[3], 0.982747)
	})
	t.Run("akiyo_352x288", func(t *testing.T) {
		ref, dis := vmaftest.NetflixAkiyo.Read(t)
		m, _ := meanScores(t, ref, dis, 8, DefaultOptions())
		for k, want := range []float64{1.052402, 1.070149, 1.072518, 1.072513} {
			vmaftest.Check6(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
		m, _ = meanScores(t, ref, dis, 8, Options{EnhnGainLimit: 1.0})
		for k, want := range []float64{0.983708, 0.997443, 0.998483, 0.999151} {
			vmaftest.Check6(t, fmt.Sprintf("integer_vif_scale%d_egl_1", k), m[k], want)
		}
	})
	t.Run("576x324_10bit", func(t *testing.T) {
		ref, dis := vmaftest.Netflix10bit.Read(t)
		m, _ := meanScores(t, ref, dis, 10, DefaultOptions())
		for k, want := range []float64{0.433089, 0.830613, 0.907212, 0.945896} {
			vmaftest.Check6(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
	})
}
