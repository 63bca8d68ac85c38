package workflows

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
)

func trialFn(context.Context, TrialEncodeInput) (TrialEncodeOutput, error) {
	return TrialEncodeOutput{}, nil
}

// complexityOf is the synthetic source's encoding difficulty at a frame:
// the first 40 frames (shot 0) are easy, the rest (shot 1) four times as
// hard.
func complexityOf(frame int) float64 {
	if frame < 40 {
		return 1
	}
	return 4
}

// fakeTrial answers like TrialEncode on a synthetic title: bits per frame
// halve every 6 CRF and grow with the picture and the range's complexity;
// VMAF rises concavely with bits towards a ceiling set by the height.
func fakeTrial(_ context.Context, in TrialEncodeInput) (TrialEncodeOutput, error) {
	const fps = 25
	out := TrialEncodeOutput{FPS: fps, ScoreWidth: 1280, ScoreHeight: 720, Model: "vmaf_v0.6.1"}
	for _, p := range in.Grid {
		res := TrialResult{TrialPoint: p}
		for ri, r := range in.Ranges {
			cx := complexityOf(r.StartFrame)
			px := float64(p.Width * p.Height)
			bpf := cx * px / 8 * math.Exp2(-(p.CRF-23)/6)
			v := (60 + 40*float64(p.Height)/720) * (1 - math.Exp(-bpf/(cx*px/6)))
			res.Shots = append(res.Shots, TrialShot{Range: ri, Shot: r.Shot, StartFrame: r.StartFrame, Frames: r.Frames, Weight: r.Weight,
				Bits: bpf * float64(r.Frames), BitrateKbps: bpf * fps / 1000, VMAF: v})
		}
		res.Estimate(fps)
		out.Results = append(out.Results, res)
		out.Encoded += len(in.Ranges)
	}
	return out, nil
}

func perTitleProfile(t *testing.T, yaml string) profile.Profile {
	t.Helper()
	p, err := profile.Parse(strings.NewReader("ladder:\n  mode: per-title\n" + yaml))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type perTitleRun struct {
	trials    []TrialEncodeInput
	chunks    []EncodeChunkInput
	stitches  map[string]StitchRungInput
	report    WriteReportInput
	result    TitleResult
	err       error
	maxTrials int
}

func runPerTitle(t *testing.T, p profile.Profile) *perTitleRun {
	t.Helper()
	return runPerTitleWith(t, p, fakeTrial)
}

// runPerTitleWith is runPerTitle with trial answering TrialEncode.
func runPerTitleWith(t *testing.T, p profile.Profile, trial func(context.Context, TrialEncodeInput) (TrialEncodeOutput, error)) *perTitleRun {
	t.Helper()
	env := newEnv(t)
	env.OnActivity(ActivityProbe, mock.Anything, mock.Anything).Return(source(1280, 720), nil)
	run := &perTitleRun{}
	var mu sync.Mutex
	running := 0
	env.OnActivity(ActivityTrialEncode, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in TrialEncodeInput) (TrialEncodeOutput, error) {
			mu.Lock()
			run.trials = append(run.trials, in)
			running++
			run.maxTrials = max(run.maxTrials, running)
			mu.Unlock()
			defer func() { mu.Lock(); running--; mu.Unlock() }()
			return trial(ctx, in)
		})
	env.OnActivity(ActivityEncodeChunk, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in EncodeChunkInput) (EncodeChunkOutput, error) {
			mu.Lock()
			run.chunks = append(run.chunks, in)
			mu.Unlock()
			return fakeChunk(ctx, in)
		})
	run.stitches = map[string]StitchRungInput{}
	env.OnActivity(ActivityStitchRung, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in StitchRungInput) (media.RungOutput, error) {
			mu.Lock()
			run.stitches[in.Rung.ID] = in
			mu.Unlock()
			return fakeStitch(ctx, in)
		})
	env.OnActivity(ActivityScoreRungs, mock.Anything, mock.Anything).Return(ScoreRungsOutput{}, nil)
	env.OnActivity(ActivityWriteReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in WriteReportInput) (WriteReportOutput, error) {
			run.report = in
			bd := -0.25
			return WriteReportOutput{Path: "/o/r.json", Comparison: &LadderComparison{Reference: "ref", BDRateMeasured: &bd}}, nil
		})
	req := titleRequest()
	req.Profile = p
	env.ExecuteWorkflow(EncodeTitleName, req)
	if run.err = env.GetWorkflowError(); run.err == nil {
		if err := env.GetWorkflowResult(&run.result); err != nil {
			t.Fatal(err)
		}
	}
	slices.SortFunc(run.chunks, func(a, b EncodeChunkInput) int { return a.Chunk.StartFrame - b.Chunk.StartFrame })
	return run
}

// TestEncodeTitlePerTitle: with analysis.every_chunk false, the complexity
// stage trial-encodes the grid on each sampled shot in parallel activities, the rungs come from the convex
// hull within the profile's bounds, and the per-shot optimizer moves
// quality to the easy chunk, where VMAF is cheaper (a lower CRF than the
// hard chunk's), for fewer predicted bits than the rung's CRF everywhere
// at the same predicted VMAF.
func TestEncodeTitlePerTitle(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {rungs: 4, heights: [360, 540, 720], crfs: [18, 24, 30, 36], max_vmaf: 97, analysis: {every_chunk: false}}\nchunking: {min_seconds: 2, max_seconds: 2}\nencode: {max_parallel: 1}\n")
	run := runPerTitle(t, p)
	if run.err != nil {
		t.Fatal(run.err)
	}
	if len(run.trials) != 2 || run.maxTrials != 1 {
		t.Fatalf("%d trial activities (at most %d at once), want one per shot (2), one at a time", len(run.trials), run.maxTrials)
	}
	for _, in := range run.trials {
		if len(in.Ranges) != 1 || len(in.Grid) != 12 || in.Cache != "/o/t1/.chunks" || in.SourceID.IsZero() {
			t.Errorf("trial input %+v", in)
		}
	}
	pt := run.report.PerTitle
	if pt == nil || !pt.PerShot || len(pt.Rungs) < 2 || len(pt.Rungs) > 4 || len(pt.Hull) == 0 || len(pt.Trials.Results) != 12 {
		t.Fatalf("report's per-title section %+v", pt)
	}
	if run.result.Ladder != profile.LadderPerTitle {
		t.Errorf("result ladder %q", run.result.Ladder)
	}
	// The result carries the plan and the report's comparison.
	if c := run.result.Comparison; c == nil || c.Reference != "ref" || c.BDRateMeasured == nil || *c.BDRateMeasured != -0.25 {
		t.Errorf("result comparison %+v", c)
	}
	if !reflect.DeepEqual(run.result.PerTitle, pt.Rungs) {
		t.Errorf("result per-title rungs %+v, report's %+v", run.result.PerTitle, pt.Rungs)
	}
	// The rungs are Select's with log bitrate and VMAF on cubics in CRF
	// between trial CRFs (workflow version crf-cubic), not on lines in CRF
	// (select-quality-in-crf) or the hull chord.
	src := source(1280, 720)
	inCRF, _, _, err := SelectRungs(p, src.Video(), pt.Trials, ladder.BetweenCubic)
	if err != nil {
		t.Fatal(err)
	}
	chord, _, _, err := SelectRungs(p, src.Video(), pt.Trials, ladder.BetweenChord)
	if err != nil {
		t.Fatal(err)
	}
	linear, _, _, err := SelectRungs(p, src.Video(), pt.Trials, ladder.BetweenLinear)
	if err != nil {
		t.Fatal(err)
	}
	rungPoints := func(rs []PerTitleRung) []ladder.Rung {
		var out []ladder.Rung
		for _, r := range rs {
			out = append(out, r.Rung)
		}
		return out
	}
	if got := rungPoints(pt.Rungs); !slices.Equal(got, rungPoints(inCRF)) {
		t.Errorf("rungs %+v, want SelectRungs' with cubics in CRF %+v", got, rungPoints(inCRF))
	} else if slices.Equal(got, rungPoints(chord)) || slices.Equal(got, rungPoints(linear)) {
		t.Errorf("rungs %+v are the chord's or the lines' too: the test cannot tell them apart", got)
	}
	specs := run.report.Specs
	if len(specs) != len(pt.Rungs) {
		t.Fatalf("%d specs for %d rungs", len(specs), len(pt.Rungs))
	}
	for i, r := range pt.Rungs {
		s := specs[i]
		if s.ID != r.ID || s.Width != r.Width || s.Height != r.Height || s.CRF != r.CRF || s.Codec != "h264" || s.GOPFrames != 50 || s.Preset != "medium" {
			t.Errorf("spec %+v for rung %+v", s, r)
		}
		if i > 0 && r.BitrateKbps >= pt.Rungs[i-1].BitrateKbps {
			t.Errorf("rungs not highest first: %v then %v kbit/s", pt.Rungs[i-1].BitrateKbps, r.BitrateKbps)
		}
		if r.VMAF > 97 {
			t.Errorf("rung %s predicted VMAF %v above max_vmaf", r.ID, r.VMAF)
		}
	}
	// Chunks: 0–49 (mostly the easy shot) and 50–99 (hard).
	if len(run.chunks) != 2 {
		t.Fatalf("%d chunks", len(run.chunks))
	}
	saved := false
	for i, r := range pt.Rungs {
		if len(r.ChunkCRFs) != 2 {
			t.Fatalf("rung %s chunk CRFs %v", r.ID, r.ChunkCRFs)
		}
		changes := false
		for c, in := range run.chunks {
			if got := in.Rungs[i].CRF; got != r.ChunkCRFs[c] {
				t.Errorf("chunk %d rung %s encoded at CRF %v, plan says %v", c, r.ID, got, r.ChunkCRFs[c])
			}
			if got := in.Rungs[i].Height; len(r.ChunkHeights) != 2 || got != r.ChunkHeights[c] || got > r.Height {
				t.Errorf("chunk %d rung %s (%dp) encoded at %dp, plan says %v", c, r.ID, r.Height, got, r.ChunkHeights)
			}
			changes = changes || in.Rungs[i].Height != r.Height
		}
		t.Logf("rung %s: chunk heights %v, size changes %v", r.ID, r.ChunkHeights, changes)
		// The rung is stitched with size changes exactly when a chunk
		// was encoded at another size than the rung's.
		if st, ok := run.stitches[r.ID]; !ok || st.SizeChanges != changes || st.Rung.Height != r.Height {
			t.Errorf("rung %s stitched with %+v (chunk sizes change: %v)", r.ID, st, changes)
		}
		// VMAF points are cheaper on the easy chunk: at equal slope it
		// gets the lower CRF (or the same one).
		if r.ChunkCRFs[0] > r.ChunkCRFs[1] {
			t.Errorf("rung %s: easy chunk at CRF %v, hard chunk at %v", r.ID, r.ChunkCRFs[0], r.ChunkCRFs[1])
		}
		if r.PredictedKbps > r.UniformKbps*(1+1e-9) || r.PredictedVMAF < r.VMAF-1 {
			t.Errorf("rung %s: per-shot %v kbit/s VMAF %v vs uniform %v kbit/s, rung VMAF %v", r.ID, r.PredictedKbps, r.PredictedVMAF, r.UniformKbps, r.VMAF)
		}
		if r.PredictedKbps < r.UniformKbps*0.99 {
			saved = true
		}
	}
	if !saved {
		t.Error("the per-shot optimizer saved nothing on a title with an easy and a hard shot")
	}
	if _, ok := run.report.Timings["complexity"]; !ok {
		t.Errorf("no complexity stage in the timings %v", run.report.Timings)
	}
}

// TestEncodeTitlePerTitleUniform: with per_shot off, every chunk of a rung
// is encoded at the rung's CRF.
func TestEncodeTitlePerTitleUniform(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {per_shot: false, heights: [360, 720]}\nchunking: {min_seconds: 2, max_seconds: 2}\n")
	run := runPerTitle(t, p)
	if run.err != nil {
		t.Fatal(run.err)
	}
	pt := run.report.PerTitle
	if pt == nil || pt.PerShot {
		t.Fatalf("per-title section %+v", pt)
	}
	for _, in := range run.chunks {
		if !slices.Equal(in.Rungs, run.report.Specs) {
			t.Errorf("chunk %d specs %+v, want the rungs' %+v", in.Chunk.Index, in.Rungs, run.report.Specs)
		}
	}
	for _, r := range pt.Rungs {
		if r.ChunkCRFs != nil || r.ChunkHeights != nil || r.PredictedKbps != r.BitrateKbps {
			t.Errorf("rung %+v", r)
		}
		if st := run.stitches[r.ID]; st.SizeChanges {
			t.Errorf("rung %s stitched with size changes", r.ID)
		}
	}
}

// TestEncodeTitlePerTitleLongShots: the sample is drawn from the title's
// chunks (version sample-chunks), not its shots: with 2 s chunks the two
// windows start at frames 0 and 50, where the chunks do, not at the shot
// cut (frame 40). Spans at least twice max_shot_seconds are sampled in
// parts spread over them (version sample-long-shots), each its own trial
// range naming its chunk; the per-shot plan still covers every chunk.
func TestEncodeTitlePerTitleLongShots(t *testing.T) {
	// Windows of at most 1 s (25 frames): each 2 s chunk (50 frames) is
	// two parts of 25, each sampled whole.
	p := perTitleProfile(t, "  per_title: {rungs: 3, heights: [360, 720], crfs: [20, 30, 40], sample: {max_shot_seconds: 1, min_shot_seconds: 0.5}, analysis: {every_chunk: false}}\nchunking: {min_seconds: 2, max_seconds: 2}\n")
	run := runPerTitle(t, p)
	if run.err != nil {
		t.Fatal(run.err)
	}
	var got []TrialRange
	for _, in := range run.trials {
		got = append(got, in.Ranges...)
	}
	slices.SortFunc(got, func(a, b TrialRange) int { return a.StartFrame - b.StartFrame })
	want := []TrialRange{
		{Shot: 0, StartFrame: 0, Frames: 25, Weight: 25}, {Shot: 0, StartFrame: 25, Frames: 25, Weight: 25},
		{Shot: 1, StartFrame: 50, Frames: 25, Weight: 25}, {Shot: 1, StartFrame: 75, Frames: 25, Weight: 25},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("trial ranges %+v\nwant %+v", got, want)
	}
	var starts []int
	for _, c := range run.chunks {
		starts = append(starts, c.Chunk.StartFrame)
	}
	if slices.Sort(starts); !slices.Equal(starts, []int{0, 50}) {
		t.Fatalf("chunks start at %v, want 0 and 50", starts)
	}
	pt := run.report.PerTitle
	if len(pt.Shots) != 4 || len(pt.Of) != 4 || len(pt.Sample) != 4 {
		t.Fatalf("per-title spans %+v, of %v, sample %+v: want the four parts", pt.Shots, pt.Of, pt.Sample)
	}
	for _, r := range pt.Rungs {
		if len(r.ChunkCRFs) != len(run.chunks) {
			t.Errorf("rung %s: chunk CRFs %v for %d chunks", r.ID, r.ChunkCRFs, len(run.chunks))
		}
	}
}

// TestEncodeTitlePerTitleInfeasible: bounds no ladder can meet fail the
// title with a non-retryable InvalidSettings error naming them, before
// any chunk is encoded.
func TestEncodeTitlePerTitleInfeasible(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {min_vmaf: 99.9, max_vmaf: 100}\n")
	run := runPerTitle(t, p)
	var app *temporal.ApplicationError
	if !errors.As(run.err, &app) || app.Type() != ErrTypeInvalidSettings || !strings.Contains(run.err.Error(), "VMAF 99.9–100") {
		t.Fatalf("err = %v, want InvalidSettings naming the bounds", run.err)
	}
	if len(run.chunks) != 0 {
		t.Errorf("%d chunks encoded", len(run.chunks))
	}
}

func TestMergeTrials(t *testing.T) {
	grid := []TrialPoint{{Width: 640, Height: 360, Codec: "h264", CRF: 23}, {Width: 640, Height: 360, Codec: "h264", CRF: 30}}
	ranges := []TrialRange{{Shot: 0, StartFrame: 0, Frames: 40, Weight: 40}, {Shot: 3, StartFrame: 60, Frames: 20, Weight: 60}}
	whole, _ := fakeTrial(context.Background(), TrialEncodeInput{Ranges: ranges, Grid: grid})
	var parts []TrialEncodeOutput
	for k := range ranges {
		o, _ := fakeTrial(context.Background(), TrialEncodeInput{Ranges: ranges[k : k+1], Grid: grid})
		parts = append(parts, o)
	}
	m := MergeTrials(parts)
	if m.Encoded != whole.Encoded || len(m.Results) != 2 {
		t.Fatalf("merged %+v", m)
	}
	for i := range m.Results {
		a, b := m.Results[i], whole.Results[i]
		if math.Abs(a.BitrateKbps-b.BitrateKbps) > 1e-9*b.BitrateKbps || math.Abs(a.VMAF-b.VMAF) > 1e-9 || a.Bits != b.Bits || a.Frames != b.Frames {
			t.Errorf("point %d: merged %v kbit/s VMAF %v, one activity %v, %v", i, a.BitrateKbps, a.VMAF, b.BitrateKbps, b.VMAF)
		}
		for j, s := range a.Shots {
			if s.Range != j || s.StartFrame != ranges[j].StartFrame {
				t.Errorf("point %d shot %d: %+v", i, j, s)
			}
		}
	}
	if got := MergeTrials(nil); len(got.Results) != 0 {
		t.Errorf("MergeTrials(nil) = %+v", got)
	}
}

// TestPlanRungsKeepsBitrateRungs: rungs capped onto one size collapse when
// they are CRF rungs, but stay apart when their bitrates differ (Apple's
// ladder has two 432p and two 1080p rungs); histories before the per-title
// version collapse both.
func TestPlanRungsKeepsBitrateRungs(t *testing.T) {
	p, err := profile.Parse(strings.NewReader(`ladder:
  rungs:
    - {id: a1080, height: 1080, bitrate_kbps: 7800}
    - {id: b1080, height: 1080, bitrate_kbps: 6000}
    - {id: c720, height: 720, bitrate_kbps: 4500}
    - {id: d720, height: 720, bitrate_kbps: 4500}
    - {id: e432, height: 432, bitrate_kbps: 1100}
    - {id: f432, height: 432, bitrate_kbps: 730}
    - {id: g720, height: 720, crf: 22}
    - {id: h1080, height: 1080, crf: 20}
`))
	if err != nil {
		t.Fatal(err)
	}
	src := source(1280, 720)
	video := src.Video()
	ids := func(specs []media.RungSpec) string {
		var s []string
		for _, r := range specs {
			s = append(s, r.ID)
		}
		return strings.Join(s, " ")
	}
	specs, err := PlanRungs(TitleRequest{Profile: p}, video)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(specs); got != "a1080 b1080 c720 e432 f432 g720" {
		t.Errorf("PlanRungs kept %s", got)
	}
	for _, r := range specs {
		if r.Height > 720 {
			t.Errorf("rung %s at %dx%d above the source", r.ID, r.Width, r.Height)
		}
	}
	old, err := planRungs(TitleRequest{Profile: p}, video, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(old); got != "c720 e432" {
		t.Errorf("old planRungs kept %s", got)
	}
}

// twoShotTrials is fakeTrial's grid of p on a 720p source of two shots,
// frames 0–39 and 40–99, each its own sampled range.
func twoShotTrials(t *testing.T, p profile.Profile) (*media.StreamInfo, TrialEncodeOutput) {
	t.Helper()
	src := source(1280, 720)
	video := src.Video()
	ranges := []TrialRange{{Shot: 0, StartFrame: 0, Frames: 40, Weight: 40}, {Shot: 1, StartFrame: 40, Frames: 60, Weight: 60}}
	grid, err := TrialGrid(p, video)
	if err != nil {
		t.Fatal(err)
	}
	trials, err := fakeTrial(context.Background(), TrialEncodeInput{Ranges: ranges, Grid: grid})
	if err != nil {
		t.Fatal(err)
	}
	return video, trials
}

// TestPlanPerShotFloor: the per-shot plan keeps every chunk at or above
// the VMAF floor (or at the rung CRF's own quality when that is lower),
// where the unconstrained plan starves the hard chunk.
func TestPlanPerShotFloor(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {rungs: 4, heights: [360, 540, 720], crfs: [18, 24, 30, 36], max_vmaf: 97, min_vmaf: 1}\n")
	video, trials := twoShotTrials(t, p)
	rungs, specs, _, err := SelectRungs(p, video, trials, ladder.BetweenCubic)
	if err != nil {
		t.Fatal(err)
	}
	spans := []ladder.ShotSpan{{Start: 0, Frames: 40}, {Start: 40, Frames: 60}}
	chunks := []plan.Chunk{{Index: 0, StartFrame: 0, Frames: 50}, {Index: 1, StartFrame: 50, Frames: 50}}
	quality := func(rung PerTitleRung, c int, crf float64) float64 {
		shots, err := chunkOptions(trials, spans, []int{0, 1}, chunks, rung.Width, rung.Height, rung.Codec, 1, ladder.BetweenChord)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range shots[c].Options {
			if o.CRF == crf {
				return o.Quality
			}
		}
		t.Fatalf("chunk %d has no option at CRF %v", c, crf)
		return 0
	}
	plan := func(floor float64) []PerTitleRung {
		pt := &PerTitle{Shots: spans, Of: []int{0, 1}, Trials: trials, Rungs: slices.Clone(rungs), PerShot: true}
		if _, err := PlanPerShot(pt, specs, chunks, PerShotOptions{CRFStep: 1, Floor: floor}); err != nil {
			t.Fatal(err)
		}
		return pt.Rungs
	}
	// Without a floor some chunk is planned below the quality the rung's
	// own CRF gives it (the optimizer moves quality to the cheap chunk).
	floor := 0.0
	for _, r := range plan(0) {
		for c := range chunks {
			if u := quality(r, c, r.CRF); quality(r, c, r.ChunkCRFs[c]) < u-1e-9 {
				floor = max(floor, u)
			}
		}
	}
	if floor == 0 {
		t.Fatal("the unconstrained plan lowers no chunk below its rung CRF's quality: nothing for the floor to do")
	}
	// With that quality as the floor, no chunk goes below min(floor, its
	// quality at the rung's CRF).
	for _, r := range plan(floor) {
		for c := range chunks {
			least := min(floor, quality(r, c, r.CRF))
			if q := quality(r, c, r.ChunkCRFs[c]); q < least-1e-9 {
				t.Errorf("floor %.2f: rung %s chunk %d planned at VMAF %.2f, below %.2f", floor, r.ID, c, q, least)
			}
		}
	}
}

// TestPlanPerShotResolution: with resolution choice, chunks of a rung may
// take a smaller trial size (never a larger one than the rung's), the
// plan reaches the rung's uniform VMAF with no more bits than the CRF-only
// plan, which is one of its choices, and the rungs whose chunks change
// size are the ones SizeChanges reports.
func TestPlanPerShotResolution(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {rungs: 4, heights: [360, 540, 720], crfs: [18, 24, 30, 36], max_vmaf: 97}\n")
	video, trials := twoShotTrials(t, p)
	// The hard range loses detail at the larger sizes faster: its VMAF
	// there is lower for the same CRF, so at equal quality a smaller size
	// can be the cheaper way (as for grainy or fast content).
	for i := range trials.Results {
		r := &trials.Results[i]
		r.Shots[1].VMAF *= 1 - 0.1*float64(r.Height-360)/360
		r.Estimate(trials.FPS)
	}
	rungs, specs, _, err := SelectRungs(p, video, trials, ladder.BetweenCubic)
	if err != nil {
		t.Fatal(err)
	}
	spans := []ladder.ShotSpan{{Start: 0, Frames: 40}, {Start: 40, Frames: 60}}
	chunks := []plan.Chunk{{Index: 0, StartFrame: 0, Frames: 40}, {Index: 1, StartFrame: 40, Frames: 60}}
	run := func(res bool) ([]PerTitleRung, [][]media.RungSpec) {
		pt := &PerTitle{Shots: spans, Of: []int{0, 1}, Trials: trials, Rungs: slices.Clone(rungs), PerShot: true}
		perChunk, err := PlanPerShot(pt, specs, chunks, PerShotOptions{CRFStep: 1, Floor: 1, Resolution: res})
		if err != nil {
			t.Fatal(err)
		}
		return pt.Rungs, perChunk
	}
	crfOnly, crfChunks := run(false)
	both, perChunk := run(true)
	if slices.Contains(SizeChanges(specs, crfChunks), true) {
		t.Error("the CRF-only plan changes sizes")
	}
	heights := map[int]bool{360: true, 540: true, 720: true}
	changed := SizeChanges(specs, perChunk)
	smaller := false
	for r, rung := range both {
		if len(rung.ChunkHeights) != len(chunks) || crfOnly[r].ChunkHeights != nil {
			t.Fatalf("rung %s: chunk heights %v (CRF-only %v)", rung.ID, rung.ChunkHeights, crfOnly[r].ChunkHeights)
		}
		if rung.PredictedKbps > crfOnly[r].PredictedKbps*(1+1e-9) || rung.PredictedVMAF < crfOnly[r].PredictedVMAF-1e-6 {
			t.Errorf("rung %s: %v kbit/s VMAF %v with resolution choice, %v kbit/s VMAF %v without",
				rung.ID, rung.PredictedKbps, rung.PredictedVMAF, crfOnly[r].PredictedKbps, crfOnly[r].PredictedVMAF)
		}
		differs := false
		for c := range chunks {
			s := perChunk[c][r]
			if s.Height != rung.ChunkHeights[c] || !heights[s.Height] || s.Height > specs[r].Height || s.CRF != rung.ChunkCRFs[c] {
				t.Errorf("rung %s chunk %d: spec %dx%d CRF %v, plan height %d CRF %v", rung.ID, c, s.Width, s.Height, s.CRF, rung.ChunkHeights[c], rung.ChunkCRFs[c])
			}
			if s.Width*video.Height != s.Height*video.Width {
				t.Errorf("rung %s chunk %d: %dx%d off the source's aspect", rung.ID, c, s.Width, s.Height)
			}
			if s.Height != specs[r].Height {
				differs = true
			}
			if s.Height < specs[r].Height {
				smaller = true
			}
		}
		if differs != changed[r] {
			t.Errorf("rung %s: SizeChanges %v, chunk heights %v", rung.ID, changed[r], rung.ChunkHeights)
		}
		t.Logf("rung %s %dp CRF %v: chunk heights %v CRFs %v, %.0f kbit/s (CRF only %.0f, uniform %.0f)", rung.ID, rung.Height, rung.CRF,
			rung.ChunkHeights, rung.ChunkCRFs, rung.PredictedKbps, crfOnly[r].PredictedKbps, rung.UniformKbps)
	}
	if !smaller {
		t.Error("no chunk took a smaller size than its rung's, though the hard range is cheaper small")
	}
}

// TestPlanPerShotSaturatedChunk: a chunk whose trial encodes at the rung's
// size score VMAF 100 at two trial CRFs (a chunk of a few frames) has no
// hull segment above the lower one, so the rung's CRF between them is not
// among its interpolated options. The plan predicts that option from the
// trial encodes on either side instead of failing the title.
func TestPlanPerShotSaturatedChunk(t *testing.T) {
	p := perTitleProfile(t, "  per_title: {rungs: 2, heights: [360, 720], crfs: [18, 24, 30, 36]}\n")
	_, trials := twoShotTrials(t, p)
	for k, r := range trials.Results {
		if r.Height == 720 && r.CRF <= 24 {
			trials.Results[k].Shots[1].VMAF = 100
		}
	}
	rung := PerTitleRung{ID: "720p", Rung: ladder.Rung{Point: ladder.Point{Width: 1280, Height: 720, Codec: "h264", CRF: 21}, Interpolated: true}}
	specs := []media.RungSpec{{ID: "720p", Width: 1280, Height: 720, Codec: "h264", CRF: 21}}
	spans := []ladder.ShotSpan{{Start: 0, Frames: 40}, {Start: 40, Frames: 60}}
	chunks := []plan.Chunk{{Index: 0, StartFrame: 0, Frames: 50}, {Index: 1, StartFrame: 50, Frames: 50}}
	shots, err := chunkOptions(trials, spans, []int{0, 1}, chunks, 1280, 720, "h264", 1, ladder.BetweenCubic)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(shots[1].Options, func(o ladder.ShotOption) bool { return o.CRF == 21 }) {
		t.Fatal("chunk 1 has an option at CRF 21: the test does not reach the case")
	}
	pt := &PerTitle{Shots: spans, Of: []int{0, 1}, Trials: trials, Rungs: []PerTitleRung{rung}, PerShot: true}
	if _, err := PlanPerShot(pt, specs, chunks, PerShotOptions{CRFStep: 1, Floor: 30, Between: ladder.BetweenCubic}); err != nil {
		t.Fatal(err)
	}
	got := pt.Rungs[0]
	if len(got.ChunkCRFs) != 2 || !(got.UniformKbps > 0) || !(got.PredictedKbps <= got.UniformKbps) || !(got.PredictedVMAF > 0) {
		t.Fatalf("plan %+v", got)
	}
}

func TestOptionAtCRF(t *testing.T) {
	opts := []ladder.ShotOption{{CRF: 30, Bits: 100, Quality: 70}, {CRF: 18, Bits: 800, Quality: 95}, {CRF: 24, Bits: 400, Quality: 90}}
	for _, tc := range []struct {
		crf     float64
		bits, q float64
		ok      bool
	}{
		{24, 400, 90, true},                  // a trial CRF's own
		{21, 400 * math.Sqrt(2), 92.5, true}, // halfway: log bits and quality linear in CRF
		{27, 200, 80, true},
		{17, 0, 0, false}, {31, 0, 0, false}, // outside the trial CRFs
	} {
		o, ok := optionAtCRF(opts, tc.crf)
		if ok != tc.ok || ok && (o.CRF != tc.crf || math.Abs(o.Bits-tc.bits) > 1e-9 || math.Abs(o.Quality-tc.q) > 1e-9) {
			t.Errorf("CRF %v: %+v, %v; want %v bits, quality %v, %v", tc.crf, o, ok, tc.bits, tc.q, tc.ok)
		}
	}
}
