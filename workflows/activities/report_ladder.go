package activities

import (
	"slices"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// referenceName names the reference ladder of per-title reports.
const referenceName = "Apple HLS authoring specification, H.264 (416x234@145k … 1920x1080@7800k), capped at the source"

// ladderSection is the report's ladder section: the mode, and for a
// per-title ladder its analysis, its rungs predicted and measured (rungs
// as written in the report), and the reference comparison.
func ladderSection(src media.SourceInfo, pt *workflows.PerTitle, rungs []report.Rung) *report.Ladder {
	if pt == nil {
		return &report.Ladder{Mode: "fixed"}
	}
	l := &report.Ladder{Mode: "per-title", PerShot: pt.PerShot}
	tr := pt.Trials
	t := &report.Trials{FPS: tr.FPS, ScoreWidth: tr.ScoreWidth, ScoreHeight: tr.ScoreHeight, Model: tr.Model, Encoded: tr.Encoded, Reused: tr.Reused}
	for _, r := range pt.Sample {
		t.Sample = append(t.Sample, report.TrialRange{Shot: r.Shot, Start: r.StartFrame, Frames: r.Frames, Weight: r.Weight})
	}
	for _, res := range tr.Results {
		g := report.GridPoint{LadderPoint: report.LadderPoint{Width: res.Width, Height: res.Height, Codec: res.Codec, CRF: res.CRF,
			BitrateKbps: res.BitrateKbps, VMAF: res.VMAF}}
		for _, s := range res.Shots {
			g.Ranges = append(g.Ranges, report.GridRange{BitrateKbps: s.BitrateKbps, VMAF: s.VMAF, VMAFMin: s.VMAFMin, Reused: s.Reused})
		}
		t.Grid = append(t.Grid, g)
	}
	if len(pt.Sample) > 0 && len(tr.Results) > 0 && len(tr.Results[0].Shots) == 0 {
		t.RangesOmitted = true // workflows.ReportTrialShotsMax
	}
	if a := pt.Analysis; a != nil {
		ta := &report.TrialAnalysis{Preset: a.Preset, CRFs: a.CRFs, VMAFEvery: a.VMAFEvery, WindowFrames: a.WindowFrames,
			CalibrationChunks: a.CalibrationChunks, FastSeconds: a.FastSeconds, CalibrationSeconds: a.CalibrationSeconds}
		for _, c := range a.Calibration {
			ta.Calibration = append(ta.Calibration, report.CalibrationPoint(c))
		}
		t.Analysis = ta
	}
	l.Trials = t
	for _, p := range pt.Hull {
		l.Hull = append(l.Hull, report.LadderPoint{Width: p.Width, Height: p.Height, Codec: p.Codec, CRF: p.CRF, BitrateKbps: p.BitrateKbps, VMAF: p.VMAF})
	}
	measured := map[string]report.Rung{}
	for _, r := range rungs {
		measured[r.ID] = r
	}
	var predRD, measRD []ladder.RDPoint
	for _, r := range pt.Rungs {
		m, ok := measured[r.ID]
		lr := report.LadderRung{ID: r.ID, Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF, Interpolated: r.Interpolated,
			PredictedKbps: r.PredictedKbps, PredictedVMAF: r.PredictedVMAF, ChunkCRFs: r.ChunkCRFs, ChunkHeights: r.ChunkHeights, UniformKbps: r.UniformKbps}
		predRD = append(predRD, ladder.RDPoint{Rate: r.PredictedKbps, Quality: r.PredictedVMAF})
		if ok {
			lr.MeasuredKbps, lr.MeasuredVMAF = m.BitrateKbps, m.VMAF.Mean
			measRD = append(measRD, ladder.RDPoint{Rate: m.BitrateKbps, Quality: m.VMAF.Mean})
		}
		l.Rungs = append(l.Rungs, lr)
	}
	l.Reference = reference(src, tr, predRD, measRD)
	return l
}

// reference places the Apple HLS ladder on the title, predicts its VMAF
// from the trial curves and computes the BD deltas. Rungs of either ladder
// that a cheaper rung of the same ladder beats or matches in VMAF are left
// out of the BD measures (ladder.Monotone, as `reel ladder compare
// --monotone`): a fixed ladder's 720p rung can predict lower than its
// cheaper 540p rung on a title where 720p needs more bits.
func reference(src media.SourceInfo, tr workflows.TrialEncodeOutput, predRD, measRD []ladder.RDPoint) *report.Reference {
	ref := &report.Reference{Name: referenceName}
	v := src.Video()
	if v == nil {
		return ref
	}
	placed, err := ladder.PredictReference(workflows.LadderSource(v), ladder.AppleHLS(), tr.Points())
	if err != nil {
		ref.BDRatePredictedError, ref.BDRateMeasuredError, ref.BDVMAFMeasuredError = err.Error(), err.Error(), err.Error()
		return ref
	}
	refRD, dropped := ladder.Monotone(ladder.Predicted(placed))
	for _, p := range placed {
		ref.Rungs = append(ref.Rungs, report.ReferenceRung{Width: p.Width, Height: p.Height, BitrateKbps: p.BitrateKbps, PredictedVMAF: p.VMAF, Predicted: p.Predicted,
			Dominated: slices.Contains(dropped, ladder.RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}) && p.Predicted})
	}
	bd := func(f func(a, b []ladder.RDPoint) (float64, error), test []ladder.RDPoint) (*float64, string) {
		test, _ = ladder.Monotone(test)
		x, err := f(refRD, test)
		if err != nil {
			return nil, err.Error()
		}
		return &x, ""
	}
	ref.BDRatePredicted, ref.BDRatePredictedError = bd(ladder.BDRate, predRD)
	ref.BDRateMeasured, ref.BDRateMeasuredError = bd(ladder.BDRate, measRD)
	ref.BDVMAFMeasured, ref.BDVMAFMeasuredError = bd(ladder.BDQuality, measRD)
	return ref
}
