//go:build unix

package wholefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// setUmask sets the process umask for the rest of the test. The umask is
// the process's: tests calling this must not run in parallel.
func setUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func mode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestModesFollowUmask(t *testing.T) {
	for _, tc := range []struct {
		umask     int
		file, dir fs.FileMode
	}{
		{0o027, 0o640, 0o750},
		{0o022, 0o644, 0o755},
		{0o002, 0o664, 0o775},
	} {
		t.Run(fmt.Sprintf("umask%03o", tc.umask), func(t *testing.T) {
			root := t.TempDir()
			setUmask(t, tc.umask)

			path := filepath.Join(root, "a", "b", "report.json")
			if err := WriteFile(path, []byte("{}\n")); err != nil {
				t.Fatal(err)
			}
			if m := mode(t, path); m != tc.file {
				t.Errorf("file mode %v, want %v", m, tc.file)
			}
			for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b")} {
				if m := mode(t, d); m != tc.dir {
					t.Errorf("%s: directory mode %v, want %v", d, m, tc.dir)
				}
			}

			// Replacing a file gives the new one the same mode.
			if err := WriteFile(path, []byte("[]\n")); err != nil {
				t.Fatal(err)
			}
			if m := mode(t, path); m != tc.file {
				t.Errorf("replaced file mode %v, want %v", m, tc.file)
			}

			tmp, err := TempPath(filepath.Join(root, "c", "rung.mp4"))
			if err != nil {
				t.Fatal(err)
			}
			if m := mode(t, tmp); m != tc.file {
				t.Errorf("TempPath file mode %v, want %v", m, tc.file)
			}
			if m := mode(t, filepath.Join(root, "c")); m != tc.dir {
				t.Errorf("TempPath directory mode %v, want %v", m, tc.dir)
			}

			d, err := MkdirTemp(root, "dir-*")
			if err != nil {
				t.Fatal(err)
			}
			if m := mode(t, d); m != tc.dir {
				t.Errorf("MkdirTemp mode %v, want %v", m, tc.dir)
			}
		})
	}
}
