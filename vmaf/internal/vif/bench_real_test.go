package vif

import (
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/vmaf/internal/vmaftest"
)

// BenchmarkRealGolden scores 8 frames of a real 720p golden pair per
// iteration (real content takes the cheap non-log path far more often
// than the synthetic noise of BenchmarkCompute1080p8bit).
func BenchmarkRealGolden(b *testing.B) {
	g := filepath.Join(vmaftest.GoldenDir(b), "pub05_gradients_1280x720")
	ref := vmaftest.Luma(vmaftest.ReadY4MXZ(b, filepath.Join(g, "ref.y4m.xz"))[:8])
	dis := vmaftest.Luma(vmaftest.ReadY4MXZ(b, filepath.Join(g, "dist_crf28.y4m.xz"))[:8])
	var ws Workspace
	b.ResetTimer()
	for b.Loop() {
		for i := range ref {
			if _, err := ws.Compute(ref[i], dis[i], 8, DefaultOptions()); err != nil {
				b.Fatal(err)
			}
		}
	}
}
