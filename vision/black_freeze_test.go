package vision

import (
	"fmt"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// synthetic clips with known events, 320x240 at 25 fps.
const (
	// 12 s of testsrc2 with black at 3–5.5 s (2.52 s), 7–8 s (1.04 s) and
	// from 9.5 s to the end.
	blackGraph = "testsrc2=size=320x240:rate=25:duration=12"
	blackVF    = "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,3,5.5)+between(t,7,8)+gte(t,9.5)'"
	// testsrc2 with frame 49 held for 100 more frames (4 s), frame 199 for
	// 40 (1.6 s) and frame 260 held to the end (310 frames in all).
	freezeGraph = "testsrc2=size=320x240:rate=25:duration=8"
	freezeVF    = "loop=loop=100:size=1:start=49,loop=loop=40:size=1:start=199,loop=loop=60:size=1:start=260,trim=end_frame=310,setpts=N/(25*TB)"
)

func TestBlackAgreesWithBlackdetect(t *testing.T) {
	type tc struct {
		name, clip  string
		d, pix, pic float64
	}
	cases := []tc{
		{"synthetic d=2", "synthetic-black", 2, 0.10, 0.98},
		{"synthetic d=0.5", "synthetic-black", 0.5, 0.10, 0.98},
		{"synthetic d=0", "synthetic-black", 0, 0.10, 0.98},
		{"city dark frames", "cityCC0.mpg", 0, 0.35, 0.6},
		{"bunny", "bigbuckbunny.mp4", 0, 0.3, 0.5},
		{"car park", "car-detection.mp4", 0.1, 0.2, 0.3},
		{"flower", "VID_1280x720_cabac_temporal_direct.264", 0, 0.2, 0.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if c.clip == "synthetic-black" {
				y4m = lavfiY4M(t, blackGraph, blackVF)
			} else {
				y4m = decodeY4M(t, corpusClip(t, c.clip), nil)
			}
			info := y4mInfo(t, y4m)
			fps := float64(info.FrameRateNum) / float64(info.FrameRateDen)
			log := mediatest.Filter(t, y4m, fmt.Sprintf("blackdetect=d=%g:pix_th=%g:pic_th=%g", c.d, c.pix, c.pic))
			cfg := only(CheckBlack)
			cfg.Black.MinDuration, cfg.Black.PixelThreshold, cfg.Black.PictureThreshold = c.d, c.pix, c.pic
			rep := analyzeY4M(t, y4m, cfg)
			ff := parsePairs(log, `black_start:`+numRe, `black_end:`+numRe)
			// blackdetect ends a run open at EOF at the last frame's
			// timestamp; reel one frame later (README).
			for i := range ff {
				if ff[i].end >= float64(rep.Frames-1)/fps-1e-6 {
					ff[i].end = float64(rep.Frames) / fps
				}
			}
			assertSpans(t, "black", ff, rep.EventsOf(CheckBlack), fps, 0, float64(rep.Frames)/fps)
			if c.clip == "synthetic-black" && len(ff) == 0 {
				t.Fatal("no black found in the synthetic clip")
			}
		})
	}
}

func TestFreezeAgreesWithFreezedetect(t *testing.T) {
	type tc struct {
		name, clip string
		n, d       float64
	}
	cases := []tc{
		{"synthetic d=2", "synthetic-freeze", 0.001, 2},
		{"synthetic d=1", "synthetic-freeze", 0.001, 1},
		{"synthetic d=0.5", "synthetic-freeze", 0.001, 0.5},
		{"car park n=0.003", "car-detection.mp4", 0.003, 0.5},
		{"car park n=0.01", "car-detection.mp4", 0.01, 1},
		{"city", "cityCC0.mpg", 0.01, 0.2},
		{"bunny", "bigbuckbunny.mp4", 0.005, 0.3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if c.clip == "synthetic-freeze" {
				y4m = lavfiY4M(t, freezeGraph, freezeVF)
			} else {
				y4m = decodeY4M(t, corpusClip(t, c.clip), nil)
			}
			info := y4mInfo(t, y4m)
			fps := float64(info.FrameRateNum) / float64(info.FrameRateDen)
			log := mediatest.Filter(t, y4m, fmt.Sprintf("freezedetect=n=%g:d=%g", c.n, c.d))
			cfg := only(CheckFreeze)
			cfg.Freeze.Noise, cfg.Freeze.MinDuration = c.n, c.d
			rep := analyzeY4M(t, y4m, cfg)
			ff := parsePairs(log, `freeze_start: `+numRe, `freeze_end: `+numRe)
			assertSpans(t, "freeze", ff, rep.EventsOf(CheckFreeze), fps, 0, float64(rep.Frames)/fps)
			if c.clip == "synthetic-freeze" && len(ff) == 0 {
				t.Fatal("no freeze found in the synthetic clip")
			}
		})
	}
}
