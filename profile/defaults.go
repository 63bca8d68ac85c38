// Defaults: what a profile's zero fields stand for, and fill, which sets them.

package profile

import (
	"fmt"
	"strings"

	"github.com/reel-video/reel/media"
)

// WithDefaults returns c with zero fields set to their defaults for a
// segment duration (0 means the default, 2 s).
func (c Chunking) WithDefaults(segmentSeconds float64) Chunking {
	if segmentSeconds <= 0 {
		segmentSeconds = 2
	}
	if c.Mode == "" {
		c.Mode = ChunkShots
	}
	if c.MinSeconds == 0 {
		c.MinSeconds = max(2, segmentSeconds)
	}
	if c.MaxSeconds == 0 {
		c.MaxSeconds = max(10, c.MinSeconds)
	}
	return c
}

// WithDefaults returns e with zero fields set to their defaults.
func (e Encode) WithDefaults() Encode {
	if e.MaxParallel == 0 {
		e.MaxParallel = 4
	}
	return e
}

// DefaultAudio is the audio rendition used when a profile has no audio
// field: AAC-LC, stereo, 128 kbit/s, 48 kHz.
func DefaultAudio() []Audio {
	return []Audio{{ID: "aac-128k", Codec: "aac", BitrateKbps: 128, Channels: 2, SampleRate: 48000}}
}

// DefaultTrialHeights are PerTitle.Heights' default: the heights of
// Apple's HLS authoring spec H.264 ladder.
func DefaultTrialHeights() []int { return []int{234, 360, 432, 540, 720, 1080} }

// DefaultTrialCRFs returns PerTitle.CRFs' default for a codec.
func DefaultTrialCRFs(codec string) []float64 {
	switch codec {
	case "vp9", "av1":
		return []float64{24, 32, 40, 48, 56}
	default:
		return []float64{18, 23, 28, 33, 38}
	}
}

// WithDefaults returns pt (nil is all defaults) with zero fields set to
// their defaults for the codec.
func (pt *PerTitle) WithDefaults(codec string) PerTitle {
	var c PerTitle
	if pt != nil {
		c = *pt
	}
	if len(c.Heights) == 0 {
		c.Heights = DefaultTrialHeights()
	}
	if len(c.CRFs) == 0 {
		c.CRFs = DefaultTrialCRFs(codec)
	}
	orDefault(&c.CRFStep, 1)
	orDefault(&c.Rungs, 6)
	orDefault(&c.MinRungs, 1)
	orDefault(&c.MaxKbps, 8000)
	orDefault(&c.MinVMAF, 30)
	orDefault(&c.MaxVMAF, 95)
	orDefault(&c.MinRatio, 1.5)
	orDefault(&c.Sample.MaxSeconds, 20)
	orDefault(&c.Sample.MaxShots, 8)
	orDefault(&c.Sample.MaxShotSeconds, 5)
	orDefault(&c.Sample.MinShotSeconds, 1)
	if c.Analysis.EveryChunk == nil {
		on := true
		c.Analysis.EveryChunk = &on
	}
	orDefault(&c.Analysis.ChunkSeconds, 2)
	orDefault(&c.Analysis.Preset, AnalysisAuto)
	if len(c.Analysis.CRFs) == 0 {
		c.Analysis.CRFs = DefaultAnalysisCRFs(c.CRFs)
	}
	orDefault(&c.Analysis.VMAFEvery, 4)
	orDefault(&c.Analysis.Calibrate, 3)
	if c.PerShot == nil {
		on := true
		c.PerShot = &on
	}
	if c.ShotResolution == nil {
		on := true
		c.ShotResolution = &on
	}
	return c
}

// orDefault sets *v to def when it is the zero value.
func orDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// over fills c's empty settings from d. The codec profile is inherited
// only by a rung of the same codec whose bit depth it can carry (h264's
// "high" cannot go on a 10-bit or an hevc rung).
func (c *Codec) over(d Codec) {
	inheritProfile := c.Codec == "" || c.Codec == d.Codec
	if c.Codec == "" {
		c.Codec = d.Codec
	}
	if c.CRF == 0 && c.BitrateKbps == 0 {
		c.CRF, c.BitrateKbps, c.MaxrateKbps, c.BufsizeKbps = d.CRF, d.BitrateKbps, d.MaxrateKbps, d.BufsizeKbps
	}
	if c.Preset == "" {
		c.Preset = d.Preset
	}
	if c.GOPSeconds == 0 {
		c.GOPSeconds = d.GOPSeconds
	}
	if c.BitDepth == 0 {
		c.BitDepth = d.BitDepth
	}
	if c.Profile == "" && inheritProfile {
		if vc, ok := media.LookupVideoCodec(c.Codec); ok && vc.CheckProfile(d.Profile, c.BitDepth) == nil {
			c.Profile = d.Profile
		}
	}
}

// fill applies defaults: ladder defaults over built-in values, then rung
// settings over ladder defaults; then the chunking, encode and audio
// defaults. fill is idempotent.
func (p *Profile) fill() {
	if p.Name == "" {
		p.Name = "default"
	}
	if p.SegmentSeconds == 0 {
		p.SegmentSeconds = 2
	}
	p.Chunking = p.Chunking.WithDefaults(p.SegmentSeconds)
	p.Encode = p.Encode.WithDefaults()
	p.fillGatePackage()
	if p.OnCorrupt == "" {
		p.OnCorrupt = OnCorruptFail
	}
	if p.Ladder.Mode == "" {
		p.Ladder.Mode = LadderPerTitle
		if len(p.Ladder.Rungs) > 0 {
			p.Ladder.Mode = LadderFixed
		}
	}
	builtin := Codec{Codec: "h264", CRF: 23, Preset: "medium", GOPSeconds: p.SegmentSeconds, BitDepth: 8}
	if p.Ladder.Defaults.Codec == "" || p.Ladder.Defaults.Codec == "h264" {
		builtin.Profile = "high"
	}
	p.Ladder.Defaults.over(builtin)
	if p.Ladder.Mode == LadderPerTitle {
		pt := p.Ladder.PerTitle.WithDefaults(p.Ladder.Defaults.Codec)
		p.Ladder.PerTitle = &pt
	}
	for i := range p.Ladder.Rungs {
		r := &p.Ladder.Rungs[i]
		r.Codec.over(p.Ladder.Defaults)
		if r.BitrateKbps > 0 {
			if r.MaxrateKbps == 0 {
				r.MaxrateKbps = r.BitrateKbps * 3 / 2
			}
			if r.BufsizeKbps == 0 {
				r.BufsizeKbps = 2 * r.MaxrateKbps
			}
		}
		if r.ID == "" && r.Height > 0 {
			r.ID = fmt.Sprintf("%dp", r.Height)
		}
	}
	for i := range p.Audio {
		a := &p.Audio[i]
		a.Codec = strings.ToLower(a.Codec)
		if a.BitrateKbps == 0 {
			switch a.Codec {
			case "aac":
				a.BitrateKbps = 128
			case "opus":
				a.BitrateKbps = 96
			}
		}
		if a.Channels == 0 {
			a.Channels = 2
		}
		if a.SampleRate == 0 {
			a.SampleRate = 48000
		}
		if a.ID == "" && a.Codec != "" {
			a.ID = fmt.Sprintf("%s-%dk", a.Codec, a.BitrateKbps)
		}
	}
}
