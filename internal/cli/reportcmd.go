package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/workflows/activities"
)

type reportOptions struct {
	store storeOptions
}

func newReportCmd(env *Env) *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report OUT",
		Short: "render an output's report.json as report.html",
		Long: `Render the report.json of an encoded title's output OUT (a directory,
file:///dir or s3://bucket/prefix/) as OUT/report.html, written whole, and
print its location: one self-contained page with the summary, the
rate–quality plot, the per-frame series, the QC events, the worst moments
and a player. The report stage writes report.html itself; this renders it
again, e.g. for a report written by an older reel. A missing or unreadable
report.json, or one of a schema version this reel does not read, is an
error saying so.`,
		Example: `  reel report out/bigbuckbunny
  reel report s3://out/t42/`,
		Args: positional(1, 1, "OUT"),
		RunE: runE(func(ctx context.Context, args []string) int { return runReport(ctx, env, &o, args) }),
	}
	o.store.register(cmd.Flags())
	return cmd
}

func runReport(ctx context.Context, env *Env, o *reportOptions, pos []string) int {
	out, err := location(pos[0], true)
	if err != nil {
		printErr(env, "report", fmt.Errorf("OUT: %w", err))
		return exitUsage
	}
	a := activities.New(activities.Libav(), slog.New(slog.DiscardHandler))
	a.Store = o.store.mezzfs()
	html, err := activities.WriteHTML(ctx, a, out)
	if err != nil {
		printErr(env, "report", err)
		return exitFailed
	}
	fmt.Fprintf(env.Stdout, "report: %s\n", html)
	return exitOK
}
