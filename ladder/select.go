package ladder

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Constraints tells Select what ladder to build. Zero bounds mean "no
// bound".
type Constraints struct {
	// Rungs is the most rungs to choose (at least 1).
	Rungs int
	// MinRungs is the fewest acceptable; 0 means 1. Select returns as many
	// rungs as fit, up to Rungs, and ErrInfeasible when fewer than MinRungs
	// fit. Set MinRungs = Rungs to insist on the exact count.
	MinRungs int
	// MinKbps and MaxKbps bound every rung's bitrate.
	MinKbps, MaxKbps float64
	// MinVMAF and MaxVMAF bound every rung's VMAF: a floor not worth
	// streaming below, and a ceiling not worth spending bits above.
	MinVMAF, MaxVMAF float64
	// MinRatio is the least bitrate ratio between adjacent rungs (for
	// example 1.5); 0 means none, otherwise it must be ≥ 1.
	MinRatio float64
	// MinVMAFStep is the least VMAF difference between adjacent rungs.
	MinVMAFStep float64
	// Interpolate allows rungs between trial encodes. Without it, rungs
	// are vertices of the title's convex hull (Hull of all points): real
	// trial encodes, with their measured bitrate and VMAF as predictions.
	//
	// With it, each resolution's curve (see Curves) is also sampled
	// between adjacent hull vertices A and B (A cheaper, with the higher
	// CRF) at intermediate CRFs c, predicting
	//
	//	log bitrate linear in CRF:  ln r = ln r_A + t·(ln r_B − ln r_A), t = (CRF_A − c)/(CRF_A − CRF_B)
	//	VMAF on the hull chord:     v = v_A + (v_B − v_A)·(r − r_A)/(r_B − r_A)
	//
	// (x264/x265 CRF is close to log-linear in bitrate over a few steps).
	// Segments whose CRF does not decrease from A to B are not sampled.
	// The candidates of all resolutions are pooled and reduced to their
	// Pareto front (the upper envelope of the per-resolution curves), so a
	// rung is always one encode at one resolution — never a point on a
	// hull edge joining two resolutions, which no single encode achieves.
	Interpolate bool
	// Between, with Interpolate, says how an interpolated point is
	// predicted: BetweenChord as above, BetweenLinear or BetweenCubic.
	Between Between
	// CRFStep, with Interpolate, restricts interpolated CRFs to multiples
	// of CRFStep (1 for integer CRFs). 0 samples every segment at bitrate
	// ratios of at most InterpolationStep, plus the exact points where a
	// segment crosses MinKbps, MaxKbps, MinVMAF or MaxVMAF.
	CRFStep float64
}

// Between is how Select (with Constraints.Interpolate) and
// InterpolateOptions predict a point at a CRF c between two vertices A and B
// of one resolution's hull.
type Between int

const (
	// BetweenChord: log bitrate linear in CRF, VMAF on the hull chord
	// (see Constraints.Interpolate). No encode reaches the chord from
	// below, so it under-predicts.
	BetweenChord Between = iota
	// BetweenLinear: log bitrate and VMAF both linear in CRF,
	// v = v_A + t·(v_B − v_A) (linear in log bitrate: concave in bitrate,
	// above the chord). Measured encodes land closer to it, and it gives
	// InterpolateOptions' per-shot options real interior points of the
	// convex hull.
	BetweenLinear
	// BetweenCubic: log bitrate and VMAF are monotone cubics in CRF (PCHIP)
	// through every vertex of the resolution's hull, not lines through A
	// and B only. VMAF is concave in CRF, so lines under-predict between
	// trial CRFs: leaving out each interior trial CRF of the benchmark
	// titles' grids (252 points, neighbours 10 CRF apart), lines missed
	// its VMAF by −1.7 on average, the cubic by −0.1 (mean absolute error
	// 1.9 and 0.6). With fewer than three vertices, or CRFs that do not
	// fall along the hull, it is BetweenLinear.
	BetweenCubic
)

// InterpolationStep is the largest bitrate ratio between neighbouring
// interpolated candidates when Constraints.CRFStep is 0.
const InterpolationStep = 1.02

// Rung is one chosen rung: the encode to make and its predicted bitrate and
// VMAF (embedded Point).
type Rung struct {
	Point
	// Interpolated is true when the rung lies between two trial encodes
	// (its CRF, bitrate and VMAF are interpolated), false when it is a
	// trial encode.
	Interpolated bool
}

func (c Constraints) check() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadConstraints}, args...)...)
	}
	for _, v := range []float64{c.MinKbps, c.MaxKbps, c.MinVMAF, c.MaxVMAF, c.MinRatio, c.MinVMAFStep, c.CRFStep} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("non-finite value %v", v)
		}
	}
	switch {
	case c.Rungs < 1:
		return bad("Rungs %d (want at least 1)", c.Rungs)
	case c.MinRungs < 0 || c.MinRungs > c.Rungs:
		return bad("MinRungs %d with Rungs %d", c.MinRungs, c.Rungs)
	case c.MinKbps < 0 || c.MaxKbps < 0 || (c.MaxKbps > 0 && c.MinKbps > c.MaxKbps):
		return bad("bitrate range [%g, %g]", c.MinKbps, c.MaxKbps)
	case c.MaxVMAF != 0 && c.MinVMAF > c.MaxVMAF:
		return bad("VMAF range [%g, %g]", c.MinVMAF, c.MaxVMAF)
	case c.MinRatio != 0 && c.MinRatio < 1:
		return bad("MinRatio %g (want 0 or at least 1)", c.MinRatio)
	case c.MinVMAFStep < 0:
		return bad("MinVMAFStep %g", c.MinVMAFStep)
	case c.CRFStep < 0:
		return bad("CRFStep %g", c.CRFStep)
	}
	return nil
}

// inRange reports whether a candidate meets the bitrate and VMAF bounds.
func (c Constraints) inRange(p Point) bool {
	return p.BitrateKbps >= c.MinKbps && (c.MaxKbps == 0 || p.BitrateKbps <= c.MaxKbps) &&
		p.VMAF >= c.MinVMAF && (c.MaxVMAF == 0 || p.VMAF <= c.MaxVMAF)
}

// spaced reports whether hi may be the rung right above lo.
func (c Constraints) spaced(lo, hi Point) bool {
	if c.MinRatio > 0 && hi.BitrateKbps/lo.BitrateKbps < c.MinRatio {
		return false
	}
	return hi.VMAF-lo.VMAF >= c.MinVMAFStep
}

// Select chooses a ladder from trial encodes: up to c.Rungs rungs, sorted
// by increasing bitrate (and VMAF), each inside the bitrate and VMAF
// bounds and spaced from its neighbour by at least c.MinRatio in bitrate
// and c.MinVMAFStep in VMAF. Pass the points of one codec; points of
// several codecs are treated as one pool.
//
// Candidates are the vertices of the title's convex hull (see Hull), or,
// with c.Interpolate, the envelope of the per-resolution curves sampled
// between trial encodes (see Constraints.Interpolate), in both cases those
// inside the bounds. The bottom rung is the cheapest candidate and the top
// rung the best one. Select places as many rungs as the spacing allows, up
// to c.Rungs, and among the ladders with that many rungs picks the one that
// maximises
//
//	Σ_i VMAF_i · ln(r_{i+1}/r_i)   (over all rungs but the top)
//
// the mean VMAF a viewer gets when their throughput is log-uniform over the
// ladder's bitrate span and they play the best rung it affords; this
// spreads rungs evenly in log-bitrate where quality changes slowly and
// packs them where it rises fast. The choice is exact (dynamic programming
// over the candidates, O(Rungs·n²)) and deterministic. With c.Rungs = 1 the
// single rung is the best candidate.
//
// Errors: ErrNoPoints without points, ErrBadPoint for a point with a bad
// bitrate or VMAF, ErrBadConstraints for inconsistent constraints, and
// ErrInfeasible when no candidate is inside the bounds or fewer than
// MinRungs rungs fit.
func Select(points []Point, c Constraints) ([]Rung, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var cands []Rung
	if !c.Interpolate {
		hull, err := Hull(points)
		if err != nil {
			return nil, err
		}
		for _, p := range hull {
			if c.inRange(p) {
				cands = append(cands, Rung{Point: p})
			}
		}
	} else {
		curves, err := Curves(points)
		if err != nil {
			return nil, err
		}
		var pool []Rung
		for _, cv := range curves {
			pool = append(pool, interpolate(cv.Hull, c)...)
		}
		for _, r := range paretoFront(pool) {
			if c.inRange(r.Point) {
				cands = append(cands, r)
			}
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: no trial encode inside bitrate [%g, %g] kbps and VMAF [%g, %g] (0 = unbounded)",
			ErrInfeasible, c.MinKbps, c.MaxKbps, c.MinVMAF, c.MaxVMAF)
	}
	rungs := chooseRungs(cands, c)
	if minR := max(c.MinRungs, 1); len(rungs) < minR {
		return nil, fmt.Errorf("%w: only %d rungs fit (bitrate ratio ≥ %g, VMAF step ≥ %g, %d candidates from %.0f to %.0f kbps), want at least %d",
			ErrInfeasible, len(rungs), c.MinRatio, c.MinVMAFStep, len(cands),
			cands[0].BitrateKbps, cands[len(cands)-1].BitrateKbps, minR)
	}
	return rungs, nil
}

// chooseRungs runs the dynamic programme of Select over candidates sorted
// by strictly increasing bitrate and VMAF.
func chooseRungs(cands []Rung, c Constraints) []Rung {
	n := len(cands)
	if n == 1 || c.Rungs == 1 {
		return []Rung{cands[n-1]}
	}
	logR := make([]float64, n)
	for i, r := range cands {
		logR[i] = math.Log(r.BitrateKbps)
	}
	// best[k][i]: best objective of a chain of k+1 rungs from candidate 0
	// to candidate i; from[k][i] its previous rung.
	negInf := math.Inf(-1)
	best := [][]float64{make([]float64, n)}
	from := [][]int32{make([]int32, n)}
	for i := range best[0] {
		best[0][i] = negInf
	}
	best[0][0] = 0
	chain := 1 // rungs in the longest chain reaching the top candidate
	for k := 1; k < c.Rungs; k++ {
		prev := best[k-1]
		cur := make([]float64, n)
		par := make([]int32, n)
		grew := false
		for i := range n {
			cur[i] = negInf
			for j := range i {
				if prev[j] == negInf || !c.spaced(cands[j].Point, cands[i].Point) {
					continue
				}
				v := prev[j] + cands[j].VMAF*(logR[i]-logR[j])
				if v > cur[i] {
					cur[i], par[i] = v, int32(j)
					grew = true
				}
			}
		}
		if !grew {
			break
		}
		best = append(best, cur)
		from = append(from, par)
		if cur[n-1] > negInf {
			chain = k + 1
		}
	}
	if chain == 1 {
		return []Rung{cands[n-1]}
	}
	out := make([]Rung, chain)
	i := n - 1
	for k := chain - 1; k >= 0; k-- {
		out[k] = cands[i]
		i = int(from[k][i])
	}
	return out
}

// paretoFront sorts candidates by bitrate and keeps those whose VMAF is
// above every cheaper candidate's. At equal bitrate the better VMAF wins,
// then a trial encode over an interpolated point, then input order.
func paretoFront(pool []Rung) []Rung {
	slices.SortStableFunc(pool, func(a, b Rung) int {
		if x := cmp.Compare(a.BitrateKbps, b.BitrateKbps); x != 0 {
			return x
		}
		if x := cmp.Compare(b.VMAF, a.VMAF); x != 0 {
			return x
		}
		switch {
		case a.Interpolated == b.Interpolated:
			return 0
		case !a.Interpolated:
			return -1
		}
		return 1
	})
	var front []Rung
	for _, r := range pool {
		if len(front) > 0 && r.VMAF <= front[len(front)-1].VMAF {
			continue
		}
		front = append(front, r)
	}
	return front
}

// interpolate returns the vertices of one resolution's hull and the
// interpolated points between them (see Constraints.Interpolate).
func interpolate(hull []Point, c Constraints) []Rung {
	var cub *crfCubic
	if c.Between == BetweenCubic {
		cub = newCRFCubic(hull)
	}
	var out []Rung
	for i, a := range hull {
		out = append(out, Rung{Point: a})
		if i+1 == len(hull) {
			break
		}
		b := hull[i+1]
		if !(a.CRF > b.CRF) {
			continue
		}
		lr := math.Log(b.BitrateKbps / a.BitrateKbps)
		at := func(t float64) Rung {
			p := a
			p.CRF = a.CRF - t*(a.CRF-b.CRF)
			p.BitrateKbps = a.BitrateKbps * math.Exp(t*lr)
			switch {
			case cub != nil:
				p.BitrateKbps, p.VMAF = cub.at(p.CRF)
			case c.Between != BetweenChord:
				p.VMAF = a.VMAF + (b.VMAF-a.VMAF)*t
			default:
				p.VMAF = a.VMAF + (b.VMAF-a.VMAF)*(p.BitrateKbps-a.BitrateKbps)/(b.BitrateKbps-a.BitrateKbps)
			}
			return Rung{Point: p, Interpolated: true}
		}
		var ts, crfs []float64
		if c.CRFStep > 0 {
			for m := math.Floor(a.CRF / c.CRFStep); m*c.CRFStep > b.CRF; m-- {
				if crf := m * c.CRFStep; crf < a.CRF {
					ts = append(ts, (a.CRF-crf)/(a.CRF-b.CRF))
					crfs = append(crfs, crf)
				}
			}
		} else {
			steps := int(math.Ceil(lr / math.Log(InterpolationStep)))
			for s := 1; s < steps; s++ {
				ts = append(ts, float64(s)/float64(steps))
			}
			// Exact crossings of the bounds, so the bottom and top rungs
			// can sit on them.
			if cub != nil {
				ts = append(ts, cub.crossings(at, c)...)
			} else {
				ts = append(ts, lineCrossings(a, b, c)...)
			}
			ts = slices.DeleteFunc(ts, func(t float64) bool { return !(t > 0 && t < 1) })
			slices.Sort(ts)
		}
		for k, t := range ts {
			r := at(t)
			if crfs != nil {
				r.CRF = crfs[k]
			}
			// Clamp rounding at exact bound crossings onto the bound.
			r.BitrateKbps = clampNear(r.BitrateKbps, c.MinKbps, c.MaxKbps)
			r.VMAF = clampNear(r.VMAF, c.MinVMAF, c.MaxVMAF)
			out = append(out, r)
		}
	}
	return out
}

// lineCrossings returns the t at which the segment from vertex a to b
// crosses the bitrate and VMAF bounds of c, with log bitrate linear in t
// and VMAF linear in t (BetweenLinear) or on the chord (BetweenChord);
// values outside (0, 1) are for the caller to drop.
func lineCrossings(a, b Point, c Constraints) []float64 {
	lr := math.Log(b.BitrateKbps / a.BitrateKbps)
	var ts []float64
	for _, r := range []float64{c.MinKbps, c.MaxKbps} {
		if r > 0 {
			ts = append(ts, math.Log(r/a.BitrateKbps)/lr)
		}
	}
	for _, v := range []float64{c.MinVMAF, c.MaxVMAF} {
		if v == 0 {
			continue
		}
		if c.Between != BetweenChord {
			ts = append(ts, (v-a.VMAF)/(b.VMAF-a.VMAF))
			continue
		}
		r := a.BitrateKbps + (v-a.VMAF)/(b.VMAF-a.VMAF)*(b.BitrateKbps-a.BitrateKbps)
		if r > 0 {
			ts = append(ts, math.Log(r/a.BitrateKbps)/lr)
		}
	}
	return ts
}

// clampNear moves v onto lo or hi when it is within rounding error of it,
// so that a point computed to sit on a bound passes the bound check.
func clampNear(v, lo, hi float64) float64 {
	const eps = 1e-9
	for _, b := range []float64{lo, hi} {
		if b != 0 && math.Abs(v-b) <= eps*math.Abs(b) {
			return b
		}
	}
	return v
}
