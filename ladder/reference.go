package ladder

import (
	"cmp"
	"fmt"
	"slices"
)

// RefRung is one rung of a fixed reference ladder: a picture height and an
// average bitrate.
type RefRung struct {
	Height      int
	BitrateKbps float64
}

// AppleHLS returns the H.264 ladder of Apple's HLS authoring specification
// for Apple devices (16:9 rungs from 416×234 at 145 kbit/s to 1920×1080 at
// 7800 kbit/s), the fixed reference per-title ladders are compared with.
// Rungs are listed from the lowest; their widths follow the source's
// aspect (RungSize) when they are placed on a title.
func AppleHLS() []RefRung {
	return []RefRung{
		{234, 145}, {360, 365}, {432, 730}, {432, 1100}, {540, 2000},
		{720, 3000}, {720, 4500}, {1080, 6000}, {1080, 7800},
	}
}

// PlacedRung is a reference rung sized for a title, with the VMAF
// PredictReference read off the title's trial curves.
type PlacedRung struct {
	Width, Height int
	BitrateKbps   float64
	// VMAF is the predicted quality; Predicted is false when the rung's
	// bitrate lies outside its resolution's trial curve (or the title has
	// no trial curve at its size), so no prediction was made.
	VMAF      float64
	Predicted bool
}

// PredictReference places a reference ladder on a title — each rung sized
// by RungSize, so rungs above the source collapse onto its size, keeping
// their bitrates — and predicts each rung's VMAF from the title's trial
// encodes of one codec: on the convex hull of the trial points at the
// rung's size, linearly in bitrate between the two hull vertices around
// it (see Hull for why a hull edge is achievable). A rung whose bitrate is
// below the cheapest or above the best trial point at its size is left
// unpredicted rather than extrapolated.
func PredictReference(src Source, ref []RefRung, trials []Point) ([]PlacedRung, error) {
	curves, err := Curves(trials)
	if err != nil {
		return nil, err
	}
	out := make([]PlacedRung, 0, len(ref))
	for _, r := range ref {
		sz, err := RungSize(src, r.Height)
		if err != nil {
			return nil, err
		}
		if !(r.BitrateKbps > 0) {
			return nil, fmt.Errorf("%w: reference rung %dp at %v kbit/s", ErrBadPoint, r.Height, r.BitrateKbps)
		}
		p := PlacedRung{Width: sz.Width, Height: sz.Height, BitrateKbps: r.BitrateKbps}
		for _, c := range curves {
			if c.Width == sz.Width && c.Height == sz.Height {
				p.VMAF, p.Predicted = c.At(r.BitrateKbps)
				break
			}
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b PlacedRung) int { return cmp.Compare(a.BitrateKbps, b.BitrateKbps) })
	return out, nil
}

// At returns the curve's VMAF at a bitrate, linear between the hull
// vertices around it; ok is false outside the hull's bitrate range.
func (c Curve) At(kbps float64) (vmaf float64, ok bool) {
	h := c.Hull
	if len(h) == 0 || kbps < h[0].BitrateKbps || kbps > h[len(h)-1].BitrateKbps {
		return 0, false
	}
	i, found := slices.BinarySearchFunc(h, kbps, func(p Point, k float64) int { return cmp.Compare(p.BitrateKbps, k) })
	if found {
		return h[i].VMAF, true
	}
	a, b := h[i-1], h[i]
	return a.VMAF + (b.VMAF-a.VMAF)*(kbps-a.BitrateKbps)/(b.BitrateKbps-a.BitrateKbps), true
}

// Predicted returns the placed rungs that have a prediction, as RD points
// for BDRate.
func Predicted(rungs []PlacedRung) []RDPoint {
	var out []RDPoint
	for _, r := range rungs {
		if r.Predicted {
			out = append(out, RDPoint{Rate: r.BitrateKbps, Quality: r.VMAF})
		}
	}
	return out
}

// Monotone sorts points by rate and keeps those whose quality is above
// every cheaper point's: a ladder's rungs that a BD measure can use
// (BDRate needs quality rising with rate). dropped are the others, which
// a cheaper rung beats or matches.
func Monotone(ps []RDPoint) (kept, dropped []RDPoint) {
	return MonotoneFunc(ps, func(p RDPoint) RDPoint { return p })
}

// MonotoneFunc is Monotone over any points, read through rd: points that
// carry more than a rate and a quality (rung ids) keep it.
func MonotoneFunc[T any](ps []T, rd func(T) RDPoint) (kept, dropped []T) {
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b T) int { return cmp.Compare(rd(a).Rate, rd(b).Rate) })
	for _, p := range sorted {
		if len(kept) == 0 || rd(p).Quality > rd(kept[len(kept)-1]).Quality {
			kept = append(kept, p)
		} else {
			dropped = append(dropped, p)
		}
	}
	return kept, dropped
}
