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
	"slices"

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
	// Gate is the QC gate (written in the qc section: qc.gate,
	// qc.gate_timeout).
	Gate Gate `yaml:"-" json:"gate"`
	// Package configures the package stage (CMAF, HLS, DASH).
	Package Package `yaml:"package" json:"package"`
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

// Encode holds limits of the chunked encode.
type Encode struct {
	// MaxParallel caps how many chunk encodes of one title run at once
	// (across all workers). Default 4.
	MaxParallel int `yaml:"max_parallel" json:"max_parallel,omitempty"`
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
	// Sample bounds the cost of the trial encodes when the analysis
	// samples the title (analysis.every_chunk false): it then trial-
	// encodes the full grid at the final preset on a few windows.
	Sample Sample `yaml:"sample" json:"sample"`
	// Analysis is the complexity analysis of every chunk (the default):
	// cheap trial encodes of each chunk mapped to the final preset by a
	// measured calibration.
	Analysis Analysis `yaml:"analysis" json:"analysis"`
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

// AnalysisAuto as Analysis.Preset picks the analysis preset from the
// final one (AnalysisPreset).
const AnalysisAuto = "auto"

// Analysis configures the per-title complexity analysis of every chunk:
// each chunk's first ChunkSeconds are trial-encoded at every trial size
// with the fast Preset at the CRFs listed here, and VMAF is measured on
// every VMAFEvery-th frame; Calibrate of those windows are also encoded
// at the final preset at every trial CRF, scored on the same frames, and
// the mean offsets (log bits and VMAF, per size and CRF) between the two map
// every chunk's fast curve to the final encode's (ladder.CalibrationPoint).
type Analysis struct {
	// EveryChunk analyses every chunk (default true); false samples the
	// title instead (Sample) with full-preset trials, as reel did before.
	EveryChunk *bool `yaml:"every_chunk" json:"every_chunk,omitempty"`
	// ChunkSeconds is the longest stretch of a chunk analysed, from its
	// start (its first keyframe, as the final encode starts it); default 2.
	ChunkSeconds float64 `yaml:"chunk_seconds" json:"chunk_seconds,omitempty"`
	// Preset is the analysis encodes' preset: "auto" (default) is three
	// x264 presets faster than ladder.defaults' (medium → veryfast, never
	// faster than superfast: AnalysisPreset); or a preset of the codec.
	Preset string `yaml:"preset" json:"preset,omitempty"`
	// CRFs are the analysis CRFs, spanning per_title.crfs (default: its
	// lowest, middle and highest); the others are predicted on monotone
	// cubics in CRF, then mapped.
	CRFs []float64 `yaml:"crfs" json:"crfs,omitempty"`
	// VMAFEvery scores every n-th frame of an analysis window (default 4;
	// 1 scores all), the motion feature still from consecutive frames.
	VMAFEvery int `yaml:"vmaf_every" json:"vmaf_every,omitempty"`
	// Calibrate is the number of chunks, spread over the title, also
	// trial-encoded at the final preset on every trial CRF (default 3).
	Calibrate int `yaml:"calibrate" json:"calibrate,omitempty"`
}

// EveryChunkOn reports whether the analysis covers every chunk (default
// true).
func (a Analysis) EveryChunkOn() bool { return a.EveryChunk == nil || *a.EveryChunk }

// AnalysisPreset returns the analysis preset: analysis itself unless it is
// "auto" (or empty), then three steps faster than the final preset on
// x264's scale (medium → veryfast, slow → faster, veryfast → superfast),
// never faster than superfast (ultrafast
// turns off CABAC and the deblocking filter: too unlike the final encode to
// map), and the final preset itself when it is not one of x264's names.
func AnalysisPreset(analysis, final string) string {
	if analysis != "" && analysis != AnalysisAuto {
		return analysis
	}
	names := []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}
	if final == "" {
		final = "medium"
	}
	i := slices.Index(names, final)
	if i < 0 {
		return final
	}
	return names[min(i, max(i-3, 1))]
}

// DefaultAnalysisCRFs picks the analysis CRFs from the trial CRFs: the
// lowest, the middle and the highest.
func DefaultAnalysisCRFs(crfs []float64) []float64 {
	s := slices.Sorted(slices.Values(crfs))
	if len(s) <= 3 {
		return s
	}
	return []float64{s[0], s[len(s)/2], s[len(s)-1]}
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
	if err := p.takeGate(); err != nil {
		return Profile{}, err
	}
	p.fill()
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
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
