//go:build unix

package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"syscall"
	"testing"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
)

// TestLocalModesFollowUmask: the files Create, Put and WriteFile make, and
// their directories, have the modes any tool gives them under the umask
// (0640 and 0750 under 027; store/wholefile tests other umasks). The
// umask is the process's: this test does not run in parallel.
func TestLocalModesFollowUmask(t *testing.T) {
	ctx := context.Background()
	st := store.New(mezzfs.Options{})
	root, err := store.LocalPath(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Umask(syscall.Umask(0o027))

	w, err := st.Create(ctx, root.Join("a/b/created.bin"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteFile(ctx, root.Join("c/written.json"), []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, root.Join("c/d/put.bin"), bytes.NewReader([]byte("y")), 1); err != nil {
		t.Fatal(err)
	}
	const file, dir fs.FileMode = 0o640, 0o750
	for rel, want := range map[string]fs.FileMode{
		"a": dir, "a/b": dir, "a/b/created.bin": file,
		"c": dir, "c/written.json": file, "c/d": dir, "c/d/put.bin": file,
	} {
		fi, err := os.Stat(root.Join(rel).Path())
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", rel, fi.Mode().Perm(), want)
		}
	}
}
