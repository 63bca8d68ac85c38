package mediatest

import (
	"maps"
	"strconv"
	"strings"
	"testing"

	ffmpeg "github.com/u2takey/ffmpeg-go"
)

// ClipOptions describe a fixture: its input (lavfi sources, or a file to
// convert) and the output's options. The zero value is testsrc2's
// default picture (320x240, 25 fps) with no frame limit: set Frames or
// Duration, or give a source that ends.
type ClipOptions struct {
	// Source is the lavfi video source, "testsrc2" when empty: a source
	// name or a whole graph ("testsrc2=size=320x240:rate=25:duration=6",
	// "color=black:s=64x64:d=2,format=gray"). Size and Rate, when set,
	// are added to it as its size= and rate= options.
	Source string
	Size   string // WxH
	Rate   string // frames per second: "25", "30000/1001"
	// Audio is a lavfi audio source added as a second input, e.g. Tone.
	Audio string
	// AudioOnly leaves out the video source: Audio is the only input.
	AudioOnly bool
	// File, when set, is the only input instead of the lavfi sources:
	// the clip is File converted.
	File string
	// Input holds options of the first input (File's, or the video
	// source's): Args{"t": "4"}, Args{"framerate": "25"}.
	Input Args

	Frames     int     // -frames:v
	Duration   float64 // -t, seconds
	VF, AF     string  // -vf, -af
	Codec      string  // -c:v
	PixFmt     string  // -pix_fmt
	Preset     string  // -preset
	GOP        int     // -g
	AudioCodec string  // -c:a
	Format     string  // -f (the output's container or raw format)
	Shortest   bool    // -shortest
	// Extra holds any other output options: Args{"crf": "16",
	// "x264-params": "scenecut=0", "movflags": "+faststart"}.
	Extra Args
}

// Tone is a 440 Hz sine, endless: for ClipOptions.Audio (with Shortest,
// Duration or Frames to end it).
const Tone = "sine=frequency=440"

// Clip writes the fixture that o describes to path with ffmpeg
// (overwriting it), or fails tb.
func Clip(tb testing.TB, path string, o ClipOptions) {
	tb.Helper()
	run(tb, o.command(path))
}

// Args returns the ffmpeg arguments that Clip runs for o and path.
func (o ClipOptions) Args(path string) []string {
	return o.command(path).GetArgs()
}

func (o ClipOptions) command(path string) *ffmpeg.Stream {
	var inputs []*ffmpeg.Stream
	first := func(args Args) Args { return withAll(o.Input, args) }
	switch {
	case o.File != "":
		inputs = append(inputs, ffmpeg.Input(o.File, first(nil)))
	case !o.AudioOnly:
		inputs = append(inputs, ffmpeg.Input(o.videoSource(), first(Args{"f": "lavfi"})))
	}
	if o.Audio != "" && o.File == "" {
		args := Args{"f": "lavfi"}
		if o.AudioOnly {
			args = first(args)
		}
		inputs = append(inputs, ffmpeg.Input(o.Audio, args))
	}
	out := withAll(o.Extra, nil)
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	if o.Frames > 0 {
		set("frames:v", strconv.Itoa(o.Frames))
	}
	if o.Duration > 0 {
		set("t", strconv.FormatFloat(o.Duration, 'g', -1, 64))
	}
	if o.GOP > 0 {
		set("g", strconv.Itoa(o.GOP))
	}
	set("vf", o.VF)
	set("af", o.AF)
	set("c:v", o.Codec)
	set("pix_fmt", o.PixFmt)
	set("preset", o.Preset)
	set("c:a", o.AudioCodec)
	set("f", o.Format)
	if o.Shortest {
		out["shortest"] = ""
	}
	return quiet(ffmpeg.Output(inputs, path, out))
}

// videoSource is Source with Size and Rate.
func (o ClipOptions) videoSource() string {
	src := o.Source
	if src == "" {
		src = "testsrc2"
	}
	var opts []string
	if o.Size != "" {
		opts = append(opts, "size="+o.Size)
	}
	if o.Rate != "" {
		opts = append(opts, "rate="+o.Rate)
	}
	if len(opts) == 0 {
		return src
	}
	sep := "="
	if strings.Contains(src, "=") {
		sep = ":"
	}
	return src + sep + strings.Join(opts, ":")
}

// withAll returns a new Args holding a's and then b's options.
func withAll(a, b Args) Args {
	out := Args{}
	maps.Copy(out, a)
	maps.Copy(out, b)
	return out
}

// quiet adds the global options of every command: errors only, no
// reading of standard input, overwrite.
func quiet(s *ffmpeg.Stream) *ffmpeg.Stream {
	return s.GlobalArgs("-v", "error", "-nostdin").OverWriteOutput()
}

// RawVideo decodes path's video (through the filter graph vf, when not
// empty) to raw frames of pixFmt, planes tightly packed (ffmpeg's -f
// rawvideo), and returns them.
func RawVideo(tb testing.TB, path, pixFmt, vf string) []byte {
	tb.Helper()
	out := Args{"f": "rawvideo", "pix_fmt": pixFmt}
	if vf != "" {
		out["vf"] = vf
	}
	b, _ := run(tb, quiet(ffmpeg.Input(path).Output("-", out)))
	return b
}
