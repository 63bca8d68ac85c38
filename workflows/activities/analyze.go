package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reel-video/reel/internal/qcrun"
	"github.com/reel-video/reel/vision"
	"github.com/reel-video/reel/workflows"
)

// QCPath returns where a stream's QC result goes ("source" or a rung id).
func QCPath(out, stream string) string { return filepath.Join(out, "qc", stream+".json") }

// ThumbDir returns the directory of a title's QC thumbnails.
func ThumbDir(out string) string { return filepath.Join(out, "qc", "thumbs") }

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
	var prev analyzeDone
	if resume(ctx, &prev) && prev.Result != nil {
		if _, err := os.Stat(prev.Result.QC.Path); err == nil {
			return *prev.Result, nil
		}
	}
	cfg, err := qcConfig(in.QC)
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(err)
	}
	hb := a.heartbeater(ctx)
	out, err := qcrun.Run(ctx, in.Source, qcrun.Options{
		Config:   &cfg,
		ThumbDir: ThumbDir(in.Out),
		Progress: func(n int) {
			hb.beat(false, analyzeDone{ActivityProgress: workflows.ActivityProgress{Done: n, Total: in.Frames}})
		},
	})
	if err != nil {
		return workflows.AnalyzeOutput{}, classify(err)
	}
	res, err := saveQC(in.Out, "source", out)
	if err != nil {
		return workflows.AnalyzeOutput{}, err
	}
	hb.beat(true, analyzeDone{ActivityProgress: workflows.ActivityProgress{Done: out.Frames, Total: out.Frames}, Result: &res})
	return res, nil
}

// saveQC writes a stream's QC result and summarises it.
func saveQC(out, stream string, o *qcrun.Output) (workflows.AnalyzeOutput, error) {
	path := QCPath(out, stream)
	// Thumbnail paths relative to the title's output, as the report wants.
	for i := range o.Events {
		if o.Events[i].Thumbnail != "" && filepath.IsAbs(o.Events[i].Thumbnail) {
			if rel, err := filepath.Rel(out, o.Events[i].Thumbnail); err == nil {
				o.Events[i].Thumbnail = rel
			}
		}
	}
	if err := qcrun.WriteJSON(path, o); err != nil {
		return workflows.AnalyzeOutput{}, fmt.Errorf("write %s: %w", path, err)
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
