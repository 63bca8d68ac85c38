package ladder

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrBadInterpolant is returned by NewPCHIP for unusable knots: fewer than
// two, lengths that differ, non-finite values or x not strictly increasing.
var ErrBadInterpolant = errors.New("ladder: bad interpolation knots")

// PCHIP is a piecewise cubic Hermite interpolant with Fritsch–Carlson
// monotone slopes, the same function as scipy's PchipInterpolator: it goes
// through every knot, is C¹, and is monotone wherever the data are, without
// overshoot.
//
// Slopes: with h_k = x_{k+1}−x_k and δ_k = (y_{k+1}−y_k)/h_k, an interior
// knot gets slope 0 when δ_{k−1} and δ_k differ in sign or either is zero,
// and otherwise the weighted harmonic mean
// (w1+w2)/(w1/δ_{k−1} + w2/δ_k) with w1 = 2h_k+h_{k−1}, w2 = h_k+2h_{k−1}.
// End knots use the one-sided three-point formula
// ((2h_0+h_1)δ_0 − h_0δ_1)/(h_0+h_1), set to 0 when its sign differs from
// δ_0's, and limited to 3δ_0 when δ_0 and δ_1 differ in sign and it is
// larger than that. With two knots the interpolant is the straight line.
type PCHIP struct {
	x, y []float64
	// Per segment k, for s = x − x_k: y_k + d_k s + c2_k s² + c3_k s³.
	d, c2, c3 []float64
}

// NewPCHIP builds the interpolant through (x[i], y[i]). x must be strictly
// increasing; both slices are copied.
func NewPCHIP(x, y []float64) (*PCHIP, error) {
	n := len(x)
	if n < 2 || len(y) != n {
		return nil, fmt.Errorf("%w: %d x values, %d y values", ErrBadInterpolant, len(x), len(y))
	}
	for i := range n {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, fmt.Errorf("%w: knot %d is (%g, %g)", ErrBadInterpolant, i, x[i], y[i])
		}
		if i > 0 && !(x[i] > x[i-1]) {
			return nil, fmt.Errorf("%w: x not strictly increasing at %d (%g after %g)", ErrBadInterpolant, i, x[i], x[i-1])
		}
	}
	p := &PCHIP{x: append([]float64(nil), x...), y: append([]float64(nil), y...)}
	h := make([]float64, n-1)
	delta := make([]float64, n-1)
	for k := range n - 1 {
		h[k] = x[k+1] - x[k]
		delta[k] = (y[k+1] - y[k]) / h[k]
	}
	d := make([]float64, n)
	if n == 2 {
		d[0], d[1] = delta[0], delta[0]
	} else {
		for k := 1; k < n-1; k++ {
			a, b := delta[k-1], delta[k]
			if a == 0 || b == 0 || (a > 0) != (b > 0) {
				continue // d[k] = 0
			}
			w1 := 2*h[k] + h[k-1]
			w2 := h[k] + 2*h[k-1]
			d[k] = (w1 + w2) / (w1/a + w2/b)
		}
		d[0] = pchipEnd(h[0], h[1], delta[0], delta[1])
		d[n-1] = pchipEnd(h[n-2], h[n-3], delta[n-2], delta[n-3])
	}
	p.d = d
	p.c2 = make([]float64, n-1)
	p.c3 = make([]float64, n-1)
	for k := range n - 1 {
		p.c2[k] = (3*delta[k] - 2*d[k] - d[k+1]) / h[k]
		p.c3[k] = (d[k] - 2*delta[k] + d[k+1]) / (h[k] * h[k])
	}
	return p, nil
}

// pchipEnd is the one-sided, shape-preserving three-point slope at an end
// knot whose adjacent interval has width h0 and slope m0, the next one h1
// and m1.
func pchipEnd(h0, h1, m0, m1 float64) float64 {
	d := ((2*h0+h1)*m0 - h0*m1) / (h0 + h1)
	switch {
	case sign(d) != sign(m0):
		return 0
	case sign(m0) != sign(m1) && math.Abs(d) > 3*math.Abs(m0):
		return 3 * m0
	}
	return d
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// Min returns the first knot's x.
func (p *PCHIP) Min() float64 { return p.x[0] }

// Max returns the last knot's x.
func (p *PCHIP) Max() float64 { return p.x[len(p.x)-1] }

// segment returns the index of the piece that covers x: the first piece
// for x below the knots, the last for x above them.
func (p *PCHIP) segment(x float64) int {
	// First knot strictly greater than x, minus one.
	k := sort.SearchFloat64s(p.x, x)
	if k < len(p.x) && p.x[k] == x {
		k++
	}
	k--
	return min(max(k, 0), len(p.x)-2)
}

// At evaluates the interpolant at x. Outside [Min, Max] it extrapolates with
// the end pieces' cubics, as scipy does by default.
func (p *PCHIP) At(x float64) float64 {
	k := p.segment(x)
	s := x - p.x[k]
	return p.y[k] + s*(p.d[k]+s*(p.c2[k]+s*p.c3[k]))
}

// primitive is ∫_0^s of piece k.
func (p *PCHIP) primitive(k int, s float64) float64 {
	return s * (p.y[k] + s*(p.d[k]/2+s*(p.c2[k]/3+s*p.c3[k]/4)))
}

// Integral returns the exact integral of the interpolant from a to b
// (negative when b < a), summing the closed-form integral of each cubic
// piece; outside the knots the end pieces are extended as in At.
func (p *PCHIP) Integral(a, b float64) float64 {
	if b < a {
		return -p.Integral(b, a)
	}
	var sum float64
	for k := p.segment(a); k < len(p.x)-1; k++ {
		lo, hi := p.x[k], p.x[k+1]
		if k == 0 || a > lo {
			lo = a
		}
		if k == len(p.x)-2 || b < hi {
			hi = b
		}
		if hi > lo {
			sum += p.primitive(k, hi-p.x[k]) - p.primitive(k, lo-p.x[k])
		}
		if b <= p.x[k+1] {
			break
		}
	}
	return sum
}
