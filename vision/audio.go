package vision

import (
	"errors"
	"fmt"
	"io"
	"math"
)

// AudioSource yields decoded audio as planar float32 samples (full scale
// ±1): Next returns one slice per channel, all the same length, and io.EOF
// after the last block. Another package provides a libav-backed source;
// tests use PCM from the ffmpeg CLI.
type AudioSource interface {
	SampleRate() int
	Channels() int
	Next() ([][]float32, error)
}

// ChannelWeighter is an optional AudioSource extension giving the BS.1770
// weight of each channel (1 for L/R/C, 0 for LFE, 1.41 for surrounds).
// Without it, 6-channel audio is taken as 5.1 in the usual order
// (FL FR FC LFE SL SR) and any other layout is weighted 1 throughout.
type ChannelWeighter interface {
	ChannelWeights() []float64
}

// defaultWeights returns BS.1770 channel weights for n channels.
func defaultWeights(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	if n == 6 {
		w[3], w[4], w[5] = 0, 1.41, 1.41
	}
	return w
}

// AnalyzeAudio reads src to the end and measures loudness, true peak and
// silence. info gives the video frame rate used for event frame numbers and
// timecodes; without one, events carry frame −1 and timecodes at 25 fps.
// An invalid cfg returns an error wrapping ErrConfig (Config.Validate).
func AnalyzeAudio(cfg Config, src AudioSource, info VideoInfo) (*AudioReport, []Event, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	clk := clock{info.FrameRateNum, info.FrameRateDen}
	noFrames := clk.num <= 0 || clk.den <= 0
	if noFrames {
		clk = clock{25, 1}
	}
	rep, events, err := analyzeAudio(cfg, clk, src)
	if noFrames {
		for i := range events {
			events[i].StartFrame, events[i].EndFrame = -1, -1
		}
	}
	return rep, events, err
}

func analyzeAudio(cfg Config, clk clock, src AudioSource) (*AudioReport, []Event, error) {
	sr, nch := src.SampleRate(), src.Channels()
	if sr <= 0 || nch <= 0 {
		return nil, nil, fmt.Errorf("%w: %d Hz, %d channels", ErrAudio, sr, nch)
	}
	weights := defaultWeights(nch)
	if cw, ok := src.(ChannelWeighter); ok {
		if w := cw.ChannelWeights(); len(w) == nch {
			weights = w
		}
	}
	doLoud := cfg.enabled(CheckLoudness) || cfg.enabled(CheckTruePeak)
	meter := newLoudnessMeter(sr, weights)
	sil := newSilenceDetector(sr, nch, cfg.Audio.SilenceNoiseDB, cfg.Audio.SilenceMinDuration)
	var total int64
	for {
		planes, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("vision: reading audio at %.3f s: %w", float64(total)/float64(sr), err)
		}
		if len(planes) != nch {
			return nil, nil, fmt.Errorf("%w: block has %d channels, stream has %d", ErrAudio, len(planes), nch)
		}
		n := len(planes[0])
		for _, p := range planes {
			if len(p) != n {
				return nil, nil, fmt.Errorf("%w: ragged block (%d and %d samples)", ErrAudio, n, len(p))
			}
		}
		if doLoud {
			meter.add(planes)
		}
		if cfg.enabled(CheckSilence) {
			sil.add(planes, total)
		}
		total += int64(n)
	}
	rep := &AudioReport{SampleRate: sr, Channels: nch, Duration: float64(total) / float64(sr)}
	var events []Event
	at := func(check string, sev Severity, start, end float64, value, threshold float64, detail string) Event {
		sf, ef := clk.frameAt(start), clk.frameAt(end)
		return Event{Check: check, Severity: sev, StartFrame: sf, EndFrame: ef,
			StartTC: clk.timecode(sf), EndTC: clk.timecode(ef), Start: start, End: end,
			Value: value, Threshold: threshold, Detail: detail}
	}
	if doLoud {
		m := meter.result()
		rep.IntegratedLUFS, rep.IntegratedThreshold = m.integrated, m.integratedThreshold
		rep.LoudnessRangeLU, rep.LRALow, rep.LRAHigh = m.lra, m.lraLow, m.lraHigh
		rep.TruePeakDBTP, rep.SamplePeakDBFS = m.truePeakDB, m.samplePeakDB
		if cfg.enabled(CheckLoudness) && m.blocks > 0 {
			if d := m.integrated - cfg.Audio.TargetLUFS; math.Abs(d) > cfg.Audio.ToleranceLU {
				events = append(events, at(CheckLoudness, cfg.Audio.LoudnessSeverity, 0, rep.Duration, m.integrated, cfg.Audio.TargetLUFS,
					fmt.Sprintf("integrated loudness %.1f LUFS, target %.1f ± %.1f LU (LRA %.1f LU)", m.integrated, cfg.Audio.TargetLUFS, cfg.Audio.ToleranceLU, m.lra)))
			}
		}
		if cfg.enabled(CheckTruePeak) && m.truePeakDB > cfg.Audio.MaxTruePeak {
			t := float64(m.truePeakAt) / float64(sr)
			events = append(events, at(CheckTruePeak, cfg.Audio.TruePeakSeverity, t, t+1/clk.fps(), m.truePeakDB, cfg.Audio.MaxTruePeak,
				fmt.Sprintf("true peak %.2f dBTP above %.1f dBTP", m.truePeakDB, cfg.Audio.MaxTruePeak)))
		}
	}
	if cfg.enabled(CheckSilence) {
		for _, s := range sil.finish(total) {
			st, en := float64(s[0])/float64(sr), float64(s[1])/float64(sr)
			events = append(events, at(CheckSilence, cfg.Audio.SilenceSeverity, st, en, en-st, cfg.Audio.SilenceMinDuration,
				fmt.Sprintf("silence below %.0f dBFS for %.3f s (value: duration s)", cfg.Audio.SilenceNoiseDB, en-st)))
		}
	}
	return rep, events, nil
}

// silenceDetector follows ffmpeg's silencedetect (mono=0): samples are
// taken in interleaved order and a sample is silent when |x| < noise; once
// d seconds' worth of consecutive silent samples (over all channels) have
// been seen, silence started at the first of them, and it ends at the first
// sample that is not silent, or at the end of the stream.
type silenceDetector struct {
	noise   float64
	nch     int
	notify  int64 // silent samples (all channels) needed
	count   int64
	started bool
	start   int64
	runs    [][2]int64
}

func newSilenceDetector(sr, nch int, noiseDB, minDur float64) *silenceDetector {
	perCh := (int64(math.Round(minDur*1e6))*int64(sr) + 500000) / 1000000
	return &silenceDetector{noise: math.Pow(10, noiseDB/20), nch: nch, notify: perCh * int64(nch)}
}

// add feeds one planar block whose first sample is sample number pos.
func (s *silenceDetector) add(planes [][]float32, pos int64) {
	n := len(planes[0])
	noise := s.noise
	for i := 0; i < n; i++ {
		for ch := 0; ch < s.nch; ch++ {
			v := float64(planes[ch][i])
			if v < noise && v > -noise {
				if !s.started {
					s.count++
					if s.count >= s.notify {
						s.started = true
						s.start = pos + int64(i) + 1 - s.notify/int64(s.nch)
					}
				}
				continue
			}
			if s.started {
				s.runs = append(s.runs, [2]int64{s.start, pos + int64(i)})
			}
			s.started, s.count = false, 0
		}
	}
}

// finish closes a silence lasting to the end and returns [start, end)
// sample ranges.
func (s *silenceDetector) finish(total int64) [][2]int64 {
	if s.started {
		s.runs = append(s.runs, [2]int64{s.start, total})
		s.started = false
	}
	return s.runs
}
