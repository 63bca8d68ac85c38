package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/store/wholefile"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// ScoresPath returns where a rung's per-frame scores (libvmaf JSON) go.
func ScoresPath(out, rungID string) string { return joinLoc(out, scoresRel(rungID)) }

func scoresRel(rungID string) string { return "vmaf/" + rungID + ".json" }

const partialRel = "vmaf/.partial"

func partialDir(out string) string { return joinLoc(out, partialRel) }

func windowPath(out, rungID string, start int) string { return joinLoc(out, windowRel(rungID, start)) }

func windowRel(rungID string, start int) string {
	return partialRel + "/" + rungID + "/" + strconv.Itoa(start) + ".json"
}

// scoreState is ScoreRungs' heartbeat: progress, the windows whose results
// are saved (so a retried attempt starts after them), and the outputs once
// all is done.
type scoreState struct {
	workflows.ActivityProgress
	// Windows are the start frames of saved windows, in order; Frames is
	// where the next window starts.
	Windows []int `json:"windows,omitempty"`
	Frames  int   `json:"frames"`
	// Scores is set when every rung is scored and its JSON written.
	Scores []workflows.RungScore `json:"scores,omitempty"`
}

// pair is one source frame and the matching frame of every rung.
type pair struct {
	ref *frame.Frame
	dis []*frame.Frame
}

// ScoreRungs measures every rung against the source with VMAF (and PSNR):
// the source is decoded once, each rung is decoded and upscaled (bicubic)
// to the source size, and all rungs are scored in the same pass on all
// cores, a window of frames at a time. Each finished window is saved, so a
// retried attempt resumes after the last one; the results are exactly those
// of one uninterrupted pass (see vmaf.Scorer.Prime).
func (a *Activities) ScoreRungs(ctx context.Context, in workflows.ScoreRungsInput) (workflows.ScoreRungsOutput, error) {
	ctx = a.withIO(ctx)
	start := a.now()
	var st scoreState
	if resume(ctx, &st) && len(st.Scores) == len(in.Rungs) && a.scoresIntact(ctx, st.Scores) {
		return workflows.ScoreRungsOutput{Scores: st.Scores}, nil
	}
	dst, err := a.openOut(ctx, in.Out)
	if err != nil {
		return workflows.ScoreRungsOutput{}, classify(fmt.Errorf("score: %w", err))
	}
	defer dst.close()
	// Saved windows of an object-store output stay where they are: the
	// next run's windows overwrite the same keys (mezzfs has no delete).
	if !resume(ctx, &st) || !a.windowsIntact(ctx, in, st.Windows) {
		st = scoreState{}
		if !dst.remote() {
			_ = os.RemoveAll(partialDir(in.Out))
		}
	}
	scores, err := a.scoreWindows(ctx, in, dst, &st)
	if err != nil {
		return workflows.ScoreRungsOutput{}, classify(err)
	}
	st.Scores = scores
	a.heartbeater(ctx).beat(true, st)
	if !dst.remote() {
		_ = os.RemoveAll(partialDir(in.Out))
	}
	return workflows.ScoreRungsOutput{Scores: scores, Seconds: a.now().Sub(start).Seconds()}, nil
}

func (a *Activities) scoresIntact(ctx context.Context, scores []workflows.RungScore) bool {
	for _, s := range scores {
		if _, err := a.statLoc(ctx, s.ScoresPath); err != nil {
			return false
		}
	}
	return true
}

func (a *Activities) windowsIntact(ctx context.Context, in workflows.ScoreRungsInput, windows []int) bool {
	for _, r := range in.Rungs {
		for _, w := range windows {
			if _, err := a.statLoc(ctx, windowPath(in.Out, r.ID, w)); err != nil {
				return false
			}
		}
	}
	return true
}

func (a *Activities) scoreWindows(ctx context.Context, in workflows.ScoreRungsInput, dst *outDir, st *scoreState) ([]workflows.RungScore, error) {
	if len(in.Rungs) == 0 {
		return nil, nil
	}
	// Rungs are 8-bit 4:2:0; the reference is decoded the same way, at the
	// source's own size, and every rung is upscaled to it.
	ref, err := a.Media.OpenFrames(ctx, in.Source, FrameOptions{PixelFormat: "yuv420p"})
	if err != nil {
		return nil, err
	}
	defer ref.Close()
	first, err := ref.Next()
	if err != nil {
		return nil, fmt.Errorf("source %s: first frame: %w", in.Source, err)
	}
	// One pool of CPU tokens for every rung's scorer and QC checks: as
	// many frames at work at once as there are score threads, so that the
	// worker's (and an embedded server's) goroutines are scheduled soon
	// enough to heartbeat however many rungs there are.
	tokens := a.cpuTokens()
	var qcs []*qcrun.Stream
	if in.RungQC {
		cfg, err := qcConfig(in.QC)
		if err != nil {
			return nil, err
		}
		info := qcrun.VideoInfo(encoder.StreamInfo{Width: first.Width, Height: first.Height, FrameRate: in.FrameRate})
		for _, r := range in.Rungs {
			q, err := qcrun.NewStream(r.Path, cfg, info)
			if err != nil {
				return nil, err
			}
			q.LimitCPU(tokens)
			q.Audio(nil) // rungs are video only
			qcs = append(qcs, q)
		}
		defer func() {
			for _, q := range qcs {
				if q != nil {
					_, _ = q.Finish("", "", "")
				}
			}
		}()
	}
	dis := make([]Frames, len(in.Rungs))
	for i, r := range in.Rungs {
		d, err := a.Media.OpenFrames(ctx, r.Path, FrameOptions{Width: first.Width, Height: first.Height, PixelFormat: "yuv420p"})
		if err != nil {
			return nil, fmt.Errorf("rung %s: %w", r.ID, err)
		}
		defer d.Close()
		dis[i] = d
	}
	total := max(in.Frames, st.Frames)
	hb := a.heartbeater(ctx)
	n := 0 // index of the next pair read
	read := func() (*pair, error) {
		var rf *frame.Frame
		if n == 0 {
			rf = first
		} else if rf, err = ref.Next(); errors.Is(err, io.EOF) {
			rf = nil
		} else if err != nil {
			return nil, fmt.Errorf("source frame %d: %w", n, err)
		}
		p := &pair{ref: rf, dis: make([]*frame.Frame, len(dis))}
		for i, d := range dis {
			df, err := d.Next()
			switch {
			case errors.Is(err, io.EOF):
				if rf != nil {
					return nil, fmt.Errorf("%w: rung %s ends after %d frames, the source has more", encoder.ErrInvalidData, in.Rungs[i].ID, n)
				}
			case err != nil:
				return nil, fmt.Errorf("rung %s frame %d: %w", in.Rungs[i].ID, n, err)
			case rf == nil:
				return nil, fmt.Errorf("%w: rung %s has more frames than the source's %d", encoder.ErrInvalidData, in.Rungs[i].ID, n)
			}
			p.dis[i] = df
		}
		if rf == nil {
			return nil, nil
		}
		// Every attempt's QC sees every frame: a resumed attempt feeds the
		// checks the frames it skips for VMAF.
		for i, q := range qcs {
			if err := q.Push(p.dis[i]); err != nil {
				return nil, fmt.Errorf("rung %s QC frame %d: %w", in.Rungs[i].ID, n, err)
			}
		}
		n++
		a.meter().FramesDecoded(1 + len(dis))
		// Beat on every frame read, also while skipping what an earlier
		// attempt scored: that can take longer than the heartbeat timeout.
		st.Done, st.Total = n, max(total, n)
		hb.beat(false, *st)
		return p, nil
	}

	// Skip what earlier attempts scored, keeping the frame before the
	// resume point to prime motion.
	var prime *frame.Frame
	for n < st.Frames {
		p, err := read()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return nil, fmt.Errorf("source ended at frame %d, before the saved %d", n, st.Frames)
		}
		prime = p.ref
	}
	window := a.ScoreWindow
	if window <= 0 {
		window = 100
	}
	threads := cap(tokens)
	next, err := read()
	if err != nil {
		return nil, err
	}
	for next != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wstart := n - 1
		scorers := make([]*vmaf.Scorer, len(in.Rungs))
		for i := range scorers {
			if scorers[i], err = vmaf.NewScorer(vmaf.Config{Features: []string{vmaf.FeaturePSNR}, Threads: threads, Tokens: tokens}); err != nil {
				return nil, err
			}
			if prime != nil {
				if err := scorers[i].Prime(prime); err != nil {
					return nil, err
				}
			}
		}
		push := func(p *pair) error {
			for i, s := range scorers {
				if err := s.Push(p.ref, p.dis[i]); err != nil {
					return fmt.Errorf("rung %s frame %d: %w", in.Rungs[i].ID, n-1, err)
				}
			}
			return nil
		}
		count := 0
		for next != nil && count < window {
			if err := push(next); err != nil {
				return nil, err
			}
			prime = next.ref
			count++
			if next, err = read(); err != nil {
				return nil, err
			}
		}
		if next != nil { // look one frame ahead for motion2
			if err := push(next); err != nil {
				return nil, err
			}
		}
		for i, s := range scorers {
			res, err := s.Close()
			if err != nil {
				return nil, fmt.Errorf("rung %s: %w", in.Rungs[i].ID, err)
			}
			res.Frames = res.Frames[:count]
			rel := windowRel(in.Rungs[i].ID, wstart)
			if err := writeResult(dst.file(rel), vmaf.Merge(res)); err != nil {
				return nil, err
			}
			if err := dst.commit(ctx, rel); err != nil {
				return nil, err
			}
		}
		a.meter().FramesScored(count * len(in.Rungs))
		st.Windows = append(st.Windows, wstart)
		st.Frames = wstart + count
		hb.beat(true, *st)
	}
	if st.Frames == 0 {
		return nil, fmt.Errorf("%w: no frames decoded from %s", encoder.ErrInvalidData, in.Source)
	}
	out := make([]workflows.RungScore, len(in.Rungs))
	for i, r := range in.Rungs {
		var parts []*vmaf.Result
		for _, w := range st.Windows {
			b, err := dst.read(ctx, windowRel(r.ID, w))
			if err != nil {
				return nil, err
			}
			res, err := vmaf.ReadJSON(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", windowPath(in.Out, r.ID, w), err)
			}
			parts = append(parts, res)
		}
		res := vmaf.Merge(parts...)
		rel := scoresRel(r.ID)
		if err := writeResult(dst.file(rel), res); err != nil {
			return nil, err
		}
		if err := dst.commit(ctx, rel); err != nil {
			return nil, err
		}
		out[i] = summarize(r, res, dst.loc(rel))
		if qcs != nil {
			o, err := qcs[i].Finish(dst.file(thumbRel), r.ID+"-", "")
			qcs[i] = nil
			if err != nil {
				return nil, fmt.Errorf("rung %s QC: %w", r.ID, err)
			}
			sum, err := saveQC(ctx, dst, r.ID, o)
			if err != nil {
				return nil, err
			}
			out[i].QC = &sum.QC
		}
	}
	return out, nil
}

func summarize(r media.RungOutput, res *vmaf.Result, path string) workflows.RungScore {
	v := res.Pooled["vmaf"]
	return workflows.RungScore{
		ID: r.ID, Frames: len(res.Frames), ScoresPath: path,
		PSNRY: res.Pooled["psnr_y"].Mean,
		VMAF: workflows.Summary{
			Mean: v.Mean, HarmonicMean: v.HarmonicMean, Min: v.Min, Max: v.Max,
			P1: res.Percentile("vmaf", 1), P5: res.Percentile("vmaf", 5), P10: res.Percentile("vmaf", 10),
		},
	}
}

func writeResult(path string, res *vmaf.Result) error {
	f, err := wholefile.Create(path)
	if err != nil {
		return err
	}
	if err := vmaf.WriteJSON(f, res); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// readResultLoc reads a libvmaf JSON from a file or object.
func (a *Activities) readResultLoc(ctx context.Context, loc string) (*vmaf.Result, error) {
	b, err := a.readLoc(ctx, loc)
	if err != nil {
		return nil, err
	}
	res, err := vmaf.ReadJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	return res, nil
}

func readResult(path string) (*vmaf.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return vmaf.ReadJSON(f)
}
