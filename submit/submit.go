// Package submit starts a title's encode on Temporal the way package
// request decides: the same request as a finished run is answered with its
// result, a different one is encoded again, a different one in flight is
// refused unless forced. `reel run`, `reel submit` and anything else that
// starts titles go through Title, so the rule lives in one place.
package submit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
)

// Options tune Title. The zero value uses the defaults.
type Options struct {
	// Force encodes a finished title again and replaces a different
	// request in flight (reel's --force).
	Force bool
	// CancelWait bounds how long a replaced run may take to end after it
	// is cancelled before it is terminated. Default 2 minutes.
	CancelWait time.Duration
	// IdentifyWait bounds the workers' source identity when this process
	// cannot read the source itself. Default 5 minutes.
	IdentifyWait time.Duration
}

func (o Options) withDefaults() Options {
	if o.CancelWait <= 0 {
		o.CancelWait = 2 * time.Minute
	}
	if o.IdentifyWait <= 0 {
		o.IdentifyWait = 5 * time.Minute
	}
	return o
}

// Outcome is what became of a request.
type Outcome struct {
	// Run is the run that answers the request: started, joined or
	// finished (nil when refused).
	Run client.WorkflowRun
	// Decision is what was decided and why.
	Decision request.Decision
}

// Title submits req (whose Request identity Identify filled in) as the
// title's workflow. A refusal returns an error wrapping
// request.ErrInFlight.
func Title(ctx context.Context, c client.Client, req workflows.TitleRequest, opts Options) (Outcome, error) {
	opts = opts.withDefaults()
	if err := request.CheckTitleID(req.TitleID); err != nil {
		return Outcome{}, err
	}
	if req.Request == nil {
		return Outcome{}, errors.New("submit: request has no identity (call Identify first)")
	}
	id := workflows.WorkflowID(req.TitleID)
	start := client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: workflows.QueueWorkflow,
		// Decide has already said a new run is due; a run that started
		// since we looked makes the start fail, and we decide again.
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		Memo:                                     map[string]any{workflows.MemoRequest: *req.Request},
	}
	for attempt := 0; ; attempt++ {
		prior, err := Prior(ctx, c, id)
		if err != nil {
			return Outcome{}, err
		}
		d := request.Decide(prior, *req.Request, opts.Force)
		switch d.Action {
		case request.Join, request.Answer:
			return Outcome{Run: c.GetWorkflow(ctx, id, prior.RunID), Decision: d}, nil
		case request.Refuse:
			return Outcome{Decision: d}, d.Err()
		case request.Replace:
			if err := replace(ctx, c, id, prior.RunID, opts.CancelWait); err != nil {
				return Outcome{Decision: d}, err
			}
		}
		run, err := c.ExecuteWorkflow(ctx, start, workflows.EncodeTitleName, req)
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &already) && attempt < 3 {
			continue // another client started it meanwhile: decide again
		}
		if err != nil {
			return Outcome{Decision: d}, fmt.Errorf("start workflow %s: %w", id, err)
		}
		return Outcome{Run: run, Decision: d}, nil
	}
}

// Prior returns the latest run of the workflow id, nil when there is none.
func Prior(ctx context.Context, c client.Client, id string) (*request.Prior, error) {
	d, err := c.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe workflow %s: %w", id, err)
	}
	info := d.GetWorkflowExecutionInfo()
	p := &request.Prior{
		RunID:   info.GetExecution().GetRunId(),
		Status:  status(info.GetStatus()),
		Started: info.GetStartTime().AsTime().Local(),
	}
	if info.GetCloseTime() != nil {
		p.Closed = info.GetCloseTime().AsTime().Local()
	}
	p.Request, err = RecordedRequest(info.GetMemo().GetFields())
	if err != nil {
		return nil, fmt.Errorf("workflow %s: %w", id, err)
	}
	return p, nil
}

// RecordedRequest decodes the request identity a run recorded in its memo
// (nil when it recorded none); see titles.RecordedRequest.
func RecordedRequest(memo map[string]*commonpb.Payload) (*request.Identity, error) {
	return titles.RecordedRequest(memo)
}

// status maps Temporal's execution status to request's.
func status(s enumspb.WorkflowExecutionStatus) request.Status { return titles.StatusOf(s) }

// replace cancels the run in flight and waits for it to end; one that is
// still running after wait is terminated.
func replace(ctx context.Context, c client.Client, id, runID string, wait time.Duration) error {
	if err := c.CancelWorkflow(ctx, id, runID); err != nil {
		return fmt.Errorf("cancel workflow %s: %w", id, err)
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		d, err := c.DescribeWorkflowExecution(ctx, id, runID)
		if err != nil {
			return fmt.Errorf("describe workflow %s: %w", id, err)
		}
		if d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	err := c.TerminateWorkflow(ctx, id, runID, "replaced by a different request (--force); it did not end within "+wait.String()+" of being cancelled")
	var nf *serviceerror.NotFound
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("terminate workflow %s: %w", id, err)
	}
	return nil
}

// Identify fills in req.Request: the title, the source's identity, the
// profile's hash and the output. The source's identity is computed here
// when the source is a local file this process can read, else by the
// workers (IdentifySource workflow), with their storage settings.
func Identify(ctx context.Context, c client.Client, req *workflows.TitleRequest, opts Options) error {
	opts = opts.withDefaults()
	hash, err := req.Profile.Hash()
	if err != nil {
		return err
	}
	var sid workflows.SourceID
	local := !strings.Contains(req.Source, "://")
	if local {
		sid, err = activities.SourceIdentityOf(req.Source)
	}
	if !local || err != nil {
		if sid, err = identifyOnWorkers(ctx, c, req.TitleID, req.Source, opts.IdentifyWait); err != nil {
			return err
		}
	}
	req.Request = &request.Identity{
		TitleID: req.TitleID,
		Source: request.Source{
			Location: req.Source, Size: sid.Size, ModTime: time.Unix(0, sid.ModTimeUnixNano).UTC(), ETag: sid.ETag,
			HeadSHA256: sid.HeadSHA256, TailSHA256: sid.TailSHA256,
		},
		ProfileName: req.Profile.Name, ProfileHash: hash, Out: req.Out,
	}
	return nil
}

// identifyOnWorkers runs IdentifySource and waits for its answer.
func identifyOnWorkers(ctx context.Context, c client.Client, title, source string, wait time.Duration) (workflows.SourceID, error) {
	var sid workflows.SourceID
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	opts := client.StartWorkflowOptions{
		ID:                       workflows.IdentifyWorkflowIDPrefix + title + "/" + hex.EncodeToString(suffix),
		TaskQueue:                workflows.QueueWorkflow,
		WorkflowExecutionTimeout: wait,
	}
	run, err := c.ExecuteWorkflow(ctx, opts, workflows.IdentifySourceName, workflows.SourceIdentityInput{Source: source})
	if err != nil {
		return sid, fmt.Errorf("source identity of %s: %w", source, err)
	}
	if err := run.Get(ctx, &sid); err != nil {
		return sid, fmt.Errorf("source identity of %s (computed by a worker serving %s): %w", source, workflows.QueueIO, err)
	}
	return sid, nil
}
