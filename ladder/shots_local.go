// The per-shot optimizer's fallback when the exact search gives up: local
// search around the Lagrangian solution.

package ladder

import "slices"

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
