// Package motion computes VMAF's integer motion features
// (VMAF_integer_feature_motion_sad_score, integer_motion2, integer_motion3)
// exactly as libvmaf 3.2 (v3.2.0-13-gf85a8536) does in its "motion"
// feature extractor.
//
// The algorithm follows libvmaf (Copyright 2016-2026 Netflix, Inc.,
// BSD+Patent); this is an independent Go implementation of it. libvmaf
// HEAD computes the motion of frame n as the mean absolute value of the
// 5-tap Gaussian blur of the difference between reference frames n-1 and
// n (a row-pipelined form: vertical pass rounded to 16 bits, horizontal
// pass rounded to integers), not as the SAD of two separately blurred
// frames as libvmaf <= 3.0 did; the two differ in rounding.
//
// Per frame i (n frames in all), with sad[0] = 0:
//
//	motion  = sad[i]
//	motion2 = 0 for i = 0; min(sad[i], sad[i+1]) for 0 < i < n-1; sad[n-1] for the last
//	motion3 = motion2 (blend factor 1, capped at 10000), except frame 0 where it is sad[1] (0 for a single frame)
//
// Only the reference frames are used.
package motion

import (
	"errors"
	"fmt"

	"github.com/reel-video/reel/frame"
)

// Score holds the motion features of one frame.
type Score struct {
	Frame   int
	Motion  float64 // VMAF_integer_feature_motion_sad_score
	Motion2 float64 // integer_motion2
	Motion3 float64 // integer_motion3
}

// Errors returned by the Extractor.
var (
	ErrSize     = errors.New("motion: bad plane size")
	ErrBitDepth = errors.New("motion: bad bit depth")
)

// MinSize is the smallest width and height accepted (the 5-tap filter
// mirrors two samples at each edge).
const MinSize = 3

// libvmaf defaults.
const (
	maxVal      = 10000.0
	blendFactor = 1.0
	blendOffset = 40.0
	fpsWeight   = 1.0
)

var filter = [5]int32{3571, 16004, 26386, 16004, 3571}

// Extractor accumulates motion over a sequence of reference luma planes.
// It is not safe for concurrent use.
type Extractor struct {
	w, h, bpc int
	err       error
	n         int // frames pushed
	prev8     []uint8
	prev16    []uint16
	yrow      []int32
	sadPrev   float64 // sad of frame n-1 (valid when n >= 2)
	flushed   bool
}

// New returns an Extractor for planes of width x height at bpc bits.
func New(width, height, bpc int) *Extractor {
	e := &Extractor{w: width, h: height, bpc: bpc}
	switch {
	case bpc < 8 || bpc > 16:
		e.err = fmt.Errorf("%w: %d", ErrBitDepth, bpc)
	case width < MinSize || height < MinSize:
		e.err = fmt.Errorf("%w: %dx%d is below %dx%d", ErrSize, width, height, MinSize, MinSize)
	}
	if e.err != nil {
		return e
	}
	if bpc == 8 {
		e.prev8 = make([]uint8, width*height)
	} else {
		e.prev16 = make([]uint16, width*height)
	}
	e.yrow = make([]int32, width)
	return e
}

// Push adds the next reference luma plane. It returns the scores that
// became final: none for the first frame, then the previous frame's (whose
// motion2 needs this frame's motion). The last frame is returned by Flush.
func (e *Extractor) Push(ref *frame.Plane) ([]Score, error) {
	if e.err != nil {
		return nil, e.err
	}
	if e.flushed {
		return nil, errors.New("motion: Push after Flush")
	}
	if ref == nil || ref.Width != e.w || ref.Height != e.h {
		return nil, fmt.Errorf("%w: want %dx%d", ErrSize, e.w, e.h)
	}
	w, h := e.w, e.h
	if e.bpc == 8 {
		if len(ref.Pix8) < (h-1)*ref.Stride+w {
			return nil, fmt.Errorf("%w: 8-bit plane needs Pix8", ErrSize)
		}
	} else if len(ref.Pix16) < (h-1)*ref.Stride+w {
		return nil, fmt.Errorf("%w: %d-bit plane needs Pix16", ErrSize, e.bpc)
	}

	var sad float64
	if e.n > 0 {
		var s uint64
		if e.bpc == 8 {
			s = sad8(e.prev8, w, ref.Pix8, ref.Stride, e.yrow, w, h)
		} else {
			s = sad16(e.prev16, w, ref.Pix16, ref.Stride, e.yrow, w, h, uint(e.bpc))
		}
		sad = min(float64(s)/256.0/float64(uint32(w*h))*fpsWeight, maxVal)
	}
	// Keep a copy: the caller may reuse the plane's memory.
	for y := 0; y < h; y++ {
		if e.bpc == 8 {
			copy(e.prev8[y*w:y*w+w], ref.Pix8[y*ref.Stride:])
		} else {
			copy(e.prev16[y*w:y*w+w], ref.Pix16[y*ref.Stride:])
		}
	}

	var out []Score
	switch e.n {
	case 0:
	case 1:
		// Frame 0: motion3 is stamped with frame 1's motion.
		out = []Score{{Frame: 0, Motion3: min(blend(sad), maxVal)}}
	default:
		m2 := min(e.sadPrev, sad)
		out = []Score{{Frame: e.n - 1, Motion: e.sadPrev, Motion2: m2, Motion3: min(blend(m2), maxVal)}}
	}
	e.sadPrev = sad
	e.n++
	return out, nil
}

// Flush returns the last frame's scores (nil if no frame was pushed).
// The Extractor accepts no more frames afterwards.
func (e *Extractor) Flush() []Score {
	if e.err != nil || e.flushed || e.n == 0 {
		e.flushed = true
		return nil
	}
	e.flushed = true
	if e.n == 1 {
		return []Score{{Frame: 0}}
	}
	m2 := e.sadPrev
	return []Score{{Frame: e.n - 1, Motion: e.sadPrev, Motion2: m2, Motion3: min(blend(m2), maxVal)}}
}

func blend(m float64) float64 {
	return m*blendFactor + (1-blendFactor)*min(blendOffset, m)
}

// mirror reflects an index into [0, n) without repeating the edge sample.
func mirror(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*n - i - 2
	}
	return i
}

func abs32(v int32) uint32 {
	if v < 0 {
		return uint32(-v)
	}
	return uint32(v)
}

// sad8 returns the sum over all pixels of |blur(prev - cur)|, with the
// vertical pass rounded by >> 8 and the horizontal one by >> 16.
func sad8(prev []uint8, pstride int, cur []uint8, cstride int, yrow []int32, w, h int) uint64 {
	var total uint64
	yrow = yrow[:w]
	for i := 0; i < h; i++ {
		r0, r1, r2, r3, r4 := mirror(i-2, h), mirror(i-1, h), i, mirror(i+1, h), mirror(i+2, h)
		p0, c0 := prev[r0*pstride:r0*pstride+w], cur[r0*cstride:r0*cstride+w]
		p1, c1 := prev[r1*pstride:r1*pstride+w], cur[r1*cstride:r1*cstride+w]
		p2, c2 := prev[r2*pstride:r2*pstride+w], cur[r2*cstride:r2*cstride+w]
		p3, c3 := prev[r3*pstride:r3*pstride+w], cur[r3*cstride:r3*cstride+w]
		p4, c4 := prev[r4*pstride:r4*pstride+w], cur[r4*cstride:r4*cstride+w]
		p0, p1, p2, p3, p4 = p0[:len(yrow)], p1[:len(yrow)], p2[:len(yrow)], p3[:len(yrow)], p4[:len(yrow)]
		c0, c1, c2, c3, c4 = c0[:len(yrow)], c1[:len(yrow)], c2[:len(yrow)], c3[:len(yrow)], c4[:len(yrow)]
		var any int32
		j8 := 0
		if hasAVX2 && w >= 8 {
			j8 = w &^ 7
			any = yPass8AVX2(&p0[0], &p1[0], &p2[0], &p3[0], &p4[0], &c0[0], &c1[0], &c2[0], &c3[0], &c4[0], &yrow[0], j8)
		}
		for j := j8; j < len(yrow); j++ {
			d0 := int32(p0[j]) - int32(c0[j])
			d1 := int32(p1[j]) - int32(c1[j])
			d2 := int32(p2[j]) - int32(c2[j])
			d3 := int32(p3[j]) - int32(c3[j])
			d4 := int32(p4[j]) - int32(c4[j])
			acc := 3571*(d0+d4) + 16004*(d1+d3) + 26386*d2
			v := (acc + 128) >> 8
			yrow[j] = v
			any |= v
		}
		if any == 0 {
			continue
		}
		total += uint64(xpass(yrow, w))
	}
	return total
}

// sad16 is sad8 for 9..16-bit samples (vertical rounding >> bpc).
func sad16(prev []uint16, pstride int, cur []uint16, cstride int, yrow []int32, w, h int, bpc uint) uint64 {
	var total uint64
	yrow = yrow[:w]
	rnd := int64(1) << (bpc - 1)
	for i := 0; i < h; i++ {
		r0, r1, r2, r3, r4 := mirror(i-2, h), mirror(i-1, h), i, mirror(i+1, h), mirror(i+2, h)
		p0, c0 := prev[r0*pstride:r0*pstride+w], cur[r0*cstride:r0*cstride+w]
		p1, c1 := prev[r1*pstride:r1*pstride+w], cur[r1*cstride:r1*cstride+w]
		p2, c2 := prev[r2*pstride:r2*pstride+w], cur[r2*cstride:r2*cstride+w]
		p3, c3 := prev[r3*pstride:r3*pstride+w], cur[r3*cstride:r3*cstride+w]
		p4, c4 := prev[r4*pstride:r4*pstride+w], cur[r4*cstride:r4*cstride+w]
		p0, p1, p2, p3, p4 = p0[:len(yrow)], p1[:len(yrow)], p2[:len(yrow)], p3[:len(yrow)], p4[:len(yrow)]
		c0, c1, c2, c3, c4 = c0[:len(yrow)], c1[:len(yrow)], c2[:len(yrow)], c3[:len(yrow)], c4[:len(yrow)]
		var any int32
		for j := range yrow {
			d0 := int64(p0[j]) - int64(c0[j])
			d1 := int64(p1[j]) - int64(c1[j])
			d2 := int64(p2[j]) - int64(c2[j])
			d3 := int64(p3[j]) - int64(c3[j])
			d4 := int64(p4[j]) - int64(c4[j])
			acc := 3571*(d0+d4) + 16004*(d1+d3) + 26386*d2
			v := int32((acc + rnd) >> bpc)
			yrow[j] = v
			any |= v
		}
		if any == 0 {
			continue
		}
		total += uint64(xpass(yrow, w))
	}
	return total
}

func hfilt(acc int64) uint32 { return abs32(int32((acc + 32768) >> 16)) }

// xpass filters one row horizontally and returns the sum of absolute
// values (a 32-bit sum, as libvmaf's).
func xpass(yrow []int32, w int) uint32 {
	var rowSad uint32
	edge := func(j int) int64 {
		var acc int64
		for k := 0; k < 5; k++ {
			acc += int64(filter[k]) * int64(yrow[mirror(j-2+k, w)])
		}
		return acc
	}
	for j := 0; j < min(2, w); j++ {
		rowSad += hfilt(edge(j))
	}
	j := 2
	if hasAVX2 && w-4 >= 8 {
		m8 := (w - 4) &^ 7
		rowSad += xPassAVX2(&yrow[0], m8)
		j += m8
	}
	for ; j+2 < w; j++ {
		s := (*[5]int32)(yrow[j-2 : j+3])
		acc := 3571*(int64(s[0])+int64(s[4])) + 16004*(int64(s[1])+int64(s[3])) + 26386*int64(s[2])
		rowSad += hfilt(acc)
	}
	for j := max(2, w-2); j < w; j++ {
		rowSad += hfilt(edge(j))
	}
	return rowSad
}
