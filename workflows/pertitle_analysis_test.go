package workflows

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/reel-video/reel/ladder"
)

// The synthetic encoder's fast preset: 20% more bits and 1.5 VMAF points
// less than the final preset at the same CRF, on every content.
const (
	fakeFastPreset = "veryfast"
	fakeFastBits   = 1.2
	fakeFastVMAF   = -1.5
)

// fakeTrialPresets is fakeTrial with the fast preset's cost.
func fakeTrialPresets(ctx context.Context, in TrialEncodeInput) (TrialEncodeOutput, error) {
	out, err := fakeTrial(ctx, in)
	for i, r := range out.Results {
		if r.Preset != fakeFastPreset {
			continue
		}
		for j := range r.Shots {
			s := &out.Results[i].Shots[j]
			s.Bits *= fakeFastBits
			s.BitrateKbps *= fakeFastBits
			s.VMAF += fakeFastVMAF
		}
		out.Results[i].Estimate(out.FPS)
	}
	return out, err
}

// runFourChunks runs a per-title title of four 1 s chunks (3 trial
// heights, 4 CRFs, 0.5 s analysis windows, max_parallel 2) with calibrate
// calibration chunks on the synthetic encoder with a fast preset.
func runFourChunks(t *testing.T, calibrate int) *perTitleRun {
	t.Helper()
	p := perTitleProfile(t, fmt.Sprintf("  per_title: {rungs: 4, heights: [360, 540, 720], crfs: [18, 24, 30, 36], max_vmaf: 97, analysis: {calibrate: %d, chunk_seconds: 0.5}}\n", calibrate)+
		"segment_seconds: 1\nchunking: {min_seconds: 1, max_seconds: 1}\nencode: {max_parallel: 2}\n")
	run := runPerTitleWith(t, p, fakeTrialPresets)
	if run.err != nil {
		t.Fatal(run.err)
	}
	if len(run.chunks) != 4 {
		t.Fatalf("%d chunks, want 4 of 1 s", len(run.chunks))
	}
	return run
}

// TestEncodeTitlePerTitleEveryChunk: by default (version
// analyze-every-chunk) every chunk gets one analysis window from its
// start, trial-encoded on the fast grid (every size at the analysis CRFs,
// the faster preset, VMAF on every 4th frame) in activities fanned out at
// most max_parallel at once; the calibration chunks are also encoded on
// the full grid at the final preset, and the mapping fitted on them
// predicts the other chunks' final-preset results.
func TestEncodeTitlePerTitleEveryChunk(t *testing.T) {
	run := runFourChunks(t, 2)
	if run.maxTrials > 2 {
		t.Errorf("%d trial activities at once, max_parallel 2", run.maxTrials)
	}
	var fast []TrialRange
	var calibrated []int
	for _, in := range run.trials {
		switch {
		case len(in.Grid) == 9: // 3 sizes × 3 analysis CRFs
			if in.VMAFEvery != 4 {
				t.Errorf("fast trials score every %d frames, want 4", in.VMAFEvery)
			}
			for _, g := range in.Grid {
				if g.Preset != fakeFastPreset || !slices.Contains([]float64{18, 30, 36}, g.CRF) {
					t.Errorf("fast grid point %+v: want preset veryfast (medium's), CRFs 18 30 36", g)
				}
			}
			fast = append(fast, in.Ranges...)
		case len(in.Grid) == 12: // the full grid
			if in.VMAFEvery != 4 || len(in.Ranges) != 1 || in.Grid[0].Preset != "medium" {
				t.Errorf("calibration input %+v", in)
				continue
			}
			calibrated = append(calibrated, in.Ranges[0].Shot)
		default:
			t.Errorf("trial input with %d grid points", len(in.Grid))
		}
	}
	slices.SortFunc(fast, func(a, b TrialRange) int { return a.StartFrame - b.StartFrame })
	var want []TrialRange
	for c, ch := range run.chunks {
		want = append(want, TrialRange{Shot: c, StartFrame: ch.Chunk.StartFrame, Frames: 12, Weight: float64(ch.Chunk.Frames)})
	}
	if !slices.Equal(fast, want) {
		t.Fatalf("analysis windows %+v\nwant one per chunk %+v", fast, want)
	}
	if slices.Sort(calibrated); !slices.Equal(calibrated, []int{1, 3}) {
		t.Errorf("calibrated chunks %v, want 1 and 3 (spread over 4)", calibrated)
	}
	pt := run.report.PerTitle
	if pt == nil || pt.Analysis == nil || len(pt.Trials.Results) != 12 || len(pt.Shots) != 4 || !slices.Equal(pt.Of, []int{0, 1, 2, 3}) {
		t.Fatalf("per-title section %+v", pt)
	}
	a := pt.Analysis
	if a.Preset != fakeFastPreset || a.VMAFEvery != 4 || a.WindowFrames != 12 || !slices.Equal(a.CalibrationChunks, []int{1, 3}) || len(a.Calibration) != 12 {
		t.Errorf("analysis %+v", a)
	}
	// The mapping finds the preset's cost.
	for _, c := range a.Calibration {
		if c.Stretches != 2 || math.Abs(c.LogBits+math.Log(fakeFastBits)) > 0.05 || math.Abs(c.VMAF+fakeFastVMAF) > 1 {
			t.Errorf("calibration %+v: want log bits %.3f, VMAF %+.1f", c, -math.Log(fakeFastBits), -fakeFastVMAF)
		}
	}
	// Every chunk's results at the final preset: measured on the
	// calibrated ones, predicted on the others close to what the final
	// preset gives.
	var grid []TrialPoint
	for _, r := range pt.Trials.Results {
		grid = append(grid, r.TrialPoint)
	}
	truth, _ := fakeTrial(context.Background(), TrialEncodeInput{Grid: grid, Ranges: pt.Sample})
	for g, r := range pt.Trials.Results {
		if len(r.Shots) != 4 {
			t.Fatalf("result %d: %d chunks", g, len(r.Shots))
		}
		for j, s := range r.Shots {
			tr := truth.Results[g].Shots[j]
			measured := j == 1 || j == 3
			if measured && (s.Bits != tr.Bits || s.VMAF != tr.VMAF) {
				t.Errorf("point %d chunk %d: calibrated chunk's result %+v, measured %+v", g, j, s, tr)
			}
			if d, rb := math.Abs(s.VMAF-tr.VMAF), s.Bits/tr.Bits; d > 1 || rb < 0.9 || rb > 1.1 {
				t.Errorf("point %d (%dp CRF %g) chunk %d: predicted VMAF %.2f bits %.0f, final preset %.2f, %.0f", g, r.Height, r.CRF, j, s.VMAF, s.Bits, tr.VMAF, tr.Bits)
			}
		}
	}
	for _, r := range pt.Rungs {
		if len(r.ChunkCRFs) != 4 {
			t.Errorf("rung %s: chunk CRFs %v for 4 chunks", r.ID, r.ChunkCRFs)
		}
	}
}

func TestCalibrationChunks(t *testing.T) {
	tests := []struct {
		n, k int
		want []int
	}{
		{4, 2, []int{1, 3}},
		{10, 3, []int{1, 5, 8}},
		{2, 3, []int{0, 1}},
		{1, 3, []int{0}},
		{30, 1, []int{15}},
	}
	for _, c := range tests {
		if got := CalibrationChunks(c.n, c.k); !slices.Equal(got, c.want) {
			t.Errorf("CalibrationChunks(%d, %d) = %v, want %v", c.n, c.k, got, c.want)
		}
	}
}

func TestAnalysisGroups(t *testing.T) {
	tests := []struct {
		n, limit int
		want     [][2]int
	}{
		{4, 2, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}}},
		{13, 1, [][2]int{{0, 4}, {4, 8}, {8, 12}, {12, 13}}},
		{30, 2, [][2]int{{0, 4}, {4, 8}, {8, 12}, {12, 16}, {16, 20}, {20, 24}, {24, 28}, {28, 30}}},
	}
	for _, c := range tests {
		if got := analysisGroups(c.n, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("analysisGroups(%d, %d) = %v, want %v", c.n, c.limit, got, c.want)
		}
	}
}

// TestEncodeTitlePerTitleAllCalibrated: a title of no more chunks than
// analysis.calibrate has every chunk encoded on the full grid at the final
// preset, so (version analysis-all-calibrated) no fast trial runs and the
// per-title plan reads each chunk's own measurements.
func TestEncodeTitlePerTitleAllCalibrated(t *testing.T) {
	run := runFourChunks(t, 4)
	var calibrated []int
	for _, in := range run.trials {
		if len(in.Grid) != 12 || len(in.Ranges) != 1 || in.Grid[0].Preset != "medium" {
			t.Errorf("trial input with %d grid points at preset %s: want only the full grid at medium", len(in.Grid), in.Grid[0].Preset)
			continue
		}
		calibrated = append(calibrated, in.Ranges[0].Shot)
	}
	if slices.Sort(calibrated); !slices.Equal(calibrated, []int{0, 1, 2, 3}) {
		t.Errorf("calibrated chunks %v, want all 4", calibrated)
	}
	pt := run.report.PerTitle
	if pt == nil || pt.Analysis == nil || len(pt.Trials.Results) != 12 {
		t.Fatalf("per-title section %+v", pt)
	}
	if a := pt.Analysis; a.FastSeconds != 0 || len(a.Calibration) != 0 || !slices.Equal(a.CalibrationChunks, []int{0, 1, 2, 3}) {
		t.Errorf("analysis %+v: want no fast trials and no fitted mapping", a)
	}
	var grid []TrialPoint
	for _, r := range pt.Trials.Results {
		grid = append(grid, r.TrialPoint)
	}
	truth, _ := fakeTrial(context.Background(), TrialEncodeInput{Grid: grid, Ranges: pt.Sample})
	for g, r := range pt.Trials.Results {
		for j, s := range r.Shots {
			if tr := truth.Results[g].Shots[j]; s.Bits != tr.Bits || s.VMAF != tr.VMAF {
				t.Errorf("point %d chunk %d: %+v, measured %+v", g, j, s, tr)
			}
		}
	}
}

// TestMeasuredAnalysis: every chunk's measurements, in chunk order, kept
// monotone in CRF; a missing chunk or a grid mismatch is an error.
func TestMeasuredAnalysis(t *testing.T) {
	full := []TrialPoint{{Width: 640, Height: 360, Codec: "h264", CRF: 23, Preset: "medium"}, {Width: 640, Height: 360, Codec: "h264", CRF: 28, Preset: "medium"}}
	chunk := func(c int, v23, v28 float64) Calibrated {
		return Calibrated{Chunk: c, Out: TrialEncodeOutput{FPS: 25, Encoded: 2, Results: []TrialResult{
			{TrialPoint: full[0], Shots: []TrialShot{{Frames: 10, Bits: 2000, VMAF: v23, VMAFMin: v23 - 5}}},
			{TrialPoint: full[1], Shots: []TrialShot{{Frames: 10, Bits: 1000, VMAF: v28, VMAFMin: v28 - 5}}}}}}
	}
	// Chunk 1's VMAF rises with CRF (noise): made flat.
	out, err := MeasuredAnalysis([]Calibrated{chunk(1, 80, 82), chunk(0, 90, 85)}, full)
	if err != nil {
		t.Fatal(err)
	}
	if out.Encoded != 4 || len(out.Results) != 2 || len(out.Results[0].Shots) != 2 {
		t.Fatalf("output %+v", out)
	}
	for g, want := range [][2]float64{{90, 80}, {85, 80}} {
		for j, v := range want {
			if s := out.Results[g].Shots[j]; s.VMAF != v || s.Shot != j || s.Range != j {
				t.Errorf("point %d chunk %d: VMAF %g shot %d range %d, want VMAF %g, shot and range %d", g, j, s.VMAF, s.Shot, s.Range, v, j)
			}
		}
	}
	if _, err := MeasuredAnalysis([]Calibrated{chunk(0, 90, 85), chunk(2, 80, 75)}, full); !errors.Is(err, ladder.ErrNoPoints) {
		t.Errorf("chunk 1 missing: error %v", err)
	}
	if _, err := MeasuredAnalysis([]Calibrated{chunk(0, 90, 85)}, full[:1]); !errors.Is(err, ladder.ErrNoPoints) {
		t.Errorf("grid mismatch: error %v", err)
	}
	if _, err := MeasuredAnalysis(nil, full); !errors.Is(err, ladder.ErrNoPoints) {
		t.Errorf("nothing calibrated: error %v", err)
	}
}

// TestMapAnalysisErrors: trials that do not fit together are errors, not
// guesses.
func TestMapAnalysisErrors(t *testing.T) {
	full := []TrialPoint{{Width: 640, Height: 360, Codec: "h264", CRF: 23, Preset: "medium"}}
	fast := TrialEncodeOutput{FPS: 25, Results: []TrialResult{
		{TrialPoint: TrialPoint{Width: 640, Height: 360, Codec: "h264", CRF: 18, Preset: "veryfast"}, Shots: []TrialShot{{Frames: 10, Bits: 2000, VMAF: 95}}},
		{TrialPoint: TrialPoint{Width: 640, Height: 360, Codec: "h264", CRF: 28, Preset: "veryfast"}, Shots: []TrialShot{{Frames: 10, Bits: 1000, VMAF: 85}}},
	}}
	cal := []Calibrated{{Chunk: 0, Out: TrialEncodeOutput{Results: []TrialResult{{TrialPoint: full[0], Shots: []TrialShot{{Frames: 10, Bits: 1300, VMAF: 91}}}}}}}
	if _, _, err := MapAnalysis(fast, cal, full); err != nil {
		t.Fatalf("consistent trials: %v", err)
	}
	other := []TrialPoint{{Width: 1280, Height: 720, Codec: "h264", CRF: 23, Preset: "medium"}}
	if _, _, err := MapAnalysis(fast, cal, other); !errors.Is(err, ladder.ErrNoPoints) {
		t.Error("a full-grid size without fast trials: no error")
	}
	if _, _, err := MapAnalysis(fast, nil, full); err == nil {
		t.Error("no calibration: no error")
	}
	if _, _, err := MapAnalysis(fast, append(cal, cal[0]), full); !errors.Is(err, ladder.ErrNoPoints) {
		t.Error("a chunk calibrated twice: no error")
	}
	if _, _, err := MapAnalysis(TrialEncodeOutput{}, cal, full); err == nil {
		t.Error("no fast trials: no error")
	}
}
