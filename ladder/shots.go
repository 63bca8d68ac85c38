package ladder

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// ShotOption is one way to encode one shot — a point of the shot's
// rate–quality curve.
type ShotOption struct {
	// Width, Height, Codec and CRF are the encode settings.
	Width, Height int
	Codec         string
	CRF           float64
	// Bits is the shot's encoded size (any additive unit, the same for
	// every shot), ≥ 0.
	Bits float64
	// Quality is the shot's quality, the mean VMAF of its frames (or any
	// metric where higher is better and the title's quality is the
	// frame-weighted mean of its shots').
	Quality float64
}

// Shot is one shot of a title and its encode options.
type Shot struct {
	// Frames weighs the shot in the title's mean quality (its length);
	// at least 1.
	Frames int
	// Options are the shot's trial encodes. Only the non-dominated ones
	// matter; the Lagrangian step uses the upper convex hull of them.
	Options []ShotOption
}

// Choice is the option chosen for one shot.
type Choice struct {
	// Shot and Option index the input: shots[Shot].Options[Option].
	Shot, Option int
	ShotOption
}

// Plan is a choice of one option per shot and its totals.
type Plan struct {
	// Choices has one entry per shot, in shot order.
	Choices []Choice
	// Bits is the total of the chosen options' bits.
	Bits float64
	// Quality is the frame-weighted mean of the chosen options' quality.
	Quality float64
	// Lambda is the common slope of the Lagrangian solution the plan
	// started from, in frame-weighted quality per bit (Frames·ΔQuality /
	// ΔBits): every shot sits where its convex hull's slope crosses
	// Lambda. It is the slope of the last upgrade taken, or when none was
	// taken the steepest one available, and 0 when no shot has a choice.
	Lambda float64
	// Exact is true when the plan is proven optimal: the exhaustive
	// Pareto search finished within MaxSearchStates. When false the plan
	// is the Lagrangian solution improved by local search, which is
	// optimal for its own total (it lies on the Pareto front of
	// (total bits, mean quality)) but may overshoot the target.
	Exact bool
}

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

// shotData is one validated shot: its Pareto options (indexes into
// Options, by increasing bits and quality) and the convex hull of them.
type shotData struct {
	frames float64
	opts   []ShotOption
	pareto []int
	hull   []int
}

func prepareShots(shots []Shot) ([]shotData, float64, error) {
	if len(shots) == 0 {
		return nil, 0, fmt.Errorf("%w: no shots", ErrNoPoints)
	}
	data := make([]shotData, len(shots))
	var frames float64
	for s, sh := range shots {
		if sh.Frames < 1 {
			return nil, 0, fmt.Errorf("%w: shot %d has %d frames", ErrBadPoint, s, sh.Frames)
		}
		if len(sh.Options) == 0 {
			return nil, 0, fmt.Errorf("%w: shot %d has no options", ErrNoPoints, s)
		}
		for o, op := range sh.Options {
			if !(op.Bits >= 0) || math.IsInf(op.Bits, 0) || math.IsNaN(op.Quality) || math.IsInf(op.Quality, 0) {
				return nil, 0, fmt.Errorf("%w: shot %d option %d: %g bits, quality %g", ErrBadPoint, s, o, op.Bits, op.Quality)
			}
		}
		idx := make([]int, len(sh.Options))
		for i := range idx {
			idx[i] = i
		}
		xy := func(i int) (float64, float64) { return sh.Options[i].Bits, sh.Options[i].Quality }
		slices.SortStableFunc(idx, func(a, b int) int {
			if c := cmp.Compare(sh.Options[a].Bits, sh.Options[b].Bits); c != 0 {
				return c
			}
			return cmp.Compare(sh.Options[b].Quality, sh.Options[a].Quality)
		})
		var pareto []int
		for _, i := range idx {
			if len(pareto) == 0 || sh.Options[i].Quality > sh.Options[pareto[len(pareto)-1]].Quality {
				pareto = append(pareto, i)
			}
		}
		data[s] = shotData{
			frames: float64(sh.Frames),
			opts:   sh.Options,
			pareto: pareto,
			hull:   upperHull(pareto, xy),
		}
		frames += float64(sh.Frames)
	}
	return data, frames, nil
}

// upgrade is one step along one shot's hull.
type upgrade struct {
	shot, step int // hull[step] → hull[step+1]
	slope      float64
}

// upgrades lists every hull step of every shot by decreasing slope (ties by
// shot, then step). Per shot the slopes strictly decrease, so the order
// keeps each shot's steps in sequence.
func upgrades(data []shotData) []upgrade {
	var ups []upgrade
	for s, d := range data {
		for j := 0; j+1 < len(d.hull); j++ {
			a, b := d.opts[d.hull[j]], d.opts[d.hull[j+1]]
			ups = append(ups, upgrade{s, j, d.frames * (b.Quality - a.Quality) / (b.Bits - a.Bits)})
		}
	}
	slices.SortStableFunc(ups, func(a, b upgrade) int {
		if c := cmp.Compare(b.slope, a.slope); c != 0 {
			return c
		}
		if c := cmp.Compare(a.shot, b.shot); c != 0 {
			return c
		}
		return cmp.Compare(a.step, b.step)
	})
	return ups
}

// totals sums bits and frame-weighted quality of a choice of option
// indexes, always in shot order so that equal choices give equal sums.
func totals(data []shotData, choice []int) (bits, qsum float64) {
	for s, o := range choice {
		bits += data[s].opts[o].Bits
		qsum += data[s].frames * data[s].opts[o].Quality
	}
	return bits, qsum
}

func makePlan(data []shotData, choice []int, frames, lambda float64, exact bool) Plan {
	p := Plan{Choices: make([]Choice, len(choice)), Lambda: lambda, Exact: exact}
	for s, o := range choice {
		p.Choices[s] = Choice{Shot: s, Option: o, ShotOption: data[s].opts[o]}
	}
	var qsum float64
	p.Bits, qsum = totals(data, choice)
	p.Quality = qsum / frames
	return p
}

// sweep walks the Lagrangian solutions from every shot at its cheapest
// option upwards in quality, calling stop after each upgrade (and once
// before any) with the current choice; it returns the choice at which stop
// returned true (or the last one) and the λ there, and the choice before
// the last upgrade (nil if none was taken) and its λ.
func sweep(data []shotData, stop func(choice []int) bool) (cur, prev []int, lambda, prevLambda float64) {
	ups := upgrades(data)
	pos := make([]int, len(data)) // position on each hull
	cur = make([]int, len(data))
	for s, d := range data {
		cur[s] = d.hull[0]
	}
	if len(ups) > 0 {
		lambda = ups[0].slope
	}
	if stop(cur) {
		return cur, nil, lambda, lambda
	}
	for _, u := range ups {
		prev, prevLambda = slices.Clone(cur), lambda
		pos[u.shot]++
		cur[u.shot] = data[u.shot].hull[pos[u.shot]]
		lambda = u.slope
		if stop(cur) {
			break
		}
	}
	return cur, prev, lambda, prevLambda
}

// MinBitsForQuality chooses one option per shot so that the frame-weighted
// mean quality is at least target with the fewest total bits — the Dynamic
// Optimizer's problem for one rung.
//
// It first finds the Lagrangian solution: with the same slope λ for every
// shot, each shot takes the point of its convex hull where the hull's slope
// crosses λ, and λ is lowered until the target is met. λ only matters at
// the hulls' segment slopes, so instead of bisecting on a real λ the
// segments of all shots are sorted by slope and taken in turn, which is
// bisection carried to its exact end. That solution is optimal for the
// quality it reaches, which can overshoot the target; an exact search then
// refines it: a trellis over the shots keeping only the non-dominated
// (bits, quality) partial solutions, dropping those that cannot beat the
// Lagrangian solution even if the remaining shots could sit anywhere on
// their convex hulls (the LP relaxation, a tight bound since the Lagrangian
// solution is near-optimal). Titles of a few hundred shots finish in well
// under a second. When the search would keep more than MaxSearchStates
// partial solutions after a shot, or consider too many in all, local
// search refines the Lagrangian solution instead (moving one shot to
// another option, and for up to 400 shots one down and another up by a
// neighbouring option) and Plan.Exact is false.
//
// Errors: ErrNoPoints (no shots, or a shot without options), ErrBadPoint
// (Frames < 1, negative or non-finite bits, non-finite quality),
// ErrInfeasible (target above the best quality reachable).
func MinBitsForQuality(shots []Shot, target float64) (Plan, error) {
	data, frames, err := prepareShots(shots)
	if err != nil {
		return Plan{}, err
	}
	if math.IsNaN(target) || math.IsInf(target, 0) {
		return Plan{}, fmt.Errorf("%w: target quality %g", ErrBadConstraints, target)
	}
	need := target * frames
	feasible := func(choice []int) bool {
		_, q := totals(data, choice)
		return q >= need
	}
	cur, _, lambda, _ := sweep(data, feasible)
	if !feasible(cur) {
		_, q := totals(data, cur)
		return Plan{}, fmt.Errorf("%w: target quality %g above the best reachable %g", ErrInfeasible, target, q/frames)
	}
	ub, _ := totals(data, cur)
	if best, ok := search(data, func(bits, q float64) bool { return bits <= ub && q >= need }, minBits(need, ub)); ok {
		return makePlan(data, best, frames, lambda, true), nil
	}
	localSearch(data, cur, func(bits, q float64) bool { return q >= need }, func(b0, q0, b1, q1 float64) bool {
		return b1 < b0 || (b1 == b0 && q1 > q0)
	})
	return makePlan(data, cur, frames, lambda, false), nil
}

// MaxQualityForBits chooses one option per shot with total bits at most
// budget and the highest frame-weighted mean quality. The method is that
// of MinBitsForQuality: the Lagrangian solution is the last one within the
// budget, then refined by the exact search or local search.
//
// Errors: those of MinBitsForQuality, and ErrInfeasible when even the
// cheapest options exceed the budget.
func MaxQualityForBits(shots []Shot, budget float64) (Plan, error) {
	data, frames, err := prepareShots(shots)
	if err != nil {
		return Plan{}, err
	}
	if math.IsNaN(budget) || math.IsInf(budget, 0) {
		return Plan{}, fmt.Errorf("%w: bit budget %g", ErrBadConstraints, budget)
	}
	fits := func(choice []int) bool {
		b, _ := totals(data, choice)
		return b <= budget
	}
	cur, prev, lambda, prevLambda := sweep(data, func(choice []int) bool { return !fits(choice) })
	if !fits(cur) {
		if prev == nil {
			b, _ := totals(data, cur)
			return Plan{}, fmt.Errorf("%w: bit budget %g below the cheapest encode %g", ErrInfeasible, budget, b)
		}
		cur, lambda = prev, prevLambda
	}
	_, lb := totals(data, cur)
	if best, ok := search(data, func(bits, q float64) bool { return bits <= budget && q >= lb }, maxQuality(budget, lb)); ok {
		return makePlan(data, best, frames, lambda, true), nil
	}
	localSearch(data, cur, func(bits, q float64) bool { return bits <= budget }, func(b0, q0, b1, q1 float64) bool {
		return q1 > q0 || (q1 == q0 && b1 < b0)
	})
	return makePlan(data, cur, frames, lambda, false), nil
}

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

// maxPairShots is the most shots for which localSearch tries pair moves,
// which cost O(shots²) per move.
const maxPairShots = 400

// localSearch improves choice in place while a move keeps it feasible and
// improves it: moving one shot to another Pareto option, or (up to
// maxPairShots shots) moving one shot down and another up by one Pareto
// neighbour each. Each accepted move
// strictly improves, so it terminates; moves are scanned in a fixed order
// and the best one is taken, so the result is deterministic.
func localSearch(data []shotData, choice []int, feasible func(bits, q float64) bool, improves func(b0, q0, b1, q1 float64) bool) {
	pos := make([]int, len(data)) // position of choice[s] in data[s].pareto
	for s, d := range data {
		pos[s] = slices.Index(d.pareto, choice[s])
		if pos[s] < 0 { // a hull point is always Pareto; keep it safe
			return
		}
	}
	bits, q := totals(data, choice)
	for iter := 0; iter < 1000*len(data); iter++ {
		bestB, bestQ := bits, q
		var apply func()
		try := func(nb, nq float64, f func()) {
			if feasible(nb, nq) && improves(bestB, bestQ, nb, nq) {
				bestB, bestQ, apply = nb, nq, f
			}
		}
		for s, d := range data {
			cb, cq := d.opts[choice[s]].Bits, d.frames*d.opts[choice[s]].Quality
			for k, o := range d.pareto {
				if k == pos[s] {
					continue
				}
				ob, oq := d.opts[o].Bits, d.frames*d.opts[o].Quality
				try(bits-cb+ob, q-cq+oq, func() { choice[s], pos[s] = o, k })
			}
		}
		for s, d := range data {
			if pos[s] == 0 || len(data) > maxPairShots {
				continue
			}
			down := d.pareto[pos[s]-1]
			db := d.opts[down].Bits - d.opts[choice[s]].Bits
			dq := d.frames * (d.opts[down].Quality - d.opts[choice[s]].Quality)
			for t, e := range data {
				if t == s || pos[t]+1 >= len(e.pareto) {
					continue
				}
				up := e.pareto[pos[t]+1]
				ub := e.opts[up].Bits - e.opts[choice[t]].Bits
				uq := e.frames * (e.opts[up].Quality - e.opts[choice[t]].Quality)
				try(bits+db+ub, q+dq+uq, func() {
					choice[s], pos[s] = down, pos[s]-1
					choice[t], pos[t] = up, pos[t]+1
				})
			}
		}
		if apply == nil {
			return
		}
		oldChoice, oldPos := slices.Clone(choice), slices.Clone(pos)
		apply()
		// Recompute in shot order so the move is judged on the same sums
		// as the final plan; undo it if rounding made it no better.
		nb, nq := totals(data, choice)
		if !feasible(nb, nq) || !improves(bits, q, nb, nq) {
			copy(choice, oldChoice)
			copy(pos, oldPos)
			return
		}
		bits, q = nb, nq
	}
}

// HullStep is one vertex of the title's rate–quality curve under per-shot
// optimization.
type HullStep struct {
	// Bits and Quality are the totals: bits, and frame-weighted mean
	// quality.
	Bits, Quality float64
	// Lambda is the slope (Frames·ΔQuality/ΔBits) of the shot upgrade that
	// led here; 0 for the first step (every shot at its cheapest option).
	Lambda float64
}

// ShotsHull returns the convex hull of the title's achievable (total bits,
// mean quality) under per-shot optimization: every Lagrangian solution as
// λ goes from +∞ to 0, from every shot at its cheapest option to every
// shot at its best. These are the per-shot-optimized operating points to
// compare, e.g. with BDRate, against a per-title ladder. Errors are those
// of MinBitsForQuality.
func ShotsHull(shots []Shot) ([]HullStep, error) {
	data, frames, err := prepareShots(shots)
	if err != nil {
		return nil, err
	}
	var steps []HullStep
	sweep(data, func(choice []int) bool {
		b, q := totals(data, choice)
		steps = append(steps, HullStep{Bits: b, Quality: q / frames})
		return false
	})
	ups := upgrades(data)
	for i := range ups {
		steps[i+1].Lambda = ups[i].slope
	}
	return steps, nil
}
