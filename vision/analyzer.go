package vision

import (
	"fmt"
	"sort"
	"sync"

	"github.com/reel-video/reel/frame"
)

// VideoInfo describes the stream an Analyzer will see.
type VideoInfo struct {
	Width, Height int
	// FrameRateNum/FrameRateDen is the (constant) frame rate; frame times
	// are index·Den/Num seconds.
	FrameRateNum, FrameRateDen int
}

// videoCheck is one check over the frame stream. process is called once per
// frame, in order, from the check's own goroutine; the frame is only valid
// during the call unless the check keeps it in a frameBuf. finish runs
// after the last frame.
type videoCheck interface {
	name() string
	// minFrames is how many frames the check needs to say anything.
	minFrames() int
	process(sf *sharedFrame, idx int)
	finish(fc *finishContext)
}

// finishContext carries what checks need to emit their results.
type finishContext struct {
	frames        int
	width, height int
	clk           clock
	shots         []Shot // set before the other checks finish
	report        *Report
}

func (fc *finishContext) addSeries(name string, v []float32) {
	fc.report.Series = append(fc.report.Series, Series{Name: name, Values: v})
}

// Analyzer runs the enabled checks over a stream of frames (and optionally
// audio) and gathers a Report. Push frames in presentation order; Push
// copies the frame once into a pooled, reference-counted buffer and queues
// it for every check, each running in its own goroutine up to queueDepth
// frames behind, so the caller may reuse the frame's buffers as soon as
// Push returns and fast checks do not wait for slow ones on every frame.
// Checks that compare frames keep references to the pooled copies, not
// copies of their own. An Analyzer is not safe for concurrent Push calls,
// but Audio may run concurrently with Push.
type Analyzer struct {
	cfg    Config
	info   VideoInfo
	clk    clock
	checks []videoCheck
	shots  *shotCheck

	chans  []chan work
	tokens chan struct{}  // see LimitCPU
	done   sync.WaitGroup // worker goroutines
	pool   framePool

	n        int
	first    *frame.Frame // format of the first frame (no pixels kept)
	finished bool

	audioMu     sync.Mutex
	audioRan    bool
	audioReport *AudioReport
	audioEvents []Event
	audioSkip   []string
}

type work struct {
	sf  *sharedFrame
	idx int
}

// queueDepth is how many frames a check may lag behind Push; with the
// frames checks keep, it bounds the frames alive at queueDepth+1 per
// check queue plus 4.
const queueDepth = 3

// NewAnalyzer validates cfg and starts one goroutine per enabled video check.
// Call Finish to stop them.
func NewAnalyzer(cfg Config, info VideoInfo) (*Analyzer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if info.FrameRateNum <= 0 || info.FrameRateDen <= 0 {
		return nil, fmt.Errorf("%w: %d/%d", ErrFrameRate, info.FrameRateNum, info.FrameRateDen)
	}
	a := &Analyzer{cfg: cfg, info: info, clk: clock{info.FrameRateNum, info.FrameRateDen}}
	th := &thumbnailer{width: cfg.ThumbnailWidth}
	fps := a.clk.fps()
	if cfg.enabled(CheckShots) {
		a.shots = newShotCheck(cfg.Shots, th)
		a.checks = append(a.checks, a.shots)
	}
	if cfg.enabled(CheckBlack) {
		a.checks = append(a.checks, newBlackCheck(cfg.Black, fps, th))
	}
	if cfg.enabled(CheckFreeze) {
		a.checks = append(a.checks, newFreezeCheck(cfg.Freeze, fps, th))
	}
	if cfg.enabled(CheckBorders) {
		a.checks = append(a.checks, newBordersCheck(cfg.Borders, th))
	}
	if cfg.enabled(CheckInterlace) {
		a.checks = append(a.checks, newInterlaceCheck(cfg.Interlace, th))
	}
	if cfg.enabled(CheckLevels) {
		a.checks = append(a.checks, newLevelsCheck(cfg.Levels, fps, th))
	}
	if cfg.enabled(CheckBlockiness) || cfg.enabled(CheckBlur) {
		a.checks = append(a.checks, newSharpnessCheck(cfg, fps, th))
	}
	if cfg.enabled(CheckHeadTail) {
		a.checks = append(a.checks, newHeadTailCheck(cfg.HeadTail, fps, th))
	}
	for _, c := range a.checks {
		ch := make(chan work, queueDepth)
		a.chans = append(a.chans, ch)
		a.done.Add(1)
		go func(c videoCheck, ch chan work) {
			defer a.done.Done()
			for w := range ch {
				if a.tokens != nil {
					a.tokens <- struct{}{}
				}
				c.process(w.sf, w.idx)
				if a.tokens != nil {
					<-a.tokens
				}
				w.sf.release()
			}
		}(c, ch)
	}
	return a, nil
}

// LimitCPU makes the analyzer's check goroutines hold a token of tokens
// (a value sent into the channel) while they process a frame, so that
// everything sharing tokens (other analyzers, vmaf.Config.Tokens) runs at
// most cap(tokens) frames at once. Call it before the first Push.
func (a *Analyzer) LimitCPU(tokens chan struct{}) { a.tokens = tokens }

// Push analyses the next frame. Frames must all have the first frame's
// size, bit depth and subsampling.
func (a *Analyzer) Push(f *frame.Frame) error {
	if a.finished {
		return ErrFinished
	}
	if f == nil || f.Width <= 0 || f.Height <= 0 || (f.Planes[0].Pix8 == nil && f.Planes[0].Pix16 == nil) {
		return fmt.Errorf("%w: frame %d has no luma samples", ErrFrameFormat, a.n)
	}
	if a.first == nil {
		if f.Width != a.info.Width || f.Height != a.info.Height {
			return fmt.Errorf("%w: frame %d is %dx%d, stream is %dx%d", ErrFrameFormat, a.n, f.Width, f.Height, a.info.Width, a.info.Height)
		}
		a.first = &frame.Frame{Width: f.Width, Height: f.Height, BitDepth: f.BitDepth, Chroma: f.Chroma}
	} else if !a.first.SameFormat(f) {
		return fmt.Errorf("%w: frame %d is %s, stream is %s", ErrFrameFormat, a.n, f.Format(), a.first.Format())
	}
	if f.Chroma == frame.ChromaMono {
		// Checks read chroma planes; give them neutral ones.
		f = withNeutralChroma(f)
	}
	if len(a.chans) > 0 {
		sf := a.pool.get(f, len(a.chans))
		for _, ch := range a.chans {
			ch <- work{sf, a.n}
		}
	}
	a.n++
	return nil
}

// withNeutralChroma returns a 4:4:4 copy of a mono frame with mid-grey chroma.
func withNeutralChroma(f *frame.Frame) *frame.Frame {
	g := *f
	g.Chroma = frame.Chroma444
	mid := 1 << (f.BitDepth - 1)
	for i := 1; i < 3; i++ {
		p := frame.Plane{Width: f.Width, Height: f.Height, Stride: f.Width}
		if f.BitDepth == 8 {
			p.Pix8 = make([]uint8, f.Width*f.Height)
			for j := range p.Pix8 {
				p.Pix8[j] = uint8(mid)
			}
		} else {
			p.Pix16 = make([]uint16, f.Width*f.Height)
			for j := range p.Pix16 {
				p.Pix16[j] = uint16(mid)
			}
		}
		g.Planes[i] = p
	}
	return &g
}

// Frames returns how many frames have been pushed.
func (a *Analyzer) Frames() int { return a.n }

// Finish stops the check goroutines and returns the report. Checks that
// could not run (too few frames, no audio) are listed in Report.Skipped.
func (a *Analyzer) Finish() (*Report, error) {
	if a.finished {
		return nil, ErrFinished
	}
	a.finished = true
	for _, ch := range a.chans {
		close(ch)
	}
	a.done.Wait()
	r := &Report{Frames: a.n, Events: []Event{}, Shots: []Shot{}}
	fc := &finishContext{frames: a.n, width: a.info.Width, height: a.info.Height, clk: a.clk, report: r}
	if a.n == 0 {
		r.Skipped = append(r.Skipped, "video: no frames")
	} else {
		// Shots first: the borders check works per shot.
		ordered := a.checks
		if a.shots != nil && a.n >= a.shots.minFrames() {
			a.shots.finish(fc)
		} else {
			fc.shots = []Shot{{StartFrame: 0, EndFrame: a.n, Confidence: 1, Kind: ShotStart}}
		}
		for _, c := range ordered {
			if c == videoCheck(a.shots) {
				if a.n < c.minFrames() {
					r.Skipped = append(r.Skipped, fmt.Sprintf("%s: needs at least %d frames, got %d", c.name(), c.minFrames(), a.n))
				}
				continue
			}
			if a.n < c.minFrames() {
				r.Skipped = append(r.Skipped, fmt.Sprintf("%s: needs at least %d frames, got %d", c.name(), c.minFrames(), a.n))
				continue
			}
			c.finish(fc)
		}
		r.Shots = fc.shots
	}
	a.audioMu.Lock()
	switch {
	case !a.audioRan && a.cfg.enabled(CheckLoudness) || !a.audioRan && a.cfg.enabled(CheckSilence):
		r.Skipped = append(r.Skipped, "audio: no audio stream")
	default:
		r.Audio = a.audioReport
		r.Events = append(r.Events, a.audioEvents...)
		r.Skipped = append(r.Skipped, a.audioSkip...)
	}
	a.audioMu.Unlock()
	if a.cfg.SeriesOff {
		r.Series = nil
	}
	sort.SliceStable(r.Events, func(i, j int) bool {
		if r.Events[i].Start != r.Events[j].Start {
			return r.Events[i].Start < r.Events[j].Start
		}
		return r.Events[i].Check < r.Events[j].Check
	})
	return r, nil
}

// Audio measures loudness, true peak and silence over src until io.EOF. It
// may run concurrently with Push (in its own goroutine). A nil src records
// "audio: no audio stream" in Report.Skipped.
func (a *Analyzer) Audio(src AudioSource) error {
	a.audioMu.Lock()
	if a.finished {
		a.audioMu.Unlock()
		return ErrFinished
	}
	a.audioMu.Unlock()
	var (
		rep    *AudioReport
		events []Event
		skip   []string
		err    error
	)
	if src == nil {
		skip = []string{"audio: no audio stream"}
	} else {
		rep, events, err = analyzeAudio(a.cfg, a.clk, src)
		if err != nil {
			return err
		}
	}
	a.audioMu.Lock()
	defer a.audioMu.Unlock()
	a.audioRan = true
	a.audioReport, a.audioEvents, a.audioSkip = rep, events, skip
	return nil
}

// Source yields frames in presentation order, io.EOF after the last one
// (frame.Y4MReader satisfies it).
type Source interface {
	ReadFrame() (*frame.Frame, error)
}
