package vmaf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the shared VMAF test-data directory (REEL_SHARED or
// ../../shared relative to this package), skipping the test when absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("REEL_SHARED")
	if base == "" {
		base = filepath.Join("..", "..", "shared")
	}
	dir := filepath.Join(base, "vmaf")
	if _, err := os.Stat(filepath.Join(dir, "golden", "manifest.json")); err != nil {
		t.Skipf("shared VMAF data not found at %s (set REEL_SHARED): %v", dir, err)
	}
	return dir
}

type goldenPair struct {
	Dir, Pair     string
	Width, Height int
	Frames        int
	Ref, Dist     string
	VmafHPJSON    string `json:"vmaf_hp_json"`
	ModelsJSON    string `json:"models_json"`
}

type goldenManifest struct {
	Pairs []goldenPair
}

func loadManifest(t testing.TB) (string, []goldenPair) {
	t.Helper()
	dir := filepath.Join(sharedDir(t), "golden")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m goldenManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return dir, m.Pairs
}

func readReport(t testing.TB, path string) *Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}
