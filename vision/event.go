package vision

import (
	"fmt"
	"math"
)

// Severity grades an event. Each check's events take the severity its
// config gives (Config: black.severity, …, audio.silence_severity), one of
// info, warning and blocker; the QC gate holds a title only on blockers.
type Severity string

// Severities, from least to most serious.
const (
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	// SeverityError is what black, freeze and true peak events carried
	// before severities were configurable. Reports written then contain it,
	// so readers must accept it (it ranks between warning and blocker);
	// nothing emits it now and Config.Validate rejects it.
	SeverityError   Severity = "error"
	SeverityBlocker Severity = "blocker"
)

// Rank orders severities from least to most serious: info 0, warning 1,
// error (legacy) 2, blocker 3; -1 for anything else.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 0
	case SeverityWarning:
		return 1
	case SeverityError:
		return 2
	case SeverityBlocker:
		return 3
	}
	return -1
}

// Check names, as used in Event.Check, Series.Name prefixes, Report.Skipped
// and Config.Disabled.
const (
	CheckBlack      = "black"
	CheckFreeze     = "freeze"
	CheckBorders    = "borders"
	CheckShots      = "shots"
	CheckInterlace  = "interlace"
	CheckLevels     = "levels"
	CheckBlockiness = "blockiness"
	CheckBlur       = "blur"
	CheckHeadTail   = "headtail"
	CheckLoudness   = "loudness"
	CheckTruePeak   = "truepeak"
	CheckSilence    = "silence"
)

// Event is one QC finding over a span of frames (or of audio time).
//
// The span is half-open: StartFrame is the first affected frame and EndFrame
// the first frame after it, so End is the time at which the condition stopped
// (as ffmpeg's black_end, freeze_end and silence_end). For audio events the
// frame numbers are derived from the video frame rate, or are -1 when there
// is none.
type Event struct {
	Check      string   `json:"check"`
	Severity   Severity `json:"severity"`
	StartFrame int      `json:"start_frame"`
	EndFrame   int      `json:"end_frame"`
	// StartTC and EndTC are non-drop-frame SMPTE-style timecodes
	// HH:MM:SS:FF at the nominal (rounded-up) frame rate for integer and
	// NTSC (·1000/1001) rates, clock seconds and frame-in-second for other
	// non-integer rates such as 12.5 (see README).
	StartTC string `json:"start_tc"`
	EndTC   string `json:"end_tc"`
	// Start and End are in seconds.
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	// Value is the measured quantity (its unit depends on the check and is
	// named in Detail); Threshold is the limit it was compared with.
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Detail    string  `json:"detail,omitempty"`
	// Thumbnail is a JPEG of a frame inside the event (video events only,
	// when thumbnails are enabled).
	Thumbnail []byte `json:"-"`
}

// Duration returns End-Start in seconds.
func (e Event) Duration() float64 { return e.End - e.Start }

// ShotKind says how a shot begins.
type ShotKind string

// Shot boundary kinds.
const (
	ShotStart ShotKind = "start" // the first shot of the title
	ShotCut   ShotKind = "cut"
	ShotFade  ShotKind = "fade"
)

// Shot is a run of frames between two boundaries, [StartFrame, EndFrame).
// Confidence (0–1) is how sure the detectors are about the boundary at
// StartFrame; the first shot has confidence 1.
type Shot struct {
	StartFrame int      `json:"start_frame"`
	EndFrame   int      `json:"end_frame"`
	Confidence float64  `json:"confidence"`
	Kind       ShotKind `json:"kind"`
}

// Series is a per-frame measurement, one value per frame pushed.
type Series struct {
	Name   string    `json:"name"`
	Values []float32 `json:"values"`
}

// AudioReport holds the programme-level audio measurements.
type AudioReport struct {
	SampleRate int `json:"sample_rate"`
	Channels   int `json:"channels"`
	// Duration is in seconds.
	Duration float64 `json:"duration"`
	// IntegratedLUFS is the gated integrated loudness (LUFS); -70 or below
	// means the programme is below the absolute gate.
	IntegratedLUFS float64 `json:"integrated_lufs"`
	// IntegratedThreshold is the relative gate used (LUFS).
	IntegratedThreshold float64 `json:"integrated_threshold"`
	// LoudnessRangeLU is EBU Tech 3342 loudness range (LU), with its low
	// and high percentiles.
	LoudnessRangeLU float64 `json:"loudness_range_lu"`
	LRALow          float64 `json:"lra_low"`
	LRAHigh         float64 `json:"lra_high"`
	// TruePeakDBTP is the highest 4× oversampled peak over all channels.
	TruePeakDBTP float64 `json:"true_peak_dbtp"`
	// SamplePeakDBFS is the highest sample value.
	SamplePeakDBFS float64 `json:"sample_peak_dbfs"`
}

// Report is what an Analyzer found.
type Report struct {
	Frames int          `json:"frames"`
	Events []Event      `json:"events"`
	Shots  []Shot       `json:"shots"`
	Series []Series     `json:"series,omitempty"`
	Audio  *AudioReport `json:"audio,omitempty"`
	// Interlace holds idet-style counts when the interlace check ran.
	Interlace *InterlaceStats `json:"interlace,omitempty"`
	// Skipped lists checks that could not run, each as "check: reason".
	Skipped []string `json:"skipped,omitempty"`
}

// SeriesByName returns the named series, or nil.
func (r *Report) SeriesByName(name string) []float32 {
	for _, s := range r.Series {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

// EventsOf returns the events of one check.
func (r *Report) EventsOf(check string) []Event {
	var out []Event
	for _, e := range r.Events {
		if e.Check == check {
			out = append(out, e)
		}
	}
	return out
}

// clock converts frame numbers to seconds and timecodes.
type clock struct {
	num, den int // frame rate
}

func (c clock) fps() float64 { return float64(c.num) / float64(c.den) }

// seconds returns the time of frame n.
func (c clock) seconds(n int) float64 { return float64(n) * float64(c.den) / float64(c.num) }

// frameAt returns the frame shown at time t (rounded to the nearest frame).
func (c clock) frameAt(t float64) int { return int(math.Round(t * c.fps())) }

// timecode formats frame n as HH:MM:SS:FF (non-drop-frame):
//
//   - integer rates count that many frames a second;
//   - NTSC rates (N·1000/1001: 23.976, 29.97, 59.94, …) count the
//     rounded-up nominal N frames a timecode second, as SMPTE ST 12
//     non-drop timecode does (so 29.97 runs 0.1% behind the clock; reel
//     writes no drop-frame timecode);
//   - other non-integer rates (12.5, 7.5, …) have no SMPTE timecode:
//     HH:MM:SS is the clock time of the frame and FF its number within
//     that second (at 12.5 fps seconds hold 13 and 12 frames in turn).
func (c clock) timecode(n int) string {
	if n < 0 {
		n = 0
	}
	num, den := int64(c.num), int64(c.den)
	var s, ff int64
	switch {
	case num%den == 0: // integer rate
		s, ff = int64(n)/(num/den), int64(n)%(num/den)
	case (num*1001)%(den*1000) == 0: // N·1000/1001
		nominal := num * 1001 / (den * 1000)
		s, ff = int64(n)/nominal, int64(n)%nominal
	default:
		s = int64(n) * den / num
		first := (s*num + den - 1) / den // first frame at or after s seconds
		ff = int64(n) - first
	}
	return fmt.Sprintf("%02d:%02d:%02d:%02d", s/3600, s/60%60, s%60, ff)
}

// event fills the timing fields of an event spanning [start, end).
func (c clock) event(check string, sev Severity, start, end int, value, threshold float64, detail string) Event {
	return Event{
		Check: check, Severity: sev,
		StartFrame: start, EndFrame: end,
		StartTC: c.timecode(start), EndTC: c.timecode(end),
		Start: c.seconds(start), End: c.seconds(end),
		Value: value, Threshold: threshold, Detail: detail,
	}
}
