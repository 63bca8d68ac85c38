package mezzfs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
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
// $MEZZFS_BENCH_BLOCK_KB and $MEZZFS_BENCH_STREAM=1 (Stream) for tuning.
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
		Stream:       os.Getenv("MEZZFS_BENCH_STREAM") == "1",
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
	server, st, err := mezzfstest.BenchStore(context.Background(), srv, "bench", benchSize())
	return benchLink{server, st}, err
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

// BenchmarkChunkEncode encodes one chunk from the middle of a mezzanine
// in the object store the way a title's EncodeChunk does (`reel encode
// s3://… --start --frames --stats`: libav reading through a Reader), and,
// alternating with it, the way a pipeline without mezzfs would: one plain
// GET of the whole object to a local file, then the same encode of that
// file. It reports both wall times, their ratio (median per iteration)
// and the bytes each fetched. Needs $REEL_BIN (a built reel) and
// $MEZZFS_BENCH_MEZZ (the mezzanine; bench/mezzfs.sh makes a 30 s 1080p25
// H.264 one); $MEZZFS_BENCH_CHUNK is "start,frames" (default: chunk 5 of
// 10 of 750 frames, "375,75").
func BenchmarkChunkEncode(b *testing.B) {
	bin, mezz := os.Getenv("REEL_BIN"), os.Getenv("MEZZFS_BENCH_MEZZ")
	if bin == "" || mezz == "" {
		b.Skip("skipping: set REEL_BIN and MEZZFS_BENCH_MEZZ (bench/mezzfs.sh does)")
	}
	link, _ := benchStore(b)
	ctx := context.Background()
	mezzOnce.Do(func() {
		f, err := os.Open(mezz)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		direct, err := mezzfs.NewS3Store(ctx, "bench", srv.Options())
		if err != nil {
			b.Fatal(err)
		}
		if err := direct.Put(ctx, "mezz.mp4", f, fi.Size()); err != nil {
			b.Fatal(err)
		}
		mezzSize = fi.Size()
	})
	start, frames := "375", "75"
	if c := os.Getenv("MEZZFS_BENCH_CHUNK"); c != "" {
		start, frames, _ = strings.Cut(c, ",")
	}
	dir := b.TempDir()
	encode := func(input string, stats bool) []byte {
		args := []string{"encode", input, "--start", start, "--frames", frames, "--rung", "640x360",
			"--preset", "ultrafast", "--crf", "28", "--out", filepath.Join(dir, "chunk.mp4")}
		if stats {
			args = append(args, "--stats", "--s3-endpoint", link.Endpoint, "--s3-path-style")
		}
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s3test.AccessKey, "AWS_SECRET_ACCESS_KEY="+s3test.SecretKey, "AWS_REGION=us-east-1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("reel %s: %v: %s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return stderr.Bytes()
	}
	var fetched int64
	mezzfsPass := func() time.Duration {
		t0 := time.Now()
		out := encode("s3://bench/mezz.mp4", true)
		d := time.Since(t0)
		var st mezzfs.Stats
		for line := range bytes.Lines(out) {
			if json.Unmarshal(line, &st) == nil && st.BytesFetched > 0 {
				fetched = st.BytesFetched
			}
		}
		return d
	}
	wholePass := func() time.Duration {
		t0 := time.Now()
		local := filepath.Join(dir, "mezz.mp4")
		f, err := os.Create(local)
		if err != nil {
			b.Fatal(err)
		}
		if n, err := link.GetAll(ctx, "bench", "mezz.mp4", f); err != nil || n != mezzSize {
			b.Fatalf("%d bytes, %v", n, err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		encode(local, false)
		d := time.Since(t0)
		os.Remove(local)
		return d
	}
	var whole, chunk time.Duration
	var ratios []float64
	i := 0
	for b.Loop() {
		var w, c time.Duration
		if i%2 == 0 {
			w, c = wholePass(), mezzfsPass()
		} else {
			c, w = mezzfsPass(), wholePass()
		}
		i++
		whole += w
		chunk += c
		ratios = append(ratios, w.Seconds()/c.Seconds())
	}
	sort.Float64s(ratios)
	n := float64(len(ratios))
	b.ReportMetric(chunk.Seconds()/n, "mezzfs-s")
	b.ReportMetric(whole.Seconds()/n, "whole-s")
	b.ReportMetric(ratios[len(ratios)/2], "whole/mezzfs")
	b.ReportMetric(float64(fetched)/1e6, "mezzfs-MB")
	b.ReportMetric(float64(mezzSize)/1e6, "whole-MB")
}

var (
	mezzOnce sync.Once
	mezzSize int64
)
