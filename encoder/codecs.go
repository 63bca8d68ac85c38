package encoder

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
)

// codecSpec describes how reel drives one video codec through libav.
type codecSpec struct {
	name     string   // canonical name reported in RungOutput.Codec
	encoder  string   // libav encoder
	crfMin   float64  // CRF range accepted (CRF > 0 selects it)
	crfMax   float64  //
	profiles []string // accepted Profile values ("" always accepted)
	// speeds maps the x264-style preset names to the codec's own numeric
	// speed (cpu-used for VP9, preset for SVT-AV1); nil for codecs whose
	// presets are those names.
	speeds             map[string]int
	speedMin, speedMax int
	defaultPreset      string
	lossless           bool // RungSpec.Lossless supported
}

// x26xPresets are the preset names of libx264 and libx265.
var x26xPresets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}

// codecFor returns the spec of a RungSpec.Codec value; "" is h264.
func codecFor(name string) (codecSpec, bool) {
	switch strings.ToLower(name) {
	case "", "h264", "avc", "libx264":
		return codecSpec{name: "h264", encoder: "libx264", crfMin: 0, crfMax: 51, lossless: true,
			profiles:      []string{"baseline", "main", "high", "high10", "high422", "high444"},
			defaultPreset: "medium"}, true
	case "hevc", "h265", "libx265":
		return codecSpec{name: "hevc", encoder: "libx265", crfMin: 0, crfMax: 51, lossless: true,
			profiles:      []string{"main", "main10", "main-intra", "main10-intra", "main444-8", "main422-10", "main444-10"},
			defaultPreset: "medium"}, true
	case "vp9", "libvpx-vp9":
		return codecSpec{name: "vp9", encoder: "libvpx-vp9", crfMin: 0, crfMax: 63, lossless: true,
			speeds: map[string]int{"ultrafast": 8, "superfast": 7, "veryfast": 6, "faster": 5, "fast": 4,
				"medium": 3, "slow": 2, "slower": 1, "veryslow": 0, "placebo": 0},
			speedMin: 0, speedMax: 8, defaultPreset: "medium"}, true
	case "av1", "libsvtav1", "svtav1":
		return codecSpec{name: "av1", encoder: "libsvtav1", crfMin: 1, crfMax: 63,
			speeds: map[string]int{"ultrafast": 12, "superfast": 11, "veryfast": 10, "faster": 9, "fast": 8,
				"medium": 7, "slow": 5, "slower": 4, "veryslow": 2, "placebo": 1},
			speedMin: 0, speedMax: 13, defaultPreset: "medium"}, true
	}
	return codecSpec{}, false
}

// presetValue checks a preset against the codec and returns the value
// handed to libav.
func (c codecSpec) presetValue(preset string) (string, error) {
	if preset == "" {
		preset = c.defaultPreset
	}
	if c.speeds == nil {
		if slices.Contains(x26xPresets, preset) {
			return preset, nil
		}
		return "", fmt.Errorf("preset %q for %s (want one of %s)", preset, c.name, strings.Join(x26xPresets, ", "))
	}
	if v, ok := c.speeds[preset]; ok {
		return strconv.Itoa(v), nil
	}
	if n, err := strconv.Atoi(preset); err == nil && n >= c.speedMin && n <= c.speedMax {
		return strconv.Itoa(n), nil
	}
	return "", fmt.Errorf("preset %q for %s (want %d–%d or one of %s)", preset, c.name, c.speedMin, c.speedMax, strings.Join(x26xPresets, ", "))
}

// validateRung checks one rung's settings against its codec. Bad values
// wrap ErrInvalidSettings; an unknown codec wraps ErrUnsupported.
func validateRung(r RungSpec) error {
	c, ok := codecFor(r.Codec)
	if !ok {
		return fmt.Errorf("%w: rung %q: codec %q (want h264, hevc, vp9 or av1)", ErrUnsupported, r.ID, r.Codec)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: rung %q (%s): %s", ErrInvalidSettings, r.ID, c.name, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Width < 0 || r.Height < 0 || (r.Width == 0 && r.Height == 0):
		return bad("size %dx%d", r.Width, r.Height)
	case r.Width%2 != 0 || r.Height%2 != 0:
		return bad("size %dx%d is not even (4:2:0)", r.Width, r.Height)
	case r.BitDepth != 0 && r.BitDepth != 8 && r.BitDepth != 10:
		return bad("bit depth %d (want 8 or 10)", r.BitDepth)
	case r.Lossless && !c.lossless:
		return bad("lossless encoding is not supported")
	case r.Lossless && (r.CRF != 0 || r.BitrateKbps != 0 || r.MaxrateKbps != 0):
		return bad("lossless excludes crf, bitrate_kbps and maxrate_kbps")
	case r.CRF != 0 && (r.CRF < c.crfMin || r.CRF > c.crfMax || r.CRF < 0):
		return bad("crf %g outside %g–%g", r.CRF, c.crfMin, c.crfMax)
	case r.CRF == 0 && r.BitrateKbps <= 0 && !r.Lossless:
		return bad("needs crf or bitrate_kbps")
	case r.MaxrateKbps < 0 || r.BufsizeKbps < 0 || r.GOPFrames < 0 || r.Threads < 0:
		return bad("negative maxrate, bufsize, gop or threads")
	case r.MaxrateKbps > 0 && r.BufsizeKbps == 0:
		return bad("maxrate_kbps needs bufsize_kbps")
	case r.CRF == 0 && r.MaxrateKbps > 0 && r.BitrateKbps > r.MaxrateKbps:
		return bad("bitrate_kbps %d above maxrate_kbps %d", r.BitrateKbps, r.MaxrateKbps)
	case r.Profile != "" && !slices.Contains(c.profiles, r.Profile):
		return bad("profile %q (want one of %s)", r.Profile, strings.Join(c.profiles, ", "))
	}
	if _, err := c.presetValue(r.Preset); err != nil {
		return bad("%v", err)
	}
	if r.BitDepth == 10 && r.Profile != "" {
		if ok := map[string]bool{"high10": true, "high422": true, "high444": true, "main10": true,
			"main10-intra": true, "main422-10": true, "main444-10": true}[r.Profile]; !ok {
			return bad("profile %q cannot carry 10-bit video", r.Profile)
		}
	}
	return nil
}

// rungConfig turns a validated rung into the encoder configuration of
// package av: the libav encoder, its private options and the generic
// rate-control and GOP settings. Every GOP is closed; with GOPFrames set,
// keyframes come exactly every GOPFrames frames (no scene-cut keyframes),
// so GOPs line up with segment boundaries.
func rungConfig(r RungSpec, path string, w, h int) av.RungConfig {
	c, _ := codecFor(r.Codec)
	preset, _ := c.presetValue(r.Preset)
	cfg := av.RungConfig{
		Path: path, Encoder: c.encoder, Width: w, Height: h, BitDepth: max(r.BitDepth, 8),
		BitrateKbps: r.BitrateKbps, MaxrateKbps: r.MaxrateKbps, BufsizeKbps: r.BufsizeKbps,
		GOP: r.GOPFrames, Threads: r.Threads,
	}
	opt := func(k, v string) { cfg.Options = append(cfg.Options, [2]string{k, v}) }
	crf := strconv.FormatFloat(r.CRF, 'f', -1, 64)
	gop := strconv.Itoa(r.GOPFrames)
	switch c.name {
	case "h264":
		opt("preset", preset)
		if r.Profile != "" {
			opt("profile", r.Profile)
		}
		params := "open-gop=0"
		if r.GOPFrames > 0 {
			params = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:" + params
		}
		opt("x264-params", params)
		switch {
		case r.Lossless:
			opt("qp", "0")
		case r.CRF > 0:
			opt("crf", crf)
		}
	case "hevc":
		opt("preset", preset)
		if r.Profile != "" {
			opt("profile", r.Profile)
		}
		params := "open-gop=0:log-level=error"
		if r.GOPFrames > 0 {
			params = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:" + params
		}
		switch {
		case r.Lossless:
			params += ":lossless=1"
		case r.CRF > 0:
			opt("crf", crf)
		}
		opt("x265-params", params)
	case "vp9":
		opt("deadline", "good")
		opt("cpu-used", preset)
		opt("row-mt", "1")
		if r.GOPFrames > 0 {
			opt("keyint_min", gop)
		}
		switch {
		case r.Lossless:
			opt("lossless", "1")
		case r.CRF > 0:
			opt("crf", crf)
			if r.MaxrateKbps == 0 {
				cfg.ConstantQuality = true // b:v 0: pure constant quality
			}
		}
	case "av1":
		opt("preset", preset)
		if r.CRF > 0 {
			opt("crf", crf)
		}
		// Closed GOPs (key-frame refresh); no scene-change keyframes.
		opt("svtav1-params", "irefresh-type=2:scd=0")
	}
	return cfg
}

// codecName is the canonical name of a RungSpec.Codec value.
func codecName(codec string) string {
	c, ok := codecFor(codec)
	if !ok {
		return codec
	}
	return c.name
}
