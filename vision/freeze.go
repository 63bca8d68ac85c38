package vision

import (
	"fmt"
	"math"

	"github.com/reel-video/reel/frame"
)

// freezeCheck follows ffmpeg's freezedetect: each frame is compared with
// the first frame of the current still run (the reference); a frame whose
// mean absolute difference over all planes, as a share of full scale, is at
// most n is frozen and keeps the reference, any other frame becomes the new
// reference. A run is reported once it has lasted d seconds, from the
// reference frame to the first frame that differs.
type freezeCheck struct {
	cfg   FreezeConfig
	fps   float64
	minUS int64
	th    *thumbnailer

	ref      frameBuf
	reported bool // the current run reached d
	maxMAFD  float64
	mafd     []float32
	events   []freezeRun
	thumb    []byte
}

type freezeRun struct {
	start, end int
	maxMAFD    float64
	thumb      []byte
}

func newFreezeCheck(cfg FreezeConfig, fps float64, th *thumbnailer) *freezeCheck {
	return &freezeCheck{cfg: cfg, fps: fps, minUS: int64(math.Round(cfg.MinDuration * 1e6)), th: th}
}

func (c *freezeCheck) name() string   { return CheckFreeze }
func (c *freezeCheck) minFrames() int { return 2 }

// meanAbsDiff is freezedetect's MAFD: SAD over all planes / samples / 2^depth.
func meanAbsDiff(a, b *frame.Frame) float64 {
	sad, count := sadPlanes(a, b)
	return float64(sad) / float64(count) / float64(uint64(1)<<a.BitDepth)
}

func (c *freezeCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	frozen := false
	if c.ref.ok {
		d := meanAbsDiff(f, c.ref.f)
		c.mafd = append(c.mafd, float32(d))
		frozen = d <= c.cfg.Noise
		// Duration in microseconds, rounded as av_rescale_q does.
		durUS := int64(math.Round(float64(idx-c.ref.idx) / c.fps * 1e6))
		if frozen && d > c.maxMAFD {
			c.maxMAFD = d
		}
		if durUS >= c.minUS {
			if !c.reported {
				c.thumb = c.th.snap(c.ref.f)
			}
			if !frozen {
				c.events = append(c.events, freezeRun{c.ref.idx, idx, c.maxMAFD, c.thumb})
			}
			c.reported = frozen
		}
	} else {
		c.mafd = append(c.mafd, 0)
	}
	if !frozen {
		c.ref.set(sf, idx)
		c.maxMAFD = 0
	}
}

func (c *freezeCheck) finish(fc *finishContext) {
	if c.reported {
		// freezedetect logs no freeze_end for a run that lasts to the end;
		// reel closes it after the last frame.
		c.events = append(c.events, freezeRun{c.ref.idx, fc.frames, c.maxMAFD, c.thumb})
		c.reported = false
	}
	for _, r := range c.events {
		d := fc.clk.seconds(r.end) - fc.clk.seconds(r.start)
		ev := fc.clk.event(CheckFreeze, c.cfg.Severity, r.start, r.end, d, c.cfg.MinDuration,
			fmt.Sprintf("frozen for %.3f s (value: duration s; max MAFD %.5f vs noise %.5f)", d, r.maxMAFD, c.cfg.Noise))
		ev.Thumbnail = r.thumb
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("freeze.mafd", c.mafd)
}
