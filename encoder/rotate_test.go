package encoder

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// lumaPSNR is the PSNR of 8-bit luma planes a against b.
func lumaPSNR(a, b []byte) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}

// TestRotatedSource: a source with a display matrix (ffmpeg's rotate
// tag, written into the MP4's tkhd as a matrix) probes, decodes, grabs
// and encodes upright, as ffmpeg's autorotate shows it.
func TestRotatedSource(t *testing.T) {
	mediatest.Need(t)
	const w, h, frames = 176, 96, 12
	tests := []struct {
		tag    int // ffmpeg's -metadata:s:v rotate=
		pixFmt string
	}{
		{90, "yuv420p"},
		{180, "yuv420p"},
		{270, "yuv420p"},
		{90, "yuv422p"},      // transposed through 4:4:4
		{270, "yuv420p10le"}, // 16-bit samples
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%s", tt.tag, tt.pixFmt), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			stored := filepath.Join(dir, "stored.mp4")
			mediatest.Clip(t, stored, mediatest.ClipOptions{
				Size: fmt.Sprintf("%dx%d", w, h), Rate: "25", Frames: frames, GOP: 4,
				Codec: "libx264", PixFmt: tt.pixFmt, Preset: "ultrafast", Extra: mediatest.Args{"crf": "10"},
			})
			src := filepath.Join(dir, "rotated.mp4")
			mediatest.Clip(t, src, mediatest.ClipOptions{
				File: stored, Codec: "copy", Extra: mediatest.Args{"metadata:s:v:0": fmt.Sprintf("rotate=%d", tt.tag)},
			})
			rot := mediatest.DisplayRotation(t, src)
			if rot == 0 {
				t.Fatalf("ffmpeg wrote no display matrix for rotate=%d (does this ffmpeg still honour the rotate tag?)", tt.tag)
			}
			cw := ((-rot)%360 + 360) % 360
			uw, uh := w, h
			if cw%180 != 0 {
				uw, uh = h, w
			}

			// Probe: the upright size and the rotation.
			info, err := Probe(context.Background(), src, ProbeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			v := info.Video()
			if v.Width != uw || v.Height != uh || v.Rotation != cw || v.Mirrored {
				t.Fatalf("probe: %dx%d rotation %d mirrored %v, want %dx%d rotation %d", v.Width, v.Height, v.Rotation, v.Mirrored, uw, uh, cw)
			}

			// Decode: ffmpeg's autorotated frames, sample for sample in luma.
			want := mediatest.RawVideo(t, src, tt.pixFmt, "")
			got := decodeAll(t, src, DecoderOptions{PixelFormat: tt.pixFmt})
			if len(got) != frames {
				t.Fatalf("decoded %d frames, want %d", len(got), frames)
			}
			bps := 1
			if tt.pixFmt == "yuv420p10le" {
				bps = 2
			}
			frameBytes := len(want) / frames
			lumaBytes := uw * uh * bps
			for i, f := range got {
				if f.Width != uw || f.Height != uh {
					t.Fatalf("frame %d is %dx%d, want %dx%d", i, f.Width, f.Height, uw, uh)
				}
				b := rawBytes(f)
				ref := want[i*frameBytes : (i+1)*frameBytes]
				if len(b) != len(ref) {
					t.Fatalf("frame %d: %d bytes, ffmpeg's %d", i, len(b), len(ref))
				}
				if sum(b[:lumaBytes]) != sum(ref[:lumaBytes]) {
					t.Fatalf("frame %d: luma differs from ffmpeg's autorotated decode", i)
				}
				if tt.pixFmt == "yuv422p" {
					continue // ffmpeg and reel resample chroma differently
				}
				if sum(b) != sum(ref) {
					t.Fatalf("frame %d: chroma differs from ffmpeg's autorotated decode", i)
				}
			}

			// Reference for the encodes: ffmpeg's upright 8-bit luma.
			want8 := mediatest.RawVideo(t, src, "yuv420p", "")
			fb8, lb8 := len(want8)/frames, uw*uh
			luma := func(b []byte, i int) []byte { return b[i*fb8 : i*fb8+lb8] }

			// GrabFrames: upright pictures too.
			grabs, err := GrabFrames(context.Background(), src, []int{7}, GrabOptions{})
			if err != nil || grabs[0].Err != nil {
				t.Fatalf("GrabFrames: %v %v", err, grabs[0].Err)
			}
			if g := grabs[0].Frame; g.Width != uw || g.Height != uh || sum(rawBytes(g)[:lb8]) != sum(luma(want8, 7)) {
				t.Fatalf("grab of frame 7: %dx%d, want %dx%d and ffmpeg's luma", g.Width, g.Height, uw, uh)
			}

			// A ladder rung sized from the upright aspect, and a chunk:
			// upright, no display matrix, close to the upright source.
			rung := RungSpec{ID: "up", Height: uh, CRF: 14, Preset: "ultrafast", GOPFrames: 4}
			outs, err := EncodeLadder(context.Background(), src, LadderOptions{
				Rungs:      []RungSpec{rung},
				OutputPath: func(RungSpec) string { return filepath.Join(dir, "ladder.mp4") },
			})
			if err != nil {
				t.Fatal(err)
			}
			chunk, err := EncodeChunk(context.Background(), src, ChunkOptions{
				StartFrame: 4, Frames: 6, Rungs: []RungSpec{rung},
				OutputPath: func(RungSpec) string { return filepath.Join(dir, "chunk.mp4") },
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				out   RungOutput
				first int
			}{{outs[0], 0}, {chunk.Rungs[0], 4}} {
				p := mediatest.Probe(t, c.out.Path).Streams[0]
				if c.out.Width != uw || c.out.Height != uh || p.Width != uw || p.Height != uh {
					t.Fatalf("%s: %dx%d (ffprobe %dx%d), want %dx%d", c.out.Path, c.out.Width, c.out.Height, p.Width, p.Height, uw, uh)
				}
				if r := mediatest.DisplayRotation(t, c.out.Path); r != 0 {
					t.Fatalf("%s carries a display matrix (rotation %d)", c.out.Path, r)
				}
				enc := mediatest.RawVideo(t, c.out.Path, "yuv420p", "")
				n := len(enc) / fb8
				if n != c.out.Frames || n == 0 {
					t.Fatalf("%s: %d frames decoded, report says %d", c.out.Path, n, c.out.Frames)
				}
				for i := range n {
					if q := lumaPSNR(luma(enc, i), luma(want8, c.first+i)); q < 35 {
						t.Errorf("%s frame %d: luma PSNR %.1f dB against the upright source, want > 35", c.out.Path, i, q)
					}
				}
			}
		})
	}
}

// TestRotatedSourceUnsupported: a display matrix that is not a right-angle
// rotation fails probing and decoding as unsupported, naming the file.
func TestRotatedSourceUnsupported(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	stored := filepath.Join(dir, "stored.mp4")
	mediatest.Clip(t, stored, mediatest.ClipOptions{Size: "64x48", Frames: 3, Codec: "libx264", PixFmt: "yuv420p", Preset: "ultrafast"})
	src := filepath.Join(dir, "tilted.mp4")
	mediatest.Clip(t, src, mediatest.ClipOptions{File: stored, Codec: "copy", Extra: mediatest.Args{"metadata:s:v:0": "rotate=45"}})
	if r := mediatest.DisplayRotation(t, src); r%90 == 0 {
		t.Fatalf("ffmpeg wrote rotation %d for rotate=45", r)
	}
	_, perr := Probe(context.Background(), src, ProbeOptions{})
	_, derr := OpenDecoder(context.Background(), src, DecoderOptions{})
	for _, err := range []error{perr, derr} {
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), src) || !strings.Contains(err.Error(), "display matrix") {
			t.Errorf("got %v, want ErrUnsupported naming %s and its display matrix", err, src)
		}
	}
}
