package adm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The fixture in testdata/vmaf/adm_* is the first 10 frames of Netflix's
// 160x90 test pair (ref_/dis_test_0_1_src01_hrc00_576x324_576x324_vs_
// src01_hrc01_576x324_576x324_q_160x90.yuv from Netflix/vmaf_resource,
// BSD-2-Clause-Patent, see adm_LICENSE.vmaf_resource), raw yuv420p 8-bit.
//
// adm_expected_160x90.json holds the per-frame values this package
// produced when it was bit-exact against libvmaf v3.2.0-13-gf85a8536 on
// every golden pair in shared/vmaf/golden (all 7 features, all frames) and
// matched the HEAD CLI's pooled integer_adm2 for the full 48-frame pair
// (0.980744). Regenerate with ADM_WRITE_FIXTURE=1 only after re-checking
// TestGoldenPairs.

const fixtureDir = "../../../testdata/vmaf"

type fixtureExpect struct {
	Source string      `json:"source"`
	Keys   []string    `json:"keys"`
	EGL100 [][]float64 `json:"egl100"`
	EGL1   [][]float64 `json:"egl1"`
}

func TestFixture160x90(t *testing.T) {
	ref := readYUV420(t, filepath.Join(fixtureDir, "adm_ref_160x90_10f.yuv"), 160, 90, 8, 0)
	dis := readYUV420(t, filepath.Join(fixtureDir, "adm_dis_160x90_10f.yuv"), 160, 90, 8, 0)
	if len(ref) != 10 || len(dis) != 10 {
		t.Fatalf("fixture has %d/%d frames, want 10", len(ref), len(dis))
	}
	opt1 := DefaultOptions()
	opt1.EnhnGainLimit = 1
	var got fixtureExpect
	got.Source = "reel vmaf/internal/adm, bit-exact vs libvmaf v3.2.0-13-gf85a8536 golden data; first 10 frames of Netflix 160x90 test pair"
	got.Keys = featNames
	for i := range ref {
		s, err := Compute(ref[i], dis[i], 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		s1, err := Compute(ref[i], dis[i], 8, opt1)
		if err != nil {
			t.Fatal(err)
		}
		got.EGL100 = append(got.EGL100, featVals(s))
		got.EGL1 = append(got.EGL1, featVals(s1))
	}
	path := filepath.Join(fixtureDir, "adm_expected_160x90.json")
	if os.Getenv("ADM_WRITE_FIXTURE") != "" {
		b, _ := json.MarshalIndent(got, "", " ")
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want fixtureExpect
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
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
