package vmaf

import (
	"errors"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// forEachGoldenFrame calls fn for the first maxFrames frame pairs of a
// golden pair (all frames when maxFrames <= 0).
func forEachGoldenFrame(t testing.TB, dir string, p vmaftest.GoldenPair, maxFrames int, fn func(i int, ref, dis *frame.Frame)) {
	t.Helper()
	rr, c1 := vmaftest.OpenY4MXZ(t, filepath.Join(dir, p.Ref))
	defer c1()
	var dr *frame.Y4MReader
	if p.Pair == "ref_vs_ref" {
		dr = rr
	} else {
		var c2 func()
		dr, c2 = vmaftest.OpenY4MXZ(t, filepath.Join(dir, p.Dist))
		defer c2()
	}
	for i := 0; maxFrames <= 0 || i < maxFrames; i++ {
		ref, err := rr.ReadFrame()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		dis := ref
		if dr != rr {
			if dis, err = dr.ReadFrame(); err != nil {
				t.Fatal(err)
			}
		}
		fn(i, ref, dis)
	}
}

func goldenFrameLimit(t testing.TB) int {
	if testing.Short() {
		return 2
	}
	return 0
}

// TestFeaturesAlone compares this package's psnr, float_ssim and
// float_ms_ssim with libvmaf's values in the golden .vmaf.hp.json files.
func TestFeaturesAlone(t *testing.T) {
	dir, pairs := vmaftest.LoadManifest(t)
	worst := map[string]float64{}
	for _, p := range pairs {
		r := readReport(t, filepath.Join(dir, p.VmafHPJSON))
		n := 0
		forEachGoldenFrame(t, dir, p, goldenFrameLimit(t), func(i int, ref, dis *frame.Frame) {
			n++
			got := map[string]float64{}
			for c, name := range []string{"psnr_y", "psnr_cb", "psnr_cr"} {
				v, err := PSNRPlane(&ref.Planes[c], &dis.Planes[c], ref.BitDepth)
				if err != nil {
					t.Fatal(err)
				}
				got[name] = v
			}
			var err error
			if got["float_ssim"], err = FloatSSIM(&ref.Planes[0], &dis.Planes[0], ref.BitDepth); err != nil {
				t.Fatal(err)
			}
			if got["float_ms_ssim"], err = FloatMSSSIM(&ref.Planes[0], &dis.Planes[0], ref.BitDepth); err != nil {
				t.Fatal(err)
			}
			for k, v := range got {
				want, ok := r.Frames[i].Metrics.Get(k)
				if !ok {
					t.Fatalf("no %s in %s", k, p.VmafHPJSON)
				}
				d := math.Abs(v - want)
				worst[k] = math.Max(worst[k], d)
				if d > 1e-4 {
					t.Errorf("%s/%s frame %d %s = %.17g, want %.17g", p.Dir, p.Pair, i, k, v, want)
				}
			}
		})
		if n == 0 {
			t.Errorf("%s/%s: no frames", p.Dir, p.Pair)
		}
	}
	t.Logf("worst |Δ| per feature: %v", worst)
}
