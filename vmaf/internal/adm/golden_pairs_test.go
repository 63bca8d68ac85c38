package adm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// TestGoldenPairs compares every frame of every golden pair with libvmaf's
// full-precision output, with the default gain limit (vmaf.hp.json) and the
// NEG gain limit 1.0 (models.json, *_egl_1 keys).
func TestGoldenPairs(t *testing.T) {
	root, pairs := vmaftest.LoadManifest(t)
	only := os.Getenv("ADM_GOLDEN_ONLY")
	refs := map[string][]*frame.Frame{}
	for _, p := range pairs {
		name := p.Dir + "/" + p.Pair
		if only != "" && !strings.Contains(name, only) {
			continue
		}
		if testing.Short() && !strings.Contains(name, "pub01") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			rf, ok := refs[p.Ref]
			if !ok {
				rf = vmaftest.ReadY4MXZ(t, filepath.Join(root, p.Ref))
				refs = map[string][]*frame.Frame{p.Ref: rf}
			}
			df := rf
			if p.Dist != "" && p.Dist != p.Ref {
				df = vmaftest.ReadY4MXZ(t, filepath.Join(root, p.Dist))
			}
			hp := vmaftest.LoadHP(t, filepath.Join(root, p.VmafHPJSON))
			if len(hp) != len(rf) || len(df) != len(rf) {
				t.Fatalf("frame counts: ref %d dis %d golden %d", len(rf), len(df), len(hp))
			}
			var mj []map[string]float64
			haveModels := p.ModelsJSON != ""
			if haveModels {
				mj = vmaftest.LoadHP(t, filepath.Join(root, p.ModelsJSON))
				if len(mj) != len(rf) {
					t.Fatalf("frame counts: ref %d, %s %d", len(rf), p.ModelsJSON, len(mj))
				}
			}
			var e, eNeg maxErr
			exact := 0
			for i := range hp {
				s, err := Compute(&rf[i].Planes[0], &df[i].Planes[0], 8, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				got := featVals(s)
				e.add(got, hp[i], "", t, name)
				if got[0] == hp[i]["integer_adm2"] {
					exact++
				}
				if haveModels {
					o := DefaultOptions()
					o.EnhnGainLimit = 1
					s1, err := Compute(&rf[i].Planes[0], &df[i].Planes[0], 8, o)
					if err != nil {
						t.Fatal(err)
					}
					eNeg.add(featVals(s1), mj[i], "_egl_1", t, name)
				}
			}
			t.Logf("%s: %d frames, adm2 bit-exact %d; max|err|:%s", name, len(hp), exact, e.String())
			if haveModels {
				t.Logf("%s egl=1: max|err|:%s", name, eNeg.String())
			}
			e.check(t, name)
			eNeg.check(t, name+" egl1")
		})
	}
}
