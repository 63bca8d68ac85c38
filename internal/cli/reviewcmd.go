package cli

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

// exitHeld is the exit status of a title held at the QC gate (reel run,
// reel status); reel qc --fail-on uses it for QC events too.
const exitHeld = 3

type reviewOptions struct {
	conn connOptions
	// Note says why (report.json records it).
	Note string
	// By names the reviewer. Default $USER.
	By string
}

func newReviewCmd(env *Env) *cobra.Command {
	var o reviewOptions
	cmd := &cobra.Command{
		Use:   "review TITLE approve|reject",
		Short: "approve or reject a title held at the QC gate",
		Long: `Approve or reject a title held at the QC gate (a QC blocker under qc.gate:
hold). Approve packages it and writes its report; reject ends it with a
non-retryable QCRejected error after its report. The decision, who made it,
when and the note go into report.json. TITLE is a title or workflow id.`,
		Example: `  reel review bigbuckbunny approve --note "black at 00:02 is the director's cut"
  reel review t42 reject --by qc-ana --note "freeze at 00:01:10:04"`,
		Args: positional(2, 2, "TITLE approve|reject"),
		RunE: runE(func(ctx context.Context, args []string) int { return runReview(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	fs.StringVar(&o.Note, "note", "", "why (recorded in report.json)")
	fs.StringVar(&o.By, "by", "", "reviewer `name` (default $USER)")
	return cmd
}

func runReview(ctx context.Context, env *Env, o *reviewOptions, pos []string) int {
	decision := strings.ToLower(pos[1])
	if decision != workflows.ReviewApprove && decision != workflows.ReviewReject {
		fmt.Fprintf(env.Stderr, "reel review: %q: want approve or reject\n", pos[1])
		return exitUsage
	}
	by := o.By
	if by == "" {
		by = env.Getenv("USER")
	}
	id := titleWorkflowID(pos[0])
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "review", err)
		return exitFailed
	}
	defer c.Close()
	g, err := titles.Review(ctx, c.Client, id, workflows.Review{Decision: decision, By: by, Note: o.Note})
	if err != nil {
		printErr(env, "review", err)
		return exitFailed
	}
	fmt.Fprintf(env.Stdout, "%s: %sd (%d blockers)\n", id, decision, len(g.Blockers))
	return exitOK
}

// titleWorkflowID takes a title id or a workflow id.
func titleWorkflowID(s string) string { return titles.TitleWorkflowID(s) }

// gateState asks a running title for its QC gate's state (nil before the
// gate, or for a title from before it).
func gateState(ctx context.Context, c client.Client, id, runID string) (*workflows.GateState, error) {
	qctx, cancel := waitCtx(ctx, 5*time.Second)
	defer cancel()
	p, err := titles.QueryProgress(qctx, c, id, runID)
	return p.Gate, err
}

// printHeld says that a title waits at the QC gate, with each blocker.
func printHeld(w io.Writer, id string, g *workflows.GateState) {
	since := ""
	if g.HeldSince != nil {
		since = " since " + g.HeldSince.Local().Format(time.DateTime)
	}
	title := strings.TrimPrefix(id, "reel-title/")
	fmt.Fprintf(w, "held at QC gate%s: %d blockers; reel review %s approve|reject --note TEXT\n", since, len(g.Blockers), title)
	for _, b := range g.Blockers {
		fmt.Fprintf(w, "  blocker  %-12s %-8s", b.Check, b.Stream)
		if b.StartTC != "" {
			fmt.Fprintf(w, " %s–%s", b.StartTC, b.EndTC)
		} else if b.EndFrame > b.StartFrame {
			fmt.Fprintf(w, " frames %d–%d", b.StartFrame, b.EndFrame-1)
		}
		fmt.Fprintf(w, "  value %g, threshold %g", b.Value, b.Threshold)
		if b.Thumbnail != "" {
			fmt.Fprintf(w, "  %s", path.Clean(b.Thumbnail))
		}
		if b.Detail != "" {
			fmt.Fprintf(w, "  (%s)", b.Detail)
		}
		fmt.Fprintln(w)
	}
}
