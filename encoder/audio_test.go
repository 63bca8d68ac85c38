package encoder

import (
	"context"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// audioTimes returns the first packet's pts and the end of the last packet
// (pts + duration), in seconds, of input's first audio stream.
func audioTimes(t *testing.T, input string) (first, end float64) {
	t.Helper()
	first = math.Inf(1)
	for _, p := range mediatest.Packets(t, input, "a:0") {
		if math.IsNaN(p.PTSTime) || math.IsNaN(p.Duration) {
			continue
		}
		first = math.Min(first, p.PTSTime)
		end = math.Max(end, p.PTSTime+p.Duration)
	}
	return first, end
}

func TestEncodeAudio(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.wav")
	mediatest.Clip(t, tone, mediatest.ClipOptions{AudioOnly: true, Audio: "sine=frequency=440:sample_rate=44100:duration=1.5",
		Extra: mediatest.Args{"ac": "2"}})
	for _, tc := range []struct {
		name, input, out string
		spec             AudioSpec
		channels, rate   int
		frame            int // samples per encoded frame
	}{
		{"bbb-5.1-to-stereo-aac", bbb, "bbb_aac.mp4", AudioSpec{Codec: "aac", BitrateKbps: 128, Channels: 2}, 2, 0, 1024},
		{"bbb-5.1-aac", bbb, "bbb_51.m4a", AudioSpec{Codec: "aac", BitrateKbps: 256}, 6, 0, 1024},
		{"bbb-opus-webm", bbb, "bbb_opus.webm", AudioSpec{Codec: "opus", BitrateKbps: 96, Channels: 2}, 2, 48000, 960},
		{"tone-opus-mp4", tone, "tone_opus.mp4", AudioSpec{Codec: "opus", Channels: 1}, 1, 48000, 960},
		{"tone-aac-48k", tone, "tone_aac.mp4", AudioSpec{Codec: "aac", SampleRate: 48000, Channels: 1, BitrateKbps: 64}, 1, 48000, 1024},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.out)
			res, err := EncodeAudio(context.Background(), tc.input, tc.spec, out)
			if err != nil {
				t.Fatal(err)
			}
			p := mediatest.Probe(t, out)
			if len(p.Streams) != 1 || p.Streams[0].CodecType != "audio" || p.Streams[0].Channels != tc.channels || res.Channels != tc.channels {
				t.Fatalf("streams %+v, output %+v, want one audio stream with %d channels", p.Streams, res, tc.channels)
			}
			if tc.rate != 0 && (p.Streams[0].SampleRate != strconv.Itoa(tc.rate) || res.SampleRate != tc.rate) {
				t.Errorf("sample rate %s / %d, want %d", p.Streams[0].SampleRate, res.SampleRate, tc.rate)
			}
			want := map[string]string{"aac": "aac", "opus": "opus"}[tc.spec.Codec]
			if p.Streams[0].CodecName != want {
				t.Errorf("codec %s, want %s", p.Streams[0].CodecName, want)
			}
			srcFirst, srcEnd := audioTimes(t, tc.input)
			first, end := audioTimes(t, out)
			tol := float64(tc.frame)/float64(res.SampleRate) + 1e-6
			if math.Abs(first-srcFirst) > tol || math.Abs(end-srcEnd) > tol {
				t.Errorf("audio spans [%g, %g] s, source [%g, %g] s: more than one frame (%g s) apart", first, end, srcFirst, srcEnd, tol)
			}
			if math.Abs(res.StartSec+res.DurationSec-srcEnd) > tol {
				t.Errorf("output %+v ends at %g s, source at %g s", res, res.StartSec+res.DurationSec, srcEnd)
			}
		})
	}
}

func TestEncodeAudioInvalid(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		spec AudioSpec
		out  string
		want error
	}{
		{"codec", AudioSpec{Codec: "mp3"}, "a.mp4", ErrUnsupported},
		{"aac in webm", AudioSpec{Codec: "aac"}, "a.webm", ErrInvalidSettings},
		{"opus rate", AudioSpec{Codec: "opus", SampleRate: 44100}, "a.webm", ErrInvalidSettings},
		{"channels", AudioSpec{Codec: "aac", Channels: 3}, "a.mp4", ErrInvalidSettings},
		{"extension", AudioSpec{Codec: "aac"}, "a.wav", ErrInvalidSettings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EncodeAudio(context.Background(), bbb, tc.spec, filepath.Join(dir, tc.out))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAudioDecoder decodes a generated tone, resampled and downmixed, and
// checks length, frequency and level; and bbb's 5.1 downmixed to stereo.
func TestAudioDecoder(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	tone := filepath.Join(dir, "tone.mkv")
	// 440 Hz at amplitude 1/8 in both channels of a 44.1 kHz stereo file.
	mediatest.Clip(t, tone, mediatest.ClipOptions{AudioOnly: true, Audio: "sine=frequency=440:sample_rate=44100:duration=2",
		AudioCodec: "pcm_s16le", Extra: mediatest.Args{"ac": "2"}})
	d, err := OpenAudioDecoder(context.Background(), tone, AudioDecoderOptions{SampleRate: 48000, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.SampleRate() != 48000 || d.Channels() != 1 {
		t.Fatalf("decoder %d Hz %d channels, want 48000 Hz mono", d.SampleRate(), d.Channels())
	}
	var s []float32
	for {
		p, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 1 {
			t.Fatalf("%d planes", len(p))
		}
		s = append(s, p[0]...)
	}
	if math.Abs(float64(len(s))-96000) > 64 {
		t.Errorf("%d samples, want about 96000", len(s))
	}
	crossings := 0
	var peak float64
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			crossings++
		}
		peak = math.Max(peak, math.Abs(float64(s[i])))
	}
	if f := float64(crossings) / 2 / (float64(len(s)) / 48000); math.Abs(f-440) > 3 {
		t.Errorf("tone at %.1f Hz, want 440", f)
	}
	// Two identical channels downmixed to mono: ffmpeg's sine is at 1/8.
	if peak < 0.1 || peak > 0.3 {
		t.Errorf("peak %g, want about 0.125–0.25", peak)
	}

	b, err := OpenAudioDecoder(context.Background(), bbb, AudioDecoderOptions{Layout: "stereo"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := b.Next()
	if err != nil || len(p) != 2 || b.Channels() != 2 {
		t.Fatalf("bbb: %d planes, %d channels, %v", len(p), b.Channels(), err)
	}

	if _, err := OpenAudioDecoder(context.Background(), bbb, AudioDecoderOptions{Layout: "nonsense"}); !errors.Is(err, ErrInvalidSettings) {
		t.Errorf("bad layout: %v", err)
	}
	video := filepath.Join(dir, "video.mp4")
	mediatest.Clip(t, video, mediatest.ClipOptions{Size: "64x64", Rate: "5", Frames: 2, Codec: "libx264"})
	if _, err := OpenAudioDecoder(context.Background(), video, AudioDecoderOptions{}); !errors.Is(err, ErrNoAudio) || !IsBadInput(err) {
		t.Errorf("video only: %v, want ErrNoAudio", err)
	}
}
