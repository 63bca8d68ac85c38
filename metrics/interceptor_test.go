package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
)

func TestInterceptorCountsFailures(t *testing.T) {
	m := New()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{m.Interceptor()}})
	fail := func(ctx context.Context, kind string) error {
		switch kind {
		case "bad":
			return temporal.NewNonRetryableApplicationError("bad input", "InvalidMedia", nil)
		case "busy":
			return temporal.NewApplicationError("busy", "Busy")
		case "plain":
			return errors.New("disk full")
		}
		return nil
	}
	env.RegisterActivityWithOptions(fail, activity.RegisterOptions{Name: "Fail"})
	for _, kind := range []string{"bad", "bad", "busy", "plain", "ok"} {
		_, err := env.ExecuteActivity("Fail", kind)
		if (err == nil) != (kind == "ok") {
			t.Fatalf("%s: err = %v", kind, err)
		}
	}
	want := `
# HELP reel_activity_failures_total Failed activity executions by activity type, error type (the application error's type, canceled, or other) and whether the error is non-retryable.
# TYPE reel_activity_failures_total counter
reel_activity_failures_total{activity="Fail",error_type="Busy",non_retryable="false"} 1
reel_activity_failures_total{activity="Fail",error_type="InvalidMedia",non_retryable="true"} 2
reel_activity_failures_total{activity="Fail",error_type="other",non_retryable="false"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "reel_activity_failures_total"); err != nil {
		t.Fatal(err)
	}
}
