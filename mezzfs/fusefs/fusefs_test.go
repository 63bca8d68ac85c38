package fusefs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/fusefs"
)

var (
	srv    *s3test.Server
	srvErr error
)

func TestMain(m *testing.M) { s3test.RunMain(m, "fusefs", &srv, &srvErr) }

func requireFUSE(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("skipping: /dev/fuse unavailable: %v", err)
	}
	f.Close()
	if _, err := exec.LookPath("fusermount3"); err != nil && os.Geteuid() != 0 {
		t.Skipf("skipping: fusermount3 not installed and not root")
	}
}

func clipPath(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "media", "bigbuckbunny.mp4")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("test clip: %v", err)
	}
	return p
}

func TestMount(t *testing.T) {
	requireFUSE(t)
	ctx := context.Background()
	clip, err := os.ReadFile(clipPath(t))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"titles/bbb/mezz.mp4":     clip,
		"titles/bbb/notes.txt":    []byte("hello\n"),
		"titles/bbb/deep/a/b.bin": bytes.Repeat([]byte{7}, 3<<20+5),
		"titles/other.bin":        []byte("x"),
		"elsewhere/hidden.bin":    []byte("not under the prefix"),
	}
	stores := []struct {
		name  string
		store func(t *testing.T) mezzfs.Store
	}{
		{"local", func(t *testing.T) mezzfs.Store { return mezzfs.NewLocalStore(t.TempDir()) }},
		{"s3", func(t *testing.T) mezzfs.Store {
			s := s3test.Require(t, srv, srvErr)
			st, err := s.NewBucket(ctx, "fuse-"+fmt.Sprint(os.Getpid()))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	}
	for _, sc := range stores {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.store(t)
			for k, v := range files {
				if err := st.Put(ctx, k, bytes.NewReader(v), int64(len(v))); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			var trace bytes.Buffer
			m, err := fusefs.Mount(ctx, st, "titles", dir, fusefs.Options{Record: &trace})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Unmount()

			// The tree.
			var seen []string
			filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					rel, _ := filepath.Rel(dir, p)
					seen = append(seen, rel)
				}
				return nil
			})
			sort.Strings(seen)
			if want := "bbb/deep/a/b.bin,bbb/mezz.mp4,bbb/notes.txt,other.bin"; strings.Join(seen, ",") != want {
				t.Fatalf("tree %v, want %s", seen, want)
			}

			// ffprobe reads the clip through the mount as from disk (first, so
			// nothing is in the page cache yet).
			if mediatest.Have() {
				probe := func(p string) string {
					out := mediatest.ProbeJSON(t, p, mediatest.Args{"show_format": "", "show_streams": "", "count_packets": ""})
					var lines []string
					for _, l := range strings.Split(string(out), "\n") {
						if !strings.Contains(l, `"filename"`) {
							lines = append(lines, l)
						}
					}
					return strings.Join(lines, "\n")
				}
				if a, b := probe(clipPath(t)), probe(filepath.Join(dir, "bbb/mezz.mp4")); a != b || !strings.Contains(b, `"codec_type": "video"`) {
					t.Fatalf("ffprobe differs:\n%s\nvs\n%s", a, b)
				}
			} else {
				t.Log("ffprobe not installed: skipping the ffprobe check")
			}

			// Bytes.
			for k, v := range files {
				rel, ok := strings.CutPrefix(k, "titles/")
				if !ok {
					continue
				}
				got, err := os.ReadFile(filepath.Join(dir, rel))
				if err != nil || !bytes.Equal(got, v) {
					t.Fatalf("%s: %d bytes, %v", rel, len(got), err)
				}
				fi, _ := os.Stat(filepath.Join(dir, rel))
				if fi.Size() != int64(len(v)) || fi.Mode().Perm() != 0o444 {
					t.Fatalf("%s: stat %v %v", rel, fi.Size(), fi.Mode())
				}
			}

			// Writes fail with EROFS.
			mustEROFS := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, syscall.EROFS) {
					t.Errorf("%s: %v, want EROFS", what, err)
				}
			}
			mustEROFS("create", os.WriteFile(filepath.Join(dir, "new.txt"), []byte("x"), 0o644))
			_, err = os.OpenFile(filepath.Join(dir, "bbb/notes.txt"), os.O_WRONLY, 0)
			mustEROFS("open for write", err)
			mustEROFS("truncate", os.Truncate(filepath.Join(dir, "bbb/notes.txt"), 0))
			mustEROFS("remove", os.Remove(filepath.Join(dir, "bbb/notes.txt")))
			mustEROFS("mkdir", os.Mkdir(filepath.Join(dir, "d"), 0o755))
			mustEROFS("rename", os.Rename(filepath.Join(dir, "other.bin"), filepath.Join(dir, "o2.bin")))

			if _, err := os.Stat(filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("stat missing: %v", err)
			}
			s := m.Stats()
			if s.BytesServed == 0 || s.Requests == 0 {
				t.Errorf("stats %+v", s)
			}
			if err := m.Unmount(); err != nil {
				t.Fatal(err)
			}

			// The trace replays against the store.
			recs, err := mezzfs.ReadTrace(bytes.NewReader(trace.Bytes()))
			if err != nil || len(recs) == 0 {
				t.Fatalf("trace: %d records, %v", len(recs), err)
			}
			rs, err := mezzfs.Replay(ctx, st, "titles/bbb/mezz.mp4", bytes.NewReader(trace.Bytes()))
			if err != nil || rs.BytesServed == 0 {
				t.Fatalf("replay %+v %v", rs, err)
			}
			t.Logf("mount stats %+v; replay of mezz.mp4 %+v", s, rs)
		})
	}
}

func TestMountErrors(t *testing.T) {
	requireFUSE(t)
	ctx := context.Background()
	s := s3test.Require(t, srv, srvErr)
	o := s.Options()
	o.SecretKey = "wrong"
	st, _ := mezzfs.NewS3Store(ctx, "whatever", o)
	if _, err := fusefs.Mount(ctx, st, "", t.TempDir(), fusefs.Options{}); !errors.Is(err, mezzfs.ErrAccessDenied) {
		t.Fatalf("wrong credentials: %v", err)
	}
	st, _ = mezzfs.NewS3Store(ctx, "no-such-bucket", s.Options())
	if _, err := fusefs.Mount(ctx, st, "", t.TempDir(), fusefs.Options{}); !errors.Is(err, mezzfs.ErrNotFound) {
		t.Fatalf("missing bucket: %v", err)
	}
}

// TestMountReadPatterns checks the bytes of reads the kernel turns into
// parallel, out-of-order and overlapping FUSE requests: sequential reads
// of several sizes, concurrent preads from many goroutines, and seeks
// back and forth, and mmap, with and without streaming and direct I/O,
// on a cold page cache.
func TestMountReadPatterns(t *testing.T) {
	requireFUSE(t)
	ctx := context.Background()
	s := s3test.Require(t, srv, srvErr)
	st, err := s.NewBucket(ctx, "fuse-patterns-"+fmt.Sprint(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 21<<20+4321)
	for i := range data {
		data[i] = byte(i*7 + i>>13)
	}
	if err := st.Put(ctx, "obj.bin", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, f *os.File, off int64, n int) {
		t.Helper()
		buf := make([]byte, n)
		k, err := f.ReadAt(buf, off)
		want := data[min(off, int64(len(data))):min(off+int64(n), int64(len(data)))]
		if k != len(want) || (err != nil && !errors.Is(err, io.EOF)) || !bytes.Equal(buf[:k], want) {
			t.Errorf("ReadAt(%d, %d) = %d, %v; bytes equal: %v", off, n, k, err, bytes.Equal(buf[:k], want))
		}
	}
	for _, opts := range []fusefs.Options{{}, {NoStream: true}, {DirectIO: true}} {
		t.Run(fmt.Sprintf("NoStream=%v,DirectIO=%v", opts.NoStream, opts.DirectIO), func(t *testing.T) {
			dir := t.TempDir()
			// Fresh mounts: nothing in the page cache.
			mount := func() (*fusefs.MountPoint, *os.File) {
				m, err := fusefs.Mount(ctx, st, "", dir, opts)
				if err != nil {
					t.Fatal(err)
				}
				f, err := os.Open(filepath.Join(dir, "obj.bin"))
				if err != nil {
					m.Unmount()
					t.Fatal(err)
				}
				return m, f
			}
			for _, size := range []int{4 << 10, 100_000, 1 << 20, 3<<20 + 5} {
				m, f := mount()
				for off := int64(0); off < int64(len(data)); off += int64(size) {
					check(t, f, off, size)
				}
				f.Close()
				m.Unmount()
			}

			m, f := mount()
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(g), 1))
					for range 40 {
						off := rng.Int64N(int64(len(data)))
						if g%2 == 0 { // runs of sequential reads from a random place
							for k := range 6 {
								check(t, f, off+int64(k)*(256<<10), 256<<10)
							}
						} else {
							check(t, f, off, 1+rng.IntN(2<<20))
						}
					}
				}()
			}
			wg.Wait()
			f.Close()
			m.Unmount()

			m, f = mount()
			for _, off := range []int64{0, 20 << 20, 1 << 20, 5<<20 + 3, 4 << 20, 21 << 20, 2 << 20, 3 << 20, 6 << 20} {
				check(t, f, off, 1<<20+17)
			}
			f.Close()
			m.Unmount()

			m, f = mount()
			mem, err := syscall.Mmap(int(f.Fd()), 0, len(data), syscall.PROT_READ, syscall.MAP_SHARED)
			if err != nil {
				t.Errorf("mmap: %v", err)
			} else {
				// Touch the mapping only from inside a system call: a
				// page fault in Go code blocks its thread in the kernel
				// until this process's FUSE server answers, and a
				// stop-the-world meanwhile would wait for that thread
				// forever.
				got, err := os.Create(filepath.Join(t.TempDir(), "mmap.bin"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := got.Write(mem); err != nil {
					t.Errorf("writing the mapping: %v", err)
				}
				got.Close()
				syscall.Munmap(mem)
				if b, err := os.ReadFile(got.Name()); err != nil || !bytes.Equal(b, data) {
					t.Errorf("mmap: bytes differ (%d bytes, %v)", len(b), err)
				}
			}
			f.Close()
			if err := m.Unmount(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
