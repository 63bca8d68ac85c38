package vision

import (
	"fmt"

	"github.com/reel-video/reel/frame"
)

// blackCheck follows ffmpeg's blackdetect: a pixel is black when its luma
// is at most the pixel threshold, a picture is black when the share of
// black pixels reaches pic_th, and a black run of at least d seconds is an
// event from its first black frame to the first frame that is not black.
type blackCheck struct {
	cfg    BlackConfig
	minLen int64 // d in frames, truncated as blackdetect does in time-base units
	th     *thumbnailer

	ratios []float32
	run    runTracker
	thumb  []byte
	events []blackRun
}

type blackRun struct {
	start, end int
	thumb      []byte
}

func newBlackCheck(cfg BlackConfig, fps float64, th *thumbnailer) *blackCheck {
	return &blackCheck{cfg: cfg, minLen: int64(cfg.MinDuration * fps), th: th}
}

func (c *blackCheck) name() string   { return CheckBlack }
func (c *blackCheck) minFrames() int { return 1 }

// blackPixelThreshold returns the largest luma value counted as black.
func blackPixelThreshold(pixTh float64, depth int, r frame.Range) int {
	factor := float64(int(1)<<depth-1) / 255
	if r == frame.RangeFull {
		return int(pixTh * factor * 255)
	}
	return int(16*factor + pixTh*factor*(235-16))
}

// blackRatio returns the share of luma samples at or below th.
func blackRatio(f *frame.Frame, th int) float64 {
	p := &f.Planes[0]
	n := 0
	if p.Pix8 != nil {
		if th >= 255 {
			return 1
		}
		t := uint8(th)
		for y := 0; y < p.Height; y++ {
			for _, v := range p.Row8(y) {
				// Branch-free: (t − v) >> 31 is 1 when v > t, else 0.
				n += int(1 - (uint32(t)-uint32(v))>>31)
			}
		}
	} else {
		for y := 0; y < p.Height; y++ {
			for _, v := range p.Row16(y) {
				if int(v) <= th {
					n++
				}
			}
		}
	}
	return float64(n) / float64(f.Width*f.Height)
}

func (c *blackCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	ratio := blackRatio(f, blackPixelThreshold(c.cfg.PixelThreshold, f.BitDepth, f.Range))
	c.ratios = append(c.ratios, float32(ratio))
	black := ratio >= c.cfg.PictureThreshold
	if black && !c.run.in {
		c.thumb = c.th.snap(f)
	}
	if start, ended := c.run.step(idx, black); ended {
		c.close(start, idx)
	}
}

func (c *blackCheck) close(start, end int) {
	if int64(end-start) >= c.minLen {
		c.events = append(c.events, blackRun{start, end, c.thumb})
	}
}

func (c *blackCheck) finish(fc *finishContext) {
	if c.run.in {
		// Deliberate difference: blackdetect ends a run that lasts to the
		// end of the stream at the last frame's timestamp (its FIXME); reel
		// ends it after the last frame, so the duration is the true one.
		c.run.in = false
		c.close(c.run.start, fc.frames)
	}
	for _, r := range c.events {
		d := fc.clk.seconds(r.end) - fc.clk.seconds(r.start)
		ev := fc.clk.event(CheckBlack, c.cfg.Severity, r.start, r.end, d, c.cfg.MinDuration,
			fmt.Sprintf("black picture for %.3f s (value: duration s; pix_th %.2f, pic_th %.2f)", d, c.cfg.PixelThreshold, c.cfg.PictureThreshold))
		ev.Thumbnail = r.thumb
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("black.ratio", c.ratios)
}
