package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit"
	"github.com/reel-video/reel/workflows"
)

// titleOptions are the flags that make a TitleRequest.
type titleOptions struct {
	// Out is the output location: a directory, file:///dir or
	// s3://bucket/prefix/. Default ./out/<title>.
	Out string
	// Profile is a YAML profile file; empty uses the built-in default.
	Profile string
	// Title is the title id. Default: the input's file name without extension.
	Title string
	// Force starts a new encode even if the title was encoded before.
	Force bool
}

func (o *titleOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.Out, "out", "", "output `location`: a directory, file:///dir or s3://bucket/prefix/ (default ./out/TITLE)")
	fs.StringVar(&o.Profile, "profile", "", "encode profile YAML `file` (default: built-in, see reel profile)")
	fs.StringVar(&o.Title, "title", "", "title `id` (default: input file name without extension); one title is encoded once")
	fs.BoolVar(&o.Force, "force", false, "encode again even if the same request already finished; cancel a different request of the title in flight and encode this one")
}

var unsafeTitle = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// request builds and validates the workflow input. The input and --out
// are local paths (made absolute), file:///path URIs (turned into the
// local path) or s3://bucket/key URIs (passed on as they are: the workers
// open them with their own S3 settings).
func (o *titleOptions) request(input string) (workflows.TitleRequest, error) {
	src, err := location(input, false)
	if err != nil {
		return workflows.TitleRequest{}, fmt.Errorf("input: %w", err)
	}
	title := o.Title
	if title == "" {
		base := locBase(src)
		title = strings.Trim(unsafeTitle.ReplaceAllString(strings.TrimSuffix(base, path.Ext(base)), "-"), "-.")
		if title == "" {
			return workflows.TitleRequest{}, fmt.Errorf("cannot derive a title id from %q: pass --title", input)
		}
	}
	if err := request.CheckTitleID(title); err != nil {
		return workflows.TitleRequest{}, fmt.Errorf("--title: %w", err)
	}
	out := o.Out
	if out == "" {
		// The one place a title id could become a path: a title id that
		// is not a plain file name ("a/b", "../x", ".") is made one.
		name := title
		if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			if name = strings.Trim(unsafeTitle.ReplaceAllString(name, "-"), "-."); name == "" {
				return workflows.TitleRequest{}, fmt.Errorf("cannot derive an output directory from title %q: pass --out", title)
			}
		}
		out = filepath.Join("out", name)
	}
	if out, err = location(out, true); err != nil {
		return workflows.TitleRequest{}, fmt.Errorf("--out: %w", err)
	}
	p, err := loadProfile(o.Profile)
	if err != nil {
		return workflows.TitleRequest{}, err
	}
	return workflows.TitleRequest{TitleID: title, Source: src, Out: out, Profile: p}, nil
}

// location normalises an input (dir false) or output directory (dir true)
// given on the command line: a plain path becomes absolute, file:///path
// becomes the path, s3://bucket/key stays a URI (an output's trailing
// slashes dropped: it is a key prefix). It never touches the file system
// or the network.
func location(s string, dir bool) (string, error) {
	scheme, rest, isURI := strings.Cut(s, "://")
	if !isURI {
		if s == "" {
			return "", errors.New("empty path")
		}
		return filepath.Abs(s)
	}
	switch strings.ToLower(scheme) {
	case "file":
		u, err := url.Parse(s)
		if err != nil {
			return "", fmt.Errorf("%q: %w", s, err)
		}
		if (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") {
			return "", fmt.Errorf("%q: file URIs must be local and absolute (file:///path)", s)
		}
		return filepath.Clean(u.Path), nil
	case "s3":
		bucket, key, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return "", fmt.Errorf("%q has no bucket (want s3://bucket/key)", s)
		}
		key = strings.Trim(path.Clean("/"+key), "/")
		if !dir && (key == "" || strings.HasSuffix(rest, "/")) {
			return "", fmt.Errorf("%q names no object (want s3://bucket/key)", s)
		}
		if key == "" {
			return "s3://" + bucket, nil
		}
		return "s3://" + bucket + "/" + key, nil
	default:
		return "", fmt.Errorf("%q: unsupported scheme %q (want a path, file:///path or s3://bucket/key)", s, scheme)
	}
}

// locBase is the last element of a location's path or key.
func locBase(loc string) string {
	if _, rest, ok := strings.Cut(loc, "://"); ok {
		return path.Base(rest)
	}
	return filepath.Base(loc)
}

// start submits req through package submit, which decides once, for
// every command, whether the request is new (request.Decide): it joins
// the same request in flight, answers the same finished one with its
// result, encodes a changed one again and refuses a different one in
// flight (force replaces it).
func start(ctx context.Context, c client.Client, req workflows.TitleRequest, force bool) (submit.Outcome, error) {
	opts := submit.Options{Force: force}
	if err := submit.Identify(ctx, c, &req, opts); err != nil {
		return submit.Outcome{}, err
	}
	return submit.Title(ctx, c, req, opts)
}

// startLine is what `reel run` says about the outcome on stderr.
func startLine(out submit.Outcome, req workflows.TitleRequest, hostPort string) string {
	what := "started"
	switch out.Decision.Action {
	case request.Join:
		what = "resumed"
	case request.Answer:
		what = "answered"
	case request.Restart, request.Replace:
		what = "restarted"
	}
	line := fmt.Sprintf("reel: %s workflow %s (title %s) on %s", what, out.Run.GetID(), req.TitleID, hostPort)
	if out.Decision.Reason != "" {
		line += ": " + out.Decision.Reason
	}
	return line
}

type runOptions struct {
	conn   connOptions
	title  titleOptions
	worker workerOptions
	// store configures s3:// inputs and outputs for this process's worker.
	store storeOptions
	// NoWorker relies on other processes' workers (with --temporal).
	NoWorker bool
	// Quiet prints no progress, only the result.
	Quiet bool
	// JSON prints the workflow result as JSON on stdout.
	JSON bool
}

func newRunCmd(env *Env) *cobra.Command {
	var o runOptions
	cmd := &cobra.Command{
		Use:   "run INPUT",
		Short: "encode a title end to end (embedded Temporal unless --temporal)",
		Long: `Encode a title end to end and wait for it, with a progress bar per stage.

INPUT and --out are paths, file:///path or s3://bucket/key URIs. Without
--temporal (or REEL_TEMPORAL) reel starts a Temporal server in the process,
with its state in --state-dir, and a worker on every task queue.
Interrupted (exit 130), the workflow keeps its state: run the same command
again to resume it.`,
		Example: `  reel run master.mov --out out/master
  reel run s3://mezz/t.mov --out s3://out/t/ --profile ladder.yaml
  reel run master.mov --temporal temporal:7233 --no-worker --json`,
		Args: positional(1, 1, "INPUT"),
		RunE: runE(func(ctx context.Context, args []string) int { return runRun(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.title.register(fs)
	o.worker.register(fs)
	o.store.register(fs)
	fs.BoolVar(&o.NoWorker, "no-worker", false, "start no worker in this process (a fleet of reel workers does the work)")
	fs.BoolVar(&o.Quiet, "quiet", false, "no progress bars")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON on stdout")
	return cmd
}

func runRun(ctx context.Context, env *Env, o *runOptions, pos []string) int {
	req, err := o.title.request(pos[0])
	if err != nil {
		printErr(env, "run", err)
		return exitUsage
	}
	if !strings.Contains(req.Source, "://") {
		if _, err := os.Stat(req.Source); err != nil {
			// Checked again (and reported as non-retryable) by the
			// workflow; failing here saves starting a server for a typo.
			// Objects are checked by the workers, with their credentials.
			printErr(env, "run", fmt.Errorf("input: %w", err))
			return exitFailed
		}
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "run", err)
		return exitFailed
	}
	defer c.Close()
	if !o.NoWorker {
		stop, err := startWorkers(c, o.worker, o.store)
		if err != nil {
			printErr(env, "run", err)
			return exitFailed
		}
		defer stop()
	}
	out, err := start(ctx, c.Client, req, o.title.Force)
	if err != nil {
		printErr(env, "run", err)
		return exitFailed
	}
	if !o.Quiet {
		fmt.Fprintln(env.Stderr, startLine(out, req, c.HostPort))
	}
	return waitAndReport(ctx, env, c.Client, out.Run, o.Quiet, o.JSON, "run")
}

// waitAndReport follows a run to its end, drawing progress, and prints the
// outcome.
func waitAndReport(ctx context.Context, env *Env, c client.Client, run client.WorkflowRun, quiet, asJSON bool, cmd string) int {
	done := make(chan error, 1)
	var res workflows.TitleResult
	go func() { done <- run.Get(ctx, &res) }()
	var bars *progressView
	if !quiet {
		bars = newProgressView(env.Stderr)
	}
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case err := <-done:
			if bars != nil {
				bars.update(context.WithoutCancel(ctx), c, run.GetID(), run.GetRunID())
				bars.finish() // before anything else is printed
			}
			if ctx.Err() != nil {
				fmt.Fprintf(env.Stderr, "reel: interrupted; workflow %s keeps its state: run the same command again to resume it\n", run.GetID())
				return exitInterrupted
			}
			if err != nil {
				printErr(env, cmd, err)
				return exitFailed
			}
			printResult(env, res, asJSON)
			return exitOK
		case <-tick.C:
			if bars != nil {
				bars.update(ctx, c, run.GetID(), run.GetRunID())
			}
			// A title held at the QC gate waits for a reviewer: say so
			// and exit 3 rather than wait; the title stays held.
			if n%4 != 0 {
				continue
			}
			if g, err := gateState(ctx, c, run.GetID(), run.GetRunID()); err == nil && g != nil && g.State == workflows.GateHeld {
				if bars != nil {
					bars.finish()
				}
				printHeld(env.Stderr, run.GetID(), g)
				return exitHeld
			}
		}
	}
}

func printResult(env *Env, res workflows.TitleResult, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	scores := map[string]workflows.RungScore{}
	for _, s := range res.Scores {
		scores[s.ID] = s
	}
	switch res.Ladder {
	case "per-title":
		fmt.Fprintln(env.Stdout, "ladder: per-title (report.json \"ladder\": trial grid, hull, predicted vs measured, BD-rate vs Apple's HLS ladder)")
		if c := res.Comparison; c != nil {
			fmt.Fprintf(env.Stdout, "  against %s: BD-rate %s measured (%s predicted), BD-VMAF %s\n",
				c.Reference, bdPercent(c.BDRateMeasured), bdPercent(c.BDRatePredicted), bdPoints(c.BDVMAFMeasured))
			if c.BDRateMeasured == nil && c.BDRateMeasuredError != "" {
				fmt.Fprintf(env.Stdout, "  (no BD-rate: %s)\n", c.BDRateMeasuredError)
			}
		}
	case "fixed":
		fmt.Fprintln(env.Stdout, "ladder: fixed (the profile's rungs)")
	}
	perTitle := map[string]workflows.PerTitleRung{}
	for _, r := range res.PerTitle {
		perTitle[r.ID] = r
	}
	fmt.Fprintln(env.Stdout, "rungs:")
	for _, r := range res.Rungs {
		sc := scores[r.ID]
		fmt.Fprintf(env.Stdout, "  %-8s %4dx%-4d %8.0f kb/s  %5d frames  VMAF %6.2f (min %6.2f, 1%% %6.2f)  PSNR-Y %.2f dB  %s\n",
			r.ID, r.Width, r.Height, r.BitrateKbps, r.Frames, sc.VMAF.Mean, sc.VMAF.Min, sc.VMAF.P1, sc.PSNRY, r.Path)
		if pr, ok := perTitle[r.ID]; ok {
			fmt.Fprintf(env.Stdout, "  %-8s %s\n", "", perTitleSummary(pr))
		}
	}
	for _, a := range res.Audio {
		fmt.Fprintf(env.Stdout, "  %-8s %s %d ch %d Hz %8.0f kb/s  %.2f s  %s\n", a.ID, a.Codec, a.Channels, a.SampleRate, a.BitrateKbps, a.DurationSec, a.Path)
	}
	if res.Chunks > 0 {
		fmt.Fprintf(env.Stdout, "chunks: %d (%d reused from the cache)\n", res.Chunks, res.ReusedChunks)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Stdout, "warning: %s\n", w)
	}
	if g := res.Gate; g != nil && len(g.Blockers) > 0 {
		line := fmt.Sprintf("QC gate: %s, %d blockers", g.State, len(g.Blockers))
		if r := g.Review; r != nil {
			line += fmt.Sprintf(" (%sd by %s: %s)", r.Decision, r.By, r.Note)
		}
		fmt.Fprintln(env.Stdout, line)
	}
	if p := res.Package; p != nil {
		for _, m := range []string{p.Master, p.MPD} {
			if m != "" {
				fmt.Fprintf(env.Stdout, "package: %s\n", joinOut(p.Root, path.Base(m)))
			}
		}
	}
	fmt.Fprintf(env.Stdout, "report: %s\n", res.ReportPath)
	if res.ReportHTML != "" {
		fmt.Fprintf(env.Stdout, "report html: %s\n", res.ReportHTML)
	}
}

// perTitleSummary is a per-title rung's plan in one line: its CRF, the
// predicted bitrate and VMAF, and the range of its chunks' CRFs and
// heights when the per-shot optimizer planned several chunks.
func perTitleSummary(r workflows.PerTitleRung) string {
	s := fmt.Sprintf("CRF %g, predicted %.0f kb/s VMAF %.2f", r.CRF, r.PredictedKbps, r.PredictedVMAF)
	if len(r.ChunkCRFs) > 1 {
		lo, hi := slices.Min(r.ChunkCRFs), slices.Max(r.ChunkCRFs)
		s += fmt.Sprintf("; %d chunks at CRF %s", len(r.ChunkCRFs), span(lo, hi, "%g"))
		if len(r.ChunkHeights) > 0 {
			s += ", " + span(slices.Min(r.ChunkHeights), slices.Max(r.ChunkHeights), "%d") + "p"
		}
		if d := (r.PredictedKbps/r.UniformKbps - 1) * 100; r.UniformKbps > 0 && math.Abs(d) >= 0.05 {
			s += fmt.Sprintf(" (%+.1f%% bits against one CRF)", d)
		}
	}
	return s
}

// span formats lo–hi, or lo alone when they are equal.
func span[T int | float64](lo, hi T, format string) string {
	if lo == hi {
		return fmt.Sprintf(format, lo)
	}
	return fmt.Sprintf(format+"–"+format, lo, hi)
}

// bdPercent formats a BD-rate fraction as a signed percentage.
func bdPercent(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", *f*100)
}

// bdPoints formats a BD-VMAF difference in VMAF points.
func bdPoints(f *float64) string {
	if f == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f", *f)
}

type submitOptions struct {
	conn  connOptions
	title titleOptions
	// Wait follows the workflow to its end like `reel run`.
	Wait bool
}

func newSubmitCmd(env *Env) *cobra.Command {
	var o submitOptions
	cmd := &cobra.Command{
		Use:   "submit INPUT",
		Short: "start an EncodeTitle workflow and print its id (for ingest systems)",
		Long: `Start an EncodeTitle workflow for INPUT and print its id on stdout; what
was decided about the request, and why, goes to stderr. The same request
as a run in flight joins it, as a finished run is answered with its
result; a different request while one is in flight fails unless --force.`,
		Args: positional(1, 1, "INPUT"),
		RunE: runE(func(ctx context.Context, args []string) int { return runSubmit(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.title.register(fs)
	fs.BoolVar(&o.Wait, "wait", false, "wait for the result")
	return cmd
}

func runSubmit(ctx context.Context, env *Env, o *submitOptions, pos []string) int {
	req, err := o.title.request(pos[0])
	if err != nil {
		printErr(env, "submit", err)
		return exitUsage
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "submit", err)
		return exitFailed
	}
	defer c.Close()
	out, err := start(ctx, c.Client, req, o.title.Force)
	if err != nil {
		printErr(env, "submit", err)
		return exitFailed
	}
	// The workflow id on stdout (what an ingest system reads); what was
	// decided, and why, on stderr.
	fmt.Fprintln(env.Stdout, out.Run.GetID())
	if out.Decision.Reason != "" {
		fmt.Fprintf(env.Stderr, "reel submit: %s\n", out.Decision.Reason)
	}
	if o.Wait {
		return waitAndReport(ctx, env, c.Client, out.Run, true, false, "submit")
	}
	return exitOK
}

// loadProfile reads a profile file (the built-in default when path is
// empty) and also checks its qc section against the QC checks.
func loadProfile(path string) (profile.Profile, error) {
	p := profile.Default()
	if path != "" {
		var err error
		if p, err = profile.Load(path); err != nil {
			return p, err
		}
	}
	qc, err := qcrun.Resolve(p.QC)
	if err != nil {
		return p, fmt.Errorf("%s: qc: %w", path, err)
	}
	// The request carries the profile resolved, QC settings included, so
	// that its hash and the title's plan do not depend on this reel's
	// defaults once it is submitted.
	p.QC = qc
	return p, nil
}

// joinOut joins a file name to an output location (a path or a URI).
func joinOut(loc, name string) string {
	if strings.Contains(loc, "://") {
		return strings.TrimSuffix(loc, "/") + "/" + name
	}
	return filepath.Join(loc, name)
}
