package adm

import (
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// BenchmarkSpeedReal1080p scores real 1080p frames (mandelbrot vs x264
// crf 30, as bench/vmaf.sh), one frame per op.
func BenchmarkSpeedReal1080p(b *testing.B) {
	refs, diss := vmaftest.SpeedPlanes(b, 1920, 1080, 8)
	opt := DefaultOptions()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(refs)
		if _, err := Compute(refs[k], diss[k], 8, opt); err != nil {
			b.Fatal(err)
		}
	}
}
