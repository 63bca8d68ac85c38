package adm

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/frame"
)

// speedPlanes loads up to n 8-bit luma planes of size w x h from the raw
// gray files ref.gray / dis.gray in $REEL_VMAF_BENCH_DIR (see
// bench/vmaf.sh for how such pairs are made); it skips when unset.
func speedPlanes(b *testing.B, w, h, n int) (refs, diss []*frame.Plane) {
	dir := os.Getenv("REEL_VMAF_BENCH_DIR")
	if dir == "" {
		b.Skip("REEL_VMAF_BENCH_DIR not set")
	}
	load := func(name string) []*frame.Plane {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Skip(err)
		}
		var ps []*frame.Plane
		for k := 0; k < n && (k+1)*w*h <= len(data); k++ {
			ps = append(ps, &frame.Plane{Width: w, Height: h, Stride: w, Pix8: data[k*w*h : (k+1)*w*h]})
		}
		return ps
	}
	return load("ref.gray"), load("dis.gray")
}

// BenchmarkSpeedReal1080p scores real 1080p frames (mandelbrot vs x264
// crf 30, as bench/vmaf.sh), one frame per op.
func BenchmarkSpeedReal1080p(b *testing.B) {
	refs, diss := speedPlanes(b, 1920, 1080, 8)
	opt := DefaultOptions()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(refs)
		if _, err := Compute(refs[k], diss[k], 8, opt); err != nil {
			b.Fatal(err)
		}
	}
}
