package vmaftest

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const modulePath = "github.com/reel-video/reel"

var repoRoot = sync.OnceValues(func() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if strings.TrimSpace(l) == "module "+modulePath {
					return d, nil
				}
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", os.ErrNotExist
		}
		d = parent
	}
})

// RepoRoot returns the root of the repository (the directory holding the
// go.mod of module github.com/reel-video/reel), found by walking up from
// the working directory, which is the package directory under go test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	d, err := repoRoot()
	if err != nil {
		t.Fatalf("repository root (go.mod of %s) not found above the working directory: %v", modulePath, err)
	}
	return d
}

// Testdata returns the path of name in the repository's testdata/vmaf.
func Testdata(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "testdata", "vmaf", name)
}

// SharedDir returns the vmaf directory of the shared test data:
// $REEL_SHARED/vmaf when REEL_SHARED is set, else ../shared/vmaf next to
// the repository root. It skips the test when that directory is absent.
func SharedDir(t testing.TB) string {
	t.Helper()
	base := os.Getenv("REEL_SHARED")
	if base == "" {
		base = filepath.Join(filepath.Dir(RepoRoot(t)), "shared")
	}
	dir := filepath.Join(base, "vmaf")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("shared VMAF data not available: no directory %s (set REEL_SHARED to the directory holding vmaf/, or provide ../shared next to the repository)", dir)
	}
	return dir
}

// GoldenDir returns the shared golden-data directory (vmaf/golden, with
// manifest.json and libvmaf's logs; see [LoadManifest]), skipping the test
// when it is absent.
func GoldenDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "golden")
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		t.Skipf("shared VMAF golden data not available: %v", err)
	}
	return dir
}

// NetflixDir returns the shared directory of Netflix's test pairs
// (vmaf/netflix; see [NetflixPair]), skipping the test when it is absent.
func NetflixDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "netflix")
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Skipf("shared Netflix test pairs not available: no directory %s", dir)
	}
	return dir
}
