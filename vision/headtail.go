package vision

import (
	"fmt"
	"image"

	"github.com/reel-video/reel/frame"
)

func imagePoint(x, y int) image.Point { return image.Pt(x, y) }

// headTailCheck finds colour bars and slates in the first and last Window
// seconds. A frame is bars when its top half is vertical stripes:
// every column is nearly constant down the rows, at least 5 distinct
// stripes cross the width and most of them are saturated. A frame is a
// slate when it is static text on a flat background: few mid-tones,
// most pixels at one dark or light level and some sharp detail. Per-frame
// classification runs on a 64-column sample, so it is cheap.
type headTailCheck struct {
	cfg   HeadTailConfig
	fps   float64
	th    *thumbnailer
	kinds []byte // 0 none, 'b' bars, 's' slate
	thumb map[int][]byte
	run   runTracker
	prev  byte
}

func newHeadTailCheck(cfg HeadTailConfig, fps float64, th *thumbnailer) *headTailCheck {
	return &headTailCheck{cfg: cfg, fps: fps, th: th, thumb: map[int][]byte{}}
}

func (c *headTailCheck) name() string   { return CheckHeadTail }
func (c *headTailCheck) minFrames() int { return 1 }

func classifyHeadTail(f *frame.Frame) byte {
	const cols = 64
	shift := f.BitDepth - 8
	py := &f.Planes[0]
	hs, vs := 0, 0
	switch f.Chroma {
	case frame.Chroma420:
		hs, vs = 1, 1
	case frame.Chroma422:
		hs = 1
	}
	// Bars fill the top 2/3 (smptebars) or 7/12 (smptehdbars): judge the
	// top half.
	rows := f.Height / 2
	var colMean [cols]float64
	var colSat [cols]float64
	var devSum float64
	step := max(rows/16, 1)
	for k := 0; k < cols; k++ {
		x := (2*k + 1) * f.Width / (2 * cols)
		var s, s2, sat float64
		n := 0
		for y := 0; y < rows; y += step {
			v := float64(py.At(x, y) >> shift)
			s += v
			s2 += v * v
			u := float64(f.Planes[1].At(x>>hs, y>>vs)>>shift) - 128
			w := float64(f.Planes[2].At(x>>hs, y>>vs)>>shift) - 128
			if u < 0 {
				u = -u
			}
			if w < 0 {
				w = -w
			}
			sat += u + w
			n++
		}
		m := s / float64(n)
		colMean[k] = m
		colSat[k] = sat / float64(n)
		devSum += s2/float64(n) - m*m
	}
	if devSum/cols < 4 {
		stripes, saturated := 1, 0
		for k := 1; k < cols; k++ {
			d := colMean[k] - colMean[k-1]
			if d > 8 || d < -8 {
				stripes++
			}
		}
		for k := 0; k < cols; k++ {
			if colSat[k] > 40 {
				saturated++
			}
		}
		if stripes >= 5 && saturated >= cols/2 {
			return 'b'
		}
	}
	// Slate: bimodal luma over a coarse grid.
	var hist [8]int
	total := 0
	for y := 0; y < f.Height; y += max(f.Height/48, 1) {
		for x := 0; x < f.Width; x += max(f.Width/64, 1) {
			hist[(py.At(x, y)>>shift)>>5]++
			total++
		}
	}
	maxBin, second := 0, 0
	for i, v := range hist {
		if v > hist[maxBin] {
			maxBin = i
		}
		_ = i
	}
	for i, v := range hist {
		if i != maxBin && v > second {
			second = v
		}
	}
	if float64(hist[maxBin]) > 0.75*float64(total) && float64(second) > 0.03*float64(total) && (maxBin <= 1 || maxBin >= 6) {
		return 's'
	}
	return 0
}

func (c *headTailCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	k := classifyHeadTail(f)
	c.kinds = append(c.kinds, k)
	if k != 0 && k != c.prev {
		c.thumb[idx] = c.th.snap(f)
	}
	c.prev = k
}

func (c *headTailCheck) finish(fc *finishContext) {
	win := int(c.cfg.Window * c.fps)
	minLen := max(int(c.cfg.MinDuration*c.fps), 1)
	n := len(c.kinds)
	for i := 0; i < n; {
		k := c.kinds[i]
		j := i + 1
		for j < n && c.kinds[j] == k {
			j++
		}
		if k != 0 && j-i >= minLen && (i < win || j > n-win) {
			// In a clip shorter than two windows a run can be in both:
			// it belongs to the nearer end.
			where := "head"
			if i >= win || j > n-win && n-j < i {
				where = "tail"
			}
			what := map[byte]string{'b': "colour bars", 's': "slate"}[k]
			ev := fc.clk.event(CheckHeadTail, c.cfg.Severity, i, j, fc.clk.seconds(j)-fc.clk.seconds(i), c.cfg.MinDuration,
				fmt.Sprintf("%s at the %s (value: duration s)", what, where))
			ev.Thumbnail = c.thumb[i]
			fc.report.Events = append(fc.report.Events, ev)
		}
		i = j
	}
}
