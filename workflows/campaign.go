package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Campaign limits that are not inputs.
const (
	// campaignFlushRows and campaignFlushEvery: the report is rewritten
	// once this many rows changed or this long after the last write (and
	// always before continue-as-new and at the end).
	campaignFlushRows  = 100
	campaignFlushEvery = 5 * time.Minute
	// campaignMaxHistory: a run continues as new once its history has
	// this many events, whatever TitlesPerRun says (a long wait on slow
	// or held titles polls).
	campaignMaxHistory = 10_000
	// campaignCatalogPage is how many entries of CatalogLocation one
	// CampaignCatalog activity reads.
	campaignCatalogPage = 500
	// campaignPollWaits: one CampaignPoll waits up to this many PollEvery
	// for a change before it returns.
	campaignPollWaits = 10
	// campaignShortActivity bounds CampaignStart, TitleSavings and
	// CampaignCatalog, campaignReportActivity WriteCampaignReport: they do
	// not heartbeat, so this is also how long a dead worker's attempt
	// takes to move to another worker.
	campaignShortActivity  = 2 * time.Minute
	campaignReportActivity = 5 * time.Minute
	// campaignMaxFailedKept caps the failed titles' entries the state
	// carries for retry-failed (the state is the next run's input, at
	// most 2 MB); failures beyond it are counted and in the report, and
	// starting the campaign again retries them (a failed run's title is
	// started again).
	campaignMaxFailedKept = 5000
	// campaignMaxHeldWatched caps the held titles the campaign watches
	// (polls); beyond it the longest-held are left in the report as held
	// and no longer watched.
	campaignMaxHeldWatched = 1000
)

// ErrCampaignInput is wrapped by the non-retryable error of a campaign
// whose input cannot work.
var ErrCampaignInput = errors.New("invalid campaign")

// Campaign re-encodes a catalog with a new profile: each title as its own
// EncodeTitle run (workflow id WorkflowID(title)), started through the
// CampaignStart activity which decides as submit.Title does (a title in
// flight with the same request is joined, one finished with the same
// request is answered and counted as skipped, a different request in
// flight is refused and recorded as failed). At most MaxInFlight titles
// run at once; titles held at the QC gate stop counting after
// HeldCountsFor. Titles are watched by the CampaignPoll activity (not as
// child workflows), so continue-as-new every TitlesPerRun titles carries
// them over by id, and cancelling the campaign leaves them running. A
// finished title's savings against its old output come from TitleSavings;
// rows go to campaign.json and campaign.csv through WriteCampaignReport as
// the campaign runs. Signals pause, resume, cancel and retry failed
// titles; CampaignProgressQuery answers the counts.
func Campaign(ctx workflow.Context, in CampaignInput) (CampaignProgress, error) {
	if in.Name == "" || (len(in.Catalog) == 0 && in.CatalogLocation == "" && in.State == nil) {
		return CampaignProgress{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%v: a name and a catalog are required", ErrCampaignInput), ErrTypeInvalidRequest, nil)
	}
	if in.OutTemplate == "" && slices.ContainsFunc(in.Catalog, func(e CampaignEntry) bool { return e.Out == "" }) {
		return CampaignProgress{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("%v: titles without an output need an output template", ErrCampaignInput), ErrTypeInvalidRequest, nil)
	}
	c := newCampaignRun(ctx, in)
	if err := workflow.SetQueryHandler(ctx, CampaignProgressQuery, func() (CampaignProgress, error) {
		return c.progress(), nil
	}); err != nil {
		return CampaignProgress{}, err
	}
	return c.run()
}

// campaignRun is one run of a campaign: its input, the carried state and
// what this run has not written to the report yet.
type campaignRun struct {
	ctx workflow.Context
	in  CampaignInput
	st  *CampaignState

	pause, resume, cancel, retry workflow.ReceiveChannel

	cancelled, finished bool
	// taken counts the titles this run started (or skipped, or failed to
	// start): continue-as-new after in.TitlesPerRun.
	taken int
	// rows are changed rows not yet in the report; lastFlush is when it
	// was last written.
	rows      []CampaignTitle
	lastFlush time.Time
	// buf is a page of CatalogLocation from index bufStart; more says
	// whether pages follow; loaded whether one was read.
	buf              []CampaignEntry
	bufStart         int
	more, loaded     bool
	poll             workflow.Future
	cancelPoll       workflow.CancelFunc
	pollRuns         []CampaignRun
	pollErrs         int
	logger           log.Logger
	max, perRun      int
	pollEvery, heldC time.Duration
}

func newCampaignRun(ctx workflow.Context, in CampaignInput) *campaignRun {
	c := &campaignRun{
		ctx: ctx, in: in,
		pause:     workflow.GetSignalChannel(ctx, SignalCampaignPause),
		resume:    workflow.GetSignalChannel(ctx, SignalCampaignResume),
		cancel:    workflow.GetSignalChannel(ctx, SignalCampaignCancel),
		retry:     workflow.GetSignalChannel(ctx, SignalCampaignRetryFailed),
		logger:    workflow.GetLogger(ctx),
		max:       in.MaxInFlight,
		perRun:    in.TitlesPerRun,
		pollEvery: in.PollEvery,
		heldC:     in.HeldCountsFor,
	}
	if c.max <= 0 {
		c.max = DefaultCampaignMaxInFlight
	}
	if c.perRun <= 0 {
		c.perRun = DefaultCampaignTitlesPerRun
	}
	if c.pollEvery <= 0 {
		c.pollEvery = DefaultCampaignPollEvery
	}
	if in.State != nil {
		st := *in.State
		c.st = &st
	} else {
		c.st = &CampaignState{Started: workflow.Now(ctx)}
	}
	c.st.Runs++
	c.lastFlush = workflow.Now(ctx)
	return c
}

func (c *campaignRun) run() (CampaignProgress, error) {
	for {
		c.drainSignals()
		if c.cancelled || c.ctx.Err() != nil {
			return c.end()
		}
		if !c.st.Paused {
			if err := c.fill(); err != nil {
				return CampaignProgress{}, err
			}
		}
		if c.exhausted() && c.counted() == 0 && len(c.st.InFlight) == c.held() {
			c.finished = true
			return c.end()
		}
		if (c.taken >= c.perRun && !c.exhausted()) || c.historyFull() {
			return c.continueAsNew()
		}
		if err := c.maybeFlush(false); err != nil {
			c.logger.Warn("campaign report not written; kept for the next write", "error", err)
		}
		c.wait()
	}
}

// wait blocks until a signal, the poll's answer or the workflow's
// cancellation.
func (c *campaignRun) wait() {
	if c.poll != nil && !slices.Equal(c.pollRuns, c.st.InFlight) {
		// Titles were started (or retried) since the poll began: look
		// at all of them instead.
		c.cancelPoll()
		c.poll, c.cancelPoll = nil, nil
	}
	if c.poll == nil && len(c.st.InFlight) > 0 {
		c.startPoll()
	}
	s := workflow.NewSelector(c.ctx)
	c.addSignals(s)
	s.AddReceive(c.ctx.Done(), func(workflow.ReceiveChannel, bool) { c.cancelled = true })
	if c.poll != nil {
		s.AddFuture(c.poll, func(f workflow.Future) {
			c.poll, c.cancelPoll = nil, nil
			var out CampaignPollOutput
			if err := f.Get(c.ctx, &out); err != nil {
				// The runs are looked at again after a pause; a campaign
				// does not fail because Temporal was briefly unreachable.
				c.pollErrs++
				c.logger.Warn("campaign poll failed", "error", err, "failures", c.pollErrs)
				_ = workflow.Sleep(c.ctx, c.pollEvery)
				return
			}
			c.pollErrs = 0
			c.apply(out.Runs)
		})
	}
	s.Select(c.ctx)
}

func (c *campaignRun) addSignals(s workflow.Selector) {
	s.AddReceive(c.pause, func(ch workflow.ReceiveChannel, _ bool) { c.onSignal(ch) })
	s.AddReceive(c.resume, func(ch workflow.ReceiveChannel, _ bool) { c.onSignal(ch) })
	s.AddReceive(c.cancel, func(ch workflow.ReceiveChannel, _ bool) { c.onSignal(ch) })
	s.AddReceive(c.retry, func(ch workflow.ReceiveChannel, _ bool) { c.onSignal(ch) })
}

// drainSignals handles every signal already received, without blocking.
func (c *campaignRun) drainSignals() {
	for _, ch := range []workflow.ReceiveChannel{c.pause, c.resume, c.cancel, c.retry} {
		for ch.Len() > 0 {
			c.onSignal(ch)
		}
	}
}

func (c *campaignRun) onSignal(ch workflow.ReceiveChannel) {
	switch ch {
	case c.retry:
		var r CampaignRetry
		ch.Receive(c.ctx, &r)
		c.retryFailed(r.TitleIDs)
	default:
		var s CampaignSignal
		ch.Receive(c.ctx, &s)
		switch ch {
		case c.pause:
			c.st.Paused, c.st.PauseReason = true, s.Reason
		case c.resume:
			c.st.Paused, c.st.PauseReason = false, ""
		case c.cancel:
			c.cancelled = true
		}
	}
}

// retryFailed queues failed titles again (ids empty: all of them).
func (c *campaignRun) retryFailed(ids []string) {
	var keep []CampaignEntry
	for _, e := range c.st.Failed {
		if len(ids) > 0 && !slices.Contains(ids, e.TitleID) {
			keep = append(keep, e)
			continue
		}
		c.st.Retry = append(c.st.Retry, e)
		c.st.Counts.Failed--
		c.rows = append(c.rows, CampaignTitle{TitleID: e.TitleID, Source: e.Source, Out: e.Out, OldOut: e.OldOut, State: CampaignTitlePending})
	}
	c.st.Failed = keep
}

// counted is how many titles in flight count against MaxInFlight: all
// but those held longer than HeldCountsFor.
func (c *campaignRun) counted() int {
	now := workflow.Now(c.ctx)
	n := 0
	for _, r := range c.st.InFlight {
		if r.HeldSince.IsZero() || now.Sub(r.HeldSince) < c.heldC {
			n++
		}
	}
	return n
}

func (c *campaignRun) held() int {
	n := 0
	for _, r := range c.st.InFlight {
		if !r.HeldSince.IsZero() {
			n++
		}
	}
	return n
}

func (c *campaignRun) historyFull() bool {
	info := workflow.GetInfo(c.ctx)
	return info.GetCurrentHistoryLength() > campaignMaxHistory || info.GetContinueAsNewSuggested()
}

// fill starts titles until MaxInFlight count, the run's quota is taken or
// the catalog is exhausted.
func (c *campaignRun) fill() error {
	for !c.cancelled {
		var batch []CampaignEntry
		for free := c.max - c.counted(); free > len(batch) && c.taken < c.perRun; {
			e, ok, err := c.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			batch = append(batch, e.Resolve(c.in))
			c.taken++
		}
		if len(batch) == 0 {
			return nil
		}
		ac := activityCtx(c.ctx, QueueIO, campaignShortActivity, 0)
		futures := make([]workflow.Future, len(batch))
		for i, e := range batch {
			futures[i] = workflow.ExecuteActivity(ac, ActivityCampaignStart, CampaignStartInput{
				Campaign: c.in.Name, Entry: e, Profile: c.in.Profile, PriorityKey: c.priority()})
		}
		var savings []pendingSavings
		for i, f := range futures {
			var out CampaignStartOutput
			err := f.Get(c.ctx, &out)
			if row, ok := c.started(batch[i], out, err); ok {
				savings = append(savings, pendingSavings{row: row})
			}
		}
		c.addSavings(savings)
		c.drainSignals()
		if c.st.Paused {
			return nil
		}
	}
	return nil
}

func (c *campaignRun) priority() int {
	if c.in.PriorityKey > 0 {
		return c.in.PriorityKey
	}
	return DefaultCampaignPriorityKey
}

type pendingSavings struct {
	row CampaignTitle
}

// started records what CampaignStart did with a title; a skipped title
// (its same request had finished) is returned for its savings.
func (c *campaignRun) started(e CampaignEntry, out CampaignStartOutput, err error) (CampaignTitle, bool) {
	now := workflow.Now(c.ctx)
	row := CampaignTitle{TitleID: e.TitleID, Source: e.Source, Out: e.Out, OldOut: e.OldOut, Action: out.Action, RunID: out.RunID, Started: now}
	switch {
	case err != nil:
		row.Error, row.ErrorType = errorMessage(err), errorType(err)
		c.fail(e, row)
	case out.Action == CampaignRefused:
		row.Error, row.ErrorType = out.Reason, ErrTypeTitleInFlight
		c.fail(e, row)
	case out.Action == CampaignAnswered:
		row.State, row.ReportPath, row.Finished = CampaignTitleSkipped, out.ReportPath, now
		c.st.Counts.Skipped++
		return row, true
	default: // started or joined
		c.st.Counts.Started++
		c.st.InFlight = append(c.st.InFlight, CampaignRun{TitleID: e.TitleID, RunID: out.RunID, Entry: e, Action: out.Action, Started: now})
		row.State = CampaignTitleInFlight
		c.rows = append(c.rows, row)
	}
	return CampaignTitle{}, false
}

func (c *campaignRun) fail(e CampaignEntry, row CampaignTitle) {
	row.State, row.Finished = CampaignTitleFailed, workflow.Now(c.ctx)
	c.st.Counts.Failed++
	if len(c.st.Failed) < campaignMaxFailedKept {
		c.st.Failed = append(c.st.Failed, e)
	}
	c.rows = append(c.rows, row)
}

// unwatchHeld stops watching the longest-held titles beyond
// campaignMaxHeldWatched; they stay held in the report and the counts.
func (c *campaignRun) unwatchHeld() {
	for c.held() > campaignMaxHeldWatched {
		i := -1
		for j, r := range c.st.InFlight {
			if !r.HeldSince.IsZero() && (i < 0 || r.HeldSince.Before(c.st.InFlight[i].HeldSince)) {
				i = j
			}
		}
		c.st.InFlight = slices.Delete(c.st.InFlight, i, i+1)
		c.st.Counts.Held++
	}
}

// errorType is an activity error's application type, or Temporal's kind
// of failure.
func errorType(err error) string {
	var (
		app     *temporal.ApplicationError
		timeout *temporal.TimeoutError
		cancel  *temporal.CanceledError
	)
	switch {
	case errors.As(err, &app):
		return app.Type()
	case errors.As(err, &timeout):
		return "Timeout"
	case errors.As(err, &cancel):
		return "Canceled"
	}
	return "Error"
}

// errorMessage is an activity error's message: the application error's
// own, else the innermost error's.
func errorMessage(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return rootMessage(err)
}

// next takes the next title: a retried one first, then the catalog's.
func (c *campaignRun) next() (CampaignEntry, bool, error) {
	if len(c.st.Retry) > 0 {
		e := c.st.Retry[0]
		c.st.Retry = c.st.Retry[1:]
		return e, true, nil
	}
	if c.in.CatalogLocation == "" || len(c.in.Catalog) > 0 {
		i := c.st.Cursor - c.st.CatalogBase
		if i < 0 || i >= len(c.in.Catalog) {
			return CampaignEntry{}, false, nil
		}
		c.st.Cursor++
		return c.in.Catalog[i], true, nil
	}
	if c.st.Cursor >= c.bufStart+len(c.buf) {
		if c.loaded && !c.more {
			return CampaignEntry{}, false, nil
		}
		var page CampaignCatalogOutput
		ac := activityCtx(c.ctx, QueueIO, campaignShortActivity, 0)
		err := workflow.ExecuteActivity(ac, ActivityCampaignCatalog, CampaignCatalogInput{
			Location: c.in.CatalogLocation, Offset: c.st.Cursor, Limit: campaignCatalogPage}).Get(c.ctx, &page)
		if err != nil {
			return CampaignEntry{}, false, fmt.Errorf("read the catalog %s at %d: %w", c.in.CatalogLocation, c.st.Cursor, err)
		}
		c.buf, c.bufStart, c.more, c.loaded = page.Entries, c.st.Cursor, page.More, true
		if len(c.buf) == 0 {
			c.more = false
			return CampaignEntry{}, false, nil
		}
	}
	e := c.buf[c.st.Cursor-c.bufStart]
	c.st.Cursor++
	return e, true, nil
}

// exhausted: no title is left to start.
func (c *campaignRun) exhausted() bool {
	if len(c.st.Retry) > 0 {
		return false
	}
	if c.in.CatalogLocation == "" || len(c.in.Catalog) > 0 {
		return c.st.Cursor-c.st.CatalogBase >= len(c.in.Catalog)
	}
	return c.loaded && !c.more && c.st.Cursor >= c.bufStart+len(c.buf)
}

func (c *campaignRun) startPoll() {
	pc, cancel := workflow.WithCancel(c.ctx)
	wait := time.Duration(campaignPollWaits) * c.pollEvery
	pc = workflow.WithActivityOptions(pc, workflow.ActivityOptions{
		TaskQueue:           QueueIO,
		StartToCloseTimeout: wait + 5*time.Minute,
		HeartbeatTimeout:    max(30*time.Second, 3*c.pollEvery),
		RetryPolicy:         retry,
	})
	c.pollRuns = slices.Clone(c.st.InFlight)
	c.poll = workflow.ExecuteActivity(pc, ActivityCampaignPoll, CampaignPollInput{Runs: c.pollRuns, Every: c.pollEvery, Wait: wait})
	c.cancelPoll = cancel
}

// apply records what the poll found.
func (c *campaignRun) apply(states []CampaignRunState) {
	now := workflow.Now(c.ctx)
	var done []pendingSavings
	var keep []CampaignRun
	for _, r := range c.st.InFlight {
		i := slices.IndexFunc(states, func(s CampaignRunState) bool { return s.TitleID == r.TitleID && s.RunID == r.RunID })
		if i < 0 {
			keep = append(keep, r)
			continue
		}
		s := states[i]
		row := CampaignTitle{TitleID: r.TitleID, Source: r.Entry.Source, Out: r.Entry.Out, OldOut: r.Entry.OldOut,
			Action: r.Action, RunID: r.RunID, Started: r.Started, ReportPath: s.ReportPath}
		switch s.State {
		case CampaignTitleDone:
			row.State, row.Finished = CampaignTitleDone, now
			c.st.Counts.Done++
			done = append(done, pendingSavings{row: row})
		case CampaignTitleFailed:
			row.Error, row.ErrorType = s.Error, s.ErrorType
			c.fail(r.Entry, row)
		case CampaignTitleHeld:
			if r.HeldSince.IsZero() {
				r.HeldSince = now
				row.State = CampaignTitleHeld
				c.rows = append(c.rows, row)
			}
			keep = append(keep, r)
		default:
			if !r.HeldSince.IsZero() { // released by a review, still running
				r.HeldSince = time.Time{}
				row.State = CampaignTitleInFlight
				c.rows = append(c.rows, row)
			}
			keep = append(keep, r)
		}
	}
	c.st.InFlight = keep
	c.unwatchHeld()
	c.addSavings(done)
}

// addSavings computes the savings of finished titles that have an old
// output (in parallel) and queues their rows.
func (c *campaignRun) addSavings(titles []pendingSavings) {
	ac := activityCtx(c.ctx, QueueIO, campaignShortActivity, 0)
	futures := make([]workflow.Future, len(titles))
	for i, t := range titles {
		if t.row.OldOut == "" {
			continue
		}
		futures[i] = workflow.ExecuteActivity(ac, ActivityTitleSavings, TitleSavingsInput{
			TitleID: t.row.TitleID, NewReport: t.row.ReportPath, Out: t.row.Out, OldOut: t.row.OldOut})
	}
	for i, t := range titles {
		row := t.row
		if futures[i] != nil {
			var s Savings
			if err := futures[i].Get(c.ctx, &s); err != nil {
				s = Savings{Reason: "savings not computed: " + errorMessage(err)}
			}
			row.Savings = &s
		}
		c.rows = append(c.rows, row)
	}
}

// progress is the query's answer.
func (c *campaignRun) progress() CampaignProgress {
	st := c.st
	p := CampaignProgress{
		Name: c.in.Name, Done: st.Counts.Done, Skipped: st.Counts.Skipped, Failed: st.Counts.Failed, Held: st.Counts.Held,
		Paused: st.Paused, PauseReason: st.PauseReason, Cancelled: c.cancelled, Finished: c.finished,
		Started: st.Started, Now: workflow.Now(c.ctx), Runs: st.Runs, MaxInFlight: c.max,
	}
	for _, r := range st.InFlight {
		if r.HeldSince.IsZero() {
			p.InFlight++
			p.InFlightTitles = append(p.InFlightTitles, r.TitleID)
		} else {
			p.Held++
			p.HeldTitles = append(p.HeldTitles, r.TitleID)
		}
	}
	for _, e := range st.Failed {
		p.FailedTitles = append(p.FailedTitles, e.TitleID)
	}
	p.Total = c.in.Total
	if p.Total == 0 && (c.in.CatalogLocation == "" || len(c.in.Catalog) > 0) {
		p.Total = st.CatalogBase + len(c.in.Catalog)
	}
	if p.Total == 0 && c.exhausted() {
		p.Total = st.Cursor
	}
	p.Remaining = max(0, p.Total-st.Cursor) + len(st.Retry)
	if h := p.Now.Sub(p.Started).Hours(); h > 0 {
		p.TitlesPerHour = float64(p.Done+p.Skipped+p.Failed) / h
	}
	return p
}

// maybeFlush writes the report when enough rows changed, enough time
// passed, or force.
func (c *campaignRun) maybeFlush(force bool) error {
	if c.in.Report == "" {
		c.rows = nil
		return nil
	}
	now := workflow.Now(c.ctx)
	if !force && len(c.rows) < campaignFlushRows && (len(c.rows) == 0 || now.Sub(c.lastFlush) < campaignFlushEvery) {
		return nil
	}
	return c.flush(c.ctx)
}

func (c *campaignRun) flush(ctx workflow.Context) error {
	if c.in.Report == "" {
		return nil
	}
	in := WriteCampaignReportInput{Report: c.in.Report, Rows: c.rows, Head: CampaignReport{
		Name: c.in.Name, Profile: c.in.Profile.Name, OutTemplate: c.in.OutTemplate, CompareWith: c.in.CompareWith,
		Progress: c.progress()}}
	ac := activityCtx(ctx, QueueIO, campaignReportActivity, 0)
	if err := workflow.ExecuteActivity(ac, ActivityWriteCampaignReport, in).Get(ctx, nil); err != nil {
		return err
	}
	c.rows, c.lastFlush = nil, workflow.Now(ctx)
	return nil
}

// flushUntilWritten writes the report, trying again every minute: the
// rows are the campaign's record and are not in its state.
func (c *campaignRun) flushUntilWritten(ctx workflow.Context) {
	for {
		err := c.flush(ctx)
		if err == nil {
			return
		}
		c.logger.Warn("campaign report not written; trying again in a minute", "error", err)
		if workflow.Sleep(ctx, time.Minute) != nil {
			return
		}
	}
}

// end writes the last report (titles still in flight listed as such) and
// returns the progress; a cancelled workflow returns its cancellation.
func (c *campaignRun) end() (CampaignProgress, error) {
	if c.cancelPoll != nil {
		c.cancelPoll()
	}
	ctx := c.ctx
	if ctx.Err() != nil {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
		c.cancelled = true
	}
	for _, r := range c.st.InFlight {
		state := CampaignTitleInFlight
		if !r.HeldSince.IsZero() {
			state = CampaignTitleHeld
		}
		c.rows = append(c.rows, CampaignTitle{TitleID: r.TitleID, Source: r.Entry.Source, Out: r.Entry.Out, OldOut: r.Entry.OldOut,
			State: state, Action: r.Action, RunID: r.RunID, Started: r.Started})
	}
	c.flushUntilWritten(ctx)
	p := c.progress()
	if c.ctx.Err() != nil {
		return p, c.ctx.Err()
	}
	return p, nil
}

// continueAsNew writes the report and continues with the state, the
// titles in flight carried over by id.
func (c *campaignRun) continueAsNew() (CampaignProgress, error) {
	if c.cancelPoll != nil {
		c.cancelPoll()
	}
	c.drainSignals() // a signal not received before continue-as-new would be lost
	if c.cancelled {
		return c.end()
	}
	c.flushUntilWritten(c.ctx)
	next := c.in
	next.State = c.st
	if len(c.in.Catalog) > 0 {
		i := min(c.st.Cursor-c.st.CatalogBase, len(c.in.Catalog))
		next.Catalog = slices.Clone(c.in.Catalog[i:])
		if next.Total == 0 {
			next.Total = c.st.CatalogBase + len(c.in.Catalog)
		}
		c.st.CatalogBase = c.st.Cursor
	}
	return CampaignProgress{}, workflow.NewContinueAsNewError(c.ctx, CampaignName, next)
}
