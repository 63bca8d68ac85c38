package encoder

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// BenchmarkLadder1080p5Rungs measures the decode-once multi-rung encode of
// a 1080p mezzanine to a 5-rung H.264 ladder (EncodeLadder). The source is
// $REEL_BENCH_INPUT, or a generated 2 s 1080p24 FFV1 clip; the x264 preset
// is $REEL_BENCH_PRESET (default "veryfast") so that bench scripts can run
// the ffmpeg CLI with the same settings:
//
//	go test ./encoder -run '^$' -bench Ladder1080p5Rungs -benchtime 3x
//
// It reports source frames per second of wall time.
func BenchmarkLadder1080p5Rungs(b *testing.B) {
	input := os.Getenv("REEL_BENCH_INPUT")
	if input == "" {
		if !mediatest.Have() {
			b.Skip("ffmpeg not installed (make test installs it) and REEL_BENCH_INPUT not set")
		}
		input = filepath.Join(b.TempDir(), "mezz1080p.mkv")
		mediatest.Clip(b, input, mediatest.ClipOptions{Size: "1920x1080", Rate: "24", Frames: 48, PixFmt: "yuv420p", Codec: "ffv1"})
	}
	preset := os.Getenv("REEL_BENCH_PRESET")
	if preset == "" {
		preset = "veryfast"
	}
	rungs := []RungSpec{
		{ID: "1080p", Width: 1920, Height: 1080, CRF: 22, Preset: preset, GOPFrames: 48},
		{ID: "720p", Width: 1280, Height: 720, CRF: 23, Preset: preset, GOPFrames: 48},
		{ID: "540p", Width: 960, Height: 540, CRF: 24, Preset: preset, GOPFrames: 48},
		{ID: "360p", Width: 640, Height: 360, CRF: 25, Preset: preset, GOPFrames: 48},
		{ID: "234p", Width: 416, Height: 234, CRF: 26, Preset: preset, GOPFrames: 48},
	}
	dir := b.TempDir()
	frames := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := EncodeLadder(context.Background(), input, LadderOptions{
			Rungs:      rungs,
			OutputPath: func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") },
		})
		if err != nil {
			b.Fatal(err)
		}
		frames += out[0].Frames
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}
