package vmaf

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkSpeedScoreY4M scores ref.y4m against dis.y4m from
// $REEL_VMAF_BENCH_DIR (as bench/vmaf.sh makes them) with the default
// model on one thread; one op is the whole file.
func BenchmarkSpeedScoreY4M(b *testing.B) {
	dir := os.Getenv("REEL_VMAF_BENCH_DIR")
	if dir == "" {
		b.Skip("REEL_VMAF_BENCH_DIR not set")
	}
	for i := 0; i < b.N; i++ {
		rf, err := os.Open(filepath.Join(dir, "ref.y4m"))
		if err != nil {
			b.Skip(err)
		}
		df, err := os.Open(filepath.Join(dir, "dis.y4m"))
		if err != nil {
			b.Skip(err)
		}
		if _, err := ScoreY4M(rf, df, Config{Threads: 1}); err != nil {
			b.Fatal(err)
		}
		rf.Close()
		df.Close()
	}
}
