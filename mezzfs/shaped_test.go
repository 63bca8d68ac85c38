package mezzfs_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/mezzfstest"
)

// TestStreamGivesUpOnSlowLink reads an object sequentially with Stream
// through a link capped at 50 MB/s per connection: a stream slower than
// StreamMinRate is dropped for parallel ranged GETs; one faster than it
// (or with the check off) stays the only GET.
func TestStreamGivesUpOnSlowLink(t *testing.T) {
	st := newBucket(t)
	data := payload(40<<20, 21)
	put(t, st, "obj", data)
	sh, err := mezzfstest.NewShaper(srv.Endpoint, mezzfstest.ShaperOptions{Latency: 5 * time.Millisecond, BytesPerSecond: 50e6})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	shaped := &s3test.Server{Endpoint: sh.URL}
	slow, err := mezzfs.NewS3Store(context.Background(), st.Bucket(), shaped.Options())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		minRate  float64
		parallel bool // more than one GET, several in flight
	}{
		{"default 200 MB/s: given up", 0, true},
		{"1 MB/s: kept", 1e6, false},
		{"check off: kept", -1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := mezzfs.NewReader(context.Background(), slow, "obj", mezzfs.ReaderOptions{Stream: true, StreamMinRate: tc.minRate})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got bytes.Buffer
			buf := make([]byte, 128<<10)
			for {
				n, err := r.Read(buf)
				got.Write(buf[:n])
				if err != nil {
					break
				}
			}
			if !bytes.Equal(got.Bytes(), data) {
				t.Fatalf("read %d bytes, differing from the object's %d", got.Len(), len(data))
			}
			s := r.Stats()
			if tc.parallel && s.Requests < 3 {
				t.Errorf("%d GETs: the stream was not given up for ranged GETs", s.Requests)
			}
			if !tc.parallel && s.Requests != 1 {
				t.Errorf("%d GETs, want the one stream", s.Requests)
			}
			if s.ReadAmplification > 1.15 {
				t.Errorf("read amplification %.2f", s.ReadAmplification)
			}
		})
	}
}
