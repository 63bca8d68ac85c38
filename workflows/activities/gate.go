package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/vision"
	"github.com/reel-video/reel/workflows"
)

// GateCheck lists a title's blockers for the QC gate: every QC event of
// severity "blocker" on the source and on each rung (read from the QC
// files the analysis and scoring wrote), a rung whose frame count or
// duration differs from the source's, a rung whose mean VMAF is below the
// ladder's floor, and concealed corrupt frames.
func (a *Activities) GateCheck(ctx context.Context, in workflows.GateCheckInput) (workflows.GateCheckOutput, error) {
	var out workflows.GateCheckOutput
	// Thumbnails are named relative to their QC file; blockers name them
	// relative to the title's output.
	add := func(stream string, qcPath string, events []qcrun.Event) {
		dir := path.Dir(filepath.ToSlash(relLoc(in.Out, qcPath)))
		for _, e := range events {
			if e.Severity != vision.SeverityBlocker {
				continue
			}
			out.Blockers = append(out.Blockers, workflows.Blocker{
				Check: e.Check, Stream: stream, StartFrame: e.StartFrame, EndFrame: e.EndFrame,
				StartTC: e.StartTC, EndTC: e.EndTC, Value: e.Value, Threshold: e.Threshold,
				Detail: e.Detail, Thumbnail: outRel(dir, e.Thumbnail),
			})
		}
	}
	read := func(s *workflows.QCSummary) ([]qcrun.Event, error) {
		if s == nil || s.Path == "" || s.Events[string(vision.SeverityBlocker)] == 0 {
			return nil, nil // no blocker counted: nothing to read
		}
		b, err := a.readLoc(ctx, s.Path)
		if err != nil {
			return nil, fmt.Errorf("gate: read %s: %w", s.Path, err)
		}
		var o qcrun.Output
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, fmt.Errorf("gate: %s: %w", s.Path, err)
		}
		return o.Events, nil
	}
	evs, err := read(in.SourceQC)
	if err != nil {
		return out, classify(err)
	}
	if in.SourceQC != nil {
		add("source", in.SourceQC.Path, evs)
	}
	scores := map[string]workflows.RungScore{}
	for _, s := range in.Scores {
		scores[s.ID] = s
		if evs, err = read(s.QC); err != nil {
			return out, classify(err)
		}
		if s.QC != nil {
			add(s.ID, s.QC.Path, evs)
		}
	}
	for _, r := range in.Rungs {
		if in.SourceFrames > 0 && r.Frames != in.SourceFrames {
			out.Blockers = append(out.Blockers, workflows.Blocker{Check: "frame_count", Stream: r.ID,
				Value: float64(r.Frames), Threshold: float64(in.SourceFrames),
				Detail: fmt.Sprintf("rung has %d frames, the source %d", r.Frames, in.SourceFrames)})
		}
		if tol := max(in.FrameSeconds, 1e-3); in.SourceSeconds > 0 && math.Abs(r.DurationSec-in.SourceSeconds) >= tol {
			out.Blockers = append(out.Blockers, workflows.Blocker{Check: "duration", Stream: r.ID,
				Value: r.DurationSec, Threshold: in.SourceSeconds,
				Detail: fmt.Sprintf("rung lasts %.3f s, the source %.3f s", r.DurationSec, in.SourceSeconds)})
		}
		if s, ok := scores[r.ID]; ok && in.MinVMAF > 0 && s.VMAF.Mean < in.MinVMAF {
			out.Blockers = append(out.Blockers, workflows.Blocker{Check: "min_vmaf", Stream: r.ID,
				EndFrame: r.Frames, Value: s.VMAF.Mean, Threshold: in.MinVMAF,
				Detail: fmt.Sprintf("mean VMAF %.2f below the ladder's floor %g", s.VMAF.Mean, in.MinVMAF)})
		}
	}
	if n := len(in.Concealed); n > 0 {
		out.Blockers = append(out.Blockers, workflows.Blocker{Check: "concealed", Stream: "source",
			StartFrame: in.Concealed[0], EndFrame: in.Concealed[n-1] + 1, Value: float64(n),
			Detail: fmt.Sprintf("%d corrupt source frames concealed (first %d)", n, in.Concealed[0])})
	}
	return out, nil
}

// outRel is a thumbnail named relative to its QC file's directory dir,
// relative to the title's output instead.
func outRel(dir, thumb string) string {
	// Source QC files name thumbnails from their own directory
	// ("thumbs/…"), rungs' from the output ("qc/thumbs/…").
	if thumb == "" || path.IsAbs(thumb) || dir == "." || dir == "/" || strings.HasPrefix(thumb, dir+"/") {
		return thumb
	}
	return path.Join(dir, thumb)
}
