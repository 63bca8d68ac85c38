package ladder

import (
	"errors"
	"math"
	"testing"
)

func TestPCHIPInterpolatesKnots(t *testing.T) {
	x := []float64{0, 1, 2.5, 3, 7}
	y := []float64{1, 3, 2, 2, 10}
	p, err := NewPCHIP(x, y)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if got := p.At(x[i]); math.Abs(got-y[i]) > 1e-12 {
			t.Fatalf("At(%v) = %v, want %v", x[i], got, y[i])
		}
	}
	// Flat data stays flat between equal knots, and a local maximum at a
	// knot gets a zero slope (no overshoot above 3 near x = 1).
	for s := 2.5; s <= 3; s += 0.05 {
		if got := p.At(s); math.Abs(got-2) > 1e-12 {
			t.Fatalf("At(%v) = %v on flat piece", s, got)
		}
	}
	for s := 0.0; s <= 2.5; s += 0.01 {
		if got := p.At(s); got > 3+1e-12 {
			t.Fatalf("overshoot At(%v) = %v", s, got)
		}
	}
}

func TestPCHIPPreservesCubicsAndLines(t *testing.T) {
	// A straight line is reproduced exactly, extrapolation included, and
	// integrates exactly.
	x := []float64{-1, 0.5, 2, 4, 4.5}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 3*v - 2
	}
	p, err := NewPCHIP(x, y)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []float64{-3, -1, 0, 1.7, 4.5, 6} {
		if got := p.At(s); math.Abs(got-(3*s-2)) > 1e-12 {
			t.Fatalf("At(%v) = %v", s, got)
		}
	}
	// ∫_{-2}^{5} (3s − 2) ds = 1.5(25 − 4) − 2·7 = 17.5
	if got := p.Integral(-2, 5); math.Abs(got-17.5) > 1e-12 {
		t.Fatalf("Integral = %v, want 17.5", got)
	}
	if got := p.Integral(5, -2); math.Abs(got+17.5) > 1e-12 {
		t.Fatalf("reversed Integral = %v", got)
	}
}

func TestPCHIPKnownSlopes(t *testing.T) {
	// Hand-computed Fritsch–Carlson slopes for x = 0,1,3,4, y = 0,1,3,8:
	// δ = 1, 1, 5; h = 1, 2, 1.
	// d1 = (w1+w2)/(w1/1 + w2/1) = 1 (w1 = 2·2+1, w2 = 2+2·1)
	// d2: w1 = 2·1+2 = 4, w2 = 1+2·2 = 5 → 9/(4/1 + 5/5) = 9/5
	// d0 = ((2·1+2)·1 − 1·1)/3 = 1
	// d3 = ((2·1+2)·5 − 1·1)/3 = 19/3, same sign as δ=5 and δ's agree → kept
	p, err := NewPCHIP([]float64{0, 1, 3, 4}, []float64{0, 1, 3, 8})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 1, 9.0 / 5, 19.0 / 3}
	for i, w := range want {
		if math.Abs(p.d[i]-w) > 1e-14 {
			t.Fatalf("slope %d = %v, want %v", i, p.d[i], w)
		}
	}
	// End-slope limiter: x = 0,1,2, y = 0,1,0 → δ = 1, −1, d0 formula
	// gives (3·1 − 1·(−1))/2 = 2 ≤ 3, kept; y = 0,1,−5: δ = 1,−6 →
	// (3+6)/2 = 4.5 > 3 → limited to 3.
	p, _ = NewPCHIP([]float64{0, 1, 2}, []float64{0, 1, 0})
	if p.d[0] != 2 || p.d[1] != 0 {
		t.Fatalf("slopes %v", p.d)
	}
	p, _ = NewPCHIP([]float64{0, 1, 2}, []float64{0, 1, -5})
	if p.d[0] != 3 {
		t.Fatalf("limited slope %v, want 3", p.d[0])
	}
	// Sign flip: x = 0,1,2, y = 0,1,3 → δ = 1, 2; d0 = (3·1 − 2)/2 = 0.5.
	// y = 0, 0.1, 3: δ = 0.1, 2.9: d0 = (0.3 − 2.9)/2 < 0 → 0.
	p, _ = NewPCHIP([]float64{0, 1, 2}, []float64{0, 0.1, 3})
	if p.d[0] != 0 {
		t.Fatalf("sign-flipped end slope %v, want 0", p.d[0])
	}
}

func TestPCHIPIntegralMatchesQuadrature(t *testing.T) {
	x := []float64{30, 35.5, 40, 44, 47.5, 52}
	y := []float64{5, 5.9, 6.4, 7.3, 7.5, 8.9}
	p, err := NewPCHIP(x, y)
	if err != nil {
		t.Fatal(err)
	}
	for _, ab := range [][2]float64{{30, 52}, {33, 50}, {36, 37}, {28, 54}, {44, 44}} {
		a, b := ab[0], ab[1]
		// Simpson's rule is exact for cubics on each sub-interval; use many.
		const n = 20000
		h := (b - a) / n
		var s float64
		for i := 0; i <= n; i++ {
			w := 2.0
			if i == 0 || i == n {
				w = 1
			} else if i%2 == 1 {
				w = 4
			}
			s += w * p.At(a+float64(i)*h)
		}
		s *= h / 3
		if got := p.Integral(a, b); math.Abs(got-s) > 1e-8 {
			t.Fatalf("Integral(%v, %v) = %.12g, Simpson %.12g", a, b, got, s)
		}
	}
}

func TestPCHIPMonotone(t *testing.T) {
	p, err := NewPCHIP([]float64{0, 1, 1.1, 5, 6}, []float64{0, 0.1, 5, 5.2, 20})
	if err != nil {
		t.Fatal(err)
	}
	prev := math.Inf(-1)
	for s := 0.0; s <= 6; s += 0.001 {
		v := p.At(s)
		if v < prev-1e-12 {
			t.Fatalf("not monotone at %v: %v after %v", s, v, prev)
		}
		prev = v
	}
}

func TestPCHIPErrors(t *testing.T) {
	for _, tc := range []struct{ x, y []float64 }{
		{nil, nil},
		{[]float64{1}, []float64{1}},
		{[]float64{1, 2}, []float64{1}},
		{[]float64{1, 1, 2}, []float64{1, 2, 3}},
		{[]float64{2, 1}, []float64{1, 2}},
		{[]float64{1, math.NaN()}, []float64{1, 2}},
		{[]float64{1, 2}, []float64{math.Inf(1), 2}},
	} {
		if _, err := NewPCHIP(tc.x, tc.y); !errors.Is(err, ErrBadInterpolant) {
			t.Fatalf("NewPCHIP(%v, %v) err = %v", tc.x, tc.y, err)
		}
	}
}
