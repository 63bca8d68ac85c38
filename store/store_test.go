package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
)

var (
	srv    *s3test.Server
	srvErr error
)

func TestMain(m *testing.M) { s3test.RunMain(m, "store", &srv, &srvErr) }

// backend is a place for one test to write in: a directory or an S3 key
// prefix of its own, and the Store to reach it.
type backend struct {
	name string
	root func(t *testing.T) (store.Location, *store.Store)
}

// listPageSize makes S3 listings take several pages in these tests.
const listPageSize = 2

var bucketMade = map[string]bool{}

func backends() []backend {
	return []backend{
		{"local", func(t *testing.T) (store.Location, *store.Store) {
			l, err := store.LocalPath(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return l, store.New(mezzfs.Options{})
		}},
		{"s3", func(t *testing.T) (store.Location, *store.Store) {
			s := s3test.Require(t, srv, srvErr)
			if !bucketMade["store"] {
				if _, err := s.NewBucket(context.Background(), "store"); err != nil {
					t.Fatal(err)
				}
				bucketMade["store"] = true
			}
			o := s.Options()
			o.ListPageSize = listPageSize
			o.PartSize = 5 << 20
			prefix := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "-")
			l, err := store.ParseLocation("s3://store/" + prefix)
			if err != nil {
				t.Fatal(err)
			}
			return l, store.New(mezzfs.Options{S3: o})
		}},
	}
}

// each runs test on every backend.
func each(t *testing.T, test func(t *testing.T, root store.Location, st *store.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			root, st := b.root(t)
			test(t, root, st)
		})
	}
}

func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func write(t *testing.T, st *store.Store, l store.Location, data []byte) {
	t.Helper()
	w, err := st.Create(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: err = %v, want ErrNotFound", what, err)
	}
}

func TestCreateCommitRead(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, root store.Location, st *store.Store) {
		for _, tc := range []struct {
			name string
			data []byte
		}{
			{"empty", nil},
			{"small", payload(1000, 1)},
			{"multipart", payload(11<<20+17, 2)}, // three parts on S3
		} {
			l := root.Join("dir", tc.name+".bin")
			write(t, st, l, tc.data)
			info, err := st.Stat(ctx, l)
			if err != nil || info.Size != int64(len(tc.data)) || info.Location != l || info.ETag == "" || info.ModTime.IsZero() {
				t.Fatalf("%s: stat %+v, %v", tc.name, info, err)
			}
			got, err := st.ReadFile(ctx, l)
			if err != nil || !bytes.Equal(got, tc.data) {
				t.Fatalf("%s: read %d bytes, %v; want %d", tc.name, len(got), err, len(tc.data))
			}
			if len(tc.data) < 100 {
				continue
			}
			r, err := st.Open(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			if r.Size() != int64(len(tc.data)) {
				t.Fatalf("%s: reader size %d", tc.name, r.Size())
			}
			part := make([]byte, 50)
			if _, err := r.ReadAt(part, int64(len(tc.data)-60)); err != nil || !bytes.Equal(part, tc.data[len(tc.data)-60:len(tc.data)-10]) {
				t.Fatalf("%s: ReadAt: %v", tc.name, err)
			}
			if _, err := r.Seek(10, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(r, part); err != nil || !bytes.Equal(part, tc.data[10:60]) {
				t.Fatalf("%s: read after seek: %v", tc.name, err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		}

		// Put and WriteFile replace whole.
		l := root.Join("put.bin")
		data := payload(70000, 3)
		if err := st.Put(ctx, l, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatal(err)
		}
		if err := st.WriteFile(ctx, l, []byte("short")); err != nil {
			t.Fatal(err)
		}
		if got, err := st.ReadFile(ctx, l); err != nil || string(got) != "short" {
			t.Fatalf("after WriteFile: %q, %v", got, err)
		}
		if err := st.Put(ctx, l, bytes.NewReader(data), int64(len(data))+1); err == nil {
			t.Fatal("Put of fewer bytes than announced succeeded")
		}
		if got, err := st.ReadFile(ctx, l); err != nil || string(got) != "short" {
			t.Fatalf("after a failed Put: %q, %v", got, err)
		}
	})
}

func TestAbortLeavesNothing(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, root store.Location, st *store.Store) {
		l := root.Join("a", "aborted.bin")
		w, err := st.Create(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(payload(6<<20, 4)); err != nil { // a part uploaded on S3
			t.Fatal(err)
		}
		w.Abort()
		w.Abort()
		if _, err := w.Write([]byte("x")); !errors.Is(err, store.ErrClosed) || !errors.Is(err, fs.ErrClosed) {
			t.Fatalf("write after abort: %v", err)
		}
		if err := w.Commit(); !errors.Is(err, store.ErrClosed) {
			t.Fatalf("commit after abort: %v", err)
		}
		_, err = st.Stat(ctx, l)
		wantNotFound(t, "stat after abort", err)
		if infos, err := st.List(ctx, root); err != nil || len(infos) != 0 {
			t.Fatalf("list after abort: %v, %v", infos, err)
		}
		if root.IsLocal() {
			// Not even a temporary file.
			ents, _ := os.ReadDir(root.Join("a").Path())
			if len(ents) != 0 {
				t.Fatalf("left %v", ents)
			}
		}

		// An aborted replacement keeps the old content.
		write(t, st, l, []byte("old"))
		w, err = st.Create(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("new content"))
		w.Abort()
		if got, err := st.ReadFile(ctx, l); err != nil || string(got) != "old" {
			t.Fatalf("after aborted replacement: %q, %v", got, err)
		}
	})
}

func TestNoPartialReads(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, root store.Location, st *store.Store) {
		fresh, old := root.Join("fresh.bin"), root.Join("old.bin")
		write(t, st, old, []byte("old content"))
		data := payload(6<<20+5, 5)
		for _, l := range []store.Location{fresh, old} {
			w, err := st.Create(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			// Written in pieces, past the first part on S3.
			for off := 0; off < len(data); off += 1 << 20 {
				if _, err := w.Write(data[off:min(off+1<<20, len(data))]); err != nil {
					t.Fatal(err)
				}
				got, err := st.ReadFile(ctx, l)
				if l == fresh {
					wantNotFound(t, "read of an uncommitted write", err)
				} else if err != nil || string(got) != "old content" {
					t.Fatalf("read during the write: %d bytes, %v", len(got), err)
				}
			}
			// Only what was committed is listed: old.bin, old, and
			// fresh.bin once its own write has committed.
			infos, err := st.List(ctx, root)
			if err != nil || len(infos) != map[store.Location]int{fresh: 1, old: 2}[l] || infos[len(infos)-1].Location != old || infos[len(infos)-1].Size != 11 {
				t.Fatalf("list during the write: %v, %v", infos, err)
			}
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := w.Commit(); !errors.Is(err, store.ErrClosed) {
				t.Fatalf("second commit: %v", err)
			}
			w.Abort() // does nothing after Commit
			if got, err := st.ReadFile(ctx, l); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("after commit: %d bytes, %v", len(got), err)
			}
		}
	})
}

func TestStatListRemove(t *testing.T) {
	ctx := context.Background()
	each(t, func(t *testing.T, root store.Location, st *store.Store) {
		keys := []string{"a.json", "d/b.json", "d/e/c.json", "d/e/f.json", "dd.json", "z/y/x.json"}
		for i, k := range keys {
			write(t, st, root.Join(k), bytes.Repeat([]byte{'x'}, i))
		}
		list := func(l store.Location) []string {
			t.Helper()
			infos, err := st.List(ctx, l)
			if err != nil {
				t.Fatal(err)
			}
			var rels []string
			for i, in := range infos {
				rel, ok := root.Rel(in.Location)
				if !ok {
					t.Fatalf("listed %s, not under %s", in.Location, root)
				}
				if in.Size != int64(indexOf(keys, rel)) {
					t.Fatalf("%d: %s: size %d", i, rel, in.Size)
				}
				rels = append(rels, rel)
			}
			return rels
		}
		if got := strings.Join(list(root), " "); got != strings.Join(keys, " ") {
			t.Fatalf("list root: %s", got)
		}
		// d lists what is below the directory d, not dd.json (more
		// entries than a page on S3).
		if got := strings.Join(list(root.Join("d")), " "); got != "d/b.json d/e/c.json d/e/f.json" {
			t.Fatalf("list d: %s", got)
		}
		if got := list(root.Join("nothing")); len(got) != 0 {
			t.Fatalf("list of nothing: %v", got)
		}
		if got := list(root.Join("a.json")); len(got) != 0 {
			t.Fatalf("list of a file: %v", got)
		}

		_, err := st.Stat(ctx, root.Join("nope"))
		wantNotFound(t, "stat", err)
		_, err = st.Open(ctx, root.Join("d", "nope"))
		wantNotFound(t, "open", err)
		_, err = st.ReadFile(ctx, root.Join("nope"))
		wantNotFound(t, "read", err)
		_, err = st.Stat(ctx, root.Join("a.json", "below-a-file"))
		wantNotFound(t, "stat below a file", err)
		if root.IsLocal() {
			_, err = st.Stat(ctx, root.Join("d"))
			wantNotFound(t, "stat of a directory", err)
			_, err = st.Open(ctx, root.Join("d"))
			wantNotFound(t, "open of a directory", err)
			_, err = st.Stat(ctx, root.Join("nope"))
			if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, mezzfs.ErrNotFound) {
				t.Fatalf("local not-found: %v (want fs.ErrNotExist, not mezzfs's)", err)
			}
		} else if !errors.Is(err, mezzfs.ErrNotFound) {
			t.Fatalf("s3 not-found: %v (want mezzfs.ErrNotFound)", err)
		}

		if err := st.Remove(ctx, root.Join("d", "e", "c.json")); err != nil {
			t.Fatal(err)
		}
		_, err = st.Stat(ctx, root.Join("d", "e", "c.json"))
		wantNotFound(t, "stat after remove", err)
		if err := st.Remove(ctx, root.Join("d", "e", "c.json")); err != nil {
			t.Fatalf("removing what is gone: %v", err)
		}
		if got := strings.Join(list(root.Join("d")), " "); got != "d/b.json d/e/f.json" {
			t.Fatalf("list d after remove: %s", got)
		}
	})
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func TestObjectLocationErrors(t *testing.T) {
	ctx := context.Background()
	st := store.New(mezzfs.Options{S3: mezzfs.S3Options{Endpoint: "http://127.0.0.1:1"}})
	bucket, _ := store.ParseLocation("s3://b")
	for name, err := range map[string]error{
		"open":   func() error { _, err := st.Open(ctx, bucket); return err }(),
		"create": func() error { _, err := st.Create(ctx, bucket); return err }(),
		"stat":   func() error { _, err := st.Stat(ctx, bucket); return err }(),
		"remove": st.Remove(ctx, bucket),
		"zero":   func() error { _, err := st.Stat(ctx, store.Location{}); return err }(),
		"list":   func() error { _, err := st.List(ctx, store.Location{}); return err }(),
	} {
		if !errors.Is(err, store.ErrInvalidLocation) {
			t.Errorf("%s: %v, want ErrInvalidLocation", name, err)
		}
	}
}

// TestS3Errors: a missing bucket is not found, refused credentials access
// denied, through the Store as through mezzfs.
func TestS3Errors(t *testing.T) {
	s := s3test.Require(t, srv, srvErr)
	ctx := context.Background()
	st := store.New(mezzfs.Options{S3: s.Options()})
	l, _ := store.ParseLocation("s3://no-such-bucket/k")
	_, err := st.Stat(ctx, l)
	wantNotFound(t, "missing bucket", err)
	if err := st.WriteFile(ctx, l, []byte("x")); err == nil {
		t.Fatal("write to a missing bucket succeeded")
	}
	w, err := st.Create(ctx, l)
	if err == nil {
		w.Write([]byte("x"))
		err = w.Commit()
	}
	if err == nil {
		t.Fatal("streamed write to a missing bucket succeeded")
	}

	o := s.Options()
	o.SecretKey = "wrong"
	bad := store.New(mezzfs.Options{S3: o})
	if _, err := bad.Stat(ctx, l); !errors.Is(err, mezzfs.ErrAccessDenied) {
		t.Fatalf("wrong secret: %v, want access denied", err)
	}
}

// countingTransport counts the ListObjectsV2 requests it carries.
type countingTransport struct {
	rt    http.RoundTripper
	lists atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Query().Get("list-type") == "2" {
		c.lists.Add(1)
	}
	return c.rt.RoundTrip(r)
}

// TestS3ListPages: a listing longer than a page is read page by page, to
// the end.
func TestS3ListPages(t *testing.T) {
	s := s3test.Require(t, srv, srvErr)
	ctx := context.Background()
	if _, err := s.NewBucket(ctx, "pages"); err != nil {
		t.Fatal(err)
	}
	ct := &countingTransport{rt: http.DefaultTransport}
	o := s.Options()
	o.ListPageSize = 3
	o.Transport = ct
	st := store.New(mezzfs.Options{S3: o})
	root, _ := store.ParseLocation("s3://pages/p")
	for i := range 10 {
		if err := st.WriteFile(ctx, root.Join(fmt.Sprintf("%02d", i)), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	infos, err := st.List(ctx, root)
	if err != nil || len(infos) != 10 || infos[9].Location != root.Join("09") {
		t.Fatalf("list: %d entries, %v", len(infos), err)
	}
	if n := ct.lists.Load(); n != 4 {
		t.Fatalf("%d list requests for 10 keys 3 a page, want 4", n)
	}
}
