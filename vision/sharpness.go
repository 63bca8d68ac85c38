package vision

import (
	"fmt"

	"gocv.io/x/gocv"

	"github.com/reel-video/reel/frame"
)

// sharpnessCheck scores blockiness and blur per frame on luma.
//
// Blockiness is in the spirit of ffmpeg's blockdetect: the mean absolute
// horizontal and vertical gradient across 8×8 block edges divided by the
// mean gradient inside blocks (1 means no blocking; compression blocking
// pushes it up). Blur is the variance of OpenCV's 3×3 Laplacian of the
// luma, downscaled to at most 960 pixels wide (lower is blurrier); frames
// darker than the fade threshold are not judged. Runs longer than the
// configured durations are events.
type sharpnessCheck struct {
	cfg       Config
	fps       float64
	th        *thumbnailer
	block     []float32
	lapVar    []float32
	blockRun  runTracker
	blurRun   runTracker
	blockEv   []Event
	blurEv    []Event
	thumbBlk  []byte
	thumbBlur []byte
}

func newSharpnessCheck(cfg Config, fps float64, th *thumbnailer) *sharpnessCheck {
	return &sharpnessCheck{cfg: cfg, fps: fps, th: th}
}

func (c *sharpnessCheck) name() string   { return CheckBlockiness }
func (c *sharpnessCheck) minFrames() int { return 1 }

// blockiness returns the block-edge to in-block gradient ratio (8-bit luma
// or the top 8 bits of deeper luma).
func blockiness(f *frame.Frame) float64 {
	p := &f.Planes[0]
	shift := f.BitDepth - 8
	row := make([]int32, p.Width)
	prev := make([]int32, p.Width)
	load := func(y int, dst []int32) {
		if p.Pix8 != nil {
			for x, v := range p.Row8(y) {
				dst[x] = int32(v)
			}
			return
		}
		for x, v := range p.Row16(y) {
			dst[x] = int32(v >> shift)
		}
	}
	var edge, inner int64
	var ne, ni int64
	// Every other row and column of the sampled lines keeps it cheap.
	for y := 0; y < p.Height; y++ {
		load(y, row)
		if y%2 == 0 {
			for x := 1; x < len(row); x++ {
				d := row[x] - row[x-1]
				if d < 0 {
					d = -d
				}
				if x&7 == 0 {
					edge += int64(d)
					ne++
				} else {
					inner += int64(d)
					ni++
				}
			}
		}
		if y > 0 && (y&7 == 0 || y%4 == 1) {
			var s int64
			for x := 0; x < len(row); x += 2 {
				d := row[x] - prev[x]
				if d < 0 {
					d = -d
				}
				s += int64(d)
			}
			if y&7 == 0 {
				edge += s
				ne += int64((len(row) + 1) / 2)
			} else {
				inner += s
				ni += int64((len(row) + 1) / 2)
			}
		}
		row, prev = prev, row
	}
	if ne == 0 || ni == 0 || inner == 0 {
		return 1
	}
	return (float64(edge) / float64(ne)) / (float64(inner) / float64(ni))
}

// laplacianVariance is the variance of the Laplacian of the (downscaled)
// luma, computed with OpenCV.
func laplacianVariance(f *frame.Frame) float64 {
	p := &f.Planes[0]
	w, h := p.Width, p.Height
	buf := make([]byte, w*h)
	shift := f.BitDepth - 8
	for y := 0; y < h; y++ {
		if p.Pix8 != nil {
			copy(buf[y*w:(y+1)*w], p.Row8(y))
			continue
		}
		for x, v := range p.Row16(y) {
			buf[y*w+x] = byte(v >> shift)
		}
	}
	m, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, buf)
	if err != nil {
		return 0
	}
	defer m.Close()
	src := m
	if w > 960 {
		small := gocv.NewMat()
		defer small.Close()
		gocv.Resize(m, &small, imagePoint(960, h*960/w), 0, 0, gocv.InterpolationArea)
		src = small
	}
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(src, &lap, gocv.MatTypeCV64F, 3, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return s * s
}

func (c *sharpnessCheck) process(f *frame.Frame, idx int) {
	b := blockiness(f)
	c.block = append(c.block, float32(b))
	lv := laplacianVariance(f)
	c.lapVar = append(c.lapVar, float32(lv))
	blocky := c.cfg.enabled(CheckBlockiness) && b > c.cfg.Blockiness.Threshold
	if blocky && !c.blockRun.in {
		c.thumbBlk = c.th.snap(f)
	}
	if s, ended := c.blockRun.step(idx, blocky); ended {
		c.blockEv = append(c.blockEv, Event{StartFrame: s, EndFrame: idx, Thumbnail: c.thumbBlk})
	}
	blurry := c.cfg.enabled(CheckBlur) && lv < c.cfg.Blur.Threshold && meanLuma8(f) >= c.cfg.Shots.FadeLuma
	if blurry && !c.blurRun.in {
		c.thumbBlur = c.th.snap(f)
	}
	if s, ended := c.blurRun.step(idx, blurry); ended {
		c.blurEv = append(c.blurEv, Event{StartFrame: s, EndFrame: idx, Thumbnail: c.thumbBlur})
	}
}

func (c *sharpnessCheck) finish(fc *finishContext) {
	if c.blockRun.in {
		c.blockEv = append(c.blockEv, Event{StartFrame: c.blockRun.start, EndFrame: fc.frames, Thumbnail: c.thumbBlk})
	}
	if c.blurRun.in {
		c.blurEv = append(c.blurEv, Event{StartFrame: c.blurRun.start, EndFrame: fc.frames, Thumbnail: c.thumbBlur})
	}
	emit := func(list []Event, check string, series []float32, minDur, thr float64, what string) {
		for _, e := range list {
			if float64(e.EndFrame-e.StartFrame) < minDur*c.fps {
				continue
			}
			var sum float64
			for _, v := range series[e.StartFrame:e.EndFrame] {
				sum += float64(v)
			}
			mean := sum / float64(e.EndFrame-e.StartFrame)
			ev := fc.clk.event(check, SeverityWarning, e.StartFrame, e.EndFrame, mean, thr, fmt.Sprintf("%s (value: mean over the stretch)", what))
			ev.Thumbnail = e.Thumbnail
			fc.report.Events = append(fc.report.Events, ev)
		}
	}
	emit(c.blockEv, CheckBlockiness, c.block, c.cfg.Blockiness.MinDuration, c.cfg.Blockiness.Threshold, "blocking: block-edge/in-block gradient ratio")
	emit(c.blurEv, CheckBlur, c.lapVar, c.cfg.Blur.MinDuration, c.cfg.Blur.Threshold, "blur: Laplacian variance below threshold")
	fc.addSeries("blockiness", c.block)
	fc.addSeries("blur.laplacian_var", c.lapVar)
}
