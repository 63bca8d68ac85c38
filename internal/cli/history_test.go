package cli

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
)

// latestHistory is the file -update-history writes: name a new one for
// each workflow version, since older releases' titles replay the older
// files, which are never rewritten.
const latestHistory = "encode_title_v13_allcalibrated.json"

var updateHistory = flag.Bool("update-history", false, "write the EncodeTitle history of TestRunEndToEnd to testdata/histories for the replay test")

// saveHistory exports a finished workflow's history as JSON for
// workflows' replay test.
func saveHistory(t *testing.T, stateDir, port, id string) {
	t.Helper()
	p, _ := strconv.Atoi(port)
	o := connOptions{StateDir: stateDir, EmbeddedPort: p, Namespace: "default"}
	var sink syncBuffer
	c, err := o.connect(context.Background(), &Env{Stdout: &sink, Stderr: &sink, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.Client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "testdata", "histories", latestHistory)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(h.Events))
}

func quietLogger() sdklog.Logger { return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)) }

// activityAttempt is one closed attempt of an activity in a workflow's
// history. The started event is written when the attempt closes, so
// Attempt is the attempt's number (retries counted) and Started its start.
type activityAttempt struct {
	Type      string
	Attempt   int
	Identity  string // the worker that ran it
	Started   time.Time
	Completed bool      // it completed (not failed or timed out)
	Closed    time.Time // when it completed
}

// activityAttempts reads the closed activity attempts of a workflow's
// latest run, in history order.
func activityAttempts(ctx context.Context, c client.Client, wid string) ([]activityAttempt, error) {
	it := c.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	scheduled := map[int64]string{}
	byStart := map[int64]int{} // started event id → index in out
	var out []activityAttempt
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
			scheduled[ev.GetEventId()] = a.GetActivityType().GetName()
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			byStart[ev.GetEventId()] = len(out)
			out = append(out, activityAttempt{Type: scheduled[a.GetScheduledEventId()], Attempt: int(a.GetAttempt()),
				Identity: a.GetIdentity(), Started: ev.GetEventTime().AsTime()})
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil {
			if i, ok := byStart[a.GetStartedEventId()]; ok {
				out[i].Completed, out[i].Closed = true, ev.GetEventTime().AsTime()
			}
		}
	}
	return out, nil
}
