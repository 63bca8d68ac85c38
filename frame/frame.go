// Package frame holds reel's planar video frame type, shared by the decoder
// (package encoder), VMAF (package vmaf) and the QC checks (package vision),
// and a YUV4MPEG2 (y4m) reader and writer.
//
// A Frame is plain Go memory with no cgo: frames are decoded once and then
// scored and checked many times by pure-Go code.
package frame

import (
	"errors"
	"fmt"
)

// Chroma is the chroma subsampling of a frame.
type Chroma int

const (
	// Chroma420 has chroma planes at half width and half height.
	Chroma420 Chroma = iota
	// Chroma422 has chroma planes at half width and full height.
	Chroma422
	// Chroma444 has chroma planes at full size.
	Chroma444
	// ChromaMono has a luma plane only.
	ChromaMono
)

// String returns the y4m-style name of the subsampling ("420", "422", …).
func (c Chroma) String() string {
	switch c {
	case Chroma420:
		return "420"
	case Chroma422:
		return "422"
	case Chroma444:
		return "444"
	case ChromaMono:
		return "mono"
	}
	return fmt.Sprintf("Chroma(%d)", int(c))
}

// ChromaSize returns the size of a chroma plane for a luma plane of w×h.
// Odd luma sizes round up, as libav and y4m do.
func (c Chroma) ChromaSize(w, h int) (cw, ch int) {
	switch c {
	case Chroma420:
		return (w + 1) / 2, (h + 1) / 2
	case Chroma422:
		return (w + 1) / 2, h
	case Chroma444:
		return w, h
	}
	return 0, 0
}

// Range is the color range of the samples.
type Range int

const (
	// RangeUnknown means the source did not say; treat it as limited.
	RangeUnknown Range = iota
	// RangeLimited is "TV"/"MPEG" range: luma 16–235 at 8 bits.
	RangeLimited
	// RangeFull is "PC"/"JPEG" range: 0–255 at 8 bits.
	RangeFull
)

// String returns "limited", "full" or "unknown".
func (r Range) String() string {
	switch r {
	case RangeLimited:
		return "limited"
	case RangeFull:
		return "full"
	}
	return "unknown"
}

// Plane is one image plane. Exactly one of Pix8 (BitDepth 8) or Pix16
// (BitDepth 9–16, samples in the low bits) is set. Stride is in samples.
type Plane struct {
	Width, Height, Stride int
	Pix8                  []uint8
	Pix16                 []uint16
}

// At returns the sample at (x, y) as an int, whatever the bit depth.
func (p *Plane) At(x, y int) int {
	if p.Pix8 != nil {
		return int(p.Pix8[y*p.Stride+x])
	}
	return int(p.Pix16[y*p.Stride+x])
}

// Row8 returns row y of an 8-bit plane.
func (p *Plane) Row8(y int) []uint8 { return p.Pix8[y*p.Stride : y*p.Stride+p.Width] }

// Row16 returns row y of a high-bit-depth plane.
func (p *Plane) Row16(y int) []uint16 { return p.Pix16[y*p.Stride : y*p.Stride+p.Width] }

// Frame is one decoded picture in planar YUV.
type Frame struct {
	Width, Height int
	BitDepth      int // 8 to 16
	Chroma        Chroma
	Range         Range
	// Index is the frame's number in presentation order, from 0.
	Index int
	// PTS is the presentation time in units of TimeBase seconds
	// (TimeBaseNum/TimeBaseDen); both zero when unknown.
	PTS                      int64
	TimeBaseNum, TimeBaseDen int
	// Planes holds Y, Cb, Cr; a mono frame has only Planes[0] set.
	Planes [3]Plane
}

// Errors returned by this package.
var (
	// ErrInvalidSize is returned for a width or height that is not positive.
	ErrInvalidSize = errors.New("frame: invalid size")
	// ErrBitDepth is returned for a bit depth outside 8–16.
	ErrBitDepth = errors.New("frame: unsupported bit depth")
)

// New allocates a zeroed frame with tightly packed planes.
func New(w, h, bitDepth int, c Chroma) (*Frame, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: %dx%d", ErrInvalidSize, w, h)
	}
	if bitDepth < 8 || bitDepth > 16 {
		return nil, fmt.Errorf("%w: %d", ErrBitDepth, bitDepth)
	}
	f := &Frame{Width: w, Height: h, BitDepth: bitDepth, Chroma: c}
	n := 3
	if c == ChromaMono {
		n = 1
	}
	for i := 0; i < n; i++ {
		pw, ph := w, h
		if i > 0 {
			pw, ph = c.ChromaSize(w, h)
		}
		p := Plane{Width: pw, Height: ph, Stride: pw}
		if bitDepth == 8 {
			p.Pix8 = make([]uint8, pw*ph)
		} else {
			p.Pix16 = make([]uint16, pw*ph)
		}
		f.Planes[i] = p
	}
	return f, nil
}

// NumPlanes returns 1 for mono frames and 3 otherwise.
func (f *Frame) NumPlanes() int {
	if f.Chroma == ChromaMono {
		return 1
	}
	return 3
}

// SameFormat reports whether g has f's size, bit depth and subsampling.
func (f *Frame) SameFormat(g *Frame) bool {
	return f.Width == g.Width && f.Height == g.Height && f.BitDepth == g.BitDepth && f.Chroma == g.Chroma
}

// Format describes a frame's layout in a short string such as
// "1920x1080 yuv420p10".
func (f *Frame) Format() string {
	s := fmt.Sprintf("%dx%d yuv%sp", f.Width, f.Height, f.Chroma)
	if f.Chroma == ChromaMono {
		s = fmt.Sprintf("%dx%d gray", f.Width, f.Height)
	}
	if f.BitDepth != 8 {
		s += fmt.Sprint(f.BitDepth)
	}
	return s
}

// Clone returns a deep copy of f.
func (f *Frame) Clone() *Frame {
	g := *f
	for i := range g.Planes {
		p := &g.Planes[i]
		if p.Pix8 != nil {
			p.Pix8 = append([]uint8(nil), p.Pix8...)
		}
		if p.Pix16 != nil {
			p.Pix16 = append([]uint16(nil), p.Pix16...)
		}
	}
	return &g
}
