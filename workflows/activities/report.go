package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// ReportPath returns where a title's report goes.
func ReportPath(out string) string { return joinLoc(out, reportRel) }

const reportRel = "report.json"

// WriteReport writes the title's report.json atomically (for an
// object-store output: uploads it whole). It reads the scores and QC
// results back from where the earlier stages wrote them.
func (a *Activities) WriteReport(ctx context.Context, in workflows.WriteReportInput) (workflows.WriteReportOutput, error) {
	r := report.Report{
		SchemaVersion: report.SchemaVersion,
		Title:         report.Title{ID: in.TitleID, Source: in.Source.URI, Out: in.Out, WorkflowID: in.WorkflowID, RunID: in.RunID, Request: in.Request},
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
		rel := relLoc(in.Out, o.Path)
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
			rr.ScoresPath = relLoc(in.Out, sc.ScoresPath)
			res, err := a.readResultLoc(ctx, sc.ScoresPath)
			if err != nil {
				return workflows.WriteReportOutput{}, classify(fmt.Errorf("rung %s scores: %w", o.ID, err))
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
	if err := a.worstMoments(ctx, in, &r); err != nil {
		return workflows.WriteReportOutput{}, classify(err)
	}
	for _, sh := range in.Shots {
		r.Shots = append(r.Shots, report.Shot{Start: sh.Start, End: sh.End, Confidence: sh.Confidence, Kind: sh.Kind})
	}
	for _, a := range in.Audio {
		rel := relLoc(in.Out, a.Path)
		r.Audio = append(r.Audio, report.Audio{ID: a.ID, Path: rel, Codec: a.Codec, Channels: a.Channels, SampleRate: a.SampleRate,
			BitrateKbps: a.BitrateKbps, Bytes: a.Bytes, DurationSec: a.DurationSec, StartSec: a.StartSec})
	}
	if len(in.Chunks) > 0 {
		r.Chunks = &report.Chunks{Count: len(in.Chunks), Reused: in.ReusedChunks, Concealed: in.Concealed}
		for _, c := range in.Chunks {
			r.Chunks.Plan = append(r.Chunks.Plan, report.ChunkSpan{Start: c.StartFrame, Frames: c.Frames})
		}
	}
	r.Ladder = ladderSection(in.Source, in.PerTitle, r.Rungs)
	r.Gate = gateSection(in.Gate)
	r.Package = packageSection(in.Package, in.SegmentSeconds)
	qc, err := a.qcSection(ctx, in)
	if err != nil {
		return workflows.WriteReportOutput{}, classify(err)
	}
	r.QC = qc
	path, html, err := a.writeReportFiles(ctx, in.Out, &r)
	if err != nil {
		return workflows.WriteReportOutput{}, err
	}
	out := workflows.WriteReportOutput{Path: path, HTMLPath: html}
	if r.Ladder != nil && r.Ladder.Reference != nil {
		ref := r.Ladder.Reference
		out.Comparison = &workflows.LadderComparison{Reference: ref.Name,
			BDRateMeasured: ref.BDRateMeasured, BDRatePredicted: ref.BDRatePredicted, BDVMAFMeasured: ref.BDVMAFMeasured,
			BDRateMeasuredError: ref.BDRateMeasuredError}
	}
	return out, nil
}

// qcSection gathers the QC results the analyze and score stages wrote.
func (a *Activities) qcSection(ctx context.Context, in workflows.WriteReportInput) (*report.QC, error) {
	qc := &report.QC{Summary: map[string]int{}}
	load := func(path string) (*report.QCStream, error) {
		b, err := a.readLoc(ctx, path)
		if err != nil {
			return nil, err
		}
		var o qcrun.Output
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		st := &report.QCStream{Path: relLoc(in.Out, path), Frames: o.Frames, Skipped: o.Skipped, Events: []report.QCEvent{}}
		for _, e := range o.Events {
			st.Events = append(st.Events, report.QCEvent{
				Check: e.Check, Severity: string(e.Severity), StartFrame: e.StartFrame, EndFrame: e.EndFrame,
				StartTC: e.StartTC, EndTC: e.EndTC, Start: e.Start, End: e.End,
				Value: e.Value, Threshold: e.Threshold, Detail: e.Detail, Thumbnail: e.Thumbnail,
			})
			qc.Summary[string(e.Severity)]++
		}
		if a := o.Audio; a != nil {
			st.Audio = &report.QCAudio{Channels: a.Channels, SampleRate: a.SampleRate, IntegratedLUFS: a.IntegratedLUFS,
				LoudnessRangeLU: a.LoudnessRangeLU, TruePeakDBTP: a.TruePeakDBTP}
		}
		return st, nil
	}
	found := false
	if in.SourceQC != nil && in.SourceQC.Path != "" {
		st, err := load(in.SourceQC.Path)
		if err != nil {
			return nil, fmt.Errorf("source QC: %w", err)
		}
		qc.Source, found = st, true
	}
	for _, s := range in.Scores {
		if s.QC == nil || s.QC.Path == "" {
			continue
		}
		st, err := load(s.QC.Path)
		if err != nil {
			return nil, fmt.Errorf("rung %s QC: %w", s.ID, err)
		}
		if qc.Rungs == nil {
			qc.Rungs = map[string]*report.QCStream{}
		}
		qc.Rungs[s.ID], found = st, true
	}
	if !found {
		return nil, nil
	}
	return qc, nil
}

// writeReport writes r as out's report.json, whole, then report.html
// beside it (see writeReportFiles), and returns report.json's location.
func (a *Activities) writeReport(ctx context.Context, out string, r *report.Report) (string, error) {
	path, _, err := a.writeReportFiles(ctx, out, r)
	return path, err
}

// writeReportFiles writes r as out's report.json, whole, and renders
// report.html beside it; it returns both locations. A report.html that
// fails to render is a warning in the log and an empty location, not an
// error (report.json is the record), unless ctx is done.
func (a *Activities) writeReportFiles(ctx context.Context, out string, r *report.Report) (string, string, error) {
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return "", "", err
	}
	dst, err := a.openOut(ctx, out)
	if err != nil {
		return "", "", classify(fmt.Errorf("write report: %w", err))
	}
	defer dst.close()
	if err := dst.writeFile(ctx, reportRel, buf.Bytes()); err != nil {
		return "", "", classify(fmt.Errorf("write report: %w", err))
	}
	html, err := a.writeHTML(ctx, dst, out, r)
	if err != nil {
		return "", "", err
	}
	return dst.loc(reportRel), html, nil
}

// gateSection is report.json's gate section (nil before the gate).
func gateSection(g *workflows.GateState) *report.Gate {
	if g == nil {
		return nil
	}
	rg := &report.Gate{Mode: g.Mode, State: g.State}
	if g.HeldSince != nil {
		rg.HeldSince = g.HeldSince.UTC().Format(time.RFC3339)
	}
	for _, b := range g.Blockers {
		rg.Blockers = append(rg.Blockers, report.GateBlocker(b))
	}
	if r := g.Review; r != nil {
		rg.Review = &report.GateReview{Decision: r.Decision, By: r.By, Note: r.Note, At: r.At.UTC().Format(time.RFC3339)}
	}
	return rg
}

// packageSection is report.json's package section (nil when nothing was
// packaged).
func packageSection(p *workflows.PackageOutput, segmentSeconds float64) *report.Package {
	if p == nil {
		return nil
	}
	rp := &report.Package{Master: p.Master, MPD: p.MPD, SegmentSeconds: segmentSeconds, DurationSec: p.DurationSec}
	for _, r := range p.Renditions {
		rp.Renditions = append(rp.Renditions, report.PackageRendition{
			ID: r.ID, Kind: r.Kind, Codecs: r.Codecs, SampleEntry: r.SampleEntry, Width: r.Width, Height: r.Height,
			Init: r.Init, Playlist: r.Playlist, IFramePlaylist: r.IFramePlaylist, Segments: r.Segments,
			DurationSec: r.DurationSec, Bytes: r.Bytes, PeakBitrate: r.PeakBitrate, AverageBitrate: r.AverageBitrate,
		})
	}
	return rp
}
