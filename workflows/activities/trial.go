package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/store/wholefile"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// trialKeyVersion is mixed into every trial key; bump it when a trial's
// encode, reference or scoring changes for the same settings.
// 2: x264 stitchable, x265 info=0. 3: VMAF motion at a range's edges
// from the source frames either side (trialEdges).
const trialKeyVersion = 3

// trialReference describes how the reference of a trial is made; it enters
// the key so that a different reference never reuses results.
const trialReference = "source range, scaled bicubic to the score size, yuv420p, h264 lossless; distorted decoded and upscaled bicubic to the score size"

// trialReference444 is the reference at an odd score size, which 4:2:0
// cannot code: 4:4:4, whose luma (all VMAF reads) is the source's.
const trialReference444 = "source range, scaled bicubic to the score size, yuv444p, h264 lossless; distorted decoded and upscaled bicubic to the score size"

// trialRef is the lossless reference rung of trials scored at sw×sh, and
// its description for the key.
func trialRef(sw, sh int) (media.RungSpec, string) {
	ref := media.RungSpec{ID: "ref", Width: sw, Height: sh, Codec: "h264", Lossless: true, Preset: "ultrafast"}
	if sw%2 != 0 || sh%2 != 0 {
		ref.PixelFormat = encoder.PixelFormat444
		return ref, trialReference444
	}
	return ref, trialReference
}

// trialKeyMaterial is what a trial key hashes.
type trialKeyMaterial struct {
	Version     int           `json:"version"`
	Source      string        `json:"source"`
	StartFrame  int           `json:"start_frame"`
	Frames      int           `json:"frames"`
	Rung        canonicalRung `json:"rung"`
	Model       string        `json:"model"`
	ScoreWidth  int           `json:"score_width"`
	ScoreHeight int           `json:"score_height"`
	Reference   string        `json:"reference"`
}

func trialRung(p workflows.TrialPoint) media.RungSpec {
	return media.RungSpec{Width: p.Width, Height: p.Height, Codec: p.Codec, CRF: p.CRF, Preset: p.Preset, GOPFrames: p.GOPFrames}
}

func trialMaterial(id workflows.SourceID, r workflows.TrialRange, p workflows.TrialPoint, model string, sw, sh int) trialKeyMaterial {
	_, desc := trialRef(sw, sh)
	return trialKeyMaterial{Version: trialKeyVersion, Source: id.String(), StartFrame: r.StartFrame, Frames: r.Frames,
		Rung: canonical(trialRung(p)), Model: trialModel(model), ScoreWidth: sw, ScoreHeight: sh, Reference: desc}
}

func trialModel(m string) string {
	if m == "" {
		return vmaf.DefaultModel
	}
	return m
}

// TrialKey is the content address of one trial result: the hex SHA-256 of
// the source identity, the frame range, the grid point's canonical encode
// settings (codec and preset resolved as for chunk keys), the VMAF model
// and the score size. The range's shot index and weight are not part of
// it, so a re-run, another sample holding the same range, or another
// codec's grid reuses every result that exists.
func TrialKey(id workflows.SourceID, r workflows.TrialRange, p workflows.TrialPoint, model string, scoreWidth, scoreHeight int) string {
	b, err := json.Marshal(trialMaterial(id, r, p, model, scoreWidth, scoreHeight))
	if err != nil {
		panic("activities: trial key: " + err.Error()) // plain data; cannot happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TrialPath is where a trial key's result lives in a cache.
func TrialPath(cache, key string) string { return joinLoc(cache, trialRel(key)) }

// trialRel is a trial key's result relative to the cache.
func trialRel(key string) string { return "trials/" + key + ".json" }

// trialRecord is a trial's cached result, written atomically once the
// trial is encoded and scored.
type trialRecord struct {
	Key    string             `json:"key"`
	Input  trialKeyMaterial   `json:"input"`
	Source workflows.SourceID `json:"source"`
	Frames int                `json:"frames"`
	// Bits is the video payload; Bytes the trial file's size.
	Bits             float64   `json:"bits"`
	Bytes            int64     `json:"bytes"`
	VMAF             float64   `json:"vmaf"`
	VMAFMin          float64   `json:"vmaf_min"`
	VMAFHarmonicMean float64   `json:"vmaf_harmonic_mean"`
	PerFrame         []float64 `json:"per_frame"`
	EncodeSeconds    float64   `json:"encode_seconds"`
	ScoreSeconds     float64   `json:"score_seconds"`
	Finished         string    `json:"finished"`
}

func readTrial(ctx context.Context, cache *outDir, key string, frames int) (trialRecord, bool) {
	b, err := cache.read(ctx, trialRel(key))
	if err != nil {
		return trialRecord{}, false
	}
	var r trialRecord
	if json.Unmarshal(b, &r) != nil || r.Key != key || r.Frames != frames || len(r.PerFrame) != frames ||
		!(r.Bits > 0) || math.IsNaN(r.VMAF) {
		return trialRecord{}, false
	}
	return r, true
}

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
			key := TrialKey(id, r, p, model, sw, sh)
			if rec, ok := readTrial(ctx, cache, key, r.Frames); ok {
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
			if err := wholefile.WriteFile(cache.file(rel), append(b, '\n')); err != nil {
				return workflows.TrialEncodeOutput{}, fmt.Errorf("trial encode: result: %w", err)
			}
			if err := cache.commit(ctx, rel); err != nil {
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
		recs[k] = trialRecord{Key: keys[k], Input: trialMaterial(id, r, in.Grid[pi], model, sw, sh), Source: id,
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
	err = a.scoreTrials(ctx, path(ref), edges, sw, sh, model, r.Frames, rungs[1:], path, recs, func(n int) { progress(r.Frames + n) })
	if err != nil {
		return nil, err
	}
	for k := range recs {
		recs[k].ScoreSeconds = a.now().Sub(t1).Seconds()
		recs[k].Finished = a.now().UTC().Format(time.RFC3339)
	}
	return recs, nil
}

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

// scoreTrials scores trial encodes (one scorer goroutine each) against the
// reference at ref, all scaled to sw×sh, filling recs' VMAF fields; edges
// give the motion features at the range's ends their neighbours. progress
// gets the frames scored.
func (a *Activities) scoreTrials(ctx context.Context, ref string, edges rangeEdges, sw, sh int, model string, frames int,
	trials []media.RungSpec, path func(media.RungSpec) string, recs []trialRecord, progress func(int)) error {
	tokens := a.cpuTokens()
	refFrames, err := a.Media.OpenFrames(ctx, ref, FrameOptions{PixelFormat: "yuv420p"})
	if err != nil {
		return fmt.Errorf("trial reference: %w", err)
	}
	defer refFrames.Close()
	dis := make([]Frames, len(trials))
	scorers := make([]*vmaf.Scorer, len(trials))
	for k, rs := range trials {
		d, err := a.Media.OpenFrames(ctx, path(rs), FrameOptions{Width: sw, Height: sh, PixelFormat: "yuv420p"})
		if err != nil {
			return fmt.Errorf("trial %s: %w", rs.ID, err)
		}
		defer d.Close()
		dis[k] = d
		if scorers[k], err = vmaf.NewScorer(vmaf.Config{Model: model, Threads: 1, Tokens: tokens}); err != nil {
			return err
		}
		if edges.before != nil {
			if err := scorers[k].Prime(edges.before); err != nil {
				return fmt.Errorf("trial %s: frame before the range: %w", rs.ID, err)
			}
		}
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

// sweepTrialScratch removes scratch directories older than age that
// attempts killed mid-trial left in dir.
func sweepTrialScratch(dir string, age time.Duration, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), ".scratch-") {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > age {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	sweepTemps(dir, age, now)
}
