package frame

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Errors returned by the y4m reader.
var (
	// ErrNotY4M is returned when the stream does not start with a YUV4MPEG2 header.
	ErrNotY4M = errors.New("y4m: not a YUV4MPEG2 stream")
	// ErrY4MHeader is returned for a malformed or unsupported stream header.
	ErrY4MHeader = errors.New("y4m: bad stream header")
	// ErrY4MFrame is returned for a malformed frame header.
	ErrY4MFrame = errors.New("y4m: bad frame header")
	// ErrTruncated is returned when the stream ends inside a frame.
	ErrTruncated = errors.New("y4m: truncated frame")
)

// MaxY4MDimension bounds the width and height the reader accepts, so a
// corrupt header cannot make it allocate without limit.
const MaxY4MDimension = 16384

const maxHeaderLine = 4096

// Y4MHeader is the parsed stream header of a y4m file.
type Y4MHeader struct {
	Width, Height int
	// RateNum/RateDen is the frame rate; 0/0 when absent.
	RateNum, RateDen int
	// Interlace is the I parameter: 'p', 't', 'b', 'm' or '?' (0 when absent).
	Interlace byte
	// AspectNum/AspectDen is the sample aspect ratio; 0/0 when absent.
	AspectNum, AspectDen int
	// Colorspace is the C parameter as written ("420jpeg", "420p10", …).
	Colorspace string
	Chroma     Chroma
	BitDepth   int
	Range      Range
}

// frameBytes returns the size in bytes of one frame's samples.
func (h *Y4MHeader) frameBytes() int {
	bps := 1
	if h.BitDepth > 8 {
		bps = 2
	}
	n := h.Width * h.Height
	cw, ch := h.Chroma.ChromaSize(h.Width, h.Height)
	n += 2 * cw * ch
	return n * bps
}

// parseColorspace maps a y4m C parameter to subsampling and bit depth.
func parseColorspace(c string) (Chroma, int, error) {
	base, depth := c, 8
	if i := strings.IndexByte(c, 'p'); i > 0 && i+1 < len(c) && c[i+1] >= '0' && c[i+1] <= '9' {
		d, err := strconv.Atoi(c[i+1:])
		if err != nil {
			return 0, 0, fmt.Errorf("%w: colorspace %q", ErrY4MHeader, c)
		}
		base, depth = c[:i], d
	}
	if depth < 8 || depth > 16 {
		return 0, 0, fmt.Errorf("%w: colorspace %q: bit depth %d", ErrY4MHeader, c, depth)
	}
	switch base {
	case "420", "420jpeg", "420paldv", "420mpeg2":
		return Chroma420, depth, nil
	case "422":
		return Chroma422, depth, nil
	case "444":
		return Chroma444, depth, nil
	case "mono":
		return ChromaMono, depth, nil
	}
	if strings.HasPrefix(c, "mono") { // mono16, mono10…
		d, err := strconv.Atoi(c[4:])
		if err == nil && d >= 8 && d <= 16 {
			return ChromaMono, d, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: unsupported colorspace %q", ErrY4MHeader, c)
}

func parseRatio(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, fmt.Errorf("ratio %q has no ':'", s)
	}
	n, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, err
	}
	d, err := strconv.Atoi(b)
	if err != nil {
		return 0, 0, err
	}
	if n < 0 || d < 0 {
		return 0, 0, fmt.Errorf("ratio %q is negative", s)
	}
	return n, d, nil
}

// ParseY4MHeader parses a stream header line (without the trailing newline).
func ParseY4MHeader(line string) (*Y4MHeader, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 || fields[0] != "YUV4MPEG2" {
		return nil, ErrNotY4M
	}
	h := &Y4MHeader{Colorspace: "420jpeg"}
	for _, f := range fields[1:] {
		k, v := f[0], f[1:]
		var err error
		switch k {
		case 'W':
			h.Width, err = strconv.Atoi(v)
		case 'H':
			h.Height, err = strconv.Atoi(v)
		case 'F':
			h.RateNum, h.RateDen, err = parseRatio(v)
		case 'A':
			h.AspectNum, h.AspectDen, err = parseRatio(v)
		case 'I':
			if len(v) != 1 {
				err = fmt.Errorf("interlace %q", v)
			} else {
				h.Interlace = v[0]
			}
		case 'C':
			h.Colorspace = v
		case 'X':
			if r, ok := strings.CutPrefix(v, "COLORRANGE="); ok {
				switch strings.ToUpper(r) {
				case "FULL":
					h.Range = RangeFull
				case "LIMITED":
					h.Range = RangeLimited
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: parameter %q: %v", ErrY4MHeader, f, err)
		}
	}
	if h.Width <= 0 || h.Height <= 0 || h.Width > MaxY4MDimension || h.Height > MaxY4MDimension {
		return nil, fmt.Errorf("%w: size %dx%d", ErrY4MHeader, h.Width, h.Height)
	}
	var err error
	h.Chroma, h.BitDepth, err = parseColorspace(h.Colorspace)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Y4MReader reads frames from a YUV4MPEG2 stream.
type Y4MReader struct {
	r      *bufio.Reader
	hdr    *Y4MHeader
	buf    []byte
	frames int
}

// NewY4MReader reads the stream header from r and returns a reader positioned
// at the first frame.
func NewY4MReader(r io.Reader) (*Y4MReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	// Check the signature first, so that short or binary non-y4m input is
	// reported as ErrNotY4M rather than as a truncated or overlong header.
	if sig, err := br.Peek(len("YUV4MPEG2")); string(sig) != "YUV4MPEG2" {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, ErrNotY4M
	}
	line, err := readLine(br)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%w: header line not terminated", ErrY4MHeader)
		}
		return nil, err
	}
	h, err := ParseY4MHeader(line)
	if err != nil {
		return nil, err
	}
	return &Y4MReader{r: br, hdr: h}, nil
}

// readLine reads up to '\n', bounded by maxHeaderLine.
func readLine(br *bufio.Reader) (string, error) {
	var b bytes.Buffer
	for {
		c, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		if c == '\n' {
			return b.String(), nil
		}
		if b.Len() >= maxHeaderLine {
			return "", fmt.Errorf("%w: header line longer than %d bytes", ErrY4MHeader, maxHeaderLine)
		}
		b.WriteByte(c)
	}
}

// Header returns the stream header.
func (y *Y4MReader) Header() *Y4MHeader { return y.hdr }

// ReadFrame returns the next frame, or io.EOF after the last one. A stream
// that ends inside a frame gives ErrTruncated.
func (y *Y4MReader) ReadFrame() (*Frame, error) {
	f, err := New(y.hdr.Width, y.hdr.Height, y.hdr.BitDepth, y.hdr.Chroma)
	if err != nil {
		return nil, err
	}
	if err := y.ReadFrameInto(f); err != nil {
		return nil, err
	}
	return f, nil
}

// ReadFrameInto reads the next frame into f, which must have the stream's
// format (as from New with the header's values); it lets a caller reuse
// buffers. It returns io.EOF after the last frame.
func (y *Y4MReader) ReadFrameInto(f *Frame) error {
	h := y.hdr
	if f.Width != h.Width || f.Height != h.Height || f.BitDepth != h.BitDepth || f.Chroma != h.Chroma {
		return fmt.Errorf("y4m: frame format %s does not match stream", f.Format())
	}
	line, err := readLine(y.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return io.EOF
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: frame %d: header cut short", ErrTruncated, y.frames)
		}
		return err
	}
	if line != "FRAME" && !strings.HasPrefix(line, "FRAME ") {
		return fmt.Errorf("%w: frame %d: got %.32q", ErrY4MFrame, y.frames, line)
	}
	n := h.frameBytes()
	if cap(y.buf) < n {
		y.buf = make([]byte, n)
	}
	buf := y.buf[:n]
	if got, err := io.ReadFull(y.r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: frame %d: %d of %d bytes", ErrTruncated, y.frames, got, n)
		}
		return err
	}
	off := 0
	for i := 0; i < f.NumPlanes(); i++ {
		p := &f.Planes[i]
		for row := 0; row < p.Height; row++ {
			if h.BitDepth == 8 {
				copy(p.Pix8[row*p.Stride:row*p.Stride+p.Width], buf[off:off+p.Width])
				off += p.Width
			} else {
				dst := p.Pix16[row*p.Stride : row*p.Stride+p.Width]
				for x := range dst {
					dst[x] = binary.LittleEndian.Uint16(buf[off:])
					off += 2
				}
			}
		}
	}
	f.Index = y.frames
	f.Range = h.Range
	if h.RateNum > 0 && h.RateDen > 0 {
		f.PTS, f.TimeBaseNum, f.TimeBaseDen = int64(y.frames), h.RateDen, h.RateNum
	}
	y.frames++
	return nil
}

// Y4MWriter writes frames as a YUV4MPEG2 stream.
type Y4MWriter struct {
	w     io.Writer
	hdr   Y4MHeader
	wrote bool
	buf   []byte
}

// NewY4MWriter returns a writer for frames in h's format. The header is
// written with the first frame. Colorspace is derived from Chroma and
// BitDepth when empty.
func NewY4MWriter(w io.Writer, h Y4MHeader) (*Y4MWriter, error) {
	if h.Width <= 0 || h.Height <= 0 {
		return nil, fmt.Errorf("%w: %dx%d", ErrInvalidSize, h.Width, h.Height)
	}
	if h.BitDepth == 0 {
		h.BitDepth = 8
	}
	if h.Colorspace == "" {
		h.Colorspace = colorspaceName(h.Chroma, h.BitDepth)
	}
	if _, _, err := parseColorspace(h.Colorspace); err != nil {
		return nil, err
	}
	return &Y4MWriter{w: w, hdr: h}, nil
}

func colorspaceName(c Chroma, depth int) string {
	name := map[Chroma]string{Chroma420: "420", Chroma422: "422", Chroma444: "444", ChromaMono: "mono"}[c]
	if depth == 8 {
		if c == Chroma420 {
			return "420jpeg"
		}
		return name
	}
	if c == ChromaMono {
		return fmt.Sprintf("mono%d", depth)
	}
	return fmt.Sprintf("%sp%d", name, depth)
}

func (y *Y4MWriter) header() string {
	h := y.hdr
	var b strings.Builder
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d", h.Width, h.Height)
	if h.RateNum > 0 && h.RateDen > 0 {
		fmt.Fprintf(&b, " F%d:%d", h.RateNum, h.RateDen)
	}
	il := h.Interlace
	if il == 0 {
		il = 'p'
	}
	fmt.Fprintf(&b, " I%c", il)
	if h.AspectNum > 0 && h.AspectDen > 0 {
		fmt.Fprintf(&b, " A%d:%d", h.AspectNum, h.AspectDen)
	}
	fmt.Fprintf(&b, " C%s", h.Colorspace)
	switch h.Range {
	case RangeFull:
		b.WriteString(" XCOLORRANGE=FULL")
	case RangeLimited:
		b.WriteString(" XCOLORRANGE=LIMITED")
	}
	b.WriteByte('\n')
	return b.String()
}

// WriteFrame writes one frame, which must match the writer's format.
func (y *Y4MWriter) WriteFrame(f *Frame) error {
	h := y.hdr
	if f.Width != h.Width || f.Height != h.Height || f.BitDepth != h.BitDepth || f.Chroma != h.Chroma {
		return fmt.Errorf("y4m: frame %s does not match stream %dx%d %s/%d", f.Format(), h.Width, h.Height, h.Chroma, h.BitDepth)
	}
	if !y.wrote {
		if _, err := io.WriteString(y.w, y.header()); err != nil {
			return err
		}
		y.wrote = true
	}
	n := h.frameBytes()
	if cap(y.buf) < n+6 {
		y.buf = make([]byte, 0, n+6)
	}
	buf := append(y.buf[:0], "FRAME\n"...)
	for i := 0; i < f.NumPlanes(); i++ {
		p := &f.Planes[i]
		for row := 0; row < p.Height; row++ {
			if h.BitDepth == 8 {
				buf = append(buf, p.Row8(row)...)
			} else {
				for _, v := range p.Row16(row) {
					buf = binary.LittleEndian.AppendUint16(buf, v)
				}
			}
		}
	}
	_, err := y.w.Write(buf)
	return err
}
