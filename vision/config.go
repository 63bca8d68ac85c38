package vision

import (
	"errors"
	"fmt"
)

// Errors returned by this package.
var (
	// ErrConfig is returned for a Config value out of range; the message
	// names the field.
	ErrConfig = errors.New("vision: invalid config")
	// ErrFrameRate is returned when the stream's frame rate is missing.
	ErrFrameRate = errors.New("vision: frame rate unknown")
	// ErrFrameFormat is returned for a frame whose size or layout differs
	// from the stream's, or that has no luma samples.
	ErrFrameFormat = errors.New("vision: bad frame")
	// ErrFinished is returned when frames or audio are pushed after Finish.
	ErrFinished = errors.New("vision: analyzer already finished")
	// ErrAudio is returned for an audio source that reports an impossible
	// layout (no channels, no sample rate, ragged planes).
	ErrAudio = errors.New("vision: bad audio")
)

// Config holds every check's thresholds. DefaultConfig gives the documented
// defaults, which are those of the anchor tools; the zero value is not
// useful. Field tags let the encode profile carry it in YAML.
type Config struct {
	// Disabled lists checks (CheckBlack, …) not to run.
	Disabled []string `yaml:"disabled,omitempty" json:"disabled,omitempty"`

	Black      BlackConfig      `yaml:"black" json:"black"`
	Freeze     FreezeConfig     `yaml:"freeze" json:"freeze"`
	Borders    BordersConfig    `yaml:"borders" json:"borders"`
	Shots      ShotsConfig      `yaml:"shots" json:"shots"`
	Interlace  InterlaceConfig  `yaml:"interlace" json:"interlace"`
	Levels     LevelsConfig     `yaml:"levels" json:"levels"`
	Blockiness BlockinessConfig `yaml:"blockiness" json:"blockiness"`
	Blur       BlurConfig       `yaml:"blur" json:"blur"`
	HeadTail   HeadTailConfig   `yaml:"head_tail" json:"head_tail"`
	Audio      AudioConfig      `yaml:"audio" json:"audio"`

	// ThumbnailWidth is the width in pixels of event thumbnails (JPEG);
	// 0 turns thumbnails off. Default 320.
	ThumbnailWidth int `yaml:"thumbnail_width" json:"thumbnail_width"`
	// SeriesOff drops the per-frame series from the report.
	SeriesOff bool `yaml:"series_off,omitempty" json:"series_off,omitempty"`
}

// BlackConfig is ffmpeg blackdetect's d, pix_th and pic_th.
type BlackConfig struct {
	// MinDuration in seconds (blackdetect d). Default 2.
	MinDuration float64 `yaml:"min_duration" json:"min_duration"`
	// PixelThreshold (pix_th) is the share of the luma range below which a
	// pixel is black: Y ≤ 16 + pix_th·219 at limited range, Y ≤ pix_th·255
	// at full range (8-bit; scaled for deeper samples). Default 0.10.
	PixelThreshold float64 `yaml:"pixel_threshold" json:"pixel_threshold"`
	// PictureThreshold (pic_th) is the share of black pixels from which a
	// picture is black. Default 0.98.
	PictureThreshold float64 `yaml:"picture_threshold" json:"picture_threshold"`
	// Severity of black events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// FreezeConfig is ffmpeg freezedetect's n and d.
type FreezeConfig struct {
	// Noise is the largest mean absolute difference, as a share of full
	// scale, of a frame from the first frame of the run (n). Default 0.001
	// (−60 dB).
	Noise float64 `yaml:"noise" json:"noise"`
	// MinDuration in seconds (d). Default 2.
	MinDuration float64 `yaml:"min_duration" json:"min_duration"`
	// Severity of freeze events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// BordersConfig is ffmpeg cropdetect's limit and round, plus when to report.
type BordersConfig struct {
	// Limit is the darkest line average that counts as picture, as a share
	// of full scale (cropdetect limit=24/255). Default 24/255.
	Limit float64 `yaml:"limit" json:"limit"`
	// Round is the multiple the active width/height is rounded down to.
	// Default 16, as cropdetect.
	Round int `yaml:"round" json:"round"`
	// Skip is the number of initial frames cropdetect ignores. Default 2.
	Skip int `yaml:"skip" json:"skip"`
	// MinBar is the smallest bar, as a share of the frame height (letterbox)
	// or width (pillarbox), that a shot must show to be reported. Default
	// 0.02.
	MinBar float64 `yaml:"min_bar" json:"min_bar"`
	// Severity of borders events (one per shot with bars): info, warning
	// or blocker (the QC gate holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// ShotsConfig holds the shot detectors' thresholds.
type ShotsConfig struct {
	// ContentThreshold is PySceneDetect ContentDetector's threshold on the
	// mean HSV difference between consecutive frames. Default 27.
	ContentThreshold float64 `yaml:"content_threshold" json:"content_threshold"`
	// AdaptiveThreshold is AdaptiveDetector's adaptive_threshold: the ratio
	// of a frame's content value to the average of its neighbours. Default 3.
	AdaptiveThreshold float64 `yaml:"adaptive_threshold" json:"adaptive_threshold"`
	// AdaptiveWindow is AdaptiveDetector's window_width (frames each side).
	// Default 2.
	AdaptiveWindow int `yaml:"adaptive_window" json:"adaptive_window"`
	// MinContent is AdaptiveDetector's min_content_val. Default 15.
	MinContent float64 `yaml:"min_content" json:"min_content"`
	// MinSceneLen in frames. Default 15.
	MinSceneLen int `yaml:"min_scene_len" json:"min_scene_len"`
	// FadeLuma is the mean luma (8-bit scale, limited range) below which a
	// frame counts as faded to black (PySceneDetect ThresholdDetector
	// threshold). Default 12 above black (28 at limited range).
	FadeLuma float64 `yaml:"fade_luma" json:"fade_luma"`
	// ScdetThreshold is ffmpeg scdet's threshold on its 0–100 score; it is
	// reported as a series and used as a third opinion for confidence.
	// Default 10.
	ScdetThreshold float64 `yaml:"scdet_threshold" json:"scdet_threshold"`
	// Severity of shots events (one per shot boundary): info, warning or
	// blocker (the QC gate holds a title on blockers). Default info.
	Severity Severity `yaml:"severity" json:"severity"`
}

// InterlaceConfig is ffmpeg idet's intl_thres, prog_thres and rep_thres, plus
// the share of interlaced frames that raises an event.
type InterlaceConfig struct {
	InterlaceThreshold   float64 `yaml:"interlace_threshold" json:"interlace_threshold"`     // default 1.04
	ProgressiveThreshold float64 `yaml:"progressive_threshold" json:"progressive_threshold"` // default 1.5
	RepeatThreshold      float64 `yaml:"repeat_threshold" json:"repeat_threshold"`           // default 3
	// MinShare is the share of frames that multi-frame detection calls TFF
	// (or BFF, whichever is more) from which the title is reported as
	// interlaced. Default 0.5.
	MinShare float64 `yaml:"min_share" json:"min_share"`
	// Severity of interlace events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// LevelsConfig bounds signalstats BRNG.
type LevelsConfig struct {
	// MaxShare is the share of pixels outside broadcast range (luma 16–235,
	// chroma 16–240) above which a frame is out of range. Default 0.01.
	MaxShare float64 `yaml:"max_share" json:"max_share"`
	// MinDuration in seconds of an out-of-range stretch to report. Default
	// 0 (any frame).
	MinDuration float64 `yaml:"min_duration" json:"min_duration"`
	// Severity of levels events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// BlockinessConfig bounds ffmpeg blockdetect's score.
type BlockinessConfig struct {
	// Threshold on the per-frame blockdetect score (about 1 means no
	// blocking; like ffmpeg's, the score is cumulative over the frames so
	// far). Default 4: on the test clips unblocked real content scores
	// 1.0–2.8 and synthetic test patterns with sharp grid-aligned edges
	// about 10; an MPEG-2 encode at qscale 31 scores 15–140.
	Threshold   float64 `yaml:"threshold" json:"threshold"`
	MinDuration float64 `yaml:"min_duration" json:"min_duration"` // seconds, default 1
	// PeriodMin and PeriodMax are blockdetect's period_min and period_max
	// (block grid periods searched). Defaults 3 and 24 (also used for 0).
	PeriodMin int `yaml:"period_min" json:"period_min"`
	PeriodMax int `yaml:"period_max" json:"period_max"`
	// Severity of blockiness events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// BlurConfig bounds ffmpeg blurdetect's score.
type BlurConfig struct {
	// Threshold on the blurdetect score (mean edge width in pixels); higher
	// is blurrier. Default 8 (sharp test clips score 4.4–7.5, gblur σ=4 13).
	Threshold float64 `yaml:"threshold" json:"threshold"`
	// MinDuration in seconds. Default 2.
	MinDuration float64 `yaml:"min_duration" json:"min_duration"`
	// Low and High are blurdetect's Canny thresholds as shares of 255, and
	// Radius its edge-width search radius. Defaults 15/255, 30/255 and 50
	// (all three zero also means the defaults).
	Low    float64 `yaml:"low" json:"low"`
	High   float64 `yaml:"high" json:"high"`
	Radius int     `yaml:"radius" json:"radius"`
	// Step scores every Step-th frame (the others repeat the last score):
	// blurdetect is the costliest check (about 25 ms a 1080p frame on one
	// core), and blur that matters lasts seconds. Default 3; 1 (or 0)
	// scores every frame, as ffmpeg does.
	Step int `yaml:"step" json:"step"`
	// Severity of blur events: info, warning or blocker (the QC gate
	// holds a title on blockers). Default warning.
	Severity Severity `yaml:"severity" json:"severity"`
}

// HeadTailConfig controls the colour-bar and slate check.
type HeadTailConfig struct {
	// Window is how many seconds at the start and at the end are examined.
	// Default 30.
	Window float64 `yaml:"window" json:"window"`
	// MinDuration in seconds of bars or slate to report. Default 0.5.
	MinDuration float64 `yaml:"min_duration" json:"min_duration"`
	// Severity of head/tail events (colour bars, slates): info, warning or
	// blocker (the QC gate holds a title on blockers). Default info.
	Severity Severity `yaml:"severity" json:"severity"`
}

// AudioConfig holds loudness targets and silencedetect's n and d.
type AudioConfig struct {
	// TargetLUFS and ToleranceLU: integrated loudness outside
	// TargetLUFS±ToleranceLU is reported. Defaults −23 and 1 (EBU R128).
	TargetLUFS  float64 `yaml:"target_lufs" json:"target_lufs"`
	ToleranceLU float64 `yaml:"tolerance_lu" json:"tolerance_lu"`
	// MaxTruePeak in dBTP. Default −1 (EBU R128).
	MaxTruePeak float64 `yaml:"max_true_peak" json:"max_true_peak"`
	// SilenceNoiseDB is silencedetect's n in dBFS. Default −60.
	SilenceNoiseDB float64 `yaml:"silence_noise_db" json:"silence_noise_db"`
	// SilenceMinDuration is silencedetect's d in seconds. Default 2.
	SilenceMinDuration float64 `yaml:"silence_min_duration" json:"silence_min_duration"`
	// LoudnessSeverity, TruePeakSeverity and SilenceSeverity grade the
	// three audio checks' events (loudness, truepeak, silence): info,
	// warning or blocker (the QC gate holds a title on blockers). Defaults
	// warning, warning, warning.
	LoudnessSeverity Severity `yaml:"loudness_severity" json:"loudness_severity"`
	TruePeakSeverity Severity `yaml:"true_peak_severity" json:"true_peak_severity"`
	SilenceSeverity  Severity `yaml:"silence_severity" json:"silence_severity"`
}

// DefaultConfig returns the documented defaults. No check's default
// severity is blocker: a title waits at the QC gate only for checks a
// profile raises to blocker.
func DefaultConfig() Config {
	return Config{
		Black:   BlackConfig{MinDuration: 2, PixelThreshold: 0.10, PictureThreshold: 0.98, Severity: SeverityWarning},
		Freeze:  FreezeConfig{Noise: 0.001, MinDuration: 2, Severity: SeverityWarning},
		Borders: BordersConfig{Limit: 24.0 / 255, Round: 16, Skip: 2, MinBar: 0.02, Severity: SeverityWarning},
		Shots: ShotsConfig{ContentThreshold: 27, AdaptiveThreshold: 3, AdaptiveWindow: 2,
			MinContent: 15, MinSceneLen: 15, FadeLuma: 28, ScdetThreshold: 10, Severity: SeverityInfo},
		Interlace: InterlaceConfig{InterlaceThreshold: 1.04, ProgressiveThreshold: 1.5, RepeatThreshold: 3, MinShare: 0.5,
			Severity: SeverityWarning},
		Levels:     LevelsConfig{MaxShare: 0.01, Severity: SeverityWarning},
		Blockiness: BlockinessConfig{Threshold: 4, MinDuration: 1, PeriodMin: 3, PeriodMax: 24, Severity: SeverityWarning},
		Blur: BlurConfig{Threshold: 8, MinDuration: 2, Low: 15.0 / 255, High: 30.0 / 255, Radius: 50, Step: 3,
			Severity: SeverityWarning},
		HeadTail: HeadTailConfig{Window: 30, MinDuration: 0.5, Severity: SeverityInfo},
		Audio: AudioConfig{TargetLUFS: -23, ToleranceLU: 1, MaxTruePeak: -1,
			SilenceNoiseDB: -60, SilenceMinDuration: 2,
			LoudnessSeverity: SeverityWarning, TruePeakSeverity: SeverityWarning, SilenceSeverity: SeverityWarning},
		ThumbnailWidth: 320,
	}
}

// severitySetting is one check's severity and its key in a profile's qc
// section.
type severitySetting struct {
	key string
	sev Severity
}

// severities returns every check's severity setting.
func (c *Config) severities() []severitySetting {
	return []severitySetting{
		{"black.severity", c.Black.Severity},
		{"freeze.severity", c.Freeze.Severity},
		{"borders.severity", c.Borders.Severity},
		{"shots.severity", c.Shots.Severity},
		{"interlace.severity", c.Interlace.Severity},
		{"levels.severity", c.Levels.Severity},
		{"blockiness.severity", c.Blockiness.Severity},
		{"blur.severity", c.Blur.Severity},
		{"head_tail.severity", c.HeadTail.Severity},
		{"audio.loudness_severity", c.Audio.LoudnessSeverity},
		{"audio.true_peak_severity", c.Audio.TruePeakSeverity},
		{"audio.silence_severity", c.Audio.SilenceSeverity},
	}
}

// Validate reports the first out-of-range field.
func (c *Config) Validate() error {
	type rule struct {
		name string
		ok   bool
	}
	rules := []rule{
		{"black.min_duration", c.Black.MinDuration >= 0},
		{"black.pixel_threshold", c.Black.PixelThreshold >= 0 && c.Black.PixelThreshold <= 1},
		{"black.picture_threshold", c.Black.PictureThreshold >= 0 && c.Black.PictureThreshold <= 1},
		{"freeze.noise", c.Freeze.Noise >= 0 && c.Freeze.Noise <= 1},
		{"freeze.min_duration", c.Freeze.MinDuration >= 0},
		{"borders.limit", c.Borders.Limit >= 0 && c.Borders.Limit <= 1},
		{"borders.round", c.Borders.Round >= 0},
		{"borders.skip", c.Borders.Skip >= 0},
		{"borders.min_bar", c.Borders.MinBar >= 0 && c.Borders.MinBar < 0.5},
		{"shots.content_threshold", c.Shots.ContentThreshold > 0},
		{"shots.adaptive_threshold", c.Shots.AdaptiveThreshold > 0},
		{"shots.adaptive_window", c.Shots.AdaptiveWindow >= 1},
		{"shots.min_scene_len", c.Shots.MinSceneLen >= 1},
		{"shots.scdet_threshold", c.Shots.ScdetThreshold >= 0 && c.Shots.ScdetThreshold <= 100},
		{"interlace.interlace_threshold", c.Interlace.InterlaceThreshold >= 1},
		{"interlace.progressive_threshold", c.Interlace.ProgressiveThreshold >= 0},
		{"interlace.repeat_threshold", c.Interlace.RepeatThreshold >= 1},
		{"interlace.min_share", c.Interlace.MinShare >= 0 && c.Interlace.MinShare <= 1},
		{"levels.max_share", c.Levels.MaxShare >= 0 && c.Levels.MaxShare <= 1},
		{"levels.min_duration", c.Levels.MinDuration >= 0},
		{"blockiness.threshold", c.Blockiness.Threshold > 0},
		{"blockiness.period_min", c.Blockiness.PeriodMin == 0 || c.Blockiness.PeriodMin >= 2 && c.Blockiness.PeriodMin <= 32},
		{"blockiness.period_max", c.Blockiness.PeriodMax == 0 || c.Blockiness.PeriodMax >= max(c.Blockiness.PeriodMin, 2) && c.Blockiness.PeriodMax <= 64},
		{"blur.threshold", c.Blur.Threshold > 0},
		{"blur.low", c.Blur.Low >= 0 && c.Blur.Low <= 1},
		{"blur.high", c.Blur.High >= 0 && c.Blur.High <= 1},
		{"blur.radius", c.Blur.Radius >= 0 && c.Blur.Radius <= 100},
		{"blur.step", c.Blur.Step >= 0},
		{"head_tail.window", c.HeadTail.Window >= 0},
		{"audio.tolerance_lu", c.Audio.ToleranceLU >= 0},
		{"audio.silence_noise_db", c.Audio.SilenceNoiseDB <= 0},
		{"audio.silence_min_duration", c.Audio.SilenceMinDuration >= 0},
		{"thumbnail_width", c.ThumbnailWidth >= 0 && c.ThumbnailWidth <= 4096},
	}
	for _, r := range rules {
		if !r.ok {
			return fmt.Errorf("%w: %s out of range", ErrConfig, r.name)
		}
	}
	for _, s := range c.severities() {
		switch s.sev {
		case SeverityInfo, SeverityWarning, SeverityBlocker:
		case SeverityError:
			return fmt.Errorf("%w: qc.%s %q unknown (info, warning, blocker; \"error\" is only read from old reports)",
				ErrConfig, s.key, s.sev)
		default:
			return fmt.Errorf("%w: qc.%s %q unknown (info, warning, blocker)", ErrConfig, s.key, s.sev)
		}
	}
	known := map[string]bool{CheckBlack: true, CheckFreeze: true, CheckBorders: true, CheckShots: true,
		CheckInterlace: true, CheckLevels: true, CheckBlockiness: true, CheckBlur: true,
		CheckHeadTail: true, CheckLoudness: true, CheckSilence: true, CheckTruePeak: true}
	for _, d := range c.Disabled {
		if !known[d] {
			return fmt.Errorf("%w: disabled: unknown check %q", ErrConfig, d)
		}
	}
	return nil
}

func (c *Config) enabled(check string) bool {
	for _, d := range c.Disabled {
		if d == check {
			return false
		}
	}
	return true
}
