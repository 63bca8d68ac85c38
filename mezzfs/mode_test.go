//go:build unix

package mezzfs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store/wholefile"
)

// umaskCases are the umasks the mode tests run under, with the modes
// files and directories get. Tests that set the umask (the process's)
// must not run in parallel.
var umaskCases = []struct {
	umask     int
	file, dir fs.FileMode
}{
	{0o022, 0o644, 0o755},
	{0o027, 0o640, 0o750},
}

func setUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// checkModes fails unless every file under root has mode file and every
// directory below root has mode dir; it returns the number of files.
func checkModes(t *testing.T, root string, file, dir fs.FileMode) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := file
		if d.IsDir() {
			want = dir
		} else {
			files++
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestLocalPutModesFollowUmask: objects put in a LocalStore are files
// anyone the umask allows can read, not private ones.
func TestLocalPutModesFollowUmask(t *testing.T) {
	ctx := context.Background()
	for _, tc := range umaskCases {
		t.Run(fmt.Sprintf("umask%03o", tc.umask), func(t *testing.T) {
			root := t.TempDir()
			setUmask(t, tc.umask)
			st := mezzfs.NewLocalStore(root)
			for _, key := range []string{"a.mp4", "title/rungs/720p.mp4", "title/report.json"} {
				data := []byte("object " + key)
				if err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
					t.Fatal(err)
				}
			}
			// Replacing an object keeps the mode.
			if err := st.Put(ctx, "a.mp4", bytes.NewReader([]byte("again")), 5); err != nil {
				t.Fatal(err)
			}
			if n := checkModes(t, root, tc.file, tc.dir); n != 3 {
				t.Errorf("%d files under the store, want 3", n)
			}
		})
	}
}

// TestLocalListSkipsTemporaryFiles: a Put in flight (or one a crash
// interrupted) is not an object.
func TestLocalListSkipsTemporaryFiles(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	st := mezzfs.NewLocalStore(root)
	if err := st.Put(ctx, "t/a", bytes.NewReader([]byte("a")), 1); err != nil {
		t.Fatal(err)
	}
	if _, err := wholefile.TempPath(filepath.Join(root, "t", "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "t", ".mezzfs-tmp-123"), nil, 0o666); err != nil {
		t.Fatal(err)
	}
	got, err := st.List(ctx, "t/")
	if err != nil || len(got) != 1 || got[0].Key != "t/a" {
		t.Fatalf("List = %+v, %v; want t/a alone", got, err)
	}
}

// TestDiskCacheModesFollowUmask: a disk cache's blocks and directories
// are as readable as the umask allows, so accounts can share a cache.
func TestDiskCacheModesFollowUmask(t *testing.T) {
	ctx := context.Background()
	for _, tc := range umaskCases {
		t.Run(fmt.Sprintf("umask%03o", tc.umask), func(t *testing.T) {
			st := mezzfs.NewLocalStore(t.TempDir())
			data := bytes.Repeat([]byte("0123456789abcdef"), 3<<16) // 3 MiB
			put(t, st, "k", data)
			cache := t.TempDir()
			setUmask(t, tc.umask)
			r, err := mezzfs.NewReader(ctx, st, "k", mezzfs.ReaderOptions{CacheDir: filepath.Join(cache, "blocks"), BlockSize: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
			if n := checkModes(t, cache, tc.file, tc.dir); n != 3 {
				t.Errorf("%d cached blocks, want 3", n)
			}
		})
	}
}
