package encoder

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/mezzfs"
)

// TestReadAmplification is the read-amplification benchmark run by
// bench/mezzfs_amplification.sh: for chunk k of N of a mezzanine on a
// loopback versitygw, the bytes the mezzfs.Reader fetched while decoding
// that chunk's frames (seek included, opening the input excluded) over the
// bytes of the chunk's span in the file, from the position of its first
// video packet to the end of its last (ffprobe -show_packets). Goal ≤ 1.15.
//
//	REEL_AMP_INPUT   the mezzanine (required; the test skips without it)
//	REEL_AMP_N       chunks (10); REEL_AMP_K: chunks to measure ("0,3,5,8,9")
//	REEL_AMP_BLOCK_KB, REEL_AMP_READAHEAD_KB, REEL_AMP_FETCH_KB: reader
//	                 options (default: ChunkReaderOptions)
//	REEL_AMP_TRACE   file to record the reads in (mezzfs trace, JSON lines)
func TestReadAmplification(t *testing.T) {
	input := os.Getenv("REEL_AMP_INPUT")
	if input == "" {
		t.Skip("REEL_AMP_INPUT not set (run bench/mezzfs_amplification.sh)")
	}
	srv := s3(t)
	N := envInt("REEL_AMP_N", 10)
	var ks []int
	for _, f := range strings.Split(envStr("REEL_AMP_K", "0,3,5,8,9"), ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 0 || k >= N {
			t.Fatalf("REEL_AMP_K: bad chunk %q", f)
		}
		ks = append(ks, k)
	}
	ropts := ChunkReaderOptions(mezzfs.ReaderOptions{
		BlockSize:    int64(envInt("REEL_AMP_BLOCK_KB", 0)) << 10,
		MaxReadAhead: int64(envInt("REEL_AMP_READAHEAD_KB", 0)) << 10,
		MaxFetch:     int64(envInt("REEL_AMP_FETCH_KB", 0)) << 10,
	})
	if p := os.Getenv("REEL_AMP_TRACE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ropts.Trace = mezzfs.NewTraceWriter(f)
	}
	pkts := videoPackets(t, input)
	n := len(pkts)
	uri := s3Upload(t, srv, "amplification", map[string]string{"mezz": input})["mezz"]
	fi, _ := os.Stat(input)
	fetch := "default"
	if ropts.MaxFetch > 0 {
		fetch = fmt.Sprintf("%d KiB", ropts.MaxFetch>>10)
	}
	fmt.Printf("input %s: %d bytes, %d video frames; %d chunks; reader block %d KiB, read-ahead %d KiB, fetch %s\n",
		input, fi.Size(), n, N, ropts.BlockSize>>10, ropts.MaxReadAhead>>10, fetch)
	fmt.Printf("%5s %12s %12s %12s %9s %9s %12s\n", "chunk", "frames", "span_bytes", "fetched", "ratio", "requests", "open_bytes")
	var sum float64
	for _, k := range ks {
		a, b := k*n/N, (k+1)*n/N
		lo, hi := int64(-1), int64(0)
		for _, p := range pkts[a:b] {
			if lo < 0 || p.pos < lo {
				lo = p.pos
			}
			hi = max(hi, p.pos+p.size)
		}
		span := hi - lo
		ctx := WithIO(context.Background(), IOOptions{Store: mezzfs.Options{S3: srv.Options()}, Reader: ropts})
		src, err := openSource(ctx, uri, readRange)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := av.OpenDecoder(src.in, av.DecoderConfig{})
		if err != nil {
			src.close()
			t.Fatal(src.mapErr(err))
		}
		opened := settled(src.r)
		if _, err := dec.SeekFrame(a); err != nil {
			t.Fatal(src.mapErr(err))
		}
		res, err := av.EncodeChunk(dec, nil, av.ChunkConfig{Start: a, Frames: b - a})
		if err != nil || res.Encoded != b-a || len(res.Failed) > 0 {
			t.Fatalf("chunk %d: %+v %v", k, res, src.mapErr(err))
		}
		done := settled(src.r) // read-ahead still in flight counts too
		dec.Close()
		src.close()
		fetched := done.BytesFetched - opened.BytesFetched
		ratio := float64(fetched) / float64(span)
		sum += ratio
		fmt.Printf("%5d %5d-%-6d %12d %12d %9.3f %9d %12d\n", k, a, b-1, span, fetched, ratio, done.Requests-opened.Requests, opened.BytesFetched)
	}
	mean := sum / float64(len(ks))
	fmt.Printf("mean ratio %.3f (goal <= 1.15)\n", mean)
	if mean > 1.15 {
		t.Errorf("mean read amplification %.3f > 1.15", mean)
	}
}

// settled waits for the reader's fetches to finish (no byte arrives for
// 100 ms) and returns its stats.
func settled(r *mezzfs.Reader) mezzfs.Stats {
	s := r.Stats()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		s2 := r.Stats()
		if s2.BytesFetched == s.BytesFetched {
			return s2
		}
		s = s2
	}
	return s
}

type pktPos struct{ pts, pos, size int64 }

// videoPackets lists the first video stream's packets in presentation
// order (frame i is element i) with their file positions, by ffprobe.
func videoPackets(t *testing.T, input string) []pktPos {
	t.Helper()
	var ps []pktPos
	for _, p := range mediatest.Packets(t, input, "v:0") {
		ps = append(ps, pktPos{p.PTS, p.Pos, p.Size})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].pts < ps[j].pts })
	return ps
}

func envStr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return def
}
