package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"go.temporal.io/sdk/client"
	"golang.org/x/term"

	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

// progressView shows the progress of a workflow's stages, read from the
// progress query and, for the running stage, its activity's heartbeat. On
// a terminal it draws a bar per stage (mpb) with its counts, rate and ETA;
// otherwise (CI logs, tests) it prints a line per stage whose state
// changed.
type progressView struct {
	w     io.Writer
	tty   bool
	last  string
	width int

	// On a terminal: the bars, by stage name.
	p    *mpb.Progress
	bars map[string]*stageBar
}

func newProgressView(w io.Writer) *progressView {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// A terminal without a size (a pty nobody sized) shows no bars:
		// lines instead.
		if cols, rows, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 && rows > 0 {
			return newProgressViewTTY(w, true, mpb.WithWidth(barWidth))
		}
	}
	return newProgressViewTTY(w, false)
}

// barWidth is the width of a stage's bar on a terminal.
const barWidth = 40

// newProgressViewTTY makes a view that draws bars (tty) or lines.
func newProgressViewTTY(w io.Writer, tty bool, opts ...mpb.ContainerOption) *progressView {
	v := &progressView{w: w, tty: tty, width: 30}
	if tty {
		// Auto refresh: the caller decided w is a terminal (mpb's own
		// check would not see one behind a wrapper, nor in tests).
		opts = append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(250 * time.Millisecond), mpb.WithAutoRefresh()}, opts...)
		v.p = mpb.New(opts...)
		v.bars = map[string]*stageBar{}
	}
	return v
}

// stageView is a stage with its live progress.
type stageView struct {
	workflows.Stage
	done, total int
}

// fetchProgress reads the progress query and the pending activities'
// heartbeats (titles.Progress). It fails while no worker has picked the
// workflow up.
func fetchProgress(ctx context.Context, c client.Client, id, runID string) ([]stageView, error) {
	qctx, cancel := waitCtx(ctx, 2*time.Second)
	defer cancel()
	stages, _, err := titles.Progress(qctx, c, id, runID)
	if err != nil {
		return nil, err
	}
	out := make([]stageView, len(stages))
	for i, s := range stages {
		out[i] = stageView{Stage: s.Stage, done: s.LiveDone, total: s.LiveTotal}
	}
	return out, nil
}

func (v *progressView) update(ctx context.Context, c client.Client, id, runID string) {
	stages, err := fetchProgress(ctx, c, id, runID)
	if err != nil || len(stages) == 0 {
		return // not picked up by a worker yet: keep the last picture
	}
	v.draw(stages)
}

func (v *progressView) draw(stages []stageView) {
	if v.tty {
		v.drawBars(stages)
		return
	}
	var b strings.Builder
	for _, s := range stages {
		b.WriteString(renderStage(s, v.width))
		b.WriteByte('\n')
	}
	text := b.String()
	if text == v.last {
		return
	}
	// One line per stage whose state changed.
	old := strings.Split(v.last, "\n")
	for i, s := range stages {
		line := fmt.Sprintf("%-10s %s", s.Name, s.State)
		if i >= len(old) || !strings.HasPrefix(old[i], fmt.Sprintf("%-10s", s.Name)) || stateOf(old[i]) != s.State {
			fmt.Fprintln(v.w, "reel:", line)
		}
	}
	v.last = text
}

// finish stops drawing: the bars of stages still open are left as they
// are. Call it before printing anything else on the view's writer.
func (v *progressView) finish() {
	if v == nil || v.p == nil {
		return
	}
	for _, b := range v.bars {
		if !b.closed {
			b.bar.Abort(false)
		}
	}
	v.p.Wait()
	v.p = nil
}

// stageBar is one stage's bar; its decorators read the stage's state.
type stageBar struct {
	bar *mpb.Bar

	mu    sync.Mutex
	stage stageView
	// samples counts the changes of done that fed the rate and ETA.
	samples int

	// changed is when done last changed; closed is set once the bar is
	// complete or aborted (the stage done or failed).
	changed time.Time
	closed  bool
}

func (v *progressView) drawBars(stages []stageView) {
	for i, s := range stages {
		b := v.bars[s.Name]
		if b == nil {
			b = v.addBar(s, i)
		}
		b.update(s)
	}
}

func (v *progressView) addBar(s stageView, priority int) *stageBar {
	// Counts come with the first update; those made before reel was
	// watching set the start, not a rate.
	b := &stageBar{stage: stageView{Stage: s.Stage}, changed: time.Now()}
	// Rate and ETA only while the stage runs with known counts, once
	// they have been measured.
	live := func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.stage.State == workflows.StateRunning && b.stage.total > 0 && b.samples > 0
	}
	b.bar = v.p.AddBar(0, // total unknown until the stage reports it; never completes by itself
		mpb.BarPriority(priority),
		mpb.PrependDecorators(
			decor.Name(s.Name, decor.WC{W: 11, C: decor.DindentRight}),
		),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				return b.status()
			}, decor.WCSyncSpaceR),
			decor.Any(func(st decor.Statistics) string {
				b.mu.Lock()
				defer b.mu.Unlock()
				if b.stage.total <= 0 {
					return ""
				}
				return fmt.Sprintf("%d/%d", st.Current, st.Total)
			}, decor.WCSyncSpace),
			shownWhile{decor.EwmaSpeed(nil, "%.1f/s", ewmaAge, decor.WCSyncSpace), live, ""},
			shownWhile{decor.EwmaETA(decor.ET_STYLE_GO, ewmaAge, decor.WCSyncSpace), live, " ETA"},
		),
	)
	v.bars[s.Name] = b
	return b
}

// ewmaAge is the age of the rate's and ETA's moving average in samples
// (changes of a stage's count): 30 is the EWMA that has a value from the
// first sample on.
const ewmaAge = 30

// shownWhile shows a decorator (rate, ETA) only while show is true, as
// blanks of its width otherwise: the inner decorator is always asked, as
// the columns' width synchronisation needs.
type shownWhile struct {
	decor.Decorator
	show   func() bool
	prefix string
}

func (d shownWhile) Decor(st decor.Statistics) (string, int) {
	str, w := d.Decorator.Decor(st)
	w += len(d.prefix)
	if !d.show() {
		return strings.Repeat(" ", w), w
	}
	return d.prefix + str, w
}

// Unwrap lets mpb find the EWMA decorator inside.
func (d shownWhile) Unwrap() decor.Decorator { return d.Decorator }

// status is the state column: "running 40%", "done 12.3s", "failed: …".
func (b *stageBar) status() string {
	s := b.stage
	switch s.State {
	case workflows.StateRunning:
		if s.total > 0 {
			return fmt.Sprintf("running %3.0f%%", 100*min(1, float64(s.done)/float64(s.total)))
		}
	case workflows.StateDone:
		return fmt.Sprintf("done %.1fs", s.Seconds)
	case workflows.StateFailed:
		return "failed: " + s.Error
	}
	return s.State
}

// update moves the bar to the stage's latest counts and state.
func (b *stageBar) update(s stageView) {
	b.mu.Lock()
	prev := b.stage
	b.stage = s
	closed := b.closed
	if s.State == workflows.StateDone || s.State == workflows.StateFailed {
		b.closed = true
	}
	now := time.Now()
	var since time.Duration
	moved := s.done != prev.done
	if moved {
		since = now.Sub(b.changed)
		b.changed = now
		if s.done > prev.done && prev.total > 0 {
			b.samples++
		}
	}
	b.mu.Unlock()
	if closed {
		return
	}
	if s.total > 0 && s.total != prev.total {
		b.bar.SetTotal(int64(s.total), false)
	}
	switch {
	case moved && s.done > prev.done && prev.total > 0:
		b.bar.EwmaSetCurrent(int64(s.done), since)
	case moved:
		b.bar.SetCurrent(int64(s.done))
	}
	switch s.State {
	case workflows.StateDone:
		b.bar.SetTotal(int64(max(s.total, 1)), true)
	case workflows.StateFailed:
		b.bar.Abort(false)
	}
}

// stateOf extracts the state word that renderStage puts last-but-detail.
func stateOf(line string) string {
	for _, st := range []string{workflows.StateDone, workflows.StateFailed, workflows.StateRunning, workflows.StatePending} {
		if strings.Contains(line, "] "+st) {
			return st
		}
	}
	return ""
}

// renderStage draws "encode  [██████░░░░] running  40%  52/132".
func renderStage(s stageView, width int) string {
	frac := 0.0
	switch {
	case s.State == workflows.StateDone:
		frac = 1
	case s.total > 0:
		frac = min(1, float64(s.done)/float64(s.total))
	}
	n := int(frac * float64(width))
	bar := strings.Repeat("█", n) + strings.Repeat("░", width-n)
	line := fmt.Sprintf("%-10s [%s] %s", s.Name, bar, s.State)
	switch s.State {
	case workflows.StateRunning:
		if s.total > 0 {
			line += fmt.Sprintf(" %3.0f%% %d/%d", 100*frac, s.done, s.total)
		}
	case workflows.StateDone:
		line += fmt.Sprintf(" %.1fs", s.Seconds)
	case workflows.StateFailed:
		line += ": " + s.Error
	}
	return line
}
