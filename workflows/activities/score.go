package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/workflows"
)

// scoreState is ScoreRungs' heartbeat: progress and the running sums, so a
// retried attempt skips the frames already scored.
type scoreState struct {
	workflows.ActivityProgress
	Frames int       `json:"frames"`
	Sums   []float64 `json:"sums"`
}

// ScoreRungs measures every rung against the source: the source is decoded
// once per rung at the rung's size (bicubic) and compared frame by frame
// with the decoded rung. It resumes from its last heartbeat.
func (a *Activities) ScoreRungs(ctx context.Context, in workflows.ScoreRungsInput) (workflows.ScoreRungsOutput, error) {
	start := a.Now()
	var st scoreState
	if !resume(ctx, &st) || len(st.Sums) != len(in.Rungs) {
		st = scoreState{Sums: make([]float64, len(in.Rungs))}
	}
	hb := a.heartbeater(ctx)
	total := in.Frames * len(in.Rungs)
	out := workflows.ScoreRungsOutput{}
	// One rung at a time: the frame index across rungs makes the progress.
	// st.Frames counts frames scored across all rungs so far.
	skip := st.Frames
	for i, r := range in.Rungs {
		n, err := a.scoreRung(ctx, in.Source, r.Path, r.Width, r.Height, &st, i, &skip, func(done int) {
			st.Done, st.Total = done, total
			hb.beat(false, st)
		})
		if err != nil {
			return out, classify(fmt.Errorf("score rung %s: %w", r.ID, err))
		}
		if n == 0 {
			return out, classify(fmt.Errorf("score rung %s: no frames decoded", r.ID))
		}
		out.Scores = append(out.Scores, workflows.RungScore{ID: r.ID, PSNRY: st.Sums[i] / float64(n), Frames: n})
	}
	out.Seconds = a.Now().Sub(start).Seconds()
	return out, nil
}

// scoreRung adds rung i's per-frame PSNR-Y to st.Sums[i]. Frames already
// counted by an earlier attempt (*skip of them) are decoded but not scored.
func (a *Activities) scoreRung(ctx context.Context, source, rung string, w, h int, st *scoreState, i int, skip *int, beat func(done int)) (int, error) {
	ref, err := a.Media.OpenFrames(ctx, source, w, h)
	if err != nil {
		return 0, err
	}
	defer ref.Close()
	dis, err := a.Media.OpenFrames(ctx, rung, 0, 0)
	if err != nil {
		return 0, err
	}
	defer dis.Close()
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		rf, rerr := ref.Next()
		df, derr := dis.Next()
		if errors.Is(rerr, io.EOF) && errors.Is(derr, io.EOF) {
			return n, nil
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return n, fmt.Errorf("source frame %d: %w", n, rerr)
		}
		if derr != nil && !errors.Is(derr, io.EOF) {
			return n, fmt.Errorf("rung frame %d: %w", n, derr)
		}
		if rerr != nil || derr != nil {
			return n, fmt.Errorf("frame count mismatch: source and rung differ at frame %d", n)
		}
		if *skip > 0 {
			*skip--
		} else {
			p, err := psnrY(rf, df)
			if err != nil {
				return n, fmt.Errorf("frame %d: %w", n, err)
			}
			st.Sums[i] += p
			st.Frames++
			beat(st.Frames)
		}
		n++
	}
}

// psnrY is luma PSNR as libvmaf's psnr feature computes it: integer SSE,
// peak (2^bpc − 1), capped at 6·bpc + 12 dB (60 dB for 8-bit).
func psnrY(ref, dis *frame.Frame) (float64, error) {
	if !ref.SameFormat(dis) {
		return 0, fmt.Errorf("%w: reference %s, distorted %s", frame.ErrInvalidSize, ref.Format(), dis.Format())
	}
	rp, dp := &ref.Planes[0], &dis.Planes[0]
	var sse uint64
	for y := 0; y < rp.Height; y++ {
		for x := 0; x < rp.Width; x++ {
			d := int64(rp.At(x, y) - dp.At(x, y))
			sse += uint64(d * d)
		}
	}
	peak := float64(int(1)<<ref.BitDepth - 1)
	maxDB := float64(6*ref.BitDepth + 12)
	if sse == 0 {
		return maxDB, nil
	}
	mse := float64(sse) / float64(rp.Width*rp.Height)
	return math.Min(10*math.Log10(peak*peak/mse), maxDB), nil
}
