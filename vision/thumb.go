package vision

import (
	"gocv.io/x/gocv"

	"github.com/reel-video/reel/frame"
)

// thumbnailer makes small JPEGs of frames for events. It holds no state
// beyond its settings, so checks share one.
type thumbnailer struct {
	width int
}

// snap returns a JPEG of f scaled to the thumbnail width, or nil when
// thumbnails are off or encoding fails (a thumbnail is never worth failing
// a check for).
func (t *thumbnailer) snap(f *frame.Frame) []byte {
	if t == nil || t.width <= 0 || f == nil {
		return nil
	}
	tw := t.width
	if tw > f.Width {
		tw = f.Width
	}
	th := (f.Height*tw/f.Width + 1) &^ 1
	if th < 2 {
		th = 2
	}
	bgr := smallBGR(f, tw, th)
	m, err := gocv.NewMatFromBytes(th, tw, gocv.MatTypeCV8UC3, bgr)
	if err != nil {
		return nil
	}
	defer m.Close()
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, m, []int{gocv.IMWriteJpegQuality, 85})
	if err != nil {
		return nil
	}
	defer buf.Close()
	return append([]byte(nil), buf.GetBytes()...)
}

// smallBGR point-samples f to w×h and converts it to packed 8-bit BGR
// (BT.709 for HD sizes, BT.601 below, honouring the frame's range).
func smallBGR(f *frame.Frame, w, h int) []byte {
	out := make([]byte, w*h*3)
	shift := f.BitDepth - 8
	full := f.Range == frame.RangeFull
	hd := f.Height >= 720
	sx, sy := 1, 1
	if f.Chroma == frame.Chroma420 || f.Chroma == frame.Chroma422 {
		sx = 2
	}
	if f.Chroma == frame.Chroma420 {
		sy = 2
	}
	mono := f.Chroma == frame.ChromaMono
	for y := 0; y < h; y++ {
		fy := (2*y + 1) * f.Height / (2 * h)
		for x := 0; x < w; x++ {
			fx := (2*x + 1) * f.Width / (2 * w)
			Y := float64(f.Planes[0].At(fx, fy) >> shift)
			U, V := 128.0, 128.0
			if !mono {
				U = float64(f.Planes[1].At(fx/sx, fy/sy) >> shift)
				V = float64(f.Planes[2].At(fx/sx, fy/sy) >> shift)
			}
			r, g, b := frame.YCbCrToRGB(Y, U, V, full, hd)
			o := (y*w + x) * 3
			out[o], out[o+1], out[o+2] = b, g, r
		}
	}
	return out
}
