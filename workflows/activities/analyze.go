package activities

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/vision"
	"github.com/reel-video/reel/workflows"
)

// QCPath returns where a stream's QC result goes ("source" or a rung id).
func QCPath(out, stream string) string { return joinLoc(out, qcRel(stream)) }

func qcRel(stream string) string { return "qc/" + stream + ".json" }

// ThumbDir returns the directory of a title's QC thumbnails.
func ThumbDir(out string) string { return joinLoc(out, thumbRel) }

const thumbRel = "qc/thumbs"

// qcConfig is vision's default configuration with the profile's overrides.
func qcConfig(overrides map[string]any) (vision.Config, error) { return qcrun.Config(overrides) }

// analyzeDone is Analyze's heartbeat: progress, and the result once written.
type analyzeDone struct {
	workflows.ActivityProgress
	Result *workflows.AnalyzeOutput `json:"result,omitempty"`
}

// Analyze decodes the source once (video and audio) through the QC checks:
// black, freeze, borders, shots, interlace, levels, blockiness, blur,
// head/tail, loudness and silence. It writes qc/source.json and a thumbnail
// per video event, and returns the shot boundaries for chunk planning.
func (a *Activities) Analyze(ctx context.Context, in workflows.AnalyzeInput) (workflows.AnalyzeOutput, error) {
	ctx = a.withIO(ctx)
	var prev analyzeDone
	if resume(ctx, &prev) && prev.Result != nil {
		if _, err := a.statLoc(ctx, prev.Result.QC.Path); err == nil {
			return *prev.Result, nil
		}
	}
	cfg, err := qcConfig(in.QC)
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(err)
	}
	dst, err := a.openOut(ctx, in.Out)
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(fmt.Errorf("analyze: %w", err))
	}
	defer dst.close()
	hb := a.heartbeater(ctx)
	out, err := qcrun.Run(ctx, in.Source, qcrun.Options{
		Config:   &cfg,
		ThumbDir: dst.file(thumbRel),
		Tokens:   a.cpuTokens(),
		Progress: func(n int) {
			hb.beat(false, analyzeDone{ActivityProgress: workflows.ActivityProgress{Done: n, Total: in.Frames}})
		},
	})
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(err)
	}
	a.meter().FramesDecoded(out.Frames)
	res, err := saveQC(ctx, dst, "source", out)
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(err)
	}
	hb.beat(true, analyzeDone{ActivityProgress: workflows.ActivityProgress{Done: out.Frames, Total: out.Frames}, Result: &res})
	return res, nil
}

// saveQC writes a stream's QC result and summarises it; for an
// object-store output it uploads the thumbnails this activity wrote, then
// the result.
func saveQC(ctx context.Context, dst *outDir, stream string, o *qcrun.Output) (workflows.AnalyzeOutput, error) {
	rel := qcRel(stream)
	path := dst.loc(rel)
	// Thumbnail paths relative to the title's output, as the report wants.
	for i := range o.Events {
		if o.Events[i].Thumbnail != "" && filepath.IsAbs(o.Events[i].Thumbnail) {
			if rel, err := filepath.Rel(dst.dir, o.Events[i].Thumbnail); err == nil {
				o.Events[i].Thumbnail = filepath.ToSlash(rel)
			}
		}
	}
	if err := qcrun.WriteJSON(dst.file(rel), o); err != nil {
		return workflows.AnalyzeOutput{}, fmt.Errorf("write %s: %w", path, err)
	}
	if err := dst.commitTree(ctx, thumbRel); err != nil {
		return workflows.AnalyzeOutput{}, err
	}
	if err := dst.commit(ctx, rel); err != nil {
		return workflows.AnalyzeOutput{}, err
	}
	res := workflows.AnalyzeOutput{QC: workflows.QCSummary{Path: path, Events: map[string]int{}, Skipped: o.Skipped}}
	for _, e := range o.Events {
		res.QC.Events[string(e.Severity)]++
	}
	for _, s := range o.Shots {
		res.Shots = append(res.Shots, workflows.Shot{Start: s.StartFrame, End: s.EndFrame, Confidence: s.Confidence, Kind: string(s.Kind)})
	}
	return res, nil
}
