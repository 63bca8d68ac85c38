// The complexity analysis of every chunk (workflow version
// "analyze-every-chunk"): cheap trial encodes of each chunk, mapped to the
// final encode's settings by a measured calibration.

package workflows

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
)

// Analysis is how the complexity stage measured every chunk: the fast
// settings, the calibration chunks and the mapping fitted on them. It
// travels in PerTitle to the report.
type Analysis struct {
	// Preset, CRFs and VMAFEvery are the fast trial encodes' settings;
	// WindowFrames the most frames of a chunk they cover (from its start).
	Preset       string    `json:"preset"`
	CRFs         []float64 `json:"crfs"`
	VMAFEvery    int       `json:"vmaf_every"`
	WindowFrames int       `json:"window_frames"`
	// CalibrationChunks are the chunks also encoded at the final preset
	// on the full grid (their results in PerTitle.Trials are those
	// measurements); Calibration the fitted offsets per grid point, in
	// grid order.
	CalibrationChunks []int                     `json:"calibration_chunks"`
	Calibration       []ladder.CalibrationPoint `json:"calibration"`
	// FastSeconds and CalibrationSeconds are the activities' summed wall
	// times of the fast trials and of the calibration trials.
	FastSeconds        float64 `json:"fast_seconds"`
	CalibrationSeconds float64 `json:"calibration_seconds"`
}

// AnalysisGrid is the fast trial grid: the full grid's sizes at the
// analysis CRFs, with the analysis preset. Pure.
func AnalysisGrid(full []TrialPoint, crfs []float64, preset string) []TrialPoint {
	var out []TrialPoint
	for _, p := range full {
		if slices.ContainsFunc(out, func(q TrialPoint) bool { return q.Width == p.Width && q.Height == p.Height && q.Codec == p.Codec }) {
			continue
		}
		for _, crf := range crfs {
			q := p
			q.CRF, q.Preset = crf, preset
			out = append(out, q)
		}
	}
	return out
}

// ChunkWindows are the analysis ranges of every span (chunk): its first
// window frames at most, standing for all its frames (Weight), Shot its
// index. Pure.
func ChunkWindows(spans []ladder.ShotSpan, window int) []TrialRange {
	out := make([]TrialRange, len(spans))
	for i, sp := range spans {
		out[i] = TrialRange{Shot: i, StartFrame: sp.Start, Frames: max(min(sp.Frames, window), 1), Weight: float64(sp.Frames)}
	}
	return out
}

// CalibrationChunks picks k of n chunks spread evenly over the title (the
// middle of each k-th of it), in increasing order. Pure.
func CalibrationChunks(n, k int) []int {
	var out []int
	for i := range min(k, n) {
		c := int(math.Floor((float64(i) + 0.5) * float64(n) / float64(min(k, n))))
		if c < n && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// analysisGroups splits n ranges into contiguous groups, one TrialEncode
// activity each: a few ranges per activity amortise its start (probe,
// source identity, scheduling), while enough groups keep limit workers
// busy to the end.
func analysisGroups(n, limit int) [][2]int {
	size := max(1, min(4, n/max(3*limit, 1)))
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}

// Calibrated is one calibration chunk's full-grid trial output.
type Calibrated struct {
	Chunk int
	Out   TrialEncodeOutput
}

// MapAnalysis turns the fast trials of every chunk (fast: one result per
// fast grid point, Shots[j] the window of chunk j) into results on the
// full grid at the final preset, as the rung choice and the per-shot plan
// read them: per size, each chunk's fast curve (log bits and VMAF on
// monotone cubics in CRF) is evaluated at every full-grid CRF and shifted
// by that grid point's calibration offsets, fitted on the calibration
// chunks (calibrated: each one's full-grid TrialEncode output on its window),
// whose own results are their measurements. Every chunk's results are
// kept monotone in CRF. Pure.
func MapAnalysis(fast TrialEncodeOutput, calibrated []Calibrated, full []TrialPoint) (TrialEncodeOutput, []ladder.CalibrationPoint, error) {
	if len(fast.Results) == 0 {
		return TrialEncodeOutput{}, nil, fmt.Errorf("%w: no fast trials", ladder.ErrNoPoints)
	}
	nChunks := len(fast.Results[0].Shots)
	out := TrialEncodeOutput{FPS: fast.FPS, ScoreWidth: fast.ScoreWidth, ScoreHeight: fast.ScoreHeight, Model: fast.Model,
		Encoded: fast.Encoded, Reused: fast.Reused, Seconds: fast.Seconds, Results: make([]TrialResult, len(full))}
	// In chunk order (workflow code iterates over no map).
	calibrated = slices.SortedFunc(slices.Values(calibrated), func(a, b Calibrated) int { return cmp.Compare(a.Chunk, b.Chunk) })
	cal := map[int]TrialEncodeOutput{}
	var calChunks []int
	for _, cc := range calibrated {
		if _, dup := cal[cc.Chunk]; dup {
			return TrialEncodeOutput{}, nil, fmt.Errorf("%w: chunk %d calibrated twice", ladder.ErrNoPoints, cc.Chunk)
		}
		if cc.Chunk < 0 || cc.Chunk >= nChunks {
			return TrialEncodeOutput{}, nil, fmt.Errorf("%w: calibrated chunk %d of %d", ladder.ErrNoPoints, cc.Chunk, nChunks)
		}
		cal[cc.Chunk] = cc.Out
		calChunks = append(calChunks, cc.Chunk)
		o := cc.Out
		out.Encoded += o.Encoded
		out.Reused += o.Reused
		out.Seconds += o.Seconds
	}
	// Each chunk's fast curve per size.
	curves := map[gridSize][]*ladder.CRFCurve{}
	fastAt := map[gridSize][][]ladder.CRFSample{} // [chunk] the fast samples, for VMAF min and harmonic mean
	var sizes []gridSize                          // in the grid's order
	for _, r := range fast.Results {
		k := sizeOf(r.TrialPoint)
		if fastAt[k] == nil {
			fastAt[k] = make([][]ladder.CRFSample, nChunks)
			sizes = append(sizes, k)
		}
		if len(r.Shots) != nChunks {
			return TrialEncodeOutput{}, nil, fmt.Errorf("%w: fast trial %dx%d CRF %g has %d chunks, want %d", ladder.ErrNoPoints, r.Width, r.Height, r.CRF, len(r.Shots), nChunks)
		}
		for j, s := range r.Shots {
			fastAt[k][j] = append(fastAt[k][j], ladder.CRFSample{CRF: r.CRF, Bits: s.Bits, VMAF: s.VMAF})
		}
	}
	for _, k := range sizes {
		per := fastAt[k]
		cs := make([]*ladder.CRFCurve, nChunks)
		for j, samples := range per {
			c, err := ladder.NewCRFCurve(samples)
			if err != nil {
				return TrialEncodeOutput{}, nil, fmt.Errorf("chunk %d at %dx%d: %w", j, k.w, k.h, err)
			}
			cs[j] = c
		}
		curves[k] = cs
	}
	fastShot := func(k gridSize, j int, crf float64) (TrialShot, bool) {
		// The fast trial nearest crf, for the range and VMAF spread.
		var best TrialShot
		bestD := math.Inf(1)
		for _, r := range fast.Results {
			if sizeOf(r.TrialPoint) == k {
				if d := math.Abs(r.CRF - crf); d < bestD {
					best, bestD = r.Shots[j], d
				}
			}
		}
		return best, !math.IsInf(bestD, 1)
	}
	points := make([]ladder.CalibrationPoint, len(full))
	for g, p := range full {
		k := sizeOf(p)
		cs, ok := curves[k]
		if !ok {
			return TrialEncodeOutput{}, nil, fmt.Errorf("%w: no fast trials at %dx%d %s", ladder.ErrNoPoints, p.Width, p.Height, p.Codec)
		}
		var pairs []ladder.CalibrationPair
		for _, c := range calChunks {
			s, err := calibratedShot(cal[c], c, g, p)
			if err != nil {
				return TrialEncodeOutput{}, nil, err
			}
			bits, vmaf := cs[c].At(p.CRF)
			pairs = append(pairs, ladder.CalibrationPair{Fast: ladder.CRFSample{CRF: p.CRF, Bits: bits, VMAF: vmaf},
				Final: ladder.CRFSample{CRF: p.CRF, Bits: s.Bits, VMAF: s.VMAF}, Weight: float64(s.Frames)})
		}
		cp, err := ladder.FitCalibrationPoint(p.Width, p.Height, p.CRF, pairs)
		if err != nil {
			return TrialEncodeOutput{}, nil, err
		}
		points[g] = cp
		res := TrialResult{TrialPoint: p, Shots: make([]TrialShot, nChunks)}
		for j := range nChunks {
			if o, ok := cal[j]; ok {
				res.Shots[j], _ = calibratedShot(o, j, g, p) // checked above
				continue
			}
			fs, _ := fastShot(k, j, p.CRF)
			bits, vmaf := cs[j].At(p.CRF)
			m := cp.Apply(ladder.CRFSample{CRF: p.CRF, Bits: bits, VMAF: vmaf})
			s := fs
			s.Key, s.Reused = "", false // predicted, not measured
			s.Bits, s.VMAF = m.Bits, m.VMAF
			s.BitrateKbps = m.Bits / (float64(s.Frames) / out.FPS) / 1000
			// The fast trial's spread below its mean, at the nearest CRF.
			s.VMAFMin = min(max(m.VMAF-(fs.VMAF-fs.VMAFMin), 0), m.VMAF)
			s.VMAFHarmonicMean = min(max(m.VMAF-(fs.VMAF-fs.VMAFHarmonicMean), 0), m.VMAF)
			res.Shots[j] = s
		}
		out.Results[g] = res
	}
	// Monotone in CRF, per chunk and size: mapped predictions shifted by
	// each CRF's own offsets can cross where the curve is flat.
	monotoneChunks(&out, full, nChunks)
	return out, points, nil
}

// MeasuredAnalysis is MapAnalysis when every chunk is a calibration chunk
// (a title of at most analysis.calibrate chunks, with version
// "analysis-all-calibrated"): no fast trials to map, every chunk's results
// on the full grid are its own measurements, kept monotone in CRF as
// MapAnalysis keeps them. calibrated must hold chunks 0 to n-1. Pure.
func MeasuredAnalysis(calibrated []Calibrated, full []TrialPoint) (TrialEncodeOutput, error) {
	if len(calibrated) == 0 {
		return TrialEncodeOutput{}, fmt.Errorf("%w: no calibrated chunks", ladder.ErrNoPoints)
	}
	calibrated = slices.SortedFunc(slices.Values(calibrated), func(a, b Calibrated) int { return cmp.Compare(a.Chunk, b.Chunk) })
	n := len(calibrated)
	first := calibrated[0].Out
	out := TrialEncodeOutput{FPS: first.FPS, ScoreWidth: first.ScoreWidth, ScoreHeight: first.ScoreHeight, Model: first.Model,
		Results: make([]TrialResult, len(full))}
	for g, p := range full {
		out.Results[g] = TrialResult{TrialPoint: p, Shots: make([]TrialShot, n)}
	}
	for j, cc := range calibrated {
		if cc.Chunk != j {
			return TrialEncodeOutput{}, fmt.Errorf("%w: chunk %d is not calibrated (calibrated chunks: %d of %d)", ladder.ErrNoPoints, j, n, n)
		}
		o := cc.Out
		if len(o.Results) != len(full) {
			return TrialEncodeOutput{}, fmt.Errorf("%w: calibration of chunk %d has %d grid points, want %d", ladder.ErrNoPoints, j, len(o.Results), len(full))
		}
		out.Encoded += o.Encoded
		out.Reused += o.Reused
		out.Seconds += o.Seconds
		for g, p := range full {
			s, err := calibratedShot(o, j, g, p)
			if err != nil {
				return TrialEncodeOutput{}, err
			}
			out.Results[g].Shots[j] = s
		}
	}
	monotoneChunks(&out, full, n)
	return out, nil
}

// gridSize is a trial grid's size and codec: the points of one size are
// one rate–quality curve per chunk.
type gridSize struct {
	w, h  int
	codec string
}

func sizeOf(p TrialPoint) gridSize { return gridSize{p.Width, p.Height, codecName(p.Codec)} }

// calibratedShot is calibration chunk c's measurement at full-grid point
// g (p), from its full-grid output o, as chunk c's result; an output that
// does not hold p there is ErrNoPoints.
func calibratedShot(o TrialEncodeOutput, c, g int, p TrialPoint) (TrialShot, error) {
	if g >= len(o.Results) || len(o.Results[g].Shots) != 1 || o.Results[g].TrialPoint != p {
		return TrialShot{}, fmt.Errorf("%w: calibration of chunk %d does not match the grid at point %d", ladder.ErrNoPoints, c, g)
	}
	s := o.Results[g].Shots[0]
	s.Range, s.Shot = c, c
	return s, nil
}

// monotoneChunks makes every chunk's results in out (one per full-grid
// point, n chunks each) monotone in CRF per size: less bits and no more
// VMAF at a higher CRF.
func monotoneChunks(out *TrialEncodeOutput, full []TrialPoint, nChunks int) {
	var sizes []gridSize // in the grid's order
	for _, p := range full {
		if k := sizeOf(p); !slices.Contains(sizes, k) {
			sizes = append(sizes, k)
		}
	}
	for _, k := range sizes {
		var idx []int
		for g, p := range full {
			if sizeOf(p) == k {
				idx = append(idx, g)
			}
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(full[a].CRF, full[b].CRF) })
		for j := range nChunks {
			s := make([]ladder.CRFSample, len(idx))
			for n, g := range idx {
				sh := out.Results[g].Shots[j]
				s[n] = ladder.CRFSample{CRF: full[g].CRF, Bits: sh.Bits, VMAF: sh.VMAF}
			}
			ladder.MonotoneInCRF(s)
			for n, g := range idx {
				sh := &out.Results[g].Shots[j]
				if sh.Bits != s[n].Bits {
					sh.Bits = s[n].Bits
					sh.BitrateKbps = sh.Bits / (float64(sh.Frames) / out.FPS) / 1000
				}
				if sh.VMAF != s[n].VMAF {
					sh.VMAF = s[n].VMAF
					sh.VMAFMin, sh.VMAFHarmonicMean = min(sh.VMAFMin, sh.VMAF), min(sh.VMAFHarmonicMean, sh.VMAF)
				}
			}
		}
	}
	for i := range out.Results {
		out.Results[i].Estimate(out.FPS)
	}
}

// perTitleEveryChunk is the complexity stage of version 1 of
// "analyze-every-chunk": every chunk's first analysis.chunk_seconds are
// trial-encoded on the fast grid (every trial size at the analysis CRFs,
// the analysis preset, VMAF on every vmaf_every-th frame), a few chunks
// spread over the title (analysis.calibrate) also on the full grid at the
// final preset; MapAnalysis maps every chunk's fast curves to the final
// encode's with the offsets measured on those (when every chunk is
// calibrated, MeasuredAnalysis takes the measurements alone, and no fast
// trials run). All trial activities fan
// out as chunk encodes do (the encode queue, at most max_parallel at
// once), calibration first; results stay content-addressed in the cache.
func perTitleEveryChunk(ctx workflow.Context, st *Stage, req TitleRequest, video *media.StreamInfo, shots []Shot, id SourceID) (*PerTitle, *Analysis, error) {
	p := req.Profile
	an := p.Ladder.PerTitle.Analysis
	spans := chunkSpans(PlanChunks(req, video, shots))
	if len(spans) == 0 {
		spans = shotSpans(shots, video.FrameCount)
	}
	if len(spans) == 0 {
		return nil, nil, temporal.NewNonRetryableApplicationError("the source has no frames to encode", ErrTypeInvalidMedia, nil)
	}
	fps := video.FPS
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	full, err := TrialGrid(p, video)
	if err != nil {
		return nil, nil, err
	}
	crfs := slices.Clone(an.CRFs)
	if len(crfs) < 2 {
		crfs = profile.DefaultAnalysisCRFs(p.Ladder.PerTitle.CRFs)
	}
	a := &Analysis{Preset: profile.AnalysisPreset(an.Preset, full[0].Preset), CRFs: crfs, VMAFEvery: max(an.VMAFEvery, 1),
		WindowFrames: max(int(math.Floor(an.ChunkSeconds*fps+1e-9)), 1)}
	fastGrid := AnalysisGrid(full, crfs, a.Preset)
	ranges := ChunkWindows(spans, a.WindowFrames)
	a.CalibrationChunks = CalibrationChunks(len(ranges), max(an.Calibrate, 1))
	groups := analysisGroups(len(ranges), p.Encode.MaxParallel)
	// A title of at most analysis.calibrate chunks has every chunk
	// measured at the final preset: with version 1 of
	// "analysis-all-calibrated" its fast trials, with nothing left to map,
	// are not run.
	allCalibrated := len(a.CalibrationChunks) == len(ranges) &&
		workflow.GetVersion(ctx, "analysis-all-calibrated", workflow.DefaultVersion, 1) >= 1
	if allCalibrated {
		groups = nil
	}

	type task struct {
		in  TrialEncodeInput
		cal int // the calibrated chunk, or -1
	}
	var tasks []task
	for _, c := range a.CalibrationChunks {
		// Scored on the same frames as the fast trials: the offsets then
		// map like to like, and the frame sample's own error averages out
		// over the chunks.
		tasks = append(tasks, task{in: TrialEncodeInput{Source: req.Source, SourceID: id, Ranges: ranges[c : c+1], Grid: full, Cache: cacheDir(req),
			VMAFEvery: a.VMAFEvery}, cal: c})
	}
	for _, g := range groups {
		tasks = append(tasks, task{in: TrialEncodeInput{Source: req.Source, SourceID: id, Ranges: ranges[g[0]:g[1]], Grid: fastGrid, Cache: cacheDir(req),
			VMAFEvery: a.VMAFEvery}, cal: -1})
	}
	st.Total = len(tasks)
	outs, err := trialEncodes(ctx, st, p.Encode.MaxParallel, len(tasks), func(k int) TrialEncodeInput { return tasks[k].in })
	if err != nil {
		return nil, nil, err
	}
	var cal []Calibrated
	var fastOuts []TrialEncodeOutput
	for k, t := range tasks {
		if t.cal >= 0 {
			cal = append(cal, Calibrated{Chunk: t.cal, Out: outs[k]})
			a.CalibrationSeconds += outs[k].Seconds
		} else {
			fastOuts = append(fastOuts, outs[k])
			a.FastSeconds += outs[k].Seconds
		}
	}
	var mapped TrialEncodeOutput
	if allCalibrated {
		mapped, err = MeasuredAnalysis(cal, full)
	} else {
		mapped, a.Calibration, err = MapAnalysis(MergeTrials(fastOuts), cal, full)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("per-title analysis: %w", err)
	}
	of := make([]int, len(ranges))
	for i := range of {
		of[i] = i
	}
	return &PerTitle{Shots: spans, Sample: ranges, Of: of, Trials: mapped, PerShot: p.Ladder.PerTitle.PerShotOn(), Analysis: a}, a, nil
}

// codecName is a codec's canonical name ("" and "avc" are "h264"), or the
// name itself when unknown.
func codecName(c string) string {
	if vc, ok := media.LookupVideoCodec(c); ok {
		return vc.Name
	}
	return c
}

// trialEncodes runs n TrialEncode activities (input k from in) on the
// encode queue, at most parallel at once, as chunk encodes run, counting
// finished ones in st.Done; outputs in input order.
func trialEncodes(ctx workflow.Context, st *Stage, parallel, n int, in func(k int) TrialEncodeInput) ([]TrialEncodeOutput, error) {
	outs := make([]TrialEncodeOutput, n)
	c := activityCtx(ctx, QueueEncode, 24*time.Hour, heartbeatTimeout)
	err := fanOut(ctx, n, parallel, func(k int) workflow.Future {
		return workflow.ExecuteActivity(c, ActivityTrialEncode, in(k))
	}, func(k int, f workflow.Future) error {
		if err := f.Get(ctx, &outs[k]); err != nil {
			return err
		}
		st.Done++
		return nil
	})
	return outs, err
}
