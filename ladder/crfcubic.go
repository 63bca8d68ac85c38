package ladder

import "math"

// crfCubic is BetweenCubic's model of one resolution's hull: log bitrate
// and VMAF as monotone cubics (PCHIP) in CRF through its vertices.
type crfCubic struct{ lnr, vmaf *PCHIP }

// newCRFCubic models hull (vertices in increasing bitrate), or returns nil
// when it has fewer than three vertices (a cubic through two is the line)
// or its CRFs do not strictly decrease along it.
func newCRFCubic(hull []Point) *crfCubic {
	n := len(hull)
	if n < 3 {
		return nil
	}
	x, lr, v := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, p := range hull {
		k := n - 1 - i // knots in increasing CRF
		x[k], lr[k], v[k] = p.CRF, math.Log(p.BitrateKbps), p.VMAF
	}
	lnr, err := NewPCHIP(x, lr)
	if err != nil {
		return nil
	}
	vm, err := NewPCHIP(x, v)
	if err != nil {
		return nil
	}
	return &crfCubic{lnr: lnr, vmaf: vm}
}

// at predicts the bitrate and VMAF at crf.
func (c *crfCubic) at(crf float64) (kbps, vmaf float64) {
	return math.Exp(c.lnr.At(crf)), c.vmaf.At(crf)
}

// crossings returns the t in (0, 1) at which the segment point(t) (t = 0
// at one vertex, 1 at the next) crosses the bitrate and VMAF bounds of c,
// by bisection: both are monotone in t, as PCHIP keeps the vertices'
// order.
func (c *crfCubic) crossings(point func(t float64) Rung, bounds Constraints) []float64 {
	var ts []float64
	cross := func(f func(Rung) float64, target float64) {
		lo, hi := 0.0, 1.0
		flo, fhi := f(point(lo))-target, f(point(hi))-target
		if flo == 0 || fhi == 0 || (flo > 0) == (fhi > 0) {
			return // no crossing inside, or on a vertex (a candidate already)
		}
		for hi-lo > 1e-13 {
			mid := (lo + hi) / 2
			if fm := f(point(mid)) - target; (fm > 0) == (flo > 0) {
				lo = mid
			} else {
				hi = mid
			}
		}
		ts = append(ts, (lo+hi)/2)
	}
	for _, r := range []float64{bounds.MinKbps, bounds.MaxKbps} {
		if r > 0 {
			cross(func(p Rung) float64 { return math.Log(p.BitrateKbps) }, math.Log(r))
		}
	}
	for _, v := range []float64{bounds.MinVMAF, bounds.MaxVMAF} {
		if v != 0 {
			cross(func(p Rung) float64 { return p.VMAF }, v)
		}
	}
	return ts
}
