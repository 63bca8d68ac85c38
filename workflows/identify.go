package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// IdentifySourceName is the registered name of the IdentifySource workflow.
const IdentifySourceName = "IdentifySource"

// IdentifyWorkflowIDPrefix starts the workflow ids of IdentifySource runs.
const IdentifyWorkflowIDPrefix = "reel-identify/"

// MemoRequest is the memo key under which a title's workflow records its
// request identity (request.Identity), so that a client deciding what a
// new request does reads it with one DescribeWorkflowExecution.
const MemoRequest = "request"

// IdentifySource computes a source's identity on the workers, with their
// storage settings and credentials: a client that cannot read the source
// itself (an object in a store only the workers may read) asks them for it
// before it decides whether a request is new. The activity must start
// within a minute (a worker serving QueueIO is running).
func IdentifySource(ctx workflow.Context, in SourceIdentityInput) (SourceID, error) {
	if in.Source == "" {
		return SourceID{}, invalidRequest("source is required")
	}
	c := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              QueueIO,
		ScheduleToStartTimeout: time.Minute,
		StartToCloseTimeout:    10 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second,
			MaximumAttempts: 3, NonRetryableErrorTypes: NonRetryableErrorTypes,
		},
	})
	var id SourceID
	err := workflow.ExecuteActivity(c, ActivitySourceIdentity, SourceIdentityInput{Source: in.Source}).Get(ctx, &id)
	return id, err
}
