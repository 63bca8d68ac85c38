package encoder

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/store/wholefile"
)

// AudioDecoderOptions selects the samples an AudioDecoder hands out. The
// zero value keeps the source's sample rate and channels.
type AudioDecoderOptions struct {
	// SampleRate in Hz; 0 keeps the source's.
	SampleRate int
	// Channels downmixes (or upmixes) to the default layout of that many
	// channels (1 mono, 2 stereo, 6 5.1, …); 0 keeps the source's.
	Channels int
	// Layout, when set, names the output layout ("mono", "stereo", "5.1",
	// "7.1", …) and overrides Channels.
	Layout string
}

// AudioDecoder hands out the samples of a file's first audio stream as
// planar float32, resampled and remixed with swresample. It is not safe for
// concurrent use; Close it.
type AudioDecoder struct {
	ctx   context.Context
	input string
	src   *source
	d     *av.AudioDecoder
}

// OpenAudioDecoder opens input's first audio stream. input is a path or an
// s3:// or file:// URI (see IOOptions); the input stays open until Close.
//
// Errors wrap ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoAudio,
// ErrUnsupported or ErrInvalidSettings.
func OpenAudioDecoder(ctx context.Context, input string, opts AudioDecoderOptions) (*AudioDecoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.SampleRate < 0 || opts.SampleRate > 768000 || opts.Channels < 0 || opts.Channels > 8 {
		return nil, fmt.Errorf("encoder: decode audio %s: %w: %d Hz, %d channels", input, ErrInvalidSettings, opts.SampleRate, opts.Channels)
	}
	src, err := openSource(ctx, input, readAll)
	if err != nil {
		return nil, fmt.Errorf("encoder: decode audio %w", err)
	}
	d, err := av.OpenAudioDecoder(src.in, av.AudioConfig{SampleRate: opts.SampleRate, Channels: opts.Channels, Layout: opts.Layout})
	if err != nil {
		src.close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("encoder: decode audio %w", src.mapErr(err))
	}
	return &AudioDecoder{ctx: ctx, input: input, src: src, d: d}, nil
}

// SampleRate of the samples handed out, in Hz.
func (d *AudioDecoder) SampleRate() int { return d.d.SampleRate() }

// Channels is the number of slices Next returns.
func (d *AudioDecoder) Channels() int { return d.d.Channels() }

// StartSeconds is the presentation time of the first sample.
func (d *AudioDecoder) StartSeconds() float64 { return d.d.StartSeconds() }

// Next returns the next block of samples, one slice per channel, all of
// the same length (which may be 0 while the resampler fills up), or io.EOF
// after the last. Samples are nominally in [-1, 1].
func (d *AudioDecoder) Next() ([][]float32, error) {
	if d.d == nil {
		return nil, fmt.Errorf("encoder: decode audio %s: decoder is closed", d.input)
	}
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}
	p, err := d.d.Next()
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		if err := d.ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("encoder: decode audio %w", d.src.mapErr(err))
	}
	return p, nil
}

// Close frees the decoder and closes its input (reporting its read stats
// to IOOptions.Stats). It is safe to call more than once.
func (d *AudioDecoder) Close() error {
	if d.d != nil {
		d.d.Close()
		d.d = nil
	}
	d.src.close()
	return nil
}

// AudioSpec is one audio rendition.
type AudioSpec struct {
	// Codec: "aac" (AAC-LC, libav's encoder) or "opus" (libopus).
	Codec string `json:"codec"`
	// BitrateKbps: 0 picks 128 for AAC and 96 for Opus (per stereo pair,
	// scaled by channels).
	BitrateKbps int `json:"bitrate_kbps,omitempty"`
	// Channels after downmix: 1, 2 or 6 (5.1); 0 keeps the source's.
	Channels int `json:"channels,omitempty"`
	// SampleRate in Hz: 0 keeps the source's for AAC and is 48000 for
	// Opus, which also takes 8000, 12000, 16000 or 24000.
	SampleRate int `json:"sample_rate,omitempty"`
}

// AudioOutput describes an encoded audio rendition.
type AudioOutput struct {
	Path        string  `json:"path"`
	Codec       string  `json:"codec"`
	Channels    int     `json:"channels"`
	SampleRate  int     `json:"sample_rate"`
	Samples     int64   `json:"samples"`
	StartSec    float64 `json:"start_seconds"`
	DurationSec float64 `json:"duration_seconds"`
	Bytes       int64   `json:"bytes"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	// DecodeErrors counts source packets that failed to decode (skipped).
	DecodeErrors int `json:"decode_errors,omitempty"`
}

// EncodeAudio decodes the first audio stream of input, resamples and
// downmixes it as spec says (swresample) and encodes it to out: AAC-LC in
// MP4 (.mp4/.m4a), or Opus in MP4 or WebM (.webm). The output starts at the
// source's first sample time and holds every sample, so it stays in sync
// with video encoded from the same source; it is written under a
// temporary name and renamed when complete. input is a path or an s3:// or
// file:// URI (see IOOptions).
//
// Errors wrap ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoAudio,
// ErrUnsupported or ErrInvalidSettings, or are ctx.Err().
func EncodeAudio(ctx context.Context, input string, spec AudioSpec, out string) (_ AudioOutput, err error) {
	if err := ctx.Err(); err != nil {
		return AudioOutput{}, err
	}
	cfg, err := audioConfig(spec, out)
	if err != nil {
		return AudioOutput{}, fmt.Errorf("encoder: encode audio %s: %w", input, err)
	}
	src, err := openSource(ctx, input, readAll)
	if err != nil {
		return AudioOutput{}, fmt.Errorf("encoder: encode audio %w", err)
	}
	defer src.close()
	if cfg.Path, err = wholefile.TempPath(out); err != nil {
		return AudioOutput{}, fmt.Errorf("encoder: encode audio %s: %w", input, err)
	}
	defer func() {
		if cfg.Path != "" {
			os.Remove(cfg.Path)
		}
	}()
	res, err := av.EncodeAudio(src.in, cfg, ctx.Err)
	if err != nil {
		if ctx.Err() != nil {
			return AudioOutput{}, ctx.Err()
		}
		return AudioOutput{}, fmt.Errorf("encoder: encode audio %w", src.mapErr(err))
	}
	fi, err := os.Stat(cfg.Path)
	if err == nil {
		err = os.Rename(cfg.Path, out)
	}
	if err != nil {
		return AudioOutput{}, fmt.Errorf("encoder: encode audio %s: %w", input, err)
	}
	cfg.Path = ""
	o := AudioOutput{
		Path: out, Codec: strings.ToLower(spec.Codec), Channels: res.Channels, SampleRate: res.SampleRate,
		Samples: res.Samples, StartSec: res.Start, DurationSec: float64(res.Samples) / float64(res.SampleRate),
		Bytes: fi.Size(), DecodeErrors: res.DecodeErrors,
	}
	if o.DurationSec > 0 {
		o.BitrateKbps = float64(o.Bytes) * 8 / o.DurationSec / 1000
	}
	return o, nil
}

// audioConfig validates spec for the container out names.
func audioConfig(spec AudioSpec, out string) (av.AudioEncodeConfig, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: audio %s: %s", ErrInvalidSettings, spec.Codec, fmt.Sprintf(format, args...))
	}
	cfg := av.AudioEncodeConfig{Container: "mp4", BitrateKbps: spec.BitrateKbps, Channels: spec.Channels, SampleRate: spec.SampleRate}
	switch ext := strings.ToLower(filepath.Ext(out)); ext {
	case ".mp4", ".m4a":
	case ".webm":
		cfg.Container = "webm"
	default:
		return cfg, bad("output %q: want .mp4, .m4a or .webm", out)
	}
	switch spec.Channels {
	case 0, 1, 2, 6:
	default:
		return cfg, bad("%d channels (want 1, 2 or 6)", spec.Channels)
	}
	if spec.BitrateKbps < 0 || spec.BitrateKbps > 1024 {
		return cfg, bad("bitrate %d kbit/s", spec.BitrateKbps)
	}
	switch strings.ToLower(spec.Codec) {
	case "aac":
		cfg.Encoder = "aac"
		if cfg.Container == "webm" {
			return cfg, bad("AAC cannot go in WebM")
		}
		if spec.SampleRate != 0 && (spec.SampleRate < 8000 || spec.SampleRate > 96000) {
			return cfg, bad("sample rate %d Hz", spec.SampleRate)
		}
		if cfg.BitrateKbps == 0 {
			cfg.BitrateKbps = 128
		}
	case "opus":
		cfg.Encoder = "libopus"
		switch spec.SampleRate {
		case 0:
			cfg.SampleRate = 48000
		case 8000, 12000, 16000, 24000, 48000:
		default:
			return cfg, bad("sample rate %d Hz (want 8000, 12000, 16000, 24000 or 48000)", spec.SampleRate)
		}
		if cfg.BitrateKbps == 0 {
			cfg.BitrateKbps = 96
		}
	default:
		return cfg, fmt.Errorf("%w: audio codec %q (want aac or opus)", ErrUnsupported, spec.Codec)
	}
	return cfg, nil
}
