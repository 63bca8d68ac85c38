package activities

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"

	"github.com/reel-video/reel/internal/atomicfile"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// ReportPath returns where a title's report goes.
func ReportPath(out string) string { return filepath.Join(out, "report.json") }

// WriteReport writes the title's report.json atomically.
func (a *Activities) WriteReport(ctx context.Context, in workflows.WriteReportInput) (workflows.WriteReportOutput, error) {
	r := report.Report{
		SchemaVersion: report.SchemaVersion,
		Title:         report.Title{ID: in.TitleID, Source: in.Source.URI, Out: in.Out, WorkflowID: in.WorkflowID, RunID: in.RunID},
		Profile:       in.Profile,
		Source:        in.Source,
		Timings:       in.Timings,
		Warnings:      append([]string{}, in.Warnings...),
		CreatedAt:     a.now().UTC().Format("2006-01-02T15:04:05Z"),
	}
	if r.Title.Source == "" {
		r.Title.Source = in.Source.URI
	}
	scores := map[string]workflows.RungScore{}
	for _, s := range in.Scores {
		scores[s.ID] = s
	}
	for i, o := range in.Rungs {
		rel, err := filepath.Rel(in.Out, o.Path)
		if err != nil {
			rel = o.Path
		}
		sc := scores[o.ID]
		rr := report.Rung{
			ID: o.ID, Path: rel, Width: o.Width, Height: o.Height, Codec: o.Codec,
			BitrateKbps: o.BitrateKbps, Bytes: o.Bytes, Frames: o.Frames,
			DurationSec: o.DurationSec, EncodeSeconds: o.EncodeSeconds,
			PSNRY: sc.PSNRY,
			VMAF: report.VMAF{
				Mean: sc.VMAF.Mean, HarmonicMean: sc.VMAF.HarmonicMean, Min: sc.VMAF.Min, Max: sc.VMAF.Max,
				P1: sc.VMAF.P1, P5: sc.VMAF.P5, P10: sc.VMAF.P10,
			},
		}
		if sc.ScoresPath != "" {
			if rel, err := filepath.Rel(in.Out, sc.ScoresPath); err == nil {
				rr.ScoresPath = rel
			}
			res, err := readResult(sc.ScoresPath)
			if err != nil {
				return workflows.WriteReportOutput{}, fmt.Errorf("rung %s scores: %w", o.ID, err)
			}
			rr.VMAF.PerFrame, _ = res.Series("vmaf")
		}
		if i < len(in.Specs) {
			rr.Settings = in.Specs[i]
		}
		if in.Source.Video() != nil && o.Frames != in.Source.Video().FrameCount && in.Source.Video().FrameCount > 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf("rung %s has %d frames, source has %d", o.ID, o.Frames, in.Source.Video().FrameCount))
		}
		r.Rungs = append(r.Rungs, rr)
	}
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return workflows.WriteReportOutput{}, err
	}
	path := ReportPath(in.Out)
	if err := atomicfile.WriteFile(path, buf.Bytes()); err != nil {
		return workflows.WriteReportOutput{}, fmt.Errorf("write report: %w", err)
	}
	return workflows.WriteReportOutput{Path: path}, nil
}
