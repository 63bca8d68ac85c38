package motion

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// runAll pushes every plane and flushes, returning the scores in order.
func runAll(t testing.TB, planes []*frame.Plane, bpc int) []Score {
	t.Helper()
	e := New(planes[0].Width, planes[0].Height, bpc)
	var out []Score
	for i, p := range planes {
		s, err := e.Push(p)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		out = append(out, s...)
	}
	out = append(out, e.Flush()...)
	if len(out) != len(planes) {
		t.Fatalf("got %d scores for %d frames", len(out), len(planes))
	}
	for i, s := range out {
		if s.Frame != i {
			t.Fatalf("score %d is for frame %d", i, s.Frame)
		}
	}
	return out
}

// TestGolden compares every frame with libvmaf HEAD's full-precision
// output. Motion depends on the reference only, so one pair per clip
// suffices; all pairs are checked anyway unless -short.
func TestGolden(t *testing.T) {
	gdir, pairs := vmaftest.LoadManifest(t)
	var lastRef string
	var got []Score
	for _, p := range pairs {
		if testing.Short() && p.Pair != "dist_crf38" {
			continue
		}
		t.Run(p.Dir+"/"+p.Pair, func(t *testing.T) {
			if p.Ref != lastRef {
				got = runAll(t, vmaftest.Luma(vmaftest.ReadY4MXZ(t, filepath.Join(gdir, p.Ref))), 8)
				lastRef = p.Ref
			}
			want := vmaftest.LoadHP(t, filepath.Join(gdir, p.VmafHPJSON))
			if len(want) != len(got) {
				t.Fatalf("golden has %d frames, computed %d", len(want), len(got))
			}
			var maxErr [3]float64
			for i, g := range got {
				vals := [3]float64{g.Motion, g.Motion2, g.Motion3}
				for k, key := range [3]string{"VMAF_integer_feature_motion_sad_score", "integer_motion2", "integer_motion3"} {
					w, ok := want[i][key]
					if !ok {
						t.Fatalf("frame %d: no %s", i, key)
					}
					d := math.Abs(vals[k] - w)
					maxErr[k] = math.Max(maxErr[k], d)
					if d > 1e-4 {
						t.Errorf("frame %d %s: got %.17g want %.17g", i, key, vals[k], w)
					}
				}
			}
			t.Logf("max abs err motion/motion2/motion3: %g %g %g", maxErr[0], maxErr[1], maxErr[2])
		})
	}
}
