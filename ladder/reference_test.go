package ladder

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestAppleHLS(t *testing.T) {
	ref := AppleHLS()
	if len(ref) != 9 || ref[0] != (RefRung{234, 145}) || ref[8] != (RefRung{1080, 7800}) {
		t.Fatalf("AppleHLS() = %v", ref)
	}
	for i := 1; i < len(ref); i++ {
		if ref[i].BitrateKbps <= ref[i-1].BitrateKbps || ref[i].Height < ref[i-1].Height {
			t.Errorf("rung %d %v not above rung %d %v", i, ref[i], i-1, ref[i-1])
		}
	}
}

// trialGrid is a synthetic title: at each height, bitrate halves every 5
// CRF and VMAF rises concavely with bitrate towards a ceiling that is
// lower for lower heights.
func trialGrid(src Source, heights []int, crfs []float64) []Point {
	var pts []Point
	for _, h := range heights {
		sz, _ := RungSize(src, h)
		for _, c := range crfs {
			kbps := float64(sz.Width*sz.Height) / 200 * math.Exp2(-(c-23)/5)
			v := (70 + 30*float64(h)/1080) * (1 - math.Exp(-kbps/(float64(sz.Width*sz.Height)/800)))
			pts = append(pts, Point{Width: sz.Width, Height: sz.Height, Codec: "h264", CRF: c, BitrateKbps: kbps, VMAF: v})
		}
	}
	return pts
}

func TestPredictReference(t *testing.T) {
	src := Source{Width: 1280, Height: 720}
	trials := trialGrid(src, []int{234, 360, 432, 540, 720}, []float64{18, 23, 28, 33, 38})
	got, err := PredictReference(src, AppleHLS(), trials)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 9 {
		t.Fatalf("%d rungs, want 9 (capped rungs keep their bitrates)", len(got))
	}
	curves, _ := Curves(trials)
	for i, r := range got {
		if i > 0 && r.BitrateKbps < got[i-1].BitrateKbps {
			t.Errorf("rungs not sorted by bitrate: %v", got)
		}
		if r.Height > 720 || r.Width > 1280 {
			t.Errorf("rung %v above the source", r)
		}
		var c *Curve
		for k := range curves {
			if curves[k].Width == r.Width && curves[k].Height == r.Height {
				c = &curves[k]
			}
		}
		if c == nil {
			t.Fatalf("no curve for %dx%d", r.Width, r.Height)
		}
		lo, hi := c.Hull[0].BitrateKbps, c.Hull[len(c.Hull)-1].BitrateKbps
		inside := r.BitrateKbps >= lo && r.BitrateKbps <= hi
		if r.Predicted != inside {
			t.Errorf("rung %v: predicted %v, but the curve spans %.0f–%.0f kbit/s", r, r.Predicted, lo, hi)
		}
		if !inside {
			continue
		}
		// Linear between the hull vertices around the bitrate.
		for k := 1; k < len(c.Hull); k++ {
			a, b := c.Hull[k-1], c.Hull[k]
			if r.BitrateKbps >= a.BitrateKbps && r.BitrateKbps <= b.BitrateKbps {
				want := a.VMAF + (b.VMAF-a.VMAF)*(r.BitrateKbps-a.BitrateKbps)/(b.BitrateKbps-a.BitrateKbps)
				if math.Abs(r.VMAF-want) > 1e-9 {
					t.Errorf("rung %v: VMAF %v, want %v", r, r.VMAF, want)
				}
			}
		}
	}
	if n := len(Predicted(got)); n < 4 {
		t.Errorf("only %d rungs predicted", n)
	}
	if _, err := PredictReference(src, []RefRung{{360, 0}}, trials); !errors.Is(err, ErrBadPoint) {
		t.Errorf("zero bitrate: %v", err)
	}
	if _, err := PredictReference(src, AppleHLS(), nil); !errors.Is(err, ErrNoPoints) {
		t.Errorf("no trials: %v", err)
	}
}

func TestCurveAt(t *testing.T) {
	c := Curve{Hull: []Point{{BitrateKbps: 100, VMAF: 50}, {BitrateKbps: 200, VMAF: 70}, {BitrateKbps: 400, VMAF: 80}}}
	for _, tc := range []struct {
		kbps, want float64
		ok         bool
	}{{100, 50, true}, {150, 60, true}, {200, 70, true}, {300, 75, true}, {400, 80, true}, {99, 0, false}, {401, 0, false}} {
		v, ok := c.At(tc.kbps)
		if ok != tc.ok || math.Abs(v-tc.want) > 1e-12 {
			t.Errorf("At(%v) = %v, %v; want %v, %v", tc.kbps, v, ok, tc.want, tc.ok)
		}
	}
}

func TestInterpolateOptions(t *testing.T) {
	opts := []ShotOption{
		{Width: 640, Height: 360, Codec: "h264", CRF: 28, Bits: 1000, Quality: 60},
		{Width: 640, Height: 360, Codec: "h264", CRF: 23, Bits: 2000, Quality: 75},
		{Width: 640, Height: 360, Codec: "h264", CRF: 26, Bits: 1500, Quality: 61}, // inside the hull
		{Width: 1280, Height: 720, Codec: "h264", CRF: 28, Bits: 3000, Quality: 80},
	}
	got, err := InterpolateOptions(opts, 1, BetweenChord)
	if err != nil {
		t.Fatal(err)
	}
	byCRF := map[float64]ShotOption{}
	for _, o := range got {
		if o.Height == 360 {
			byCRF[o.CRF] = o
		}
	}
	if len(got) != 7 || len(byCRF) != 6 {
		t.Fatalf("got %d options (%d at 360p), want 7 (23…28 at 360p, 28 at 720p): %+v", len(got), len(byCRF), got)
	}
	for c := 23.0; c <= 28; c++ {
		o := byCRF[c]
		bits := 1000 * math.Pow(2, (28-c)/5)
		q := 60 + 15*(bits-1000)/1000
		if math.Abs(o.Bits-bits) > 1e-9 || math.Abs(o.Quality-q) > 1e-9 {
			t.Errorf("CRF %v: %v bits, quality %v; want %v, %v", c, o.Bits, o.Quality, bits, q)
		}
	}
	if _, err := InterpolateOptions(opts, 0, BetweenChord); !errors.Is(err, ErrBadConstraints) {
		t.Errorf("step 0: %v", err)
	}
	if _, err := InterpolateOptions(nil, 1, BetweenChord); !errors.Is(err, ErrNoPoints) {
		t.Errorf("no options: %v", err)
	}
}

// TestPerShotMatchesPerTitleOnUniformTitle: when every shot is like the
// title (same options per frame), the per-shot optimizer at a rung's VMAF
// gives every shot the rung's own CRF: the per-title rung is already
// optimal, and the two interpolations agree.
func TestPerShotMatchesPerTitleOnUniformTitle(t *testing.T) {
	src := Source{Width: 1920, Height: 1080}
	pts := trialGrid(src, []int{360, 720, 1080}, []float64{18, 23, 28, 33, 38})
	rungs, err := Select(pts, Constraints{Rungs: 4, MinRatio: 1.5, MaxVMAF: 95, Interpolate: true, CRFStep: 1})
	if err != nil {
		t.Fatal(err)
	}
	interpolated := 0
	for _, r := range rungs {
		if r.Interpolated {
			interpolated++
		}
	}
	if len(rungs) < 3 || interpolated == 0 {
		t.Fatalf("rungs %+v: want ≥ 3, some between trial CRFs", rungs)
	}
	for _, r := range rungs {
		var base []ShotOption
		for _, p := range pts {
			if p.Width == r.Width && p.Height == r.Height {
				base = append(base, ShotOption{Width: p.Width, Height: p.Height, Codec: p.Codec, CRF: p.CRF, Bits: p.BitrateKbps, Quality: p.VMAF})
			}
		}
		opts, err := InterpolateOptions(base, 1, BetweenChord)
		if err != nil {
			t.Fatal(err)
		}
		shots := []Shot{{Frames: 10, Options: opts}, {Frames: 10, Options: opts}, {Frames: 10, Options: opts}}
		plan, err := MinBitsForQuality(shots, r.VMAF-1e-9)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Choices {
			if c.CRF != r.CRF {
				t.Errorf("rung %dp CRF %v (VMAF %.3f): shot %d chose CRF %v", r.Height, r.CRF, r.VMAF, c.Shot, c.CRF)
			}
		}
	}
}

func TestMonotone(t *testing.T) {
	kept, dropped := Monotone([]RDPoint{{300, 50}, {100, 40}, {200, 45}, {400, 49}, {500, 60}, {250, 45}})
	if fmt.Sprint(kept) != "[{100 40} {200 45} {300 50} {500 60}]" || fmt.Sprint(dropped) != "[{250 45} {400 49}]" {
		t.Errorf("kept %v, dropped %v", kept, dropped)
	}
}

// TestInterpolateOptionsQualityInCRF: with qualityInCRF, an interpolated
// option's quality is linear in CRF (above the chord, so a hull vertex of
// its own), bits as on the chord path; and two identical shots at a
// target between two trial CRFs both take the CRF in between.
func TestInterpolateOptionsQualityInCRF(t *testing.T) {
	opts := []ShotOption{
		{Width: 640, Height: 360, Codec: "h264", CRF: 28, Bits: 1000, Quality: 60},
		{Width: 640, Height: 360, Codec: "h264", CRF: 23, Bits: 2000, Quality: 75},
	}
	got, err := InterpolateOptions(opts, 1, BetweenLinear)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d options, want CRF 23…28: %+v", len(got), got)
	}
	for _, o := range got {
		bits := 1000 * math.Pow(2, (28-o.CRF)/5)
		q := 60 + 15*(28-o.CRF)/5
		chord := 60 + 15*(bits-1000)/1000
		if math.Abs(o.Bits-bits) > 1e-9 || math.Abs(o.Quality-q) > 1e-9 {
			t.Errorf("CRF %v: %v bits, quality %v; want %v, %v", o.CRF, o.Bits, o.Quality, bits, q)
		}
		if o.CRF != 23 && o.CRF != 28 && !(o.Quality > chord) {
			t.Errorf("CRF %v: quality %v not above the chord's %v", o.CRF, o.Quality, chord)
		}
	}
	target := 60 + 15*(28-25.0)/5 // both shots at CRF 25
	{
		o, err := InterpolateOptions(opts, 1, BetweenLinear)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := MinBitsForQuality([]Shot{{Frames: 10, Options: o}, {Frames: 10, Options: o}}, target-1e-9)
		if err != nil {
			t.Fatal(err)
		}
		between := 0
		for _, c := range plan.Choices {
			if c.CRF != 23 && c.CRF != 28 {
				between++
			}
		}
		if between != 2 {
			t.Errorf("quality in CRF: choices %+v, want both shots at CRF 25", plan.Choices)
		}
	}
}
