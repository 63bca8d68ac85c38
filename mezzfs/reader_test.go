package mezzfs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/faultproxy"
	"github.com/reel-video/reel/mezzfs"
)

// readPatterns read a whole object back through r in different ways.
var readPatterns = []struct {
	name string
	read func(t *testing.T, r *mezzfs.Reader, size int) []byte
}{
	{"copy", func(t *testing.T, r *mezzfs.Reader, size int) []byte {
		var b bytes.Buffer
		if _, err := io.Copy(&b, r); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}},
	{"small reads", func(t *testing.T, r *mezzfs.Reader, size int) []byte {
		out := make([]byte, 0, size)
		buf := make([]byte, 32<<10+7)
		for {
			n, err := r.Read(buf)
			out = append(out, buf[:n]...)
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"random ReadAt", func(t *testing.T, r *mezzfs.Reader, size int) []byte {
		out := make([]byte, size)
		rng := rand.New(rand.NewPCG(7, 7))
		// Shuffled 300 KiB pieces, then a full pass with ReadAt to check edges.
		const piece = 300 << 10
		idx := rng.Perm((size + piece - 1) / piece)
		for _, i := range idx {
			off := i * piece
			end := min(off+piece, size)
			if n, err := r.ReadAt(out[off:end], int64(off)); n != end-off || (err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v", off, end-off, n, err)
			}
		}
		return out
	}},
	{"concurrent ReadAt", func(t *testing.T, r *mezzfs.Reader, size int) []byte {
		out := make([]byte, size)
		var wg sync.WaitGroup
		const parts = 7
		for p := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				off, end := size*p/parts, size*(p+1)/parts
				for o := off; o < end; o += 100_000 {
					e := min(o+100_000, end)
					if n, err := r.ReadAt(out[o:e], int64(o)); n != e-o || (err != nil && err != io.EOF) {
						t.Errorf("ReadAt(%d) = %d, %v", o, n, err)
					}
				}
			}()
		}
		wg.Wait()
		return out
	}},
}

func TestReaderMatches(t *testing.T) {
	ctx := context.Background()
	data := payload(9<<20+12345, 11)
	optsCases := []struct {
		name string
		opts mezzfs.ReaderOptions
	}{
		{"defaults", mezzfs.ReaderOptions{}},
		{"tiny blocks, small cache", mezzfs.ReaderOptions{BlockSize: 64 << 10, CacheBytes: 512 << 10, MaxFetch: 256 << 10, Concurrency: 2}},
		{"no read-ahead", mezzfs.ReaderOptions{MaxReadAhead: -1, BlockSize: 3 << 20}},
		{"stream", mezzfs.ReaderOptions{Stream: true}},
		{"stream, tiny blocks, small cache", mezzfs.ReaderOptions{Stream: true, BlockSize: 64 << 10, CacheBytes: 512 << 10, Concurrency: 2}},
	}
	for _, sc := range stores() {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.store(t)
			put(t, st, "mezz/clip.mov", data)
			for _, oc := range optsCases {
				for _, rp := range readPatterns {
					t.Run(oc.name+"/"+rp.name, func(t *testing.T) {
						r, err := mezzfs.NewReader(ctx, st, "mezz/clip.mov", oc.opts)
						if err != nil {
							t.Fatal(err)
						}
						defer r.Close()
						if r.Size() != int64(len(data)) {
							t.Fatalf("size %d", r.Size())
						}
						got := rp.read(t, r, len(data))
						if !bytes.Equal(got, data) {
							t.Fatalf("bytes differ (%d vs %d)", len(got), len(data))
						}
						s := r.Stats()
						if s.BytesServed < int64(len(data)) || s.Requests == 0 || s.BytesFetched < int64(len(data)) {
							t.Fatalf("stats %+v", s)
						}
					})
				}
			}
		})
	}
}

func TestReaderEdges(t *testing.T) {
	ctx := context.Background()
	st := mezzfs.NewLocalStore(t.TempDir())
	put(t, st, "empty", nil)
	put(t, st, "five", []byte("01234"))

	r, err := mezzfs.NewReader(ctx, st, "empty", mezzfs.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(make([]byte, 10)); n != 0 || err != io.EOF {
		t.Fatalf("empty Read = %d, %v", n, err)
	}
	r.Close()

	r, err = mezzfs.NewReader(ctx, st, "five", mezzfs.ReaderOptions{BlockSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, err := r.ReadAt(buf, 3); n != 2 || err != io.EOF || string(buf[:2]) != "34" {
		t.Fatalf("ReadAt past end = %d %v %q", n, err, buf[:n])
	}
	if n, err := r.ReadAt(buf, 5); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt at end = %d %v", n, err)
	}
	if _, err := r.ReadAt(buf, -1); err == nil {
		t.Fatal("negative offset accepted")
	}
	if p, err := r.Seek(-2, io.SeekEnd); p != 3 || err != nil {
		t.Fatalf("Seek = %d %v", p, err)
	}
	if b, _ := io.ReadAll(r); string(b) != "34" {
		t.Fatalf("after seek: %q", b)
	}
	if _, err := r.Seek(-10, io.SeekCurrent); err == nil {
		t.Fatal("seek before start accepted")
	}
	r.Close()
	if _, err := r.ReadAt(buf, 0); !errors.Is(err, mezzfs.ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

// A replaced object fails reads with ErrChanged, never mixing versions.
func TestReaderChanged(t *testing.T) {
	ctx := context.Background()
	for _, sc := range stores() {
		t.Run(sc.name, func(t *testing.T) {
			st := sc.store(t)
			v1 := payload(4<<20, 20)
			put(t, st, "k", v1)
			r, err := mezzfs.NewReader(ctx, st, "k", mezzfs.ReaderOptions{BlockSize: 1 << 20, MaxReadAhead: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			buf := make([]byte, 1<<20)
			if _, err := r.ReadAt(buf, 0); err != nil || !bytes.Equal(buf, v1[:1<<20]) {
				t.Fatalf("first read: %v", err)
			}
			time.Sleep(10 * time.Millisecond) // a new mtime for the local store
			put(t, st, "k", payload(4<<20, 21))
			if _, err := r.ReadAt(buf, 0); err != nil || !bytes.Equal(buf, v1[:1<<20]) {
				t.Fatalf("cached block: %v", err)
			}
			_, err = r.ReadAt(buf, 2<<20)
			if !errors.Is(err, mezzfs.ErrChanged) || !mezzfs.IsBadInput(err) {
				t.Fatalf("read of changed object: %v, want ErrChanged", err)
			}
		})
	}
}

func TestReaderMissing(t *testing.T) {
	st := mezzfs.NewLocalStore(t.TempDir())
	_, err := mezzfs.NewReader(context.Background(), st, "nope.mp4", mezzfs.ReaderOptions{})
	if !errors.Is(err, mezzfs.ErrNotFound) || !strings.Contains(err.Error(), "nope.mp4") {
		t.Fatalf("got %v", err)
	}
}

// faultyBucket puts data in a fresh bucket and returns a store that reaches
// it through a fault-injecting proxy.
func faultyBucket(t *testing.T, data []byte) (mezzfs.Store, *faultproxy.Proxy) {
	t.Helper()
	direct := newBucket(t)
	put(t, direct, "obj", data)
	p, err := faultproxy.New(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	o := srv.Options()
	o.Endpoint = p.URL
	st, err := mezzfs.NewS3Store(context.Background(), direct.Bucket(), o)
	if err != nil {
		t.Fatal(err)
	}
	return st, p
}

func fastRetries(o mezzfs.ReaderOptions) mezzfs.ReaderOptions {
	o.RetryBackoff = 5 * time.Millisecond
	o.MaxRetryBackoff = 20 * time.Millisecond
	if o.StallTimeout == 0 {
		o.StallTimeout = 2 * time.Second
	}
	return o
}

func TestReaderFaults(t *testing.T) {
	ctx := context.Background()
	data := payload(6<<20+999, 30)
	st, proxy := faultyBucket(t, data)
	opts := fastRetries(mezzfs.ReaderOptions{BlockSize: 512 << 10, MaxFetch: 2 << 20})

	tests := []struct {
		name   string
		queue  []faultproxy.Fault
		plan   func(r *http.Request, n int) faultproxy.Fault
		opts   mezzfs.ReaderOptions
		retrys bool
	}{
		{name: "503 twice", queue: []faultproxy.Fault{{Status: 503}, {Status: 503}}, retrys: true},
		{name: "500 then reset mid-body", queue: []faultproxy.Fault{{Status: 500}, {Reset: true, ResetAfter: 700 << 10}, {Reset: true, ResetAfter: 1}}, retrys: true},
		{name: "reset before the first byte", queue: []faultproxy.Fault{{Reset: true, ResetAfter: 0}}, retrys: true},
		{name: "slow headers", queue: []faultproxy.Fault{{Delay: 300 * time.Millisecond}}},
		{name: "slow body", queue: []faultproxy.Fault{{ChunkDelay: 2 * time.Millisecond}}},
		{name: "stalled body times out", queue: []faultproxy.Fault{{StallAfter: 100 << 10, StallFor: 5 * time.Second}},
			opts: fastRetries(mezzfs.ReaderOptions{BlockSize: 512 << 10, StallTimeout: 300 * time.Millisecond}), retrys: true},
		{name: "stalled headers time out", queue: []faultproxy.Fault{{Delay: 5 * time.Second}},
			opts: fastRetries(mezzfs.ReaderOptions{BlockSize: 512 << 10, StallTimeout: 300 * time.Millisecond}), retrys: true},
		{name: "30% of requests fail", plan: func(r *http.Request, n int) faultproxy.Fault {
			switch n % 10 {
			case 2:
				return faultproxy.Fault{Status: 503}
			case 5:
				return faultproxy.Fault{Reset: true, ResetAfter: int64(n * 37 << 10)}
			case 8:
				return faultproxy.Fault{Status: 502}
			}
			return faultproxy.Fault{}
		}, retrys: true},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			for _, rp := range readPatterns {
				name := tt.name + "/" + rp.name
				if stream {
					name = tt.name + "/stream/" + rp.name
				}
				t.Run(name, func(t *testing.T) {
					proxy.Reset()
					proxy.Enqueue(tt.queue...)
					proxy.SetPlan(tt.plan)
					o := opts
					if tt.opts.BlockSize != 0 {
						o = tt.opts
					}
					o.Stream = stream
					r, err := mezzfs.NewReader(ctx, st, "obj", o)
					if err != nil {
						t.Fatal(err)
					}
					defer r.Close()
					got := rp.read(t, r, len(data))
					if !bytes.Equal(got, data) {
						t.Fatalf("bytes differ; proxy log:\n%s", strings.Join(proxy.Log(), "\n"))
					}
					// (A stream is one request: the plan's faults hit later ones.)
					if s := r.Stats(); tt.retrys && s.Retries == 0 && !(stream && tt.plan != nil) {
						t.Errorf("no retry counted: %+v", s)
					}
				})
			}
		}
	}
}

func TestReaderRetriesExhausted(t *testing.T) {
	ctx := context.Background()
	data := payload(3<<20, 31)
	st, proxy := faultyBucket(t, data)
	r, err := mezzfs.NewReader(ctx, st, "obj", fastRetries(mezzfs.ReaderOptions{MaxAttempts: 3}))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, f := range []faultproxy.Fault{{Status: 503}, {Reset: true, ResetAfter: 1000}} {
		proxy.Reset()
		proxy.SetPlan(func(*http.Request, int) faultproxy.Fault { return f })
		buf := make([]byte, 1000)
		_, err = r.ReadAt(buf, 2<<20)
		if !errors.Is(err, mezzfs.ErrRetriesExhausted) || mezzfs.IsBadInput(err) {
			t.Fatalf("fault %+v: err = %v, want ErrRetriesExhausted", f, err)
		}
		if !strings.Contains(err.Error(), "3 attempts") || !strings.Contains(err.Error(), "obj") {
			t.Errorf("unclear error: %v", err)
		}
		if g := proxy.Gets(); g != 3 {
			t.Errorf("%d GETs, want 3", g)
		}
		t.Logf("error: %v", err)
	}
	// Once the store recovers, the same Reader reads again.
	proxy.Reset()
	buf := make([]byte, 1000)
	if _, err := r.ReadAt(buf, 2<<20); err != nil || !bytes.Equal(buf, data[2<<20:2<<20+1000]) {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestReaderDiskCache(t *testing.T) {
	ctx := context.Background()
	st := newBucket(t)
	data := payload(5<<20+3, 40)
	put(t, st, "k", data)
	opts := mezzfs.ReaderOptions{CacheDir: t.TempDir(), BlockSize: 1 << 20}
	for i, wantRequests := range []bool{true, false} {
		r, err := mezzfs.NewReader(ctx, st, "k", opts)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("pass %d: %v", i, err)
		}
		s := r.Stats()
		r.Close()
		if (s.Requests > 0) != wantRequests || (!wantRequests && s.DiskCacheHits != 6) {
			t.Fatalf("pass %d: stats %+v", i, s)
		}
	}
}

func TestReaderReadAhead(t *testing.T) {
	ctx := context.Background()
	st := newBucket(t)
	data := payload(32<<20, 50)
	put(t, st, "k", data)
	r, err := mezzfs.NewReader(ctx, st, "k", mezzfs.ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	s := r.Stats()
	// Read-ahead turns 32 one-MiB blocks into few large GETs and most
	// reads into hits; nothing is fetched twice.
	if s.Requests > 16 || s.CacheHits < 20 || s.ReadAmplification != 1 {
		t.Fatalf("sequential read: %+v", s)
	}
	// A seek resets read-ahead: a random 4 KiB read fetches one block.
	before := r.Stats().BytesFetched
	r2, _ := mezzfs.NewReader(ctx, st, "k", mezzfs.ReaderOptions{})
	defer r2.Close()
	r2.ReadAt(make([]byte, 4096), 20<<20)
	r2.ReadAt(make([]byte, 4096), 3<<20)
	if s2 := r2.Stats(); s2.BytesFetched > 4<<20 {
		t.Fatalf("random reads fetched %d bytes (%+v), before %d", s2.BytesFetched, s2, before)
	}
	js, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(js), `"read_amplification":1`) {
		t.Fatalf("stats JSON %s %v", js, err)
	}
}

func TestReplay(t *testing.T) {
	ctx := context.Background()
	st := mezzfs.NewLocalStore(t.TempDir())
	data := payload(8<<20, 60)
	put(t, st, "m.mov", data)
	var trace bytes.Buffer
	tw := mezzfs.NewTraceWriter(&trace)
	r, err := mezzfs.NewReader(ctx, st, "m.mov", mezzfs.ReaderOptions{Trace: tw})
	if err != nil {
		t.Fatal(err)
	}
	r.ReadAt(make([]byte, 100), 8<<20-100) // the index at the end
	r.ReadAt(make([]byte, 64<<10), 0)
	r.ReadAt(make([]byte, 64<<10), 64<<10)
	r.ReadAt(make([]byte, 10), 5<<20)
	r.Close()
	if tw.Err() != nil {
		t.Fatal(tw.Err())
	}
	recs, err := mezzfs.ReadTrace(bytes.NewReader(trace.Bytes()))
	if err != nil || len(recs) != 4 || recs[0].Off != 8<<20-100 || recs[0].Len != 100 || recs[0].Key != "m.mov" || recs[0].Time.IsZero() {
		t.Fatalf("trace %+v %v\n%s", recs, err, trace.String())
	}
	s, err := mezzfs.Replay(ctx, st, "m.mov", bytes.NewReader(trace.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if s.Reads != 4 || s.BytesServed != 100+128<<10+10 || s.Requests == 0 {
		t.Fatalf("replay stats %+v", s)
	}
	if _, err := mezzfs.Replay(ctx, st, "m.mov", strings.NewReader("{not json\n")); err == nil {
		t.Fatal("bad trace accepted")
	}
}

func TestReaderStream(t *testing.T) {
	ctx := context.Background()
	st := newBucket(t)
	data := payload(24<<20+777, 51)
	put(t, st, "k", data)
	open := func(o mezzfs.ReaderOptions) *mezzfs.Reader {
		o.Stream = true
		r, err := mezzfs.NewReader(ctx, st, "k", o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}

	// A whole sequential read is one GET, fetching nothing twice.
	r := open(mezzfs.ReaderOptions{})
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("sequential read: %d bytes, %v", len(got), err)
	}
	if s := r.Stats(); s.Requests != 1 || s.ReadAmplification != 1 {
		t.Fatalf("sequential read: %+v", s)
	}

	// The stream only runs as far ahead as the read-ahead window: reading
	// the first 2 MiB with a 2 MiB window fetches 4 MiB, not the object.
	r = open(mezzfs.ReaderOptions{MaxReadAhead: 2 << 20})
	buf := make([]byte, 256<<10)
	for off := int64(0); off < 2<<20; off += int64(len(buf)) {
		if _, err := r.ReadAt(buf, off); err != nil || !bytes.Equal(buf, data[off:off+int64(len(buf))]) {
			t.Fatalf("ReadAt(%d): %v", off, err)
		}
	}
	time.Sleep(50 * time.Millisecond) // let the stream fill what it may
	if s := r.Stats(); s.BytesFetched > 4<<20 {
		t.Fatalf("2 MiB read fetched %d bytes: %+v", s.BytesFetched, s)
	}

	// Reads out of order by less than the window (parallel kernel
	// requests) keep the stream; a seek past the window drops it and
	// later sequential reads open a new one. Bytes are right throughout.
	r = open(mezzfs.ReaderOptions{MaxReadAhead: 4 << 20})
	offs := []int64{0, 1 << 19, 3 << 19, 2 << 19, 5 << 19, 4 << 19, 6 << 19, 20 << 20, 20<<20 + 1<<19}
	for off := int64(21 << 20); off < int64(len(data)); off += 1 << 19 {
		offs = append(offs, off)
	}
	buf = make([]byte, 1<<19)
	for _, off := range offs {
		n, err := r.ReadAt(buf, off)
		if (err != nil && err != io.EOF) || !bytes.Equal(buf[:n], data[off:off+int64(n)]) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
	if s := r.Stats(); s.Requests < 2 || s.Requests > 6 {
		t.Fatalf("reordered reads and one seek: %d requests (%+v)", s.Requests, s)
	}

	// Close stops a stream waiting for the window.
	r = open(mezzfs.ReaderOptions{})
	if _, err := r.ReadAt(buf, 0); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.ReadAt(buf, 1<<20); !errors.Is(err, mezzfs.ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
}
