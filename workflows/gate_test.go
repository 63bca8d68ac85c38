package workflows

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/profile"
)

// gateRun runs EncodeTitle with the gate's check returning blockers and
// the profile's gate set to mode (timeout in seconds), calling during
// (if set) while the workflow runs, one hour of workflow time in. It
// returns the environment, the report input and how often Package ran.
func gateRun(t *testing.T, blockers []Blocker, mode string, timeout float64, during func(*testsuite.TestWorkflowEnvironment)) (*testsuite.TestWorkflowEnvironment, *WriteReportInput, int) {
	t.Helper()
	env := newEnv(t)
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(source(640, 360), nil)
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(fakeChunk)
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(fakeStitch)
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{}, nil)
	env.OnActivity(ActivityGateCheck, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in GateCheckInput) (GateCheckOutput, error) {
			if in.SourceFrames != 100 || len(in.Rungs) == 0 || in.Out != "/o/t1" {
				return GateCheckOutput{}, errors.New("gate input incomplete")
			}
			return GateCheckOutput{Blockers: blockers}, nil
		})
	packaged := 0
	env.OnActivity(ActivityPackage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in PackageInput) (PackageOutput, error) {
			packaged++
			if len(in.Rungs) == 0 || len(in.Formats) != 2 || in.SegmentSeconds != 2 || !in.IFrames {
				return PackageOutput{}, errors.New("package input incomplete")
			}
			return PackageOutput{Master: "package/master.m3u8", MPD: "package/manifest.mpd"}, nil
		})
	var rep WriteReportInput
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in WriteReportInput) (WriteReportOutput, error) {
			rep = in
			return WriteReportOutput{Path: "/o/t1/report.json"}, nil
		})
	if during != nil {
		env.RegisterDelayedCallback(func() { during(env) }, time.Hour)
	}
	req := titleRequest()
	req.Profile.Gate = profile.Gate{Mode: mode, TimeoutSeconds: timeout}
	env.ExecuteWorkflow(EncodeTitleName, req)
	return env, &rep, packaged
}

var blackBlocker = []Blocker{{Check: "black", Stream: "source", StartFrame: 50, EndFrame: 125, StartTC: "00:00:02:00", EndTC: "00:00:05:00", Value: 3, Threshold: 2}}

func progressOf(t *testing.T, env *testsuite.TestWorkflowEnvironment) Progress {
	t.Helper()
	v, err := env.QueryWorkflow(ProgressQuery)
	if err != nil {
		t.Fatal(err)
	}
	var p Progress
	if err := v.Get(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

func appErrType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

func TestGateNoBlockerPackages(t *testing.T) {
	env, rep, packaged := gateRun(t, nil, profile.GateHold, 0, nil)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var res TitleResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if packaged != 1 || res.Package == nil || res.Package.Master != "package/master.m3u8" || res.Gate.State != GatePassed {
		t.Fatalf("packaged %d, result gate %+v package %+v", packaged, res.Gate, res.Package)
	}
	if rep.Gate == nil || rep.Gate.State != GatePassed || rep.Package == nil || rep.SegmentSeconds != 2 {
		t.Fatalf("report gate %+v package %+v", rep.Gate, rep.Package)
	}
}

// A held title waits (the progress query shows it held with its
// blockers) until a reviewer approves it; then it is packaged.
func TestGateHoldThenApprove(t *testing.T) {
	var held Progress
	env, rep, packaged := gateRun(t, blackBlocker, profile.GateHold, 0, func(env *testsuite.TestWorkflowEnvironment) {
		held = progressOf(t, env)
		env.SignalWorkflow(ReviewSignal, Review{Decision: ReviewApprove, By: "ana", Note: "black is intended"})
	})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if held.Gate == nil || held.Gate.State != GateHeld || len(held.Gate.Blockers) != 1 || held.Gate.HeldSince == nil {
		t.Fatalf("progress while held: %+v", held.Gate)
	}
	for _, s := range held.Stages {
		if s.Name == "gate" && s.State != StateRunning || s.Name == "package" && s.State != StatePending {
			t.Fatalf("stage %s %s while held", s.Name, s.State)
		}
	}
	if packaged != 1 {
		t.Fatalf("packaged %d times after approval", packaged)
	}
	g := rep.Gate
	if g == nil || g.State != GateApproved || g.Review == nil || g.Review.By != "ana" || g.Review.Note != "black is intended" || g.Review.At.IsZero() {
		t.Fatalf("report gate %+v", g)
	}
}

// A rejected title ends with QCRejected, reported and not packaged.
func TestGateHoldThenReject(t *testing.T) {
	env, rep, packaged := gateRun(t, blackBlocker, profile.GateHold, 0, func(env *testsuite.TestWorkflowEnvironment) {
		env.SignalWorkflow(ReviewSignal, Review{Decision: "maybe"}) // ignored
		env.SignalWorkflow(ReviewSignal, Review{Decision: ReviewReject, By: "ana", Note: "black in the middle"})
	})
	err := env.GetWorkflowError()
	if appErrType(err) != ErrTypeQCRejected || !strings.Contains(err.Error(), "by ana: black in the middle") {
		t.Fatalf("error %v, want QCRejected with who and why", err)
	}
	if packaged != 0 {
		t.Fatal("a rejected title was packaged")
	}
	if rep.Gate == nil || rep.Gate.State != GateRejected || rep.Gate.Review.Decision != ReviewReject || rep.Package != nil {
		t.Fatalf("report gate %+v package %+v", rep.Gate, rep.Package)
	}
}

func TestGateFailMode(t *testing.T) {
	env, rep, packaged := gateRun(t, blackBlocker, profile.GateFail, 0, nil)
	err := env.GetWorkflowError()
	if appErrType(err) != ErrTypeQCBlocked || !strings.Contains(err.Error(), "black on source at 00:00:02:00") || packaged != 0 {
		t.Fatalf("error %v, packaged %d", err, packaged)
	}
	if rep.Gate == nil || rep.Gate.State != GateBlocked {
		t.Fatalf("report gate %+v", rep.Gate)
	}
}

func TestGateOffPackagesWithBlockersListed(t *testing.T) {
	env, rep, packaged := gateRun(t, blackBlocker, profile.GateOff, 0, nil)
	if err := env.GetWorkflowError(); err != nil || packaged != 1 {
		t.Fatalf("error %v, packaged %d", err, packaged)
	}
	if rep.Gate.State != GateSkipped || len(rep.Gate.Blockers) != 1 {
		t.Fatalf("report gate %+v", rep.Gate)
	}
}

// A hold with qc.gate_timeout ends the title with QCBlocked when nobody
// reviews it in time.
func TestGateHoldTimesOut(t *testing.T) {
	env, rep, packaged := gateRun(t, blackBlocker, profile.GateHold, 1800, nil)
	err := env.GetWorkflowError()
	if appErrType(err) != ErrTypeQCBlocked || !strings.Contains(err.Error(), "not reviewed within 30m0s") || packaged != 0 {
		t.Fatalf("error %v, packaged %d", err, packaged)
	}
	if rep.Gate.State != GateBlocked {
		t.Fatalf("report gate %+v", rep.Gate)
	}
}
