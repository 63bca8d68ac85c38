package vmaf

import (
	"os"
	"testing"
)

// readReport reads a libvmaf (or reel) JSON log with ReadJSON.
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
