// Measuring trial encodes: VMAF against the lossless reference (with the
// range's edge frames) and the video payload's bits.

package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// rangeEdges are the reference frames just before and just after a trial
// range, nil where the source has none (or they do not decode).
type rangeEdges struct{ before, after *frame.Frame }

// trialEdges encodes the source frames just before and just after range r
// (those that exist) as the reference ref is encoded, and decodes them.
// VMAF's motion feature compares a frame with the one before it and, for
// motion2, looks one frame ahead: without its neighbours a range's first
// frame would score with no motion and its last one without the look
// ahead, unlike the same frames scored within the title by ScoreRungs,
// and short ranges would predict too low. Each edge is a one-frame
// encode of its own: the range's single decode pass stays as it was.
//
// alive is called as the edge encodes progress, to heartbeat.
func (a *Activities) trialEdges(ctx context.Context, source string, r workflows.TrialRange, ref media.RungSpec, work string, sourceFrames int,
	alive func()) (rangeEdges, error) {
	one := func(idx int, id string) (*frame.Frame, error) {
		rs := ref
		rs.ID = id
		file := filepath.Join(work, id+".mp4")
		_, err := a.chunkMedia().EncodeChunk(ctx, source, encoder.ChunkOptions{StartFrame: idx, Frames: 1, Rungs: []media.RungSpec{rs},
			OutputPath: func(media.RungSpec) string { return file }, Progress: func(int, int) { alive() }})
		if err != nil {
			if ctx.Err() == nil && encoder.IsBadInput(err) {
				// A frame that does not decode, or a frame count that
				// was off: score the range without that neighbour.
				a.logger().Warn("trial range edge frame not available", "source", source, "frame", idx, "error", err)
				return nil, nil
			}
			return nil, fmt.Errorf("trial range edge frame %d: %w", idx, err)
		}
		fr, err := a.Media.OpenFrames(ctx, file, FrameOptions{PixelFormat: "yuv420p"})
		if err != nil {
			return nil, fmt.Errorf("trial range edge frame %d: %w", idx, err)
		}
		defer fr.Close()
		f, err := fr.Next()
		if err != nil {
			return nil, fmt.Errorf("trial range edge frame %d: %w", idx, err)
		}
		return f, nil
	}
	var e rangeEdges
	var err error
	if r.StartFrame > 0 {
		if e.before, err = one(r.StartFrame-1, "edge-before"); err != nil {
			return e, err
		}
	}
	if end := r.StartFrame + r.Frames; end < sourceFrames {
		if e.after, err = one(end, "edge-after"); err != nil {
			return e, err
		}
	}
	return e, nil
}

// scoredFrames lists the frames of a range of n frames scored with a stride
// of every (≤ 1: all of them): one frame in each run of every frames, at
// an offset that starts in the middle of the run and moves on by one each
// run (every = 4: frames 2, 7, 8, 13, 18, …), so that the scored frames
// visit every position of a periodic frame-type pattern (x264's P B B B
// mini-GOPs would otherwise put every scored frame on the same B frame)
// rather than always the keyframe or always one kind; at least one frame.
func scoredFrames(n, every int) []int {
	if every <= 1 {
		every = 1
	}
	var out []int
	for k := 0; k*every < n; k++ {
		if i := k*every + (every/2+k)%every; i < n {
			out = append(out, i)
		}
	}
	if len(out) == 0 && n > 0 {
		out = []int{n - 1}
	}
	return out
}

// motionFeatures are the model inputs computed from the reference alone.
var motionFeatures = []string{"integer_motion2", "integer_motion3"}

// scoreTrials scores trial encodes (one scorer goroutine each) against the
// reference at ref, all scaled to sw×sh, filling recs' VMAF fields; edges
// give the motion features at the range's ends their neighbours. With
// every > 1 only scoredFrames' frames are scored: the model's spatial
// features (VIF, ADM) come from those pairs alone, its motion features
// from a motion scorer fed every reference frame, as a full score has
// them. progress gets the frames scored.
func (a *Activities) scoreTrials(ctx context.Context, ref string, edges rangeEdges, sw, sh int, model string, frames, every int,
	trials []media.RungSpec, path func(media.RungSpec) string, recs []trialRecord, progress func(int)) error {
	if every > 1 {
		return a.scoreTrialsEvery(ctx, ref, edges, sw, sh, model, frames, every, trials, path, recs, progress)
	}
	tokens := a.cpuTokens()
	refFrames, err := a.Media.OpenFrames(ctx, ref, FrameOptions{PixelFormat: "yuv420p"})
	if err != nil {
		return fmt.Errorf("trial reference: %w", err)
	}
	defer refFrames.Close()
	dis, scorers, closeDis, err := a.openTrials(ctx, trials, path, sw, sh, model, tokens, edges.before)
	defer closeDis()
	if err != nil {
		return err
	}
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rf, err := refFrames.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("trial reference frame %d: %w", n, err)
		}
		for k, d := range dis {
			df, err := d.Next()
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: trial %s ends after %d frames, the reference has more", encoder.ErrInvalidData, trials[k].ID, n)
			}
			if err != nil {
				return fmt.Errorf("trial %s frame %d: %w", trials[k].ID, n, err)
			}
			if err := scorers[k].Push(rf, df); err != nil {
				return fmt.Errorf("trial %s frame %d: %w", trials[k].ID, n, err)
			}
		}
		n++
		a.meter().FramesDecoded(1 + len(dis))
		progress(n)
	}
	if n != frames {
		return fmt.Errorf("%w: trial reference has %d frames, want %d", encoder.ErrInvalidData, n, frames)
	}
	for k := range trials {
		if _, err := dis[k].Next(); !errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: trial %s has more frames than the reference's %d", encoder.ErrInvalidData, trials[k].ID, n)
		}
		if edges.after != nil {
			// Only the reference's motion looks ahead: this frame's own
			// score is dropped below.
			if err := scorers[k].Push(edges.after, edges.after); err != nil {
				return fmt.Errorf("trial %s: frame after the range: %w", trials[k].ID, err)
			}
		}
		vr, err := scorers[k].Close()
		if err != nil {
			return fmt.Errorf("trial %s: %w", trials[k].ID, err)
		}
		if len(vr.Frames) > frames {
			vr.Frames = vr.Frames[:frames]
			vr = vmaf.Merge(vr)
		}
		series, _ := vr.Series("vmaf")
		p := vr.Pooled["vmaf"]
		recs[k].VMAF, recs[k].VMAFMin, recs[k].VMAFHarmonicMean = p.Mean, p.Min, p.HarmonicMean
		recs[k].PerFrame = series
	}
	a.meter().FramesScored(frames * len(trials))
	return nil
}

// payloadBits is a trial file's video payload in bits: the stream's bit
// rate (sum of packet sizes over the stream's duration) times the
// duration, or the file's size when the container does not say.
func (a *Activities) payloadBits(ctx context.Context, path string, fileBytes int64) (float64, error) {
	info, err := a.Media.Probe(ctx, path)
	if err != nil {
		return 0, fmt.Errorf("trial %s: %w", filepath.Base(path), err)
	}
	if v := info.Video(); v != nil && v.BitRate > 0 && v.Duration > 0 {
		return float64(v.BitRate) * v.Duration, nil
	}
	if fileBytes <= 0 {
		fileBytes = info.SizeBytes
	}
	return float64(fileBytes) * 8, nil
}

// openTrials opens every trial encode's frames, scaled to sw×sh, and a
// VMAF scorer (one thread, sharing tokens) for each, primed with the frame
// before the range when there is one; closeAll closes the frames opened,
// also after an error.
func (a *Activities) openTrials(ctx context.Context, trials []media.RungSpec, path func(media.RungSpec) string, sw, sh int, model string,
	tokens chan struct{}, before *frame.Frame) (dis []Frames, scorers []*vmaf.Scorer, closeAll func(), err error) {
	closeAll = func() {
		for _, d := range dis {
			if d != nil {
				d.Close()
			}
		}
	}
	dis = make([]Frames, len(trials))
	scorers = make([]*vmaf.Scorer, len(trials))
	for k, rs := range trials {
		if dis[k], err = a.Media.OpenFrames(ctx, path(rs), FrameOptions{Width: sw, Height: sh, PixelFormat: "yuv420p"}); err != nil {
			return dis, scorers, closeAll, fmt.Errorf("trial %s: %w", rs.ID, err)
		}
		if scorers[k], err = vmaf.NewScorer(vmaf.Config{Model: model, Threads: 1, Tokens: tokens}); err != nil {
			return dis, scorers, closeAll, err
		}
		if before != nil {
			if err := scorers[k].Prime(before); err != nil {
				return dis, scorers, closeAll, fmt.Errorf("trial %s: frame before the range: %w", rs.ID, err)
			}
		}
	}
	return dis, scorers, closeAll, nil
}

// scoreTrialsEvery is scoreTrials on every every-th frame (every > 1).
func (a *Activities) scoreTrialsEvery(ctx context.Context, ref string, edges rangeEdges, sw, sh int, model string, frames, every int,
	trials []media.RungSpec, path func(media.RungSpec) string, recs []trialRecord, progress func(int)) error {
	tokens := a.cpuTokens()
	m, err := vmaf.LoadModel(model, vmaf.ModelOptions{})
	if err != nil {
		return err
	}
	scored := scoredFrames(frames, every)
	want := make(map[int]bool, len(scored))
	for _, i := range scored {
		want[i] = true
	}
	refFrames, err := a.Media.OpenFrames(ctx, ref, FrameOptions{PixelFormat: "yuv420p"})
	if err != nil {
		return fmt.Errorf("trial reference: %w", err)
	}
	defer refFrames.Close()
	// The motion features read the reference alone: one scorer of them
	// for all trials, fed every frame (and the range's neighbours).
	mot, err := vmaf.NewScorer(vmaf.Config{Model: vmaf.NoModel, Features: []string{vmaf.FeatureMotion}, Threads: 1, Tokens: tokens})
	if err != nil {
		return err
	}
	defer func() {
		if mot != nil {
			mot.Close()
		}
	}()
	if edges.before != nil {
		if err := mot.Prime(edges.before); err != nil {
			return fmt.Errorf("trial reference: frame before the range: %w", err)
		}
	}
	// The model's features of the scored pairs; its motion, computed by
	// these scorers between scored frames only, is replaced below.
	dis, scorers, closeDis, err := a.openTrials(ctx, trials, path, sw, sh, model, tokens, nil)
	defer closeDis()
	if err != nil {
		return err
	}
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rf, err := refFrames.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("trial reference frame %d: %w", n, err)
		}
		if err := mot.Push(rf, rf); err != nil {
			return fmt.Errorf("trial reference frame %d: motion: %w", n, err)
		}
		for k, d := range dis {
			df, err := d.Next()
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: trial %s ends after %d frames, the reference has more", encoder.ErrInvalidData, trials[k].ID, n)
			}
			if err != nil {
				return fmt.Errorf("trial %s frame %d: %w", trials[k].ID, n, err)
			}
			if !want[n] {
				continue
			}
			if err := scorers[k].Push(rf, df); err != nil {
				return fmt.Errorf("trial %s frame %d: %w", trials[k].ID, n, err)
			}
		}
		n++
		a.meter().FramesDecoded(1 + len(dis))
		progress(n)
	}
	if n != frames {
		return fmt.Errorf("%w: trial reference has %d frames, want %d", encoder.ErrInvalidData, n, frames)
	}
	if edges.after != nil {
		// Only the look ahead of the last frame's motion2: its own score
		// is dropped below.
		if err := mot.Push(edges.after, edges.after); err != nil {
			return fmt.Errorf("trial reference: frame after the range: %w", err)
		}
	}
	mr, err := mot.Close()
	mot = nil
	if err != nil {
		return fmt.Errorf("trial reference: motion: %w", err)
	}
	if len(mr.Frames) < frames {
		return fmt.Errorf("%w: motion of %d frames, want %d", encoder.ErrInvalidData, len(mr.Frames), frames)
	}
	for k := range trials {
		if _, err := dis[k].Next(); !errors.Is(err, io.EOF) {
			return fmt.Errorf("%w: trial %s has more frames than the reference's %d", encoder.ErrInvalidData, trials[k].ID, n)
		}
		vr, err := scorers[k].Close()
		if err != nil {
			return fmt.Errorf("trial %s: %w", trials[k].ID, err)
		}
		if len(vr.Frames) != len(scored) {
			return fmt.Errorf("%w: trial %s: %d frames scored, want %d", encoder.ErrInvalidData, trials[k].ID, len(vr.Frames), len(scored))
		}
		series := make([]float64, len(scored))
		for j, i := range scored {
			feats := vr.Frames[j].Metrics.Map()
			for _, f := range motionFeatures {
				if v, ok := mr.Frames[i].Metrics.Get(f); ok {
					feats[f] = v
				}
			}
			if series[j], err = m.Predict(feats); err != nil {
				return fmt.Errorf("trial %s frame %d: %w", trials[k].ID, i, err)
			}
		}
		p := vmaf.Pool(series)
		recs[k].VMAF, recs[k].VMAFMin, recs[k].VMAFHarmonicMean = p.Mean, p.Min, p.HarmonicMean
		recs[k].PerFrame = series
	}
	a.meter().FramesScored(len(scored) * len(trials))
	return nil
}
