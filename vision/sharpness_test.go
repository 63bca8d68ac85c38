package vision

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// sharpnessClip returns a y4m clip for the blockdetect/blurdetect tests:
// "corpus:NAME", "blocky:GRAPH" (GRAPH encoded as MPEG-2 at qscale 31, the
// coarsest, then decoded) or a lavfi GRAPH with vf filters.
func sharpnessClip(t *testing.T, clip, vf string) string {
	t.Helper()
	switch {
	case strings.HasPrefix(clip, "corpus:"):
		// The first 4 s keep the test short.
		return decodeY4M(t, corpusClip(t, clip[7:]), mediatest.Args{"t": "4"})
	case strings.HasPrefix(clip, "blocky:"):
		mpg := fixture(t, "mpg", mediatest.ClipOptions{Source: clip[7:], Codec: "mpeg2video", PixFmt: "yuv420p", Format: "mpeg",
			Extra: mediatest.Args{"qmin": "31", "q:v": "31"}})
		return decodeY4M(t, mpg, nil)
	}
	return lavfiY4M(t, clip, vf)
}

// ffmpegSeries runs filter,metadata=print over y4m and returns key's
// per-frame values (NaN where ffmpeg prints nan).
func ffmpegSeries(t *testing.T, y4m, filter, key string) []float64 {
	t.Helper()
	log := mediatest.Filter(t, y4m, filter+",metadata=mode=print:key="+key)
	re := regexp.MustCompile(regexp.QuoteMeta(key) + `=(-?nan|` + numRe[1:len(numRe)-1] + `)`)
	var out []float64
	for _, m := range re.FindAllStringSubmatch(log, -1) {
		if strings.HasSuffix(m[1], "nan") {
			out = append(out, math.NaN())
			continue
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("bad %s value %q", key, m[1])
		}
		out = append(out, v)
	}
	return out
}

// compareSeries asserts reel's per-frame series agrees with ffmpeg's within
// tol; ffmpeg's nan (no score) must be reel's 0. It returns the largest
// difference.
func compareSeries(t *testing.T, what string, ff []float64, got []float32, tol float64) float64 {
	t.Helper()
	if len(ff) != len(got) || len(ff) == 0 {
		t.Fatalf("%s: ffmpeg scored %d frames, reel %d", what, len(ff), len(got))
	}
	worst := 0.0
	bad := 0
	for i, v := range ff {
		if math.IsNaN(v) {
			if got[i] != 0 {
				t.Errorf("%s frame %d: ffmpeg nan, reel %v", what, i, got[i])
			}
			continue
		}
		d := math.Abs(v - float64(got[i]))
		worst = max(worst, d)
		if d > tol {
			if bad++; bad <= 5 {
				t.Errorf("%s frame %d: ffmpeg %.6f, reel %.7f", what, i, v, got[i])
			}
		}
	}
	t.Logf("%s: %d frames, max |ffmpeg − reel| = %.2g (first %.6f, last %.6f)", what, len(ff), worst, ff[0], ff[len(ff)-1])
	return worst
}

// ffmpeg prints both scores with %f (6 decimals) from a float; reel
// computes the same float32 operations in the same order, so the only
// difference left is the printing: half a unit in the 6th decimal, plus one
// float32 ulp at the values seen (< 1e-6 below 8).
const sharpnessTol = 1e-6

var sharpnessCases = []struct{ name, clip, vf string }{
	{"blocky mpeg2 q31", "blocky:testsrc2=s=320x240:r=25:d=2", ""},
	{"blocky mandelbrot", "blocky:mandelbrot=s=352x288:r=25,trim=duration=2", ""},
	{"sharp", "testsrc2=s=320x240:r=25:d=2", ""},
	{"gblur from 1 s", "testsrc2=s=320x240:r=25:d=2", "gblur=sigma=4:enable='gte(t,1)'"},
	{"odd size", "mandelbrot=s=317x179:r=25,trim=duration=1", ""},
	{"bunny", "corpus:bigbuckbunny.mp4", ""},
	{"city", "corpus:cityCC0.mpg", ""},
	{"flower 720p", "corpus:VID_1280x720_cabac_temporal_direct.264", ""},
}

// TestSharpnessAgreesWithFFmpeg compares the blockiness series with
// blockdetect's lavfi.block and the blurdetect series with blurdetect's
// lavfi.blur, frame by frame.
func TestSharpnessAgreesWithFFmpeg(t *testing.T) {
	filters := []struct{ filter, key, check, series string }{
		{"blockdetect", "lavfi.block", CheckBlockiness, "blockiness"},
		{"blurdetect", "lavfi.blur", CheckBlur, "blur.blurdetect"},
	}
	for _, f := range filters {
		for _, c := range sharpnessCases {
			t.Run(f.filter+"/"+c.name, func(t *testing.T) {
				y4m := sharpnessClip(t, c.clip, c.vf)
				ff := ffmpegSeries(t, y4m, f.filter, f.key)
				cfg := only(f.check)
				cfg.Blur.Step = 1 // every frame, as ffmpeg
				rep := analyzeY4M(t, y4m, cfg)
				compareSeries(t, f.filter, ff, rep.SeriesByName(f.series), sharpnessTol)
			})
		}
	}
}

// TestSharpnessDeepSamples runs both scores on a 10-bit copy of an 8-bit
// clip: they use the top 8 bits, so they must equal the 8-bit scores
// (ffmpeg's 8→10-bit conversion keeps the 8-bit value in the top bits).
func TestSharpnessDeepSamples(t *testing.T) {
	y8 := sharpnessClip(t, "blocky:testsrc2=s=320x240:r=25:d=1", "")
	y10 := fixture(t, "y4m", mediatest.ClipOptions{File: y8, PixFmt: "yuv420p10le", Format: "yuv4mpegpipe", Extra: mediatest.Args{"strict": "-1"}})
	cfg := only(CheckBlockiness, CheckBlur)
	cfg.Blur.Step = 1
	r8, r10 := analyzeY4M(t, y8, cfg), analyzeY4M(t, y10, cfg)
	for _, name := range []string{"blockiness", "blur.blurdetect"} {
		a, b := r8.SeriesByName(name), r10.SeriesByName(name)
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("%s: %d vs %d frames", name, len(a), len(b))
		}
		for i := range a {
			if a[i] != b[i] || a[i] == 0 {
				t.Fatalf("%s frame %d: 8-bit %v, 10-bit %v", name, i, a[i], b[i])
			}
		}
	}
}
