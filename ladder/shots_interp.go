package ladder

import "fmt"

// InterpolateOptions refines one shot's options for the per-shot
// optimizer: for each codec and size it keeps the vertices of the
// options' convex hull in (bits, quality) and adds options between
// adjacent vertices at every CRF on a multiple of crfStep, predicted as
// Select predicts interpolated rungs (Constraints.Interpolate, with
// between as Constraints.Between). So a shot can take CRF 25 when it was
// trial-encoded at 23 and 28, and the rungs' CRFs chosen by Select with
// the same step are among its options. On the chord, the options between
// two trial CRFs lie on a hull edge: mixes of the two trial CRFs across
// shots do as well, so they add nothing but reach; BetweenLinear and
// BetweenCubic make them hull vertices of their own.
//
// Options inside the hull are dropped: the Lagrangian optimizer never
// chooses them. Errors: ErrNoPoints without options, ErrBadPoint for
// non-positive or non-finite bits or a non-finite quality, and
// ErrBadConstraints for a crfStep that is not positive.
func InterpolateOptions(opts []ShotOption, crfStep float64, between Between) ([]ShotOption, error) {
	if !(crfStep > 0) {
		return nil, fmt.Errorf("%w: crf step %v", ErrBadConstraints, crfStep)
	}
	pts := make([]Point, len(opts))
	for i, o := range opts {
		pts[i] = Point{Width: o.Width, Height: o.Height, Codec: o.Codec, CRF: o.CRF, BitrateKbps: o.Bits, VMAF: o.Quality}
	}
	curves, err := Curves(pts)
	if err != nil {
		return nil, err
	}
	var out []ShotOption
	for _, c := range curves {
		for _, r := range interpolate(c.Hull, Constraints{CRFStep: crfStep, Between: between}) {
			out = append(out, ShotOption{Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF, Bits: r.BitrateKbps, Quality: r.VMAF})
		}
	}
	return out, nil
}
