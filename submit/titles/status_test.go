package titles

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/reel-video/reel/workflows"
)

// fakeClient answers the progress query, signals and history of one
// title; other calls panic (the embedded nil client).
type fakeClient struct {
	client.Client
	id       string
	progress workflows.Progress
	events   []*historypb.HistoryEvent
	signals  []workflows.Review
}

type jsonValue struct{ v any }

func (j jsonValue) HasValue() bool { return true }
func (j jsonValue) Get(ptr any) error {
	b, err := json.Marshal(j.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

func (f *fakeClient) QueryWorkflow(_ context.Context, id, _, _ string, _ ...any) (converter.EncodedValue, error) {
	if id != f.id {
		return nil, serviceerror.NewNotFound("no workflow " + id)
	}
	return jsonValue{f.progress}, nil
}

func (f *fakeClient) SignalWorkflow(_ context.Context, id, _, name string, arg any) error {
	if id != f.id || name != workflows.ReviewSignal {
		return errors.New("unexpected signal")
	}
	f.signals = append(f.signals, arg.(workflows.Review))
	return nil
}

type history struct{ events []*historypb.HistoryEvent }

func (h *history) HasNext() bool { return len(h.events) > 0 }
func (h *history) Next() (*historypb.HistoryEvent, error) {
	e := h.events[0]
	h.events = h.events[1:]
	return e, nil
}

func (f *fakeClient) GetWorkflowHistory(context.Context, string, string, bool, enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	return &history{f.events}
}

func TestReviewSignalsOnlyAHeldTitle(t *testing.T) {
	f := &fakeClient{id: "reel-title/t1"}
	r := workflows.Review{Decision: "Approve", By: "ana", Note: "fine"}
	if _, err := Review(context.Background(), f, "t1", r); !errors.Is(err, ErrNotHeld) || err.Error() != "title t1 is not held at the QC gate: it has not reached the gate" {
		t.Fatalf("before the gate: %v", err)
	}
	f.progress.Gate = &workflows.GateState{State: workflows.GateApproved}
	if _, err := Review(context.Background(), f, "t1", r); !errors.Is(err, ErrNotHeld) || err.Error() != "title t1 is not held at the QC gate: it is approved" {
		t.Fatalf("approved: %v", err)
	}
	if _, err := Review(context.Background(), f, "nosuch", r); !errors.Is(err, ErrNoTitle) {
		t.Fatalf("no title: %v", err)
	}
	if _, err := Review(context.Background(), f, "t1", workflows.Review{Decision: "maybe"}); !errors.Is(err, ErrBadDecision) {
		t.Fatalf("maybe: %v", err)
	}
	if len(f.signals) != 0 {
		t.Fatalf("signalled %+v", f.signals)
	}
	f.progress.Gate = &workflows.GateState{State: workflows.GateHeld, Blockers: []workflows.Blocker{{Check: "black"}}}
	g, err := Review(context.Background(), f, "reel-title/t1", r)
	if err != nil || len(g.Blockers) != 1 || len(f.signals) != 1 || f.signals[0] != (workflows.Review{Decision: "approve", By: "ana", Note: "fine"}) {
		t.Fatalf("held: %v %+v %+v", err, g, f.signals)
	}
}

func TestTimelineSpansActivities(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	at := func(s float64) *timestamppb.Timestamp {
		return timestamppb.New(t0.Add(time.Duration(s * float64(time.Second))))
	}
	var events []*historypb.HistoryEvent
	id := int64(0)
	schedule := func(s float64, typ string) int64 {
		id++
		events = append(events, &historypb.HistoryEvent{EventId: id, EventTime: at(s), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
			Attributes: &historypb.HistoryEvent_ActivityTaskScheduledEventAttributes{ActivityTaskScheduledEventAttributes: &historypb.ActivityTaskScheduledEventAttributes{
				ActivityType: &commonpb.ActivityType{Name: typ}}}})
		return id
	}
	start := func(s float64, sched int64, attempt int32) {
		id++
		events = append(events, &historypb.HistoryEvent{EventId: id, EventTime: at(s), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
			Attributes: &historypb.HistoryEvent_ActivityTaskStartedEventAttributes{ActivityTaskStartedEventAttributes: &historypb.ActivityTaskStartedEventAttributes{
				ScheduledEventId: sched, Attempt: attempt}}})
	}
	complete := func(s float64, sched int64) {
		id++
		events = append(events, &historypb.HistoryEvent{EventId: id, EventTime: at(s), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
			Attributes: &historypb.HistoryEvent_ActivityTaskCompletedEventAttributes{ActivityTaskCompletedEventAttributes: &historypb.ActivityTaskCompletedEventAttributes{
				ScheduledEventId: sched}}})
	}
	fail := func(s float64, sched int64, msg string) {
		id++
		events = append(events, &historypb.HistoryEvent{EventId: id, EventTime: at(s), EventType: enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED,
			Attributes: &historypb.HistoryEvent_ActivityTaskFailedEventAttributes{ActivityTaskFailedEventAttributes: &historypb.ActivityTaskFailedEventAttributes{
				ScheduledEventId: sched, Failure: &failurepb.Failure{Message: msg}}}})
	}
	p := schedule(0, "Probe")
	start(0.1, p, 1)
	complete(1, p)
	c1, c2 := schedule(1, "EncodeChunk"), schedule(1, "EncodeChunk")
	start(1.1, c1, 1)
	start(1.2, c2, 3) // retried twice
	complete(4, c2)
	fail(5, c1, "disk full")
	s := schedule(5, "ScoreRungs")
	start(5.5, s, 1) // still running
	f := &fakeClient{id: "reel-title/t1", events: events}
	spans, err := Timeline(context.Background(), f, "t1", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []StageSpan{
		{Activity: "Probe", Start: t0, End: t0.Add(time.Second), Count: 1, Attempts: 1},
		{Activity: "EncodeChunk", Start: t0.Add(time.Second), End: t0.Add(5 * time.Second), Count: 2, Attempts: 4, Failures: 1, LastFailure: "disk full"},
		{Activity: "ScoreRungs", Start: t0.Add(5 * time.Second), Count: 1, Open: 1, Attempts: 1},
	}
	if len(spans) != len(want) {
		t.Fatalf("spans %+v", spans)
	}
	for i := range want {
		if spans[i] != want[i] {
			t.Errorf("span %d: %+v, want %+v", i, spans[i], want[i])
		}
	}
	if got := spans[2].Seconds(t0.Add(8 * time.Second)); got != 3 {
		t.Errorf("open span's length at 8 s: %g", got)
	}
	if got := spans[1].Seconds(t0.Add(time.Hour)); got != 4 {
		t.Errorf("closed span's length: %g", got)
	}
}
