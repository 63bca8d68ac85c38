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
	"github.com/reel-video/reel/mezzfs/mezzfstest"
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

// encoderReadSize is what libav asks mezzfs for at once when the encoder
// decodes an s3:// input: its AVIOContext buffer (ioBufferSize in
// encoder/internal/av/customio.go), read with ReadAt.
const encoderReadSize = 128 << 10

// benchLink is the server the benchmarks read from: versitygw itself, or
// a mezzfstest.Shaper in front of it when $MEZZFS_BENCH_LATENCY_MS or
// $MEZZFS_BENCH_MBPS is set (bench/mezzfs.sh), with a store on the
// benchmark bucket through it. The object is written directly.
type benchLink struct {
	server *s3test.Server
	store  *mezzfs.S3Store
}

var benchOnce = sync.OnceValues(func() (benchLink, error) {
	ctx := context.Background()
	st, err := srv.BenchObject(ctx, "bench", benchSize())
	if err != nil {
		return benchLink{}, err
	}
	shaping, ok := mezzfstest.ShapingFromEnv()
	if !ok {
		return benchLink{srv, st}, nil
	}
	sh, err := mezzfstest.NewShaper(srv.Endpoint, shaping)
	if err != nil {
		return benchLink{}, err
	}
	// Lives as long as the benchmark process.
	shaped := &s3test.Server{Endpoint: sh.URL, Dir: srv.Dir}
	st, err = mezzfs.NewS3Store(ctx, "bench", shaped.Options())
	return benchLink{shaped, st}, err
})

func benchStore(b *testing.B) (*s3test.Server, *mezzfs.S3Store) {
	s3test.Require(b, srv, srvErr)
	l, err := benchOnce()
	if err != nil {
		b.Fatal(err)
	}
	return l.server, l.store
}

// readAtAll reads r from start to end with ReadAt in pieces of len(buf),
// as the encoder's IO glue does.
func readAtAll(r io.ReaderAt, size int64, buf []byte) (int64, error) {
	var off int64
	for off < size {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		off += int64(n)
		if err != nil && !(err == io.EOF && off == size) {
			return off, err
		}
	}
	return off, nil
}

// BenchmarkSequentialPlainGET is the baseline: one GET streaming the
// whole object.
func BenchmarkSequentialPlainGET(b *testing.B) {
	link, st := benchStore(b)
	size := benchSize()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		n, err := link.GetAll(context.Background(), st.Bucket(), "bench.bin", io.Discard)
		if err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
	}
}

// BenchmarkSequentialReader reads the whole object through a Reader with
// the encoder's reads (128 KiB ReadAt calls), default options.
func BenchmarkSequentialReader(b *testing.B) {
	_, st := benchStore(b)
	size := benchSize()
	b.SetBytes(size)
	b.ResetTimer()
	var last mezzfs.Stats
	for b.Loop() {
		r, err := mezzfs.NewReader(context.Background(), st, "bench.bin", benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		n, err := readAtAll(r, size, make([]byte, encoderReadSize))
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
// per-iteration throughput ratios reader/plain (goals: ≥ 0.9 on loopback,
// ≥ 4 with 20 ms latency and 50 MB/s per connection). The Reader reads as
// the encoder does (128 KiB ReadAt calls).
func BenchmarkSequentialRatio(b *testing.B) {
	link, st := benchStore(b)
	size := benchSize()
	ctx := context.Background()
	var last mezzfs.Stats
	plainPass := func() time.Duration {
		t0 := time.Now()
		if n, err := link.GetAll(ctx, st.Bucket(), "bench.bin", io.Discard); err != nil || n != size {
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
		if n, err := readAtAll(r, size, make([]byte, encoderReadSize)); err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		d := time.Since(t0)
		last = r.Stats()
		r.Close()
		return d
	}
	reportRatio(b, size, plainPass, readerPass, "reader")
	b.ReportMetric(float64(last.Requests), "GETs/pass")
	b.ReportMetric(last.ReadAmplification, "amplification")
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
