package vision

import (
	"fmt"

	"github.com/reel-video/reel/frame"
)

// bordersCheck measures the active picture area as ffmpeg's cropdetect
// does: from each edge inwards, a line (row or column of luma) whose
// integer-truncated average exceeds Limit·(2^depth−1) is picture. Per frame
// the bounds are kept (16 bytes a frame); at the end they are combined per
// shot — the union over the shot, which is cropdetect with a reset at each
// shot start — and rounded as cropdetect rounds them.
type bordersCheck struct {
	cfg           BordersConfig
	th            *thumbnailer
	rects         []rect
	thumbs        map[int][]byte
	lastThumbShot int
}

// rect is an inclusive bounding box of picture, x1 > x2 when none was found.
type rect struct{ x1, y1, x2, y2 int32 }

func newBordersCheck(cfg BordersConfig, th *thumbnailer) *bordersCheck {
	return &bordersCheck{cfg: cfg, th: th, thumbs: map[int][]byte{}}
}

func (c *bordersCheck) name() string   { return CheckBorders }
func (c *bordersCheck) minFrames() int { return 1 }

// lineAvg returns cropdetect's checkline: the truncated mean of n samples of
// plane p starting at (x, y), stepping dx, dy.
func lineAvg(p *frame.Plane, x, y, dx, dy, n int) int {
	total := 0
	if p.Pix8 != nil {
		i, step := y*p.Stride+x, dy*p.Stride+dx
		for k := 0; k < n; k++ {
			total += int(p.Pix8[i])
			i += step
		}
	} else {
		i, step := y*p.Stride+x, dy*p.Stride+dx
		for k := 0; k < n; k++ {
			total += int(p.Pix16[i])
			i += step
		}
	}
	return total / n
}

// frameBounds finds the picture bounds of one frame (no accumulation).
func frameBounds(f *frame.Frame, limit float64) rect {
	p := &f.Planes[0]
	w, h := f.Width, f.Height
	lim := limit
	if lim < 1 {
		lim *= float64(int(1)<<f.BitDepth - 1)
	}
	r := rect{int32(w - 1), int32(h - 1), 0, 0}
	for y := 0; y < h; y++ {
		if float64(lineAvg(p, 0, y, 1, 0, w)) > lim {
			r.y1 = int32(y)
			break
		}
	}
	for y := h - 1; y > int(r.y1); y-- {
		if float64(lineAvg(p, 0, y, 1, 0, w)) > lim {
			r.y2 = int32(y)
			break
		}
	}
	for x := 0; x < w; x++ {
		if float64(lineAvg(p, x, 0, 0, 1, h)) > lim {
			r.x1 = int32(x)
			break
		}
	}
	for x := w - 1; x > int(r.x1); x-- {
		if float64(lineAvg(p, x, 0, 0, 1, h)) > lim {
			r.x2 = int32(x)
			break
		}
	}
	return r
}

func (c *bordersCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	r := frameBounds(f, c.cfg.Limit)
	c.rects = append(c.rects, r)
	if c.th != nil && c.th.width > 0 && len(c.thumbs) < 10000 {
		if (r.y1 > 0 || r.x1 > 0 || int(r.y2) < f.Height-1 || int(r.x2) < f.Width-1) && r.x2 > r.x1 {
			if _, ok := c.thumbs[idx]; !ok && idx-c.lastThumbShot > 25 {
				c.thumbs[idx] = c.th.snap(f)
				c.lastThumbShot = idx
			}
		}
	}
}

// accumulate unions frame bounds the way cropdetect's running x1/x2/y1/y2
// shrink: each new frame can only widen the area.
func accumulate(acc *rect, r rect, first bool) {
	if first {
		*acc = r
		return
	}
	acc.x1 = min(acc.x1, r.x1)
	acc.y1 = min(acc.y1, r.y1)
	acc.x2 = max(acc.x2, r.x2)
	acc.y2 = max(acc.y2, r.y2)
}

// Crop is cropdetect's rounded crop: the active area w×h at (x, y).
type Crop struct{ W, H, X, Y int }

// cropOf rounds accumulated bounds exactly as cropdetect prints them.
func cropOf(r rect, round int) Crop {
	x := (int(r.x1) + 1) &^ 1
	y := (int(r.y1) + 1) &^ 1
	w := int(r.x2) - x + 1
	h := int(r.y2) - y + 1
	if round <= 1 {
		round = 16
	}
	if round%2 != 0 {
		round *= 2
	}
	s := w % round
	w -= s
	x += (s/2 + 1) &^ 1
	s = h % round
	h -= s
	y += (s/2 + 1) &^ 1
	return Crop{w, h, x, y}
}

// cropSeries replays cropdetect over frames [from, to) with skip initial
// frames ignored and no reset, returning the crop after each frame (frames
// before the first counted one get the full frame).
func cropSeries(rects []rect, w, h, skip, round int) []Crop {
	out := make([]Crop, len(rects))
	acc := rect{int32(w - 1), int32(h - 1), 0, 0}
	for i, r := range rects {
		if i < skip {
			out[i] = Crop{}
			continue
		}
		// cropdetect starts from x1=w-1,y1=h-1,x2=y2=0 and scans only the
		// range not yet known to be picture; taking the min/max of the
		// per-frame bounds gives the same result.
		acc.x1 = min(acc.x1, r.x1)
		acc.y1 = min(acc.y1, r.y1)
		acc.x2 = max(acc.x2, r.x2)
		acc.y2 = max(acc.y2, r.y2)
		out[i] = cropOf(acc, round)
	}
	return out
}

func (c *bordersCheck) finish(fc *finishContext) {
	if len(c.rects) == 0 {
		return
	}
	w, h := fc.width, fc.height
	var top, left []float32
	for _, r := range c.rects {
		top = append(top, float32(r.y1))
		left = append(left, float32(r.x1))
	}
	for _, s := range fc.shots {
		from := s.StartFrame
		if from < c.cfg.Skip && s.EndFrame > c.cfg.Skip {
			from = c.cfg.Skip
		}
		var acc rect
		for i := from; i < s.EndFrame; i++ {
			accumulate(&acc, c.rects[i], i == from)
		}
		if acc.x2 <= acc.x1 || acc.y2 <= acc.y1 {
			continue // all black: the black check reports it
		}
		crop := cropOf(acc, c.cfg.Round)
		topBar, bottomBar := int(acc.y1), h-1-int(acc.y2)
		leftBar, rightBar := int(acc.x1), w-1-int(acc.x2)
		vert := float64(min(topBar, bottomBar)) / float64(h)
		horiz := float64(min(leftBar, rightBar)) / float64(w)
		var kind string
		var value float64
		switch {
		case vert >= c.cfg.MinBar && horiz >= c.cfg.MinBar:
			kind, value = "windowbox", vert+horiz
		case vert >= c.cfg.MinBar:
			kind, value = "letterbox", vert
		case horiz >= c.cfg.MinBar:
			kind, value = "pillarbox", horiz
		default:
			continue
		}
		ev := fc.clk.event(CheckBorders, c.cfg.Severity, s.StartFrame, s.EndFrame, value, c.cfg.MinBar,
			fmt.Sprintf("%s: active picture %dx%d at %d,%d (crop=%d:%d:%d:%d; bars top %d bottom %d left %d right %d; value: smaller bar as share of frame)",
				kind, int(acc.x2-acc.x1+1), int(acc.y2-acc.y1+1), acc.x1, acc.y1, crop.W, crop.H, crop.X, crop.Y, topBar, bottomBar, leftBar, rightBar))
		for i := s.StartFrame; i < s.EndFrame; i++ {
			if b, ok := c.thumbs[i]; ok {
				ev.Thumbnail = b
				break
			}
		}
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("borders.top", top)
	fc.addSeries("borders.left", left)
}
