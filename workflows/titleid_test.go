package workflows

import (
	"errors"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
)

// TestEncodeTitleRejectsBadTitleID: a title started with an id that
// request.CheckTitleID refuses (by a client that did not check it) fails
// before any activity, not retried, naming the cause; printable ids with
// slashes or dots run.
func TestEncodeTitleRejectsBadTitleID(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"x\x00y", "control character U+0000"},
		{"\x1b[31m", "control character U+001B"},
		{strings.Repeat("a", 1000), "1000 bytes"},
		{"a\xffb", "U+FFFD"}, // invalid UTF-8, as the JSON payload carries it
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			env := newEnv(t)
			req := titleRequest()
			req.TitleID = tt.id
			env.ExecuteWorkflow(EncodeTitleName, req)
			var app *temporal.ApplicationError
			err := env.GetWorkflowError()
			if !errors.As(err, &app) || app.Type() != ErrTypeInvalidRequest || !app.NonRetryable() || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a non-retryable InvalidRequest naming %q", err, tt.want)
			}
		})
	}
}
