package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/profile"
)

// fleet stands in for Temporal and the workers behind the campaign's
// activities: titles it starts run for a number of polls, then finish,
// fail or stay held.
type fleet struct {
	mu sync.Mutex
	// polls is how many polls a title runs before it ends (default 2).
	polls map[string]int
	left  map[string]int
	// running titles and their run ids; other is a different request of
	// the title in flight (refused).
	running map[string]string
	other   map[string]bool
	// finished titles with the same request (answered, skipped).
	finished map[string]bool
	// failOnce: the title's first run fails with this error type.
	failOnce map[string]string
	held     map[string]bool
	// encodes counts EncodeTitle runs started per title; maxRunning the
	// most titles running at once.
	encodes    map[string]int
	maxRunning int
	runSeq     int
	// rows is campaign.json's rows as WriteCampaignReport merged them;
	// head the last head written.
	rows  map[string]CampaignTitle
	head  CampaignReport
	order []string
	// maxPolled is the most runs one poll looked at.
	maxPolled int
	// entries are the catalog file's; pages counts its reads.
	entries []CampaignEntry
	pages   int
	// perRun counts activities by campaign run (run is the current one:
	// the test environment gives every run the same id).
	perRun map[int]int
	run    int
}

func newFleet() *fleet {
	return &fleet{
		polls: map[string]int{}, left: map[string]int{}, running: map[string]string{}, other: map[string]bool{},
		finished: map[string]bool{}, failOnce: map[string]string{}, held: map[string]bool{},
		encodes: map[string]int{}, rows: map[string]CampaignTitle{}, perRun: map[int]int{},
	}
}

func (f *fleet) count(context.Context) { f.perRun[f.run]++ }

func (f *fleet) start(ctx context.Context, in CampaignStartInput) (CampaignStartOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(ctx)
	id := in.Entry.TitleID
	if in.PriorityKey != DefaultCampaignPriorityKey {
		return CampaignStartOutput{}, fmt.Errorf("priority key %d, want %d", in.PriorityKey, DefaultCampaignPriorityKey)
	}
	switch {
	case f.other[id]:
		return CampaignStartOutput{Action: CampaignRefused, Reason: "a different request of this title is in flight"}, nil
	case f.running[id] != "":
		return CampaignStartOutput{Action: CampaignJoined, RunID: f.running[id]}, nil
	case f.finished[id]:
		return CampaignStartOutput{Action: CampaignAnswered, RunID: "old", ReportPath: in.Entry.Out + "/report.json"}, nil
	}
	f.runSeq++
	run := fmt.Sprintf("run-%d", f.runSeq)
	f.running[id] = run
	f.encodes[id]++
	n := f.polls[id]
	if n == 0 {
		n = 2
	}
	f.left[id] = n
	f.maxRunning = max(f.maxRunning, len(f.running))
	return CampaignStartOutput{Action: CampaignStarted, RunID: run}, nil
}

func (f *fleet) poll(ctx context.Context, in CampaignPollInput) (CampaignPollOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(ctx)
	f.maxPolled = max(f.maxPolled, len(in.Runs))
	var out CampaignPollOutput
	for _, r := range in.Runs {
		s := CampaignRunState{TitleID: r.TitleID, RunID: r.RunID, State: CampaignTitleInFlight}
		switch {
		case f.running[r.TitleID] != r.RunID:
			s.State, s.Error, s.ErrorType = CampaignTitleFailed, "run not found", "NotFound"
		case f.held[r.TitleID]:
			s.State = CampaignTitleHeld
		default:
			f.left[r.TitleID]--
			if f.left[r.TitleID] > 0 {
				break
			}
			delete(f.running, r.TitleID)
			if typ := f.failOnce[r.TitleID]; typ != "" {
				delete(f.failOnce, r.TitleID)
				s.State, s.Error, s.ErrorType = CampaignTitleFailed, "encode failed", typ
				break
			}
			f.finished[r.TitleID] = true
			s.State, s.ReportPath = CampaignTitleDone, "/new/"+r.TitleID+"/report.json"
		}
		out.Runs = append(out.Runs, s)
	}
	return out, nil
}

func (f *fleet) savings(ctx context.Context, in TitleSavingsInput) (Savings, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(ctx)
	if in.OldOut == "" {
		return Savings{}, errors.New("savings asked without an old output")
	}
	bd := -0.25
	return Savings{BDRate: &bd, OldBytes: 1000, NewBytes: 750, OldTopVMAF: 95, NewTopVMAF: 95.5}, nil
}

func (f *fleet) report(ctx context.Context, in WriteCampaignReportInput) (WriteCampaignReportOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(ctx)
	f.head = in.Head
	for _, r := range in.Rows {
		if _, ok := f.rows[r.TitleID]; !ok {
			f.order = append(f.order, r.TitleID)
		}
		f.rows[r.TitleID] = r
	}
	return WriteCampaignReportOutput{JSON: in.Report + "/campaign.json", CSV: in.Report + "/campaign.csv"}, nil
}

// catalog serves f.entries as the catalog file's pages.
func (f *fleet) catalog(ctx context.Context, in CampaignCatalogInput) (CampaignCatalogOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.count(ctx)
	f.pages++
	if in.Location != "s3://out/campaigns/c1/catalog.jsonl" {
		return CampaignCatalogOutput{}, fmt.Errorf("catalog %s", in.Location)
	}
	lo := min(in.Offset, len(f.entries))
	hi := min(lo+in.Limit, len(f.entries))
	return CampaignCatalogOutput{Entries: f.entries[lo:hi], More: hi < len(f.entries)}, nil
}

// newCampaignEnv is a test environment whose campaign activities are the
// fleet's.
func newCampaignEnv(f *fleet) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(Campaign, workflow.RegisterOptions{Name: CampaignName})
	env.RegisterActivityWithOptions(f.start, activity.RegisterOptions{Name: ActivityCampaignStart})
	env.RegisterActivityWithOptions(f.poll, activity.RegisterOptions{Name: ActivityCampaignPoll})
	env.RegisterActivityWithOptions(f.savings, activity.RegisterOptions{Name: ActivityTitleSavings})
	env.RegisterActivityWithOptions(f.report, activity.RegisterOptions{Name: ActivityWriteCampaignReport})
	env.RegisterActivityWithOptions(f.catalog, activity.RegisterOptions{Name: ActivityCampaignCatalog})
	return env
}

func catalogOf(n int) []CampaignEntry {
	c := make([]CampaignEntry, n)
	for i := range c {
		c[i] = CampaignEntry{TitleID: fmt.Sprintf("t%05d", i), Source: fmt.Sprintf("s3://mezz/t%05d.mov", i)}
	}
	return c
}

func campaignInput(n int) CampaignInput {
	return CampaignInput{
		Name: "c1", Catalog: catalogOf(n), Profile: profile.Profile{Name: "v2"},
		OutTemplate: "s3://out/{title}/v2", CompareWith: "s3://out/{title}/v1", Report: "s3://out/campaigns/c1",
		PollEvery: time.Second,
	}
}

// runCampaign runs the campaign to its end through every continue-as-new,
// each run in a fresh environment as a new run would start; it returns
// the last run's result and how many runs there were.
func runCampaign(t *testing.T, f *fleet, in CampaignInput, setup func(*testsuite.TestWorkflowEnvironment)) (CampaignProgress, int, error) {
	t.Helper()
	for runs := 1; ; runs++ {
		f.mu.Lock()
		f.run = runs
		f.mu.Unlock()
		env := newCampaignEnv(f)
		if setup != nil {
			setup(env)
		}
		env.ExecuteWorkflow(CampaignName, in)
		if !env.IsWorkflowCompleted() {
			t.Fatal("campaign did not complete")
		}
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			if runs > 1000 {
				t.Fatal("too many runs")
			}
			in = CampaignInput{}
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var p CampaignProgress
		if err == nil {
			if err := env.GetWorkflowResult(&p); err != nil {
				t.Fatal(err)
			}
		}
		return p, runs, err
	}
}

// TestCampaignTenThousandTitles: 10,000 titles with a cap of 8: the cap
// is never exceeded (and reached), every title is encoded once, the
// campaign continues as new every 500 titles with a bounded number of
// activities per run, finished same-request titles are skipped without an
// encode, failures are recorded and do not stop the campaign.
func TestCampaignTenThousandTitles(t *testing.T) {
	start := time.Now()
	const n, limit, perRun = 10_000, 8, 500
	f := newFleet()
	for i := range n {
		id := fmt.Sprintf("t%05d", i)
		f.polls[id] = 1 + i%3
		switch {
		case i%1000 == 7:
			f.finished[id] = true
		case i%2500 == 11:
			f.failOnce[id] = ErrTypeCorruptMedia
		}
	}
	in := campaignInput(n)
	in.MaxInFlight, in.TitlesPerRun = limit, perRun
	p, runs, err := runCampaign(t, f, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d titles in %d runs: %v", n, runs, time.Since(start))
	if f.maxRunning != limit {
		t.Errorf("at most %d titles ran at once, want the cap %d reached and never exceeded", f.maxRunning, limit)
	}
	if want := n / perRun; runs != want || p.Runs != want {
		t.Errorf("%d runs (progress says %d), want %d", runs, p.Runs, want)
	}
	// A run's history: 3 events per activity (scheduled, started,
	// completed) and at most 3 per workflow task, one task per activity
	// completion at most, plus start and end.
	most := 0
	for _, acts := range f.perRun {
		most = max(most, acts)
	}
	t.Logf("at most %d activities in a run", most)
	for run, acts := range f.perRun {
		if events := 6*acts + 4; events > campaignMaxHistory {
			t.Errorf("run %d: %d activities, up to %d events (more than %d)", run, acts, events, campaignMaxHistory)
		}
	}
	if p.Done != n-10-4 || p.Skipped != 10 || p.Failed != 4 || p.InFlight != 0 || p.Remaining != 0 || !p.Finished || p.Total != n {
		t.Errorf("progress %+v", p)
	}
	if len(f.rows) != n {
		t.Fatalf("%d rows in the report, want %d", len(f.rows), n)
	}
	for i := range n {
		id := fmt.Sprintf("t%05d", i)
		r := f.rows[id]
		want, encodes := CampaignTitleDone, 1
		switch {
		case i%1000 == 7:
			want, encodes = CampaignTitleSkipped, 0
		case i%2500 == 11:
			want = CampaignTitleFailed
		}
		if r.State != want || f.encodes[id] != encodes {
			t.Fatalf("%s: state %q with %d encodes, want %q with %d", id, r.State, f.encodes[id], want, encodes)
		}
		if want == CampaignTitleFailed && (r.ErrorType != ErrTypeCorruptMedia || r.Error == "") {
			t.Errorf("%s: failure recorded as %q %q", id, r.ErrorType, r.Error)
		}
		if want != CampaignTitleFailed && (r.Savings == nil || r.Savings.BDRate == nil || r.OldOut != "s3://out/"+id+"/v1") {
			t.Fatalf("%s: no savings: %+v", id, r)
		}
	}
	if !slices.Equal(f.head.Progress.FailedTitles, []string{"t00011", "t02511", "t05011", "t07511"}) {
		t.Errorf("failed titles %v", f.head.Progress.FailedTitles)
	}
}

// pollSlowly makes each poll take d of workflow time, so that signals
// sent at given times land mid-campaign.
func pollSlowly(f *fleet, d time.Duration) func(*testsuite.TestWorkflowEnvironment) {
	return func(env *testsuite.TestWorkflowEnvironment) {
		env.OnActivity(ActivityCampaignPoll, mock.Anything, mock.Anything).After(d).Return(f.poll)
	}
}

func queryProgress(t *testing.T, env *testsuite.TestWorkflowEnvironment) CampaignProgress {
	t.Helper()
	v, err := env.QueryWorkflow(CampaignProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p CampaignProgress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fleet) totalEncodes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.encodes {
		n += v
	}
	return n
}

func TestCampaignPauseResume(t *testing.T) {
	f := newFleet()
	in := campaignInput(12)
	in.MaxInFlight = 2
	var atPause, whilePaused int
	var paused CampaignProgress
	p, _, err := runCampaign(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		pollSlowly(f, 10*time.Second)(env)
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(SignalCampaignPause, CampaignSignal{Reason: "test"})
			atPause = f.totalEncodes()
		}, 25*time.Second)
		env.RegisterDelayedCallback(func() {
			paused = queryProgress(t, env)
			whilePaused = f.totalEncodes()
		}, 5*time.Minute)
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCampaignResume, CampaignSignal{}) }, 6*time.Minute)
	})
	if err != nil {
		t.Fatal(err)
	}
	if atPause == 0 || atPause == 12 || whilePaused != atPause {
		t.Errorf("%d titles started at the pause, %d while paused: want some, and none started while paused", atPause, whilePaused)
	}
	if !paused.Paused || paused.PauseReason != "test" || paused.InFlight != 0 || paused.Remaining != 12-atPause || paused.Done != atPause {
		t.Errorf("while paused: %+v", paused)
	}
	if p.Done != 12 || p.Paused || !p.Finished {
		t.Errorf("at the end: %+v", p)
	}
}

func TestCampaignCancel(t *testing.T) {
	f := newFleet()
	in := campaignInput(12)
	in.MaxInFlight = 3
	p, _, err := runCampaign(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		pollSlowly(f, 10*time.Second)(env)
		env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCampaignCancel, CampaignSignal{Reason: "test"}) }, 25*time.Second)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Cancelled || p.Finished || p.Remaining == 0 || p.Done == 0 || p.InFlight == 0 {
		t.Errorf("after the cancel: %+v", p)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// Titles in flight are left running, and listed as such.
	if len(f.running) != p.InFlight {
		t.Errorf("%d titles still running, progress says %d in flight", len(f.running), p.InFlight)
	}
	for id := range f.running {
		if f.rows[id].State != CampaignTitleInFlight {
			t.Errorf("%s: row %+v, want in flight", id, f.rows[id])
		}
	}
	if started := len(f.encodes); started != p.Done+p.InFlight {
		t.Errorf("%d titles started, %d done and %d in flight", started, p.Done, p.InFlight)
	}
}

func TestCampaignRetryFailed(t *testing.T) {
	f := newFleet()
	f.failOnce["t00000"] = "Timeout"
	f.failOnce["t00001"] = ErrTypeNotFound
	in := campaignInput(8)
	in.MaxInFlight = 1
	var before CampaignProgress
	p, _, err := runCampaign(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		pollSlowly(f, 10*time.Second)(env)
		env.RegisterDelayedCallback(func() {
			before = queryProgress(t, env)
			env.SignalWorkflow(SignalCampaignRetryFailed, CampaignRetry{TitleIDs: []string{"t00001"}})
		}, 65*time.Second)
	})
	if err != nil {
		t.Fatal(err)
	}
	if before.Failed != 2 || !slices.Equal(before.FailedTitles, []string{"t00000", "t00001"}) {
		t.Errorf("before the retry: %+v", before)
	}
	if p.Done != 7 || p.Failed != 1 || !slices.Equal(p.FailedTitles, []string{"t00000"}) {
		t.Errorf("at the end: %+v", p)
	}
	if f.encodes["t00001"] != 2 || f.encodes["t00000"] != 1 || f.rows["t00001"].State != CampaignTitleDone || f.rows["t00000"].ErrorType != "Timeout" {
		t.Errorf("encodes %v, rows %+v %+v", f.encodes, f.rows["t00000"], f.rows["t00001"])
	}
}

// TestCampaignDecisions: a finished same-request title is skipped (not
// encoded, savings still computed), one in flight is joined, a different
// request in flight is recorded as failed, and a held title is listed as
// held and does not block the cap.
func TestCampaignDecisions(t *testing.T) {
	f := newFleet()
	f.finished["t00000"] = true
	f.running["t00001"], f.left["t00001"] = "ingest-run", 3
	f.other["t00002"] = true
	f.held["t00003"] = true
	in := campaignInput(6)
	in.MaxInFlight = 1
	p, _, err := runCampaign(t, f, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 3 || p.Skipped != 1 || p.Failed != 1 || p.Held != 1 || !slices.Equal(p.HeldTitles, []string{"t00003"}) || !p.Finished {
		t.Errorf("progress %+v", p)
	}
	want := map[string]struct{ state, action string }{
		"t00000": {CampaignTitleSkipped, CampaignAnswered},
		"t00001": {CampaignTitleDone, CampaignJoined},
		"t00002": {CampaignTitleFailed, CampaignRefused},
		"t00003": {CampaignTitleHeld, CampaignStarted},
		"t00004": {CampaignTitleDone, CampaignStarted},
		"t00005": {CampaignTitleDone, CampaignStarted},
	}
	for id, w := range want {
		if r := f.rows[id]; r.State != w.state || r.Action != w.action {
			t.Errorf("%s: %s/%s, want %s/%s", id, r.State, r.Action, w.state, w.action)
		}
	}
	if f.encodes["t00000"] != 0 || f.encodes["t00001"] != 0 || f.encodes["t00002"] != 0 {
		t.Errorf("encodes %v: skipped, joined and refused titles must not be started", f.encodes)
	}
	if s := f.rows["t00000"].Savings; s == nil || s.BDRate == nil {
		t.Errorf("skipped title without savings: %+v", f.rows["t00000"])
	}
	if r := f.rows["t00002"]; r.ErrorType != ErrTypeTitleInFlight {
		t.Errorf("refused title recorded as %+v", r)
	}
}

func TestCampaignRefusesBadInput(t *testing.T) {
	for name, in := range map[string]CampaignInput{
		"no name":     {Catalog: catalogOf(1), OutTemplate: "o/{title}"},
		"no catalog":  {Name: "c"},
		"no template": {Name: "c", Catalog: catalogOf(1)},
	} {
		t.Run(name, func(t *testing.T) {
			env := newCampaignEnv(newFleet())
			env.ExecuteWorkflow(CampaignName, in)
			var app *temporal.ApplicationError
			if err := env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrTypeInvalidRequest {
				t.Errorf("error %v, want %s", err, ErrTypeInvalidRequest)
			}
		})
	}
}

// TestCampaignCatalogLocation: a catalog too large for the input is read
// in pages, also across continue-as-new.
func TestCampaignCatalogLocation(t *testing.T) {
	f := newFleet()
	f.entries = catalogOf(1200)
	in := campaignInput(0)
	in.Catalog, in.CatalogLocation, in.Total = nil, "s3://out/campaigns/c1/catalog.jsonl", 1200
	in.MaxInFlight, in.TitlesPerRun = 16, 400
	p, runs, err := runCampaign(t, f, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 1200 || p.Total != 1200 || p.Remaining != 0 || runs != 3 {
		t.Errorf("progress %+v after %d runs", p, runs)
	}
	// Pages of 500 from where each run starts (0, 400, 800): one read per
	// run, the last one short.
	if f.pages != 3 || len(f.encodes) != 1200 {
		t.Errorf("%d page reads, %d titles encoded", f.pages, len(f.encodes))
	}
}

// TestCampaignHeldCountsFor: a title held at the gate keeps its place
// under the cap for HeldCountsFor, then stops counting; the campaign
// ends with it listed as held.
func TestCampaignHeldCountsFor(t *testing.T) {
	f := newFleet()
	f.held["t00000"] = true
	in := campaignInput(3)
	in.MaxInFlight, in.HeldCountsFor = 1, 2*time.Minute
	var early CampaignProgress
	var earlyEncodes int
	p, _, err := runCampaign(t, f, in, func(env *testsuite.TestWorkflowEnvironment) {
		pollSlowly(f, 10*time.Second)(env)
		env.RegisterDelayedCallback(func() {
			early = queryProgress(t, env)
			earlyEncodes = f.totalEncodes()
		}, 90*time.Second)
	})
	if err != nil {
		t.Fatal(err)
	}
	if earlyEncodes != 1 || early.Held != 1 || early.InFlight != 0 || early.Remaining != 2 {
		t.Errorf("after 90 s: %d titles started, progress %+v; want the held title alone, still counted", earlyEncodes, early)
	}
	if p.Done != 2 || p.Held != 1 || !slices.Equal(p.HeldTitles, []string{"t00000"}) || f.rows["t00000"].State != CampaignTitleHeld {
		t.Errorf("at the end: %+v", p)
	}
}

// TestCampaignWorkflowCancelled: cancelling the campaign's workflow (not
// the signal) writes the report and leaves the titles in flight running.
func TestCampaignWorkflowCancelled(t *testing.T) {
	f := newFleet()
	in := campaignInput(10)
	in.MaxInFlight = 2
	env := newCampaignEnv(f)
	pollSlowly(f, 10*time.Second)(env)
	env.RegisterDelayedCallback(env.CancelWorkflow, 25*time.Second)
	env.ExecuteWorkflow(CampaignName, in)
	var canceled *temporal.CanceledError
	if err := env.GetWorkflowError(); !errors.As(err, &canceled) {
		t.Fatalf("error %v, want canceled", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.running) != 2 || f.head.Progress.InFlight != 2 || !f.head.Progress.Cancelled {
		t.Errorf("%d running, report head %+v", len(f.running), f.head.Progress)
	}
	for id := range f.running {
		if f.rows[id].State != CampaignTitleInFlight {
			t.Errorf("%s: %+v", id, f.rows[id])
		}
	}
}

// TestCampaignManyHeld: held titles do not block the cap, and beyond the
// most the campaign watches they are left held in the report.
func TestCampaignManyHeld(t *testing.T) {
	const n = campaignMaxHeldWatched + 50
	f := newFleet()
	for i := range n {
		f.held[fmt.Sprintf("t%05d", i)] = true
	}
	in := campaignInput(n)
	in.MaxInFlight = 8
	p, _, err := runCampaign(t, f, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Held != n || p.Done != 0 || !p.Finished || len(p.HeldTitles) != campaignMaxHeldWatched {
		t.Errorf("progress: held %d (%d listed), done %d, finished %v", p.Held, len(p.HeldTitles), p.Done, p.Finished)
	}
	if f.maxPolled > campaignMaxHeldWatched+in.MaxInFlight {
		t.Errorf("a poll looked at %d runs", f.maxPolled)
	}
	for i := range n {
		if r := f.rows[fmt.Sprintf("t%05d", i)]; r.State != CampaignTitleHeld {
			t.Fatalf("%s: %+v", r.TitleID, r)
		}
	}
}
