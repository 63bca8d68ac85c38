// Validation: every field checked, all problems reported at once.

package profile

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/reel-video/reel/media"
)

// wholeMultiple reports whether x is within a millionth of a whole number ≥ 1.
func wholeMultiple(x float64) bool {
	n := math.Round(x)
	return n >= 1 && math.Abs(x-n) < 1e-6
}

// Validate checks every field and reports all problems at once, each
// naming its field. Zero values of segment_seconds, chunking, encode and
// on_corrupt stand for their defaults.
func (p *Profile) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	seg := p.SegmentSeconds
	if seg == 0 {
		seg = 2
	}
	if !(seg > 0 && seg <= 60) {
		bad("segment_seconds %g out of range (0, 60]", p.SegmentSeconds)
		seg = 2
	}
	switch p.Ladder.Mode {
	case LadderFixed:
		if len(p.Ladder.Rungs) == 0 {
			bad("ladder.rungs: at least one rung is needed")
		}
		if p.Ladder.PerTitle != nil {
			bad("ladder.per_title: only for mode per-title")
		}
	case LadderPerTitle:
		if len(p.Ladder.Rungs) > 0 {
			bad("ladder.rungs: a per-title ladder chooses its rungs; list rungs only with mode fixed")
		}
		p.Ladder.checkPerTitle(seg, bad)
	default:
		bad("ladder.mode %q unknown (per-title, fixed)", p.Ladder.Mode)
	}
	if len(p.Ladder.Rungs) > 20 {
		bad("ladder.rungs: %d rungs; at most 20", len(p.Ladder.Rungs))
	}
	ids := map[string]bool{}
	for i, r := range p.Ladder.Rungs {
		at := fmt.Sprintf("ladder.rungs[%d]", i)
		if r.ID != "" {
			at += " (" + r.ID + ")"
			if ids[r.ID] {
				bad("%s: duplicate id", at)
			}
			ids[r.ID] = true
			if !safeID(r.ID) {
				bad("%s: id must not contain slashes or spaces", at)
			}
		}
		if r.Height < 16 || r.Height > 4320 {
			bad("%s: height %d out of range 16–4320", at, r.Height)
		}
		r.Codec.check(at, seg, true, bad)
	}

	c := p.Chunking.WithDefaults(seg)
	switch c.Mode {
	case ChunkShots, ChunkFixed, ChunkOff:
	default:
		bad("chunking.mode %q unknown (shots, fixed, off)", c.Mode)
	}
	switch {
	case c.MinSeconds < seg:
		bad("chunking.min_seconds %g below segment_seconds %g", c.MinSeconds, seg)
	case c.MaxSeconds < c.MinSeconds:
		bad("chunking.max_seconds %g below chunking.min_seconds %g", c.MaxSeconds, c.MinSeconds)
	case c.MaxSeconds > 3600:
		bad("chunking.max_seconds %g above 3600", c.MaxSeconds)
	case math.Ceil(c.MinSeconds/seg-1e-9)*seg > c.MaxSeconds+1e-9:
		bad("chunking: no multiple of segment_seconds %g lies between min_seconds %g and max_seconds %g", seg, c.MinSeconds, c.MaxSeconds)
	}
	if e := p.Encode.WithDefaults(); e.MaxParallel < 1 || e.MaxParallel > 1024 {
		bad("encode.max_parallel %d out of range 1–1024", p.Encode.MaxParallel)
	}
	switch p.OnCorrupt {
	case "", OnCorruptFail, OnCorruptConceal:
	default:
		bad("on_corrupt %q unknown (conceal, fail)", p.OnCorrupt)
	}

	if len(p.Audio) > 16 {
		bad("audio: %d renditions; at most 16", len(p.Audio))
	}
	aids := map[string]bool{}
	for i, a := range p.Audio {
		at := fmt.Sprintf("audio[%d]", i)
		if a.ID != "" {
			at += " (" + a.ID + ")"
		}
		switch {
		case a.ID == "":
			bad("%s: id is required", at)
		case aids[a.ID]:
			bad("%s: duplicate id", at)
		case !safeID(a.ID):
			bad("%s: id must not contain slashes or spaces", at)
		}
		aids[a.ID] = true
		switch a.Channels {
		case 1, 2, 6:
		default:
			bad("%s: channels %d (want 1, 2 or 6)", at, a.Channels)
		}
		if a.BitrateKbps < 6 || a.BitrateKbps > 1024 {
			bad("%s: bitrate_kbps %d out of range 6–1024", at, a.BitrateKbps)
		}
		// These mirror encoder.EncodeAudio's checks.
		switch a.Codec {
		case "aac":
			if a.SampleRate < 8000 || a.SampleRate > 96000 {
				bad("%s: sample_rate %d out of range 8000–96000 for aac", at, a.SampleRate)
			}
		case "opus":
			switch a.SampleRate {
			case 8000, 12000, 16000, 24000, 48000:
			default:
				bad("%s: sample_rate %d for opus (want 8000, 12000, 16000, 24000 or 48000)", at, a.SampleRate)
			}
		default:
			bad("%s: codec %q unsupported (aac, opus)", at, a.Codec)
		}
	}
	p.checkGatePackage(bad)
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

// check validates encoder settings at a field path; rate says whether CRF
// or bitrate must be set (fixed rungs) rather than left to the per-title
// ladder.
func (r Codec) check(at string, seg float64, rate bool, bad func(string, ...any)) {
	vc, ok := media.LookupVideoCodec(r.Codec)
	if !ok || vc.Name != r.Codec {
		bad("%s: codec %q unsupported (supported: %s)", at, r.Codec, strings.Join(media.VideoCodecNames, ", "))
		return
	}
	if r.BitrateKbps < 0 || r.MaxrateKbps < 0 || r.BufsizeKbps < 0 {
		bad("%s: negative bitrate", at)
	}
	if r.BitrateKbps > 0 && r.MaxrateKbps < r.BitrateKbps {
		bad("%s: maxrate_kbps %d below bitrate_kbps %d", at, r.MaxrateKbps, r.BitrateKbps)
	}
	if r.BitrateKbps > 0 && r.BufsizeKbps == 0 {
		bad("%s: bitrate_kbps needs bufsize_kbps", at)
	}
	if r.BitrateKbps == 0 {
		if r.CRF == 0 && rate {
			bad("%s: crf or bitrate_kbps is required", at)
		} else if r.CRF != 0 && (r.CRF < vc.CRFMin || r.CRF > vc.CRFMax) {
			bad("%s: crf %g out of range %g–%g for %s", at, r.CRF, vc.CRFMin, vc.CRFMax, vc.Name)
		}
	}
	if _, err := vc.PresetValue(r.Preset); err != nil {
		bad("%s: %v", at, err)
	}
	if r.BitDepth != 0 && r.BitDepth != 8 && r.BitDepth != 10 {
		bad("%s: bit_depth %d (want 8 or 10)", at, r.BitDepth)
	} else if err := vc.CheckProfile(r.Profile, r.BitDepth); err != nil {
		bad("%s: %v", at, err)
	}
	if r.GOPSeconds <= 0 || r.GOPSeconds > 20 {
		bad("%s: gop_seconds %g out of range (0, 20]", at, r.GOPSeconds)
	} else if !wholeMultiple(seg / r.GOPSeconds) {
		bad("%s: gop_seconds %g must divide segment_seconds %g (every segment starts with a keyframe)", at, r.GOPSeconds, seg)
	}
}

// checkPerTitle validates a per-title ladder: its defaults (the rungs'
// settings) and its per_title section.
func (l Ladder) checkPerTitle(seg float64, bad func(string, ...any)) {
	d := l.Defaults
	if d.BitrateKbps > 0 {
		bad("ladder.defaults: bitrate_kbps: a per-title ladder encodes at the CRFs it chooses; use mode fixed for bitrate rungs")
	}
	d.check("ladder.defaults", seg, false, bad)
	vc, ok := media.LookupVideoCodec(d.Codec)
	pt := l.PerTitle.WithDefaults(d.Codec)
	if len(pt.Heights) > 16 {
		bad("ladder.per_title.heights: %d heights; at most 16", len(pt.Heights))
	}
	for _, h := range pt.Heights {
		if h < 16 || h > 4320 {
			bad("ladder.per_title.heights: height %d out of range 16–4320", h)
		}
	}
	if len(pt.CRFs) < 2 || len(pt.CRFs) > 16 {
		bad("ladder.per_title.crfs: %d CRFs; want 2–16", len(pt.CRFs))
	}
	for _, c := range pt.CRFs {
		if ok && !(c >= max(vc.CRFMin, 1) && c <= vc.CRFMax) {
			bad("ladder.per_title.crfs: crf %g out of range %g–%g for %s", c, max(vc.CRFMin, 1), vc.CRFMax, vc.Name)
		}
	}
	if !(pt.CRFStep > 0 && pt.CRFStep <= 10) {
		bad("ladder.per_title.crf_step %g out of range (0, 10]", pt.CRFStep)
	}
	if pt.Rungs < 1 || pt.Rungs > 20 {
		bad("ladder.per_title.rungs %d out of range 1–20", pt.Rungs)
	}
	if pt.MinRungs < 1 || pt.MinRungs > pt.Rungs {
		bad("ladder.per_title.min_rungs %d out of range 1–rungs (%d)", pt.MinRungs, pt.Rungs)
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case !finite(pt.MinKbps) || !finite(pt.MaxKbps) || pt.MinKbps < 0 || pt.MaxKbps <= pt.MinKbps:
		bad("ladder.per_title: min_kbps %g and max_kbps %g: want 0 ≤ min < max", pt.MinKbps, pt.MaxKbps)
	case !finite(pt.MinVMAF) || !finite(pt.MaxVMAF) || pt.MinVMAF < 0 || pt.MaxVMAF > 100 || pt.MaxVMAF <= pt.MinVMAF:
		bad("ladder.per_title: min_vmaf %g and max_vmaf %g: want 0 ≤ min < max ≤ 100", pt.MinVMAF, pt.MaxVMAF)
	case !finite(pt.MinRatio) || pt.MinRatio < 1 || pt.MinRatio > 10:
		bad("ladder.per_title.min_ratio %g out of range 1–10", pt.MinRatio)
	case !finite(pt.MinVMAFStep) || pt.MinVMAFStep < 0 || pt.MinVMAFStep > 50:
		bad("ladder.per_title.min_vmaf_step %g out of range 0–50", pt.MinVMAFStep)
	}
	sm := pt.Sample
	switch {
	case !finite(sm.MaxSeconds) || sm.MaxSeconds < 0.5 || sm.MaxSeconds > 3600:
		bad("ladder.per_title.sample.max_seconds %g out of range 0.5–3600", sm.MaxSeconds)
	case sm.MaxShots < 1 || sm.MaxShots > 100:
		bad("ladder.per_title.sample.max_shots %d out of range 1–100", sm.MaxShots)
	case !finite(sm.MaxShotSeconds) || sm.MaxShotSeconds < 0.5 || sm.MaxShotSeconds > 3600:
		bad("ladder.per_title.sample.max_shot_seconds %g out of range 0.5–3600", sm.MaxShotSeconds)
	case !finite(sm.MinShotSeconds) || sm.MinShotSeconds <= 0 || sm.MinShotSeconds > sm.MaxShotSeconds:
		bad("ladder.per_title.sample.min_shot_seconds %g out of range (0, max_shot_seconds]", sm.MinShotSeconds)
	}
	an := pt.Analysis
	switch {
	case !finite(an.ChunkSeconds) || an.ChunkSeconds < 0.2 || an.ChunkSeconds > 3600:
		bad("ladder.per_title.analysis.chunk_seconds %g out of range 0.2–3600", an.ChunkSeconds)
	case an.VMAFEvery < 1 || an.VMAFEvery > 100:
		bad("ladder.per_title.analysis.vmaf_every %d out of range 1–100", an.VMAFEvery)
	case an.Calibrate < 1 || an.Calibrate > 100:
		bad("ladder.per_title.analysis.calibrate %d out of range 1–100", an.Calibrate)
	case len(an.CRFs) < 2 || len(an.CRFs) > 16:
		bad("ladder.per_title.analysis.crfs: %d CRFs; want 2–16", len(an.CRFs))
	}
	if ok && an.Preset != AnalysisAuto {
		if _, err := vc.PresetValue(an.Preset); err != nil {
			bad("ladder.per_title.analysis.preset: %v", err)
		}
	}
	if len(an.CRFs) >= 2 && len(pt.CRFs) >= 2 {
		for i, c := range an.CRFs {
			if slices.Contains(an.CRFs[:i], c) {
				bad("ladder.per_title.analysis.crfs: crf %g twice", c)
			}
		}
		if slices.Min(an.CRFs) > slices.Min(pt.CRFs) || slices.Max(an.CRFs) < slices.Max(pt.CRFs) {
			bad("ladder.per_title.analysis.crfs %v must span per_title.crfs %v (the others are interpolated between them)", an.CRFs, pt.CRFs)
		}
	}
}

// safeID reports whether id can name a file.
func safeID(id string) bool {
	return !strings.ContainsAny(id, "/\\ \t\n") && id != "." && id != ".."
}
