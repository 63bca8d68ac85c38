package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/reel-video/reel/workflows"
)

// progressView draws one bar per workflow stage from the progress query,
// filled in for the running stage from its activity's heartbeat. On a
// terminal it redraws in place; otherwise it prints a line per change.
type progressView struct {
	w     io.Writer
	tty   bool
	lines int
	last  string
	width int
}

func newProgressView(w io.Writer) *progressView {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressView{w: w, tty: tty, width: 30}
}

// stageView is a stage with its live progress.
type stageView struct {
	workflows.Stage
	done, total int
}

// fetchProgress reads the progress query and the pending activities'
// heartbeats. It fails while no worker has picked the workflow up.
func fetchProgress(ctx context.Context, c client.Client, id, runID string) ([]stageView, error) {
	qctx, cancel := waitCtx(ctx, 2*time.Second)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, id, runID, workflows.ProgressQuery)
	if err != nil {
		return nil, err
	}
	var p workflows.Progress
	if err := v.Get(&p); err != nil {
		return nil, err
	}
	live := map[string]workflows.ActivityProgress{}
	if d, err := c.DescribeWorkflowExecution(qctx, id, runID); err == nil {
		dc := converter.GetDefaultDataConverter()
		for _, pa := range d.GetPendingActivities() {
			ps := pa.GetHeartbeatDetails().GetPayloads()
			var hp workflows.ActivityProgress
			if len(ps) > 0 && dc.FromPayload(ps[0], &hp) == nil {
				live[pa.GetActivityType().GetName()] = hp
			}
		}
	}
	out := make([]stageView, len(p.Stages))
	for i, s := range p.Stages {
		out[i].Stage = s
		switch {
		case s.Total > 0: // a fanned-out stage counts its own units
			out[i].done, out[i].total = s.Done, s.Total
		case s.State == workflows.StateRunning:
			if hp, ok := live[s.Activity]; ok {
				out[i].done, out[i].total = hp.Done, hp.Total
			}
		}
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
	var b strings.Builder
	for _, s := range stages {
		b.WriteString(renderStage(s, v.width))
		b.WriteByte('\n')
	}
	text := b.String()
	if text == v.last {
		return
	}
	if v.tty {
		if v.lines > 0 {
			fmt.Fprintf(v.w, "\x1b[%dA", v.lines)
		}
		fmt.Fprint(v.w, strings.ReplaceAll(text, "\n", "\x1b[K\n"))
		v.lines = len(stages)
	} else {
		// One line per stage whose state changed.
		old := strings.Split(v.last, "\n")
		for i, s := range stages {
			line := fmt.Sprintf("%-10s %s", s.Name, s.State)
			if i >= len(old) || !strings.HasPrefix(old[i], fmt.Sprintf("%-10s", s.Name)) || stateOf(old[i]) != s.State {
				fmt.Fprintln(v.w, "reel:", line)
			}
		}
	}
	v.last = text
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
