package vision

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// cutsGraph is 4 segments of 2 s at 25 fps joined by hard cuts (frames 50,
// 100) and a fade out/in through black around frame 150 (fade out 130–149,
// fade in 150–169).
const cutsGraph = "testsrc2=s=320x240:r=25:d=2[a];" +
	"mandelbrot=s=320x240:r=25,trim=duration=2[b];" +
	"smptehdbars=s=320x240:r=25:d=2,fade=t=out:st=1.2:d=0.8[c];" +
	"rgbtestsrc=s=320x240:r=25:d=2,fade=t=in:st=0:d=0.8[d];" +
	"[a][b][c][d]concat=n=4:v=1:a=0"

func TestScdetAgreesWithFFmpeg(t *testing.T) {
	cases := []struct{ name, clip string }{
		{"synthetic cuts", "synthetic"},
		{"bunny", "bigbuckbunny.mp4"},
		{"city", "cityCC0.mpg"},
		{"car park", "car-detection.mp4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var y4m string
			if c.clip == "synthetic" {
				y4m = lavfiY4M(t, cutsGraph, "")
			} else {
				y4m = decodeY4M(t, corpusClip(t, c.clip), nil)
			}
			log := mediatest.Filter(t, y4m, "scdet=t=10,metadata=mode=print:key=lavfi.scd.score")
			re := regexp.MustCompile(`lavfi\.scd\.score=` + numRe)
			var ff []float64
			for _, m := range re.FindAllStringSubmatch(log, -1) {
				v, _ := strconv.ParseFloat(m[1], 64)
				ff = append(ff, v)
			}
			rep := analyzeY4M(t, y4m, only(CheckShots))
			got := rep.SeriesByName("shots.scdet")
			if len(ff) != len(got) {
				t.Fatalf("ffmpeg scored %d frames, reel %d", len(ff), len(got))
			}
			var cutsFF, cutsReel []int
			for i := range ff {
				if math.Abs(ff[i]-float64(got[i])) > 0.0006 {
					t.Errorf("frame %d: scdet score ffmpeg %.3f, reel %.4f", i, ff[i], got[i])
				}
				if ff[i] > 10 {
					cutsFF = append(cutsFF, i)
				}
				if got[i] > 10 {
					cutsReel = append(cutsReel, i)
				}
			}
			if fmt.Sprint(cutsFF) != fmt.Sprint(cutsReel) {
				t.Errorf("scdet cuts: ffmpeg %v, reel %v", cutsFF, cutsReel)
			}
			t.Logf("scdet cuts (t=10): %v; reel shots %+v", cutsFF, rep.Shots)
		})
	}
}

func TestShotsSynthetic(t *testing.T) {
	y4m := lavfiY4M(t, cutsGraph, "")
	rep := analyzeY4M(t, y4m, only(CheckShots))
	want := []struct {
		frame int
		kind  ShotKind
	}{{0, ShotStart}, {50, ShotCut}, {100, ShotCut}, {150, ShotFade}}
	if len(rep.Shots) != len(want) {
		t.Fatalf("shots %+v, want starts %v", rep.Shots, want)
	}
	for i, w := range want {
		s := rep.Shots[i]
		// Cuts within ±1 frame; a fade's boundary is the middle of its dark
		// run, which depends on the fade's shape: ±3.
		tol := 1
		if w.kind == ShotFade {
			tol = 3
		}
		if abs(s.StartFrame-w.frame) > tol || s.Kind != w.kind {
			t.Errorf("shot %d: %+v, want start %d (±%d) kind %s", i, s, w.frame, tol, w.kind)
		}
		if s.Confidence <= 0 || s.Confidence > 1 {
			t.Errorf("shot %d confidence %v", i, s.Confidence)
		}
	}
	if rep.Shots[len(rep.Shots)-1].EndFrame != rep.Frames {
		t.Errorf("last shot ends at %d, want %d", rep.Shots[len(rep.Shots)-1].EndFrame, rep.Frames)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestShotsHardCutsWithinOneFrame puts hard cuts at frames 37, 80, 131 and
// 160 (segments of unequal length from different sources) and requires
// exactly those boundaries, each within ±1 frame. Fades are looser (±3 in
// TestShotsSynthetic): their boundary is the middle of the dark run, which
// moves with the fade's shape and FadeLuma.
func TestShotsHardCutsWithinOneFrame(t *testing.T) {
	graph := "testsrc2=s=320x240:r=25,trim=end_frame=37[a];" +
		"mandelbrot=s=320x240:r=25,trim=end_frame=43[b];" +
		"testsrc=s=320x240:r=25,trim=end_frame=51[c];" +
		"gradients=s=320x240:r=25,trim=end_frame=29[d];" +
		"testsrc2=s=320x240:r=25,hue=h=120,trim=end_frame=40[e];" +
		"[a][b][c][d][e]concat=n=5:v=1:a=0"
	rep := analyzeY4M(t, lavfiY4M(t, graph, ""), only(CheckShots))
	want := []int{0, 37, 80, 131, 160}
	if len(rep.Shots) != len(want) {
		t.Fatalf("shots %+v, want starts %v", rep.Shots, want)
	}
	for i, w := range want {
		s := rep.Shots[i]
		if abs(s.StartFrame-w) > 1 || (i > 0 && s.Kind != ShotCut) {
			t.Errorf("shot %d: %+v, want a cut at %d ±1", i, s, w)
		}
	}
	t.Logf("shots %+v", rep.Shots)
}
