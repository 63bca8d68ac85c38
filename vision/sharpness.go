package vision

import (
	"fmt"
	"math"

	"gocv.io/x/gocv"

	"github.com/reel-video/reel/frame"
)

// sharpnessCheck scores blockiness and blur per frame on luma.
//
// Blockiness is ffmpeg's blockdetect (see blockDetector; higher is
// blockier, about 1 for unblocked pictures). Blur is ffmpeg's blurdetect
// (see blurDetector: mean edge width in pixels, higher is blurrier) plus,
// as an extra series, the variance of OpenCV's 3×3 Laplacian of the luma
// downscaled to at most 960 pixels wide (lower is blurrier). Frames darker
// than the fade threshold are not judged blurry. Runs longer than the
// configured durations are events.
type sharpnessCheck struct {
	cfg       Config
	fps       float64
	th        *thumbnailer
	blockDet  *blockDetector
	blurDet   *blurDetector
	block     []float32
	blur      []float32
	lapVar    []float32
	blockRun  runTracker
	blurRun   runTracker
	blockEv   []Event
	blurEv    []Event
	thumbBlk  []byte
	thumbBlur []byte
}

func newSharpnessCheck(cfg Config, fps float64, th *thumbnailer) *sharpnessCheck {
	d := DefaultConfig()
	bk, bl := cfg.Blockiness, cfg.Blur
	if bk.PeriodMin == 0 {
		bk.PeriodMin = d.Blockiness.PeriodMin
	}
	if bk.PeriodMax == 0 {
		bk.PeriodMax = max(d.Blockiness.PeriodMax, bk.PeriodMin)
	}
	if bl.Low == 0 && bl.High == 0 && bl.Radius == 0 {
		bl.Low, bl.High, bl.Radius = d.Blur.Low, d.Blur.High, d.Blur.Radius
	}
	return &sharpnessCheck{cfg: cfg, fps: fps, th: th,
		blockDet: newBlockDetector(bk.PeriodMin, bk.PeriodMax),
		blurDet:  newBlurDetector(bl.Low, bl.High, max(bl.Radius, 1))}
}

func (c *sharpnessCheck) name() string   { return CheckBlockiness }
func (c *sharpnessCheck) minFrames() int { return 1 }

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

func (c *sharpnessCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	b := float64(c.blockDet.score(f))
	if math.IsNaN(b) || math.IsInf(b, 0) {
		b = 0 // blockdetect's 0/0 on a flat picture
	}
	c.block = append(c.block, float32(b))
	bl := 0.0
	if c.cfg.enabled(CheckBlur) {
		if step := max(c.cfg.Blur.Step, 1); idx%step == 0 || len(c.blur) == 0 {
			bl = float64(c.blurDet.score(f))
		} else {
			bl = float64(c.blur[len(c.blur)-1]) // held from the last scored frame
		}
	}
	c.blur = append(c.blur, float32(bl))
	lv := laplacianVariance(f)
	c.lapVar = append(c.lapVar, float32(lv))
	blocky := c.cfg.enabled(CheckBlockiness) && b > c.cfg.Blockiness.Threshold
	if blocky && !c.blockRun.in {
		c.thumbBlk = c.th.snap(f)
	}
	if s, ended := c.blockRun.step(idx, blocky); ended {
		c.blockEv = append(c.blockEv, Event{StartFrame: s, EndFrame: idx, Thumbnail: c.thumbBlk})
	}
	blurry := c.cfg.enabled(CheckBlur) && bl > c.cfg.Blur.Threshold && meanLuma8(f) >= c.cfg.Shots.FadeLuma
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
	emit := func(list []Event, check string, sev Severity, series []float32, minDur, thr float64, what string) {
		for _, e := range list {
			if float64(e.EndFrame-e.StartFrame) < minDur*c.fps {
				continue
			}
			var sum float64
			for _, v := range series[e.StartFrame:e.EndFrame] {
				sum += float64(v)
			}
			mean := sum / float64(e.EndFrame-e.StartFrame)
			ev := fc.clk.event(check, sev, e.StartFrame, e.EndFrame, mean, thr, fmt.Sprintf("%s (value: mean over the stretch)", what))
			ev.Thumbnail = e.Thumbnail
			fc.report.Events = append(fc.report.Events, ev)
		}
	}
	emit(c.blockEv, CheckBlockiness, c.cfg.Blockiness.Severity, c.block, c.cfg.Blockiness.MinDuration, c.cfg.Blockiness.Threshold, "blocking: blockdetect score above threshold")
	emit(c.blurEv, CheckBlur, c.cfg.Blur.Severity, c.blur, c.cfg.Blur.MinDuration, c.cfg.Blur.Threshold, "blur: blurdetect mean edge width (pixels) above threshold")
	fc.addSeries("blockiness", c.block)
	fc.addSeries("blur.blurdetect", c.blur)
	fc.addSeries("blur.laplacian_var", c.lapVar)
}
