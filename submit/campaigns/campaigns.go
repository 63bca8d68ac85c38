// Package campaigns is the client side of re-encode campaigns: it reads a
// catalog (package campaign), starts the Campaign workflow, and signals,
// queries, waits for and lists campaigns. The CLI (reel campaign …) and
// anything else that drives campaigns go through it.
package campaigns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

// Sentinel errors; test with errors.Is.
var (
	// ErrBadName: a campaign name that cannot be one (the rules of a
	// title id: request.CheckTitleID).
	ErrBadName = errors.New("campaigns: bad campaign name")
	// ErrRunning: a campaign of that name is running already.
	ErrRunning = errors.New("campaigns: campaign already running")
	// ErrNotFound: no campaign of that name.
	ErrNotFound = errors.New("campaigns: no such campaign")
	// ErrNotRunning: the campaign has ended; it takes no signals.
	ErrNotRunning = errors.New("campaigns: campaign is not running")
)

// Lister lists and reads catalogs: *store.Store.
type Lister interface {
	List(ctx context.Context, l store.Location) ([]store.Info, error)
	ReadFile(ctx context.Context, l store.Location) ([]byte, error)
}

// Writer writes the catalog of a large campaign: *store.Store.
type Writer interface {
	WriteFile(ctx context.Context, l store.Location, data []byte) error
}

// LoadCatalog reads the catalog src: a key prefix ending in '/' (an
// s3://bucket/prefix/ or a local directory/) is listed and its media
// files are the titles (campaign.FromListing); any other location is a
// file read whole and parsed as CSV or a text file of URIs
// (campaign.Parse). Local sources in the catalog are made absolute.
func LoadCatalog(ctx context.Context, st Lister, src string) ([]campaign.Entry, error) {
	loc, err := store.ParseLocation(src)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var es []campaign.Entry
	if strings.HasSuffix(src, "/") {
		infos, err := st.List(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("catalog: list %s: %w", loc, err)
		}
		uris := make([]string, len(infos))
		for i, in := range infos {
			uris[i] = in.Location.String()
		}
		if es, err = campaign.FromListing(uris); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", loc, err)
		}
	} else {
		data, err := st.ReadFile(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		if es, err = campaign.Parse(src, bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", loc, err)
		}
	}
	for i := range es {
		if es[i].Source, err = normalize(es[i].Source); err != nil {
			return nil, fmt.Errorf("catalog %s: title %q: source: %w", loc, es[i].TitleID, err)
		}
		if es[i].OldOut != "" {
			if es[i].OldOut, err = normalize(es[i].OldOut); err != nil {
				return nil, fmt.Errorf("catalog %s: title %q: old_out: %w", loc, es[i].TitleID, err)
			}
		}
	}
	return es, nil
}

// normalize parses a location and writes it back: local paths absolute
// and clean, file:///p as the path p, s3 keys clean.
func normalize(s string) (string, error) {
	l, err := store.ParseLocation(s)
	if err != nil {
		return "", err
	}
	if l.IsLocal() {
		return l.Path(), nil
	}
	return l.String(), nil
}

// StartOptions are a campaign's settings.
type StartOptions struct {
	// Name names the campaign (workflow id reel-campaign/<Name>).
	Name string
	// Catalog lists the titles (LoadCatalog).
	Catalog []campaign.Entry
	// Profile is the new encode profile, resolved.
	Profile profile.Profile
	// ProfileName says which profile it is in the report (its file).
	ProfileName string
	// OutTemplate is each title's output, {title} replaced by the title
	// id made a safe path element (campaign.SafeName).
	OutTemplate string
	// CompareWith is the previous outputs' template (""; none): the old
	// report.json of a title is under it. A catalog row's old_out wins.
	CompareWith string
	// Report is where campaign.json, .csv and .html go. Default: beside
	// the outputs, the template's part before {title} joined with
	// "campaign-<name>".
	Report string
	// MaxInFlight caps the titles running at once. Default
	// workflows.DefaultCampaignMaxInFlight.
	MaxInFlight int
	// TitlesPerRun is the continue-as-new period (0: the workflow's
	// default).
	TitlesPerRun int
	// PollEvery is how often the workflow looks at titles in flight (0:
	// the workflow's default).
	PollEvery time.Duration
	// MaxInputBytes: a catalog whose JSON is larger is written to
	// <Report>/catalog.jsonl and read by the workflow in pages. Default
	// 1 MiB (Temporal refuses inputs over 2 MB).
	MaxInputBytes int
}

// Input builds the Campaign workflow's input: every entry resolved (Out
// from the template, OldOut from the row or CompareWith, both safe for any
// title id), the report directory defaulted, the settings checked. The
// catalog is in the input (CatalogLocation empty); Start moves a large
// one out.
func Input(o StartOptions) (workflows.CampaignInput, error) {
	if err := request.CheckTitleID(o.Name); err != nil {
		return workflows.CampaignInput{}, fmt.Errorf("%w %q: %w", ErrBadName, o.Name, err)
	}
	if len(o.Catalog) == 0 {
		return workflows.CampaignInput{}, campaign.ErrEmptyCatalog
	}
	out, err := campaign.ParseTemplate(o.OutTemplate)
	if err != nil {
		return workflows.CampaignInput{}, fmt.Errorf("--out-template: %w", err)
	}
	var old campaign.Template
	if o.CompareWith != "" {
		if old, err = campaign.ParseTemplate(o.CompareWith); err != nil {
			return workflows.CampaignInput{}, fmt.Errorf("--compare-with: %w", err)
		}
	}
	if o.MaxInFlight < 0 {
		return workflows.CampaignInput{}, fmt.Errorf("--max-in-flight %d: want 1 or more", o.MaxInFlight)
	}
	rep := o.Report
	if rep == "" {
		rep = DefaultReport(out, o.Name)
	}
	if rep, err = normalize(rep); err != nil {
		return workflows.CampaignInput{}, fmt.Errorf("report: %w", err)
	}
	in := workflows.CampaignInput{
		Name: o.Name, Profile: o.Profile, OutTemplate: o.OutTemplate, CompareWith: o.CompareWith,
		Report: rep, MaxInFlight: o.MaxInFlight, TitlesPerRun: o.TitlesPerRun, PollEvery: o.PollEvery,
		Total: len(o.Catalog),
	}
	in.Catalog = make([]workflows.CampaignEntry, len(o.Catalog))
	for i, e := range o.Catalog {
		ce := workflows.CampaignEntry{TitleID: e.TitleID, Source: e.Source, OldOut: e.OldOut}
		if ce.Out, err = normalize(out.Expand(e.TitleID)); err != nil {
			return workflows.CampaignInput{}, fmt.Errorf("title %q: out: %w", e.TitleID, err)
		}
		if ce.OldOut == "" && !old.IsZero() {
			if ce.OldOut, err = normalize(old.Expand(e.TitleID)); err != nil {
				return workflows.CampaignInput{}, fmt.Errorf("title %q: old out: %w", e.TitleID, err)
			}
		}
		in.Catalog[i] = ce
	}
	return in, nil
}

// DefaultReport is a campaign's report directory when none is given: the
// output template's directory before {title}, joined with
// "campaign-<name>" (s3://out/{title}/v2/ → s3://out/campaign-<name>).
func DefaultReport(out campaign.Template, name string) string {
	s := out.String()
	prefix := s[:strings.Index(s, campaign.Placeholder)]
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		prefix = prefix[:i+1]
	} else {
		prefix = ""
	}
	return prefix + "campaign-" + campaign.SafeName(name)
}

// Start starts the campaign's workflow and returns its run; a campaign of
// the same name that is running fails with ErrRunning (one that ended may
// be started again: its finished titles are skipped). A catalog too large
// for a workflow input is written to <Report>/catalog.jsonl through w.
func Start(ctx context.Context, c client.Client, w Writer, o StartOptions) (client.WorkflowRun, workflows.CampaignInput, error) {
	in, err := Input(o)
	if err != nil {
		return nil, in, err
	}
	limit := o.MaxInputBytes
	if limit <= 0 {
		limit = 1 << 20
	}
	if b, _ := json.Marshal(in); len(b) > limit {
		if in, err = spill(ctx, w, in); err != nil {
			return nil, in, err
		}
	}
	id := workflows.CampaignWorkflowID(o.Name)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       id,
		TaskQueue:                                workflows.QueueWorkflow,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		Memo:                                     map[string]any{workflows.MemoCampaign: o.Name},
	}, workflows.CampaignName, in)
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &already) {
		return nil, in, fmt.Errorf("%w: %s (reel campaign status %s)", ErrRunning, id, o.Name)
	}
	if err != nil {
		return nil, in, fmt.Errorf("start campaign %s: %w", id, err)
	}
	return run, in, nil
}

// spill writes the catalog as JSON lines to <Report>/catalog.jsonl and
// points the input at it.
func spill(ctx context.Context, w Writer, in workflows.CampaignInput) (workflows.CampaignInput, error) {
	if w == nil {
		return in, errors.New("campaigns: catalog too large for a workflow input and no store to write it to")
	}
	rep, err := store.ParseLocation(in.Report)
	if err != nil {
		return in, fmt.Errorf("report: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, e := range in.Catalog {
		if err := enc.Encode(e); err != nil {
			return in, err
		}
	}
	loc := rep.Join("catalog.jsonl")
	if err := w.WriteFile(ctx, loc, buf.Bytes()); err != nil {
		return in, fmt.Errorf("campaigns: write catalog: %w", err)
	}
	in.CatalogLocation, in.Catalog = loc.String(), nil
	return in, nil
}

// Status is a campaign's progress and its run.
type Status struct {
	workflows.CampaignProgress
	WorkflowID string
	RunID      string
	// Running is false once the campaign's workflow has closed; Closed
	// is its status then ("completed", "failed", …).
	Running bool
	Closed  string
}

// QueryWait bounds GetStatus's progress query.
const QueryWait = 15 * time.Second

// GetStatus asks the campaign's latest run for its progress (the
// progress query; a closed campaign answers with its result).
func GetStatus(ctx context.Context, c client.Client, name string) (Status, error) {
	id := workflows.CampaignWorkflowID(name)
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return Status{}, fmt.Errorf("%w: %s", ErrNotFound, name)
	}
	if err != nil {
		return Status{}, fmt.Errorf("describe campaign %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	st := Status{WorkflowID: id, RunID: info.GetExecution().GetRunId(),
		Running: info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING}
	if !st.Running {
		st.Closed = string(titles.StatusOf(info.GetStatus()))
		if info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
			err := c.GetWorkflow(ctx, id, st.RunID).Get(ctx, &st.CampaignProgress)
			if err == nil {
				return st, nil
			}
		}
	}
	// A query needs a worker on the workflow queue: bounded, so that a
	// campaign nobody serves says so instead of hanging.
	qctx, cancel := context.WithTimeout(ctx, QueryWait)
	defer cancel()
	v, err := c.QueryWorkflow(qctx, id, st.RunID, workflows.CampaignProgressQuery)
	if err != nil {
		if !st.Running {
			return st, nil // a failed or terminated campaign: no progress to show
		}
		return st, fmt.Errorf("query campaign %s (is a reel worker serving the %s queue?): %w", id, workflows.QueueWorkflow, err)
	}
	if err := v.Get(&st.CampaignProgress); err != nil {
		return st, fmt.Errorf("query campaign %s: %w", id, err)
	}
	return st, nil
}

// Pause stops the campaign starting titles; titles in flight go on.
func Pause(ctx context.Context, c client.Client, name, reason string) error {
	return signal(ctx, c, name, workflows.SignalCampaignPause, workflows.CampaignSignal{Reason: reason})
}

// Resume starts titles again after Pause.
func Resume(ctx context.Context, c client.Client, name, reason string) error {
	return signal(ctx, c, name, workflows.SignalCampaignResume, workflows.CampaignSignal{Reason: reason})
}

// Cancel ends the campaign: no title is started any more; titles in
// flight are left to finish.
func Cancel(ctx context.Context, c client.Client, name, reason string) error {
	return signal(ctx, c, name, workflows.SignalCampaignCancel, workflows.CampaignSignal{Reason: reason})
}

// RetryFailed queues the failed titles (those named; all when none) again.
func RetryFailed(ctx context.Context, c client.Client, name string, titleIDs []string) error {
	return signal(ctx, c, name, workflows.SignalCampaignRetryFailed, workflows.CampaignRetry{TitleIDs: titleIDs})
}

func signal(ctx context.Context, c client.Client, name, sig string, arg any) error {
	id := workflows.CampaignWorkflowID(name)
	err := c.SignalWorkflow(ctx, id, "", sig, arg)
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		// No run, or none running: say which.
		if _, derr := c.DescribeWorkflowExecution(ctx, id, ""); derr == nil {
			return fmt.Errorf("%w: %s has ended", ErrNotRunning, name)
		}
		return fmt.Errorf("%w: %s", ErrNotFound, name)
	case err != nil:
		return fmt.Errorf("signal %s to campaign %s: %w", sig, id, err)
	}
	return nil
}

// Summary is a campaign in List.
type Summary struct {
	Name       string     `json:"name"`
	WorkflowID string     `json:"workflow_id"`
	RunID      string     `json:"run_id"`
	Status     string     `json:"status"`
	Started    time.Time  `json:"started"`
	Closed     *time.Time `json:"closed,omitempty"`
}

// List returns the campaigns (their latest runs, newest first) from
// Temporal's visibility, at most limit (default 100).
func List(ctx context.Context, c client.Client, limit int) ([]Summary, error) {
	if limit <= 0 {
		limit = 100
	}
	var out []Summary
	seen := map[string]bool{}
	var token []byte
	for len(out) < limit {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize:      100,
			NextPageToken: token,
			Query:         fmt.Sprintf("WorkflowType = '%s'", workflows.CampaignName),
		})
		if err != nil {
			return nil, fmt.Errorf("list campaigns: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			wid := e.GetExecution().GetWorkflowId()
			name, ok := workflows.CampaignNameFromWorkflowID(wid)
			// Continue-as-new makes runs of one campaign: keep the latest.
			if !ok || seen[wid] {
				continue
			}
			seen[wid] = true
			s := Summary{Name: name, WorkflowID: wid, RunID: e.GetExecution().GetRunId(),
				Status: string(titles.StatusOf(e.GetStatus())), Started: e.GetStartTime().AsTime()}
			if e.GetCloseTime() != nil {
				t := e.GetCloseTime().AsTime()
				s.Closed = &t
			}
			out = append(out, s)
			if len(out) == limit {
				break
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	slices.SortStableFunc(out, func(a, b Summary) int { return b.Started.Compare(a.Started) })
	return out, nil
}

// WaitOptions tune Wait. The zero value uses the defaults.
type WaitOptions struct {
	// Every is how often the progress is asked for. Default 2 s.
	Every time.Duration
	// OnProgress is called with each progress read (nil: none).
	OnProgress func(workflows.CampaignProgress)
}

// Wait blocks until the campaign ends (across continue-as-new) and
// returns its final progress, calling OnProgress as it goes.
func Wait(ctx context.Context, c client.Client, name string, opts WaitOptions) (workflows.CampaignProgress, error) {
	if opts.Every <= 0 {
		opts.Every = 2 * time.Second
	}
	id := workflows.CampaignWorkflowID(name)
	done := make(chan error, 1)
	var final workflows.CampaignProgress
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// GetWorkflow with no run id follows continue-as-new to the end.
		done <- c.GetWorkflow(wctx, id, "").Get(wctx, &final)
	}()
	tick := time.NewTicker(opts.Every)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if err != nil {
				return final, fmt.Errorf("campaign %s: %w", name, err)
			}
			if opts.OnProgress != nil {
				opts.OnProgress(final)
			}
			return final, nil
		case <-tick.C:
			if opts.OnProgress == nil {
				continue
			}
			qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
			v, err := c.QueryWorkflow(qctx, id, "", workflows.CampaignProgressQuery)
			var p workflows.CampaignProgress
			if err == nil && v.Get(&p) == nil {
				opts.OnProgress(p)
			}
			qcancel()
		case <-ctx.Done():
			return final, ctx.Err()
		}
	}
}

// ETA is the time the remaining titles (not started and in flight) take
// at the campaign's throughput so far; false when it cannot be told (no
// title finished yet, or nothing left).
func ETA(p workflows.CampaignProgress) (time.Duration, bool) {
	left := p.Remaining + p.InFlight
	if p.TitlesPerHour <= 0 || left <= 0 || math.IsNaN(p.TitlesPerHour) || math.IsInf(p.TitlesPerHour, 0) {
		return 0, false
	}
	h := float64(left) / p.TitlesPerHour
	if h > 24*365*100 {
		return 0, false
	}
	return time.Duration(h * float64(time.Hour)).Round(time.Second), true
}

// Outcome is what a campaign's end means for the titles: any failed title
// (Failed), else any held at the QC gate (Held), else all fine.
type Outcome int

const (
	// AllDone: every title done or skipped.
	AllDone Outcome = iota
	// SomeHeld: no title failed, some wait at the QC gate.
	SomeHeld
	// SomeFailed: at least one title failed.
	SomeFailed
)

// OutcomeOf tells the Outcome of a campaign's progress.
func OutcomeOf(p workflows.CampaignProgress) Outcome {
	switch {
	case p.Failed > 0:
		return SomeFailed
	case p.Held > 0:
		return SomeHeld
	}
	return AllDone
}
