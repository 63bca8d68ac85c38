// Package qcrun runs the vision QC checks over a media file that package
// encoder decodes: the glue between the two (neither imports the other),
// shared by `reel qc` and the workflow activities.
package qcrun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/store/wholefile"
	"github.com/reel-video/reel/vision"
)

// Event is a vision event with its thumbnail's location.
type Event struct {
	vision.Event
	// Thumbnail is the JPEG's path relative to the QC output directory
	// (empty when none was written).
	Thumbnail string `json:"thumbnail,omitempty"`
}

// Output is the QC result of one stream: what `reel qc --json` writes and
// what report.json's qc section summarises.
type Output struct {
	Input     string                 `json:"input"`
	Frames    int                    `json:"frames"`
	Events    []Event                `json:"events"`
	Shots     []vision.Shot          `json:"shots"`
	Audio     *vision.AudioReport    `json:"audio,omitempty"`
	Interlace *vision.InterlaceStats `json:"interlace,omitempty"`
	Skipped   []string               `json:"skipped,omitempty"`
	Series    []vision.Series        `json:"series,omitempty"`
	// Summary counts events per check and severity: info, warning and
	// blocker (error in outputs written before severities were set by the
	// profile).
	Summary map[string]map[vision.Severity]int `json:"summary"`
}

// Config is vision's default configuration with overrides (vision.Config
// keys, as a profile's qc section carries them) applied and validated.
// Errors wrap vision.ErrConfig.
func Config(overrides map[string]any) (vision.Config, error) {
	cfg := vision.DefaultConfig()
	if len(overrides) > 0 {
		b, err := json.Marshal(overrides)
		if err != nil {
			return cfg, fmt.Errorf("%w: qc settings: %w", vision.ErrConfig, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg); err != nil {
			return cfg, fmt.Errorf("%w: qc settings: %w", vision.ErrConfig, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// VideoInfo derives the analyzer's stream description from a probe.
func VideoInfo(s encoder.StreamInfo) vision.VideoInfo {
	info := vision.VideoInfo{Width: s.Width, Height: s.Height, FrameRateNum: 25, FrameRateDen: 1}
	var n, d int
	if _, err := fmt.Sscanf(s.FrameRate, "%d/%d", &n, &d); err == nil && n > 0 && d > 0 {
		info.FrameRateNum, info.FrameRateDen = n, d
	}
	return info
}

// Stream runs the checks over frames pushed one at a time (and, optionally,
// an audio source), then writes thumbnails on Finish.
type Stream struct {
	an       *vision.Analyzer
	input    string
	audioErr chan error
}

// NewStream starts an analyzer for a stream described by info.
func NewStream(input string, cfg vision.Config, info vision.VideoInfo) (*Stream, error) {
	an, err := vision.NewAnalyzer(cfg, info)
	if err != nil {
		return nil, err
	}
	return &Stream{an: an, input: input}, nil
}

// LimitCPU bounds the checks' CPU use with tokens shared with other
// analyzers and scorers (vision.Analyzer.LimitCPU). Call it before Push.
func (s *Stream) LimitCPU(tokens chan struct{}) { s.an.LimitCPU(tokens) }

// Push hands one frame to every check.
func (s *Stream) Push(f *frame.Frame) error { return s.an.Push(f) }

// Audio starts the audio checks over src in the background; nil records
// that there is no audio.
func (s *Stream) Audio(src vision.AudioSource) {
	s.audioErr = make(chan error, 1)
	go func() { s.audioErr <- s.an.Audio(src) }()
}

// Finish waits for the checks, writes a thumbnail per video event into
// thumbDir (when set, named <prefix><check>-<start frame>.jpg) and returns
// the output with paths relative to relTo.
func (s *Stream) Finish(thumbDir, prefix, relTo string) (*Output, error) {
	var audioErr error
	if s.audioErr != nil {
		audioErr = <-s.audioErr
	}
	rep, err := s.an.Finish()
	if err != nil {
		return nil, err
	}
	if audioErr != nil {
		return nil, fmt.Errorf("audio: %w", audioErr)
	}
	out := &Output{
		Input: s.input, Frames: rep.Frames, Shots: rep.Shots, Audio: rep.Audio,
		Interlace: rep.Interlace, Skipped: rep.Skipped, Series: rep.Series,
		Summary: map[string]map[vision.Severity]int{},
	}
	for _, e := range rep.Events {
		ev := Event{Event: e}
		if thumbDir != "" && len(e.Thumbnail) > 0 {
			path := filepath.Join(thumbDir, fmt.Sprintf("%s%s-%d.jpg", prefix, e.Check, e.StartFrame))
			if err := wholefile.WriteFile(path, e.Thumbnail); err != nil {
				return nil, fmt.Errorf("thumbnail: %w", err)
			}
			ev.Thumbnail = path
			if relTo != "" {
				if rel, err := filepath.Rel(relTo, path); err == nil {
					ev.Thumbnail = rel
				}
			}
		}
		out.Events = append(out.Events, ev)
		if out.Summary[e.Check] == nil {
			out.Summary[e.Check] = map[vision.Severity]int{}
		}
		out.Summary[e.Check][e.Severity]++
	}
	return out, nil
}

// Options configure Run.
type Options struct {
	// Config holds the checks' thresholds (vision.DefaultConfig() if zero).
	Config *vision.Config
	// ThumbDir receives a JPEG per video event; empty writes none.
	ThumbDir string
	// Progress, when set, is called after every frame.
	Progress func(frames int)
	// Tokens, when set, bounds how many checks process a frame at once
	// (see vision.Analyzer.LimitCPU).
	Tokens chan struct{}
}

// Run decodes input once (video, and audio when there is some) and runs
// every enabled check over it.
func Run(ctx context.Context, input string, opts Options) (*Output, error) {
	cfg := vision.DefaultConfig()
	if opts.Config != nil {
		cfg = *opts.Config
	}
	dec, err := encoder.OpenDecoder(ctx, input, encoder.DecoderOptions{})
	if err != nil {
		return nil, err
	}
	defer dec.Close()
	st, err := NewStream(input, cfg, VideoInfo(dec.Info()))
	if err != nil {
		return nil, err
	}
	if opts.Tokens != nil {
		st.LimitCPU(opts.Tokens)
	}
	ad, aerr := encoder.OpenAudioDecoder(ctx, input, encoder.AudioDecoderOptions{})
	switch {
	case aerr == nil:
		defer ad.Close()
		st.Audio(ad)
	case errors.Is(aerr, encoder.ErrNoAudio):
		st.Audio(nil)
	default:
		return nil, aerr
	}
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			_, _ = st.Finish("", "", "")
			return nil, err
		}
		f, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_, _ = st.Finish("", "", "")
			return nil, err
		}
		if err := st.Push(f); err != nil {
			_, _ = st.Finish("", "", "")
			return nil, err
		}
		n++
		if opts.Progress != nil {
			opts.Progress(n)
		}
	}
	return st.Finish(opts.ThumbDir, "", filepath.Dir(opts.ThumbDir))
}

// WriteJSON writes o as indented JSON to path atomically.
func WriteJSON(path string, o *Output) error {
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	return wholefile.WriteFile(path, append(b, '\n'))
}
