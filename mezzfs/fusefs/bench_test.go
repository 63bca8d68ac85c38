package fusefs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/fusefs"
	"github.com/reel-video/reel/mezzfs/mezzfstest"
)

// benchSize is the benchmark object's size: $MEZZFS_BENCH_MB MiB, default 128.
func benchSize() int64 {
	if mb, err := strconv.Atoi(os.Getenv("MEZZFS_BENCH_MB")); err == nil && mb > 0 {
		return int64(mb) << 20
	}
	return 128 << 20
}

// benchLink is the server the benchmark reads from: versitygw itself, or
// a mezzfstest.Shaper in front of it when $MEZZFS_BENCH_LATENCY_MS or
// $MEZZFS_BENCH_MBPS is set (bench/mezzfs.sh), with a store on the
// benchmark bucket through it. The object is written directly.
type benchLink struct {
	server *s3test.Server
	store  *mezzfs.S3Store
}

var benchOnce = sync.OnceValues(func() (benchLink, error) {
	server, st, err := mezzfstest.BenchStore(context.Background(), srv, "bench", benchSize())
	return benchLink{server, st}, err
})

// BenchmarkFUSESequentialRatio reads the benchmark object through a fresh
// mount (so the page cache is cold) with 1 MiB reads, alternating with a
// plain GET stream of the same object, and reports the median ratio
// fuse/plain of per-iteration throughputs. The mount is mounted as
// `reel mount` mounts it (Stream, DirectIO on Linux 6.6+).
// $MEZZFS_BENCH_FUSE_REQ_KB sets MaxRequest, MEZZFS_BENCH_FUSE_DIRECT=1|0
// turns DirectIO on or off, MEZZFS_BENCH_FUSE_NOSTREAM=1 sets NoStream.
func BenchmarkFUSESequentialRatio(b *testing.B) {
	s3test.Require(b, srv, srvErr)
	f, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		b.Skipf("skipping: /dev/fuse unavailable: %v", err)
	}
	f.Close()
	link, err := benchOnce()
	if err != nil {
		b.Fatal(err)
	}
	st := link.store
	ctx := context.Background()
	size := benchSize()
	dir := b.TempDir()
	var last mezzfs.Stats
	plainPass := func() time.Duration {
		t0 := time.Now()
		if n, err := link.server.GetAll(ctx, st.Bucket(), "bench.bin", io.Discard); err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		return time.Since(t0)
	}
	fusePass := func() time.Duration {
		m, err := fusefs.Mount(ctx, st, "", dir, fusefs.Options{MaxRequest: benchMaxRequest(), DirectIO: benchDirectIO(), NoStream: os.Getenv("MEZZFS_BENCH_FUSE_NOSTREAM") == "1"})
		if err != nil {
			b.Fatal(err)
		}
		defer m.Unmount()
		t0 := time.Now()
		f, err := os.Open(filepath.Join(dir, "bench.bin"))
		if err != nil {
			b.Fatal(err)
		}
		n, err := s3test.ReadAll(f, make([]byte, 1<<20))
		f.Close()
		d := time.Since(t0)
		if err != nil || n != size {
			b.Fatalf("%d bytes, %v", n, err)
		}
		last = m.Stats()
		return d
	}
	b.SetBytes(2 * size)
	var plain, fuse time.Duration
	var ratios []float64
	i := 0
	for b.Loop() {
		var p, o time.Duration
		if i%2 == 0 {
			p, o = plainPass(), fusePass()
		} else {
			o, p = fusePass(), plainPass()
		}
		i++
		plain += p
		fuse += o
		ratios = append(ratios, p.Seconds()/o.Seconds())
	}
	sort.Float64s(ratios)
	b.ReportMetric(float64(size)*float64(len(ratios))/plain.Seconds()/1e6, "plain-MB/s")
	b.ReportMetric(float64(size)*float64(len(ratios))/fuse.Seconds()/1e6, "fuse-MB/s")
	b.ReportMetric(ratios[len(ratios)/2], "fuse/plain")
	b.ReportMetric(float64(last.Requests), "GETs/pass")
	b.ReportMetric(float64(last.BytesServed)/float64(max(last.Reads, 1))/1024, "KiB/FUSE-read")
	b.ReportMetric(last.ReadAmplification, "amplification")
}

// benchDirectIO is $MEZZFS_BENCH_FUSE_DIRECT (1 or 0), default what
// `reel mount` does: DirectIO where the kernel keeps mmap working
// on it (Linux 6.6+).
func benchDirectIO() bool {
	switch os.Getenv("MEZZFS_BENCH_FUSE_DIRECT") {
	case "1":
		return true
	case "0":
		return false
	}
	return fusefs.DirectIOKeepsMmap()
}

// benchMaxRequest is $MEZZFS_BENCH_FUSE_REQ_KB KiB, default 0 (the mount's default).
func benchMaxRequest() int {
	kb, _ := strconv.Atoi(os.Getenv("MEZZFS_BENCH_FUSE_REQ_KB"))
	return kb << 10
}
