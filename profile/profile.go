// Package profile holds reel's encode profile: the ladder to encode and the
// settings of each rung, read from a YAML file or taken from the built-in
// default. Profiles are plain data and travel inside workflow inputs.
package profile

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/reel-video/reel/media"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("profile: invalid")

// Profile is an encode profile. The zero value of every field added after
// the ladder (segment_seconds, chunking, encode, on_corrupt) means "the
// default", so profiles serialised before those fields existed (in workflow
// histories) stay valid; Parse fills them in.
type Profile struct {
	// Name identifies the profile in reports. Default "default".
	Name string `yaml:"name" json:"name"`
	// Ladder is what to encode.
	Ladder Ladder `yaml:"ladder" json:"ladder"`
	// SegmentSeconds is the packaging segment duration. Chunks start on
	// segment boundaries and the GOP (gop_seconds) divides it, so every
	// segment starts with a keyframe. Default 2.
	SegmentSeconds float64 `yaml:"segment_seconds" json:"segment_seconds,omitempty"`
	// Chunking splits the title into chunks encoded in parallel.
	Chunking Chunking `yaml:"chunking" json:"chunking"`
	// Encode holds limits of the chunked encode.
	Encode Encode `yaml:"encode" json:"encode"`
	// Audio lists the audio renditions, encoded beside the video rungs.
	// Parse fills one AAC-LC stereo 128 kbit/s rendition when the field is
	// absent; an empty list means no audio.
	Audio []Audio `yaml:"audio" json:"audio"`
	// OnCorrupt says what a chunk encode does with a frame that fails to
	// decode: "fail" (default) fails the title naming the frames;
	// "conceal" repeats the previous good frame and flags it in the report.
	OnCorrupt string `yaml:"on_corrupt" json:"on_corrupt,omitempty"`
	// QC overrides the QC checks' thresholds and severities: the keys of
	// vision.Config ("black", "freeze", …, "disabled"), any subset; `reel
	// qc --defaults` prints them all with their defaults. Checked by the
	// CLI (package profile does not know the checks).
	QC map[string]any `yaml:"qc" json:"qc,omitempty"`
}

// Chunking modes.
const (
	// ChunkShots starts chunks at shot boundaries (falls back to fixed
	// chunks when shot detection gave none).
	ChunkShots = "shots"
	// ChunkFixed cuts fixed-duration chunks of max_seconds.
	ChunkFixed = "fixed"
	// ChunkOff encodes the title as one chunk.
	ChunkOff = "off"
)

// On-corrupt policies.
const (
	OnCorruptFail    = "fail"
	OnCorruptConceal = "conceal"
)

// Chunking configures the chunk plan (package plan).
type Chunking struct {
	// Mode: "shots" (default), "fixed" or "off".
	Mode string `yaml:"mode" json:"mode,omitempty"`
	// MinSeconds and MaxSeconds bound a chunk's duration (the last chunk
	// may be shorter). Chunk durations are whole segments, so some
	// multiple of segment_seconds must lie in [min, max]. Defaults: min
	// the larger of 2 and segment_seconds, max the larger of 10 and min.
	MinSeconds float64 `yaml:"min_seconds" json:"min_seconds,omitempty"`
	MaxSeconds float64 `yaml:"max_seconds" json:"max_seconds,omitempty"`
}

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

// Encode holds limits of the chunked encode.
type Encode struct {
	// MaxParallel caps how many chunk encodes of one title run at once
	// (across all workers). Default 4.
	MaxParallel int `yaml:"max_parallel" json:"max_parallel,omitempty"`
}

// WithDefaults returns e with zero fields set to their defaults.
func (e Encode) WithDefaults() Encode {
	if e.MaxParallel == 0 {
		e.MaxParallel = 4
	}
	return e
}

// Audio is one audio rendition.
type Audio struct {
	// ID names the rendition in outputs (<out>/audio/<id>.mp4). Default
	// "<codec>-<bitrate_kbps>k".
	ID string `yaml:"id" json:"id"`
	// Codec: "aac" (AAC-LC) or "opus".
	Codec string `yaml:"codec" json:"codec"`
	// BitrateKbps: default 128 for AAC, 96 for Opus.
	BitrateKbps int `yaml:"bitrate_kbps" json:"bitrate_kbps,omitempty"`
	// Channels after downmix: 1, 2 (default) or 6 (5.1).
	Channels int `yaml:"channels" json:"channels,omitempty"`
	// SampleRate in Hz: default 48000. AAC takes 8000–96000; Opus 8000,
	// 12000, 16000, 24000 or 48000.
	SampleRate int `yaml:"sample_rate" json:"sample_rate,omitempty"`
}

// DefaultAudio is the audio rendition used when a profile has no audio
// field: AAC-LC, stereo, 128 kbit/s, 48 kHz.
func DefaultAudio() []Audio {
	return []Audio{{ID: "aac-128k", Codec: "aac", BitrateKbps: 128, Channels: 2, SampleRate: 48000}}
}

// Ladder modes.
const (
	// LadderPerTitle finds the title's ladder from trial encodes on a
	// sample of its shots (the rate–quality convex hull), and with
	// PerTitle.PerShot picks each chunk's CRF per rung.
	LadderPerTitle = "per-title"
	// LadderFixed encodes the listed rungs.
	LadderFixed = "fixed"
)

// Ladder says what to encode: a per-title ladder or fixed rungs.
type Ladder struct {
	// Mode is "per-title" (trial encodes choose the rungs, see PerTitle)
	// or "fixed" (encode Rungs as listed, capped at the source size).
	// Default: "fixed" when rungs are listed, else "per-title".
	Mode string `yaml:"mode" json:"mode"`
	// Defaults apply to every rung that leaves a setting empty; a
	// per-title ladder's rungs take their codec, preset, profile, bit
	// depth and GOP from here (its CRFs come from the trial encodes).
	Defaults Codec `yaml:"defaults" json:"defaults"`
	// PerTitle configures the per-title ladder (mode per-title only).
	PerTitle *PerTitle `yaml:"per_title" json:"per_title,omitempty"`
	// Rungs of a fixed ladder, from the highest to the lowest.
	Rungs []Rung `yaml:"rungs" json:"rungs"`
}

// PerTitle configures the per-title ladder: the trial grid, the sample of
// shots it is encoded on, the rung constraints (ladder.Constraints) and the
// per-shot optimizer. Zero fields take the documented defaults.
type PerTitle struct {
	// Heights are the trial resolutions in lines, each sized to the
	// source's display aspect and capped at the source. Default: the
	// heights of Apple's HLS authoring ladder, 234 360 432 540 720 1080.
	Heights []int `yaml:"heights" json:"heights,omitempty"`
	// CRFs are the trial quality settings of the codec (ladder.defaults'
	// codec). Default: h264 and hevc 18 23 28 33 38; vp9 and av1 24 32 40
	// 48 56. Rungs may fall between them (interpolated to CRFStep).
	CRFs []float64 `yaml:"crfs" json:"crfs,omitempty"`
	// CRFStep is the granularity of rung CRFs between trial CRFs: 1
	// (default) picks whole CRFs.
	CRFStep float64 `yaml:"crf_step" json:"crf_step,omitempty"`
	// Rungs is the most rungs (default 6); MinRungs the fewest acceptable
	// (default 1): a title that cannot fit MinRungs within the bounds
	// fails with an InvalidSettings error naming them.
	Rungs    int `yaml:"rungs" json:"rungs,omitempty"`
	MinRungs int `yaml:"min_rungs" json:"min_rungs,omitempty"`
	// MinKbps and MaxKbps bound every rung's predicted bitrate (default
	// none and 8000); MinVMAF and MaxVMAF its predicted VMAF (default 30,
	// a floor not worth streaming below, and 95, a ceiling not worth
	// spending bits above). Zero takes the default: set min_vmaf to 1
	// for practically no floor.
	MinKbps float64 `yaml:"min_kbps" json:"min_kbps,omitempty"`
	MaxKbps float64 `yaml:"max_kbps" json:"max_kbps,omitempty"`
	MinVMAF float64 `yaml:"min_vmaf" json:"min_vmaf,omitempty"`
	MaxVMAF float64 `yaml:"max_vmaf" json:"max_vmaf,omitempty"`
	// MinRatio is the least bitrate ratio between adjacent rungs (default
	// 1.5); MinVMAFStep the least VMAF step (default 0: none).
	MinRatio    float64 `yaml:"min_ratio" json:"min_ratio,omitempty"`
	MinVMAFStep float64 `yaml:"min_vmaf_step" json:"min_vmaf_step,omitempty"`
	// Sample bounds the cost of the trial encodes.
	Sample Sample `yaml:"sample" json:"sample"`
	// PerShot turns on the per-shot optimizer (default true): for each
	// rung, every chunk gets the CRF that reaches the rung's VMAF with the
	// fewest bits over the title (the Dynamic Optimizer's Lagrangian
	// slope matching; see ShotResolution for its resolution). Off, every
	// chunk of a rung uses the rung's CRF and resolution.
	PerShot *bool `yaml:"per_shot" json:"per_shot,omitempty"`
	// ShotResolution lets the per-shot optimizer also pick each chunk's
	// resolution (default true): any trial height up to the rung's own,
	// which stays the rung's size (the most any of its chunks uses). The
	// rung's chunks are then joined into one track whose picture size
	// changes at chunk starts (H.264 'avc3' and HEVC 'hev1' with the
	// parameter sets in band; VP9 key frames carry their size). AV1 rungs
	// keep one resolution. Off, every chunk of a rung is encoded at the
	// rung's resolution.
	ShotResolution *bool `yaml:"shot_resolution" json:"shot_resolution,omitempty"`
}

// Sample bounds the shots trial-encoded for a per-title ladder
// (ladder.SampleOptions).
type Sample struct {
	// MaxSeconds bounds the sample's total duration (default 20).
	MaxSeconds float64 `yaml:"max_seconds" json:"max_seconds,omitempty"`
	// MaxShots bounds the number of sampled shots (default 8).
	MaxShots int `yaml:"max_shots" json:"max_shots,omitempty"`
	// MaxShotSeconds bounds one sampled window (default 5): a shot at
	// least twice as long is offered to the sample as parts of at least
	// this length (ladder.SplitShots), so its windows spread over it.
	MaxShotSeconds float64 `yaml:"max_shot_seconds" json:"max_shot_seconds,omitempty"`
	// MinShotSeconds is the shortest sample worth a trial (default 1).
	MinShotSeconds float64 `yaml:"min_shot_seconds" json:"min_shot_seconds,omitempty"`
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

// PerShotOn reports whether the per-shot optimizer is on (default true).
func (pt PerTitle) PerShotOn() bool { return pt.PerShot == nil || *pt.PerShot }

// ShotResolutionOn reports whether the per-shot optimizer may pick
// chunks' resolutions (default true; it also needs PerShotOn).
func (pt PerTitle) ShotResolutionOn() bool {
	return pt.PerShotOn() && (pt.ShotResolution == nil || *pt.ShotResolution)
}

// Codec holds encoder settings; zero values mean "take the default".
type Codec struct {
	// Codec: "h264" (libx264), "hevc" (libx265), "vp9" (libvpx-vp9) or
	// "av1" (libsvtav1). Default "h264".
	Codec string `yaml:"codec" json:"codec,omitempty"`
	// CRF, used when BitrateKbps is 0: h264 and hevc 0–51, vp9 0–63, av1
	// 1–63. Default 23.
	CRF float64 `yaml:"crf" json:"crf,omitempty"`
	// BitrateKbps selects capped VBR instead of CRF.
	BitrateKbps int `yaml:"bitrate_kbps" json:"bitrate_kbps,omitempty"`
	// MaxrateKbps caps VBR; default 1.5 × BitrateKbps.
	MaxrateKbps int `yaml:"maxrate_kbps" json:"maxrate_kbps,omitempty"`
	// BufsizeKbps is the VBV buffer; default 2 × MaxrateKbps.
	BufsizeKbps int `yaml:"bufsize_kbps" json:"bufsize_kbps,omitempty"`
	// Preset: the x264/x265 names ultrafast … placebo for every codec
	// (vp9 and av1 map them to cpu-used / the SVT-AV1 preset and also take
	// those numbers: vp9 0–8, av1 0–13). Default "medium".
	Preset string `yaml:"preset" json:"preset,omitempty"`
	// Profile is the codec profile (h264: baseline, main, high, high10, …;
	// hevc: main, main10, …; vp9 and av1: none). Default "high" for h264;
	// empty lets the encoder choose from the bit depth. A rung inherits
	// the ladder default's profile only when it has the same codec and
	// the profile can carry its bit depth.
	Profile string `yaml:"profile" json:"profile,omitempty"`
	// GOPSeconds is the keyframe interval; it must divide segment_seconds.
	// Default segment_seconds.
	GOPSeconds float64 `yaml:"gop_seconds" json:"gop_seconds,omitempty"`
	// BitDepth of the output, 8 or 10 (4:2:0). Default 8.
	BitDepth int `yaml:"bit_depth" json:"bit_depth,omitempty"`
}

// Rung is one rendition of the ladder.
type Rung struct {
	// ID names the rung in outputs ("720p"); default "<height>p".
	ID string `yaml:"id" json:"id"`
	// Height in lines; the width follows the source's display aspect.
	Height int `yaml:"height" json:"height"`
	// Codec settings for this rung, over the ladder defaults.
	Codec `yaml:",inline" json:",inline"`
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the built-in profile as YAML, documented field by field.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns the built-in profile: a 3-rung H.264 ladder.
func Default() Profile {
	p, err := Parse(bytes.NewReader(defaultYAML))
	if err != nil {
		panic("profile: built-in default is invalid: " + err.Error())
	}
	return p
}

// Load reads and validates a profile file.
func Load(path string) (Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return Profile{}, fmt.Errorf("profile: %w", err)
	}
	defer f.Close()
	p, err := Parse(f)
	if err != nil {
		return Profile{}, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// Parse reads a profile from YAML, rejects unknown fields, fills defaults
// and validates it.
func Parse(r io.Reader) (Profile, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return Profile{}, fmt.Errorf("%w: empty profile", ErrInvalid)
		}
		return Profile{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if p.Audio == nil { // absent: the default rendition; [] means none
		p.Audio = DefaultAudio()
	}
	p.fill()
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
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

// Spec returns the encode settings of a filled rung at a planned size:
// the GOP in frames from the source frame rate (25 when fps is not
// positive), CRF or capped VBR, codec, preset, profile and bit depth.
func (r Rung) Spec(width, height int, fps float64) media.RungSpec {
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	s := media.RungSpec{
		ID: r.ID, Width: width, Height: height, Codec: r.Codec.Codec,
		Preset: r.Preset, Profile: r.Profile, BitDepth: r.BitDepth,
		GOPFrames: int(math.Max(1, math.Round(r.GOPSeconds*fps))),
	}
	if r.BitrateKbps > 0 {
		s.BitrateKbps, s.MaxrateKbps, s.BufsizeKbps = r.BitrateKbps, r.MaxrateKbps, r.BufsizeKbps
	} else {
		s.CRF = r.CRF
	}
	return s
}

// SegmentFrames is the segment duration in frames at fps (25 when fps is
// not positive), at least 1: the unit chunk starts are aligned to.
func (p *Profile) SegmentFrames(fps float64) int {
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	seg := p.SegmentSeconds
	if seg <= 0 {
		seg = 2
	}
	return int(math.Max(1, math.Round(seg*fps)))
}

// Conceal reports whether chunk encodes conceal corrupt frames.
func (p *Profile) Conceal() bool { return p.OnCorrupt == OnCorruptConceal }

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
}

// safeID reports whether id can name a file.
func safeID(id string) bool {
	return !strings.ContainsAny(id, "/\\ \t\n") && id != "." && id != ".."
}
