package mezzfs_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
)

var (
	srv    *s3test.Server
	srvErr error
)

func TestMain(m *testing.M) { s3test.RunMain(m, "mezzfs", &srv, &srvErr) }

var bucketSeq atomic.Int64

// newBucket creates a fresh bucket on the shared versitygw.
func newBucket(t testing.TB) *mezzfs.S3Store {
	t.Helper()
	s := s3test.Require(t, srv, srvErr)
	name := fmt.Sprintf("b%d-%s", bucketSeq.Add(1), strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())))
	if len(name) > 60 {
		name = strings.TrimRight(name[:60], "-")
	}
	st, err := s.NewBucket(context.Background(), name)
	if err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
	return st
}

// payload returns n deterministic pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func put(t testing.TB, st mezzfs.Store, key string, data []byte) {
	t.Helper()
	if err := st.Put(context.Background(), key, bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}
