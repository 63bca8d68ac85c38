package vision

import (
	"math"

	"github.com/reel-video/reel/frame"
)

// blurDetector computes ffmpeg's blurdetect score (Marziliano et al. 2002,
// libavfilter/vf_blurdetect.c and edge_common.c, planes=1, one block for
// the whole picture): Canny edges of the luma (5×5 Gaussian σ≈1.4 with
// weights /159, Sobel, non-maximum suppression along the rounded gradient
// direction, double threshold low/high with 8-neighbour hysteresis applied
// in place), then for every edge pixel the distance between the local
// extrema on either side along the gradient direction (×0.7 for diagonals,
// 0 when the search leaves the picture). The score is the mean width of the
// non-zero widths, in pixels: higher is blurrier. A picture with (almost) no
// edges has no score: ffmpeg prints nan, reel reports 0.
type blurDetector struct {
	low, high uint8
	radius    int
	w, h      int
	blurred   []uint8
	grad      []uint16
	dir       []int8
	edges     []uint8
	colA      [3][]uint16 // scratch for the Gaussian's column weights
	row8      []uint8
}

// Rounded gradient directions, as edge_common.h.
const (
	dir45Up int8 = iota
	dir45Down
	dirHorizontal
	dirVertical
)

// newBlurDetector takes blurdetect's low and high thresholds (shares of
// 255) and search radius.
func newBlurDetector(low, high float64, radius int) *blurDetector {
	// blurdetect stores the options as float and rounds x·255 + 0.5.
	return &blurDetector{
		low:    uint8(float64(float32(low))*255 + .5),
		high:   uint8(float64(float32(high))*255 + .5),
		radius: radius,
	}
}

func (b *blurDetector) alloc(w, h int) {
	if b.w == w && b.h == h {
		return
	}
	b.w, b.h = w, h
	n := w * h
	b.blurred = make([]uint8, n)
	b.grad = make([]uint16, n) // borders stay 0, as ffmpeg's calloc'd buffer
	b.dir = make([]int8, n)
	b.edges = make([]uint8, n)
	for k := range b.colA {
		b.colA[k] = make([]uint16, w)
	}
	b.row8 = make([]uint8, w)
}

// score returns blurdetect's value for f (0 when it has none).
func (b *blurDetector) score(f *frame.Frame) float32 {
	p := &f.Planes[0]
	w, h := p.Width, p.Height
	if w < 5 || h < 5 {
		return 0
	}
	b.alloc(w, h)
	b.gaussian(p, f.BitDepth-8)
	b.sobelSuppress()
	b.threshold()
	return b.meanWidth()
}

// gaussian is ff_gaussian_blur: the two outer rows and columns are copied,
// the rest is the integer 5×5 kernel divided by 159 (truncated). The kernel
// is symmetric, so it runs as per-column sums of row pairs
// (a2 = r−2 + r+2, a1 = r−1 + r+1, a0 = r) weighted per column offset.
func (b *blurDetector) gaussian(p *frame.Plane, shift int) {
	w, h := b.w, b.h
	row := func(y int) []uint8 {
		if p.Pix8 != nil {
			return p.Row8(y)
		}
		return row8Of(p, y, shift, b.row8)
	}
	for _, y := range []int{0, 1, h - 2, h - 1} {
		copy(b.blurred[y*w:(y+1)*w], row(y))
	}
	var r [5][]uint8
	for j := 2; j < h-2; j++ {
		for k := range r {
			if p.Pix8 != nil {
				r[k] = p.Row8(j - 2 + k)
			} else {
				r[k] = append(r[k][:0], row(j-2+k)...)
			}
		}
		gaussRow(&r, &b.colA, b.blurred[j*w:(j+1)*w])
	}
}

// gaussRowGo is the portable gaussRow: dst gets the blurred row whose 5
// source rows are r, using the scratch column-weight rows c.
func gaussRowGo(r *[5][]uint8, c *[3][]uint16, dst []uint8) {
	w := len(dst)
	rm2, rm1, r0, rp1, rp2 := r[0][:w], r[1][:w], r[2][:w], r[3][:w], r[4][:w]
	c0, c1, c2 := c[0][:w], c[1][:w], c[2][:w]
	gaussVertGo(rm2, rm1, r0, rp1, rp2, c0, c1, c2, 0)
	dst[0], dst[1], dst[w-2], dst[w-1] = r0[0], r0[1], r0[w-2], r0[w-1]
	gaussHorizGo(c0, c1, c2, dst, 2)
}

// gaussVertGo computes the column weights from column x0 on: c2 for
// |dx| = 2, c1 for |dx| = 1 and c0 for dx = 0.
func gaussVertGo(rm2, rm1, r0, rp1, rp2 []uint8, c0, c1, c2 []uint16, x0 int) {
	for x := x0; x < len(c0); x++ {
		a2 := uint16(rm2[x]) + uint16(rp2[x])
		a1 := uint16(rm1[x]) + uint16(rp1[x])
		a0 := uint16(r0[x])
		c2[x] = 2*a2 + 4*a1 + 5*a0
		c1[x] = 4*a2 + 9*a1 + 12*a0
		c0[x] = 5*a2 + 12*a1 + 15*a0
	}
}

// gaussHorizGo writes dst[x] for x0 ≤ x < len(dst)−2.
func gaussHorizGo(c0, c1, c2 []uint16, dst []uint8, x0 int) {
	for x := x0; x < len(dst)-2; x++ {
		dst[x] = uint8((uint32(c2[x-2]) + uint32(c2[x+2]) + uint32(c1[x-1]) + uint32(c1[x+1]) + uint32(c0[x])) / 159)
	}
}

// sobelAt is ff_sobel's gx and gy at column i.
func sobelAt(up, mid, dn []uint8, i int) (gx, gy int32) {
	a, c := int32(dn[i+1])-int32(up[i-1]), int32(up[i+1])-int32(dn[i-1])
	gx = a + c + 2*(int32(mid[i+1])-int32(mid[i-1]))
	gy = a - c + 2*(int32(dn[i])-int32(up[i]))
	return gx, gy
}

// sobelMagGo sets g[i] = |gx| + |gy| for x0 ≤ i < len(g)−1.
func sobelMagGo(up, mid, dn []uint8, g []uint16, x0 int) {
	for i := x0; i < len(g)-1; i++ {
		gx, gy := sobelAt(up, mid, dn, i)
		g[i] = uint16(abs32(gx) + abs32(gy))
	}
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// roundedDirection is edge_common's get_rounded_direction.
func roundedDirection(gx, gy int32) int8 {
	if gx != 0 {
		if gx < 0 {
			gx, gy = -gx, -gy
		}
		gy <<= 16
		t1, t3 := 27146*gx, 158218*gx
		switch {
		case gy > -t3 && gy < -t1:
			return dir45Up
		case gy > -t1 && gy < t1:
			return dirHorizontal
		case gy > t1 && gy < t3:
			return dir45Down
		}
	}
	return dirVertical
}

// sobelSuppress is ff_sobel followed by ff_non_maximum_suppression into a
// cleared edge buffer. A gradient at or below the low threshold can
// neither survive the double threshold nor, not being above the high one,
// keep a neighbour, so its direction and maximum test are skipped (the
// result is the same as ffmpeg's).
func (b *blurDetector) sobelSuppress() {
	w, h := b.w, b.h
	s := b.blurred
	lo := int32(b.low)
	for j := 1; j < h-1; j++ {
		up, mid, dn := s[(j-1)*w:j*w], s[j*w:(j+1)*w], s[(j+1)*w:(j+2)*w]
		up, mid, dn = up[:w], mid[:w], dn[:w]
		g, d := b.grad[j*w:(j+1)*w], b.dir[j*w:(j+1)*w]
		g, d = g[:w], d[:w]
		sobelMag(up, mid, dn, g)
		for i := 1; i < w-1; i++ {
			if int32(g[i]) > lo {
				gx, gy := sobelAt(up, mid, dn, i)
				d[i] = roundedDirection(gx, gy)
			}
		}
	}
	clear(b.edges)
	gr := b.grad
	for j := 1; j < h-1; j++ {
		o := j * w
		for i := 1; i < w-1; i++ {
			k := o + i
			v := gr[k]
			if int32(v) <= lo {
				continue
			}
			var n1, n2 uint16
			switch b.dir[k] {
			case dir45Up:
				n1, n2 = gr[k+w-1], gr[k-w+1]
			case dir45Down:
				n1, n2 = gr[k-w-1], gr[k+w+1]
			case dirHorizontal:
				n1, n2 = gr[k-1], gr[k+1]
			default:
				n1, n2 = gr[k-w], gr[k+w]
			}
			if v > n1 && v > n2 {
				b.edges[k] = uint8(min(v, 255))
			}
		}
	}
}

// threshold is ff_double_threshold applied in place, as blurdetect calls
// it: earlier rows and the left neighbour are already thresholded when a
// pixel is judged.
func (b *blurDetector) threshold() {
	w, h := b.w, b.h
	e := b.edges
	lo, hi := b.low, b.high
	for j := 0; j < h; j++ {
		for i := 0; i < w; i++ {
			k := j*w + i
			v := e[k]
			if v == 0 || v > hi {
				continue
			}
			if v > lo && i > 0 && i < w-1 && j > 0 && j < h-1 &&
				(e[k-w-1] > hi || e[k-w] > hi || e[k-w+1] > hi || e[k-1] > hi ||
					e[k+1] > hi || e[k+w-1] > hi || e[k+w] > hi || e[k+w+1] > hi) {
				continue
			}
			e[k] = 0
		}
	}
}

// edgeWidth is blurdetect's edge_width for the edge pixel (i, j).
func (b *blurDetector) edgeWidth(i, j int, dir int8) float32 {
	w, h, s := b.w, b.h, b.blurred
	var dx, dy int
	switch dir {
	case dirHorizontal:
		dx, dy = 1, 0
	case dirVertical:
		dx, dy = 0, 1
	case dir45Up:
		dx, dy = 1, -1
	default:
		dx, dy = 1, 1
	}
	sign := int32(-1)
	if s[j*w+i] > s[(j-dy)*w+i-dx] {
		sign = 1
	}
	var k1, k2 int
	for k1 = 0; k1 < b.radius; k1++ {
		x, y := i-k1*dx, j-k1*dy
		x2, y2 := x-dx, y-dy
		if x2 < 0 || x2 >= w || y2 < 0 || y2 >= h {
			return 0
		}
		if (int32(s[y*w+x])-int32(s[y2*w+x2]))*sign <= 0 {
			break
		}
	}
	for k2 = 0; k2 < b.radius; k2++ {
		x, y := i+k2*dx, j+k2*dy
		x2, y2 := x+dx, y+dy
		if x2 < 0 || x2 >= w || y2 < 0 || y2 >= h {
			return 0
		}
		if (int32(s[y*w+x])-int32(s[y2*w+x2]))*sign >= 0 {
			break
		}
	}
	width := float32(k1) + float32(k2)
	if dir == dir45Up || dir == dir45Down {
		width = float32(float64(width) * 0.7)
	}
	return width
}

// meanWidth is calculate_blur for a single block covering the picture with
// block_pct 80 (one block: ceil(1·0.8) = 1 kept).
func (b *blurDetector) meanWidth() float32 {
	w, h := b.w, b.h
	var total float64
	n := 0
	for j := 0; j < h; j++ {
		row := b.edges[j*w : (j+1)*w]
		for i, v := range row {
			if v == 0 {
				continue
			}
			if width := b.edgeWidth(i, j, b.dir[j*w+i]); width > 0.001 {
				n++
				total += float64(width)
			}
		}
	}
	if total < 2 || n == 0 {
		return 0 // ffmpeg: 0/0, printed as nan
	}
	v := float32(total / float64(n))
	if math.IsNaN(float64(v)) {
		return 0
	}
	return v
}
