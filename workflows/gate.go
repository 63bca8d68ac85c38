package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
)

// gateInput gathers what the gate checks of a scored title.
func gateInput(req TitleRequest, video *media.StreamInfo, analyzed AnalyzeOutput, rungs []media.RungOutput, scored ScoreRungsOutput, chunked chunkedResult, pt *PerTitle) GateCheckInput {
	fps := video.FPS
	if !(fps > 0) {
		fps = 25
	}
	in := GateCheckInput{
		Out: req.Out, Scores: scored.Scores, SourceFrames: video.FrameCount,
		SourceSeconds: float64(video.FrameCount) / fps, FrameSeconds: 1 / fps, Concealed: chunked.Concealed,
	}
	if analyzed.QC.Path != "" {
		qc := analyzed.QC
		in.SourceQC = &qc
	}
	for _, r := range rungs {
		in.Rungs = append(in.Rungs, RungFrames{ID: r.ID, Frames: r.Frames, DurationSec: float64(r.Frames) / fps})
	}
	if pt != nil && req.Profile.Ladder.PerTitle != nil {
		in.MinVMAF = req.Profile.Ladder.PerTitle.MinVMAF
	}
	return in
}

// runGate lists the title's blockers and applies the profile's gate: no
// blocker passes; "off" passes with the blockers listed; "fail" ends the
// title with QCBlocked; "hold" waits for a ReviewSignal (approve passes,
// reject ends the title with QCRejected), or for qc.gate_timeout. The
// state is kept in *g, which the progress query shows while held.
func runGate(ctx workflow.Context, in GateCheckInput, gate profile.Gate, g *GateState) error {
	g.Mode, g.State = gate.Mode, GatePassed
	var out GateCheckOutput
	c := activityCtx(ctx, QueueIO, 10*time.Minute, 0)
	if err := workflow.ExecuteActivity(c, ActivityGateCheck, in).Get(ctx, &out); err != nil {
		return err
	}
	g.Blockers = out.Blockers
	if len(g.Blockers) == 0 {
		return nil
	}
	switch gate.Mode {
	case profile.GateOff:
		g.State = GateSkipped
		return nil
	case profile.GateFail:
		g.State = GateBlocked
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("QC gate: %s (qc.gate: fail)", blockerSummary(g.Blockers)), ErrTypeQCBlocked, nil, g.Blockers)
	}
	now := workflow.Now(ctx)
	g.State, g.HeldSince = GateHeld, &now
	ch := workflow.GetSignalChannel(ctx, ReviewSignal)
	sel := workflow.NewSelector(ctx)
	var (
		review   Review
		timedOut bool
	)
	sel.AddReceive(ch, func(rc workflow.ReceiveChannel, _ bool) { rc.Receive(ctx, &review) })
	if gate.TimeoutSeconds > 0 {
		timer := workflow.NewTimer(ctx, time.Duration(gate.TimeoutSeconds*float64(time.Second)))
		sel.AddFuture(timer, func(workflow.Future) { timedOut = true })
	}
	for {
		review = Review{}
		sel.Select(ctx)
		if timedOut {
			g.State = GateBlocked
			return temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("QC gate: not reviewed within %s: %s", time.Duration(gate.TimeoutSeconds*float64(time.Second)), blockerSummary(g.Blockers)),
				ErrTypeQCBlocked, nil, g.Blockers)
		}
		if review.Decision == ReviewApprove || review.Decision == ReviewReject {
			break
		}
		workflow.GetLogger(ctx).Warn("QC gate: review signal ignored", "decision", review.Decision)
	}
	review.At = workflow.Now(ctx)
	g.Review = &review
	if review.Decision == ReviewApprove {
		g.State = GateApproved
		return nil
	}
	g.State = GateRejected
	msg := "rejected at the QC gate"
	if review.By != "" {
		msg += " by " + review.By
	}
	if review.Note != "" {
		msg += ": " + review.Note
	}
	return temporal.NewNonRetryableApplicationError(msg+" ("+blockerSummary(g.Blockers)+")", ErrTypeQCRejected, nil)
}

// blockerSummary counts blockers and names the first.
func blockerSummary(bs []Blocker) string {
	if len(bs) == 0 {
		return "no blocker"
	}
	b := bs[0]
	first := fmt.Sprintf("%s on %s", b.Check, b.Stream)
	if b.StartTC != "" {
		first += fmt.Sprintf(" at %s–%s", b.StartTC, b.EndTC)
	}
	noun := "blocker"
	if len(bs) > 1 {
		noun = "blockers"
	}
	return strings.TrimSpace(fmt.Sprintf("%d %s, first %s", len(bs), noun, first))
}

// packageTitle packages the stitched rungs and the audio renditions
// (nothing when the profile lists no format).
func packageTitle(ctx workflow.Context, req TitleRequest, rungs []media.RungOutput, audio []AudioOutput) (*PackageOutput, error) {
	p := req.Profile.Package
	if len(p.Formats) == 0 {
		return nil, nil
	}
	in := PackageInput{Out: req.Out, Rungs: rungs, Audio: audio, SegmentSeconds: req.Profile.SegmentSeconds,
		Formats: p.Formats, IFrames: p.IFramesOn()}
	var out PackageOutput
	c := activityCtx(ctx, QueueIO, 6*time.Hour, heartbeatTimeout)
	if err := workflow.ExecuteActivity(c, ActivityPackage, in).Get(ctx, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
