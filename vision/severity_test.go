package vision

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// severitySetters sets each severity key of a profile's qc section; the
// tests below fail when a check's key is missing here.
var severitySetters = map[string]func(*Config, Severity){
	"black.severity":           func(c *Config, s Severity) { c.Black.Severity = s },
	"freeze.severity":          func(c *Config, s Severity) { c.Freeze.Severity = s },
	"borders.severity":         func(c *Config, s Severity) { c.Borders.Severity = s },
	"shots.severity":           func(c *Config, s Severity) { c.Shots.Severity = s },
	"interlace.severity":       func(c *Config, s Severity) { c.Interlace.Severity = s },
	"levels.severity":          func(c *Config, s Severity) { c.Levels.Severity = s },
	"blockiness.severity":      func(c *Config, s Severity) { c.Blockiness.Severity = s },
	"blur.severity":            func(c *Config, s Severity) { c.Blur.Severity = s },
	"head_tail.severity":       func(c *Config, s Severity) { c.HeadTail.Severity = s },
	"audio.loudness_severity":  func(c *Config, s Severity) { c.Audio.LoudnessSeverity = s },
	"audio.true_peak_severity": func(c *Config, s Severity) { c.Audio.TruePeakSeverity = s },
	"audio.silence_severity":   func(c *Config, s Severity) { c.Audio.SilenceSeverity = s },
}

// The defaults are the ones vision/README.md lists, every check has one,
// and none is blocker: by default nothing holds a title at the QC gate.
func TestDefaultSeverities(t *testing.T) {
	cfg := DefaultConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]Severity{}
	for _, m := range regexp.MustCompile("(?m)^\\| `qc\\.([a-z_.]+)` \\| (\\w+) \\|").FindAllStringSubmatch(string(b), -1) {
		documented[m[1]] = Severity(m[2])
	}
	settings := cfg.severities()
	if len(settings) != len(severitySetters) {
		t.Errorf("Config has %d severity settings, the test knows %d", len(settings), len(severitySetters))
	}
	for _, s := range settings {
		if s.sev == SeverityBlocker {
			t.Errorf("qc.%s defaults to blocker", s.key)
		}
		if documented[s.key] != s.sev {
			t.Errorf("qc.%s defaults to %q, vision/README.md says %q", s.key, s.sev, documented[s.key])
		}
		if severitySetters[s.key] == nil {
			t.Errorf("no setter for qc.%s in the test", s.key)
		}
		delete(documented, s.key)
	}
	for k := range documented {
		t.Errorf("vision/README.md documents qc.%s, which Config lacks", k)
	}
}

// Validate accepts info, warning and blocker for every check and rejects
// anything else (the legacy "error" and the empty string included) naming
// the key.
func TestValidateSeverity(t *testing.T) {
	for key, set := range severitySetters {
		for _, ok := range []Severity{SeverityInfo, SeverityWarning, SeverityBlocker} {
			cfg := DefaultConfig()
			set(&cfg, ok)
			if err := cfg.Validate(); err != nil {
				t.Errorf("qc.%s %q: %v", key, ok, err)
			}
		}
		for _, bad := range []Severity{"fatal", SeverityError, "", "Blocker"} {
			cfg := DefaultConfig()
			set(&cfg, bad)
			err := cfg.Validate()
			want := `qc.` + key + ` "` + string(bad) + `" unknown (info, warning, blocker`
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), want) {
				t.Errorf("qc.%s %q: got %v, want ErrConfig with %s", key, bad, err, want)
			}
		}
	}
	cfg := DefaultConfig()
	cfg.Black.Severity = "fatal"
	if err := cfg.Validate(); err == nil || err.Error() != `vision: invalid config: qc.black.severity "fatal" unknown (info, warning, blocker)` {
		t.Errorf("message %v", err)
	}
	if _, err := NewAnalyzer(cfg, VideoInfo{Width: 64, Height: 48, FrameRateNum: 25, FrameRateDen: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("NewAnalyzer: %v", err)
	}
	if _, _, err := AnalyzeAudio(cfg, &pcmSource{sr: 48000, ch: 1, block: 100, data: make([]float32, 4800)}, VideoInfo{}); !errors.Is(err, ErrConfig) {
		t.Errorf("AnalyzeAudio: %v", err)
	}
}

func TestSeverityRank(t *testing.T) {
	order := []Severity{SeverityInfo, SeverityWarning, SeverityError, SeverityBlocker}
	for i, s := range order {
		if s.Rank() != i {
			t.Errorf("%s rank %d, want %d", s, s.Rank(), i)
		}
	}
	if Severity("fatal").Rank() != -1 || Severity("").Rank() != -1 {
		t.Error("unknown severities rank")
	}
}

// Every check's events carry the severity its config gives, here blocker
// (no default is), on clips where each check finds something. The black
// clip is issue 17's acceptance case: 3 s of black in the middle, which is
// a warning by default and a blocker when the profile says so.
func TestEventsCarryConfiguredSeverity(t *testing.T) {
	video := func(graph, vf string, checks ...string) func(*testing.T, func(*Config)) []Event {
		return func(t *testing.T, tweak func(*Config)) []Event {
			cfg := only(checks...)
			tweak(&cfg)
			return analyzeY4M(t, lavfiY4M(t, graph, vf), cfg).Events
		}
	}
	audio := func(graph, af string, ch int, check string) func(*testing.T, func(*Config)) []Event {
		return func(t *testing.T, tweak func(*Config)) []Event {
			cfg := only(check)
			tweak(&cfg)
			_, ev := lavfiPCM(t, graph, af, 48000, ch).analyze(t, cfg)
			return ev
		}
	}
	const blackMiddle = "drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,3,5.99)'"
	const bars = "smptebars=s=320x240:r=25:d=2[a];testsrc2=s=320x240:r=25:d=2[b];[a][b]concat=n=2:v=1:a=0"
	const peaks = "aevalsrc='0.9*sin(2*PI*12000*t+PI/4)':sample_rate=48000:duration=4"
	cases := []struct {
		check, key string
		run        func(*testing.T, func(*Config)) []Event
		tweak      func(*Config) // makes sure the check finds something
	}{
		{CheckBlack, "black.severity", video("testsrc2=size=320x240:rate=25:duration=9", blackMiddle, CheckBlack), nil},
		{CheckFreeze, "freeze.severity", video(freezeGraph, freezeVF, CheckFreeze), nil},
		{CheckBorders, "borders.severity", video(letterboxGraph, "", CheckBorders, CheckShots), nil},
		{CheckShots, "shots.severity", video(cutsGraph, "", CheckShots), nil},
		{CheckInterlace, "interlace.severity", video("testsrc2=s=320x240:r=50:d=4", "tinterlace=mode=interleave_top", CheckInterlace), nil},
		{CheckLevels, "levels.severity", video("testsrc2=s=320x240:r=25:d=4", "eq=contrast=1.6:enable='between(t,1,2.5)'", CheckLevels), nil},
		{CheckBlockiness, "blockiness.severity", video("testsrc2=s=320x240:r=25:d=4", "", CheckBlockiness),
			func(c *Config) { c.Blockiness.Threshold = 0.5 }},
		{CheckBlur, "blur.severity", video("testsrc2=s=320x240:r=25:d=4", "", CheckBlur),
			func(c *Config) { c.Blur.Threshold = 1 }},
		{CheckHeadTail, "head_tail.severity", video(bars, "", CheckHeadTail), nil},
		{CheckLoudness, "audio.loudness_severity", audio(peaks, "", 1, CheckLoudness), nil},
		{CheckTruePeak, "audio.true_peak_severity", audio(peaks, "", 1, CheckTruePeak), nil},
		{CheckSilence, "audio.silence_severity", audio("sine=frequency=440:sample_rate=48000:duration=14",
			"volume=enable='between(t,2,4.5)+between(t,6,6.8)+gte(t,11)':volume=0", 2, CheckSilence), nil},
	}
	if len(cases) != len(severitySetters) {
		t.Errorf("%d cases for %d severity settings", len(cases), len(severitySetters))
	}
	for _, c := range cases {
		t.Run(c.check, func(t *testing.T) {
			set := severitySetters[c.key]
			if set == nil {
				t.Fatalf("no severity key %s", c.key)
			}
			events := c.run(t, func(cfg *Config) {
				if c.tweak != nil {
					c.tweak(cfg)
				}
				set(cfg, SeverityBlocker)
			})
			n := 0
			for _, e := range events {
				if e.Check != c.check {
					continue
				}
				n++
				if e.Severity != SeverityBlocker {
					t.Errorf("%s event %s–%s: severity %q, want blocker (qc.%s)", e.Check, e.StartTC, e.EndTC, e.Severity, c.key)
				}
			}
			if n == 0 {
				t.Fatalf("no %s events (%+v)", c.check, events)
			}
			if c.check != CheckBlack {
				return
			}
			ev := events[0]
			if n != 1 || ev.StartFrame != 75 || ev.EndFrame != 150 {
				t.Errorf("black events %+v, want one at frames 75–150", events)
			}
			for _, e := range c.run(t, func(*Config) {}) {
				if e.Severity != SeverityWarning {
					t.Errorf("default black severity %q, want warning", e.Severity)
				}
			}
		})
	}
}
