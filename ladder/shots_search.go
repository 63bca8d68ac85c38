// The per-shot optimizer's exact search: a trellis over the shots pruned by
// the LP relaxation of the shots still to come (lpBounds).

package ladder

import (
	"cmp"
	"math"
	"slices"
)

// MaxSearchStates bounds the exact search of MinBitsForQuality and
// MaxQualityForBits: the most partial solutions (non-dominated, after
// pruning) kept after any shot. Above it they fall back to the Lagrangian
// solution refined by local search.
const MaxSearchStates = 1 << 15

// maxSearchWork bounds the exact search's total partial solutions
// considered over all shots (about a second of work), so many shots just
// under MaxSearchStates each cannot make it slow.
const maxSearchWork = 1 << 22

// searchStates is MaxSearchStates; tests lower it to exercise the fallback.
var searchStates = MaxSearchStates

// state is a partial solution of the exact search: totals over the shots
// so far, and how it was reached.
type state struct {
	bits, q float64
	parent  int32 // index in the previous layer
	opt     int32 // option index in the shot
}

// lpBounds is the linear-programming relaxation of the per-shot problem
// over a suffix of the shots (shots s..n−1): every shot may sit anywhere on
// its convex hull, so the suffix's least bits for a quality (or most
// quality for some bits) is the piecewise-linear curve made of all its
// hull steps by decreasing slope. No real choice does better, so these
// bound what the remaining shots can do. The suffix starts as all shots
// and drop removes them front to back, in O(steps) each.
type lpBounds struct {
	steps      []upgrade // the suffix's hull steps, by decreasing slope
	data       []shotData
	baseB      float64   // suffix totals at every cheapest option
	baseQ      float64   //
	cumB, cumQ []float64 // cumulative step sums, from 0
}

func newLPBounds(data []shotData) *lpBounds {
	b := &lpBounds{steps: upgrades(data), data: data}
	for _, d := range data {
		h0 := d.opts[d.hull[0]]
		b.baseB += h0.Bits
		b.baseQ += d.frames * h0.Quality
	}
	b.sums()
	return b
}

func (b *lpBounds) sums() {
	b.cumB = append(b.cumB[:0], 0)
	b.cumQ = append(b.cumQ[:0], 0)
	for _, u := range b.steps {
		d := b.data[u.shot]
		x, y := d.opts[d.hull[u.step]], d.opts[d.hull[u.step+1]]
		b.cumB = append(b.cumB, b.cumB[len(b.cumB)-1]+(y.Bits-x.Bits))
		b.cumQ = append(b.cumQ, b.cumQ[len(b.cumQ)-1]+d.frames*(y.Quality-x.Quality))
	}
}

// drop removes shot s (the first of the suffix) from the bounds.
func (b *lpBounds) drop(s int) {
	d := b.data[s]
	h0 := d.opts[d.hull[0]]
	b.baseB -= h0.Bits
	b.baseQ -= d.frames * h0.Quality
	if len(d.hull) > 1 {
		b.steps = slices.DeleteFunc(b.steps, func(u upgrade) bool { return u.shot == s })
		b.sums()
	}
}

// minBits is a lower bound on the bits the suffix needs to add at least q
// to the frame-weighted quality sum (+Inf when out of reach).
func (b *lpBounds) minBits(q float64) float64 {
	r := q - b.baseQ
	if r <= 0 {
		return b.baseB
	}
	return b.baseB + piecewise(b.cumQ, b.cumB, r, math.Inf(1))
}

// maxQuality is an upper bound on the quality sum the suffix can add with
// at most bits (−Inf when even the cheapest options do not fit).
func (b *lpBounds) maxQuality(bits float64) float64 {
	r := bits - b.baseB
	if r < 0 {
		return math.Inf(-1)
	}
	return b.baseQ + piecewise(b.cumB, b.cumQ, r, b.cumQ[len(b.cumQ)-1])
}

// piecewise interpolates y over increasing xs at x ≥ 0, returning beyond
// past the last knot.
func piecewise(xs, ys []float64, x, beyond float64) float64 {
	k, _ := slices.BinarySearch(xs, x)
	if k == len(xs) {
		return beyond
	}
	if k == 0 || xs[k] == x {
		return ys[k]
	}
	t := (x - xs[k-1]) / (xs[k] - xs[k-1])
	return ys[k-1] + t*(ys[k]-ys[k-1])
}

// searchGoal scores final states and prunes partial ones.
type searchGoal struct {
	// better reports whether final state a beats b.
	better func(a, b state) bool
	// prune reports whether a partial state can be dropped, lp bounding
	// the shots after it.
	prune func(st state, lp *lpBounds) bool
}

// eps is the rounding slack of bound checks: sums are accumulated in other
// orders than the final totals, and no feasible state may be lost to that.
func eps(v float64) float64 { return 1e-9 * math.Max(1, math.Abs(v)) }

func minBits(need, ub float64) searchGoal {
	return searchGoal{
		better: func(a, b state) bool { return a.bits < b.bits || (a.bits == b.bits && a.q > b.q) },
		prune: func(st state, lp *lpBounds) bool {
			return st.bits+lp.minBits(need-st.q-eps(need)) > ub+eps(ub)
		},
	}
}

func maxQuality(budget, lb float64) searchGoal {
	return searchGoal{
		better: func(a, b state) bool { return a.q > b.q || (a.q == b.q && a.bits < b.bits) },
		prune: func(st state, lp *lpBounds) bool {
			return st.q+lp.maxQuality(budget-st.bits+eps(budget)) < lb-eps(lb)
		},
	}
}

// search is the exact trellis: shot by shot, extend every kept partial
// solution by every Pareto option of the shot, drop those that cannot beat
// the Lagrangian solution even in the LP relaxation of the remaining shots
// (see lpBounds), keep the non-dominated rest, and at the end take the best
// final state that ok accepts. It gives up (false) above MaxSearchStates
// states after a shot or maxSearchWork in all. The bounds carry a slack of
// 1e-9 relative, so the Lagrangian solution itself is never pruned and a
// result exists whenever the search completes.
func search(data []shotData, ok func(bits, q float64) bool, goal searchGoal) ([]int, bool) {
	n := len(data)
	lp := newLPBounds(data)
	layers := [][]state{{{}}}
	work := 0
	for s, d := range data {
		lp.drop(s)
		prevLayer := layers[s]
		if work += len(prevLayer) * len(d.pareto); work > maxSearchWork {
			return nil, false
		}
		next := make([]state, 0, len(prevLayer)*len(d.pareto))
		for pi, st := range prevLayer {
			for _, o := range d.pareto {
				op := d.opts[o]
				ns := state{bits: st.bits + op.Bits, q: st.q + d.frames*op.Quality, parent: int32(pi), opt: int32(o)}
				if goal.prune(ns, lp) {
					continue
				}
				next = append(next, ns)
			}
		}
		slices.SortFunc(next, func(a, b state) int {
			if c := cmp.Compare(a.bits, b.bits); c != 0 {
				return c
			}
			if c := cmp.Compare(b.q, a.q); c != 0 {
				return c
			}
			if c := cmp.Compare(a.parent, b.parent); c != 0 {
				return c
			}
			return cmp.Compare(a.opt, b.opt)
		})
		front := next[:0]
		for _, st := range next {
			if len(front) == 0 || st.q > front[len(front)-1].q {
				front = append(front, st)
			}
		}
		if len(front) > searchStates || len(front) == 0 || work > maxSearchWork {
			return nil, false
		}
		layers = append(layers, front)
	}
	last := layers[n]
	bestI := -1
	var bestS state
	choice := make([]int, n)
	for i := range last {
		// Rebuild the choice to check the exact totals.
		k := i
		for s := n; s > 0; s-- {
			choice[s-1] = int(layers[s][k].opt)
			k = int(layers[s][k].parent)
		}
		b, q := totals(data, choice)
		st := state{bits: b, q: q}
		if !ok(b, q) {
			continue
		}
		if bestI < 0 || goal.better(st, bestS) {
			bestI, bestS = i, st
		}
	}
	if bestI < 0 {
		return nil, false
	}
	k := bestI
	for s := n; s > 0; s-- {
		choice[s-1] = int(layers[s][k].opt)
		k = int(layers[s][k].parent)
	}
	return choice, true
}
