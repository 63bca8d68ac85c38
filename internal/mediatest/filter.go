package mediatest

import (
	"testing"

	ffmpeg "github.com/u2takey/ffmpeg-go"
)

// Filter runs the video filter graph vf over path's video to ffmpeg's
// null muxer and returns ffmpeg's log (its standard error, at the default
// level, without banner or progress), where detection filters print what
// they find: blackdetect's "black_start:", freezedetect's and
// metadata=mode=print's lines, … Tests parse it.
func Filter(tb testing.TB, path, vf string) string {
	tb.Helper()
	return filter(tb, path, nil, Args{"vf": vf})
}

// FilterAudio is Filter for an audio filter graph af (ebur128,
// silencedetect, …). input holds the options of the input, for raw PCM
// (Args{"f": "f32le", "ar": "48000", "ac": "2"}); nil for a media file.
func FilterAudio(tb testing.TB, path, af string, input Args) string {
	tb.Helper()
	return filter(tb, path, input, Args{"af": af})
}

func filter(tb testing.TB, path string, input, output Args) string {
	tb.Helper()
	s := ffmpeg.Input(path, withAll(input, nil)).Output("-", withAll(output, Args{"f": "null"})).
		GlobalArgs("-hide_banner", "-nostats", "-nostdin")
	_, log := run(tb, s)
	return log
}
