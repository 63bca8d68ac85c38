package vif

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// TestGolden compares every frame of every golden pair with libvmaf's
// full-precision output. libvmaf's integer VIF is deterministic, so the
// values must be identical; 1e-4 is the acceptance ceiling.
func TestGolden(t *testing.T) {
	gdir, pairs := vmaftest.LoadManifest(t)
	var lastRef string
	var refPlanes []*frame.Plane
	for _, p := range pairs {
		if testing.Short() && p.Pair != "dist_crf38" {
			continue
		}
		t.Run(p.Dir+"/"+p.Pair, func(t *testing.T) {
			if p.Ref != lastRef {
				refPlanes = vmaftest.Luma(vmaftest.ReadY4MXZ(t, filepath.Join(gdir, p.Ref)))
				lastRef = p.Ref
			}
			disPlanes := refPlanes
			if p.Dist != p.Ref {
				disPlanes = vmaftest.Luma(vmaftest.ReadY4MXZ(t, filepath.Join(gdir, p.Dist)))
			}
			want := vmaftest.LoadHP(t, filepath.Join(gdir, p.VmafHPJSON))
			if len(want) != len(refPlanes) || len(disPlanes) != len(refPlanes) {
				t.Fatalf("frame counts: ref %d dis %d golden %d", len(refPlanes), len(disPlanes), len(want))
			}
			var maxErr [4]float64
			for i := range refPlanes {
				got, err := Compute(refPlanes[i], disPlanes[i], 8, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				for s := 0; s < 4; s++ {
					key := fmt.Sprintf("integer_vif_scale%d", s)
					w, ok := want[i][key]
					if !ok {
						t.Fatalf("frame %d: no %s", i, key)
					}
					d := math.Abs(got.Scale[s] - w)
					maxErr[s] = math.Max(maxErr[s], d)
					if d > 1e-4 {
						t.Errorf("frame %d %s: got %.17g want %.17g", i, key, got.Scale[s], w)
					}
				}
			}
			t.Logf("max abs err scale0..3: %g %g %g %g", maxErr[0], maxErr[1], maxErr[2], maxErr[3])
		})
	}
}
