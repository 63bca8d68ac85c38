package activities

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/workflows"
)

// fakeTitles stands in for Temporal: one workflow execution per id, with
// its status, memo, pending activities, query answer and result.
type fakeTitles struct {
	runs    map[string]*fakeExec
	started []client.StartWorkflowOptions
	// describes counts DescribeWorkflowExecution calls; after is called
	// with the count (to change a run between looks).
	describes int
	after     func(n int)
}

type fakeExec struct {
	runID    string
	status   enumspb.WorkflowExecutionStatus
	request  *request.Identity
	pending  int
	progress workflows.Progress
	result   any
	err      error
}

func (f *fakeTitles) DescribeWorkflowExecution(_ context.Context, id, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	f.describes++
	if f.after != nil {
		f.after(f.describes)
	}
	e, ok := f.runs[id]
	if !ok || (runID != "" && runID != e.runID) {
		return nil, serviceerror.NewNotFound("no such run")
	}
	memo := map[string]*commonpb.Payload{}
	if e.request != nil {
		pl, err := converter.GetDefaultDataConverter().ToPayload(*e.request)
		if err != nil {
			return nil, err
		}
		memo[workflows.MemoRequest] = pl
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
			Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: e.runID},
			Status:    e.status, Memo: &commonpb.Memo{Fields: memo},
		},
		PendingActivities: make([]*workflowpb.PendingActivityInfo, e.pending),
	}, nil
}

func (f *fakeTitles) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, args ...any) (client.WorkflowRun, error) {
	f.started = append(f.started, o)
	req := args[0].(workflows.TitleRequest)
	e := &fakeExec{runID: "new-run", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, request: req.Request}
	f.runs[o.ID] = e
	return fakeRun{e: e}, nil
}

func (f *fakeTitles) GetWorkflow(_ context.Context, id, runID string) client.WorkflowRun {
	return fakeRun{e: f.runs[id]}
}

func (f *fakeTitles) QueryWorkflow(_ context.Context, id, runID, query string, _ ...any) (converter.EncodedValue, error) {
	pl, err := converter.GetDefaultDataConverter().ToPayloads(f.runs[id].progress)
	if err != nil {
		return nil, err
	}
	return encoded{pl}, nil
}

type encoded struct{ p *commonpb.Payloads }

func (e encoded) HasValue() bool { return true }
func (e encoded) Get(v any) error {
	return converter.GetDefaultDataConverter().FromPayloads(e.p, v)
}

type fakeRun struct {
	client.WorkflowRun
	e *fakeExec
}

func (r fakeRun) GetRunID() string { return r.e.runID }
func (r fakeRun) Get(_ context.Context, v any) error {
	if r.e.err != nil {
		return r.e.err
	}
	if v == nil {
		return nil
	}
	b, err := json.Marshal(r.e.result)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func TestCampaignStartDecides(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "t1.mov")
	if err := os.WriteFile(src, []byte("mezzanine bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := workflows.CampaignStartInput{Campaign: "c1", Entry: workflows.CampaignEntry{TitleID: "t1", Source: src, Out: filepath.Join(dir, "v2")},
		Profile: profile.Default(), PriorityKey: 5}
	wid := workflows.WorkflowID("t1")

	// First: no run of the title, so it is started, with the request and
	// the campaign in its memo and the campaign's priority.
	f := &fakeTitles{runs: map[string]*fakeExec{}}
	a := New(nil, nil)
	a.Temporal = f
	out, err := a.CampaignStart(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Action != workflows.CampaignStarted || out.RunID != "new-run" || len(f.started) != 1 {
		t.Fatalf("first start: %+v, %d starts", out, len(f.started))
	}
	o := f.started[0]
	same, _ := o.Memo[workflows.MemoRequest].(request.Identity)
	if o.ID != wid || o.Priority.PriorityKey != 5 || o.Memo[workflows.MemoCampaign] != "c1" || same.TitleID != "t1" || same.Source.Size != 15 {
		t.Fatalf("start options %+v", o)
	}
	other := same
	other.ProfileHash = "sha256:other"

	for _, tc := range []struct {
		name   string
		prior  fakeExec
		action string
		starts int
	}{
		{"same request in flight", fakeExec{status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, request: &same}, workflows.CampaignJoined, 0},
		{"same request finished", fakeExec{status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, request: &same}, workflows.CampaignAnswered, 0},
		{"same request failed", fakeExec{status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, request: &same}, workflows.CampaignStarted, 1},
		{"other request in flight", fakeExec{status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, request: &other}, workflows.CampaignRefused, 0},
		{"other request finished", fakeExec{status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, request: &other}, workflows.CampaignStarted, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prior := tc.prior
			prior.runID = "prior-run"
			f := &fakeTitles{runs: map[string]*fakeExec{wid: &prior}}
			a.Temporal = f
			out, err := a.CampaignStart(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if out.Action != tc.action || len(f.started) != tc.starts {
				t.Errorf("%+v with %d starts, want %s with %d", out, len(f.started), tc.action, tc.starts)
			}
			if tc.action == workflows.CampaignAnswered && out.ReportPath != ReportPath(in.Entry.Out) {
				t.Errorf("answered with report %q", out.ReportPath)
			}
			if tc.action == workflows.CampaignRefused && out.Reason == "" {
				t.Error("refused without a reason")
			}
		})
	}
}

func TestCampaignPollStates(t *testing.T) {
	f := &fakeTitles{runs: map[string]*fakeExec{
		workflows.WorkflowID("work"): {runID: "r1", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, pending: 1},
		workflows.WorkflowID("held"): {runID: "r2", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
			progress: workflows.Progress{Gate: &workflows.GateState{State: workflows.GateHeld}}},
		workflows.WorkflowID("done"): {runID: "r3", status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED,
			result: workflows.TitleResult{ReportPath: "/o/done/report.json"}},
		workflows.WorkflowID("bad"): {runID: "r4", status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
			err: temporal.NewNonRetryableApplicationError("source has no video stream", workflows.ErrTypeNoVideo, nil)},
	}}
	a := New(nil, nil)
	a.Temporal = f
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	runs := []workflows.CampaignRun{{TitleID: "work", RunID: "r1"}, {TitleID: "held", RunID: "r2"}, {TitleID: "done", RunID: "r3"},
		{TitleID: "bad", RunID: "r4"}, {TitleID: "gone", RunID: "r5"}}
	v, err := env.ExecuteActivity(a.CampaignPoll, workflows.CampaignPollInput{Runs: runs})
	if err != nil {
		t.Fatal(err)
	}
	var out workflows.CampaignPollOutput
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	want := []workflows.CampaignRunState{
		{TitleID: "work", RunID: "r1", State: workflows.CampaignTitleInFlight},
		{TitleID: "held", RunID: "r2", State: workflows.CampaignTitleHeld},
		{TitleID: "done", RunID: "r3", State: workflows.CampaignTitleDone, ReportPath: "/o/done/report.json"},
		{TitleID: "bad", RunID: "r4", State: workflows.CampaignTitleFailed, ErrorType: workflows.ErrTypeNoVideo, Error: "source has no video stream"},
		{TitleID: "gone", RunID: "r5", State: workflows.CampaignTitleFailed, ErrorType: workflows.ErrTypeNotFound},
	}
	for i, w := range want {
		g := out.Runs[i]
		if g.State != w.State || g.ErrorType != w.ErrorType || g.ReportPath != w.ReportPath || (w.Error != "" && g.Error != w.Error) {
			t.Errorf("%s: %+v, want %+v", w.TitleID, g, w)
		}
	}

	// A long poll waits until a run changes: here the working title
	// finishes at the third look.
	f.describes = 0
	f.after = func(n int) {
		if n == 3 {
			e := f.runs[workflows.WorkflowID("work")]
			e.status, e.result = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, workflows.TitleResult{ReportPath: "/o/work/report.json"}
		}
	}
	t0 := time.Now()
	v, err = env.ExecuteActivity(a.CampaignPoll, workflows.CampaignPollInput{Runs: runs[:1], Every: 20 * time.Millisecond, Wait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	if out.Runs[0].State != workflows.CampaignTitleDone || f.describes != 3 || time.Since(t0) > 10*time.Second {
		t.Errorf("long poll: %+v after %d looks, %v", out.Runs, f.describes, time.Since(t0))
	}
}
