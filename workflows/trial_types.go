package workflows

import (
	"cmp"
	"slices"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
)

// ActivityTrialEncode is the name of the trial-encode activity (complexity
// analysis of per-title encoding), registered from
// activities.Activities.TrialEncode.
const ActivityTrialEncode = "TrialEncode"

// TrialRange is one sampled stretch of the source (a shot, or the middle of
// one) that every grid point is trial-encoded on.
type TrialRange struct {
	// Shot is the index of the span of the title the range was drawn from
	// (PerTitle.Shots: a chunk, or a shot in histories before the
	// sample-chunks version); it is carried to the outputs and is not
	// part of the cache key.
	Shot int `json:"shot"`
	// StartFrame and Frames are the frames [StartFrame, StartFrame+Frames)
	// of a full decode of the source.
	StartFrame int `json:"start_frame"`
	Frames     int `json:"frames"`
	// Weight is how many title frames the range stands for
	// (ladder.ShotSample.Weight); 0 means Frames. The title estimates
	// (TrialResult.BitrateKbps and VMAF) weight each range's per-frame
	// bits and mean VMAF by it.
	Weight float64 `json:"weight,omitempty"`
}

// TrialRanges turns a sample of shots into the ranges of a TrialEncode, in
// the sample's order (so that Ranges[j] is s.Shots[j] and s.Of indexes
// them).
func TrialRanges(s ladder.Sample) []TrialRange {
	out := make([]TrialRange, len(s.Shots))
	for i, sh := range s.Shots {
		out[i] = TrialRange{Shot: sh.Shot, StartFrame: sh.Start, Frames: sh.Frames, Weight: float64(sh.Weight)}
	}
	return out
}

// TrialPoint is one point of the trial grid: a resolution and a quality
// setting of one codec.
type TrialPoint struct {
	Width  int `json:"width"`
	Height int `json:"height"`
	// Codec: "h264" (default when empty), "hevc", "vp9" or "av1".
	Codec string `json:"codec"`
	// CRF is the constant-quality setting (> 0).
	CRF float64 `json:"crf"`
	// Preset is the encoder preset ("" is the codec's default); trial
	// encodes should use the preset of the final encodes.
	Preset string `json:"preset,omitempty"`
	// GOPFrames is the keyframe interval (0 lets the codec choose), as
	// the final encodes will use it.
	GOPFrames int `json:"gop_frames,omitempty"`
}

// TrialEncodeInput is the input of the TrialEncode activity: every grid
// point encoded on every range and scored against the source.
type TrialEncodeInput struct {
	Source string `json:"source"`
	// SourceID is the source's identity (SourceIdentity activity); as for
	// EncodeChunk, a mismatch is a non-retryable SourceChanged, zero means
	// computed, and URL sources need it.
	SourceID SourceID     `json:"source_id"`
	Ranges   []TrialRange `json:"ranges"`
	Grid     []TrialPoint `json:"grid"`
	// Cache is the directory of content-addressed trial results:
	// <cache>/trials/<key>.json, one per (range, grid point). It may be
	// the chunk cache.
	Cache string `json:"cache"`
	// Model is the VMAF model ("" is vmaf_v0.6.1).
	Model string `json:"model,omitempty"`
	// ScoreWidth and ScoreHeight are the size VMAF is measured at: the
	// source is scaled to it (bicubic) for the reference, and every trial
	// encode is decoded and upscaled (bicubic) to it. 0 means the source's
	// decoded size, odd ones included (the reference is then 4:4:4), the
	// size ScoreRungs measures the final rungs at, so predicted and
	// measured VMAF compare.
	ScoreWidth  int `json:"score_width,omitempty"`
	ScoreHeight int `json:"score_height,omitempty"`
	// VMAFEvery scores every n-th frame of each range (the motion
	// feature still from every reference frame), a range's VMAF being the
	// mean over those; 0 and 1 score every frame. It is part of the cache
	// key.
	VMAFEvery int `json:"vmaf_every,omitempty"`
}

// TrialShot is one grid point's result on one range.
type TrialShot struct {
	// Range indexes TrialEncodeInput.Ranges; Shot, StartFrame, Frames and
	// Weight are copied from it (Weight resolved: never 0).
	Range      int     `json:"range"`
	Shot       int     `json:"shot"`
	StartFrame int     `json:"start_frame"`
	Frames     int     `json:"frames"`
	Weight     float64 `json:"weight"`
	// Bits is the encoded video payload of the range (container overhead
	// excluded), BitrateKbps the same over the range's duration.
	Bits        float64 `json:"bits"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	// VMAF is the mean over the range's frames; VMAFMin and
	// VMAFHarmonicMean pool the same frames.
	VMAF             float64 `json:"vmaf"`
	VMAFMin          float64 `json:"vmaf_min"`
	VMAFHarmonicMean float64 `json:"vmaf_harmonic_mean"`
	// Key is the result's cache key; Reused tells whether it was found in
	// the cache (nothing encoded or scored).
	Key    string `json:"key"`
	Reused bool   `json:"reused"`
}

// TrialResult is one grid point's result over all ranges.
type TrialResult struct {
	TrialPoint
	// BitrateKbps and VMAF estimate the title's: the ranges' per-frame
	// bits and mean VMAF, weighted by TrialRange.Weight (with no weights,
	// total bits over total duration and the mean over all sampled
	// frames).
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
	// Bits and Frames are the sample's totals.
	Bits   float64 `json:"bits"`
	Frames int     `json:"frames"`
	// Shots has one entry per range, in input order.
	Shots []TrialShot `json:"shots"`
}

// TrialEncodeOutput is the output of the TrialEncode activity.
type TrialEncodeOutput struct {
	// FPS is the source's frame rate, which turned bits into kbit/s.
	FPS float64 `json:"fps"`
	// ScoreWidth×ScoreHeight is the size VMAF was measured at; Model the
	// VMAF model.
	ScoreWidth  int    `json:"score_width"`
	ScoreHeight int    `json:"score_height"`
	Model       string `json:"model"`
	// Results has one entry per grid point, in input order.
	Results []TrialResult `json:"results"`
	// Encoded and Reused count (range, grid point) results made now and
	// found in the cache.
	Encoded int `json:"encoded"`
	Reused  int `json:"reused"`
	// Seconds is the activity's wall time.
	Seconds float64 `json:"seconds"`
}

// Points returns the grid points' title estimates as ladder points, for
// ladder.Hull, Curves and Select.
func (o TrialEncodeOutput) Points() []ladder.Point {
	out := make([]ladder.Point, len(o.Results))
	for i, r := range o.Results {
		out[i] = ladder.Point{Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF, BitrateKbps: r.BitrateKbps, VMAF: r.VMAF}
	}
	return out
}

// Sizes returns the distinct sizes of the grid points of a codec ("" is
// h264) no taller than maxHeight, by increasing height, for the per-shot
// optimizer's resolution choice.
func (o TrialEncodeOutput) Sizes(codec string, maxHeight int) []ladder.Size {
	var out []ladder.Size
	for _, r := range o.Results {
		sz := ladder.Size{Width: r.Width, Height: r.Height}
		if media.SameVideoCodec(r.Codec, codec) && r.Height <= maxHeight && !slices.Contains(out, sz) {
			out = append(out, sz)
		}
	}
	slices.SortFunc(out, func(a, b ladder.Size) int {
		return cmp.Or(cmp.Compare(a.Height, b.Height), cmp.Compare(a.Width, b.Width))
	})
	return out
}

// Shots returns the sampled ranges as shots for the per-shot optimizer
// (ladder.MinBitsForQuality, ShotsHull): one per range, weighing its frames,
// with one option per grid point (bits and mean VMAF of that range).
func (o TrialEncodeOutput) Shots() []ladder.Shot {
	if len(o.Results) == 0 {
		return nil
	}
	shots := make([]ladder.Shot, len(o.Results[0].Shots))
	for j, s := range o.Results[0].Shots {
		shots[j].Frames = s.Frames
	}
	for _, r := range o.Results {
		for j, s := range r.Shots {
			if j < len(shots) {
				shots[j].Options = append(shots[j].Options, ladder.ShotOption{
					Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF, Bits: s.Bits, Quality: s.VMAF})
			}
		}
	}
	return shots
}

// TitleShots returns every shot of the title for the per-shot optimizer,
// each represented by the sampled range of its stratum: of[i] is
// the index of shot i's range (ladder.Sample.Of, with the ranges made by
// TrialRanges) and frames[i] its length. A shot's options are its
// representative's, with bits scaled to the shot's length (same bits per
// frame) and the same mean VMAF. Shots whose of[i] is out of range are
// left without options.
func (o TrialEncodeOutput) TitleShots(of, frames []int) []ladder.Shot {
	sampled := o.Shots()
	out := make([]ladder.Shot, len(of))
	for i, j := range of {
		if i < len(frames) {
			out[i].Frames = frames[i]
		}
		if j < 0 || j >= len(sampled) || sampled[j].Frames <= 0 {
			continue
		}
		scale := float64(out[i].Frames) / float64(sampled[j].Frames)
		for _, opt := range sampled[j].Options {
			opt.Bits *= scale
			out[i].Options = append(out[i].Options, opt)
		}
	}
	return out
}

// Estimate sets r's title estimates (Bits, Frames, BitrateKbps, VMAF)
// from its Shots: the ranges' per-frame bits and mean VMAF weighted by
// their Weight, bits per frame turned into kbit/s at fps.
func (r *TrialResult) Estimate(fps float64) {
	r.Bits, r.Frames = 0, 0
	var wsum, bpf, q float64
	for _, s := range r.Shots {
		r.Bits += s.Bits
		r.Frames += s.Frames
		w := s.Weight
		if w == 0 {
			w = float64(s.Frames)
		}
		wsum += w
		if s.Frames > 0 {
			bpf += w * s.Bits / float64(s.Frames)
		}
		q += w * s.VMAF
	}
	if wsum > 0 {
		r.BitrateKbps = bpf / wsum * fps / 1000
		r.VMAF = q / wsum
	}
}

// MergeTrials joins the outputs of TrialEncode activities run on
// different ranges of one title with the same grid (outs[k] made from
// Ranges[k…] as given in order) into one output, as if one activity had
// run on all the ranges: per grid point, the shots in order with Range
// renumbered, and the title estimates recomputed over all of them.
func MergeTrials(outs []TrialEncodeOutput) TrialEncodeOutput {
	if len(outs) == 0 {
		return TrialEncodeOutput{}
	}
	m := TrialEncodeOutput{FPS: outs[0].FPS, ScoreWidth: outs[0].ScoreWidth, ScoreHeight: outs[0].ScoreHeight, Model: outs[0].Model}
	m.Results = make([]TrialResult, len(outs[0].Results))
	for i, r := range outs[0].Results {
		m.Results[i] = TrialResult{TrialPoint: r.TrialPoint}
	}
	base := 0
	for _, o := range outs {
		n := 0
		for i := range m.Results {
			if i >= len(o.Results) {
				break
			}
			for _, s := range o.Results[i].Shots {
				s.Range += base
				m.Results[i].Shots = append(m.Results[i].Shots, s)
			}
			n = max(n, len(o.Results[i].Shots))
		}
		base += n
		m.Encoded += o.Encoded
		m.Reused += o.Reused
		m.Seconds += o.Seconds
	}
	for i := range m.Results {
		m.Results[i].Estimate(m.FPS)
	}
	return m
}
