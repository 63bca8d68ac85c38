package media

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VideoCodec describes how reel drives one video codec: the rules every
// layer checks settings against (package encoder before it opens libav,
// package profile when it validates a YAML profile). It is the one place
// those rules live.
type VideoCodec struct {
	// Name is the canonical name ("h264", "hevc", "vp9", "av1"), as
	// reported in RungOutput.Codec and accepted in profiles.
	Name string
	// Encoder is the libav encoder ("libx264", …).
	Encoder string
	// CRFMin and CRFMax bound the CRF accepted (CRF > 0 selects it).
	CRFMin, CRFMax float64
	// Profiles are the accepted RungSpec.Profile values ("" is always
	// accepted: the encoder picks one from the bit depth).
	Profiles []string
	// Speeds maps the x264-style preset names to the codec's own numeric
	// speed (cpu-used for VP9, preset for SVT-AV1); nil for codecs whose
	// presets are those names. SpeedMin–SpeedMax is the numeric range
	// also accepted directly.
	Speeds             map[string]int
	SpeedMin, SpeedMax int
	// DefaultPreset is used when Preset is empty.
	DefaultPreset string
	// Lossless tells whether RungSpec.Lossless is supported.
	Lossless bool
	// SizeChanges tells whether the chunks of one rung may be encoded at
	// different picture sizes and still be stitched into one track
	// (encoder.StitchOptions.SizeChanges; per-shot resolution).
	SizeChanges bool
}

// X26xPresets are the preset names of libx264 and libx265, fastest first;
// every codec accepts them.
var X26xPresets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}

// VideoCodecNames are the canonical names of the supported video codecs.
var VideoCodecNames = []string{"h264", "hevc", "vp9", "av1"}

// tenBitProfiles are the codec profiles that can carry 10-bit video.
var tenBitProfiles = map[string]bool{"high10": true, "high422": true, "high444": true, "main10": true,
	"main10-intra": true, "main422-10": true, "main444-10": true}

// LookupVideoCodec returns the codec a RungSpec.Codec value names; "" is
// h264, and the aliases "avc", "h265", "libx264", "libx265", "libvpx-vp9",
// "libsvtav1" and "svtav1" are accepted (case-insensitive).
func LookupVideoCodec(name string) (VideoCodec, bool) {
	switch strings.ToLower(name) {
	case "", "h264", "avc", "libx264":
		return VideoCodec{Name: "h264", Encoder: "libx264", CRFMin: 0, CRFMax: 51, Lossless: true, SizeChanges: true,
			Profiles:      []string{"baseline", "main", "high", "high10", "high422", "high444"},
			DefaultPreset: "medium"}, true
	case "hevc", "h265", "libx265":
		return VideoCodec{Name: "hevc", Encoder: "libx265", CRFMin: 0, CRFMax: 51, Lossless: true, SizeChanges: true,
			Profiles:      []string{"main", "main10", "main-intra", "main10-intra", "main444-8", "main422-10", "main444-10"},
			DefaultPreset: "medium"}, true
	case "vp9", "libvpx-vp9":
		return VideoCodec{Name: "vp9", Encoder: "libvpx-vp9", CRFMin: 0, CRFMax: 63, Lossless: true, SizeChanges: true,
			Speeds: map[string]int{"ultrafast": 8, "superfast": 7, "veryfast": 6, "faster": 5, "fast": 4,
				"medium": 3, "slow": 2, "slower": 1, "veryslow": 0, "placebo": 0},
			SpeedMin: 0, SpeedMax: 8, DefaultPreset: "medium"}, true
	case "av1", "libsvtav1", "svtav1":
		return VideoCodec{Name: "av1", Encoder: "libsvtav1", CRFMin: 1, CRFMax: 63,
			Speeds: map[string]int{"ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8,
				"medium": 7, "slow": 5, "slower": 4, "veryslow": 2, "placebo": 1},
			SpeedMin: 0, SpeedMax: 13, DefaultPreset: "medium"}, true
	}
	return VideoCodec{}, false
}

// SameVideoCodec reports whether two codec names (as LookupVideoCodec
// takes them, "" being h264) name the same codec.
func SameVideoCodec(a, b string) bool {
	ca, oka := LookupVideoCodec(a)
	cb, okb := LookupVideoCodec(b)
	return oka && okb && ca.Name == cb.Name
}

// PresetValue checks a preset against the codec and returns the value
// handed to libav ("" means DefaultPreset).
func (c VideoCodec) PresetValue(preset string) (string, error) {
	if preset == "" {
		preset = c.DefaultPreset
	}
	if c.Speeds == nil {
		if slices.Contains(X26xPresets, preset) {
			return preset, nil
		}
		return "", fmt.Errorf("preset %q for %s (want one of %s)", preset, c.Name, strings.Join(X26xPresets, ", "))
	}
	if v, ok := c.Speeds[preset]; ok {
		return strconv.Itoa(v), nil
	}
	if n, err := strconv.Atoi(preset); err == nil && n >= c.SpeedMin && n <= c.SpeedMax {
		return strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("preset %q for %s (want %d–%d or one of %s)", preset, c.Name, c.SpeedMin, c.SpeedMax, strings.Join(X26xPresets, ", "))
}

// CheckCRF reports a CRF outside the codec's range (crf > 0 only; 0 means
// "not set").
func (c VideoCodec) CheckCRF(crf float64) error {
	if crf != 0 && (crf < c.CRFMin || crf > c.CRFMax || crf < 0) {
		return fmt.Errorf("crf %g outside %g–%g for %s", crf, c.CRFMin, c.CRFMax, c.Name)
	}
	return nil
}

// CheckProfile reports a codec profile the codec does not have, or one
// that cannot carry bitDepth (0 means 8).
func (c VideoCodec) CheckProfile(profile string, bitDepth int) error {
	if profile == "" {
		return nil
	}
	if !slices.Contains(c.Profiles, profile) {
		if len(c.Profiles) == 0 {
			return fmt.Errorf("profile %q: %s takes no profile", profile, c.Name)
		}
		return fmt.Errorf("profile %q (want one of %s)", profile, strings.Join(c.Profiles, ", "))
	}
	if bitDepth == 10 && !tenBitProfiles[profile] {
		return fmt.Errorf("profile %q cannot carry 10-bit video", profile)
	}
	return nil
}
