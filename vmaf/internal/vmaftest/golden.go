package vmaftest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// GoldenPair is one clip pair of the shared golden data, as listed in
// vmaf/golden/manifest.json. Paths are relative to [GoldenDir].
type GoldenPair struct {
	Dir    string `json:"dir"`  // clip directory, e.g. pub01_testsrc2_640x360
	Pair   string `json:"pair"` // e.g. dist_crf18, or ref_vs_ref
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Frames int    `json:"frames"`
	Ref    string `json:"ref"`  // reference .y4m.xz
	Dist   string `json:"dist"` // distorted .y4m.xz (== Ref for ref_vs_ref)
	// VmafHPJSON is libvmaf's full-precision JSON log with the default
	// model and features.
	VmafHPJSON string `json:"vmaf_hp_json"`
	// ModelsJSON is libvmaf's JSON log of the run with the extra models
	// (NEG: the *_egl_1 features, noclip, 4k).
	ModelsJSON string `json:"models_json"`
}

// LoadManifest returns the golden directory (see [GoldenDir]) and the pairs
// of its manifest.json, skipping the test when the golden data is absent.
func LoadManifest(t testing.TB) (dir string, pairs []GoldenPair) {
	t.Helper()
	dir = GoldenDir(t)
	path := filepath.Join(dir, "manifest.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Pairs []GoldenPair `json:"pairs"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(m.Pairs) == 0 {
		t.Fatalf("%s: no pairs", path)
	}
	return dir, m.Pairs
}

// LoadHP returns frames[i].metrics of the libvmaf JSON log path (e.g. a
// golden pair's VmafHPJSON or ModelsJSON), one map per frame.
func LoadHP(t testing.TB, path string) []map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Frames []struct {
			Metrics map[string]float64 `json:"metrics"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make([]map[string]float64, len(doc.Frames))
	for i, f := range doc.Frames {
		out[i] = f.Metrics
	}
	return out
}
