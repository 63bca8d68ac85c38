package ladder

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Sentinel errors of the hull, rung-selection and per-shot APIs. Errors
// returned by this package wrap them with details; test with errors.Is.
var (
	// ErrNoPoints is returned when there is nothing to work on: no trial
	// encodes, no shots, or a shot without options.
	ErrNoPoints = errors.New("ladder: no points")
	// ErrBadPoint is returned for a point whose bitrate is not a finite
	// positive number or whose quality is not finite.
	ErrBadPoint = errors.New("ladder: bad point")
	// ErrInfeasible is returned when the constraints (ranges, spacing, rung
	// count, quality target, bit budget) cannot be met by any choice.
	ErrInfeasible = errors.New("ladder: infeasible constraints")
	// ErrBadConstraints is returned for constraints that make no sense on
	// their own (negative counts, NaN, min above max).
	ErrBadConstraints = errors.New("ladder: bad constraints")
)

// Point is one trial encode of a title (or of a sample of it): the encode
// settings and its measured rate and quality.
type Point struct {
	// Width and Height are the encoded picture size.
	Width, Height int
	// Codec names the encoder (for example "h264"); points of different
	// codecs are different curves.
	Codec string
	// CRF is the encoder's quality setting: the CRF, or the QP of a
	// constant-QP encode. Lower is better quality and more bits.
	CRF float64
	// BitrateKbps is the measured average bitrate in kbit/s.
	BitrateKbps float64
	// VMAF is the measured quality (VMAF at the display resolution, or any
	// quality metric where higher is better).
	VMAF float64
}

// Size returns the point's picture size.
func (p Point) Size() Size { return Size{Width: p.Width, Height: p.Height} }

func (p Point) check() error {
	if !(p.BitrateKbps > 0) || math.IsInf(p.BitrateKbps, 0) || math.IsNaN(p.VMAF) || math.IsInf(p.VMAF, 0) {
		return fmt.Errorf("%w: %dx%d %s CRF %g: bitrate %g kbps, VMAF %g",
			ErrBadPoint, p.Width, p.Height, p.Codec, p.CRF, p.BitrateKbps, p.VMAF)
	}
	return nil
}

// Hull returns the upper convex hull of the points in the (bitrate, VMAF)
// plane, with bitrate on a linear axis: the points a per-title ladder should
// be chosen from.
//
// The result is sorted by increasing bitrate and has strictly increasing
// VMAF; it starts at the lowest-bitrate point (the best-quality one of
// those at that bitrate) and ends at the highest-quality point (the cheapest
// one of those at that quality). A point is dropped when another point is at
// most as expensive and at least as good (dominated), or when it lies on or
// below the straight line between two other points (inside the hull;
// points exactly on a hull edge are dropped too, so the hull is unique).
// Exact duplicates keep the first occurrence.
//
// Given the points of one resolution (and codec) it is that resolution's
// rate–quality curve; given the points of every resolution it is the
// title's convex hull — the upper envelope of the per-resolution curves,
// which is what Netflix's per-title encoding picks rungs from. Hull of all
// points equals Hull of the union of the per-resolution hulls.
//
// Why linear bitrate and not log-bitrate: a straight segment between two
// encodes in the linear (bitrate, VMAF) plane is achievable — switching
// between the two encodes for a fraction of the time gives exactly that mix
// of bits and (time-averaged) quality — so the linear hull is the set of
// operating points worth having, and its slopes are the Lagrangian λ (VMAF
// per kbit/s) that per-shot optimization equalises across shots (see
// MinBitsForQuality). A hull on log-bitrate would drop low-rate points that
// are efficient in linear terms, since VMAF is typically convex in
// log-bitrate at low rates. This matches Netflix, which takes the hull on
// bitrate.
//
// Hull returns ErrNoPoints for no points and ErrBadPoint for a point with a
// non-positive or non-finite bitrate or a non-finite VMAF.
func Hull(points []Point) ([]Point, error) {
	if len(points) == 0 {
		return nil, ErrNoPoints
	}
	for _, p := range points {
		if err := p.check(); err != nil {
			return nil, err
		}
	}
	return upperHull(points, func(p Point) (float64, float64) { return p.BitrateKbps, p.VMAF }), nil
}

// upperHull is the monotone-chain upper hull of items in the (x, y) plane
// given by xy, keeping only the increasing part (from the lowest x to the
// highest y). The sort is stable, so ties keep input order.
func upperHull[T any](items []T, xy func(T) (float64, float64)) []T {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		xa, ya := xy(items[a])
		xb, yb := xy(items[b])
		if c := cmp.Compare(xa, xb); c != 0 {
			return c
		}
		return cmp.Compare(yb, ya) // higher quality first at equal rate
	})
	var hull []T
	for _, i := range idx {
		x, y := xy(items[i])
		if n := len(hull); n > 0 {
			_, ly := xy(hull[n-1])
			if y <= ly { // dominated: at least as expensive, no better
				continue
			}
		}
		for len(hull) >= 2 {
			x1, y1 := xy(hull[len(hull)-2])
			x2, y2 := xy(hull[len(hull)-1])
			// Drop the middle point when it is on or below the chord from
			// (x1,y1) to (x,y): cross product of (p2-p1) and (p-p1) >= 0.
			if (x2-x1)*(y-y1)-(y2-y1)*(x-x1) >= 0 {
				hull = hull[:len(hull)-1]
				continue
			}
			break
		}
		hull = append(hull, items[i])
	}
	return hull
}

// Curve is the rate–quality curve of one codec at one resolution: the
// upper convex hull of its trial encodes.
type Curve struct {
	Codec         string
	Width, Height int
	// Hull is sorted by increasing bitrate and VMAF (see Hull).
	Hull []Point
}

// Curves groups the points by (codec, width, height) and returns the hull of
// each group, ordered by codec, then height, then width. Errors are those of
// Hull.
func Curves(points []Point) ([]Curve, error) {
	if len(points) == 0 {
		return nil, ErrNoPoints
	}
	type key struct {
		codec string
		w, h  int
	}
	groups := map[key][]Point{}
	var keys []key
	for _, p := range points {
		if err := p.check(); err != nil {
			return nil, err
		}
		k := key{p.Codec, p.Width, p.Height}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], p)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.codec, b.codec); c != 0 {
			return c
		}
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.w, b.w)
	})
	curves := make([]Curve, 0, len(keys))
	for _, k := range keys {
		h, _ := Hull(groups[k]) // points already checked; group non-empty
		curves = append(curves, Curve{Codec: k.codec, Width: k.w, Height: k.h, Hull: h})
	}
	return curves, nil
}
