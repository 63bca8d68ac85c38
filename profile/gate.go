package profile

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// QC gate modes (profile qc.gate).
const (
	// GateHold holds a title with a blocker until a reviewer approves or
	// rejects it (reel review). The default.
	GateHold = "hold"
	// GateFail ends a title with a blocker at once (QCBlocked).
	GateFail = "fail"
	// GateOff skips the gate: blockers are reported, nothing is held.
	GateOff = "off"
)

// Package formats (profile package.formats).
const (
	FormatHLS  = "hls"
	FormatDASH = "dash"
)

// Gate configures the QC gate, the stage between scoring and packaging
// that holds a title whose QC found a blocker: an event of a check whose
// qc.<check>.severity is "blocker", a rung whose frame count or duration
// differs from the source's, a rung below the ladder's min_vmaf, or
// concealed corrupt frames. In a profile it is written in the qc section,
// `qc: {gate: hold, gate_timeout: 48h}`.
type Gate struct {
	// Mode is "hold" (default), "fail" or "off".
	Mode string `yaml:"-" json:"mode,omitempty"`
	// TimeoutSeconds bounds how long a title is held (0, the default:
	// until a reviewer decides); a title not reviewed in time fails with
	// QCBlocked. In YAML, qc.gate_timeout takes a duration ("48h") or
	// seconds.
	TimeoutSeconds float64 `yaml:"-" json:"timeout_seconds,omitempty"`
}

// Package configures the package stage: CMAF segments of segment_seconds
// with HLS and DASH manifests under <out>/package.
type Package struct {
	// Formats lists the manifests: "hls" (master.m3u8), "dash"
	// (manifest.mpd). Default both; `formats: []` packages nothing.
	Formats []string `yaml:"formats" json:"formats"`
	// IFrames writes an HLS I-frame playlist per rung (default true).
	IFrames *bool `yaml:"iframes" json:"iframes,omitempty"`
}

// IFramesOn reports whether I-frame playlists are written (default true).
func (p Package) IFramesOn() bool { return p.IFrames == nil || *p.IFrames }

// takeGate moves the gate settings (qc.gate, qc.gate_timeout) out of the
// QC map, which the checks read, into p.Gate.
func (p *Profile) takeGate() error {
	if v, ok := p.QC["gate"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return fmt.Errorf("%w: qc.gate %v: want hold, fail or off", ErrInvalid, v)
		}
		p.Gate.Mode = s
		delete(p.QC, "gate")
	}
	if v, ok := p.QC["gate_timeout"]; ok {
		var secs float64
		switch t := v.(type) {
		case string:
			d, err := time.ParseDuration(t)
			if err != nil {
				return fmt.Errorf("%w: qc.gate_timeout %q: want a duration such as 48h, or seconds", ErrInvalid, t)
			}
			secs = d.Seconds()
		case int:
			secs = float64(t)
		case float64:
			secs = t
		default:
			return fmt.Errorf("%w: qc.gate_timeout %v: want a duration such as 48h, or seconds", ErrInvalid, v)
		}
		p.Gate.TimeoutSeconds = secs
		delete(p.QC, "gate_timeout")
	}
	if len(p.QC) == 0 {
		p.QC = nil
	}
	return nil
}

// fillGatePackage applies the gate's and the package's defaults.
func (p *Profile) fillGatePackage() {
	if p.Gate.Mode == "" {
		p.Gate.Mode = GateHold
	}
	if p.Package.Formats == nil {
		p.Package.Formats = []string{FormatHLS, FormatDASH}
	}
	if p.Package.IFrames == nil {
		on := true
		p.Package.IFrames = &on
	}
}

// checkGatePackage validates the gate and package settings.
func (p *Profile) checkGatePackage(bad func(string, ...any)) {
	switch p.Gate.Mode {
	case "", GateHold, GateFail, GateOff:
	default:
		bad("qc.gate %q unknown (hold, fail, off)", p.Gate.Mode)
	}
	if t := p.Gate.TimeoutSeconds; math.IsNaN(t) || t < 0 || t > 366*24*3600 {
		bad("qc.gate_timeout %gs out of range (0 for none, at most a year)", t)
	}
	for i, f := range p.Package.Formats {
		switch {
		case f != FormatHLS && f != FormatDASH:
			bad("package.formats[%d] %q unknown (hls, dash)", i, f)
		case slices.Index(p.Package.Formats, f) != i:
			bad("package.formats[%d]: %q listed twice", i, f)
		}
	}
}
