// Package titles is the client side of titles after their start: what
// `reel status` shows (Status), the titles of Temporal's visibility with
// their stage and gate (List), a reviewer's decision at the QC gate
// (Review), the stage timeline from a run's history (Timeline), and live
// progress (Progress). The CLI and `reel serve` (package webui) both go
// through it, so they agree. Unlike its parent package submit it imports
// no activity code (no cgo): only the Temporal client, workflows' types
// and request.
package titles

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/workflows"
)

// Errors of Status and Review; test with errors.Is.
var (
	// ErrNoTitle: no workflow of that title (or workflow id) exists.
	ErrNoTitle = errors.New("titles: no such title")
	// ErrNotHeld: a review for a title that is not held at the QC gate
	// (it has not reached the gate, passed it, was already reviewed, or
	// has finished).
	ErrNotHeld = errors.New("titles: title is not held at the QC gate")
	// ErrBadDecision: a review whose decision is neither
	// workflows.ReviewApprove nor workflows.ReviewReject.
	ErrBadDecision = errors.New("titles: decision must be approve or reject")
)

// TitleWorkflowID takes a title id or a workflow id (reel-title/ID) and
// returns the workflow id.
func TitleWorkflowID(s string) string {
	if strings.HasPrefix(s, "reel-title/") {
		return s
	}
	return workflows.WorkflowID(s)
}

// StageProgress is a stage of the progress query with its live counts:
// a fanned-out stage's own (chunks), or the running activity's heartbeat.
// Done and Total are 0 when nothing is known.
type StageProgress struct {
	workflows.Stage
	// LiveDone and LiveTotal are the stage's units done and to do.
	LiveDone  int `json:"live_done,omitempty"`
	LiveTotal int `json:"live_total,omitempty"`
}

// Fraction is the share of the stage done, 0 to 1 (1 once done).
func (s StageProgress) Fraction() float64 {
	switch {
	case s.State == workflows.StateDone:
		return 1
	case s.LiveTotal > 0:
		return min(1, float64(s.LiveDone)/float64(s.LiveTotal))
	}
	return 0
}

// QueryProgress asks a running title for its progress query's answer.
func QueryProgress(ctx context.Context, c client.Client, id, runID string) (workflows.Progress, error) {
	var p workflows.Progress
	v, err := c.QueryWorkflow(ctx, id, runID, workflows.ProgressQuery)
	if err == nil {
		err = v.Get(&p)
	}
	return p, err
}

// Progress reads a title's stages (progress query) with their live
// counts from the pending activities' heartbeats, and its gate state. It
// fails while no worker has picked the workflow up; bound ctx.
func Progress(ctx context.Context, c client.Client, id, runID string) ([]StageProgress, *workflows.GateState, error) {
	p, err := QueryProgress(ctx, c, id, runID)
	if err != nil {
		return nil, nil, err
	}
	live := map[string]workflows.ActivityProgress{}
	if d, err := c.DescribeWorkflowExecution(ctx, id, runID); err == nil {
		dc := converter.GetDefaultDataConverter()
		for _, pa := range d.GetPendingActivities() {
			ps := pa.GetHeartbeatDetails().GetPayloads()
			var hp workflows.ActivityProgress
			if len(ps) > 0 && dc.FromPayload(ps[0], &hp) == nil {
				live[pa.GetActivityType().GetName()] = hp
			}
		}
	}
	out := make([]StageProgress, len(p.Stages))
	for i, s := range p.Stages {
		out[i].Stage = s
		switch {
		case s.Total > 0: // a fanned-out stage counts its own units
			out[i].LiveDone, out[i].LiveTotal = s.Done, s.Total
		case s.State == workflows.StateRunning:
			if hp, ok := live[s.Activity]; ok {
				out[i].LiveDone, out[i].LiveTotal = hp.Done, hp.Total
			}
		}
	}
	return out, p.Gate, nil
}

// TitleStatus is a title's workflow as `reel status` shows it.
type TitleStatus struct {
	TitleID    string `json:"title_id"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// Status is the run's state: running, completed, failed, canceled,
	// terminated, timed_out (request.Status).
	Status  request.Status `json:"status"`
	Started time.Time      `json:"started"`
	Closed  *time.Time     `json:"closed,omitempty"`
	// Gate is the QC gate's state of a running title that reached it
	// (held with its blockers while it waits for a review); for a
	// finished one, the result's.
	Gate *workflows.GateState `json:"gate,omitempty"`
	// Stages is the progress query's answer (nil when no worker
	// answered it in time).
	Stages []StageProgress `json:"stages,omitempty"`
	// Request is what the run was asked to do, as recorded at its start.
	Request *request.Identity      `json:"request,omitempty"`
	Result  *workflows.TitleResult `json:"result,omitempty"`
	// Error is a finished run's failure in one line (DescribeError); Err
	// is the error itself.
	Error string `json:"error,omitempty"`
	Err   error  `json:"-"`
}

// Held reports whether the title waits at the QC gate for a review.
func (s TitleStatus) Held() bool { return s.Gate != nil && s.Gate.State == workflows.GateHeld }

// StatusOptions tune Status. The zero value uses the defaults.
type StatusOptions struct {
	// ProgressWait bounds the progress query. Default 2 s.
	ProgressWait time.Duration
	// GateWait bounds the gate query of a running title. Default 5 s.
	GateWait time.Duration
	// ResultWait bounds reading a finished run's result. Default 10 s.
	ResultWait time.Duration
}

// Status describes the latest run of a title (a title id or a workflow
// id): its state, request, stages, gate, and result or error once it has
// finished. A title that does not exist is ErrNoTitle.
func Status(ctx context.Context, c client.Client, id string, opts StatusOptions) (TitleStatus, error) {
	if opts.ProgressWait <= 0 {
		opts.ProgressWait = 2 * time.Second
	}
	if opts.GateWait <= 0 {
		opts.GateWait = 5 * time.Second
	}
	if opts.ResultWait <= 0 {
		opts.ResultWait = 10 * time.Second
	}
	id = TitleWorkflowID(id)
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return TitleStatus{}, fmt.Errorf("workflow %s: %w: %w", id, ErrNoTitle, err)
		}
		return TitleStatus{}, fmt.Errorf("workflow %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	st := TitleStatus{
		WorkflowID: id, RunID: info.GetExecution().GetRunId(),
		Status:  StatusOf(info.GetStatus()),
		Started: info.GetStartTime().AsTime(),
	}
	st.TitleID, _ = workflows.TitleIDFromWorkflowID(id)
	if info.GetCloseTime() != nil {
		t := info.GetCloseTime().AsTime()
		st.Closed = &t
	}
	if st.Request, err = RecordedRequest(info.GetMemo().GetFields()); err != nil {
		return TitleStatus{}, fmt.Errorf("workflow %s: %w", id, err)
	}
	running := info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	pctx, cancel := context.WithTimeout(ctx, opts.ProgressWait)
	stages, gate, perr := Progress(pctx, c, id, st.RunID)
	cancel()
	if perr == nil {
		st.Stages = stages
	}
	if running {
		if perr == nil {
			st.Gate = gate
		} else {
			// The first query may have found no worker in time; the
			// gate is worth a longer wait.
			gctx, cancel := context.WithTimeout(ctx, opts.GateWait)
			if p, err := QueryProgress(gctx, c, id, st.RunID); err == nil {
				st.Gate = p.Gate
			}
			cancel()
		}
		return st, nil
	}
	var res workflows.TitleResult
	gctx, cancel := context.WithTimeout(ctx, opts.ResultWait)
	err = c.GetWorkflow(gctx, id, st.RunID).Get(gctx, &res)
	cancel()
	if err != nil {
		st.Err, st.Error = err, DescribeError(err)
	} else {
		st.Result = &res
		st.Gate = res.Gate
	}
	return st, nil
}

// Out is the title's output location as recorded by its run (the
// request's), "" when the run recorded none.
func (s TitleStatus) Out() string {
	if s.Request != nil {
		return s.Request.Out
	}
	return ""
}

// DescribeError renders a workflow's error chain as one line, dropping
// Temporal's wrapping (workflow execution error → activity error →
// application error) and keeping the application error's message and
// type: "gatecheck: … [QCRejected, not retryable]".
func DescribeError(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		var act *temporal.ActivityError
		prefix := ""
		if errors.As(err, &act) {
			prefix = strings.ToLower(act.ActivityType().GetName()) + ": "
		}
		kind := "retryable"
		if app.NonRetryable() {
			kind = "not retryable"
		}
		if t := app.Type(); t != "" && !strings.ContainsAny(t, "*.") {
			kind = t + ", " + kind
		}
		return fmt.Sprintf("%s%s [%s]", prefix, app.Message(), kind)
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out: " + timeout.Error()
	}
	return err.Error()
}

// Review sends a reviewer's decision to a title held at the QC gate (the
// signal `reel review` sends) and returns the gate state it was held in.
// A title that is not held is ErrNotHeld (the message says where it is);
// a decision other than approve or reject is ErrBadDecision. r.At is set
// by the workflow.
func Review(ctx context.Context, c client.Client, id string, r workflows.Review) (workflows.GateState, error) {
	r.Decision = strings.ToLower(r.Decision)
	if r.Decision != workflows.ReviewApprove && r.Decision != workflows.ReviewReject {
		return workflows.GateState{}, fmt.Errorf("%w: got %q", ErrBadDecision, r.Decision)
	}
	id = TitleWorkflowID(id)
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	p, err := QueryProgress(qctx, c, id, "")
	cancel()
	if err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			return workflows.GateState{}, fmt.Errorf("workflow %s: %w: %w", id, ErrNoTitle, err)
		}
		return workflows.GateState{}, fmt.Errorf("workflow %s: %w", id, err)
	}
	g := p.Gate
	if g == nil || g.State != workflows.GateHeld {
		state := "has not reached the gate"
		if g != nil {
			state = "is " + g.State
		}
		title, _ := workflows.TitleIDFromWorkflowID(id)
		return workflows.GateState{}, &alsoErr{fmt.Sprintf("title %s is not held at the QC gate: it %s", title, state), ErrNotHeld}
	}
	if err := c.SignalWorkflow(ctx, id, "", workflows.ReviewSignal, r); err != nil {
		return *g, fmt.Errorf("signal %s: %w", id, err)
	}
	return *g, nil
}

// alsoErr is an error with its own message that also is (errors.Is)
// one of this package's sentinels.
type alsoErr struct {
	msg  string
	also error
}

func (e *alsoErr) Error() string { return e.msg }
func (e *alsoErr) Unwrap() error { return e.also }

// RecordedRequest decodes the request identity a run recorded in its memo
// (nil when it recorded none).
func RecordedRequest(memo map[string]*commonpb.Payload) (*request.Identity, error) {
	pl, ok := memo[workflows.MemoRequest]
	if !ok {
		return nil, nil
	}
	var id request.Identity
	if err := converter.GetDefaultDataConverter().FromPayload(pl, &id); err != nil {
		return nil, fmt.Errorf("memo %q: %w", workflows.MemoRequest, err)
	}
	return &id, nil
}

// StatusOf maps Temporal's execution status to request's.
func StatusOf(s enumspb.WorkflowExecutionStatus) request.Status {
	switch s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return request.Running
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return request.Completed
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return request.Failed
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return request.Canceled
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return request.Terminated
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return request.TimedOut
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return request.ContinuedAsNew
	}
	return request.Status(strings.ToLower(strings.TrimPrefix(s.String(), "WORKFLOW_EXECUTION_STATUS_")))
}
