package activities

import (
	"math"
	"strings"
	"testing"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// syntheticTrials is a 1280×720 title's trial results: bits halve every 6
// CRF, VMAF rises concavely with bits towards a ceiling set by the height.
func syntheticTrials(grid []workflows.TrialPoint) workflows.TrialEncodeOutput {
	const fps = 25
	out := workflows.TrialEncodeOutput{FPS: fps, ScoreWidth: 1280, ScoreHeight: 720, Model: "vmaf_v0.6.1"}
	for _, p := range grid {
		px := float64(p.Width * p.Height)
		bpf := px / 6 * math.Exp2(-(p.CRF-23)/6)
		v := (60 + 40*float64(p.Height)/720) * (1 - math.Exp(-bpf/(px/5)))
		res := workflows.TrialResult{TrialPoint: p, Shots: []workflows.TrialShot{{Frames: 50, Weight: 100, Bits: 50 * bpf, BitrateKbps: bpf * fps / 1000, VMAF: v}}}
		res.Estimate(fps)
		out.Results = append(out.Results, res)
	}
	return out
}

func TestLadderSection(t *testing.T) {
	src := media.SourceInfo{Streams: []media.StreamInfo{{Type: "video", Width: 1280, Height: 720, FPS: 25, FrameCount: 100, SampleAspect: "1:1"}}}
	p := profile.Default()
	grid, err := workflows.TrialGrid(p, src.Video())
	if err != nil {
		t.Fatal(err)
	}
	trials := syntheticTrials(grid)
	rungs, _, hull, err := workflows.SelectRungs(p, src.Video(), trials, ladder.BetweenCubic)
	if err != nil {
		t.Fatal(err)
	}
	pt := &workflows.PerTitle{Trials: trials, Rungs: rungs, Hull: hull, Sample: []workflows.TrialRange{{Frames: 50, Weight: 100}}}
	for _, scale := range []float64{1, 1.1} {
		var measured []report.Rung
		for _, r := range rungs {
			measured = append(measured, report.Rung{ID: r.ID, BitrateKbps: r.PredictedKbps * scale, VMAF: report.VMAF{Mean: r.PredictedVMAF}})
		}
		l := ladderSection(src, pt, measured)
		if l.Mode != "per-title" || len(l.Rungs) != len(rungs) || len(l.Trials.Grid) != len(grid) || len(l.Hull) != len(hull) {
			t.Fatalf("section %+v", l)
		}
		ref := l.Reference
		if ref == nil || ref.BDRatePredicted == nil || ref.BDRateMeasured == nil || ref.BDVMAFMeasured == nil {
			t.Fatalf("reference %+v", ref)
		}
		if len(ref.Rungs) != 9 || ref.Rungs[8].Height != 720 {
			t.Errorf("reference rungs %+v: want Apple's nine, capped at 720 lines", ref.Rungs)
		}
		// Measured rates scaled by 1.1 at the same VMAF: BD-rate moves by
		// exactly that factor.
		want := (1+*ref.BDRatePredicted)*scale - 1
		if math.Abs(*ref.BDRateMeasured-want) > 1e-9 {
			t.Errorf("scale %v: measured BD-rate %v, want %v (predicted %v)", scale, *ref.BDRateMeasured, want, *ref.BDRatePredicted)
		}
		if l.Trials.RangesOmitted || len(l.Trials.Grid[0].Ranges) != 1 {
			t.Errorf("per-range results: omitted %v, %d ranges; want them kept", l.Trials.RangesOmitted, len(l.Trials.Grid[0].Ranges))
		}
		for _, r := range l.Rungs {
			if r.MeasuredKbps == 0 || r.PredictedKbps == 0 || r.MeasuredVMAF != r.PredictedVMAF {
				t.Errorf("rung %+v", r)
			}
		}
	}
	// The per-range results left out of WriteReport's input (a long title
	// analysed chunk by chunk, workflows.ReportTrialShotsMax): said so.
	trimmed := *pt
	trimmed.Trials.Results = nil
	for _, r := range pt.Trials.Results {
		r.Shots = nil
		trimmed.Trials.Results = append(trimmed.Trials.Results, r)
	}
	if l := ladderSection(src, &trimmed, nil); !l.Trials.RangesOmitted || len(l.Trials.Grid) != len(grid) {
		t.Errorf("trimmed analysis: omitted %v, %d grid points", l.Trials.RangesOmitted, len(l.Trials.Grid))
	}
	// The every-chunk analysis's settings and mapping reach the report.
	analysed := *pt
	analysed.Analysis = &workflows.Analysis{Preset: "veryfast", CRFs: []float64{18, 28, 38}, VMAFEvery: 4, WindowFrames: 50,
		CalibrationChunks: []int{0, 3}, Calibration: []ladder.CalibrationPoint{{Width: 1280, Height: 720, CRF: 18, LogBits: 0.2, VMAF: 1.5, Stretches: 2}}}
	if a := ladderSection(src, &analysed, nil).Trials.Analysis; a == nil || a.Preset != "veryfast" || len(a.CalibrationChunks) != 2 || len(a.Calibration) != 1 || a.Calibration[0].VMAF != 1.5 {
		t.Errorf("analysis in the report: %+v", a)
	}
	if ladderSection(src, pt, nil).Trials.Analysis != nil {
		t.Error("a sampled analysis reported as every-chunk")
	}
	if l := ladderSection(src, nil, nil); l.Mode != "fixed" || l.Trials != nil {
		t.Errorf("fixed section %+v", l)
	}
	// Too few rungs for a BD-rate: the reason, not a number.
	one := *pt
	one.Rungs = rungs[:1]
	if ref := ladderSection(src, &one, nil).Reference; ref.BDRatePredicted != nil || !strings.Contains(ref.BDRatePredictedError, "at least 4") {
		t.Errorf("one rung: %+v", ref)
	}
}
