package frame

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrPixelFormat is returned for a raw pixel format name reel cannot read.
var ErrPixelFormat = errors.New("frame: unsupported raw pixel format")

// ParsePixelFormat maps a libav planar YUV pixel format name ("yuv420p",
// "yuv422p10le", "gray", …) to subsampling and bit depth. Only planar,
// little-endian formats are accepted.
func ParsePixelFormat(name string) (Chroma, int, error) {
	n := strings.ToLower(name)
	depth := 8
	if rest, ok := strings.CutSuffix(n, "le"); ok {
		i := strings.LastIndexByte(rest, 'p')
		if strings.HasPrefix(rest, "gray") {
			i = 3
		}
		if i < 0 {
			return 0, 0, fmt.Errorf("%w: %q", ErrPixelFormat, name)
		}
		d, err := strconv.Atoi(rest[i+1:])
		if err != nil || strconv.Itoa(d) != rest[i+1:] { // "10", not "10x", "+10" or "010"
			return 0, 0, fmt.Errorf("%w: %q", ErrPixelFormat, name)
		}
		depth = d
		n = rest[:i+1]
	}
	if depth < 8 || depth > 16 {
		return 0, 0, fmt.Errorf("%w: %q: bit depth %d", ErrPixelFormat, name, depth)
	}
	switch n {
	case "yuv420p", "yuvj420p":
		return Chroma420, depth, nil
	case "yuv422p", "yuvj422p":
		return Chroma422, depth, nil
	case "yuv444p", "yuvj444p":
		return Chroma444, depth, nil
	case "gray":
		return ChromaMono, depth, nil
	}
	return 0, 0, fmt.Errorf("%w: %q (planar yuv420p/422p/444p/gray, optionally 10le/12le/16le)", ErrPixelFormat, name)
}

// RawReader reads headerless planar YUV frames of a known format.
type RawReader struct {
	r          *bufio.Reader
	w, h, bits int
	c          Chroma
	n          int
	buf        []byte
}

// NewRawReader returns a reader of w×h frames in pixel format pixfmt (see
// ParsePixelFormat).
func NewRawReader(r io.Reader, w, h int, pixfmt string) (*RawReader, error) {
	c, bits, err := ParsePixelFormat(pixfmt)
	if err != nil {
		return nil, err
	}
	if w <= 0 || h <= 0 || w > MaxY4MDimension || h > MaxY4MDimension {
		return nil, fmt.Errorf("%w: %dx%d", ErrInvalidSize, w, h)
	}
	return &RawReader{r: bufio.NewReaderSize(r, 1<<16), w: w, h: h, bits: bits, c: c}, nil
}

// ReadFrame returns the next frame, io.EOF after the last, ErrTruncated when
// the input ends inside a frame.
func (rr *RawReader) ReadFrame() (*Frame, error) {
	f, err := New(rr.w, rr.h, rr.bits, rr.c)
	if err != nil {
		return nil, err
	}
	hdr := Y4MHeader{Width: rr.w, Height: rr.h, Chroma: rr.c, BitDepth: rr.bits}
	n := hdr.frameBytes()
	if cap(rr.buf) < n {
		rr.buf = make([]byte, n)
	}
	buf := rr.buf[:n]
	got, err := io.ReadFull(rr.r, buf)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: raw frame %d: %d of %d bytes", ErrTruncated, rr.n, got, n)
		}
		return nil, err
	}
	off := 0
	for i := 0; i < f.NumPlanes(); i++ {
		p := &f.Planes[i]
		if rr.bits == 8 {
			copy(p.Pix8, buf[off:off+p.Width*p.Height])
			off += p.Width * p.Height
			continue
		}
		for j := range p.Pix16 {
			p.Pix16[j] = binary.LittleEndian.Uint16(buf[off:])
			off += 2
		}
	}
	f.Index = rr.n
	rr.n++
	return f, nil
}
