package ladder

import (
	"errors"
	"math"
	"testing"
)

func scaleRate(c []RDPoint, f float64) []RDPoint {
	out := make([]RDPoint, len(c))
	for i, p := range c {
		out[i] = RDPoint{p.Rate * f, p.Quality}
	}
	return out
}

func mapRD(c []RDPoint, f func(RDPoint) RDPoint) []RDPoint {
	out := make([]RDPoint, len(c))
	for i, p := range c {
		out[i] = f(p)
	}
	return out
}

// JCTVC-E137 style 4-point PSNR curves, as used by Netflix's tests.
var (
	jctvc1A = []RDPoint{{108048.8736, 43.6471}, {61279.976, 40.3953}, {33905.6656, 37.247}, {18883.6928, 34.2911}}
	jctvc1B = []RDPoint{{108061.2784, 43.6768}, {61299.9936, 40.4232}, {33928.7472, 37.2761}, {18910.912, 34.3147}}
	jctvc2A = []RDPoint{{40433.8848, 37.5761}, {7622.7456, 35.3756}, {2394.488, 33.8977}, {1017.6184, 32.0603}}
	jctvc2B = []RDPoint{{40370.12, 37.5982}, {7587.0024, 35.4025}, {2390.0944, 33.9194}, {1017.0984, 32.0822}}
)

func TestBDRateKnownValues(t *testing.T) {
	tests := []struct {
		name      string
		ref, test []RDPoint
		samples   int
		want, tol float64
	}{
		// Exact integration: Netflix's BDrateCalculator (validated against
		// JCTVC-E137), which integrates the PCHIP pieces in closed form.
		{"nflx identical exact", nflxA, nflxA, 0, 0, 1e-12},
		{"nflx slightly different exact", nflxA, nflxSlight, 0, 0.0003232105064476798, 1e-9},
		{"nflx different exact", nflxA, nflxDiff, 0, 0.08267113720900943, 1e-9},
		{"JCTVC 1", jctvc1A, jctvc1B, 0, -0.00465215420752807, 1e-5},
		{"JCTVC 2", jctvc2A, jctvc2B, 0, -0.018779823450567612, 1e-5},
		// Trapezoid on 100 samples: Netflix's newer bd_rate.py.
		{"nflx identical trapezoid", nflxA, nflxA, 100, 0, 1e-12},
		{"nflx slightly different trapezoid", nflxA, nflxSlight, 100, 0.000537973253591284, 1e-9},
		{"nflx different trapezoid", nflxA, nflxDiff, 100, 0.0828609163164793, 1e-9},
		{"nflx +100 kbps trapezoid", nflxA, mapRD(nflxA, func(p RDPoint) RDPoint { p.Rate += 100; return p }), 100, 0.8570879677536116, 1e-9},
		{"nflx -10 kbps trapezoid", nflxA, mapRD(nflxA, func(p RDPoint) RDPoint { p.Rate -= 10; return p }), 100, -0.10612811471545303, 1e-9},
		// Proportional rates: exact for any quadrature.
		{"rate ×1.1", nflxA, scaleRate(nflxA, 1.1), 0, 0.1, 1e-12},
		{"rate ×0.9", nflxA, scaleRate(nflxA, 0.9), 0, -0.1, 1e-12},
		{"rate ×1.1 trapezoid", nflxA, scaleRate(nflxA, 1.1), 100, 0.1, 1e-12},
		{"JCTVC rate ×0.8", jctvc1A, scaleRate(jctvc1A, 0.8), 0, -0.2, 1e-12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BDRateWith(tt.ref, tt.test, BDOptions{Samples: tt.samples})
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > tt.tol {
				t.Fatalf("BD-rate = %.17g, want %.17g (±%g)", got, tt.want, tt.tol)
			}
		})
	}
}

func TestBDRateErrors(t *testing.T) {
	shifted := mapRD(nflxA, func(p RDPoint) RDPoint { p.Quality += 100; return p })
	nonMono := []RDPoint{{108048.8736, 39.6471}, {61279.976, 40.3953}, {33905.6656, 37.247}, {18883.6928, 34.2911}}
	nonMono2 := []RDPoint{{58048.8736, 43.6471}, {61279.976, 40.3953}, {33905.6656, 37.247}, {18883.6928, 34.2911}}
	sameRate := []RDPoint{{100, 30}, {100, 31}, {200, 35}, {400, 38}}
	tests := []struct {
		name      string
		ref, test []RDPoint
		opt       BDOptions
		want      error
	}{
		{"no overlap", nflxA, shifted, BDOptions{}, ErrNoOverlap},
		{"non-monotonic", nonMono, jctvc1B, BDOptions{}, ErrNonMonotonic},
		{"non-monotonic 2", nonMono2, jctvc1B, BDOptions{}, ErrNonMonotonic},
		{"non-monotonic test curve", jctvc1B, nonMono, BDOptions{}, ErrNonMonotonic},
		{"repeated rate", sameRate, jctvc1B, BDOptions{}, ErrNonMonotonic},
		{"three points", jctvc1A[:3], jctvc1B, BDOptions{}, ErrTooFewPoints},
		{"duplicates do not count", append(jctvc1A[:3:3], jctvc1A[0]), jctvc1B, BDOptions{}, ErrTooFewPoints},
		{"empty", nil, jctvc1B, BDOptions{}, ErrTooFewPoints},
		{"zero rate", []RDPoint{{0, 30}, {1, 31}, {2, 32}, {3, 33}}, jctvc1B, BDOptions{}, ErrBadRate},
		{"NaN quality", []RDPoint{{1, math.NaN()}, {2, 31}, {3, 32}, {4, 33}}, jctvc1B, BDOptions{}, ErrBadRate},
		{"bounds exclude overlap", jctvc1A, jctvc1B, BDOptions{Low: 50}, ErrNoOverlap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := BDRateWith(tt.ref, tt.test, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("BDRate err = %v, want %v", err, tt.want)
			}
			_, err = BDQuality(tt.ref, tt.test)
			if tt.name != "no overlap" && tt.name != "bounds exclude overlap" && !errors.Is(err, tt.want) {
				t.Fatalf("BDQuality err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := BDRateWith(jctvc1A, jctvc1B, BDOptions{Samples: 1}); err == nil {
		t.Fatal("Samples: 1 accepted")
	}
}

func TestBDRateOrderAndDuplicatesIgnored(t *testing.T) {
	// jctvc curves come highest rate first; reversing or repeating points
	// must not change anything.
	rev := []RDPoint{jctvc1B[3], jctvc1B[2], jctvc1B[1], jctvc1B[0], jctvc1B[2]}
	a, err := BDRate(jctvc1A, jctvc1B)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BDRate(jctvc1A, rev)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("%v != %v", a, b)
	}
}

func TestBDRateBounds(t *testing.T) {
	// Narrowing to the top half of a proportional shift keeps it exact;
	// narrowing a real comparison changes the value.
	got, err := BDRateWith(nflxA, scaleRate(nflxA, 1.25), BDOptions{Low: 60, High: 90})
	if err != nil || math.Abs(got-0.25) > 1e-12 {
		t.Fatalf("got %v, %v", got, err)
	}
	full, _ := BDRate(nflxA, nflxDiff)
	part, err := BDRateWith(nflxA, nflxDiff, BDOptions{Low: 60, High: 75})
	if err != nil || part == full {
		t.Fatalf("bounded %v (err %v) vs full %v", part, err, full)
	}
}

func TestBDQuality(t *testing.T) {
	up := mapRD(nflxA, func(p RDPoint) RDPoint { p.Quality += 2.5; return p })
	tests := []struct {
		name      string
		ref, test []RDPoint
		want, tol float64
	}{
		{"identical", nflxA, nflxA, 0, 1e-12},
		{"+2.5 VMAF", nflxA, up, 2.5, 1e-12},
		{"-2.5 VMAF", up, nflxA, -2.5, 1e-12},
		// A pure rate shift of a curve linear in log-rate: quality(r) =
		// 10 ln r, shifting rates by ×e² lowers quality by exactly 20.
		{"log-linear", logLinear(1), mapRD(logLinear(1), func(p RDPoint) RDPoint { p.Rate *= math.Exp(2); return p }), -20, 1e-9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BDQuality(tt.ref, tt.test)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > tt.tol {
				t.Fatalf("BD-quality = %.17g, want %g", got, tt.want)
			}
		})
	}
	// The better curve (nflxA needs fewer bits than nflxDiff) has a
	// positive BD-quality against the worse one.
	q, err := BDQuality(nflxDiff, nflxA)
	if err != nil || q <= 0 {
		t.Fatalf("BD-VMAF(diff→A) = %v, %v; want > 0", q, err)
	}
	// Rate bounds.
	q, err = BDQualityWith(logLinear(1), mapRD(logLinear(1), func(p RDPoint) RDPoint { p.Quality++; return p }), BDOptions{Low: 10, High: 20})
	if err != nil || math.Abs(q-1) > 1e-12 {
		t.Fatalf("bounded BD-quality = %v, %v", q, err)
	}
}

// logLinear is 8 points with quality = 10·ln(rate), rates 1..128 × scale.
func logLinear(scale float64) []RDPoint {
	var c []RDPoint
	for i := range 8 {
		r := math.Exp2(float64(i)) * scale
		c = append(c, RDPoint{r, 10 * math.Log(r)})
	}
	return c
}

func TestBDRateAntisymmetry(t *testing.T) {
	ab, err := BDRate(nflxA, nflxDiff)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := BDRate(nflxDiff, nflxA)
	if err != nil {
		t.Fatal(err)
	}
	if p := (1 + ab) * (1 + ba); math.Abs(p-1) > 1e-12 {
		t.Fatalf("(1+%v)(1+%v) = %v, want 1", ab, ba, p)
	}
}

// FuzzBDRate checks, for 4–8 point curves built from the fuzz input, that
// a curve against itself is 0, a proportional rate shift is exact, and
// swapping the curves inverts the ratio.
func FuzzBDRate(f *testing.F) {
	f.Add(uint64(0x0102030405060708), uint64(0x1111111111111111), 6, 1.3)
	f.Add(uint64(0xdeadbeefcafebabe), uint64(0x0f0e0d0c0b0a0908), 4, 0.7)
	f.Add(uint64(0xffffffffffffffff), uint64(1), 8, 1.0)
	f.Fuzz(func(t *testing.T, seedA, seedB uint64, n int, factor float64) {
		if n < 4 || n > 8 || !(factor > 0.05 && factor < 20) {
			return
		}
		a := fuzzCurve(seedA, n)
		b := fuzzCurve(seedB, n)
		if d, err := BDRate(a, a); err != nil || d != 0 {
			t.Fatalf("self BD-rate %v, %v", d, err)
		}
		if d, err := BDQuality(a, a); err != nil || d != 0 {
			t.Fatalf("self BD-quality %v, %v", d, err)
		}
		d, err := BDRate(a, scaleRate(a, factor))
		if err != nil || math.Abs(d-(factor-1)) > 1e-9*math.Max(1, factor) {
			t.Fatalf("shift ×%v: BD-rate %v, %v", factor, d, err)
		}
		ab, err1 := BDRate(a, b)
		ba, err2 := BDRate(b, a)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("asymmetric errors %v / %v", err1, err2)
		}
		if err1 != nil {
			if !errors.Is(err1, ErrNoOverlap) {
				t.Fatalf("unexpected error %v", err1)
			}
			return
		}
		if math.Abs(math.Log1p(ab)+math.Log1p(ba)) > 1e-9 {
			t.Fatalf("not antisymmetric: %v, %v", ab, ba)
		}
		qab, _ := BDQuality(a, b)
		qba, _ := BDQuality(b, a)
		if !math.IsNaN(qab) && math.Abs(qab+qba) > 1e-9 {
			t.Fatalf("BD-quality not antisymmetric: %v, %v", qab, qba)
		}
	})
}

// fuzzCurve makes an n-point strictly increasing curve from the bits of
// seed: each byte sets a rate ratio step and a quality step.
func fuzzCurve(seed uint64, n int) []RDPoint {
	r, q := 100.0, 30.0
	var c []RDPoint
	for i := range n {
		b := byte(seed >> (8 * (i % 8)))
		c = append(c, RDPoint{r, q})
		r *= 1.1 + float64(b&0x0f)/8
		q += 0.5 + float64(b>>4)
	}
	return c
}
