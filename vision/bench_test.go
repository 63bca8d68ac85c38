package vision

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// BenchmarkAnalyze1080p runs every video check over 1080p frames (the
// corpus' 1080p clip when present, else testsrc2) on whatever GOMAXPROCS
// allows; run with -cpu 1 for the one-core figure. It reports fps.
func BenchmarkAnalyze1080p(b *testing.B) {
	var y4m string
	if _, err := os.Stat(corpusDir + "/VID_1920x1080_cabac_temporal_direct.264"); err == nil {
		y4m = decodeY4M(b, corpusDir+"/VID_1920x1080_cabac_temporal_direct.264", mediatest.Args{"r": "25"})
	} else {
		y4m = lavfiY4M(b, "testsrc2=s=1920x1080:r=25:d=2", "")
	}
	f, err := os.Open(y4m)
	if err != nil {
		b.Fatal(err)
	}
	r, err := frame.NewY4MReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var frames []*frame.Frame
	for len(frames) < 30 {
		fr, err := r.ReadFrame()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		frames = append(frames, fr)
	}
	f.Close()
	noSharp := DefaultConfig()
	noSharp.Disabled = []string{CheckBlockiness, CheckBlur}
	everyFrame := DefaultConfig()
	everyFrame.Blur.Step = 1
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"default", DefaultConfig()}, {"blur-every-frame", everyFrame}, {"no-block-blur", noSharp}} {
		b.Run(c.name, func(b *testing.B) { benchAnalyze(b, c.cfg, frames) })
	}
}

func benchAnalyze(b *testing.B, cfg Config, frames []*frame.Frame) {
	cpu0 := cpuSeconds()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		a, err := NewAnalyzer(cfg, VideoInfo{Width: 1920, Height: 1080, FrameRateNum: 25, FrameRateDen: 1})
		if err != nil {
			b.Fatal(err)
		}
		for _, fr := range frames {
			if err := a.Push(fr); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if _, err := a.Finish(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "fps")
	// On a shared machine wall-clock fps depends on the neighbours; frames
	// per CPU-second of this process is what one free core would do.
	b.ReportMetric(float64(n)/(cpuSeconds()-cpu0), "fps/cpu-s")
}

// cpuSeconds is the process' user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
