package titles

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/workflows"
)

// ListOptions select and bound the titles List returns. The zero value
// lists the latest 100 titles.
type ListOptions struct {
	// Query keeps titles whose id contains it (case-insensitive); empty
	// keeps all.
	Query string
	// Campaign keeps titles whose latest run a campaign of this name
	// started (memo workflows.MemoCampaign); empty keeps all.
	Campaign string
	// Limit is how many titles at most. Default 100.
	Limit int
	// PageSize is the visibility page size. Default 100.
	PageSize int
	// ProgressWait bounds the progress queries of the running titles
	// (their stage and gate) and the reading of the failed ones' errors,
	// all together: a title not answered in time is listed without them.
	// Default 2 s.
	ProgressWait time.Duration
	// Parallel is how many of those queries run at once. Default 16.
	Parallel int
}

// TitleSummary is a title in the list: its latest run.
type TitleSummary struct {
	TitleID    string         `json:"title_id"`
	WorkflowID string         `json:"workflow_id"`
	RunID      string         `json:"run_id"`
	Status     request.Status `json:"status"`
	Started    time.Time      `json:"started"`
	Closed     *time.Time     `json:"closed,omitempty"`
	// Stage is a running title's current stage (the first not done) and
	// Fraction how much of it is done, 0 to 1; Stages, Done how many of
	// its stages are done.
	Stage    string  `json:"stage,omitempty"`
	Fraction float64 `json:"fraction,omitempty"`
	Stages   int     `json:"stages,omitempty"`
	Done     int     `json:"done,omitempty"`
	// Gate is a running title's gate state once it reached the gate.
	Gate *workflows.GateState `json:"gate,omitempty"`
	// Error is a failed (or timed out, terminated, cancelled) run's
	// error in one line.
	Error string `json:"error,omitempty"`
	// Campaign names the campaign that started the run ("" for one from
	// reel run or submit).
	Campaign string `json:"campaign,omitempty"`
}

// Held reports whether the title waits at the QC gate for a review.
func (s TitleSummary) Held() bool { return s.Gate != nil && s.Gate.State == workflows.GateHeld }

// List returns the titles' latest runs, newest first, from Temporal's
// visibility (workflows of type EncodeTitle); running titles carry their
// stage and gate from the progress query, failed ones their error.
func List(ctx context.Context, c client.Client, opts ListOptions) ([]TitleSummary, error) {
	if opts.Limit <= 0 {
		opts.Limit = 100
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.ProgressWait <= 0 {
		opts.ProgressWait = 2 * time.Second
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	q := strings.ToLower(opts.Query)
	var out []TitleSummary
	seen := map[string]bool{}
	var token []byte
	for len(out) < opts.Limit {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			PageSize:      int32(opts.PageSize),
			NextPageToken: token,
			Query:         fmt.Sprintf("WorkflowType = '%s'", workflows.EncodeTitleName),
		})
		if err != nil {
			return nil, fmt.Errorf("list titles: %w", err)
		}
		for _, e := range resp.GetExecutions() {
			wid := e.GetExecution().GetWorkflowId()
			if seen[wid] { // an older run of a title already listed
				continue
			}
			seen[wid] = true
			title, ok := workflows.TitleIDFromWorkflowID(wid)
			if !ok || (q != "" && !strings.Contains(strings.ToLower(title), q)) {
				continue
			}
			camp := memoCampaign(e.GetMemo().GetFields())
			if opts.Campaign != "" && camp != opts.Campaign {
				continue
			}
			s := TitleSummary{TitleID: title, WorkflowID: wid, RunID: e.GetExecution().GetRunId(),
				Status: StatusOf(e.GetStatus()), Started: e.GetStartTime().AsTime(), Campaign: camp}
			if e.GetCloseTime() != nil {
				t := e.GetCloseTime().AsTime()
				s.Closed = &t
			}
			out = append(out, s)
			if len(out) == opts.Limit {
				break
			}
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			break
		}
	}
	// Visibility lists by start time; make it so whatever the store.
	slices.SortStableFunc(out, func(a, b TitleSummary) int { return b.Started.Compare(a.Started) })

	fctx, cancel := context.WithTimeout(ctx, opts.ProgressWait)
	defer cancel()
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Parallel)
	for i := range out {
		s := &out[i]
		switch s.Status {
		case request.Running, request.Failed, request.TimedOut, request.Terminated, request.Canceled:
		default:
			continue
		}
		wg.Add(1)
		select {
		case sem <- struct{}{}:
		case <-fctx.Done():
			wg.Done()
			continue
		}
		go func() {
			defer func() { <-sem; wg.Done() }()
			fill(fctx, c, s)
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// memoCampaign is the campaign named in a run's memo ("" when none, or
// unreadable).
func memoCampaign(memo map[string]*commonpb.Payload) string {
	p := memo[workflows.MemoCampaign]
	if p == nil {
		return ""
	}
	var name string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &name); err != nil {
		return ""
	}
	return name
}

// fill adds a running title's stage and gate, a failed one's error.
func fill(ctx context.Context, c client.Client, s *TitleSummary) {
	if s.Status != request.Running {
		if err := c.GetWorkflow(ctx, s.WorkflowID, s.RunID).Get(ctx, nil); err != nil {
			s.Error = DescribeError(err)
		}
		return
	}
	stages, gate, err := Progress(ctx, c, s.WorkflowID, s.RunID)
	if err != nil {
		return
	}
	s.Gate, s.Stages = gate, len(stages)
	for _, st := range stages {
		if st.State == workflows.StateDone {
			s.Done++
			continue
		}
		if s.Stage == "" {
			s.Stage, s.Fraction = st.Name, st.Fraction()
		}
	}
}

// StageSpan is one activity type's part of a run, from its history: when
// the first of its activities was scheduled and the last one closed.
type StageSpan struct {
	// Activity is the activity type (workflows.Stage.Activity names a
	// stage's).
	Activity string `json:"activity"`
	// Start is when the first was scheduled; End when the last closed
	// (zero while one is still open).
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
	// Count is how many activities of the type were scheduled, Open how
	// many have not closed yet.
	Count int `json:"count"`
	Open  int `json:"open,omitempty"`
	// Attempts sums the attempts of the activities that started (1 each
	// without a retry).
	Attempts int `json:"attempts"`
	// Failures counts activities that failed or timed out for good;
	// LastFailure is the last one's message.
	Failures    int    `json:"failures,omitempty"`
	LastFailure string `json:"last_failure,omitempty"`
}

// Seconds is the span's length, up to now while it is open.
func (s StageSpan) Seconds(now time.Time) float64 {
	end := s.End
	if s.Open > 0 || end.IsZero() {
		end = now
	}
	return end.Sub(s.Start).Seconds()
}

// Timeline reads a run's history (runID "" for the latest run) and
// returns a span per activity type, in the order they were first
// scheduled.
func Timeline(ctx context.Context, c client.Client, id, runID string) ([]StageSpan, error) {
	id = TitleWorkflowID(id)
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var spans []StageSpan
	index := map[string]int{}       // activity type → spans index
	scheduled := map[int64]string{} // scheduled event id → activity type
	closed := func(ev *historypb.HistoryEvent, sched int64, failure string) {
		typ, ok := scheduled[sched]
		if !ok {
			return
		}
		sp := &spans[index[typ]]
		sp.Open--
		if t := ev.GetEventTime().AsTime(); t.After(sp.End) {
			sp.End = t
		}
		if failure != "" {
			sp.Failures++
			sp.LastFailure = failure
		}
	}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", id, err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			typ := ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			i, ok := index[typ]
			if !ok {
				i = len(spans)
				index[typ] = i
				spans = append(spans, StageSpan{Activity: typ, Start: ev.GetEventTime().AsTime()})
			}
			spans[i].Count++
			spans[i].Open++
			scheduled[ev.GetEventId()] = typ
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			a := ev.GetActivityTaskStartedEventAttributes()
			if typ, ok := scheduled[a.GetScheduledEventId()]; ok {
				spans[index[typ]].Attempts += int(max(1, a.GetAttempt()))
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			closed(ev, ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(), "")
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			a := ev.GetActivityTaskFailedEventAttributes()
			closed(ev, a.GetScheduledEventId(), a.GetFailure().GetMessage())
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
			a := ev.GetActivityTaskTimedOutEventAttributes()
			closed(ev, a.GetScheduledEventId(), "timed out: "+a.GetFailure().GetMessage())
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
			closed(ev, ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId(), "")
		}
	}
	for i := range spans {
		if spans[i].Open > 0 {
			spans[i].End = time.Time{}
		}
	}
	return spans, nil
}
