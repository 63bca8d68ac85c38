package av

import (
	"fmt"
	"strings"

	"github.com/asticode/go-astiav"
	"github.com/reel-video/reel/frame"
)

// Format is a planar YUV layout that reel hands out as *frame.Frame.
type Format struct {
	Depth  int // 8 or more
	Chroma frame.Chroma
}

// pixFmt returns libav's planar pixel format for f (limited-range naming;
// full range is metadata carried beside the samples).
func (f Format) pixFmt() (astiav.PixelFormat, error) {
	var name string
	switch f.Chroma {
	case frame.ChromaMono:
		name = "gray"
		if f.Depth > 8 {
			name = fmt.Sprintf("gray%dle", f.Depth)
		}
	default:
		name = "yuv" + f.Chroma.String() + "p"
		if f.Depth > 8 {
			name += fmt.Sprintf("%dle", f.Depth)
		}
	}
	pf := astiav.FindPixelFormatByName(name)
	if pf == astiav.PixelFormatNone {
		return pf, fmt.Errorf("%w: pixel format %s", ErrUnsupported, name)
	}
	return pf, nil
}

// String is the libav name of the format, e.g. "yuv420p10le".
func (f Format) String() string {
	pf, err := f.pixFmt()
	if err != nil {
		return fmt.Sprintf("yuv%sp%d", f.Chroma, f.Depth)
	}
	return pf.Name()
}

// ParseFormat maps a libav pixel format name that reel hands out as is
// ("yuv420p", "yuv422p10le", "yuvj444p", …) to a Format.
func ParseFormat(name string) (Format, error) {
	n := strings.Replace(name, "yuvj", "yuv", 1)
	for _, c := range []frame.Chroma{frame.Chroma420, frame.Chroma422, frame.Chroma444} {
		for _, d := range []int{8, 10} {
			f := Format{Depth: d, Chroma: c}
			if f.String() == n {
				return f, nil
			}
		}
	}
	return Format{}, fmt.Errorf("%w: output pixel format %q (want 8- or 10-bit planar yuv 4:2:0/4:2:2/4:4:4)", ErrUnsupported, name)
}

// nativeFormat returns the Format a source pixel format is handed out as:
// itself when it is 8- or 10-bit planar yuv 4:2:0/4:2:2/4:4:4, otherwise
// yuv420p (8-bit sources) or yuv420p10le (deeper ones). full reports a
// yuvj* (full range) format.
func nativeFormat(pf astiav.PixelFormat) (f Format, full bool) {
	name := pf.Name()
	full = strings.HasPrefix(name, "yuvj")
	if f, err := ParseFormat(name); err == nil {
		return f, full
	}
	if pixDepth(pf) > 8 {
		return Format{Depth: 10, Chroma: frame.Chroma420}, full
	}
	return Format{Depth: 8, Chroma: frame.Chroma420}, full
}

// layoutFormat maps full-range yuvj* formats to their yuv* twins with the
// same memory layout, so that swscale does not convert the range: reel
// keeps samples as they are and carries the range as metadata.
func layoutFormat(pf astiav.PixelFormat) astiav.PixelFormat {
	name := pf.Name()
	if strings.HasPrefix(name, "yuvj") {
		if p := astiav.FindPixelFormatByName(strings.Replace(name, "yuvj", "yuv", 1)); p != astiav.PixelFormatNone {
			return p
		}
	}
	return pf
}

// ScaleFlags maps a swscale algorithm name to its flag; "" is bicubic.
func ScaleFlags(alg string) (astiav.SoftwareScaleContextFlags, error) {
	m := map[string]astiav.SoftwareScaleContextFlag{
		"":              astiav.SoftwareScaleContextFlagBicubic,
		"bicubic":       astiav.SoftwareScaleContextFlagBicubic,
		"bilinear":      astiav.SoftwareScaleContextFlagBilinear,
		"fast_bilinear": astiav.SoftwareScaleContextFlagFastBilinear,
		"bicublin":      astiav.SoftwareScaleContextFlagBicublin,
		"lanczos":       astiav.SoftwareScaleContextFlagLanczos,
		"spline":        astiav.SoftwareScaleContextFlagSpline,
		"area":          astiav.SoftwareScaleContextFlagArea,
		"point":         astiav.SoftwareScaleContextFlagPoint,
		"neighbor":      astiav.SoftwareScaleContextFlagPoint,
		"gauss":         astiav.SoftwareScaleContextFlagGauss,
		"sinc":          astiav.SoftwareScaleContextFlagSinc,
	}
	f, ok := m[strings.ToLower(alg)]
	if !ok {
		return 0, fmt.Errorf("%w: unknown scaling algorithm %q", ErrSettings, alg)
	}
	return astiav.NewSoftwareScaleContextFlags(f), nil
}

// scaler converts and scales AVFrames, rebuilding its swscale context when
// the geometry changes.
type scaler struct {
	ctx                    *astiav.SoftwareScaleContext
	srcW, srcH, dstW, dstH int
	srcFmt, dstFmt         astiav.PixelFormat
	flags                  astiav.SoftwareScaleContextFlags
}

func (s *scaler) free() {
	if s.ctx != nil {
		s.ctx.Free()
		s.ctx = nil
	}
}

// scale writes src, converted to dstFmt at dstW×dstH, into dst; dst gets a
// fresh buffer so that frames still referenced by an encoder are not
// overwritten.
func (s *scaler) scale(src, dst *astiav.Frame, dstW, dstH int, dstFmt astiav.PixelFormat) error {
	srcFmt := layoutFormat(src.PixelFormat())
	dstFmt = layoutFormat(dstFmt)
	if s.ctx == nil || s.srcW != src.Width() || s.srcH != src.Height() || s.srcFmt != srcFmt ||
		s.dstW != dstW || s.dstH != dstH || s.dstFmt != dstFmt {
		s.free()
		c, err := astiav.CreateSoftwareScaleContext(src.Width(), src.Height(), srcFmt, dstW, dstH, dstFmt, s.flags)
		if err != nil {
			return fmt.Errorf("%w: swscale %dx%d %s -> %dx%d %s: %w", ErrUnsupported,
				src.Width(), src.Height(), srcFmt.Name(), dstW, dstH, dstFmt.Name(), err)
		}
		s.ctx = c
		s.srcW, s.srcH, s.srcFmt, s.dstW, s.dstH, s.dstFmt = src.Width(), src.Height(), srcFmt, dstW, dstH, dstFmt
	}
	dst.Unref()
	dst.SetWidth(dstW)
	dst.SetHeight(dstH)
	dst.SetPixelFormat(dstFmt)
	if err := dst.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocating %dx%d frame: %w", dstW, dstH, err)
	}
	// sws_scale_frame looks at the frame's pixel format; give it the
	// layout twin of a yuvj source without touching the decoder's frame.
	in := src
	if srcFmt != src.PixelFormat() {
		in = astiav.AllocFrame()
		defer in.Free()
		if err := in.Ref(src); err != nil {
			return fmt.Errorf("referencing frame: %w", err)
		}
		in.SetPixelFormat(srcFmt)
	}
	if err := s.ctx.ScaleFrame(in, dst); err != nil {
		return fmt.Errorf("swscale: %w", err)
	}
	dst.SetColorRange(src.ColorRange())
	dst.SetSampleAspectRatio(src.SampleAspectRatio())
	dst.SetPts(src.Pts())
	return nil
}

// toFrame copies an AVFrame in format f into a new *frame.Frame.
func toFrame(src *astiav.Frame, f Format) (*frame.Frame, error) {
	out, err := frame.New(src.Width(), src.Height(), f.Depth, f.Chroma)
	if err != nil {
		return nil, err
	}
	ls := src.Linesize()
	bps := 1
	if f.Depth > 8 {
		bps = 2
	}
	for i := 0; i < out.NumPlanes(); i++ {
		p := &out.Planes[i]
		stride := ls[i]
		if stride <= 0 {
			return nil, fmt.Errorf("%w: plane %d has stride %d", ErrUnsupported, i, stride)
		}
		data := planeData(src, i, stride*(p.Height-1)+p.Width*bps)
		if data == nil {
			return nil, fmt.Errorf("%w: plane %d missing", ErrInvalidData, i)
		}
		for y := 0; y < p.Height; y++ {
			row := data[y*stride : y*stride+p.Width*bps]
			if bps == 1 {
				copy(p.Pix8[y*p.Stride:], row)
			} else {
				dst := p.Pix16[y*p.Stride : y*p.Stride+p.Width]
				for x := range dst {
					dst[x] = uint16(row[2*x]) | uint16(row[2*x+1])<<8
				}
			}
		}
	}
	switch src.ColorRange() {
	case astiav.ColorRangeJpeg:
		out.Range = frame.RangeFull
	case astiav.ColorRangeMpeg:
		out.Range = frame.RangeLimited
	}
	return out, nil
}

// fromFrame copies f into a new AVFrame; the caller frees it.
func fromFrame(f *frame.Frame) (*astiav.Frame, error) {
	pf, err := Format{Depth: f.BitDepth, Chroma: f.Chroma}.pixFmt()
	if err != nil {
		return nil, err
	}
	a := astiav.AllocFrame()
	if a == nil {
		return nil, fmt.Errorf("allocating frame failed")
	}
	a.SetWidth(f.Width)
	a.SetHeight(f.Height)
	a.SetPixelFormat(pf)
	if err := a.AllocBuffer(0); err != nil {
		a.Free()
		return nil, fmt.Errorf("allocating %s frame: %w", f.Format(), err)
	}
	ls := a.Linesize()
	bps := 1
	if f.BitDepth > 8 {
		bps = 2
	}
	for i := 0; i < f.NumPlanes(); i++ {
		p := &f.Planes[i]
		if (p.Pix8 == nil && p.Pix16 == nil) || p.Stride < p.Width || p.Height <= 0 {
			a.Free()
			return nil, fmt.Errorf("%w: plane %d of %s frame is empty or malformed", ErrSettings, i, f.Format())
		}
		data := planeData(a, i, ls[i]*(p.Height-1)+p.Width*bps)
		for y := 0; y < p.Height; y++ {
			row := data[y*ls[i] : y*ls[i]+p.Width*bps]
			if bps == 1 {
				copy(row, p.Pix8[y*p.Stride:y*p.Stride+p.Width])
			} else {
				for x, v := range p.Pix16[y*p.Stride : y*p.Stride+p.Width] {
					row[2*x], row[2*x+1] = byte(v), byte(v>>8)
				}
			}
		}
	}
	switch f.Range {
	case frame.RangeFull:
		a.SetColorRange(astiav.ColorRangeJpeg)
	case frame.RangeLimited:
		a.SetColorRange(astiav.ColorRangeMpeg)
	}
	return a, nil
}

// ScaleFrame resizes f to w×h with swscale (alg as in ScaleFlags), keeping
// its bit depth, subsampling and range.
func ScaleFrame(f *frame.Frame, w, h int, alg string) (*frame.Frame, error) {
	if f == nil || f.Width <= 0 || f.Height <= 0 {
		return nil, fmt.Errorf("%w: empty frame", ErrSettings)
	}
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%w: target size %dx%d", ErrSettings, w, h)
	}
	flags, err := ScaleFlags(alg)
	if err != nil {
		return nil, err
	}
	src, err := fromFrame(f)
	if err != nil {
		return nil, err
	}
	defer src.Free()
	dst := astiav.AllocFrame()
	defer dst.Free()
	s := scaler{flags: flags}
	defer s.free()
	if err := s.scale(src, dst, w, h, src.PixelFormat()); err != nil {
		return nil, err
	}
	out, err := toFrame(dst, Format{Depth: f.BitDepth, Chroma: f.Chroma})
	if err != nil {
		return nil, err
	}
	out.Range, out.Index, out.PTS, out.TimeBaseNum, out.TimeBaseDen = f.Range, f.Index, f.PTS, f.TimeBaseNum, f.TimeBaseDen
	return out, nil
}
