package activities

import (
	"context"
	"fmt"

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

// RungPath returns where a rung's file goes under a title's output location.
func RungPath(out string, rungID string) string { return joinLoc(out, rungRel(rungID)) }

func rungRel(rungID string) string { return "rungs/" + rungID + ".mp4" }

// EncodeLadder decodes the source once and encodes every rung from that one
// pass. Rung files are written whole or not at all.
func (a *Activities) EncodeLadder(ctx context.Context, in workflows.EncodeLadderInput) (workflows.EncodeLadderOutput, error) {
	ctx = a.withIO(ctx)
	var done encodeProgress
	if resume(ctx, &done) && len(done.Outputs) == len(in.Rungs) && a.outputsIntact(ctx, done.Outputs) {
		a.logger().Info("encode already finished by an earlier attempt", "source", in.Source)
		return workflows.EncodeLadderOutput{Rungs: done.Outputs}, nil
	}
	out, err := a.openOut(ctx, in.Out)
	if err != nil {
		return workflows.EncodeLadderOutput{}, classify(fmt.Errorf("encode: %w", err))
	}
	defer out.close()
	hb := a.heartbeater(ctx)
	hb.beat(true, encodeProgress{ActivityProgress: workflows.ActivityProgress{Total: in.Frames}})
	start := a.now()
	outs, err := a.Media.EncodeLadder(ctx, in.Source, in.Rungs,
		func(r media.RungSpec) string { return out.file(rungRel(r.ID)) },
		func(n, total int) {
			if total == 0 {
				total = in.Frames
			}
			hb.beat(false, encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: n, Total: total}})
		})
	if err != nil {
		return workflows.EncodeLadderOutput{}, classify(err)
	}
	// One decode of the source fed every rung.
	decoded := 0
	for _, o := range outs {
		decoded = max(decoded, o.Frames)
	}
	a.meter().FramesDecoded(decoded)
	a.countEncoded(in.Rungs, outs, a.now().Sub(start).Seconds())
	if out.remote() {
		for i := range outs {
			rel := out.relOf(outs[i].Path)
			if err := out.commit(ctx, rel); err != nil {
				return workflows.EncodeLadderOutput{}, classify(fmt.Errorf("encode: %w", err))
			}
			outs[i].Path = out.loc(rel)
		}
	}
	hb.beat(true, encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: in.Frames, Total: in.Frames}, Outputs: outs})
	return workflows.EncodeLadderOutput{Rungs: outs}, nil
}

// outputsIntact reports whether every output file is still there at the
// size recorded.
func (a *Activities) outputsIntact(ctx context.Context, outs []media.RungOutput) bool {
	for _, o := range outs {
		size, err := a.statLoc(ctx, o.Path)
		if err != nil || size != o.Bytes {
			return false
		}
	}
	return true
}
