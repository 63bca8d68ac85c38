package vision

import "github.com/reel-video/reel/frame"

// frameBuf is a reusable deep copy of a frame (for checks that compare a
// frame with an earlier one).
type frameBuf struct {
	f   *frame.Frame
	idx int
	ok  bool
}

// set copies src into the buffer, reusing its memory.
func (b *frameBuf) set(src *frame.Frame, idx int) {
	if b.f == nil || !b.f.SameFormat(src) {
		b.f = src.Clone()
		// Clone keeps src's strides; fine, copies below use them.
	} else {
		for i := 0; i < 3; i++ {
			sp, dp := &src.Planes[i], &b.f.Planes[i]
			if sp.Pix8 != nil {
				if len(dp.Pix8) != len(sp.Pix8) {
					dp.Pix8 = make([]uint8, len(sp.Pix8))
				}
				copy(dp.Pix8, sp.Pix8)
			}
			if sp.Pix16 != nil {
				if len(dp.Pix16) != len(sp.Pix16) {
					dp.Pix16 = make([]uint16, len(sp.Pix16))
				}
				copy(dp.Pix16, sp.Pix16)
			}
			dp.Stride = sp.Stride
		}
		b.f.Range = src.Range
	}
	b.f.Index = src.Index
	b.idx = idx
	b.ok = true
}

// sadPlanes returns the sum of absolute differences over all planes of a
// and b and the number of samples compared, the way ffmpeg's scene SAD does
// (chroma width rounded up, chroma height rounded down).
func sadPlanes(a, b *frame.Frame) (sad, count uint64) {
	for i := 0; i < a.NumPlanes(); i++ {
		pa, pb := &a.Planes[i], &b.Planes[i]
		w, h := pa.Width, pa.Height
		if i > 0 && a.Chroma == frame.Chroma420 {
			h = a.Height >> 1
		}
		count += uint64(w * h)
		if pa.Pix8 != nil {
			for y := 0; y < h; y++ {
				ra := pa.Pix8[y*pa.Stride : y*pa.Stride+w]
				rb := pb.Pix8[y*pb.Stride : y*pb.Stride+w]
				sad += sadRow8(ra, rb)
			}
		} else {
			for y := 0; y < h; y++ {
				ra := pa.Pix16[y*pa.Stride : y*pa.Stride+w]
				rb := pb.Pix16[y*pb.Stride : y*pb.Stride+w]
				var s uint64
				for x, v := range ra {
					d := int(v) - int(rb[x])
					if d < 0 {
						d = -d
					}
					s += uint64(d)
				}
				sad += s
			}
		}
	}
	return sad, count
}

// sadRow8Go is the portable sadRow8 (and its tail after the SIMD part).
func sadRow8Go(a, b []uint8) uint64 {
	b = b[:len(a)]
	var s uint32
	var total uint64
	for x, v := range a {
		d := int32(v) - int32(b[x])
		m := d >> 31
		s += uint32((d ^ m) - m)
		if x&0xffff == 0xffff {
			total += uint64(s)
			s = 0
		}
	}
	return total + uint64(s)
}

// runs turns a per-frame boolean into half-open [start, end) runs.
type runTracker struct {
	in    bool
	start int
}

// step feeds frame idx's state; it returns (start, true) when a run ends at
// idx (idx is the first frame after it).
func (r *runTracker) step(idx int, on bool) (start int, ended bool) {
	switch {
	case on && !r.in:
		r.in, r.start = true, idx
	case !on && r.in:
		r.in = false
		return r.start, true
	}
	return 0, false
}
