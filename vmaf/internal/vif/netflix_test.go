package vif

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

// readYUV420 reads the luma planes of a raw planar 4:2:0 file
// (little-endian 16-bit samples when bpc > 8).
func readYUV420(t testing.TB, path string, w, h, bpc int) []*frame.Plane {
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
	fsize := (w*h + 2*cw*ch) * bps
	if len(b)%fsize != 0 {
		t.Fatalf("%s: size %d is not a multiple of the frame size %d", path, len(b), fsize)
	}
	var out []*frame.Plane
	for off := 0; off < len(b); off += fsize {
		p := &frame.Plane{Width: w, Height: h, Stride: w}
		if bps == 1 {
			p.Pix8 = append([]uint8(nil), b[off:off+w*h]...)
		} else {
			p.Pix16 = make([]uint16, w*h)
			for i := range p.Pix16 {
				p.Pix16[i] = binary.LittleEndian.Uint16(b[off+2*i:])
			}
		}
		out = append(out, p)
	}
	return out
}

func meanScores(t *testing.T, ref, dis []*frame.Plane, bpc int, opt Options) ([4]float64, []Scores) {
	t.Helper()
	var sum [4]float64
	var all []Scores
	for i := range ref {
		s, err := Compute(ref[i], dis[i], bpc, opt)
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

// check compares with a value printed by libvmaf with 6 decimals.
func check(t *testing.T, name string, got, want float64) {
	t.Helper()
	if d := math.Abs(got - want); d > 5.000001e-7 {
		t.Errorf("%s: got %.9f want %.6f (diff %.2g)", name, got, want, d)
	} else {
		t.Logf("%s: got %.9f want %.6f", name, got, want)
	}
}

// TestNetflix checks the Netflix test pairs against libvmaf HEAD's CLI
// results (NETFLIX_TEST_EXPECTATIONS.md; pooled means printed with 6
// decimals).
func TestNetflix(t *testing.T) {
	shared := needShared(t)
	nf := filepath.Join(shared, "vmaf", "netflix")
	if _, err := os.Stat(filepath.Join(nf, "NETFLIX_TEST_EXPECTATIONS.md")); err != nil {
		t.Skip("netflix data not available")
	}
	t.Run("160x90", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(nf, "ref_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv"), 160, 90, 8)
		dis := readYUV420(t, filepath.Join(nf, "dis_test_0_1_src01_hrc00_576x324_576x324_vs_src01_hrc01_576x324_576x324_q_160x90.yuv"), 160, 90, 8)
		m, all := meanScores(t, ref, dis, 8, DefaultOptions())
		for k, want := range []float64{0.689539, 0.95762, 0.976961, 0.982918} {
			check(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
		check(t, "integer_vif_scale3[31]", all[31].Scale[3], 0.982747)
	})
	t.Run("akiyo_352x288", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(nf, "refp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288"), 352, 288, 8)
		dis := readYUV420(t, filepath.Join(nf, "disp_vmaf_hacking_investigation_0_0_akiyo_cif_notyuv_0to0_identity_vs_akiyo_cif_notyuv_0to0_multiply_q_352x288"), 352, 288, 8)
		m, _ := meanScores(t, ref, dis, 8, DefaultOptions())
		for k, want := range []float64{1.052402, 1.070149, 1.072518, 1.072513} {
			check(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
		m, _ = meanScores(t, ref, dis, 8, Options{EnhnGainLimit: 1.0})
		for k, want := range []float64{0.983708, 0.997443, 0.998483, 0.999151} {
			check(t, fmt.Sprintf("integer_vif_scale%d_egl_1", k), m[k], want)
		}
	})
	t.Run("576x324_10bit", func(t *testing.T) {
		ref := readYUV420(t, filepath.Join(nf, "src01_hrc00_576x324.yuv420p10le.yuv"), 576, 324, 10)
		dis := readYUV420(t, filepath.Join(nf, "src01_hrc01_576x324.yuv420p10le.yuv"), 576, 324, 10)
		m, _ := meanScores(t, ref, dis, 10, DefaultOptions())
		for k, want := range []float64{0.433089, 0.830613, 0.907212, 0.945896} {
			check(t, fmt.Sprintf("integer_vif_scale%d", k), m[k], want)
		}
	})
}
