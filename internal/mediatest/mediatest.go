// Package mediatest is test support for everything that needs the ffmpeg
// and ffprobe command-line tools: fixture clips (lavfi sources encoded or
// converted to a file), ffmpeg's own filters as references
// (blackdetect, freezedetect, ebur128, …), raw decodes, and ffprobe's
// view of a file (streams, packets, frames, frame counts).
//
// It is imported only by _test.go files and benchmarks. reel itself
// reads and writes media through libav (go-astiav, in encoder); the CLI
// tools here are independent references to compare it with. Commands are
// built with github.com/u2takey/ffmpeg-go, so a test states what it wants
// in one call instead of an argument list:
//
//	mediatest.Need(t)
//	src := filepath.Join(t.TempDir(), "src.mkv")
//	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "160x90", Rate: "25", Frames: 30, Codec: "ffv1"})
//	if n := mediatest.CountFrames(t, src); n != 30 { … }
//	log := mediatest.Filter(t, src, "blackdetect=d=0.5")
//
// Every function that takes a testing.TB fails the test (tb.Fatal) when
// the tool fails, with its command line and log; Need skips a test on a
// machine without the tools.
package mediatest

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	ffmpeg "github.com/u2takey/ffmpeg-go"
)

// Args are ffmpeg or ffprobe options without their leading dash, each
// key an option and its value the option's argument ("" for a flag such
// as "an"): Args{"t": "4", "x264-params": "scenecut=0", "an": ""}. They
// are given in sorted order, so Args is only for options whose order does
// not matter (every option of one input or one output).
type Args = ffmpeg.KwArgs

func init() {
	// ffmpeg-go logs every command it compiles; tests print their own.
	ffmpeg.LogCompiledCommand = false
}

// Have reports whether ffmpeg and ffprobe are both on PATH, for a test
// that cross-checks with them only where they are installed.
func Have() bool {
	return missing() == ""
}

func missing() string {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			return tool
		}
	}
	return ""
}

// Need skips the test unless ffmpeg and ffprobe are on PATH.
func Need(tb testing.TB) {
	tb.Helper()
	if tool := missing(); tool != "" {
		tb.Skipf("%s not installed (make test installs it)", tool)
	}
}

// run runs a compiled ffmpeg command and returns its standard output and
// error; it fails tb when ffmpeg fails.
func run(tb testing.TB, s *ffmpeg.Stream) (stdout []byte, stderr string) {
	tb.Helper()
	Need(tb)
	var out, errb bytes.Buffer
	cmd := s.WithOutput(&out, &errb).Compile()
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, errb.String())
	}
	return out.Bytes(), errb.String()
}
