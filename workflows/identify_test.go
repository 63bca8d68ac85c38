package workflows

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

func TestIdentifySource(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(IdentifySource, workflow.RegisterOptions{Name: IdentifySourceName})
	env.RegisterActivityWithOptions(identityFn, activity.RegisterOptions{Name: ActivitySourceIdentity})
	want := SourceID{Size: 42, HeadSHA256: "h", TailSHA256: "t", ETag: "e"}
	env.OnActivity(ActivitySourceIdentity, mock.Anything, SourceIdentityInput{Source: "s3://mezz/clip.mkv"}).Return(want, nil).Once()
	env.ExecuteWorkflow(IdentifySourceName, SourceIdentityInput{Source: "s3://mezz/clip.mkv"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got SourceID
	if err := env.GetWorkflowResult(&got); err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

// A missing source is the workers' NotFound, not retried.
func TestIdentifySourceNotFound(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(IdentifySource, workflow.RegisterOptions{Name: IdentifySourceName})
	calls := 0
	env.RegisterActivityWithOptions(func(context.Context, SourceIdentityInput) (SourceID, error) {
		calls++
		return SourceID{}, temporal.NewNonRetryableApplicationError("no such object", ErrTypeNotFound, nil)
	}, activity.RegisterOptions{Name: ActivitySourceIdentity})
	env.ExecuteWorkflow(IdentifySourceName, SourceIdentityInput{Source: "s3://mezz/none.mkv"})
	var app *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrTypeNotFound {
		t.Fatalf("error %v, want NotFound", err)
	}
	if calls != 1 {
		t.Fatalf("%d attempts, want 1 (not retryable)", calls)
	}
}
