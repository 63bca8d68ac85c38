package encoder

import (
	"fmt"
	"strconv"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/media"
)

// codecSpec describes how reel drives one video codec through libav. The
// rules (CRF ranges, presets, profiles) live in package media, shared with
// package profile, so that a profile that validates encodes.
type codecSpec struct{ media.VideoCodec }

// PixelFormat444 is the RungSpec.PixelFormat of 8-bit 4:4:4 lossless
// references, the only rungs that may have an odd size.
const PixelFormat444 = "yuv444p"

// codecFor returns the spec of a RungSpec.Codec value; "" is h264.
func codecFor(name string) (codecSpec, bool) {
	c, ok := media.LookupVideoCodec(name)
	return codecSpec{c}, ok
}

// validateRung checks one rung's settings against its codec. Bad values
// wrap ErrInvalidSettings; an unknown codec wraps ErrUnsupported.
func validateRung(r RungSpec) error {
	c, ok := codecFor(r.Codec)
	if !ok {
		return fmt.Errorf("%w: rung %q: codec %q (want h264, hevc, vp9 or av1)", ErrUnsupported, r.ID, r.Codec)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: rung %q (%s): %s", ErrInvalidSettings, r.ID, c.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Width < 0 || r.Height < 0 || (r.Width == 0 && r.Height == 0):
		return bad("size %dx%d", r.Width, r.Height)
	case r.PixelFormat != "" && r.PixelFormat != PixelFormat444:
		return bad("pixel format %q (want %q or none)", r.PixelFormat, PixelFormat444)
	case r.PixelFormat == PixelFormat444 && (!r.Lossless || c.Name != "h264" || r.BitDepth > 8):
		return bad("pixel format %s is for 8-bit h264 lossless references only", PixelFormat444)
	case r.PixelFormat == "" && (r.Width%2 != 0 || r.Height%2 != 0):
		return bad("size %dx%d is not even (4:2:0)", r.Width, r.Height)
	case r.BitDepth != 0 && r.BitDepth != 8 && r.BitDepth != 10:
		return bad("bit depth %d (want 8 or 10)", r.BitDepth)
	case r.Lossless && !c.Lossless:
		return bad("lossless encoding is not supported")
	case r.Lossless && (r.CRF != 0 || r.BitrateKbps != 0 || r.MaxrateKbps != 0):
		return bad("lossless excludes crf, bitrate_kbps and maxrate_kbps")
	case c.CheckCRF(r.CRF) != nil:
		return bad("%v", c.CheckCRF(r.CRF))
	case r.CRF == 0 && r.BitrateKbps <= 0 && !r.Lossless:
		return bad("needs crf or bitrate_kbps")
	case r.MaxrateKbps < 0 || r.BufsizeKbps < 0 || r.GOPFrames < 0 || r.Threads < 0:
		return bad("negative maxrate, bufsize, gop or threads")
	case r.MaxrateKbps > 0 && r.BufsizeKbps == 0:
		return bad("maxrate_kbps needs bufsize_kbps")
	case r.CRF == 0 && r.MaxrateKbps > 0 && r.BitrateKbps > r.MaxrateKbps:
		return bad("bitrate_kbps %d above maxrate_kbps %d", r.BitrateKbps, r.MaxrateKbps)
	}
	if _, err := c.PresetValue(r.Preset); err != nil {
		return bad("%v", err)
	}
	if err := c.CheckProfile(r.Profile, r.BitDepth); err != nil {
		return bad("%v", err)
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
	preset, _ := c.PresetValue(r.Preset)
	cfg := av.RungConfig{
		Path: path, Encoder: c.Encoder, Width: w, Height: h, BitDepth: max(r.BitDepth, 8),
		BitrateKbps: r.BitrateKbps, MaxrateKbps: r.MaxrateKbps, BufsizeKbps: r.BufsizeKbps,
		GOP: r.GOPFrames, Threads: r.Threads, Chroma444: r.PixelFormat == PixelFormat444,
	}
	opt := func(k, v string) { cfg.Options = append(cfg.Options, [2]string{k, v}) }
	crf := strconv.FormatFloat(r.CRF, 'f', -1, 64)
	gop := strconv.Itoa(r.GOPFrames)
	switch c.Name {
	case "h264":
		opt("preset", preset)
		if r.Profile != "" {
			opt("profile", r.Profile)
		}
		// stitchable: headers (the PPS's initial QP) that do not depend on
		// the CRF, so chunks of one rung encoded at different CRFs (the
		// per-shot optimizer's) share one avcC and stitch.
		params := "open-gop=0:stitchable=1"
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
		// info=0: no SEI with the option string (CRF included) in the
		// headers, so chunks at different CRFs share one hvcC.
		params := "open-gop=0:log-level=error:info=0"
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
	return c.Name
}
