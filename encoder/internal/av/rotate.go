package av

// Display orientation: a video stream's display matrix (MP4/MOV tkhd,
// stream side data) or legacy "rotate" tag says how players turn the
// stored picture. The Decoder applies it to every decoded frame, so that
// everything downstream sees upright frames of the display size.

//#cgo pkg-config: libavutil
//#include <libavutil/frame.h>
//#include <libavutil/pixdesc.h>
//
//static int reel_rot_copy_props(AVFrame *dst, const AVFrame *src) {
//	int ret = av_frame_copy_props(dst, src);
//	av_frame_remove_side_data(dst, AV_FRAME_DATA_DISPLAYMATRIX);
//	return ret;
//}
//static int reel_rot_linesize(const AVFrame *f, int i) { return f->linesize[i]; }
//// reel_rot_desc describes a pixel format for rotation: flags, number of
//// components and planes, chroma shifts, and for each of the first 4
//// components its plane, step and offset (in bytes) and depth.
//static int reel_rot_desc(int fmt, uint64_t *flags, int *nb, int *lw, int *lh, int comp[16]) {
//	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)fmt);
//	int i;
//	if (!d)
//		return -1;
//	*flags = d->flags;
//	*nb = d->nb_components;
//	*lw = d->log2_chroma_w;
//	*lh = d->log2_chroma_h;
//	for (i = 0; i < 4; i++) {
//		comp[4*i] = d->comp[i].plane;
//		comp[4*i+1] = d->comp[i].step;
//		comp[4*i+2] = d->comp[i].offset;
//		comp[4*i+3] = d->comp[i].depth;
//	}
//	return 0;
//}
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/asticode/go-astiav"
)

// orientation is how the decoder turns a stored picture upright: the
// upright picture's pixel (X, Y) is the stored picture's pixel (x, y) with
//
//	X' = X, or outW-1-X when flipX;  Y' = Y, or outH-1-Y when flipY
//	(x, y) = (Y', X') when transpose, else (X', Y')
//
// where outW×outH is the upright size (the stored size, swapped when
// transpose). The zero value leaves pictures as stored.
type orientation struct {
	transpose, flipX, flipY bool
}

func (o orientation) identity() bool { return o == orientation{} }

// uprightSize is the size of a w×h stored picture once upright.
func (o orientation) uprightSize(w, h int) (int, int) {
	if o.transpose {
		return h, w
	}
	return w, h
}

// clockwise describes o as players do: the stored picture, mirrored
// (flipped left to right) first when mirrored is set, is rotated clockwise
// by degrees (0, 90, 180 or 270).
func (o orientation) clockwise() (degrees int, mirrored bool) {
	switch o {
	case orientation{}:
		return 0, false
	case orientation{flipX: true, flipY: true}:
		return 180, false
	case orientation{transpose: true, flipY: true}:
		return 270, false
	case orientation{transpose: true, flipX: true}:
		return 90, false
	case orientation{flipX: true}:
		return 0, true
	case orientation{flipY: true}:
		return 180, true
	case orientation{transpose: true}:
		return 270, true
	default: // all three
		return 90, true
	}
}

// orientationFromClockwise is the orientation that rotates a picture
// clockwise by degrees (a multiple of 90).
func orientationFromClockwise(degrees int) orientation {
	switch ((degrees % 360) + 360) % 360 {
	case 90:
		return orientation{transpose: true, flipX: true}
	case 180:
		return orientation{flipX: true, flipY: true}
	case 270:
		return orientation{transpose: true, flipY: true}
	}
	return orientation{}
}

// orientationFromMatrix reads a libav display matrix (3×3, row major,
// 16.16 fixed point except the last column's 2.30): a stored pixel (x, y)
// is displayed at (a·x + c·y + tx, b·x + d·y + ty) with a, b, c, d the
// entries 0, 1, 3, 4. Only right-angle rotations and flips (with any
// uniform scale, which players undo by fitting the picture) are
// supported; anything else is ErrUnsupported.
func orientationFromMatrix(m [9]int32) (orientation, error) {
	a, b, c, d := int64(m[0]), int64(m[1]), int64(m[3]), int64(m[4])
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	bad := func() (orientation, error) {
		return orientation{}, fmt.Errorf("%w: display matrix [%d %d %d; %d %d %d; %d %d %d] is not a right-angle rotation or flip",
			ErrUnsupported, m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8])
	}
	if m[2] != 0 || m[5] != 0 || m[8] == 0 {
		return bad() // perspective, or degenerate
	}
	switch {
	case b == 0 && c == 0 && a != 0 && abs(a) == abs(d):
		return orientation{flipX: a < 0, flipY: d < 0}, nil
	case a == 0 && d == 0 && b != 0 && abs(b) == abs(c):
		return orientation{transpose: true, flipX: c < 0, flipY: b < 0}, nil
	}
	return bad()
}

// streamOrientation reads st's display matrix side data or, without one,
// its legacy "rotate" tag (clockwise degrees).
func streamOrientation(st *astiav.Stream) (orientation, error) {
	if b := st.SideData(astiav.PacketSideDataTypeDisplaymatrix); len(b) > 0 {
		if len(b) < 36 {
			return orientation{}, fmt.Errorf("%w: display matrix side data of %d bytes", ErrInvalidData, len(b))
		}
		var m [9]int32
		for i := range m {
			m[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return orientationFromMatrix(m)
	}
	md := st.Metadata()
	if md == nil {
		return orientation{}, nil
	}
	e := md.Get("rotate", nil, astiav.NewDictionaryFlags())
	if e == nil {
		return orientation{}, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(e.Value()), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return orientation{}, fmt.Errorf("%w: rotate tag %q is not a number", ErrUnsupported, e.Value())
	}
	if r := math.Round(v / 90); math.Abs(v-90*r) > 0.5 {
		return orientation{}, fmt.Errorf("%w: rotate tag %q is not a multiple of 90 degrees", ErrUnsupported, e.Value())
	} else {
		return orientationFromClockwise(int(math.Mod(r, 4)) * 90), nil
	}
}

// orient sets s's size, sample aspect ratio and rotation to those of the
// upright picture.
func orient(s *Stream, o orientation) {
	s.Rotation, s.Mirrored = o.clockwise()
	s.Width, s.Height = o.uprightSize(s.Width, s.Height)
	if o.transpose {
		s.SARNum, s.SARDen = s.SARDen, s.SARNum
	}
}

// planeLayout is how rotateFrame sees a pixel format: planes of samples
// of bpp bytes each; planes listed in sub are chroma subsampled by the
// format's shifts.
type planeLayout struct {
	planes, bpp int
	sub         [4]bool
	lw, lh      int
}

// rotatableLayout returns pf's layout when rotateFrame can turn it with o
// directly: planar, one component per plane in 8- or 16-bit samples, and,
// when o transposes, the same chroma subsampling both ways (4:2:0, 4:4:4;
// not 4:2:2).
func rotatableLayout(pf astiav.PixelFormat, o orientation) (planeLayout, bool) {
	var flags C.uint64_t
	var nb, lw, lh C.int
	var comp [16]C.int
	if C.reel_rot_desc(C.int(pf), &flags, &nb, &lw, &lh, &comp[0]) < 0 {
		return planeLayout{}, false
	}
	const unsupported = C.AV_PIX_FMT_FLAG_PAL | C.AV_PIX_FMT_FLAG_BITSTREAM | C.AV_PIX_FMT_FLAG_HWACCEL | C.AV_PIX_FMT_FLAG_FLOAT
	if flags&C.AV_PIX_FMT_FLAG_PLANAR == 0 && nb > 1 || flags&unsupported != 0 || nb < 1 || nb > 4 {
		return planeLayout{}, false
	}
	l := planeLayout{planes: int(nb), lw: int(lw), lh: int(lh)}
	if o.transpose && lw != lh {
		return planeLayout{}, false
	}
	rgb := flags&C.AV_PIX_FMT_FLAG_RGB != 0
	var seen [4]bool
	for i := 0; i < int(nb); i++ {
		plane, step, off, depth := int(comp[4*i]), int(comp[4*i+1]), int(comp[4*i+2]), int(comp[4*i+3])
		bpp := (depth + 7) / 8
		if plane < 0 || plane >= 4 || seen[plane] || off != 0 || step != bpp || bpp > 2 || (i > 0 && bpp != l.bpp) {
			return planeLayout{}, false
		}
		seen[plane] = true
		l.bpp = bpp
		l.sub[plane] = !rgb && (i == 1 || i == 2)
	}
	for p := 0; p < l.planes; p++ {
		if !seen[p] {
			return planeLayout{}, false
		}
	}
	return l, true
}

// rotationFallback is the format a frame in pf is converted to (with the
// scaler) before rotating when pf cannot be rotated directly: 4:4:4 of
// the same family (planar RGB for RGB formats) at pf's depth or more.
func rotationFallback(pf astiav.PixelFormat) astiav.PixelFormat {
	var flags C.uint64_t
	var nb, lw, lh C.int
	var comp [16]C.int
	depth := 8
	rgb := false
	if C.reel_rot_desc(C.int(pf), &flags, &nb, &lw, &lh, &comp[0]) == 0 {
		depth = int(comp[3])
		rgb = flags&C.AV_PIX_FMT_FLAG_RGB != 0
	}
	switch {
	case rgb && depth <= 8:
		return astiav.PixelFormatGbrp
	case rgb:
		return astiav.PixelFormatGbrp16Le
	case depth <= 8:
		return astiav.PixelFormatYuv444P
	case depth <= 10:
		return astiav.PixelFormatYuv444P10Le
	case depth <= 12:
		return astiav.PixelFormatYuv444P12Le
	}
	return astiav.PixelFormatYuv444P16Le
}

// rotator turns decoded frames upright. It is not safe for concurrent use.
type rotator struct {
	o    orientation
	sc   scaler        // to the fallback format
	conv *astiav.Frame // src in the fallback format
}

func (r *rotator) free() {
	r.sc.free()
	if r.conv != nil {
		r.conv.Free()
		r.conv = nil
	}
}

// rotate fills dst (unreferenced first) with src turned upright in a new
// buffer (so that references to dst's previous buffer stay valid), with
// src's properties but no display matrix and the sample aspect ratio of
// the upright picture. Formats that cannot be rotated directly (4:2:2
// when transposing, packed, semi-planar) are first converted to 4:4:4.
func (r *rotator) rotate(dst, src *astiav.Frame) error {
	l, ok := rotatableLayout(src.PixelFormat(), r.o)
	if !ok {
		pf := rotationFallback(src.PixelFormat())
		if r.conv == nil {
			if r.conv = astiav.AllocFrame(); r.conv == nil {
				return errors.New("allocating frame failed")
			}
		}
		if err := r.sc.scale(src, r.conv, src.Width(), src.Height(), pf); err != nil {
			return err
		}
		if l, ok = rotatableLayout(pf, r.o); !ok {
			return fmt.Errorf("%w: cannot rotate pixel format %s", ErrUnsupported, src.PixelFormat())
		}
		if ret := C.reel_rot_copy_props((*C.AVFrame)(r.conv.UnsafePointer()), (*C.AVFrame)(src.UnsafePointer())); ret < 0 {
			return fmt.Errorf("copying frame properties: %w", astiav.Error(ret))
		}
		r.conv.SetColorRange(src.ColorRange())
		src = r.conv
	}
	w, h := src.Width(), src.Height()
	ow, oh := r.o.uprightSize(w, h)
	dst.Unref()
	dst.SetWidth(ow)
	dst.SetHeight(oh)
	dst.SetPixelFormat(src.PixelFormat())
	if err := dst.AllocBuffer(0); err != nil {
		return fmt.Errorf("allocating rotated frame: %w", err)
	}
	if ret := C.reel_rot_copy_props((*C.AVFrame)(dst.UnsafePointer()), (*C.AVFrame)(src.UnsafePointer())); ret < 0 {
		return fmt.Errorf("copying frame properties: %w", astiav.Error(ret))
	}
	if r.o.transpose {
		if sar := src.SampleAspectRatio(); sar.Num() > 0 && sar.Den() > 0 {
			dst.SetSampleAspectRatio(astiav.NewRational(sar.Den(), sar.Num()))
		}
	}
	for p := 0; p < l.planes; p++ {
		pw, ph := w, h
		if l.sub[p] {
			pw, ph = -((-w) >> l.lw), -((-h) >> l.lh) // rounded up
		}
		opw, oph := r.o.uprightSize(pw, ph)
		ss := int(C.reel_rot_linesize((*C.AVFrame)(src.UnsafePointer()), C.int(p)))
		ds := int(C.reel_rot_linesize((*C.AVFrame)(dst.UnsafePointer()), C.int(p)))
		if ss <= 0 || ds <= 0 {
			return fmt.Errorf("%w: cannot rotate a frame with line size %d", ErrUnsupported, ss)
		}
		sp := planeData(src, p, ss*(ph-1)+pw*l.bpp)
		dp := planeData(dst, p, ds*(oph-1)+opw*l.bpp)
		if sp == nil || dp == nil {
			return fmt.Errorf("%w: frame plane %d missing", ErrInvalidData, p)
		}
		orientPlane(dp, ds, sp, ss, pw, ph, l.bpp, r.o)
	}
	return nil
}
