package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

func checkTrialInput(in workflows.TrialEncodeInput) error {
	switch {
	case in.Source == "":
		return invalidRequest("trial encode: no source")
	case in.Cache == "":
		return invalidRequest("trial encode %s: no cache directory", in.Source)
	case len(in.Ranges) == 0:
		return invalidRequest("trial encode %s: no ranges", in.Source)
	case len(in.Grid) == 0:
		return invalidRequest("trial encode %s: no grid points", in.Source)
	case isURL(in.Source) && in.SourceID.IsZero():
		return invalidRequest("trial encode %s: a URL source needs its source_id", in.Source)
	case (in.ScoreWidth == 0) != (in.ScoreHeight == 0) || in.ScoreWidth < 0 || in.ScoreHeight < 0:
		return invalidRequest("trial encode %s: score size %dx%d: set both or neither", in.Source, in.ScoreWidth, in.ScoreHeight)
	case in.VMAFEvery < 0 || in.VMAFEvery > 1000:
		return invalidRequest("trial encode %s: vmaf_every %d out of range 0–1000", in.Source, in.VMAFEvery)
	case !slices.Contains(vmaf.ModelVersions(), trialModel(in.Model)):
		return invalidRequest("trial encode %s: unknown VMAF model %q (have %s)", in.Source, in.Model, strings.Join(vmaf.ModelVersions(), ", "))
	}
	for i, r := range in.Ranges {
		if r.StartFrame < 0 || r.Frames <= 0 || r.Weight < 0 || math.IsNaN(r.Weight) || math.IsInf(r.Weight, 0) {
			return invalidRequest("trial encode %s: range %d: start %d, %d frames, weight %v", in.Source, i, r.StartFrame, r.Frames, r.Weight)
		}
	}
	for i, p := range in.Grid {
		_, known := media.LookupVideoCodec(p.Codec)
		if p.Width <= 0 || p.Height <= 0 || p.Width%2 != 0 || p.Height%2 != 0 || !(p.CRF > 0) || math.IsInf(p.CRF, 0) || !known || p.GOPFrames < 0 {
			return invalidRequest("trial encode %s: grid point %d: %dx%d %q crf %v gop %d: need an even size, a known codec and a CRF > 0",
				in.Source, i, p.Width, p.Height, p.Codec, p.CRF, p.GOPFrames)
		}
	}
	return nil
}

// TrialEncode is the complexity analysis of per-title encoding: it encodes
// every grid point (resolution × codec × CRF) on every sampled range of
// the source and measures each with VMAF against the source, as Netflix
// does: the reference is the source range at the score size (the source's
// decoded size by default), and each trial encode is decoded and upscaled
// (bicubic) to it.
//
// Each range is decoded once (encoder.EncodeChunk) for all grid points not
// yet in the cache, together with a lossless h264 copy of the range at the
// score size that serves as the frame-exact reference; the trial files
// live in a scratch directory and are removed once scored. Every (range,
// point) result is cached under TrialKey in <cache>/trials/<key>.json (a
// local directory or an s3:// prefix),
// written atomically, so a retried or repeated activity, another sample
// sharing ranges, or another codec's grid reuses what exists; a call whose
// results are all cached encodes, scores and writes nothing.
//
// Bits are the encoded video payload (Probe's stream bit rate × duration;
// container overhead excluded); VMAF is the mean over the range's frames.
// Per grid point the title estimate weights each range by
// TrialRange.Weight (see workflows.TrialResult).
//
// It heartbeats progress (frames encoded plus frames scored). Bad input
// (missing or broken source, ranges past its end, unsupported settings) is
// non-retryable as everywhere; a source that differs from in.SourceID is a
// non-retryable SourceChanged.
func (a *Activities) TrialEncode(ctx context.Context, in workflows.TrialEncodeInput) (workflows.TrialEncodeOutput, error) {
	if err := checkTrialInput(in); err != nil {
		return workflows.TrialEncodeOutput{}, err
	}
	ctx = a.withIO(ctx)
	start := a.now()
	id := in.SourceID
	if !isURL(in.Source) {
		cur, err := SourceIdentityOf(in.Source)
		if err != nil {
			return workflows.TrialEncodeOutput{}, classify(fmt.Errorf("trial encode: %w", err))
		}
		if !id.IsZero() && cur != id {
			return workflows.TrialEncodeOutput{}, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("trial encode %s: source changed since the title started (was %v, now %v)", in.Source, id, cur),
				workflows.ErrTypeSourceChanged, nil)
		}
		id = cur
	}
	info, err := a.Media.Probe(ctx, in.Source)
	if err != nil {
		return workflows.TrialEncodeOutput{}, classify(fmt.Errorf("trial encode: %w", err))
	}
	v := info.Video()
	if v == nil {
		return workflows.TrialEncodeOutput{}, classify(fmt.Errorf("trial encode %s: %w", in.Source, encoder.ErrNoVideo))
	}
	fps := v.FPS
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25 // as the encoder times frames when the source does not say
	}
	sw, sh := in.ScoreWidth, in.ScoreHeight
	if sw == 0 {
		// The source's own size, odd ones (720x405) included, as
		// ScoreRungs measures the final rungs. Scored one line smaller,
		// every trial would skip the upscale to the last line that its
		// rung goes through, and predict up to a VMAF point or more too
		// high at small sizes.
		sw, sh = v.Width, v.Height
	}
	model := trialModel(in.Model)
	out := workflows.TrialEncodeOutput{FPS: fps, ScoreWidth: sw, ScoreHeight: sh, Model: model,
		Results: make([]workflows.TrialResult, len(in.Grid))}
	for i, p := range in.Grid {
		out.Results[i] = workflows.TrialResult{TrialPoint: p, Shots: make([]workflows.TrialShot, len(in.Ranges))}
	}

	// The cache is a local directory or an object-store prefix (whose
	// results are read from and uploaded to it; work files stay local).
	cache, err := a.openOut(ctx, in.Cache)
	if err != nil {
		return workflows.TrialEncodeOutput{}, classify(fmt.Errorf("trial encode: cache: %w", err))
	}
	defer cache.close()

	// What the cache holds, and what is left to do per range.
	type job struct {
		rng    int
		points []int
		keys   []string
	}
	var jobs []job
	total := 0
	set := func(ri, pi int, key string, rec trialRecord, reused bool) {
		r := in.Ranges[ri]
		w := r.Weight
		if w == 0 {
			w = float64(r.Frames)
		}
		out.Results[pi].Shots[ri] = workflows.TrialShot{Range: ri, Shot: r.Shot, StartFrame: r.StartFrame, Frames: r.Frames, Weight: w,
			Bits: rec.Bits, BitrateKbps: rec.Bits / (float64(r.Frames) / fps) / 1000,
			VMAF: rec.VMAF, VMAFMin: rec.VMAFMin, VMAFHarmonicMean: rec.VMAFHarmonicMean, Key: key, Reused: reused}
		if reused {
			out.Reused++
		} else {
			out.Encoded++
		}
	}
	for ri, r := range in.Ranges {
		j := job{rng: ri}
		for pi, p := range in.Grid {
			key := TrialKeyEvery(id, r, p, model, sw, sh, in.VMAFEvery)
			if rec, ok := readTrial(ctx, cache, key, r.Frames, in.VMAFEvery); ok {
				set(ri, pi, key, rec, true)
				continue
			}
			j.points = append(j.points, pi)
			j.keys = append(j.keys, key)
		}
		if len(j.points) > 0 {
			jobs = append(jobs, j)
			total += 2 * r.Frames
		}
	}
	if len(jobs) > 0 {
		a.logger().Info("trial encodes", "source", in.Source, "ranges", len(jobs), "reused", out.Reused)
		if !cache.remote() {
			sweepTrialScratch(filepath.Join(cache.dir, "trials"), time.Hour, a.now())
		}
	}
	hb := a.heartbeater(ctx)
	done := 0
	hb.beat(true, workflows.ActivityProgress{Done: done, Total: total})
	for _, j := range jobs {
		recs, err := a.trialRange(ctx, in, cache.dir, id, j.rng, j.points, j.keys, sw, sh, v.FrameCount, model, func(n int) {
			hb.beat(false, workflows.ActivityProgress{Done: done + n, Total: total})
		})
		if err != nil {
			return workflows.TrialEncodeOutput{}, classify(err)
		}
		for k, pi := range j.points {
			b, err := json.MarshalIndent(recs[k], "", "  ")
			if err != nil {
				return workflows.TrialEncodeOutput{}, fmt.Errorf("trial encode: result: %w", err)
			}
			rel := trialRel(j.keys[k])
			if err := cache.writeFile(ctx, rel, append(b, '\n')); err != nil {
				return workflows.TrialEncodeOutput{}, classify(fmt.Errorf("trial encode: result: %w", err))
			}
			set(j.rng, pi, j.keys[k], recs[k], false)
		}
		done += 2 * in.Ranges[j.rng].Frames
		hb.beat(true, workflows.ActivityProgress{Done: done, Total: total})
	}

	// Title estimates: weighted per-frame bits and mean VMAF.
	for i := range out.Results {
		out.Results[i].Estimate(fps)
	}
	out.Seconds = a.now().Sub(start).Seconds()
	return out, nil
}

// trialRange encodes grid points (indexes into in.Grid) on one range from
// one decode, with the lossless reference, and scores them. sourceFrames
// is the source's frame count (0: unknown). progress gets the frames done
// (encoded, then scored) of this range's 2·Frames.
func (a *Activities) trialRange(ctx context.Context, in workflows.TrialEncodeInput, local string, id workflows.SourceID, ri int, points []int, keys []string,
	sw, sh, sourceFrames int, model string, progress func(int)) ([]trialRecord, error) {
	r := in.Ranges[ri]
	dir := filepath.Join(local, "trials")
	if err := os.MkdirAll(dir, 0o777); err != nil { // part of the cache
		return nil, fmt.Errorf("trial encode: %w", err)
	}
	// Private scratch, removed when done: never renamed into the cache.
	work, err := os.MkdirTemp(dir, ".scratch-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("trial encode: %w", err)
	}
	defer os.RemoveAll(work)

	ref, _ := trialRef(sw, sh)
	rungs := []media.RungSpec{ref}
	for _, pi := range points {
		rs := trialRung(in.Grid[pi])
		rs.ID = "p" + strconv.Itoa(pi)
		rungs = append(rungs, rs)
	}
	path := func(rs media.RungSpec) string { return filepath.Join(work, rs.ID+".mp4") }
	t0 := a.now()
	res, err := a.chunkMedia().EncodeChunk(ctx, in.Source, encoder.ChunkOptions{
		StartFrame: r.StartFrame, Frames: r.Frames, Rungs: rungs, OutputPath: path,
		Progress: func(done, _ int) { progress(done) },
	})
	if err != nil {
		return nil, chunkError(workflows.EncodeChunkInput{Chunk: plan.Chunk{Index: ri, StartFrame: r.StartFrame, Frames: r.Frames}}, err)
	}
	encodeSec := a.now().Sub(t0).Seconds()
	a.meter().FramesDecoded(res.DecodedFrames)
	a.countEncoded(rungs, res.Rungs, encodeSec)
	recs := make([]trialRecord, len(points))
	for k, pi := range points {
		rs := rungs[k+1]
		var bytes int64
		for _, o := range res.Rungs {
			if o.ID == rs.ID {
				bytes = o.Bytes
			}
		}
		bits, err := a.payloadBits(ctx, path(rs), bytes)
		if err != nil {
			return nil, err
		}
		recs[k] = trialRecord{Key: keys[k], Input: trialMaterial(id, r, in.Grid[pi], model, sw, sh, in.VMAFEvery), Source: id,
			Frames: r.Frames, Bits: bits, Bytes: bytes, EncodeSeconds: encodeSec}
	}

	// Score every trial against the reference in one pass: one
	// single-threaded scorer per trial, all sharing the activity's CPU
	// tokens, so that at most ScoreThreads frames are scored at once and
	// the worker's (and an embedded server's) goroutines that carry
	// heartbeats are not crowded out.
	t1 := a.now()
	edges, err := a.trialEdges(ctx, in.Source, r, ref, work, sourceFrames, func() { progress(r.Frames) })
	if err != nil {
		return nil, err
	}
	err = a.scoreTrials(ctx, path(ref), edges, sw, sh, model, r.Frames, in.VMAFEvery, rungs[1:], path, recs, func(n int) { progress(r.Frames + n) })
	if err != nil {
		return nil, err
	}
	for k := range recs {
		recs[k].ScoreSeconds = a.now().Sub(t1).Seconds()
		recs[k].Finished = a.now().UTC().Format(time.RFC3339)
	}
	return recs, nil
}
