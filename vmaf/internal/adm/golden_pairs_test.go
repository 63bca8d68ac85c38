package adm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
)

type manifest struct {
	Pairs []struct {
		Dir, Pair, Ref, Dist string
		VmafHPJSON           string `json:"vmaf_hp_json"`
		ModelsJSON           string `json:"models_json"`
	} `json:"pairs"`
}

// TestGoldenPairs compares every frame of every golden pair with libvmaf's
// full-precision output, with the default gain limit (vmaf.hp.json) and the
// NEG gain limit 1.0 (models.json, *_egl_1 keys).
func TestGoldenPairs(t *testing.T) {
	root := filepath.Join(sharedDir(t), "golden")
	b, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	only := os.Getenv("ADM_GOLDEN_ONLY")
	refs := map[string][]*frame.Frame{}
	for _, p := range m.Pairs {
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
				rf = readY4MXZ(t, filepath.Join(root, p.Ref))
				refs = map[string][]*frame.Frame{p.Ref: rf}
			}
			df := rf
			if p.Dist != "" && p.Dist != p.Ref {
				df = readY4MXZ(t, filepath.Join(root, p.Dist))
			}
			hp := loadJSON(t, filepath.Join(root, p.VmafHPJSON))
			var mj hpFile
			haveModels := p.ModelsJSON != ""
			if haveModels {
				mj = loadJSON(t, filepath.Join(root, p.ModelsJSON))
			}
			var e, eNeg maxErr
			exact := 0
			for i := range hp.Frames {
				s, err := Compute(&rf[i].Planes[0], &df[i].Planes[0], 8, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				got := featVals(s)
				e.add(got, hp.Frames[i].Metrics, "", t, name)
				if got[0] == hp.Frames[i].Metrics["integer_adm2"] {
					exact++
				}
				if haveModels {
					o := DefaultOptions()
					o.EnhnGainLimit = 1
					s1, err := Compute(&rf[i].Planes[0], &df[i].Planes[0], 8, o)
					if err != nil {
						t.Fatal(err)
					}
					eNeg.add(featVals(s1), mj.Frames[i].Metrics, "_egl_1", t, name)
				}
			}
			t.Logf("%s: %d frames, adm2 bit-exact %d; max|err|:%s", name, len(hp.Frames), exact, e.String())
			if haveModels {
				t.Logf("%s egl=1: max|err|:%s", name, eNeg.String())
			}
			e.check(t, name)
			eNeg.check(t, name+" egl1")
		})
	}
}
