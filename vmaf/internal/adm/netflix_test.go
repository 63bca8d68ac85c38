package adm

import (
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// meanScores runs Compute over all frames and returns per-feature means.
func meanScores(t testing.TB, ref, dis []*frame.Frame, bpc int, opt Options) []float64 {
	t.Helper()
	sum := make([]float64, len(featNames))
	for i := range ref {
		s, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], bpc, opt)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range featVals(s) {
			sum[k] += v
		}
	}
	for k := range sum {
		sum[k] /= float64(len(ref))
	}
	return sum
}

// TestNetflixPairs checks the pooled means against what the libvmaf HEAD CLI
// printed (6 decimals, NETFLIX_TEST_EXPECTATIONS.md) for the Netflix test
// pairs available here: 160x90 8-bit, akiyo "multiply" (gain hack), and the
// 3-frame 10-bit 576x324 pair. These sizes give odd band sizes at the
// coarser scales (45, 23, 81, 41, 21), so they also cover edge mirroring.
func TestNetflixPairs(t *testing.T) {
	vmaftest.NetflixDir(t) // skips when the shared data is absent
	opt1 := DefaultOptions()
	opt1.EnhnGainLimit = 1
	const tol = 5.1e-7 // CLI prints 6 decimals

	t.Run("160x90", func(t *testing.T) {
		ref, dis := vmaftest.Netflix160x90.Read(t)
		if len(ref) != 48 {
			t.Fatalf("%d frames", len(ref))
		}
		m := meanScores(t, ref, dis, 8, DefaultOptions())
		vmaftest.CheckClose(t, "integer_adm2", m[0], 0.980744, tol)
		vmaftest.CheckClose(t, "integer_adm2 (Netflix places=4)", m[0], 0.9807496975664337, 5e-5)
	})
	t.Run("akiyo_multiply", func(t *testing.T) {
		ref, dis := vmaftest.NetflixAkiyo.Read(t)
		m := meanScores(t, ref, dis, 8, DefaultOptions())
		vmaftest.CheckClose(t, "integer_adm2", m[0], 1.116701, tol)
		vmaftest.CheckClose(t, "integer_aim", m[5], 0.011556, tol)
		vmaftest.CheckClose(t, "integer_adm3", m[6], 1.052573, tol)
		m1 := meanScores(t, ref, dis, 8, opt1)
		vmaftest.CheckClose(t, "integer_adm2_egl_1", m1[0], 0.957433, tol)
		vmaftest.CheckClose(t, "integer_adm2_egl_1 (Netflix places=4)", m1[0], 0.9574308606115118, 5e-5)
	})
	t.Run("10bit_576x324", func(t *testing.T) {
		ref, dis := vmaftest.Netflix10bit.Read(t)
		if len(ref) != 3 {
			t.Fatalf("%d frames", len(ref))
		}
		m := meanScores(t, ref, dis, 10, DefaultOptions())
		vmaftest.CheckClose(t, "integer_adm2", m[0], 0.95177, tol)
		vmaftest.CheckClose(t, "integer_adm2 (Netflix places=4)", m[0], 0.9517763333333334, 5e-5)
		// The 12-bit copy of this pair is the 10-bit one shifted left by 2,
		// for which the DWT is identical, so the 12-bit aim/adm3 apply.
		vmaftest.CheckClose(t, "integer_aim (12-bit run)", m[5], 0.018718, tol)
		vmaftest.CheckClose(t, "integer_adm3 (12-bit run)", m[6], 0.966526, tol)
		// And the shifted input must give bit-identical results.
		for i := range ref {
			r12, d12 := shl(&ref[i].Planes[0], 2), shl(&dis[i].Planes[0], 2)
			a, _ := Compute(&ref[i].Planes[0], &dis[i].Planes[0], 10, DefaultOptions())
			b, _ := Compute(r12, d12, 12, DefaultOptions())
			if a != b {
				t.Errorf("frame %d: 10-bit %+v != 12-bit %+v", i, a, b)
			}
		}
	})
}

func shl(p *frame.Plane, s uint) *frame.Plane {
	q := *p
	q.Pix16 = make([]uint16, len(p.Pix16))
	for i, v := range p.Pix16 {
		q.Pix16[i] = v << s
	}
	return &q
}
