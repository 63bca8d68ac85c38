package mezzfstest

import (
	"context"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
)

// BenchStore writes the benchmarks' object of size bytes into bucket on
// srv (s3test.Server.BenchObject) and returns the server and a store to
// read it through: srv itself, or, when ShapingFromEnv says so
// (bench/mezzfs.sh), a Shaper in front of srv, which then lives as long
// as the process.
func BenchStore(ctx context.Context, srv *s3test.Server, bucket string, size int64) (*s3test.Server, *mezzfs.S3Store, error) {
	st, err := srv.BenchObject(ctx, bucket, size)
	if err != nil {
		return nil, nil, err
	}
	shaping, ok := ShapingFromEnv()
	if !ok {
		return srv, st, nil
	}
	sh, err := NewShaper(srv.Endpoint, shaping)
	if err != nil {
		return nil, nil, err
	}
	shaped := &s3test.Server{Endpoint: sh.URL, Dir: srv.Dir}
	st, err = mezzfs.NewS3Store(ctx, bucket, shaped.Options())
	return shaped, st, err
}
