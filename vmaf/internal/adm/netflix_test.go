package adm

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

// readYUV420 returns the luma planes of a raw planar 4:2:0 file (8-bit, or
// little-endian 16-bit containers for bpc > 8).
func readYUV420(t testing.TB, path string, w, h, bpc, maxFrames int) []*frame.Plane {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bps := 1
	if bpc > 8 {
		bps = 2
	}
	cw, ch := (w+1)/2, (h+1)/2
	fsz := (w*h + 2*cw*ch) * bps
	var ps []*frame.Plane
	for off := 0; off+fsz <= len(b) && (maxFrames <= 0 || len(ps) < maxFrames); off += fsz {
		p := &frame.Plane{Width: w, Height: h, Stride: w}
		if bps == 1 {
			p.Pix8 = append([]uint8(nil), b[off:off+w*h]...)
		} else {
			p.Pix16 = make([]uint16, w*h)
			for i := range p.Pix16 {
				p.Pix16[i] = binary.LittleEndian.Uint16(b[off+2*i:])
			}
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		t.Fatalf("%s: no frames", path)
	}
	return ps
}

// meanScores runs Compute over all frames and returns per-feature means.
func meanScores(t testing.TB, ref, dis []*frame.Plane, bpc int, opt Options) []float64 {
	t.Helper()
	sum := make([]float64, len(featNames))
	for i := range ref {
		s, err := Compute(ref[i], dis[i], bpc, opt)
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
	dir := filepath.Join(sharedDir(t), "netflix")
	opt1 := DefaultOptions()
	opt1.EnhnGainLimit = 1
	const tol = 5.1e-7 // CLI prints 6 decimals
	check := func(name string, got float64, want float64, tol float64) {
		t.Helper()
		if d := math.Abs(got - want); d > tol {
			t.Errorf("%s = %.9f, libvmaf %.6f (|diff| %.3g > %.3g)", name, got, want, d, tol)
		} else {
			t.Logf("%s = %.9f, libvmaf %.6f (|diff| %.3g)", name, got, want, d)
		}
	}

	t.Run("160x90", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(dir, "ref_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv"), 160, 90, 8, 0)
		dis := readYUV420(t, filepath.Join(dir, "dis_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv"), 160, 90, 8, 0)
		if len(ref) != 48 {
			t.Fatalf("%d frames", len(ref))
		}
		m := meanScores(t, ref, dis, 8, DefaultOptions())
		check("integer_adm2", m[0], 0.980744, tol)
		check("integer_adm2 (Netflix places=4)", m[0], 0.9807496975664337, 5e-5)
	})
	t.Run("akiyo_multiply", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(dir, "refp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288"), 352, 288, 8, 0)
		dis := readYUV420(t, filepath.Join(dir, "disp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288"), 352, 288, 8, 0)
		m := meanScores(t, ref, dis, 8, DefaultOptions())
		check("integer_adm2", m[0], 1.116701, tol)
		check("integer_aim", m[5], 0.011556, tol)
		check("integer_adm3", m[6], 1.052573, tol)
		m1 := meanScores(t, ref, dis, 8, opt1)
		check("integer_adm2_egl_1", m1[0], 0.957433, tol)
		check("integer_adm2_egl_1 (Netflix places=4)", m1[0], 0.9574308606115118, 5e-5)
	})
	t.Run("10bit_576x324", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(dir, "src01_hrc00_576x324.yuv420p10le.yuv"), 576, 324, 10, 0)
		dis := readYUV420(t, filepath.Join(dir, "src01_hrc01_576x324.yuv420p10le.yuv"), 576, 324, 10, 0)
		if len(ref) != 3 {
			t.Fatalf("%d frames", len(ref))
		}
		m := meanScores(t, ref, dis, 10, DefaultOptions())
		check("integer_adm2", m[0], 0.95177, tol)
		check("integer_adm2 (Netflix places=4)", m[0], 0.9517763333333334, 5e-5)
		// The 12-bit copy of this pair is the 10-bit one shifted left by 2,
		// for which the DWT is identical, so the 12-bit aim/adm3 apply.
		check("integer_aim (12-bit run)", m[5], 0.018718, tol)
		check("integer_adm3 (12-bit run)", m[6], 0.966526, tol)
		// And the shifted input must give bit-identical results.
		for i := range ref {
			r12, d12 := shl(ref[i], 2), shl(dis[i], 2)
			a, _ := Compute(ref[i], dis[i], 10, DefaultOptions())
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
