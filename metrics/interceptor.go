package metrics

import (
	"context"
	"errors"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
)

// Interceptor returns a worker interceptor (worker.Options.Interceptors)
// that counts failed activity executions in reel_activity_failures_total:
// by activity type; error type the application error's Type(),
// "canceled" for a cancellation, "other" for any other error; and whether
// the error is non-retryable.
func (m *Metrics) Interceptor() interceptor.WorkerInterceptor { return &workerInterceptor{m: m} }

type workerInterceptor struct {
	interceptor.WorkerInterceptorBase
	m *Metrics
}

func (w *workerInterceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &activityInbound{m: w.m}
	a.Next = next
	return a
}

type activityInbound struct {
	interceptor.ActivityInboundInterceptorBase
	m *Metrics
}

func (a *activityInbound) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	res, err := a.Next.ExecuteActivity(ctx, in)
	if err != nil && !errors.Is(err, activity.ErrResultPending) {
		typ, nonRetryable := ErrorType(err)
		a.m.ActivityFailed(activity.GetInfo(ctx).ActivityType.Name, typ, nonRetryable)
	}
	return res, err
}

// ErrorType classifies an activity's error as reel_activity_failures_total
// labels it: the type of the first application error in its chain (empty
// types read "other") and whether that error is non-retryable; "canceled"
// for a cancellation (context or Temporal's); "other" otherwise.
func ErrorType(err error) (typ string, nonRetryable bool) {
	var app *temporal.ApplicationError
	var canceled *temporal.CanceledError
	switch {
	case errors.As(err, &app):
		typ = app.Type()
		if typ == "" {
			typ = "other"
		}
		return typ, app.NonRetryable()
	case errors.As(err, &canceled), errors.Is(err, context.Canceled):
		return "canceled", false
	}
	return "other", false
}
