package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"go.temporal.io/sdk/client"
	"golang.org/x/term"

	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/submit/campaigns"
	"github.com/reel-video/reel/workflows"
)

// newCampaignCmd is the `reel campaign` group.
func newCampaignCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "campaign",
		Short: "re-encode a catalog of titles with a new profile, and the bits saved per title",
		Long: `A campaign re-encodes a catalog of titles with a new profile as one durable
Campaign workflow (id reel-campaign/NAME): at most --max-in-flight titles at
once, each its own EncodeTitle (a title already in flight is joined, one
already finished with the same request is skipped), at a lower priority
than titles from reel run and reel submit. Failed titles are recorded and do
not stop it; titles held at the QC gate are listed as held. With
--compare-with, each finished title gets its BD-rate, BD-VMAF and bytes
against the previous encode; campaign.json, campaign.csv and campaign.html
are written as it runs.`,
		Args: positional(0, 0, ""),
	}
	cmd.AddCommand(
		newCampaignStartCmd(env),
		newCampaignStatusCmd(env),
		newCampaignSignalCmd(env, "pause", "stop starting titles (those in flight go on)", campaigns.Pause),
		newCampaignSignalCmd(env, "resume", "start titles again after a pause", campaigns.Resume),
		newCampaignSignalCmd(env, "cancel", "end the campaign: start no more titles (those in flight finish)", campaigns.Cancel),
		newCampaignRetryCmd(env),
		newCampaignListCmd(env),
	)
	return cmd
}

type campaignStartOptions struct {
	conn  connOptions
	store storeOptions
	// Catalog is the titles: a text file of source URIs, a CSV
	// (title_id,source,old_out) or a prefix ending in / to list.
	Catalog string
	// Profile is the new profile's YAML file (default: built-in).
	Profile string
	// OutTemplate is each title's output, {title} its id.
	OutTemplate string
	// CompareWith is the previous outputs' template (savings).
	CompareWith string
	// Report is where campaign.json/.csv/.html go (default beside the
	// outputs: the template's directory before {title}/campaign-NAME).
	Report string
	// MaxInFlight caps the titles running at once.
	MaxInFlight int
	// Wait blocks with progress until the campaign ends.
	Wait bool
	// PollEvery is how often the campaign looks at its titles in flight
	// (0: the workflow's default).
	PollEvery time.Duration
}

func newCampaignStartCmd(env *Env) *cobra.Command {
	var o campaignStartOptions
	cmd := &cobra.Command{
		Use:   "start NAME",
		Short: "start a campaign over a catalog",
		Long: `Start the campaign NAME over the titles of --catalog, encoded with --profile
into --out-template. The catalog is a text file of source URIs (a title's id
is its file name without extension), a CSV with a header
title_id,source,old_out, or a location ending in / (an s3://bucket/prefix/ or
a directory) whose media files are listed. In templates {title} is the title
id made one safe path element (letters, digits, '-', '_' and '.' kept, other
bytes %XX, so an id never climbs out of the template's prefix).

The campaign's workflow id is printed on stdout. Without --wait the
command returns once the campaign is started (a reel worker runs it). With
--wait it draws the campaign's progress until it ends. Exit status: 0
started (or, with --wait, every title done or skipped), 1 failed (with
--wait: some title failed), 2 usage, 3 with --wait: no title failed but
some are held at the QC gate (reel review), 130 interrupted (the campaign
goes on; reel campaign status NAME).`,
		Example: `  reel campaign start av1-2027 --catalog titles.csv --profile av1.yaml \
      --out-template s3://out/{title}/v2/ --compare-with s3://out/{title}/v1/ --max-in-flight 20
  reel campaign start retest --catalog s3://mezz/films/ --out-template /srv/out/{title}/crf23 --wait`,
		Args: positional(1, 1, "NAME"),
		RunE: runE(func(ctx context.Context, args []string) int { return runCampaignStart(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.store.register(fs)
	fs.StringVar(&o.Catalog, "catalog", "", "titles: a text `file` of source URIs, a CSV title_id,source,old_out, or a prefix ending in / to list (required)")
	fs.StringVar(&o.Profile, "profile", "", "encode profile YAML `file` (default: built-in, see reel profile)")
	fs.StringVar(&o.OutTemplate, "out-template", "", "each title's output, {title} its id, e.g. s3://out/{title}/v2/ (required)")
	fs.StringVar(&o.CompareWith, "compare-with", "", "previous outputs' `template` (e.g. s3://out/{title}/v1/): BD-rate and bytes saved per title")
	fs.StringVar(&o.Report, "report", "", "campaign.json/.csv/.html `location` (default: the template's directory before {title}, campaign-NAME)")
	fs.IntVar(&o.MaxInFlight, "max-in-flight", workflows.DefaultCampaignMaxInFlight, "titles running at once, at most")
	fs.BoolVar(&o.Wait, "wait", false, "wait for the campaign to end, with progress; the exit status says whether a title failed")
	fs.DurationVar(&o.PollEvery, "poll-every", 0, "how often the campaign looks at its titles in flight (default: the workflow's, 30s)")
	_ = cmd.MarkFlagRequired("catalog")
	_ = cmd.MarkFlagRequired("out-template")
	return cmd
}

func runCampaignStart(ctx context.Context, env *Env, o *campaignStartOptions, pos []string) int {
	name := pos[0]
	if o.MaxInFlight < 1 {
		printErr(env, "campaign start", fmt.Errorf("--max-in-flight %d: want 1 or more", o.MaxInFlight))
		return exitUsage
	}
	prof, err := loadProfile(o.Profile)
	if err != nil {
		printErr(env, "campaign start", err)
		return exitFailed
	}
	st := store.New(o.store.mezzfs())
	cat, err := campaigns.LoadCatalog(ctx, st, o.Catalog)
	if err != nil {
		printErr(env, "campaign start", err)
		return exitFailed
	}
	opts := campaigns.StartOptions{Name: name, Catalog: cat, Profile: prof, ProfileName: o.Profile,
		OutTemplate: o.OutTemplate, CompareWith: o.CompareWith, Report: o.Report,
		MaxInFlight: o.MaxInFlight, PollEvery: o.PollEvery}
	if _, err := campaigns.Input(opts); err != nil { // before connecting
		printErr(env, "campaign start", err)
		return exitUsage
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "campaign start", err)
		return exitFailed
	}
	defer c.Close()
	_, in, err := campaigns.Start(ctx, c.Client, st, opts)
	if err != nil {
		printErr(env, "campaign start", err)
		return exitFailed
	}
	// The workflow id on stdout, as reel submit prints it.
	fmt.Fprintln(env.Stdout, workflows.CampaignWorkflowID(name))
	fmt.Fprintf(env.Stderr, "reel campaign: %s started: %d titles, at most %d in flight; report in %s (reel campaign status %s)\n",
		workflows.CampaignWorkflowID(name), len(cat), o.MaxInFlight, in.Report, name)
	if !o.Wait {
		return exitOK
	}
	return waitCampaign(ctx, env, c, name)
}

// waitCampaign draws the campaign's progress until it ends and maps its
// outcome to the exit status.
func waitCampaign(ctx context.Context, env *Env, c *conn, name string) int {
	view := newCampaignView(env.Stderr)
	final, err := campaigns.Wait(ctx, c.Client, name, campaigns.WaitOptions{OnProgress: view.update})
	view.finish()
	if ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "reel campaign: interrupted; the campaign goes on (reel campaign status %s)\n", name)
		return exitInterrupted
	}
	if err != nil {
		printErr(env, "campaign", err)
		return exitFailed
	}
	printCampaign(env.Stdout, campaigns.Status{CampaignProgress: final, WorkflowID: workflows.CampaignWorkflowID(name)})
	switch campaigns.OutcomeOf(final) {
	case campaigns.SomeFailed:
		return exitFailed
	case campaigns.SomeHeld:
		return exitHeld
	}
	return exitOK
}

// campaignView draws a campaign's progress: on a terminal a bar of the
// titles finished (mpb) with the counts, rate and ETA; otherwise a line
// each time the counts change.
type campaignView struct {
	w    io.Writer
	last string

	p   *mpb.Progress
	bar *mpb.Bar
	mu  sync.Mutex
	cur workflows.CampaignProgress
}

func newCampaignView(w io.Writer) *campaignView {
	v := &campaignView{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, rows, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 && rows > 0 {
			v.p = mpb.New(mpb.WithOutput(w), mpb.WithWidth(barWidth), mpb.WithRefreshRate(250*time.Millisecond), mpb.WithAutoRefresh())
			v.bar = v.p.AddBar(0,
				mpb.PrependDecorators(decor.Name("titles", decor.WC{W: 11, C: decor.DindentRight})),
				mpb.AppendDecorators(
					decor.CountersNoUnit("%d/%d", decor.WCSyncSpace),
					decor.Any(func(decor.Statistics) string {
						v.mu.Lock()
						defer v.mu.Unlock()
						return campaignCounts(v.cur, true)
					}, decor.WCSyncSpace),
				),
			)
		}
	}
	return v
}

func (v *campaignView) update(p workflows.CampaignProgress) {
	if v.bar != nil {
		v.mu.Lock()
		v.cur = p
		v.mu.Unlock()
		if p.Total > 0 {
			v.bar.SetTotal(int64(p.Total), false)
		}
		v.bar.SetCurrent(int64(p.Done + p.Skipped + p.Failed))
		return
	}
	line := campaignCounts(p, false) // a line when the counts change
	if line == v.last {
		return
	}
	v.last = line
	fmt.Fprintf(v.w, "reel campaign: %d/%d %s\n", p.Done+p.Skipped+p.Failed, p.Total, line)
}

func (v *campaignView) finish() {
	if v.p == nil {
		return
	}
	v.bar.Abort(false)
	v.p.Wait()
	v.p = nil
}

// campaignCounts is "done 3, skipped 0, in flight 2, failed 0, held 0,
// remaining 5" and, with rate and once known, the throughput and ETA.
func campaignCounts(p workflows.CampaignProgress, rate bool) string {
	s := fmt.Sprintf("done %d, skipped %d, in flight %d, failed %d, held %d, remaining %d",
		p.Done, p.Skipped, p.InFlight, p.Failed, p.Held, p.Remaining)
	if rate && p.TitlesPerHour > 0 {
		s += fmt.Sprintf(", %.1f titles/h", p.TitlesPerHour)
		if eta, ok := campaigns.ETA(p); ok {
			s += ", ETA " + eta.String()
		}
	}
	if p.Paused {
		s += " (paused)"
	}
	return s
}

// printCampaign prints a campaign's status.
func printCampaign(w io.Writer, st campaigns.Status) {
	p := st.CampaignProgress
	state := "running"
	switch {
	case p.Finished:
		state = "finished"
	case st.Closed != "":
		state = st.Closed
	case p.Cancelled:
		state = "cancelling"
	case p.Paused:
		state = "paused"
	}
	fmt.Fprintf(w, "campaign %s: %s (%d titles, at most %d in flight)\n", p.Name, state, p.Total, p.MaxInFlight)
	fmt.Fprintf(w, "  done       %d\n  skipped    %d\n  in flight  %d\n  failed     %d\n  held       %d\n  remaining  %d\n",
		p.Done, p.Skipped, p.InFlight, p.Failed, p.Held, p.Remaining)
	if p.TitlesPerHour > 0 {
		fmt.Fprintf(w, "  throughput %.1f titles/hour", p.TitlesPerHour)
		if eta, ok := campaigns.ETA(p); ok && !p.Finished {
			fmt.Fprintf(w, ", ETA %s", eta)
		}
		fmt.Fprintln(w)
	}
	for _, l := range []struct {
		what string
		ids  []string
	}{{"in flight", p.InFlightTitles}, {"held", p.HeldTitles}, {"failed", p.FailedTitles}} {
		if len(l.ids) > 0 {
			fmt.Fprintf(w, "  %-10s %s\n", l.what+":", strings.Join(l.ids, ", "))
		}
	}
}

type campaignStatusOptions struct {
	conn connOptions
	// JSON prints the progress as JSON.
	JSON bool
}

func newCampaignStatusCmd(env *Env) *cobra.Command {
	var o campaignStatusOptions
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "a campaign's titles done, in flight, failed, held, skipped and remaining, throughput and ETA",
		Long: `Print the campaign's progress: titles done, skipped (the same request had
finished), in flight, failed, held at the QC gate and remaining, the
throughput so far and the ETA at that pace. Exit status: 0, 1 when the
campaign cannot be asked (no such campaign, no worker).`,
		Example: `  reel campaign status av1-2027
  reel campaign status av1-2027 --json | jq .failed_titles`,
		Args: positional(1, 1, "NAME"),
		RunE: runE(func(ctx context.Context, args []string) int { return runCampaignStatus(ctx, env, &o, args) }),
	}
	o.conn.register(cmd.Flags(), env)
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the progress as JSON")
	return cmd
}

func runCampaignStatus(ctx context.Context, env *Env, o *campaignStatusOptions, pos []string) int {
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "campaign status", err)
		return exitFailed
	}
	defer c.Close()
	st, err := campaigns.GetStatus(ctx, c.Client, pos[0])
	if err != nil {
		printErr(env, "campaign status", err)
		return exitFailed
	}
	if o.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(st.CampaignProgress)
		return exitOK
	}
	printCampaign(env.Stdout, st)
	return exitOK
}

type campaignSignalOptions struct {
	conn connOptions
	// Reason is recorded in the campaign's progress.
	Reason string
}

func newCampaignSignalCmd(env *Env, verb, short string, send campaignSignal) *cobra.Command {
	var o campaignSignalOptions
	cmd := &cobra.Command{
		Use:   verb + " NAME",
		Short: short,
		Long: fmt.Sprintf(`Signal the campaign NAME to %s. Exit status: 0 sent, 1 when the campaign
does not exist or has ended.`, short),
		Example: fmt.Sprintf(`  reel campaign %s av1-2027 --reason "encoder fleet maintenance"`, verb),
		Args:    positional(1, 1, "NAME"),
		RunE: runE(func(ctx context.Context, args []string) int {
			return runCampaignSignal(ctx, env, &o, verb, send, args)
		}),
	}
	o.conn.register(cmd.Flags(), env)
	cmd.Flags().StringVar(&o.Reason, "reason", "", "why (recorded in the campaign's progress)")
	return cmd
}

func runCampaignSignal(ctx context.Context, env *Env, o *campaignSignalOptions, verb string, send campaignSignal, pos []string) int {
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "campaign "+verb, err)
		return exitFailed
	}
	defer c.Close()
	if err := send(ctx, c.Client, pos[0], o.Reason); err != nil {
		printErr(env, "campaign "+verb, err)
		return exitFailed
	}
	fmt.Fprintf(env.Stdout, "%s: %s sent\n", workflows.CampaignWorkflowID(pos[0]), verb)
	return exitOK
}

type campaignRetryOptions struct {
	conn connOptions
}

func newCampaignRetryCmd(env *Env) *cobra.Command {
	var o campaignRetryOptions
	cmd := &cobra.Command{
		Use:   "retry-failed NAME [TITLE...]",
		Short: "queue a campaign's failed titles again",
		Long: `Queue the campaign's failed titles (the TITLEs named, all when none) again;
they start before the catalog's next title. Exit status: 0 sent, 1 when the
campaign does not exist or has ended.`,
		Example: `  reel campaign retry-failed av1-2027
  reel campaign retry-failed av1-2027 t17 t42`,
		Args: positional(1, -1, "NAME [TITLE...]"),
		RunE: runE(func(ctx context.Context, args []string) int { return runCampaignRetry(ctx, env, &o, args) }),
	}
	o.conn.register(cmd.Flags(), env)
	return cmd
}

func runCampaignRetry(ctx context.Context, env *Env, o *campaignRetryOptions, pos []string) int {
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "campaign retry-failed", err)
		return exitFailed
	}
	defer c.Close()
	if err := campaigns.RetryFailed(ctx, c.Client, pos[0], pos[1:]); err != nil {
		printErr(env, "campaign retry-failed", err)
		return exitFailed
	}
	fmt.Fprintf(env.Stdout, "%s: retry-failed sent\n", workflows.CampaignWorkflowID(pos[0]))
	return exitOK
}

type campaignListOptions struct {
	conn connOptions
	// Limit is how many campaigns at most.
	Limit int
	// JSON prints the list as JSON.
	JSON bool
}

func newCampaignListCmd(env *Env) *cobra.Command {
	var o campaignListOptions
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "list campaigns, newest first",
		Long:    `List the campaigns (their latest runs), newest first. Exit status: 0, 1 when Temporal cannot be asked.`,
		Example: `  reel campaign list --limit 10`,
		Args:    positional(0, 0, ""),
		RunE:    runE(func(ctx context.Context, args []string) int { return runCampaignList(ctx, env, &o) }),
	}
	o.conn.register(cmd.Flags(), env)
	cmd.Flags().IntVar(&o.Limit, "limit", 100, "campaigns at most")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the list as JSON")
	return cmd
}

func runCampaignList(ctx context.Context, env *Env, o *campaignListOptions) int {
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "campaign list", err)
		return exitFailed
	}
	defer c.Close()
	list, err := campaigns.List(ctx, c.Client, o.Limit)
	if err != nil {
		printErr(env, "campaign list", err)
		return exitFailed
	}
	if o.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(list)
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSTATUS\tSTARTED\tCLOSED")
	for _, s := range list {
		closed := "-"
		if s.Closed != nil {
			closed = s.Closed.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.Status, s.Started.Local().Format(time.DateTime), closed)
	}
	_ = tw.Flush()
	return exitOK
}

// campaignSignal sends one of the campaign's signals (campaigns.Pause, …).
type campaignSignal func(ctx context.Context, c client.Client, name, reason string) error
