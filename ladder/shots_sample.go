package ladder

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// ShotSpan is one shot of a title offered to SampleShots.
type ShotSpan struct {
	// Start is the shot's first frame and Frames its length (≥ 1).
	Start, Frames int
	// Complexity is an optional proxy of how hard the shot is to encode
	// (for example its spatial/temporal information, its mean motion, or
	// the bits of a fast constant-QP encode); higher is harder, ≥ 0. When
	// every shot has the same value (all 0: unknown) shots are stratified
	// by length alone.
	Complexity float64
}

// SampleOptions bound the cost of SampleShots' sample. Seconds are turned
// into frames with FPS. The zero value samples every shot whole.
type SampleOptions struct {
	// FPS is the title's frame rate; required when any seconds field is
	// set.
	FPS float64
	// MaxSeconds bounds the total duration of the sample; 0 is no bound.
	MaxSeconds float64
	// MaxShots bounds the number of sampled shots; 0 is no bound.
	MaxShots int
	// MaxShotSeconds bounds the window taken from one shot (a longer shot
	// gives its middle); 0 is no bound beyond MaxSeconds' share.
	MaxShotSeconds float64
	// MinShotSeconds is the shortest sample worth a trial encode: shots
	// shorter than it are represented by longer shots of their stratum
	// when there are any, and MaxSeconds is never split into windows
	// shorter than it. 0 means 1 second (at least one frame).
	MinShotSeconds float64
}

// ShotSample is one sampled shot: the frames to trial-encode and what part
// of the title they stand for.
type ShotSample struct {
	// Shot is the index of the shot in SampleShots' input.
	Shot int
	// Start and Frames are the window to encode, inside the shot: the
	// whole shot, or its middle when the shot is longer than the
	// per-sample cap.
	Start, Frames int
	// Weight is the number of title frames the sample represents (the
	// frames of its stratum); the weights sum to the title's frames.
	// Weighting each sample's per-frame bits and mean VMAF by it
	// estimates the title's.
	Weight int
}

// Sample is SampleShots' result.
type Sample struct {
	// Shots are the samples in title order (by Start, then shot index).
	Shots []ShotSample
	// Of maps every input shot to the index in Shots of the sample that
	// represents it (the one of its stratum), so that per-shot results
	// of the sample can stand in for the title's other shots.
	Of []int
}

// SampleShots chooses a representative sample of a title's shots for trial
// encodes, at a bounded cost, deterministically.
//
// The number of samples k is the least of the number of shots, MaxShots,
// and MaxSeconds / MinShotSeconds (at least 1). The shots are ordered by
// complexity (then length, then index; by length alone when no
// complexity is given) and cut into k strata of about equal screen time
// (a shot belongs to the stratum holding its middle frame; if a long
// shot leaves strata empty, finer cuts are tried until k strata are
// non-empty or every shot is its own stratum). From each stratum the shot
// holding the stratum's frame-weighted median is taken, among the shots
// at least MinShotSeconds long (the longest shot when there are none):
// so simple and complex content, and short and long shots, are sampled in
// proportion to their screen time. Every sample is then cut to at most
// min(MaxShotSeconds, MaxSeconds/k), keeping the shot's middle, so the
// sample never exceeds MaxSeconds.
//
// Errors: ErrNoPoints without shots, ErrBadPoint for a shot with Frames
// < 1, a negative Start or a negative or non-finite Complexity, and
// ErrBadConstraints for negative or non-finite options, seconds without
// FPS, or a MaxSeconds shorter than one frame.
func SampleShots(shots []ShotSpan, opt SampleOptions) (Sample, error) {
	if len(shots) == 0 {
		return Sample{}, fmt.Errorf("%w: no shots to sample", ErrNoPoints)
	}
	for i, s := range shots {
		if s.Frames < 1 || s.Start < 0 || s.Complexity < 0 || math.IsNaN(s.Complexity) || math.IsInf(s.Complexity, 0) {
			return Sample{}, fmt.Errorf("%w: shot %d: start %d, %d frames, complexity %v", ErrBadPoint, i, s.Start, s.Frames, s.Complexity)
		}
	}
	for _, v := range []float64{opt.FPS, opt.MaxSeconds, opt.MaxShotSeconds, opt.MinShotSeconds} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return Sample{}, fmt.Errorf("%w: sample options %+v", ErrBadConstraints, opt)
		}
	}
	if opt.MaxShots < 0 {
		return Sample{}, fmt.Errorf("%w: max shots %d", ErrBadConstraints, opt.MaxShots)
	}
	if opt.FPS == 0 && (opt.MaxSeconds > 0 || opt.MaxShotSeconds > 0 || opt.MinShotSeconds > 0) {
		return Sample{}, fmt.Errorf("%w: sample options in seconds need the frame rate", ErrBadConstraints)
	}
	const unbounded = math.MaxInt
	budget, capFrames := unbounded, unbounded
	if opt.MaxSeconds > 0 {
		b := math.Floor(opt.MaxSeconds*opt.FPS + 1e-9)
		if b < 1 {
			return Sample{}, fmt.Errorf("%w: max %v s at %v fps is less than a frame", ErrBadConstraints, opt.MaxSeconds, opt.FPS)
		}
		budget = int(min(b, 1<<40))
	}
	if opt.MaxShotSeconds > 0 {
		capFrames = int(min(max(1, math.Floor(opt.MaxShotSeconds*opt.FPS+1e-9)), 1<<40))
	}
	minFrames := 1
	switch {
	case opt.MinShotSeconds > 0:
		minFrames = int(min(max(1, math.Round(opt.MinShotSeconds*opt.FPS)), 1<<40))
	case opt.FPS > 0:
		minFrames = int(min(max(1, math.Round(opt.FPS)), 1<<40))
	}

	n := len(shots)
	k := n
	if opt.MaxShots > 0 {
		k = min(k, opt.MaxShots)
	}
	if budget != unbounded {
		k = min(k, max(1, budget/minFrames))
	}

	// Order: by complexity when it varies, then length, then index.
	varies := false
	for _, s := range shots[1:] {
		if s.Complexity != shots[0].Complexity {
			varies = true
			break
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if varies {
			if c := cmp.Compare(shots[a].Complexity, shots[b].Complexity); c != 0 {
				return c
			}
		}
		if c := cmp.Compare(shots[a].Frames, shots[b].Frames); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	total := 0.0
	for _, s := range shots {
		total += float64(s.Frames)
	}
	// Strata: a shot goes to the stratum holding its middle frame in the
	// cumulative screen time, but strata are never skipped (a long shot
	// spanning several cuts takes one) and enough are left for the shots
	// after it, so there are exactly k, each non-empty.
	strata := make([]int, n)
	cum, prev := 0.0, -1
	for j, i := range order {
		mid := cum + float64(shots[i].Frames)/2
		cum += float64(shots[i].Frames)
		s := min(int(mid*float64(k)/total), k-1, prev+1)
		s = max(s, prev, k-(n-j))
		strata[j] = s
		prev = s
	}

	// Pick one shot per stratum.
	type pick struct{ shot, weight int }
	picks := make([]pick, 0, k)
	for j := 0; j < n; {
		e := j
		for e < n && strata[e] == strata[j] {
			e++
		}
		members := order[j:e]
		weight, eligible := 0, 0
		longest := members[0]
		for _, i := range members {
			weight += shots[i].Frames
			if shots[i].Frames >= minFrames {
				eligible += shots[i].Frames
			}
			if shots[i].Frames > shots[longest].Frames {
				longest = i
			}
		}
		chosen := longest
		if eligible > 0 {
			half, cum := float64(eligible)/2, 0
			for _, i := range members {
				if shots[i].Frames < minFrames {
					continue
				}
				cum += shots[i].Frames
				if float64(cum) >= half {
					chosen = i
					break
				}
			}
		}
		picks = append(picks, pick{chosen, weight})
		j = e
	}

	// Cut every sample to its share of the budget.
	limit := capFrames
	if budget != unbounded {
		limit = min(limit, max(1, budget/len(picks)))
	}
	out := Sample{Shots: make([]ShotSample, len(picks)), Of: make([]int, n)}
	for p, pk := range picks {
		s := shots[pk.shot]
		w := ShotSample{Shot: pk.shot, Start: s.Start, Frames: s.Frames, Weight: pk.weight}
		if s.Frames > limit {
			w.Start = s.Start + (s.Frames-limit)/2
			w.Frames = limit
		}
		out.Shots[p] = w
	}
	// Title order, and each shot's representative.
	rank := make([]int, len(picks))
	for i := range rank {
		rank[i] = i
	}
	slices.SortFunc(rank, func(a, b int) int {
		if c := cmp.Compare(out.Shots[a].Start, out.Shots[b].Start); c != 0 {
			return c
		}
		return cmp.Compare(out.Shots[a].Shot, out.Shots[b].Shot)
	})
	pos := make([]int, len(picks))
	sorted := make([]ShotSample, len(picks))
	for to, from := range rank {
		pos[from] = to
		sorted[to] = out.Shots[from]
	}
	out.Shots = sorted
	for j, i := range order {
		out.Of[i] = pos[strata[j]]
	}
	return out, nil
}

// SplitShots cuts every shot at least twice as long as maxFrames into
// ⌊Frames/maxFrames⌋ parts of equal length (the first ones a frame longer
// when it does not divide), each at least maxFrames long, so that
// SampleShots can spread its windows over a long shot — each part a
// candidate of its own, stratified with the other shots — instead of
// taking only its middle, while a window of up to maxFrames still fits in
// every part (short windows are a poorer sample: each trial encode starts
// afresh). parent[i] is the index in shots of part i. Shorter shots pass
// through; maxFrames < 1 returns the shots as they are. Parts keep the
// shot's Complexity.
func SplitShots(shots []ShotSpan, maxFrames int) (parts []ShotSpan, parent []int) {
	for i, s := range shots {
		n := 1
		if maxFrames >= 1 {
			n = max(1, s.Frames/maxFrames)
		}
		start := s.Start
		for p := range n {
			f := s.Frames / n
			if p < s.Frames%n {
				f++
			}
			parts = append(parts, ShotSpan{Start: start, Frames: f, Complexity: s.Complexity})
			parent = append(parent, i)
			start += f
		}
	}
	return parts, parent
}
