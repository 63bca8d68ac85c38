package vision

import (
	"fmt"

	"github.com/reel-video/reel/frame"
)

// levelsCheck measures ffmpeg signalstats' BRNG: the share of pixels whose
// luma is outside 16–235 or whose chroma (at the pixel's subsampled
// position) is outside 16–240, scaled for deeper samples. Stretches of
// frames above MaxShare are events.
type levelsCheck struct {
	cfg    LevelsConfig
	minLen int
	th     *thumbnailer
	brng   []float32
	run    runTracker
	peak   float64
	thumb  []byte
	events []Event
}

func newLevelsCheck(cfg LevelsConfig, fps float64, th *thumbnailer) *levelsCheck {
	return &levelsCheck{cfg: cfg, minLen: int(cfg.MinDuration*fps + 0.5), th: th}
}

func (c *levelsCheck) name() string   { return CheckLevels }
func (c *levelsCheck) minFrames() int { return 1 }

// brng returns signalstats' BRNG for f.
func brng(f *frame.Frame) float64 {
	m := 1 << (f.BitDepth - 8)
	ylo, yhi, clo, chi := 16*m, 235*m, 16*m, 240*m
	hs, vs := 0, 0
	switch f.Chroma {
	case frame.Chroma420:
		hs, vs = 1, 1
	case frame.Chroma422:
		hs = 1
	}
	py, pu, pv := &f.Planes[0], &f.Planes[1], &f.Planes[2]
	n := 0
	if py.Pix8 != nil {
		for y := 0; y < f.Height; y++ {
			yr := py.Row8(y)
			ur := pu.Pix8[(y>>vs)*pu.Stride:]
			vr := pv.Pix8[(y>>vs)*pv.Stride:]
			for x, Y := range yr {
				if int(Y) < ylo || int(Y) > yhi {
					n++
					continue
				}
				U, V := int(ur[x>>hs]), int(vr[x>>hs])
				if U < clo || U > chi || V < clo || V > chi {
					n++
				}
			}
		}
	} else {
		for y := 0; y < f.Height; y++ {
			yr := py.Row16(y)
			ur := pu.Pix16[(y>>vs)*pu.Stride:]
			vr := pv.Pix16[(y>>vs)*pv.Stride:]
			for x, Y := range yr {
				U, V := int(ur[x>>hs]), int(vr[x>>hs])
				if int(Y) < ylo || int(Y) > yhi || U < clo || U > chi || V < clo || V > chi {
					n++
				}
			}
		}
	}
	return float64(n) / float64(f.Width*f.Height)
}

func (c *levelsCheck) process(f *frame.Frame, idx int) {
	b := brng(f)
	c.brng = append(c.brng, float32(b))
	out := b > c.cfg.MaxShare
	if out && !c.run.in {
		c.peak = 0
		c.thumb = c.th.snap(f)
	}
	if out && b > c.peak {
		c.peak = b
	}
	if start, ended := c.run.step(idx, out); ended {
		c.close(start, idx)
	}
}

func (c *levelsCheck) close(start, end int) {
	if end-start >= max(c.minLen, 1) {
		c.events = append(c.events, Event{StartFrame: start, EndFrame: end, Value: c.peak, Thumbnail: c.thumb})
	}
}

func (c *levelsCheck) finish(fc *finishContext) {
	if c.run.in {
		c.run.in = false
		c.close(c.run.start, fc.frames)
	}
	for _, e := range c.events {
		ev := fc.clk.event(CheckLevels, SeverityWarning, e.StartFrame, e.EndFrame, e.Value, c.cfg.MaxShare,
			fmt.Sprintf("pixels outside broadcast range (value: peak BRNG share %.4f)", e.Value))
		ev.Thumbnail = e.Thumbnail
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("levels.brng", c.brng)
}
