package vision

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// audioClip is PCM for both tools: the f32le file and its layout.
type audioClip struct {
	path   string
	sr, ch int
}

// lavfiPCM renders a lavfi audio graph to interleaved f32le.
func lavfiPCM(t testing.TB, graph, af string, sr, ch int) audioClip {
	return audioClip{fixture(t, "f32", mediatest.ClipOptions{AudioOnly: true, Audio: graph, AF: af, Format: "f32le",
		Extra: mediatest.Args{"ar": strconv.Itoa(sr), "ac": strconv.Itoa(ch)}}), sr, ch}
}

// decodePCM decodes a media file's audio to f32le at its own layout.
func decodePCM(t testing.TB, in string, sr, ch int) audioClip {
	return audioClip{fixture(t, "f32", mediatest.ClipOptions{File: in, Format: "f32le",
		Extra: mediatest.Args{"vn": "", "ar": strconv.Itoa(sr), "ac": strconv.Itoa(ch)}}), sr, ch}
}

// ffmpegInput is the input options that read the clip.
func (c audioClip) ffmpegInput() mediatest.Args {
	return mediatest.Args{"f": "f32le", "ar": strconv.Itoa(c.sr), "ac": strconv.Itoa(c.ch)}
}

// ffmpeg's 6-channel default layout is 5.1 (FL FR FC LFE BL BR), weighted
// like reel's default.
var audioCases = []struct {
	name    string
	graph   string // lavfi graph, or "corpus:<file>"
	af      string
	sr, ch  int
	silence bool // has silence longer than 2 s
}{
	{"tone -20 dBFS stereo", "sine=frequency=997:sample_rate=48000:duration=10", "volume=-20dB", 48000, 2, false},
	{"tone with silence gaps", "sine=frequency=440:sample_rate=48000:duration=14",
		"volume=enable='between(t,2,4.5)+between(t,6,6.8)+gte(t,11)':volume=0", 48000, 2, true},
	{"tone with -65 dB gaps mono", "sine=frequency=1000:sample_rate=48000:duration=12",
		"volume=enable='between(t,1,3.5)+between(t,5,8)':volume=-62dB", 48000, 1, true},
	{"pink noise with level changes (LRA)", "anoisesrc=color=pink:amplitude=0.5:sample_rate=48000:duration=30:seed=7",
		"volume='if(lt(t,10),0.1,if(lt(t,20),0.5,0.02))':eval=frame", 48000, 2, false},
	{"inter-sample peaks", "aevalsrc='0.9*sin(2*PI*12000*t+PI/4)':sample_rate=48000:duration=4", "", 48000, 1, false},
	{"near-full-scale square", "aevalsrc='0.95*(2*gt(sin(2*PI*1500*t),0)-1)':sample_rate=48000:duration=4", "", 48000, 2, false},
	{"5.1 noise", "anoisesrc=color=white:amplitude=0.2:sample_rate=48000:duration=8:seed=3", "", 48000, 6, false},
	{"bunny 5.1", "corpus:bigbuckbunny.mp4", "", 48000, 6, false},
	{"car park silent track", "corpus:car-detection.mp4", "", 48000, 2, true},
}

func (c audioClip) analyze(t *testing.T, cfg Config) (*AudioReport, []Event) {
	t.Helper()
	src := pcmFile(t, c.path, c.sr, c.ch)
	rep, events, err := AnalyzeAudio(cfg, src, VideoInfo{FrameRateNum: 25, FrameRateDen: 1})
	if err != nil {
		t.Fatal(err)
	}
	return rep, events
}

func clipFor(t *testing.T, graph, af string, sr, ch int) audioClip {
	if len(graph) > 7 && graph[:7] == "corpus:" {
		return decodePCM(t, corpusClip(t, graph[7:]), sr, ch)
	}
	return lavfiPCM(t, graph, af, sr, ch)
}

func lastFloat(t *testing.T, log, key string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(key)+`=`+numRe).FindAllStringSubmatch(log, -1)
	if len(m) == 0 {
		t.Fatalf("ffmpeg log has no %s", key)
	}
	v, _ := strconv.ParseFloat(m[len(m)-1][1], 64)
	return v
}

func TestLoudnessAgreesWithEbur128(t *testing.T) {
	for _, c := range audioCases {
		t.Run(c.name, func(t *testing.T) {
			clip := clipFor(t, c.graph, c.af, c.sr, c.ch)
			log := mediatest.FilterAudio(t, clip.path, "ebur128=peak=true:metadata=1,ametadata=mode=print", clip.ffmpegInput())
			ffI := lastFloat(t, log, "lavfi.r128.I")
			ffLRA := lastFloat(t, log, "lavfi.r128.LRA")
			pm := regexp.MustCompile(`Peak:\s+(-inf|` + numRe[1:len(numRe)-1] + `) dBFS`).FindStringSubmatch(log)
			if pm == nil {
				t.Fatalf("no true peak in ebur128 summary")
			}
			// ffmpeg 5.1 prints -inf for some near-silent tracks (the car
			// park's −91 dBFS AAC track); there is nothing to compare then.
			ffPeak := math.Inf(-1)
			if pm[1] != "-inf" {
				ffPeak, _ = strconv.ParseFloat(pm[1], 64)
			}
			rep, _ := clip.analyze(t, only(CheckLoudness, CheckTruePeak))
			t.Logf("I ffmpeg %.3f reel %.3f | LRA ffmpeg %.3f reel %.3f | TP ffmpeg %.1f reel %.3f (sample peak %.3f)",
				ffI, rep.IntegratedLUFS, ffLRA, rep.LoudnessRangeLU, ffPeak, rep.TruePeakDBTP, rep.SamplePeakDBFS)
			if ffI > -70 || rep.IntegratedLUFS > -70 {
				if d := math.Abs(ffI - rep.IntegratedLUFS); d > 0.1 {
					t.Errorf("integrated loudness: ffmpeg %.3f, reel %.3f (Δ %.3f LU > 0.1)", ffI, rep.IntegratedLUFS, d)
				}
			}
			if d := math.Abs(ffLRA - rep.LoudnessRangeLU); d > 0.1 {
				t.Errorf("loudness range: ffmpeg %.3f, reel %.3f (Δ %.3f LU > 0.1)", ffLRA, rep.LoudnessRangeLU, d)
			}
			// The summary prints the peak to 0.1 dB: allow 0.2 dB + rounding.
			if ffPeak > -90 {
				if d := math.Abs(ffPeak - rep.TruePeakDBTP); d > 0.25 {
					t.Errorf("true peak: ffmpeg %.1f dBTP, reel %.3f (Δ %.3f dB > 0.2)", ffPeak, rep.TruePeakDBTP, d)
				}
			}
		})
	}
}

func TestSilenceAgreesWithSilencedetect(t *testing.T) {
	for _, c := range audioCases {
		for _, p := range []struct{ n, d float64 }{{-60, 2}, {-50, 0.5}} {
			t.Run(fmt.Sprintf("%s n=%gdB d=%g", c.name, p.n, p.d), func(t *testing.T) {
				clip := clipFor(t, c.graph, c.af, c.sr, c.ch)
				log := mediatest.FilterAudio(t, clip.path, fmt.Sprintf("silencedetect=n=%gdB:d=%g", p.n, p.d), clip.ffmpegInput())
				ff := parsePairs(log, `silence_start: `+numRe, `silence_end: `+numRe)
				cfg := only(CheckSilence)
				cfg.Audio.SilenceNoiseDB, cfg.Audio.SilenceMinDuration = p.n, p.d
				rep, events := clip.analyze(t, cfg)
				assertSpans(t, "silence", ff, events, 25, 0, rep.Duration)
				// Sample-level agreement, to the printed precision.
				for i, s := range ff {
					if math.Abs(s.start-events[i].Start) > 1e-4*math.Max(1, s.start) {
						t.Errorf("silence %d start: ffmpeg %g, reel %g", i, s.start, events[i].Start)
					}
				}
				if c.silence && p.n == -60 && p.d == 2 && len(ff) == 0 {
					t.Error("clip should have silence")
				}
			})
		}
	}
}

func TestAudioBadInput(t *testing.T) {
	cfg := DefaultConfig()
	cases := []struct {
		name string
		src  AudioSource
		want error
	}{
		{"no channels", &pcmSource{sr: 48000, ch: 0, block: 10}, ErrAudio},
		{"no rate", &pcmSource{sr: 0, ch: 2, block: 10}, ErrAudio},
		{"ragged", raggedSource{}, ErrAudio},
		{"read error", failingSource{}, errBoom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := AnalyzeAudio(cfg, c.src, VideoInfo{})
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	// Too short for a 400 ms block: loudness stays at the gate, no error.
	rep, _, err := AnalyzeAudio(cfg, &pcmSource{sr: 48000, ch: 1, block: 100, data: make([]float32, 4800)}, VideoInfo{})
	if err != nil || rep.IntegratedLUFS > -70 {
		t.Fatalf("short audio: %v %+v", err, rep)
	}
}

// TestAudioDigitalSilence: a track of zeros (as a camera's muted track
// has) reads at SilenceDB, and its report is valid JSON; −∞ was not, and
// failed the title's analysis.
func TestAudioDigitalSilence(t *testing.T) {
	rep, _, err := AnalyzeAudio(DefaultConfig(), &pcmSource{sr: 48000, ch: 2, block: 4800, data: make([]float32, 2*48000*3)}, VideoInfo{FrameRateNum: 25, FrameRateDen: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.TruePeakDBTP != SilenceDB || rep.SamplePeakDBFS != SilenceDB {
		t.Errorf("peaks %g dBTP, %g dBFS; want %g for digital silence", rep.TruePeakDBTP, rep.SamplePeakDBFS, SilenceDB)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("report of a silent track: %v", err)
	}
	var back AudioReport
	if err := json.Unmarshal(b, &back); err != nil || back.TruePeakDBTP != SilenceDB {
		t.Fatalf("round trip: %v, %+v", err, back)
	}
}

var errBoom = errors.New("boom")

type raggedSource struct{}

func (raggedSource) SampleRate() int { return 48000 }
func (raggedSource) Channels() int   { return 2 }
func (raggedSource) Next() ([][]float32, error) {
	return [][]float32{make([]float32, 4), make([]float32, 3)}, nil
}

type failingSource struct{}

func (failingSource) SampleRate() int            { return 48000 }
func (failingSource) Channels() int              { return 2 }
func (failingSource) Next() ([][]float32, error) { return nil, errBoom }

var _ = io.EOF
