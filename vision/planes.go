package vision

import (
	"sync"
	"sync/atomic"

	"github.com/reel-video/reel/frame"
)

// sharedFrame is a pooled copy of a pushed frame, reference-counted: the
// Analyzer holds one reference per check until the check has processed
// it, and checks that compare a frame with an earlier one keep their own
// (frameBuf) instead of copying it. At zero references it goes back to
// the pool.
type sharedFrame struct {
	f    *frame.Frame
	refs atomic.Int32
	pool *framePool
}

func (s *sharedFrame) retain() { s.refs.Add(1) }

func (s *sharedFrame) release() {
	if s.refs.Add(-1) == 0 {
		s.pool.put(s)
	}
}

// framePool recycles sharedFrames. It never holds more than the most
// frames alive at once: those queued for or in a check (bounded by the
// Analyzer's queue depth) and those kept by checks (at most 4).
type framePool struct {
	mu   sync.Mutex
	free []*sharedFrame
}

// get returns a sharedFrame holding a copy of src with refs references.
func (p *framePool) get(src *frame.Frame, refs int) *sharedFrame {
	p.mu.Lock()
	var s *sharedFrame
	if n := len(p.free); n > 0 {
		s, p.free = p.free[n-1], p.free[:n-1]
	}
	p.mu.Unlock()
	if s == nil {
		s = &sharedFrame{pool: p}
	}
	s.f = copyFrame(s.f, src)
	s.refs.Store(int32(refs))
	return s
}

func (p *framePool) put(s *sharedFrame) {
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}

// copyFrame copies src into dst's memory when dst has the same layout
// (else into a fresh clone) and returns it.
func copyFrame(dst, src *frame.Frame) *frame.Frame {
	if dst == nil || !dst.SameFormat(src) {
		return src.Clone()
	}
	for i := 0; i < 3; i++ {
		sp, dp := &src.Planes[i], &dst.Planes[i]
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
		dp.Width, dp.Height, dp.Stride = sp.Width, sp.Height, sp.Stride
	}
	dst.Range, dst.Index, dst.PTS = src.Range, src.Index, src.PTS
	dst.TimeBaseNum, dst.TimeBaseDen = src.TimeBaseNum, src.TimeBaseDen
	return dst
}

// frameBuf keeps a reference to an earlier frame (for checks that compare
// a frame with an earlier one) without copying it.
type frameBuf struct {
	sf  *sharedFrame
	f   *frame.Frame
	idx int
	ok  bool
}

// set makes the buffer hold sf (frame idx), dropping the frame it held.
func (b *frameBuf) set(sf *sharedFrame, idx int) {
	sf.retain()
	if b.sf != nil {
		b.sf.release()
	}
	b.sf, b.f, b.idx, b.ok = sf, sf.f, idx, true
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
