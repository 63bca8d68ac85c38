package webui

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/workflows"
)

// fakeClient is a Temporal client with the calls the UI makes, over an
// in-memory set of titles; other calls panic (the embedded nil client).
type fakeClient struct {
	client.Client

	mu      sync.Mutex
	titles  map[string]*fakeTitle // by workflow id
	signals []fakeSignal
}

type fakeTitle struct {
	title    string
	status   enumspb.WorkflowExecutionStatus
	out      string
	started  time.Time
	progress workflows.Progress
	err      error
	campaign string // the memo's campaign, "" for none
}

type fakeSignal struct {
	id, name string
	review   workflows.Review
}

func newFake() *fakeClient { return &fakeClient{titles: map[string]*fakeTitle{}} }

func (f *fakeClient) add(t *fakeTitle) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.started.IsZero() {
		t.started = time.Date(2026, 12, 7, 0, len(f.titles), 0, 0, time.UTC)
	}
	f.titles[workflows.WorkflowID(t.title)] = t
}

func (f *fakeClient) get(id string) (*fakeTitle, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.titles[id]
	if !ok {
		return nil, serviceerror.NewNotFound("workflow not found: " + id)
	}
	return t, nil
}

func (f *fakeClient) info(id string, t *fakeTitle) *workflowpb.WorkflowExecutionInfo {
	info := &workflowpb.WorkflowExecutionInfo{
		Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: "run-" + t.title},
		Type:      &commonpb.WorkflowType{Name: workflows.EncodeTitleName},
		Status:    t.status,
		StartTime: timestamppb.New(t.started),
	}
	if t.status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		info.CloseTime = timestamppb.New(t.started.Add(time.Minute))
	}
	if t.out != "" {
		pl, err := converter.GetDefaultDataConverter().ToPayload(request.Identity{TitleID: t.title, Out: t.out, ProfileName: "tiny"})
		if err != nil {
			panic(err)
		}
		info.Memo = &commonpb.Memo{Fields: map[string]*commonpb.Payload{workflows.MemoRequest: pl}}
	}
	if t.campaign != "" {
		pl, err := converter.GetDefaultDataConverter().ToPayload(t.campaign)
		if err != nil {
			panic(err)
		}
		if info.Memo == nil {
			info.Memo = &commonpb.Memo{Fields: map[string]*commonpb.Payload{}}
		}
		info.Memo.Fields[workflows.MemoCampaign] = pl
	}
	return info
}

func (f *fakeClient) DescribeWorkflowExecution(_ context.Context, id, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: f.info(id, t)}, nil
}

func (f *fakeClient) ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	resp := &workflowservice.ListWorkflowExecutionsResponse{}
	for id, t := range f.titles {
		resp.Executions = append(resp.Executions, f.info(id, t))
	}
	return resp, nil
}

// jsonValue is an encoded value holding v.
type jsonValue struct{ v any }

func (j jsonValue) HasValue() bool { return j.v != nil }
func (j jsonValue) Get(ptr any) error {
	b, err := json.Marshal(j.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

func (f *fakeClient) QueryWorkflow(_ context.Context, id, _, query string, _ ...any) (converter.EncodedValue, error) {
	t, err := f.get(id)
	if err != nil {
		return nil, err
	}
	if query != workflows.ProgressQuery {
		return nil, errors.New("unknown query " + query)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return jsonValue{t.progress}, nil
}

func (f *fakeClient) SignalWorkflow(_ context.Context, id, _, name string, arg any) error {
	if _, err := f.get(id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signals = append(f.signals, fakeSignal{id: id, name: name, review: arg.(workflows.Review)})
	return nil
}

// fakeRun is a finished run: its error, or an empty result.
type fakeRun struct {
	client.WorkflowRun
	err error
}

func (r fakeRun) Get(context.Context, any) error { return r.err }

func (f *fakeClient) GetWorkflow(_ context.Context, id, _ string) client.WorkflowRun {
	t, err := f.get(id)
	if err != nil {
		return fakeRun{err: err}
	}
	return fakeRun{err: t.err}
}

// emptyHistory is a history without activities.
type emptyHistory struct{}

func (emptyHistory) HasNext() bool                          { return false }
func (emptyHistory) Next() (*historypb.HistoryEvent, error) { return nil, errors.New("no more events") }

func (f *fakeClient) GetWorkflowHistory(context.Context, string, string, bool, enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	return emptyHistory{}
}
