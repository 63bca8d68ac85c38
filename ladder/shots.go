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
