package vmaftest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

// SpeedPlanes loads up to n 8-bit luma planes of size w×h from the raw gray
// files ref.gray and dis.gray in $REEL_VMAF_BENCH_DIR (pairs made as
// bench/vmaf.sh makes them), for the real-content speed benchmarks; it
// skips when the variable is unset or a file is missing.
func SpeedPlanes(tb testing.TB, w, h, n int) (refs, diss []*frame.Plane) {
	tb.Helper()
	dir := os.Getenv("REEL_VMAF_BENCH_DIR")
	if dir == "" {
		tb.Skip("REEL_VMAF_BENCH_DIR not set")
	}
	load := func(name string) []*frame.Plane {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Skip(err)
		}
		var ps []*frame.Plane
		for k := 0; k < n && (k+1)*w*h <= len(data); k++ {
			ps = append(ps, &frame.Plane{Width: w, Height: h, Stride: w, Pix8: data[k*w*h : (k+1)*w*h]})
		}
		return ps
	}
	return load("ref.gray"), load("dis.gray")
}
