package mezzfs_test

import (
	"context"
	"io"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
)

// benchSize is the benchmark object's size: $MEZZFS_BENCH_MB MiB, default 128.
func benchSize() int64 {
	if mb, err := strconv.Atoi(os.Getenv("MEZZFS_BENCH_MB")); err == nil && mb > 0 {
		return int64(mb) << 20
	}
	return 128 << 20
}

// benchOptions are the Reader options under benchmark: defaults, or
// $MEZZFS_BENCH_CONCURRENCY, $MEZZFS_BENCH_FETCH_MB, $MEZZFS_BENCH_READAHEAD_MB
// and $MEZZFS_BENCH_BLOCK_KB for tuning.
func benchOptions() mezzfs.ReaderOptions {
	env := func(k string) int64 {
		v, _ := strconv.Atoi(os.Getenv(k))
		return int64(v)
	}
	return mezzfs.ReaderOptions{
		Concurrency:  int(env("MEZZFS_BENCH_CONCURRENCY")),
		MaxFetch:     env("MEZZFS_BENCH_FETCH_MB") << 20,
		MaxReadAhead: env("MEZZFS_BENCH_READAHEAD_MB") << 20,
		BlockSize:    env("MEZZFS_BENCH_BLOCK_KB") << 10,
	}
}

var benchOnce = sync.OnceValues(func() (*mezzfs.S3Store, error) {
	return srv.BenchObject(context.Background(), "bench", benchSize())
})

func benchStore(b *testing.B) *mezzfs.S3Store {
	s3test.Require(b, srv, srvErr)
	st, err := benchOnce()
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkSequentialPlainGET is the baseline: one GET streaming the
// whole object.
func BenchmarkSequentialPlainGET(b *testing.B) {
	st := benchStore(b)
	size := benchSize()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		n, err := srv.GetAll(context.Background(), st.Bucket(), "bench.bin", io.Discard)
		if err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
	}
}

// BenchmarkSequentialReader reads the whole object through a Reader in
// 32 KiB reads (what a demuxer asks for), default options.
func BenchmarkSequentialReader(b *testing.B) {
	st := benchStore(b)
	size := benchSize()
	b.SetBytes(size)
	b.ResetTimer()
	var last mezzfs.Stats
	for b.Loop() {
		r, err := mezzfs.NewReader(context.Background(), st, "bench.bin", benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		n, err := s3test.ReadAll(r, make([]byte, 32<<10))
		if err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		last = r.Stats()
		r.Close()
	}
	b.ReportMetric(float64(last.Requests), "GETs/op")
	b.ReportMetric(last.ReadAmplification, "amplification")
}

// BenchmarkSequentialRatio alternates a plain GET and a Reader pass over
// the same object in every iteration (swapping their order each time), so
// load from other processes hits both alike, and reports the median of the
// per-iteration throughput ratios reader/plain (goal ≥ 0.9).
func BenchmarkSequentialRatio(b *testing.B) {
	st := benchStore(b)
	size := benchSize()
	ctx := context.Background()
	plainPass := func() time.Duration {
		t0 := time.Now()
		if n, err := srv.GetAll(ctx, st.Bucket(), "bench.bin", io.Discard); err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		return time.Since(t0)
	}
	readerPass := func() time.Duration {
		t0 := time.Now()
		r, err := mezzfs.NewReader(ctx, st, "bench.bin", benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		if n, err := s3test.ReadAll(r, make([]byte, 32<<10)); err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		r.Close()
		return time.Since(t0)
	}
	reportRatio(b, size, plainPass, readerPass, "reader")
}

// reportRatio runs both passes every iteration, alternating their order,
// and reports MB/s of each and the median per-iteration ratio.
func reportRatio(b *testing.B, size int64, plainPass, otherPass func() time.Duration, name string) {
	b.SetBytes(2 * size)
	var plain, other time.Duration
	var ratios []float64
	i := 0
	for b.Loop() {
		var p, o time.Duration
		if i%2 == 0 {
			p, o = plainPass(), otherPass()
		} else {
			o, p = otherPass(), plainPass()
		}
		i++
		plain += p
		other += o
		ratios = append(ratios, p.Seconds()/o.Seconds())
	}
	sort.Float64s(ratios)
	b.ReportMetric(float64(size)*float64(len(ratios))/plain.Seconds()/1e6, "plain-MB/s")
	b.ReportMetric(float64(size)*float64(len(ratios))/other.Seconds()/1e6, name+"-MB/s")
	b.ReportMetric(ratios[len(ratios)/2], name+"/plain")
}
