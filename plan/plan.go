// Package plan cuts a title into chunks that can be encoded in parallel
// and stitched back exactly. It is pure (no cgo, no I/O, no clock, no
// randomness): workflow code calls it, so the same inputs always give the
// same plan.
package plan

import (
	"math"
	"slices"

	"github.com/reel-video/reel/profile"
)

// Shot is a shot boundary as shot detection (package vision) reports it:
// the frame a shot starts at and how sure the detector is, in [0, 1].
type Shot struct {
	StartFrame int     `json:"start_frame"`
	Confidence float64 `json:"confidence"`
}

// Chunk is one chunk of a plan: frames [StartFrame, StartFrame+Frames).
type Chunk struct {
	Index      int `json:"index"`
	StartFrame int `json:"start_frame"`
	Frames     int `json:"frames"`
}

// Chunks plans the chunks of a title of frames frames at fps (25 when not
// positive and finite) for a segment duration of segmentFrames frames
// (values below 1 are taken as 1). Zero fields of cfg take their defaults
// (profile.Chunking.WithDefaults).
//
// The chunks cover every frame exactly once, in order, and each starts on
// a segment boundary (a multiple of segmentFrames) so that packaging can
// cut segments at chunk edges. Every chunk holds a whole number of
// segments except the last, which ends with the title.
//
//   - Mode "off" gives one chunk, the whole title.
//   - Mode "fixed", or "shots" without shots, cuts chunks of max_seconds
//     (rounded down to whole segments); a remainder shorter than
//     min_seconds is balanced against the chunk before it when that keeps
//     both within [min, max].
//   - Mode "shots" snaps every shot start to the nearest segment boundary
//     (half a segment rounds up; a shot in the first or last half segment
//     is dropped) and, among the plans whose chunks fit [min, max] (the
//     last chunk may be shorter), picks, in this order: the one with the
//     fewest chunks shorter than min_seconds, the fewest cuts that are not
//     at a shot boundary (needed where a shot is longer than max_seconds),
//     then the most confident shot boundaries as chunk starts (each cut at
//     a shot earns its confidence: short shots merge into the chunk before
//     them, keeping the more confident boundary). Remaining ties go to the
//     plan whose earlier chunks are longer.
//
// Durations are compared with one frame of slack, since a segment's frame
// count is its duration rounded (2 s at 29.97 fps is 60 frames, 2.002 s):
// a chunk of k segments may be up to one frame over max_seconds.
//
// frames ≤ 0 gives no chunks. The work is O(segments × segments per
// max_seconds).
func Chunks(frames int, fps float64, shots []Shot, cfg profile.Chunking, segmentFrames int) []Chunk {
	if frames <= 0 {
		return nil
	}
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	seg := max(segmentFrames, 1)
	cfg = cfg.WithDefaults(float64(seg) / fps)
	if cfg.Mode == profile.ChunkOff {
		return []Chunk{{Index: 0, StartFrame: 0, Frames: frames}}
	}
	n := (frames + seg - 1) / seg // segments; the last may be partial
	minSegs, maxSegs := segmentRange(cfg, fps, seg)

	// reward[b] > 0 marks segment boundary b (0 < b < n) as a shot
	// boundary, worth its confidence in thousandths (at least 1).
	reward := make([]int64, n+1)
	isShot := make([]bool, n+1)
	if cfg.Mode == profile.ChunkShots {
		for _, s := range shots {
			if s.StartFrame <= 0 || s.StartFrame >= frames {
				continue
			}
			b := (2*s.StartFrame + seg) / (2 * seg) // nearest, half up
			if b <= 0 || b >= n {
				continue
			}
			c := s.Confidence
			if !(c > 0) { // also NaN
				c = 0
			}
			r := int64(math.Round(min(c, 1)*1000)) + 1
			isShot[b] = true
			reward[b] = max(reward[b], r)
		}
	}
	starts := cut(n, minSegs, maxSegs, isShot, reward)
	out := make([]Chunk, len(starts))
	for i, b := range starts {
		end := frames
		if i+1 < len(starts) {
			end = starts[i+1] * seg
		}
		out[i] = Chunk{Index: i, StartFrame: b * seg, Frames: end - b*seg}
	}
	return out
}

// segmentRange converts the chunk duration bounds into whole segments:
// minSegs is the fewest segments lasting min_seconds, maxSegs the most
// lasting max_seconds, each with a frame of slack; 1 ≤ minSegs ≤ maxSegs.
func segmentRange(cfg profile.Chunking, fps float64, seg int) (minSegs, maxSegs int) {
	minFrames, maxFrames := cfg.MinSeconds*fps, cfg.MaxSeconds*fps
	maxSegs = 1
	if v := math.Floor((maxFrames + 1) / float64(seg)); v > 1 {
		maxSegs = int(min(v, math.MaxInt32))
	}
	minSegs = 1
	if v := math.Ceil((minFrames - 1) / float64(seg)); v > 1 {
		minSegs = int(min(v, float64(maxSegs)))
	}
	return minSegs, maxSegs
}

// cost orders plans lexicographically: fewer short non-final chunks, then
// fewer short final chunks, then fewer cuts off shot boundaries, then
// more shot reward.
type cost struct {
	shortInner, shortLast, blind int
	reward                       int64
}

func (a cost) less(b cost) bool {
	switch {
	case a.shortInner != b.shortInner:
		return a.shortInner < b.shortInner
	case a.shortLast != b.shortLast:
		return a.shortLast < b.shortLast
	case a.blind != b.blind:
		return a.blind < b.blind
	}
	return a.reward > b.reward
}

// cut chooses chunk starts among segment boundaries 0..n-1 by dynamic
// programming over the boundaries: best[q] is the best plan of segments
// [0, q) given that a chunk starts at q (or q == n).
func cut(n, minSegs, maxSegs int, isShot []bool, reward []int64) []int {
	best := make([]cost, n+1)
	from := make([]int, n+1)
	for q := 1; q <= n; q++ {
		first := true
		// Larger p first: ties keep the longer earlier chunks.
		for p := q - 1; p >= max(0, q-maxSegs); p-- {
			c := best[p]
			if p > 0 {
				if isShot[p] {
					c.reward += reward[p]
				} else {
					c.blind++
				}
			}
			if q-p < minSegs {
				if q == n {
					c.shortLast++
				} else {
					c.shortInner++
				}
			}
			if first || c.less(best[q]) {
				best[q], from[q], first = c, p, false
			}
		}
	}
	var starts []int
	for q := n; q > 0; q = from[q] {
		starts = append(starts, from[q])
	}
	slices.Reverse(starts)
	return starts
}
