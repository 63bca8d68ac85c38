package ladder

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// synthTitle makes trial encodes of a synthetic title: four resolutions ×
// CRFs 18..38, with bitrate doubling every 6 CRF and VMAF saturating in
// bits per pixel below a per-resolution ceiling, so that the
// per-resolution curves cross like real ones do.
func synthTitle() []Point { return synthTitleEvery(2) }

// synthTitleEvery is synthTitle with trial CRFs step apart, 18 to 38.
func synthTitleEvery(step int) []Point {
	var pts []Point
	for _, r := range synthSizes {
		for crf := 18; crf <= 38; crf += step {
			pts = append(pts, synthPoint(r.w, r.h, float64(crf)))
		}
	}
	return pts
}

// synthSize is one of synthTitle's resolutions and its VMAF ceiling.
type synthSize struct {
	w, h    int
	ceiling float64
}

var synthSizes = []synthSize{{640, 360, 78}, {960, 540, 87}, {1280, 720, 93}, {1920, 1080, 98}}

// synthPoint is synthTitle's encode at w×h and crf: bitrate log-linear in
// CRF, VMAF saturating in bits per pixel (concave in CRF).
func synthPoint(w, h int, crf float64) Point {
	i := slices.IndexFunc(synthSizes, func(r synthSize) bool { return r.w == w && r.h == h })
	pix := float64(w * h)
	kbps := pix / 1000 * 2.2 * math.Exp2((28-crf)/6)
	vmaf := synthSizes[i].ceiling * (1 - math.Exp(-kbps*1000/pix*1.2))
	return Point{Width: w, Height: h, Codec: "h264", CRF: crf, BitrateKbps: kbps, VMAF: vmaf}
}

// hullAt is the piecewise-linear hull's VMAF at bitrate r (−Inf below the
// hull's first point, the top VMAF above its last).
func hullAt(hull []Point, r float64) float64 {
	if r < hull[0].BitrateKbps {
		return math.Inf(-1)
	}
	for i := 1; i < len(hull); i++ {
		a, b := hull[i-1], hull[i]
		if r <= b.BitrateKbps {
			return a.VMAF + (b.VMAF-a.VMAF)*(r-a.BitrateKbps)/(b.BitrateKbps-a.BitrateKbps)
		}
	}
	return hull[len(hull)-1].VMAF
}

// checkHull verifies the hull properties against the input points.
func checkHull(t *testing.T, pts, hull []Point) {
	t.Helper()
	if len(hull) == 0 {
		t.Fatal("empty hull")
	}
	for i, h := range hull {
		if !slices.Contains(pts, h) {
			t.Fatalf("hull point %v not an input", h)
		}
		if i > 0 && !(h.BitrateKbps > hull[i-1].BitrateKbps && h.VMAF > hull[i-1].VMAF) {
			t.Fatalf("hull not strictly increasing at %d: %v after %v", i, h, hull[i-1])
		}
		if i > 1 {
			a, b := hull[i-2], hull[i-1]
			s1 := (b.VMAF - a.VMAF) / (b.BitrateKbps - a.BitrateKbps)
			s2 := (h.VMAF - b.VMAF) / (h.BitrateKbps - b.BitrateKbps)
			if !(s2 < s1) {
				t.Fatalf("hull not strictly concave at %d: slopes %v then %v", i, s1, s2)
			}
		}
		for _, p := range pts {
			if p.BitrateKbps <= h.BitrateKbps && p.VMAF >= h.VMAF && (p.BitrateKbps < h.BitrateKbps || p.VMAF > h.VMAF) {
				t.Fatalf("hull point %v dominated by %v", h, p)
			}
		}
	}
	for _, p := range pts {
		v := hullAt(hull, p.BitrateKbps)
		if p.VMAF > v+1e-9*math.Max(1, math.Abs(v)) {
			t.Fatalf("point %v above hull (%v there)", p, v)
		}
	}
}

func TestHull(t *testing.T) {
	p := func(kbps, vmaf float64) Point { return Point{Width: 1280, Height: 720, BitrateKbps: kbps, VMAF: vmaf} }
	tests := []struct {
		name string
		in   []Point
		want []Point
	}{
		{"single", []Point{p(100, 50)}, []Point{p(100, 50)}},
		{"sorted output", []Point{p(400, 80), p(100, 50), p(200, 70)}, []Point{p(100, 50), p(200, 70), p(400, 80)}},
		{"dominated dropped", []Point{p(100, 50), p(200, 45), p(300, 70)}, []Point{p(100, 50), p(300, 70)}},
		{"below hull dropped", []Point{p(100, 50), p(200, 55), p(300, 70)}, []Point{p(100, 50), p(300, 70)}},
		{"collinear dropped", []Point{p(100, 50), p(200, 60), p(300, 70)}, []Point{p(100, 50), p(300, 70)}},
		{"equal rate keeps best", []Point{p(100, 40), p(100, 50), p(200, 60)}, []Point{p(100, 50), p(200, 60)}},
		{"equal VMAF keeps cheapest", []Point{p(100, 50), p(200, 70), p(300, 70)}, []Point{p(100, 50), p(200, 70)}},
		{"duplicates keep one", []Point{p(100, 50), p(100, 50), p(200, 60)}, []Point{p(100, 50), p(200, 60)}},
		{"all same VMAF", []Point{p(300, 50), p(100, 50), p(200, 50)}, []Point{p(100, 50)}},
		{"concave kept", []Point{p(100, 50), p(200, 70), p(400, 85), p(800, 92)}, []Point{p(100, 50), p(200, 70), p(400, 85), p(800, 92)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Hull(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Hull = %v, want %v", got, tt.want)
			}
			checkHull(t, tt.in, got)
		})
	}
}

func TestHullErrors(t *testing.T) {
	if _, err := Hull(nil); !errors.Is(err, ErrNoPoints) {
		t.Fatalf("err = %v", err)
	}
	for _, bad := range []Point{{BitrateKbps: 0, VMAF: 50}, {BitrateKbps: -1, VMAF: 50}, {BitrateKbps: math.Inf(1), VMAF: 50},
		{BitrateKbps: math.NaN(), VMAF: 50}, {BitrateKbps: 100, VMAF: math.NaN()}, {BitrateKbps: 100, VMAF: math.Inf(-1)}} {
		if _, err := Hull([]Point{{BitrateKbps: 10, VMAF: 1}, bad}); !errors.Is(err, ErrBadPoint) {
			t.Fatalf("Hull with %v: err = %v", bad, err)
		}
		if _, err := Curves([]Point{bad}); !errors.Is(err, ErrBadPoint) {
			t.Fatalf("Curves with %v: err = %v", bad, err)
		}
	}
	if _, err := Curves(nil); !errors.Is(err, ErrNoPoints) {
		t.Fatalf("err = %v", err)
	}
}

func TestHullIsEnvelopeOfCurves(t *testing.T) {
	pts := synthTitle()
	hull, err := Hull(pts)
	if err != nil {
		t.Fatal(err)
	}
	checkHull(t, pts, hull)
	curves, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	if len(curves) != 4 || curves[0].Height != 360 || curves[3].Height != 1080 {
		t.Fatalf("curves %+v", curves)
	}
	var union []Point
	for _, c := range curves {
		for _, p := range c.Hull {
			if p.Width != c.Width || p.Height != c.Height || p.Codec != c.Codec {
				t.Fatalf("point %v in curve %s %dx%d", p, c.Codec, c.Width, c.Height)
			}
		}
		union = append(union, c.Hull...)
	}
	h2, _ := Hull(union)
	if !slices.Equal(hull, h2) {
		t.Fatalf("hull of all points %v\n!= hull of per-resolution hulls %v", hull, h2)
	}
	// A real title's hull switches resolution: low rates at 360p, the top
	// at 1080p.
	if hull[0].Height != 360 || hull[len(hull)-1].Height != 1080 {
		t.Fatalf("hull from %dp to %dp", hull[0].Height, hull[len(hull)-1].Height)
	}
}

func TestCurvesGroupByCodec(t *testing.T) {
	pts := []Point{
		{Width: 640, Height: 360, Codec: "hevc", BitrateKbps: 100, VMAF: 60},
		{Width: 640, Height: 360, Codec: "h264", BitrateKbps: 100, VMAF: 50},
		{Width: 640, Height: 360, Codec: "h264", BitrateKbps: 200, VMAF: 60},
		{Width: 320, Height: 180, Codec: "h264", BitrateKbps: 50, VMAF: 40},
	}
	cs, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 || cs[0].Codec != "h264" || cs[0].Height != 180 || cs[1].Height != 360 || len(cs[1].Hull) != 2 || cs[2].Codec != "hevc" {
		t.Fatalf("curves %+v", cs)
	}
}

// FuzzHull checks the hull properties on points built from the input
// bytes: every hull point is an input, strictly increasing, strictly
// concave, non-dominated, and no input lies above the hull.
func FuzzHull(f *testing.F) {
	f.Add([]byte{10, 50, 20, 70, 40, 85, 80, 92})
	f.Add([]byte{10, 50, 20, 45, 30, 70})
	f.Add([]byte{10, 50, 20, 60, 30, 70})
	f.Add([]byte{1, 1, 1, 1, 2, 2})
	f.Add([]byte{255, 0, 0, 255, 128, 128, 7, 200})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pts []Point
		for i := 0; i+1 < len(data) && len(pts) < 64; i += 2 {
			pts = append(pts, Point{Height: i, BitrateKbps: float64(data[i]) + 1, VMAF: float64(data[i+1])})
		}
		hull, err := Hull(pts)
		if len(pts) == 0 {
			if !errors.Is(err, ErrNoPoints) {
				t.Fatalf("err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkHull(t, pts, hull)
		// Order of the input does not matter (up to which duplicate is
		// kept, and duplicates here differ in Height only).
		rev := slices.Clone(pts)
		slices.Reverse(rev)
		h2, _ := Hull(rev)
		if len(h2) != len(hull) {
			t.Fatalf("reversed input: %d hull points, want %d", len(h2), len(hull))
		}
		for i := range hull {
			if h2[i].BitrateKbps != hull[i].BitrateKbps || h2[i].VMAF != hull[i].VMAF {
				t.Fatalf("reversed input: hull %v, want %v", h2, hull)
			}
		}
	})
}
