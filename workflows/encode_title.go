package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
)

// ProgressQuery is the query that returns a title's Progress.
const ProgressQuery = "progress"

// Stage states.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
	// StateSkipped: a stage that did not run (packaging after a title
	// was rejected at the QC gate).
	StateSkipped = "skipped"
)

// Stage is one step of EncodeTitle as the progress query reports it.
type Stage struct {
	Name string `json:"name"`
	// Activity is the activity type that does the stage; a client finds its
	// live progress in the pending activity's heartbeat details.
	Activity string `json:"activity"`
	State    string `json:"state"`
	// Seconds is the stage's wall time once done (workflow clock).
	Seconds float64 `json:"seconds,omitempty"`
	// Done and Total count a fanned-out stage's units (chunks); when Total
	// is 0 a client reads progress from the activity's heartbeat.
	Done  int    `json:"done,omitempty"`
	Total int    `json:"total,omitempty"`
	Error string `json:"error,omitempty"`
}

// Progress is the answer to ProgressQuery.
type Progress struct {
	TitleID string  `json:"title_id"`
	Stages  []Stage `json:"stages"`
	// ReportPath is set once the report is written.
	ReportPath string `json:"report_path,omitempty"`
	// Gate is the QC gate's state once the title reaches it: "held" with
	// the blockers while it waits for a review (reel review).
	Gate *GateState `json:"gate,omitempty"`
}

// retry is the policy for activities: transient errors retry with backoff;
// bad input never does.
var retry = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        time.Minute,
	MaximumAttempts:        5,
	NonRetryableErrorTypes: NonRetryableErrorTypes,
}

// heartbeatTimeout is how long a long activity may go without a heartbeat
// before Temporal gives it to another worker: short enough that a dead
// worker's chunk moves on soon, long enough that a heavily loaded machine
// (whose heartbeats queue behind the work) does not lose its progress.
const heartbeatTimeout = 30 * time.Second

func activityCtx(ctx workflow.Context, queue string, startToClose, heartbeat time.Duration) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           queue,
		StartToCloseTimeout: startToClose,
		HeartbeatTimeout:    heartbeat,
		RetryPolicy:         retry,
	})
}

// tracker runs stages and keeps the Progress the query returns.
type tracker struct {
	ctx  workflow.Context
	prog Progress
}

func (t *tracker) run(i int, fn func() error) error {
	st := &t.prog.Stages[i]
	st.State = StateRunning
	start := workflow.Now(t.ctx)
	err := fn()
	st.Seconds = workflow.Now(t.ctx).Sub(start).Seconds()
	if err != nil {
		st.State, st.Error = StateFailed, rootMessage(err)
		return err
	}
	st.State = StateDone
	return nil
}

// rootMessage is the innermost error's message, for the progress query.
func rootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// invalidRequest is a non-retryable error for a request that cannot work.
func invalidRequest(format string, a ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, a...), ErrTypeInvalidRequest, nil)
}

// EncodeTitle takes one title from its mezzanine to encoded rungs and a
// report: probe → analyze (source QC and shots, one decode) → encode the
// ladder (one decode, all rungs) → score every rung with VMAF and QC
// against the source → write report.json.
func EncodeTitle(ctx workflow.Context, req TitleRequest) (TitleResult, error) {
	// Version 1 added the analyze stage (source QC and shots) and QC of
	// every rung; histories from before it replay without them.
	qcVersion := workflow.GetVersion(ctx, "analyze-qc", workflow.DefaultVersion, 1)
	// Version 1 of "chunked-encode" encodes shot-aligned chunks in parallel
	// and stitches them, with audio renditions, instead of one ladder pass.
	chunkVersion := workflow.GetVersion(ctx, "chunked-encode", workflow.DefaultVersion, 1)
	// Version 1 of "per-title" adds the per-title ladder (a complexity
	// stage of trial encodes choosing the rungs, per-chunk CRFs) for
	// profiles in that mode, and keeps fixed rungs of the same size but
	// different bitrates apart.
	perTitleVersion := workflow.GetVersion(ctx, "per-title", workflow.DefaultVersion, 1)
	// Version 1 of "qc-gate-package" adds the QC gate (blockers hold the
	// title for a review) and the package stage (CMAF, HLS, DASH) between
	// scoring and the report.
	gateVersion := workflow.GetVersion(ctx, "qc-gate-package", workflow.DefaultVersion, 1)
	perTitle := req.Profile.Ladder.Mode == profile.LadderPerTitle
	// The request carries a resolved profile; one recorded before it did
	// gets the defaults of what the stages read, once, here.
	req.Profile.ResolveStages()
	stages := []Stage{{Name: "probe", Activity: ActivityProbe, State: StatePending}}
	if qcVersion >= 1 {
		stages = append(stages, Stage{Name: "analyze", Activity: ActivityAnalyze, State: StatePending})
	}
	if perTitle {
		stages = append(stages, Stage{Name: "complexity", Activity: ActivityTrialEncode, State: StatePending})
	}
	if chunkVersion >= 1 {
		stages = append(stages,
			Stage{Name: "encode", Activity: ActivityEncodeChunk, State: StatePending},
			Stage{Name: "stitch", Activity: ActivityStitchRung, State: StatePending})
	} else {
		stages = append(stages, Stage{Name: "encode", Activity: ActivityEncodeLadder, State: StatePending})
	}
	stages = append(stages, Stage{Name: "score", Activity: ActivityScoreRungs, State: StatePending})
	if gateVersion >= 1 {
		stages = append(stages,
			Stage{Name: "gate", Activity: ActivityGateCheck, State: StatePending},
			Stage{Name: "package", Activity: ActivityPackage, State: StatePending})
	}
	stages = append(stages, Stage{Name: "report", Activity: ActivityWriteReport, State: StatePending})
	t := &tracker{ctx: ctx, prog: Progress{TitleID: req.TitleID, Stages: stages}}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return t.prog, nil }); err != nil {
		return TitleResult{}, err
	}
	if req.TitleID == "" || req.Source == "" || req.Out == "" {
		return TitleResult{}, invalidRequest("title_id, source and out are all required (got %q, %q, %q)", req.TitleID, req.Source, req.Out)
	}
	// Checked before any activity (submit.Title and the CLI check it too):
	// a title started by another client with a bad id fails, not retried.
	if err := request.CheckTitleID(req.TitleID); err != nil {
		return TitleResult{}, invalidRequest("%v", err)
	}
	if err := req.Profile.Validate(); err != nil {
		return TitleResult{}, invalidRequest("%v", err)
	}
	if gateVersion >= 1 && (chunkVersion < 1 || qcVersion < 1) {
		return TitleResult{}, invalidRequest("the QC gate and packaging need the chunked workflow version")
	}
	if perTitle && (perTitleVersion < 1 || chunkVersion < 1 || qcVersion < 1) {
		return TitleResult{}, invalidRequest("a per-title ladder needs the per-title workflow version")
	}

	var (
		src      media.SourceInfo
		analyzed AnalyzeOutput
		specs    []media.RungSpec
		encoded  EncodeLadderOutput
		scored   ScoreRungsOutput
		written  WriteReportOutput
	)
	timings := map[string]float64{}
	stage := 0
	next := func(fn func() error) error {
		err := t.run(stage, fn)
		timings[t.prog.Stages[stage].Name] = t.prog.Stages[stage].Seconds
		stage++
		return err
	}

	err := next(func() error {
		c := activityCtx(ctx, QueueIO, 5*time.Minute, 0)
		return workflow.ExecuteActivity(c, ActivityProbe, ProbeInput{Source: req.Source}).Get(ctx, &src)
	})
	if err != nil {
		return TitleResult{}, err
	}
	video := src.Video()
	if video == nil {
		return TitleResult{}, temporal.NewNonRetryableApplicationError("source has no video stream", ErrTypeNoVideo, nil)
	}

	if qcVersion >= 1 {
		err = next(func() error {
			c := activityCtx(ctx, QueueCPU, 24*time.Hour, heartbeatTimeout)
			in := AnalyzeInput{Source: req.Source, Out: req.Out, QC: req.Profile.QC, Frames: video.FrameCount}
			return workflow.ExecuteActivity(c, ActivityAnalyze, in).Get(ctx, &analyzed)
		})
		if err != nil {
			return TitleResult{}, err
		}
	}

	var (
		pt *PerTitle
		id SourceID
	)
	if perTitle {
		st := &t.prog.Stages[stage]
		err = next(func() (err error) {
			if id, err = sourceIdentity(ctx, req); err != nil {
				return err
			}
			pt, specs, err = perTitleTrials(ctx, st, req, video, analyzed.Shots, id)
			return err
		})
	} else {
		specs, err = planRungs(req, video, perTitleVersion >= 1)
	}
	if err != nil {
		return TitleResult{}, err
	}

	var chunked chunkedResult
	if chunkVersion >= 1 {
		var run *chunkRun
		st := &t.prog.Stages[stage]
		err = next(func() (err error) {
			if id.IsZero() {
				if id, err = sourceIdentity(ctx, req); err != nil {
					return err
				}
			}
			chunked.Chunks = PlanChunks(req, video, analyzed.Shots)
			if len(chunked.Chunks) == 0 {
				return temporal.NewNonRetryableApplicationError("the source has no frames to encode", ErrTypeInvalidMedia, nil)
			}
			specsOf := func(int) []media.RungSpec { return specs }
			var sizeChanges []bool
			if pt != nil && pt.PerShot {
				cfg := *req.Profile.Ladder.PerTitle
				// Version 1 of "shot-resolution" lets the per-shot plan pick
				// chunks' resolutions too (profile shot_resolution).
				shotRes := workflow.GetVersion(ctx, "shot-resolution", workflow.DefaultVersion, 1) >= 1 && cfg.ShotResolutionOn()
				// Version 1 of "per-shot-quality-in-crf" predicts chunks'
				// VMAF between trial CRFs linearly in CRF (real hull
				// vertices for the plan) instead of on the hull chord.
				between := ladder.BetweenChord
				if workflow.GetVersion(ctx, "per-shot-quality-in-crf", workflow.DefaultVersion, 1) >= 1 {
					between = ladder.BetweenLinear
				}
				between = cubicInCRF(ctx, between)
				perChunk, err := PlanPerShot(pt, specs, chunked.Chunks, PerShotOptions{
					CRFStep: cfg.CRFStep, Floor: cfg.MinVMAF, Resolution: shotRes, Between: between})
				if err != nil {
					return invalidSettings("%v", err)
				}
				specsOf = func(c int) []media.RungSpec { return perChunk[c] }
				sizeChanges = SizeChanges(specs, perChunk)
			}
			run, err = encodeChunks(ctx, st, req, id, specsOf, &chunked)
			if run != nil {
				run.sizeChanges = sizeChanges
			}
			return err
		})
		if err != nil {
			return TitleResult{}, err
		}
		err = next(func() error { return stitchRungs(ctx, req, specs, run, &chunked) })
		if err != nil {
			return TitleResult{}, err
		}
		encoded.Rungs = chunked.Rungs
	} else {
		err = next(func() error {
			c := activityCtx(ctx, QueueEncode, 24*time.Hour, heartbeatTimeout)
			in := EncodeLadderInput{Source: req.Source, Out: req.Out, Rungs: specs, Frames: video.FrameCount}
			return workflow.ExecuteActivity(c, ActivityEncodeLadder, in).Get(ctx, &encoded)
		})
		if err != nil {
			return TitleResult{}, err
		}
	}

	err = next(func() error {
		c := activityCtx(ctx, QueueCPU, 24*time.Hour, heartbeatTimeout)
		in := ScoreRungsInput{Source: req.Source, Out: req.Out, Rungs: encoded.Rungs, Frames: video.FrameCount, RungQC: qcVersion >= 1, QC: req.Profile.QC, FrameRate: video.FrameRate}
		return workflow.ExecuteActivity(c, ActivityScoreRungs, in).Get(ctx, &scored)
	})
	if err != nil {
		return TitleResult{}, err
	}

	var (
		gate     *GateState
		packaged *PackageOutput
		gateErr  error
	)
	if gateVersion >= 1 {
		gate = &GateState{}
		t.prog.Gate = gate
		gateErr = next(func() error {
			in := gateInput(req, video, analyzed, encoded.Rungs, scored, chunked, pt)
			return runGate(ctx, in, req.Profile.Gate, gate)
		})
		var app *temporal.ApplicationError
		if gateErr != nil && !(errors.As(gateErr, &app) && (app.Type() == ErrTypeQCRejected || app.Type() == ErrTypeQCBlocked)) {
			return TitleResult{}, gateErr // the gate's activity failed
		}
		if gateErr == nil {
			err = next(func() (err error) {
				packaged, err = packageTitle(ctx, req, encoded.Rungs, chunked.Audio)
				return err
			})
			if err != nil {
				return TitleResult{}, err
			}
		} else {
			t.prog.Stages[stage].State = StateSkipped
			stage++
		}
	}

	info := workflow.GetInfo(ctx)
	err = next(func() error {
		c := activityCtx(ctx, QueueIO, 5*time.Minute, 0)
		in := WriteReportInput{
			TitleID: req.TitleID, WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
			Source: src, Out: req.Out, Profile: req.Profile.Name, Specs: specs,
			Rungs: encoded.Rungs, Scores: scored.Scores, Timings: timings,
			Warnings: chunked.Warnings, Audio: chunked.Audio, Chunks: chunked.Chunks,
			ReusedChunks: chunked.Reused, Concealed: chunked.Concealed, PerTitle: perTitleForReport(pt),
			Request: req.Request, Gate: gate, Package: packaged, SegmentSeconds: req.Profile.SegmentSeconds,
		}
		if qcVersion >= 1 {
			in.SourceQC, in.Shots = &analyzed.QC, analyzed.Shots
		}
		return workflow.ExecuteActivity(c, ActivityWriteReport, in).Get(ctx, &written)
	})
	if err != nil {
		return TitleResult{}, err
	}
	t.prog.ReportPath = written.Path
	if gateErr != nil {
		return TitleResult{}, gateErr // rejected or blocked: reported, not packaged
	}
	res := TitleResult{
		ReportPath: written.Path, ReportHTML: written.HTMLPath, Rungs: encoded.Rungs, Scores: scored.Scores, SourceQC: analyzed.QC,
		Audio: chunked.Audio, Chunks: len(chunked.Chunks), ReusedChunks: chunked.Reused, Warnings: chunked.Warnings,
		Ladder: req.Profile.Ladder.Mode, Comparison: written.Comparison, Gate: gate, Package: packaged,
	}
	if pt != nil {
		res.PerTitle = pt.Rungs
	}
	return res, nil
}

// PlanRungs turns the profile's fixed ladder into rung specs for this
// source: sizes capped at the source and kept to its aspect, GOP in frames
// from the source frame rate. Rungs that land on the same size collapse
// into one (ladder.Fit) unless their bitrates differ: a capped VBR rung
// stays a rendition of its own next to a same-size rung at another
// bitrate, as reference ladders such as Apple's have them. It is a pure
// function, called from workflow code.
func PlanRungs(req TitleRequest, video *media.StreamInfo) ([]media.RungSpec, error) {
	return planRungs(req, video, true)
}

// planRungs is PlanRungs; without byRate (workflow histories before the
// per-title version) rungs of one size collapse whatever their bitrates.
func planRungs(req TitleRequest, video *media.StreamInfo, byRate bool) ([]media.RungSpec, error) {
	src := LadderSource(video)
	rungs := req.Profile.Ladder.Rungs
	// Groups of rungs that may collapse into each other: all of them, or
	// those of one bitrate (0: CRF rungs).
	groups := map[int][]int{}
	var rates []int
	for i, r := range rungs {
		key := 0
		if byRate {
			key = r.BitrateKbps
		}
		if _, ok := groups[key]; !ok {
			rates = append(rates, key)
		}
		groups[key] = append(groups[key], i)
	}
	type kept struct {
		i    int
		size ladder.Size
	}
	var keep []kept
	for _, key := range rates {
		members := groups[key]
		heights := make([]int, len(members))
		for k, i := range members {
			heights[k] = rungs[i].Height
		}
		idx, sizes, err := ladder.Fit(src, heights)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnsupported, err)
		}
		for k, j := range idx {
			keep = append(keep, kept{members[j], sizes[k]})
		}
	}
	slices.SortFunc(keep, func(a, b kept) int { return a.i - b.i })
	specs := make([]media.RungSpec, len(keep))
	for k, r := range keep {
		specs[k] = rungs[r.i].Spec(r.size.Width, r.size.Height, video.FPS)
	}
	return specs, nil
}

// LadderSource returns a video stream's geometry for package ladder.
func LadderSource(video *media.StreamInfo) ladder.Source {
	sarN, sarD := parseRatio(video.SampleAspect, ':')
	return ladder.Source{Width: video.Width, Height: video.Height, SARNum: sarN, SARDen: sarD}
}

// parseRatio parses "a:b" (or "a/b" with sep '/'); 0, 0 when it cannot.
func parseRatio(s string, sep byte) (int, int) {
	var a, b int
	if _, err := fmt.Sscanf(s, "%d"+string(sep)+"%d", &a, &b); err != nil || a <= 0 || b <= 0 {
		return 0, 0
	}
	return a, b
}
