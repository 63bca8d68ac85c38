package workflows

import (
	"fmt"
	"math"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
)

// PerTitle is what the per-title ladder decided and why: the trial grid
// and its results, the title's convex hull, the chosen rungs with their
// predictions, and each rung's per-chunk CRFs. It travels to the report.
type PerTitle struct {
	// Shots are the spans of the title the sample is drawn from: its
	// chunks (PlanChunks; workflow version sample-chunks), before that its
	// shots (AnalyzeOutput.Shots that lie in the title, or the whole title
	// as one), long ones in parts (version sample-long-shots). Sample holds
	// the trial-encoded ranges (one per sampled span) and Of maps every
	// span to the index of the range standing for it.
	Shots  []ladder.ShotSpan `json:"shots"`
	Sample []TrialRange      `json:"sample"`
	Of     []int             `json:"of"`
	// Trials holds every grid point's results (title estimates and one
	// entry per range), and FPS, score size and model.
	Trials TrialEncodeOutput `json:"trials"`
	// Hull is the title's convex hull of the grid's title estimates.
	Hull []ladder.Point `json:"hull"`
	// Rungs are the chosen rungs, highest first (as Specs).
	Rungs []PerTitleRung `json:"rungs"`
	// PerShot tells whether chunks of a rung got their own CRFs.
	PerShot bool `json:"per_shot"`
	// Analysis, with version analyze-every-chunk, says how every chunk
	// was measured: Shots are then the chunks, Sample one window of each
	// (Of the identity), and Trials the full grid's results mapped from
	// the fast trials (measured on the calibration chunks).
	Analysis *Analysis `json:"analysis,omitempty"`
}

// PerTitleRung is one chosen rung.
type PerTitleRung struct {
	ID string `json:"id"`
	ladder.Rung
	// PredictedKbps and PredictedVMAF are what the encode is expected to
	// give: the rung's title estimate, or with per-shot CRFs the plan's.
	PredictedKbps float64 `json:"predicted_kbps"`
	PredictedVMAF float64 `json:"predicted_vmaf"`
	// ChunkCRFs are the per-chunk CRFs of the per-shot plan, one per
	// chunk in plan order (nil without per-shot optimization).
	ChunkCRFs []float64 `json:"chunk_crfs,omitempty"`
	// ChunkHeights are the per-chunk heights of the per-shot plan when
	// chunks may take their own resolution (nil when they keep the
	// rung's).
	ChunkHeights []int `json:"chunk_heights,omitempty"`
	// UniformKbps is the predicted bitrate of the same rung with every
	// chunk at the rung's CRF, so that the per-shot saving reads
	// 1 − PredictedKbps/UniformKbps (at the same predicted VMAF).
	UniformKbps float64 `json:"uniform_kbps,omitempty"`
}

// shotSpans returns the title's shots as spans for sampling; a title
// without shots is one span.
func shotSpans(shots []Shot, frames int) []ladder.ShotSpan {
	var out []ladder.ShotSpan
	for _, s := range shots {
		end := min(s.End, frames)
		if end > s.Start && s.Start >= 0 {
			out = append(out, ladder.ShotSpan{Start: s.Start, Frames: end - s.Start})
		}
	}
	if len(out) == 0 && frames > 0 {
		out = []ladder.ShotSpan{{Start: 0, Frames: frames}}
	}
	return out
}

// chunkSpans are planned chunks as spans for ladder.SampleShots.
func chunkSpans(chunks []plan.Chunk) []ladder.ShotSpan {
	out := make([]ladder.ShotSpan, 0, len(chunks))
	for _, c := range chunks {
		if c.Frames > 0 {
			out = append(out, ladder.ShotSpan{Start: c.StartFrame, Frames: c.Frames})
		}
	}
	return out
}

// perTitleOf is a resolved per-title profile's per_title section
// (profile.Profile.ResolveStages fills it).
func perTitleOf(p profile.Profile) (profile.PerTitle, error) {
	if p.Ladder.PerTitle == nil {
		return profile.PerTitle{}, invalidRequest("profile %q: per_title settings not resolved", p.Name)
	}
	return *p.Ladder.PerTitle, nil
}

// TrialGrid returns the trial grid of a per-title profile for a source:
// every distinct size of the profile's heights (capped at the source)
// × every trial CRF, with the ladder defaults' codec, preset and GOP.
// Pure; called from workflow code.
func TrialGrid(p profile.Profile, video *media.StreamInfo) ([]TrialPoint, error) {
	pt, err := perTitleOf(p)
	if err != nil {
		return nil, err
	}
	_, sizes, err := ladder.Fit(LadderSource(video), pt.Heights)
	if err != nil {
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeUnsupported, err)
	}
	spec := profile.Rung{Codec: p.Ladder.Defaults}.Spec(2, 2, video.FPS)
	var grid []TrialPoint
	for _, sz := range sizes {
		for _, crf := range pt.CRFs {
			grid = append(grid, TrialPoint{Width: sz.Width, Height: sz.Height, Codec: spec.Codec, CRF: crf, Preset: spec.Preset, GOPFrames: spec.GOPFrames})
		}
	}
	return grid, nil
}

// SelectRungs chooses the per-title rungs from the trial results and
// returns them with their encode settings, highest first. Rung IDs are
// "<height>p", with "-1", "-2", … from the cheapest when several rungs
// share a height. Candidates between trial CRFs are predicted as between
// says (ladder.Constraints.Between). Pure; called from workflow code.
func SelectRungs(p profile.Profile, video *media.StreamInfo, trials TrialEncodeOutput, between ladder.Between) ([]PerTitleRung, []media.RungSpec, []ladder.Point, error) {
	pt, err := perTitleOf(p)
	if err != nil {
		return nil, nil, nil, err
	}
	points := trials.Points()
	hull, err := ladder.Hull(points)
	if err != nil {
		return nil, nil, nil, invalidSettings("per-title ladder: %v", err)
	}
	chosen, err := ladder.Select(points, ladder.Constraints{
		Rungs: pt.Rungs, MinRungs: pt.MinRungs, MinKbps: pt.MinKbps, MaxKbps: pt.MaxKbps,
		MinVMAF: pt.MinVMAF, MaxVMAF: pt.MaxVMAF, MinRatio: pt.MinRatio, MinVMAFStep: pt.MinVMAFStep,
		Interpolate: true, CRFStep: pt.CRFStep, Between: between,
	})
	if err != nil {
		return nil, nil, nil, invalidSettings("per-title ladder: no ladder fits ladder.per_title's bounds (kbps %g–%g, VMAF %g–%g, %d–%d rungs, ratio %g) for this title: %v",
			pt.MinKbps, pt.MaxKbps, pt.MinVMAF, pt.MaxVMAF, pt.MinRungs, pt.Rungs, pt.MinRatio, err)
	}
	perHeight := map[int]int{}
	for _, r := range chosen {
		perHeight[r.Height]++
	}
	seen := map[int]int{}
	rungs := make([]PerTitleRung, len(chosen))
	specs := make([]media.RungSpec, len(chosen))
	for i, r := range chosen { // cheapest first
		id := fmt.Sprintf("%dp", r.Height)
		if perHeight[r.Height] > 1 {
			seen[r.Height]++
			id = fmt.Sprintf("%dp-%d", r.Height, seen[r.Height])
		}
		k := len(chosen) - 1 - i // highest first
		rungs[k] = PerTitleRung{ID: id, Rung: r, PredictedKbps: r.BitrateKbps, PredictedVMAF: r.VMAF}
		c := p.Ladder.Defaults
		c.CRF, c.BitrateKbps, c.MaxrateKbps, c.BufsizeKbps = r.CRF, 0, 0, 0
		specs[k] = profile.Rung{ID: id, Height: r.Height, Codec: c}.Spec(r.Width, r.Height, video.FPS)
	}
	return rungs, specs, hull, nil
}

// chunkOptions returns every chunk's options at one size and codec for the
// per-shot optimizer: a chunk's bits and mean VMAF at grid point k are
// those of the sampled ranges standing for the shots it overlaps (of maps
// shot → range), per frame, times the frames it takes of each shot.
// Options are then interpolated to CRFs on multiples of crfStep, predicted
// as between says.
func chunkOptions(trials TrialEncodeOutput, spans []ladder.ShotSpan, of []int, chunks []plan.Chunk, width, height int, codec string, crfStep float64, between ladder.Between) ([]ladder.Shot, error) {
	raw, err := chunkTrialOptions(trials, spans, of, chunks, width, height, codec)
	if err != nil {
		return nil, err
	}
	out := make([]ladder.Shot, len(chunks))
	for c, sh := range raw {
		interp, err := ladder.InterpolateOptions(sh.Options, crfStep, between)
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c, err)
		}
		out[c] = ladder.Shot{Frames: sh.Frames, Options: interp}
	}
	return out, nil
}

// chunkTrialOptions is chunkOptions before interpolation: every chunk's
// options at the trial CRFs alone.
func chunkTrialOptions(trials TrialEncodeOutput, spans []ladder.ShotSpan, of []int, chunks []plan.Chunk, width, height int, codec string) ([]ladder.Shot, error) {
	var grid []int
	for k, r := range trials.Results {
		if r.Width == width && r.Height == height && media.SameVideoCodec(r.Codec, codec) {
			grid = append(grid, k)
		}
	}
	if len(grid) == 0 {
		return nil, fmt.Errorf("%w: no trial encodes at %dx%d %s", ladder.ErrNoPoints, width, height, codec)
	}
	out := make([]ladder.Shot, len(chunks))
	for c, ch := range chunks {
		opts := make([]ladder.ShotOption, len(grid))
		for n, k := range grid {
			r := trials.Results[k]
			opts[n] = ladder.ShotOption{Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF}
		}
		covered := 0
		for s, sp := range spans {
			lo, hi := max(ch.StartFrame, sp.Start), min(ch.StartFrame+ch.Frames, sp.Start+sp.Frames)
			if hi <= lo || s >= len(of) {
				continue
			}
			overlap := float64(hi - lo)
			covered += hi - lo
			for n, k := range grid {
				ts := trials.Results[k].Shots[of[s]]
				opts[n].Bits += overlap * ts.Bits / float64(ts.Frames)
				opts[n].Quality += overlap * ts.VMAF
			}
		}
		if covered == 0 {
			return nil, fmt.Errorf("%w: chunk %d (frames %d+%d) overlaps no shot", ladder.ErrNoPoints, c, ch.StartFrame, ch.Frames)
		}
		for n := range opts {
			opts[n].Quality /= float64(covered)
		}
		out[c] = ladder.Shot{Frames: covered, Options: opts}
	}
	return out, nil
}

// optionAtCRF predicts a chunk's option at crf from its trial options
// (one size): a trial CRF's own, else log bits and quality linear in CRF
// between the trial CRFs on either side. ok is false when crf lies
// outside them.
func optionAtCRF(opts []ladder.ShotOption, crf float64) (ladder.ShotOption, bool) {
	var lo, hi *ladder.ShotOption // the nearest trial CRFs below and above
	for i := range opts {
		o := &opts[i]
		if o.CRF == crf {
			return *o, true
		}
		if o.CRF < crf && (lo == nil || o.CRF > lo.CRF) {
			lo = o
		}
		if o.CRF > crf && (hi == nil || o.CRF < hi.CRF) {
			hi = o
		}
	}
	if lo == nil || hi == nil || !(lo.Bits > 0 && hi.Bits > 0) {
		return ladder.ShotOption{}, false
	}
	t := (crf - lo.CRF) / (hi.CRF - lo.CRF)
	o := *lo
	o.CRF = crf
	o.Bits = lo.Bits * math.Pow(hi.Bits/lo.Bits, t)
	o.Quality = lo.Quality + t*(hi.Quality-lo.Quality)
	return o, true
}

// rungOption is chunk c's option at the rung's own CRF and size,
// predicted from its trial encodes (optionAtCRF).
func rungOption(pt *PerTitle, chunks []plan.Chunk, c int, rung *PerTitleRung) (ladder.ShotOption, bool) {
	raw, err := chunkTrialOptions(pt.Trials, pt.Shots, pt.Of, chunks[c:c+1], rung.Width, rung.Height, rung.Codec)
	if err != nil {
		return ladder.ShotOption{}, false
	}
	return optionAtCRF(raw[0].Options, rung.CRF)
}

// PerShotOptions configures PlanPerShot.
type PerShotOptions struct {
	// CRFStep is the granularity of chunk CRFs between trial CRFs.
	CRFStep float64
	// Floor is the least VMAF planned for a chunk (the profile's
	// min_vmaf), unless the rung's own CRF and size put it lower.
	Floor float64
	// Resolution lets chunks take any trial size up to the rung's (the
	// profile's shot_resolution), for codecs whose chunks stitch across
	// size changes (media.VideoCodec.SizeChanges); others keep the rung's.
	Resolution bool
	// Between is how chunks' options between trial CRFs are predicted
	// (ladder.InterpolateOptions).
	Between ladder.Between
}

// PlanPerShot gives every chunk of each rung its own CRF, and with
// opt.Resolution its own resolution up to the rung's (the Dynamic
// Optimizer): the settings that reach, over the title, the VMAF the chunks
// would reach all at the rung's CRF and size, with the fewest bits. No
// chunk is planned below opt.Floor (the profile's min_vmaf) unless the
// rung's own settings already put it there, and then not below that: the
// optimizer maximises the mean and would otherwise starve hard chunks of
// the low rungs. It sets each rung's ChunkCRFs (and ChunkHeights when
// chunks may change size), UniformKbps and predictions, and returns per
// chunk the rung specs to encode it with. A rung's spec keeps its own size,
// the largest any of its chunks uses. Pure; called from workflow code.
func PlanPerShot(pt *PerTitle, specs []media.RungSpec, chunks []plan.Chunk, opt PerShotOptions) ([][]media.RungSpec, error) {
	fps := pt.Trials.FPS
	kbps := func(bits float64, frames int) float64 { return bits / (float64(frames) / fps) / 1000 }
	perChunk := make([][]media.RungSpec, len(chunks))
	for c := range chunks {
		perChunk[c] = slices.Clone(specs)
	}
	for r := range pt.Rungs {
		rung := &pt.Rungs[r]
		sizes := []ladder.Size{{Width: rung.Width, Height: rung.Height}}
		vc, _ := media.LookupVideoCodec(rung.Codec)
		resolution := opt.Resolution && vc.SizeChanges
		if resolution {
			sizes = pt.Trials.Sizes(rung.Codec, rung.Height)
		}
		var shots []ladder.Shot
		for _, sz := range sizes {
			at, err := chunkOptions(pt.Trials, pt.Shots, pt.Of, chunks, sz.Width, sz.Height, rung.Codec, opt.CRFStep, opt.Between)
			if err != nil {
				return nil, fmt.Errorf("per-shot plan of rung %s: %w", rung.ID, err)
			}
			if shots == nil {
				shots = at
				continue
			}
			for c := range shots {
				shots[c].Options = append(shots[c].Options, at[c].Options...)
			}
		}
		// The uniform plan: every chunk at the rung's CRF and size.
		var ubits, uq float64
		frames := 0
		for c, sh := range shots {
			i := slices.IndexFunc(sh.Options, func(o ladder.ShotOption) bool {
				return o.CRF == rung.CRF && o.Width == rung.Width && o.Height == rung.Height
			})
			if i < 0 {
				// The rung's own CRF can be missing from a chunk's options:
				// its trial encodes at the rung's size may leave the hull
				// above it (a chunk of a few frames scores VMAF 100 at two
				// trial CRFs, and the dearer one is dominated). The uniform
				// plan still needs it: predict it from the chunk's trial
				// encodes on either side, and offer it.
				o, ok := rungOption(pt, chunks, c, rung)
				if !ok {
					return nil, fmt.Errorf("per-shot plan of rung %s: chunk %d has no option at CRF %g", rung.ID, c, rung.CRF)
				}
				sh.Options = append(sh.Options, o)
				i = len(sh.Options) - 1
			}
			ubits += sh.Options[i].Bits
			uq += float64(sh.Frames) * sh.Options[i].Quality
			frames += sh.Frames
			least := min(opt.Floor, sh.Options[i].Quality)
			shots[c].Options = slices.DeleteFunc(sh.Options, func(o ladder.ShotOption) bool { return o.Quality < least })
		}
		uq /= float64(frames)
		planned, err := ladder.MinBitsForQuality(shots, uq*(1-1e-12))
		if err != nil {
			return nil, fmt.Errorf("per-shot plan of rung %s: %w", rung.ID, err)
		}
		rung.UniformKbps = kbps(ubits, frames)
		rung.ChunkCRFs = make([]float64, len(chunks))
		if resolution {
			rung.ChunkHeights = make([]int, len(chunks))
		}
		if planned.Bits > ubits { // cannot happen (uniform is feasible); keep uniform
			for c := range chunks {
				rung.ChunkCRFs[c] = rung.CRF
				if rung.ChunkHeights != nil {
					rung.ChunkHeights[c] = rung.Height
				}
			}
			rung.PredictedKbps, rung.PredictedVMAF = rung.UniformKbps, uq
			continue
		}
		for _, ch := range planned.Choices {
			rung.ChunkCRFs[ch.Shot] = ch.CRF
			if rung.ChunkHeights != nil {
				rung.ChunkHeights[ch.Shot] = ch.Height
			}
			s := &perChunk[ch.Shot][r]
			s.CRF, s.Width, s.Height = ch.CRF, ch.Width, ch.Height
		}
		rung.PredictedKbps, rung.PredictedVMAF = kbps(planned.Bits, frames), planned.Quality
	}
	return perChunk, nil
}

// SizeChanges reports, per rung, whether its chunks' sizes differ from the
// rung's (PlanPerShot's output): those rungs are stitched with size
// changes.
func SizeChanges(specs []media.RungSpec, perChunk [][]media.RungSpec) []bool {
	out := make([]bool, len(specs))
	for _, cs := range perChunk {
		for r, s := range cs {
			if s.Width != specs[r].Width || s.Height != specs[r].Height {
				out[r] = true
			}
		}
	}
	return out
}

// invalidSettings is a non-retryable error for settings that cannot work
// for this title.
func invalidSettings(format string, a ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, a...), ErrTypeInvalidSettings, nil)
}

// perTitleTrials is the complexity stage: sample the title's shots, trial-
// encode the grid on every sampled range (one TrialEncode activity per
// range, at most MaxParallel at once, on the encode queue), merge, and
// choose the rungs.
func perTitleTrials(ctx workflow.Context, st *Stage, req TitleRequest, video *media.StreamInfo, shots []Shot, id SourceID) (*PerTitle, []media.RungSpec, error) {
	p := req.Profile
	cfg := *p.Ladder.PerTitle
	// Version 1 of "analyze-every-chunk" measures every chunk, cheaply
	// (perTitleEveryChunk), unless the profile asks for the sample
	// (analysis.every_chunk false); earlier histories sample.
	if cfg.Analysis.EveryChunkOn() && workflow.GetVersion(ctx, "analyze-every-chunk", workflow.DefaultVersion, 1) >= 1 {
		pt, _, err := perTitleEveryChunk(ctx, st, req, video, shots, id)
		if err != nil {
			return nil, nil, err
		}
		specs, err := chooseRungs(ctx, p, video, pt)
		if err != nil {
			return nil, nil, err
		}
		return pt, specs, nil
	}
	spans := shotSpans(shots, video.FrameCount)
	if len(spans) == 0 {
		return nil, nil, temporal.NewNonRetryableApplicationError("the source has no frames to encode", ErrTypeInvalidMedia, nil)
	}
	// Version 1 of "sample-chunks" draws the sample from the title's
	// chunks, the units the final encode is cut into, rather than from its
	// shots. Chunks start on segment boundaries and shots on cuts: a window
	// from a cut stood for a chunk that starts up to a segment away, with
	// the cut inside it. Now a window starts where its chunk does, and a
	// chunk no longer than max_shot_seconds is trial-encoded exactly as
	// the final encode encodes it (same frames, same first keyframe), so
	// the per-shot plan reads its own curves.
	if workflow.GetVersion(ctx, "sample-chunks", workflow.DefaultVersion, 1) >= 1 {
		if cs := chunkSpans(PlanChunks(req, video, shots)); len(cs) > 0 {
			spans = cs
		}
	}
	fps := video.FPS
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	// Version 1 of "sample-long-shots" offers a shot at least twice
	// max_shot_seconds long to the sample as parts of at least that
	// length (ladder.SplitShots), so its windows spread over the shot
	// (within the same budget) instead of one window from its middle
	// standing for all of it; the per-shot plan then reads each part's
	// own results.
	partFrames := 0 // keeps every shot whole
	if workflow.GetVersion(ctx, "sample-long-shots", workflow.DefaultVersion, 1) >= 1 {
		partFrames = int(math.Floor(cfg.Sample.MaxShotSeconds*fps + 1e-9))
	}
	spans, parent := ladder.SplitShots(spans, partFrames)
	sample, err := ladder.SampleShots(spans, ladder.SampleOptions{FPS: fps, MaxSeconds: cfg.Sample.MaxSeconds, MaxShots: cfg.Sample.MaxShots,
		MaxShotSeconds: cfg.Sample.MaxShotSeconds, MinShotSeconds: cfg.Sample.MinShotSeconds})
	if err != nil {
		return nil, nil, invalidSettings("per-title sample: %v", err)
	}
	grid, err := TrialGrid(p, video)
	if err != nil {
		return nil, nil, err
	}
	ranges := TrialRanges(sample)
	for i := range ranges { // the shot (or chunk), not the part
		ranges[i].Shot = parent[ranges[i].Shot]
	}
	if len(ranges) > 1 { // one range: clients show its heartbeat progress instead
		st.Total = len(ranges)
	}
	outs, err := trialEncodes(ctx, st, p.Encode.MaxParallel, len(ranges), func(k int) TrialEncodeInput {
		return TrialEncodeInput{Source: req.Source, SourceID: id, Ranges: ranges[k : k+1], Grid: grid, Cache: cacheDir(req)}
	})
	if err != nil {
		return nil, nil, err
	}
	pt := &PerTitle{Shots: spans, Sample: ranges, Of: sample.Of, Trials: MergeTrials(outs), PerShot: cfg.PerShotOn()}
	specs, err := chooseRungs(ctx, p, video, pt)
	if err != nil {
		return nil, nil, err
	}
	return pt, specs, nil
}

// chooseRungs chooses the rungs from pt's trials (SelectRungs) and sets
// pt's Rungs and Hull.
func chooseRungs(ctx workflow.Context, p profile.Profile, video *media.StreamInfo, pt *PerTitle) ([]media.RungSpec, error) {
	// Version 1 of "select-quality-in-crf" predicts rung candidates
	// between trial CRFs with VMAF linear in CRF, as the per-shot plan
	// does, instead of on the hull chord (which under-predicts them).
	between := ladder.BetweenChord
	if workflow.GetVersion(ctx, "select-quality-in-crf", workflow.DefaultVersion, 1) >= 1 {
		between = ladder.BetweenLinear
	}
	between = cubicInCRF(ctx, between)
	rungs, specs, hull, err := SelectRungs(p, video, pt.Trials, between)
	if err != nil {
		return nil, err
	}
	pt.Rungs, pt.Hull = rungs, hull
	return specs, nil
}

// cubicInCRF is version 1 of "crf-cubic": points between trial CRFs take
// log bitrate and VMAF on monotone cubics in CRF through the trial
// encodes (ladder.BetweenCubic), for the rung choice and the per-shot plan
// alike; lines between two trial CRFs under-predict the concave VMAF. An
// earlier history keeps between.
func cubicInCRF(ctx workflow.Context, between ladder.Between) ladder.Between {
	if workflow.GetVersion(ctx, "crf-cubic", workflow.DefaultVersion, 1) >= 1 {
		return ladder.BetweenCubic
	}
	return between
}

// fanOut starts n activities, at most limit at once, and hands each
// finished future to done; the first error stops new starts and is
// returned once the running ones finish.
func fanOut(ctx workflow.Context, n, limit int, start func(k int) workflow.Future, done func(k int, f workflow.Future) error) error {
	sel := workflow.NewSelector(ctx)
	var firstErr error
	inflight, next := 0, 0
	for next < n || inflight > 0 {
		if next < n && inflight < limit && firstErr == nil {
			k := next
			sel.AddFuture(start(k), func(f workflow.Future) {
				inflight--
				if err := done(k, f); err != nil && firstErr == nil {
					firstErr = err
				}
			})
			inflight++
			next++
			continue
		}
		if inflight == 0 {
			break // an error stopped the fan-out
		}
		sel.Select(ctx)
	}
	return firstErr
}
