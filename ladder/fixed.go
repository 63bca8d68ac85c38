// Package ladder holds the pure math of encode ladders: sizing rungs for a
// source, the rate–quality convex hull, rung selection, BD-rate, per-shot
// optimization and the reference ladder per-title ladders are measured against.
// It has no cgo and no I/O, so workflow code can call it deterministically.
package ladder

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadSource is returned when the source size or aspect cannot be used.
var ErrBadSource = errors.New("ladder: bad source geometry")

// Source is the geometry of the source picture.
type Source struct {
	Width, Height int
	// SARNum/SARDen is the sample aspect ratio; 0 or 0/0 means square pixels.
	SARNum, SARDen int
}

// Size is an output picture size.
type Size struct{ Width, Height int }

// displayAspect returns the display aspect ratio of the source.
func (s Source) displayAspect() float64 {
	sar := 1.0
	if s.SARNum > 0 && s.SARDen > 0 {
		sar = float64(s.SARNum) / float64(s.SARDen)
	}
	return float64(s.Width) * sar / float64(s.Height)
}

// even rounds to the nearest even number, at least 2.
func even(v float64) int {
	n := int(math.Round(v/2)) * 2
	if n < 2 {
		n = 2
	}
	return n
}

// RungSize returns the output size for a rung of the given height: never
// above the source height, even width and height, width following the
// source's display aspect ratio (square pixels out) and never wider than the
// source's display width.
func RungSize(src Source, height int) (Size, error) {
	if src.Width <= 0 || src.Height <= 0 {
		return Size{}, fmt.Errorf("%w: %dx%d", ErrBadSource, src.Width, src.Height)
	}
	if height <= 0 {
		return Size{}, fmt.Errorf("ladder: rung height %d", height)
	}
	dar := src.displayAspect()
	h := height
	if h > src.Height {
		h = src.Height
	}
	hEven := even(float64(h))
	if hEven > src.Height { // odd source height: round down
		hEven -= 2
	}
	w := even(float64(hEven) * dar)
	maxW := int(math.Floor(float64(src.Height)*dar/2)) * 2
	if w > maxW && maxW >= 2 {
		w = maxW
	}
	return Size{Width: w, Height: hEven}, nil
}

// Fit sizes every requested rung height for the source and keeps one rung
// per distinct output size (rungs above the source collapse onto it). Of
// rungs that land on the same size, the one whose requested height is
// nearest that size wins (the first on a tie), so a 720p source keeps its
// "720p" rung rather than a "1080p" one shrunk to 720 lines. It returns, for
// each kept rung, its index in heights and its size, in the order given.
func Fit(src Source, heights []int) (idx []int, sizes []Size, err error) {
	at := map[Size]int{} // size → position in idx/sizes
	for i, h := range heights {
		s, err := RungSize(src, h)
		if err != nil {
			return nil, nil, err
		}
		if k, ok := at[s]; ok {
			if abs(h-s.Height) < abs(heights[idx[k]]-s.Height) {
				idx[k] = i
			}
			continue
		}
		at[s] = len(idx)
		idx = append(idx, i)
		sizes = append(sizes, s)
	}
	return idx, sizes, nil
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
