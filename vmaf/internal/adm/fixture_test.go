package adm

import (
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

type fixtureExpect struct {
	Source string      `json:"source"`
	Keys   []string    `json:"keys"`
	EGL100 [][]float64 `json:"egl100"`
	EGL1   [][]float64 `json:"egl1"`
}

// TestFixture160x90 needs nothing outside the repository: the first 10
// frames of Netflix's 160x90 test pair (testdata/vmaf/netflix_160x90_*,
// from Netflix/vmaf_resource, BSD-2-Clause-Patent) and
// expected_adm_160x90.json, the per-frame values this package produced
// when it was bit-exact against libvmaf v3.2.0-13-gf85a8536 on every
// golden pair in shared/vmaf/golden (all 7 features, all frames) and
// matched the HEAD CLI's pooled integer_adm2 for the full 48-frame pair
// (0.980744). Regenerate with -args -update only after re-checking
// TestGoldenPairs. The comparison is exact.
func TestFixture160x90(t *testing.T) {
	ref, dis := vmaftest.ReadTestdataPair(t, 10)
	if len(ref) != 10 || len(dis) != 10 {
		t.Fatalf("fixture has %d/%d frames, want 10", len(ref), len(dis))
	}
	opt1 := DefaultOptions()
	opt1.EnhnGainLimit = 1
	var got fixtureExpect
	got.Source = "reel vmaf/internal/adm, bit-exact vs libvmaf v3.2.0-13-gf85a8536 golden data; first 10 frames of Netflix 160x90 test pair"
	got.Keys = featNames
	for i := range ref {
		s, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		s1, err := Compute(&ref[i].Planes[0], &dis[i].Planes[0], 8, opt1)
		if err != nil {
			t.Fatal(err)
		}
		got.EGL100 = append(got.EGL100, featVals(s))
		got.EGL1 = append(got.EGL1, featVals(s1))
	}
	var want fixtureExpect
	if !vmaftest.Recorded(t, "expected_adm_160x90.json", got, &want) {
		return
	}
	if len(want.EGL100) != 10 || len(want.EGL1) != 10 {
		t.Fatalf("expected file has %d/%d frames", len(want.EGL100), len(want.EGL1))
	}
	for i := range ref {
		for k, n := range featNames {
			if got.EGL100[i][k] != want.EGL100[i][k] {
				t.Errorf("frame %d %s = %.17g, want %.17g", i, n, got.EGL100[i][k], want.EGL100[i][k])
			}
			if got.EGL1[i][k] != want.EGL1[i][k] {
				t.Errorf("frame %d %s (egl 1) = %.17g, want %.17g", i, n, got.EGL1[i][k], want.EGL1[i][k])
			}
		}
	}
}
