package encoder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// TestGrabFrames grabs frames of a long-GOP H.264 clip with B-frames, in
// any order, repeated and past the end, by decoding on and by seeking:
// each picture is exactly the frame a full ffmpeg decode gives at that
// index.
func TestGrabFrames(t *testing.T) {
	mediatest.Need(t)
	const w, h, n = 160, 120, 60
	clip := filepath.Join(t.TempDir(), "gop.mp4")
	mediatest.Clip(t, clip, mediatest.ClipOptions{Size: fmt.Sprintf("%dx%d", w, h), Rate: "25", Frames: n, GOP: 12,
		PixFmt: "yuv420p", Codec: "libx264", Preset: "fast"})
	raw := mediatest.RawVideo(t, clip, "yuv420p", "")
	const size = w * h * 3 / 2
	if len(raw) != n*size {
		t.Fatalf("ffmpeg decoded %d bytes, want %d frames", len(raw), n)
	}
	luma := func(i int) []byte { return raw[i*size : i*size+w*h] }

	want := []int{37, 0, 5, 5, 59, 13, 14, 60, -1, 120, 11}
	for _, maxForward := range []int{0, 1} {
		t.Run(fmt.Sprintf("maxForward=%d", maxForward), func(t *testing.T) {
			got, err := GrabFrames(context.Background(), clip, want, GrabOptions{MaxForward: maxForward})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d grabs for %d frames", len(got), len(want))
			}
			for i, k := range want {
				g := got[i]
				if k < 0 || k >= n {
					if g.Frame != nil || !errors.Is(g.Err, ErrInvalidSettings) {
						t.Errorf("frame %d: %+v, want ErrInvalidSettings", k, g)
					}
					continue
				}
				if g.Err != nil {
					t.Errorf("frame %d: %v", k, g.Err)
					continue
				}
				f := g.Frame
				if f.Index != k || f.Width != w || f.Height != h || f.BitDepth != 8 {
					t.Fatalf("frame %d: index %d, %dx%d, %d bits", k, f.Index, f.Width, f.Height, f.BitDepth)
				}
				var y bytes.Buffer
				for r := range h {
					y.Write(f.Planes[0].Row8(r))
				}
				if !bytes.Equal(y.Bytes(), luma(k)) {
					t.Errorf("frame %d: luma differs from ffmpeg's frame %d", k, k)
				}
			}
		})
	}

	// Scaled to a width: the height keeps the aspect, and the picture is
	// the frame's (its mean luma close to the full-size frame's).
	got, err := GrabFrames(context.Background(), clip, []int{42}, GrabOptions{Width: 80})
	if err != nil || got[0].Err != nil {
		t.Fatal(err, got[0].Err)
	}
	f := got[0].Frame
	if f.Width != 80 || f.Height != 60 || f.Index != 42 {
		t.Fatalf("scaled frame %dx%d index %d", f.Width, f.Height, f.Index)
	}
	mean := func(b []byte) float64 {
		s := 0
		for _, v := range b {
			s += int(v)
		}
		return float64(s) / float64(len(b))
	}
	var y []byte
	for r := range f.Height {
		y = append(y, f.Planes[0].Row8(r)...)
	}
	if d := mean(y) - mean(luma(42)); d > 2 || d < -2 {
		t.Errorf("scaled frame's mean luma %.1f, full frame's %.1f", mean(y), mean(luma(42)))
	}
}

func TestGrabFramesBadInput(t *testing.T) {
	ctx := context.Background()
	if _, err := GrabFrames(ctx, filepath.Join(t.TempDir(), "nope.mp4"), []int{0}, GrabOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing input: %v", err)
	}
	if _, err := GrabFrames(ctx, bbb, []int{0}, GrabOptions{Width: -1}); !errors.Is(err, ErrInvalidSettings) {
		t.Errorf("negative width: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := GrabFrames(cancelled, bbb, []int{0}, GrabOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
