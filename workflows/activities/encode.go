package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/workflows"
)

// encodeProgress is EncodeLadder's heartbeat: progress (clients read it) and
// the finished outputs once the encode is complete, so an attempt that dies
// before reporting completion is not redone.
type encodeProgress struct {
	workflows.ActivityProgress
	Outputs []media.RungOutput `json:"outputs,omitempty"`
}

// RungPath returns where a rung's file goes under a title's output directory.
func RungPath(out string, rungID string) string {
	return filepath.Join(out, "rungs", rungID+".mp4")
}

// EncodeLadder decodes the source once and encodes every rung from that one
// pass. Rung files are written whole or not at all.
func (a *Activities) EncodeLadder(ctx context.Context, in workflows.EncodeLadderInput) (workflows.EncodeLadderOutput, error) {
	var done encodeProgress
	if resume(ctx, &done) && len(done.Outputs) == len(in.Rungs) && outputsIntact(done.Outputs) {
		a.logger().Info("encode already finished by an earlier attempt", "source", in.Source)
		return workflows.EncodeLadderOutput{Rungs: done.Outputs}, nil
	}
	if err := os.MkdirAll(filepath.Join(in.Out, "rungs"), 0o755); err != nil {
		return workflows.EncodeLadderOutput{}, fmt.Errorf("encode: %w", err)
	}
	hb := a.heartbeater(ctx)
	hb.beat(true, encodeProgress{ActivityProgress: workflows.ActivityProgress{Total: in.Frames}})
	outs, err := a.Media.EncodeLadder(ctx, in.Source, in.Rungs,
		func(r media.RungSpec) string { return RungPath(in.Out, r.ID) },
		func(n, total int) {
			if total == 0 {
				total = in.Frames
			}
			hb.beat(false, encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: n, Total: total}})
		})
	if err != nil {
		return workflows.EncodeLadderOutput{}, classify(err)
	}
	hb.beat(true, encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: in.Frames, Total: in.Frames}, Outputs: outs})
	return workflows.EncodeLadderOutput{Rungs: outs}, nil
}

// outputsIntact reports whether every output file is still there at the
// size recorded.
func outputsIntact(outs []media.RungOutput) bool {
	for _, o := range outs {
		st, err := os.Stat(o.Path)
		if err != nil || st.Size() != o.Bytes {
			return false
		}
	}
	return true
}
