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
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("profile: invalid")

// Profile is an encode profile.
type Profile struct {
	// Name identifies the profile in reports. Default "default".
	Name string `yaml:"name" json:"name"`
	// Ladder is what to encode.
	Ladder Ladder `yaml:"ladder" json:"ladder"`
}

// Ladder lists the rungs of a fixed ladder.
type Ladder struct {
	// Mode is "fixed": encode the rungs as listed (capped at the source size).
	Mode string `yaml:"mode" json:"mode"`
	// Defaults apply to every rung that leaves a setting empty.
	Defaults Codec `yaml:"defaults" json:"defaults"`
	// Rungs from the highest to the lowest.
	Rungs []Rung `yaml:"rungs" json:"rungs"`
}

// Codec holds encoder settings; zero values mean "take the default".
type Codec struct {
	// Codec: "h264" (libx264). Default "h264".
	Codec string `yaml:"codec" json:"codec,omitempty"`
	// CRF, 0–51 for h264; used when BitrateKbps is 0. Default 23.
	CRF float64 `yaml:"crf" json:"crf,omitempty"`
	// BitrateKbps selects capped VBR instead of CRF.
	BitrateKbps int `yaml:"bitrate_kbps" json:"bitrate_kbps,omitempty"`
	// MaxrateKbps caps VBR; default 1.5 × BitrateKbps.
	MaxrateKbps int `yaml:"maxrate_kbps" json:"maxrate_kbps,omitempty"`
	// BufsizeKbps is the VBV buffer; default 2 × MaxrateKbps.
	BufsizeKbps int `yaml:"bufsize_kbps" json:"bufsize_kbps,omitempty"`
	// Preset is the x264 preset. Default "medium".
	Preset string `yaml:"preset" json:"preset,omitempty"`
	// Profile is the H.264 profile. Default "high".
	Profile string `yaml:"profile" json:"profile,omitempty"`
	// GOPSeconds is the keyframe interval. Default 2.
	GOPSeconds float64 `yaml:"gop_seconds" json:"gop_seconds,omitempty"`
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
	p.fill()
	if err := p.Validate(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

func (c *Codec) over(d Codec) {
	if c.Codec == "" {
		c.Codec = d.Codec
	}
	if c.CRF == 0 && c.BitrateKbps == 0 {
		c.CRF, c.BitrateKbps, c.MaxrateKbps, c.BufsizeKbps = d.CRF, d.BitrateKbps, d.MaxrateKbps, d.BufsizeKbps
	}
	if c.Preset == "" {
		c.Preset = d.Preset
	}
	if c.Profile == "" {
		c.Profile = d.Profile
	}
	if c.GOPSeconds == 0 {
		c.GOPSeconds = d.GOPSeconds
	}
}

// fill applies defaults: ladder defaults over built-in values, then rung
// settings over ladder defaults.
func (p *Profile) fill() {
	if p.Name == "" {
		p.Name = "default"
	}
	if p.Ladder.Mode == "" {
		p.Ladder.Mode = "fixed"
	}
	p.Ladder.Defaults.over(Codec{Codec: "h264", CRF: 23, Preset: "medium", Profile: "high", GOPSeconds: 2})
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
}

var (
	codecs  = map[string]bool{"h264": true}
	presets = map[string]bool{"ultrafast": true, "superfast": true, "veryfast": true, "faster": true, "fast": true, "medium": true, "slow": true, "slower": true, "veryslow": true, "placebo": true}
	h264Pro = map[string]bool{"baseline": true, "main": true, "high": true}
)

// Validate checks every field and reports all problems at once.
func (p *Profile) Validate() error {
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if p.Ladder.Mode != "fixed" {
		bad("ladder.mode %q: only \"fixed\" is supported", p.Ladder.Mode)
	}
	if len(p.Ladder.Rungs) == 0 {
		bad("ladder.rungs: at least one rung is needed")
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
			if strings.ContainsAny(r.ID, "/\\ \t\n") || r.ID == "." || r.ID == ".." {
				bad("%s: id must not contain slashes or spaces", at)
			}
		}
		if r.Height < 16 || r.Height > 4320 {
			bad("%s: height %d out of range 16–4320", at, r.Height)
		}
		if !codecs[r.Codec.Codec] {
			bad("%s: codec %q unsupported (supported: h264)", at, r.Codec.Codec)
		}
		if r.BitrateKbps < 0 || r.MaxrateKbps < 0 || r.BufsizeKbps < 0 {
			bad("%s: negative bitrate", at)
		}
		if r.BitrateKbps > 0 && r.MaxrateKbps < r.BitrateKbps {
			bad("%s: maxrate_kbps %d below bitrate_kbps %d", at, r.MaxrateKbps, r.BitrateKbps)
		}
		if r.BitrateKbps == 0 && (r.CRF < 0 || r.CRF > 51) {
			bad("%s: crf %g out of range 0–51", at, r.CRF)
		}
		if !presets[r.Preset] {
			bad("%s: preset %q unknown", at, r.Preset)
		}
		if !h264Pro[r.Profile] {
			bad("%s: profile %q unknown (baseline, main, high)", at, r.Profile)
		}
		if r.GOPSeconds <= 0 || r.GOPSeconds > 20 {
			bad("%s: gop_seconds %g out of range (0, 20]", at, r.GOPSeconds)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}
