package vision

import (
	"fmt"

	"github.com/reel-video/reel/frame"
)

// InterlaceStats are idet's counts: single-frame detection (each frame on
// its own), multi-frame detection (with idet's 4-frame history) and
// repeated fields.
type InterlaceStats struct {
	SingleTFF, SingleBFF, SingleProgressive, SingleUndetermined int
	MultiTFF, MultiBFF, MultiProgressive, MultiUndetermined     int
	RepeatNeither, RepeatTop, RepeatBottom                      int
}

type idetType int

const (
	idetTFF idetType = iota
	idetBFF
	idetProgressive
	idetUndetermined
)

// interlaceCheck follows ffmpeg's idet: for each frame, with its previous
// and next frames (the first and last frame standing in for their missing
// neighbours), it compares each line with the average of the lines above
// and below taken from the previous or next frame (alpha, per field
// parity), from the same frame (delta), and the frame with the previous one
// (gamma) to classify the frame as TFF, BFF, progressive or undetermined,
// and smooths that over a 4-frame history.
type interlaceCheck struct {
	cfg InterlaceConfig
	th  *thumbnailer

	prev, cur frameBuf
	curIdx    int
	history   [4]idetType
	last      idetType
	stats     InterlaceStats
	combed    []float32
	firstIntl int
	thumb     []byte
}

func newInterlaceCheck(cfg InterlaceConfig, th *thumbnailer) *interlaceCheck {
	c := &interlaceCheck{cfg: cfg, th: th, last: idetUndetermined, firstIntl: -1}
	for i := range c.history {
		c.history[i] = idetUndetermined
	}
	return c
}

func (c *interlaceCheck) name() string   { return CheckInterlace }
func (c *interlaceCheck) minFrames() int { return 1 }

// idetRow8Go is the portable idetRow8 (and the tail after its SIMD part).
func idetRow8Go(up, mid, dn, prev, next []uint8) (ap, an, d, g int64) {
	n := len(up)
	mid, dn, prev, next = mid[:n], dn[:n], prev[:n], next[:n]
	var sap, san, sd, sg int64
	for x := 0; x < n; x++ {
		a := int32(up[x]) + int32(dn[x])
		m := int32(mid[x])
		p := int32(prev[x])
		v := a - 2*p
		sap += int64((v ^ (v >> 31)) - (v >> 31))
		v = a - 2*int32(next[x])
		san += int64((v ^ (v >> 31)) - (v >> 31))
		v = a - 2*m
		sd += int64((v ^ (v >> 31)) - (v >> 31))
		v = 2 * (m - p)
		sg += int64((v ^ (v >> 31)) - (v >> 31))
	}
	return sap, san, sd, sg
}

func lineDiff16(a, b, c []uint16) int64 {
	var s int64
	for x := range a {
		v := int64(a[x]) + int64(c[x]) - 2*int64(b[x])
		if v < 0 {
			v = -v
		}
		s += v
	}
	return s
}

func (c *interlaceCheck) classify(prev, cur, next *frame.Frame) {
	var alpha, gamma [2]int64
	var delta int64
	for i := 0; i < cur.NumPlanes(); i++ {
		pp, cp, np := &prev.Planes[i], &cur.Planes[i], &next.Planes[i]
		w, h := cp.Width, cp.Height
		for y := 2; y < h-2; y++ {
			if cp.Pix8 != nil {
				ap, an, d, g := idetRow8(cp.Row8(y-1), cp.Row8(y), cp.Row8(y+1), pp.Row8(y), np.Row8(y))
				alpha[y&1] += ap
				alpha[(y^1)&1] += an
				delta += d
				gamma[(y^1)&1] += g
			} else {
				up, mid, dn := cp.Row16(y-1), cp.Row16(y), cp.Row16(y+1)
				pr, nx := pp.Row16(y), np.Row16(y)
				alpha[y&1] += lineDiff16(up, pr, dn)
				alpha[(y^1)&1] += lineDiff16(up, nx, dn)
				delta += lineDiff16(up, mid, dn)
				gamma[(y^1)&1] += lineDiff16(mid, pr, mid)
			}
			_ = w
		}
	}
	cfg := c.cfg
	var typ idetType
	switch {
	case float64(alpha[0]) > cfg.InterlaceThreshold*float64(alpha[1]):
		typ = idetTFF
	case float64(alpha[1]) > cfg.InterlaceThreshold*float64(alpha[0]):
		typ = idetBFF
	case float64(alpha[1]) > cfg.ProgressiveThreshold*float64(delta):
		typ = idetProgressive
	default:
		typ = idetUndetermined
	}
	switch {
	case float64(gamma[0]) > cfg.RepeatThreshold*float64(gamma[1]):
		c.stats.RepeatTop++
	case float64(gamma[1]) > cfg.RepeatThreshold*float64(gamma[0]):
		c.stats.RepeatBottom++
	default:
		c.stats.RepeatNeither++
	}
	copy(c.history[1:], c.history[:3])
	c.history[0] = typ
	best, match := idetUndetermined, 0
	for _, h := range c.history {
		if h == idetUndetermined {
			continue
		}
		if best == idetUndetermined {
			best = h
		}
		if h == best {
			match++
		} else {
			match = 0
			break
		}
	}
	if c.last == idetUndetermined {
		if match > 0 {
			c.last = best
		}
	} else if match > 2 {
		c.last = best
	}
	switch typ {
	case idetTFF:
		c.stats.SingleTFF++
	case idetBFF:
		c.stats.SingleBFF++
	case idetProgressive:
		c.stats.SingleProgressive++
	default:
		c.stats.SingleUndetermined++
	}
	switch c.last {
	case idetTFF:
		c.stats.MultiTFF++
	case idetBFF:
		c.stats.MultiBFF++
	case idetProgressive:
		c.stats.MultiProgressive++
	default:
		c.stats.MultiUndetermined++
	}
	comb := 0.0
	if delta > 0 {
		comb = float64(max(alpha[0], alpha[1])) / float64(delta)
	}
	c.combed = append(c.combed, float32(comb))
	if (c.last == idetTFF || c.last == idetBFF) && c.thumb == nil {
		c.firstIntl = c.curIdx
		c.thumb = c.th.snap(cur)
	}
}

// process classifies the previous frame now that its successor is known.
func (c *interlaceCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	if !c.cur.ok {
		c.cur.set(sf, idx)
		c.prev.set(sf, idx)
		c.curIdx = idx
		return
	}
	c.classify(c.prev.f, c.cur.f, f)
	c.prev, c.cur = c.cur, c.prev
	c.cur.set(sf, idx)
	c.curIdx = idx
}

func (c *interlaceCheck) finish(fc *finishContext) {
	if c.cur.ok {
		c.classify(c.prev.f, c.cur.f, c.cur.f)
	}
	s := c.stats
	fc.report.Interlace = &s
	total := s.MultiTFF + s.MultiBFF + s.MultiProgressive + s.MultiUndetermined
	// The dominant field order must reach MinShare: content that idet
	// calls TFF and BFF in turn (fast synthetic motion) is not interlaced.
	intl := max(s.MultiTFF, s.MultiBFF)
	if total > 0 && float64(intl)/float64(total) >= c.cfg.MinShare && intl > 0 {
		order := "top field first"
		if s.MultiBFF > s.MultiTFF {
			order = "bottom field first"
		}
		share := float64(intl) / float64(total)
		start := max(c.firstIntl, 0)
		ev := fc.clk.event(CheckInterlace, c.cfg.Severity, start, fc.frames, share, c.cfg.MinShare,
			fmt.Sprintf("interlaced, %s (value: share of frames; multi-frame TFF %d BFF %d progressive %d undetermined %d)",
				order, s.MultiTFF, s.MultiBFF, s.MultiProgressive, s.MultiUndetermined))
		ev.Thumbnail = c.thumb
		fc.report.Events = append(fc.report.Events, ev)
	}
	fc.addSeries("interlace.combing", c.combed)
}
