package workflows

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
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
func analyzeFn(context.Context, AnalyzeInput) (AnalyzeOutput, error)    { return AnalyzeOutput{}, nil }
func identityFn(context.Context, SourceIdentityInput) (SourceID, error) { return SourceID{}, nil }
func gateFn(context.Context, GateCheckInput) (GateCheckOutput, error)   { return GateCheckOutput{}, nil }
func packageFn(context.Context, PackageInput) (PackageOutput, error)    { return PackageOutput{}, nil }
func chunkFn(context.Context, EncodeChunkInput) (EncodeChunkOutput, error) {
	return EncodeChunkOutput{}, nil
}
func stitchFn(context.Context, StitchRungInput) (media.RungOutput, error) {
	return media.RungOutput{}, nil
}
func audioFn(context.Context, EncodeAudioInput) (AudioOutput, error) { return AudioOutput{}, nil }

// fakeChunk encodes nothing but answers like EncodeChunk would.
func fakeChunk(_ context.Context, in EncodeChunkInput) (EncodeChunkOutput, error) {
	out := EncodeChunkOutput{Key: fmt.Sprint(in.Chunk.StartFrame), EncodeSeconds: 1}
	for _, r := range in.Rungs {
		out.Rungs = append(out.Rungs, ChunkRung{ID: r.ID, Path: fmt.Sprintf("%s/%d/%s.mp4", in.Cache, in.Chunk.Index, r.ID), Frames: in.Chunk.Frames})
	}
	return out, nil
}

func fakeStitch(_ context.Context, in StitchRungInput) (media.RungOutput, error) {
	return media.RungOutput{ID: in.Rung.ID, Width: in.Rung.Width, Height: in.Rung.Height, Frames: 100 * len(in.Chunks) / len(in.Chunks), Path: in.Out + "/rungs/" + in.Rung.ID + ".mp4"}, nil
}

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
	env.RegisterActivityWithOptions(identityFn, activity.RegisterOptions{Name: ActivitySourceIdentity})
	env.RegisterActivityWithOptions(chunkFn, activity.RegisterOptions{Name: ActivityEncodeChunk})
	env.RegisterActivityWithOptions(stitchFn, activity.RegisterOptions{Name: ActivityStitchRung})
	env.RegisterActivityWithOptions(audioFn, activity.RegisterOptions{Name: ActivityEncodeAudio})
	env.RegisterActivityWithOptions(trialFn, activity.RegisterOptions{Name: ActivityTrialEncode})
	env.RegisterActivityWithOptions(gateFn, activity.RegisterOptions{Name: ActivityGateCheck})
	env.RegisterActivityWithOptions(packageFn, activity.RegisterOptions{Name: ActivityPackage})
	env.OnActivity(ActivityAnalyze, mock.Anything, mock.Anything).Return(analyzed, nil).Maybe()
	env.OnActivity(ActivitySourceIdentity, mock.Anything, mock.Anything).Return(SourceID{Size: 1}, nil).Maybe()
	env.OnActivity(ActivityEncodeAudio, mock.Anything, mock.Anything).Return(AudioOutput{ID: "aac-128k"}, nil).Maybe()
	return env
}

func source(w, h int) media.SourceInfo {
	return media.SourceInfo{URI: "/m/t.mov", Streams: []media.StreamInfo{
		{Index: 0, Type: "audio", Codec: "aac"},
		{Index: 1, Type: "video", Codec: "prores", Width: w, Height: h, FPS: 25, FrameRate: "25/1", FrameCount: 100, SampleAspect: "1:1"},
	}}
}

// fixedProfile is a 3-rung fixed H.264 ladder (the built-in profile
// before per-title became the default).
func fixedProfile() profile.Profile {
	p, err := profile.Parse(strings.NewReader("ladder:\n  mode: fixed\n  rungs:\n    - {id: 1080p, height: 1080, crf: 22}\n    - {id: 720p, height: 720, crf: 23}\n    - {id: 360p, height: 360, crf: 25}\n"))
	if err != nil {
		panic(err)
	}
	return p
}

func titleRequest() TitleRequest {
	return TitleRequest{TitleID: "t1", Source: "/m/t.mov", Out: "/o/t1", Profile: fixedProfile()}
}

func TestEncodeTitleHappyPath(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(ActivityProbe, mock.Anything, ProbeInput{Source: "/m/t.mov"}).Return(source(1280, 720), nil).Once()
	var gotSpecs []media.RungSpec
	var chunkStarts []int
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in EncodeChunkInput) (EncodeChunkOutput, error) {
			gotSpecs = in.Rungs
			chunkStarts = append(chunkStarts, in.Chunk.StartFrame)
			return fakeChunk(ctx, in)
		})
	var stitched [][]string
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in StitchRungInput) (media.RungOutput, error) {
			stitched = append(stitched, in.Chunks)
			return fakeStitch(ctx, in)
		})
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
			if in.Request == nil || in.Request.ProfileHash != "sha256:p" || in.Request.Source.Size != 7 {
				return WriteReportOutput{}, fmt.Errorf("report input has request %+v, want the title's", in.Request)
			}
			for _, st := range []string{"probe", "analyze", "encode", "score"} {
				if _, ok := in.Timings[st]; !ok {
					return WriteReportOutput{}, errors.New("no timing for " + st)
				}
			}
			return WriteReportOutput{Path: in.Out + "/report.json"}, nil
		}).Once()

	req := titleRequest()
	req.Request = &request.Identity{TitleID: "t1", Source: request.Source{Location: "/m/t.mov", Size: 7}, ProfileHash: "sha256:p", Out: "/o/t1"}
	env.ExecuteWorkflow(EncodeTitleName, req)
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
	// 100 frames at 25 fps with a shot at 40: chunks start on 2 s segment
	// boundaries (frame 50 is the nearest to 40), covering every frame once.
	sort.Ints(chunkStarts)
	if len(chunkStarts) != res.Chunks || chunkStarts[0] != 0 || len(stitched) != 2 || len(stitched[0]) != res.Chunks {
		t.Fatalf("chunks %v, stitched %v, result %d chunks", chunkStarts, stitched, res.Chunks)
	}
	for _, st := range chunkStarts {
		if st%50 != 0 {
			t.Fatalf("chunk starts at %d, not on a segment boundary", st)
		}
	}
	if len(res.Audio) != 1 {
		t.Fatalf("audio %+v", res.Audio)
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
	env.ExecuteWorkflow(EncodeTitleName, titleRequest())
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
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in EncodeChunkInput) (EncodeChunkOutput, error) {
			attempts++
			if attempts < 3 {
				return EncodeChunkOutput{}, errors.New("connection reset")
			}
			return fakeChunk(ctx, in)
		})
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(fakeStitch)
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{Scores: []RungScore{{ID: "360p"}}}, nil)
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(WriteReportOutput{Path: "/o/t1/report.json"}, nil)
	env.ExecuteWorkflow(EncodeTitleName, titleRequest())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res TitleResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	// Two failed attempts, then one success per chunk.
	if attempts != res.Chunks+2 {
		t.Fatalf("encode attempts = %d for %d chunks, want %d", attempts, res.Chunks, res.Chunks+2)
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
		{"bad ladder mode", func(r *TitleRequest) { r.Profile.Ladder.Mode = "magic" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			req := titleRequest()
			tt.mod(&req)
			env.ExecuteWorkflow(EncodeTitleName, req)
			var app *temporal.ApplicationError
			if err := env.GetWorkflowError(); !errors.As(err, &app) || app.Type() != ErrTypeInvalidRequest {
				t.Fatalf("err = %v, want InvalidRequest", err)
			}
		})
	}
}

// TestEncodeTitleCapsParallelChunks: no more chunk encodes run at once than
// the profile's max_parallel, and all of them run.
func TestEncodeTitleCapsParallelChunks(t *testing.T) {
	env := newEnv(t)
	src := source(1280, 720)
	src.Streams[1].FrameCount = 1000 // 40 s: at least 4 chunks of at most 10 s
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(src, nil)
	var running, peak, total atomic.Int32
	var mu sync.Mutex
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in EncodeChunkInput) (EncodeChunkOutput, error) {
			n := running.Add(1)
			mu.Lock()
			if n > peak.Load() {
				peak.Store(n)
			}
			mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			running.Add(-1)
			total.Add(1)
			return fakeChunk(ctx, in)
		})
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(fakeStitch)
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{}, nil)
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(WriteReportOutput{Path: "/o/r.json"}, nil)
	req := titleRequest()
	req.Profile.Encode.MaxParallel = 2
	env.ExecuteWorkflow(EncodeTitleName, req)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res TitleResult
	_ = env.GetWorkflowResult(&res)
	if int(total.Load()) != res.Chunks || res.Chunks < 4 {
		t.Fatalf("%d chunk encodes for %d chunks", total.Load(), res.Chunks)
	}
	if peak.Load() > 2 {
		t.Fatalf("%d chunk encodes ran at once, cap is 2", peak.Load())
	}
}

// TestEncodeTitleNoAudioIsAWarning: a source without audio still encodes;
// the report gets a warning instead of audio renditions.
func TestEncodeTitleNoAudioIsAWarning(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(EncodeTitle, workflowOpts())
	for name, fn := range map[string]any{ActivityProbe: probeFn, ActivityAnalyze: analyzeFn, ActivitySourceIdentity: identityFn,
		ActivityEncodeChunk: chunkFn, ActivityStitchRung: stitchFn, ActivityEncodeAudio: audioFn, ActivityScoreRungs: scoreFn, ActivityWriteReport: reportFn,
		ActivityGateCheck: gateFn, ActivityPackage: packageFn} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(source(640, 360), nil)
	env.OnActivity(ActivityAnalyze, mock.Anything, mock.Anything).Return(analyzed, nil)
	env.OnActivity(ActivitySourceIdentity, mock.Anything, mock.Anything).Return(SourceID{Size: 1}, nil)
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(fakeChunk)
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(fakeStitch)
	env.OnActivity(ActivityEncodeAudio, mock.Anything, mock.Anything).Return(AudioOutput{},
		temporal.NewNonRetryableApplicationError("no audio stream", ErrTypeNoAudio, nil))
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{}, nil)
	var warnings []string
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in WriteReportInput) (WriteReportOutput, error) {
			warnings = in.Warnings
			return WriteReportOutput{Path: "/o/r.json"}, nil
		})
	env.ExecuteWorkflow(EncodeTitleName, titleRequest())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "no audio") {
		t.Fatalf("warnings %q", warnings)
	}
}
