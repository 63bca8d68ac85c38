package vision

import (
	"fmt"
	"math"

	"gocv.io/x/gocv"

	"github.com/reel-video/reel/frame"
)

// shotCheck finds shot boundaries with three detectors over the same frames:
//
//   - content: PySceneDetect's ContentDetector — the frame is point-sampled
//     down to about 256 pixels wide (every k-th pixel, k = width/256),
//     converted to HSV with OpenCV, and the mean absolute difference of H, S
//     and V from the previous frame, averaged, is the content value; a cut
//     is where it reaches ContentThreshold;
//   - adaptive: AdaptiveDetector — the content value divided by the mean of
//     its AdaptiveWindow neighbours on each side; a cut is where the ratio
//     reaches AdaptiveThreshold and the content value MinContent;
//   - scdet: ffmpeg scdet's score (the change in mean absolute frame
//     difference, in percent of full scale), as a series and a third vote;
//
// plus fades through black (mean luma below FadeLuma and back; the boundary
// is the middle of the dark run, as PySceneDetect's ThresholdDetector). Cuts closer
// than MinSceneLen frames to the previous boundary are dropped.
type shotCheck struct {
	cfg ShotsConfig
	th  *thumbnailer

	prevHSV  []uint8
	prev     frameBuf
	prevMAFD float64

	content []float32
	scdet   []float32
	luma    []float32
}

func newShotCheck(cfg ShotsConfig, th *thumbnailer) *shotCheck {
	return &shotCheck{cfg: cfg, th: th}
}

func (c *shotCheck) name() string   { return CheckShots }
func (c *shotCheck) minFrames() int { return 2 }

// downscaleStep is PySceneDetect's automatic downscale factor.
func downscaleStep(width int) int {
	if width < 256 {
		return 1
	}
	return width / 256
}

// subsampleBGR takes every k-th pixel of f as packed 8-bit BGR.
func subsampleBGR(f *frame.Frame, k int) (bgr []byte, w, h int) {
	w, h = (f.Width+k-1)/k, (f.Height+k-1)/k
	bgr = make([]byte, w*h*3)
	shift := f.BitDepth - 8
	full, hd := f.Range == frame.RangeFull, f.Height >= 720
	sx, sy := 1, 1
	if f.Chroma == frame.Chroma420 || f.Chroma == frame.Chroma422 {
		sx = 2
	}
	if f.Chroma == frame.Chroma420 {
		sy = 2
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := x*k, y*k
			Y := float64(f.Planes[0].At(fx, fy) >> shift)
			U := float64(f.Planes[1].At(fx/sx, fy/sy) >> shift)
			V := float64(f.Planes[2].At(fx/sx, fy/sy) >> shift)
			r, g, b := frame.YCbCrToRGB(Y, U, V, full, hd)
			o := (y*w + x) * 3
			bgr[o], bgr[o+1], bgr[o+2] = b, g, r
		}
	}
	return bgr, w, h
}

// hsvOf converts packed BGR to packed HSV (OpenCV's 8-bit HSV: H 0–179).
func hsvOf(bgr []byte, w, h int) []byte {
	src, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8UC3, bgr)
	if err != nil {
		return nil
	}
	defer src.Close()
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.CvtColor(src, &dst, gocv.ColorBGRToHSV)
	b, err := dst.DataPtrUint8()
	if err != nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// contentValue is ContentDetector's frame score between two HSV images.
func contentValue(a, b []byte) float64 {
	var d [3]int64
	for i := 0; i+2 < len(a); i += 3 {
		for c := 0; c < 3; c++ {
			v := int64(a[i+c]) - int64(b[i+c])
			if v < 0 {
				v = -v
			}
			d[c] += v
		}
	}
	n := float64(len(a) / 3)
	return (float64(d[0]) + float64(d[1]) + float64(d[2])) / 3 / n
}

// meanLuma8 is the mean luma on an 8-bit scale.
func meanLuma8(f *frame.Frame) float64 {
	p := &f.Planes[0]
	var s uint64
	for y := 0; y < p.Height; y++ {
		if p.Pix8 != nil {
			for _, v := range p.Row8(y) {
				s += uint64(v)
			}
		} else {
			for _, v := range p.Row16(y) {
				s += uint64(v)
			}
		}
	}
	return float64(s) / float64(p.Width*p.Height) / float64(int(1)<<(f.BitDepth-8))
}

// scdetScore is ffmpeg scdet's score of f against the previous frame.
func (c *shotCheck) scdetScore(f *frame.Frame) float64 {
	if !c.prev.ok {
		return 0
	}
	// scdet compares luma only for YUV input.
	sad := sadPlane(&c.prev.f.Planes[0], &f.Planes[0], f.Width, f.Height)
	mafd := float64(sad) * 100 / float64(f.Width*f.Height) / float64(uint64(1)<<f.BitDepth)
	diff := math.Abs(mafd - c.prevMAFD)
	c.prevMAFD = mafd
	return math.Max(0, math.Min(100, math.Min(mafd, diff)))
}

func (c *shotCheck) process(sf *sharedFrame, idx int) {
	f := sf.f
	c.scdet = append(c.scdet, float32(c.scdetScore(f)))
	c.prev.set(sf, idx)
	bgr, w, h := subsampleBGR(f, downscaleStep(f.Width))
	hsv := hsvOf(bgr, w, h)
	cv := 0.0
	if c.prevHSV != nil && len(hsv) == len(c.prevHSV) {
		cv = contentValue(hsv, c.prevHSV)
	}
	c.prevHSV = hsv
	c.content = append(c.content, float32(cv))
	l := meanLuma8(f)
	if f.Range == frame.RangeFull {
		l = 16 + l*219/255
	}
	c.luma = append(c.luma, float32(l))
}

type boundary struct {
	frame int
	conf  float64
	kind  ShotKind
}

// sadPlane is the sum of absolute differences of the top-left w×h samples.
func sadPlane(a, b *frame.Plane, w, h int) uint64 {
	var sad uint64
	for y := 0; y < h; y++ {
		if a.Pix8 != nil {
			sad += sadRow8(a.Pix8[y*a.Stride:y*a.Stride+w], b.Pix8[y*b.Stride:y*b.Stride+w])
			continue
		}
		ra, rb := a.Pix16[y*a.Stride:y*a.Stride+w], b.Pix16[y*b.Stride:y*b.Stride+w]
		for x, v := range ra {
			d := int(v) - int(rb[x])
			if d < 0 {
				d = -d
			}
			sad += uint64(d)
		}
	}
	return sad
}

// boundaries combines the detectors (all per-frame values are kept, a few
// bytes a frame, so this runs at the end).
func (c *shotCheck) boundaries() []boundary {
	n := len(c.content)
	cfg := c.cfg
	var out []boundary
	w := cfg.AdaptiveWindow
	for i := 1; i < n; i++ {
		cv := float64(c.content[i])
		content := cv >= cfg.ContentThreshold
		adaptive := false
		if i-w >= 1 && i+w < n && cv >= cfg.MinContent {
			var s float64
			for j := i - w; j <= i+w; j++ {
				if j != i {
					s += float64(c.content[j])
				}
			}
			avg := s / float64(2*w)
			if avg < 1e-5 {
				adaptive = cv >= cfg.MinContent
			} else {
				adaptive = cv/avg >= cfg.AdaptiveThreshold
			}
		}
		sc := float64(c.scdet[i]) > cfg.ScdetThreshold
		if float64(c.luma[i-1]) < cfg.FadeLuma && float64(c.luma[i]) < cfg.FadeLuma {
			// Hue is noise in near-black frames; fades handle these.
			continue
		}
		if !content && !adaptive {
			continue
		}
		conf := 0.0
		if content {
			conf += 0.4
		}
		if adaptive {
			conf += 0.35
		}
		if sc {
			conf += 0.25
		}
		out = append(out, boundary{i, conf, ShotCut})
	}
	// Fades through black: a run of dark frames between brighter ones.
	dark := func(i int) bool { return float64(c.luma[i]) < cfg.FadeLuma }
	for i := 1; i < n; i++ {
		if dark(i-1) && !dark(i) {
			j := i - 1
			for j > 0 && dark(j-1) {
				j--
			}
			if j == 0 {
				// Fade in from the first frame: still the first shot.
				continue
			}
			// As PySceneDetect's ThresholdDetector (fade_bias 0): the
			// boundary is the middle of the dark run.
			out = append(out, boundary{(j + i) / 2, 0.8, ShotFade})
		}
	}
	// Order, merge near-duplicates and apply the minimum scene length.
	sortBoundaries(out)
	var kept []boundary
	last := 0
	for _, b := range out {
		if b.frame-last < cfg.MinSceneLen {
			if len(kept) > 0 && b.kind == ShotFade && b.frame-last <= 3 {
				kept[len(kept)-1].kind = ShotFade
			}
			continue
		}
		kept = append(kept, b)
		last = b.frame
	}
	return kept
}

func sortBoundaries(b []boundary) {
	for i := 1; i < len(b); i++ {
		for j := i; j > 0 && b[j].frame < b[j-1].frame; j-- {
			b[j], b[j-1] = b[j-1], b[j]
		}
	}
}

func (c *shotCheck) finish(fc *finishContext) {
	n := fc.frames
	shots := []Shot{{StartFrame: 0, Confidence: 1, Kind: ShotStart}}
	for _, b := range c.boundaries() {
		shots[len(shots)-1].EndFrame = b.frame
		shots = append(shots, Shot{StartFrame: b.frame, Confidence: b.conf, Kind: b.kind})
	}
	shots[len(shots)-1].EndFrame = n
	fc.shots = shots
	for _, s := range shots[1:] {
		fc.report.Events = append(fc.report.Events, fc.clk.event(CheckShots, c.cfg.Severity, s.StartFrame, s.StartFrame+1,
			float64(c.content[s.StartFrame]), c.cfg.ContentThreshold,
			fmt.Sprintf("shot boundary (%s, confidence %.2f; value: content value, scdet %.1f)", s.Kind, s.Confidence, c.scdet[s.StartFrame])))
	}
	fc.addSeries("shots.content", c.content)
	fc.addSeries("shots.scdet", c.scdet)
	fc.addSeries("shots.luma", c.luma)
}
