package workflows

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
)

// Stand-ins registered under the real activity names; each test mocks them.
func probeFn(context.Context, ProbeInput) (media.SourceInfo, error) { return media.SourceInfo{}, nil }
func encodeFn(context.Context, EncodeLadderInput) (EncodeLadderOutput, error) {
	return EncodeLadderOutput{}, nil
}
func scoreFn(context.Context, ScoreRungsInput) (ScoreRungsOutput, error) {
	return ScoreRungsOutput{}, nil
}
func reportFn(context.Context, WriteReportInput) (WriteReportOutput, error) {
	return WriteReportOutput{}, nil
}
func analyzeFn(context.Context, AnalyzeInput) (AnalyzeOutput, error) { return AnalyzeOutput{}, nil }

var analyzed = AnalyzeOutput{
	Shots: []Shot{{Start: 0, End: 40, Confidence: 1, Kind: "start"}, {Start: 40, End: 100, Confidence: 0.9, Kind: "cut"}},
	QC:    QCSummary{Path: "/o/t1/qc/source.json", Events: map[string]int{"warning": 1}},
}

func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(EncodeTitle, workflowOpts())
	env.RegisterActivityWithOptions(probeFn, activity.RegisterOptions{Name: ActivityProbe})
	env.RegisterActivityWithOptions(encodeFn, activity.RegisterOptions{Name: ActivityEncodeLadder})
	env.RegisterActivityWithOptions(scoreFn, activity.RegisterOptions{Name: ActivityScoreRungs})
	env.RegisterActivityWithOptions(reportFn, activity.RegisterOptions{Name: ActivityWriteReport})
	env.RegisterActivityWithOptions(analyzeFn, activity.RegisterOptions{Name: ActivityAnalyze})
	env.OnActivity(ActivityAnalyze, mock.Anything, mock.Anything).Return(analyzed, nil).Maybe()
	return env
}

func source(w, h int) media.SourceInfo {
	return media.SourceInfo{URI: "/m/t.mov", Streams: []media.StreamInfo{
		{Index: 0, Type: "audio", Codec: "aac"},
		{Index: 1, Type: "video", Codec: "prores", Width: w, Height: h, FPS: 25, FrameRate: "25/1", FrameCount: 100, SampleAspect: "1:1"},
	}}
}

func request() TitleRequest {
	return TitleRequest{TitleID: "t1", Source: "/m/t.mov", Out: "/o/t1", Profile: profile.Default()}
}

func TestEncodeTitleHappyPath(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityProbe, mock.Anything, ProbeInput{Source: "/m/t.mov"}).Return(source(1280, 720), nil).Once()
	var gotSpecs []media.RungSpec
	env.OnActivity(ActivityEncodeLadder, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in EncodeLadderInput) (EncodeLadderOutput, error) {
			gotSpecs = in.Rungs
			var out EncodeLadderOutput
			for _, r := range in.Rungs {
				out.Rungs = append(out.Rungs, media.RungOutput{ID: r.ID, Width: r.Width, Height: r.Height, Frames: in.Frames})
			}
			return out, nil
		}).Once()
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ScoreRungsInput) (ScoreRungsOutput, error) {
			if !in.RungQC || in.FrameRate == "" {
				return ScoreRungsOutput{}, errors.New("rung QC not asked for")
			}
			var out ScoreRungsOutput
			for _, r := range in.Rungs {
				out.Scores = append(out.Scores, RungScore{ID: r.ID, PSNRY: 40, VMAF: Summary{Mean: 90}, Frames: r.Frames})
			}
			return out, nil
		}).Once()
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in WriteReportInput) (WriteReportOutput, error) {
			if len(in.Scores) != len(in.Rungs) || in.TitleID != "t1" || in.WorkflowID == "" {
				return WriteReportOutput{}, errors.New("report input incomplete")
			}
			if in.SourceQC == nil || in.SourceQC.Path != analyzed.QC.Path || len(in.Shots) != 2 {
				return WriteReportOutput{}, errors.New("report input lacks the source QC")
			}
			for _, st := range []string{"probe", "analyze", "encode", "score"} {
				if _, ok := in.Timings[st]; !ok {
					return WriteReportOutput{}, errors.New("no timing for " + st)
				}
			}
			return WriteReportOutput{Path: in.Out + "/report.json"}, nil
		}).Once()

	env.ExecuteWorkflow(EncodeTitleName, request())
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res TitleResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.ReportPath != "/o/t1/report.json" || len(res.Scores) != 2 {
		t.Fatalf("result %+v", res)
	}
	// 1080p collapses onto the 720p source: two distinct rungs remain.
	if len(gotSpecs) != 2 || gotSpecs[0].Width != 1280 || gotSpecs[0].Height != 720 || gotSpecs[1].Height != 360 || gotSpecs[1].Width != 640 {
		t.Fatalf("rung specs %+v", gotSpecs)
	}
	if gotSpecs[0].GOPFrames != 50 || gotSpecs[0].CRF != 23 || gotSpecs[0].ID != "720p" || gotSpecs[0].Codec != "h264" {
		t.Fatalf("rung settings %+v", gotSpecs[0])
	}
	v, err := env.QueryWorkflow(ProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Stages {
		if s.State != StateDone {
			t.Fatalf("stage %s is %s after completion", s.Name, s.State)
		}
	}
	if p.ReportPath != res.ReportPath {
		t.Fatalf("progress report path %q", p.ReportPath)
	}
}

func TestEncodeTitleBadInputIsNotRetried(t *testing.T) {
	env := newEnv(t)
	calls := 0
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(
		func(context.Context, ProbeInput) (media.SourceInfo, error) {
			calls++
			return media.SourceInfo{}, temporal.NewNonRetryableApplicationError("/m/t.mov: no such file", ErrTypeNotFound, nil)
		})
	env.ExecuteWorkflow(EncodeTitleName, request())
	err := env.GetWorkflowError()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrTypeNotFound {
		t.Fatalf("err = %v, want NotFound application error", err)
	}
	if calls != 1 {
		t.Fatalf("probe ran %d times, want 1 (not retried)", calls)
	}
	v, _ := env.QueryWorkflow(ProgressQuery)
	var p Progress
	_ = v.Get(&p)
	if p.Stages[0].State != StateFailed || p.Stages[0].Error == "" || p.Stages[1].State != StatePending {
		t.Fatalf("progress after failure %+v", p.Stages)
	}
}

func TestEncodeTitleRetriesTransientErrors(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(source(640, 360), nil)
	attempts := 0
	env.OnActivity(ActivityEncodeLadder, mock.Anything, mock.Anything).Return(
		func(context.Context, EncodeLadderInput) (EncodeLadderOutput, error) {
			attempts++
			if attempts < 3 {
				return EncodeLadderOutput{}, errors.New("connection reset")
			}
			return EncodeLadderOutput{Rungs: []media.RungOutput{{ID: "360p"}}}, nil
		})
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{Scores: []RungScore{{ID: "360p"}}}, nil)
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(WriteReportOutput{Path: "/o/t1/report.json"}, nil)
	env.ExecuteWorkflow(EncodeTitleName, request())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if attempts != 3 {
		t.Fatalf("encode attempts = %d, want 3", attempts)
	}
}

func TestEncodeTitleRejectsBadRequest(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*TitleRequest)
	}{
		{"no source", func(r *TitleRequest) { r.Source = "" }},
		{"no title", func(r *TitleRequest) { r.TitleID = "" }},
		{"bad profile", func(r *TitleRequest) { r.Profile.Ladder.Rungs = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			req := request()
			tt.mod(&req)
			env.ExecuteWorkflow(EncodeTitleName, req)
			var app *temporal.ApplicationError
			if err := env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrTypeInvalidRequest {
				t.Fatalf("err = %v, want InvalidRequest", err)
			}
		})
	}
}
