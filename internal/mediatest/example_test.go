package mediatest_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// A test makes its fixture, checks what ffprobe sees and runs a detection
// filter as the reference, one call each.
func Example() {
	test := func(t *testing.T) {
		mediatest.Need(t)
		clip := filepath.Join(t.TempDir(), "black.mp4")
		mediatest.Clip(t, clip, mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 75,
			VF: "drawbox=enable='between(n,25,74)':color=black:t=fill", Codec: "libx264", PixFmt: "yuv420p",
			Audio: mediatest.Tone, AudioCodec: "aac", Shortest: true})
		if v := mediatest.Probe(t, clip).Video(); v.Width != 320 || v.ReadFrames() != 75 {
			t.Fatalf("ffprobe: %+v", v)
		}
		if log := mediatest.Filter(t, clip, "blackdetect=d=1"); !strings.Contains(log, "black_start:1") {
			t.Errorf("blackdetect found no black at 1 s:\n%s", log)
		}
	}
	_ = test
}

// Args shows the command line Clip runs.
func ExampleClipOptions_Args() {
	o := mediatest.ClipOptions{Size: "160x90", Rate: "25", Frames: 40, PixFmt: "yuvj420p", Codec: "mjpeg",
		Extra: mediatest.Args{"q:v": "3"}}
	fmt.Println(strings.Join(o.Args("mjpeg.avi"), " "))
	// Output: -f lavfi -i testsrc2=size=160x90:rate=25 -c:v mjpeg -frames:v 40 -pix_fmt yuvj420p -q:v 3 mjpeg.avi -v error -nostdin -y
}
