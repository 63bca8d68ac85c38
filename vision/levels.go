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
		// 8-bit: a table marks out-of-range luma; each chroma row is judged
		// once (for the 1 or 2 luma rows sharing it), then every luma
		// sample ORs its own flag with its chroma sample's.
		var lutY [256]uint8
		for v := range lutY {
			if v < ylo || v > yhi {
				lutY[v] = 1
			}
		}
		cw := pu.Width
		badC := make([]uint8, cw)
		lastCY := -1
		for y := 0; y < f.Height; y++ {
			if cy := y >> vs; cy != lastCY {
				ur, vr := pu.Row8(cy), pv.Row8(cy)
				vr = vr[:len(ur)]
				for x, u := range ur {
					v := vr[x]
					b := uint8(0)
					if int(u) < clo || int(u) > chi || int(v) < clo || int(v) > chi {
						b = 1
					}
					badC[x] = b
				}
				lastCY = cy
			}
			yr := py.Row8(y)
			if hs == 1 {
				for x := 0; x+1 < len(yr); x += 2 {
					c := badC[x>>1]
					n += int(lutY[yr[x]]|c) + int(lutY[yr[x+1]]|c)
				}
				if len(yr)&1 == 1 {
					n += int(lutY[yr[len(yr)-1]] | badC[(len(yr)-1)>>1])
				}
			} else {
				for x, Y := range yr {
					n += int(lutY[Y] | badC[x])
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

func (c *levelsCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
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
		ev := fc.clk.event(CheckLevels, c.cfg.Severity, e.StartFrame, e.EndFrame, e.Value, c.cfg.MaxShare,
			fmt.Sprintf("pixels outside broadcast range (value: peak BRNG share %.4f)", e.Value))
		ev.Thumbnail = e.Thumbnail
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("levels.brng", c.brng)
}
