package encoder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
)

// TestStitchSizeChanges stitches H.264 chunks of one rung encoded at
// different sizes into one avc3 track and checks that it probes at the
// largest size, decodes to the chunks' frames at their own sizes, and
// decodes at one size when the decoder scales.
func TestStitchSizeChanges(t *testing.T) {
	needFFmpeg(t)
	type size struct{ w, h int }
	for _, tc := range []struct {
		name    string
		sizes   []size
		largest size
	}{
		{"smaller middle", []size{{384, 216}, {192, 108}, {384, 216}}, size{384, 216}},
		// The first chunk is the smallest; chunks 1 and 2 tie on area and
		// the first of them wins.
		{"smaller first", []size{{256, 144}, {320, 180}, {360, 160}}, size{320, 180}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := []int{12, 7, 10}
			chunks := encodeChunksWith(t, func(i int) RungSpec {
				return RungSpec{ID: "v", Codec: "h264", Width: tc.sizes[i].w, Height: tc.sizes[i].h,
					CRF: 28, Preset: "veryfast", GOPFrames: 12}
			}, frames)
			out := filepath.Join(t.TempDir(), "rung.mp4")
			ctx := context.Background()

			// Without SizeChanges the chunks are rejected, as before.
			if _, err := Stitch(ctx, chunks, out); !errors.Is(err, ErrInvalidSettings) {
				t.Fatalf("Stitch without SizeChanges: error %v, want ErrInvalidSettings", err)
			}

			res, err := StitchWith(ctx, chunks, out, StitchOptions{SizeChanges: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Codec != "h264" || res.Frames != 29 || fmt.Sprint(res.ChunkFrames) != "[12 7 10]" ||
				res.Width != tc.largest.w || res.Height != tc.largest.h {
				t.Errorf("output %+v, want h264, 29 frames [12 7 10], %dx%d", res, tc.largest.w, tc.largest.h)
			}

			// (a) The container: H.264, 29 frames, the largest size in the
			// sample entry.
			info, err := Probe(ctx, out, ProbeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			v := info.Video()
			if v == nil || v.Codec != "h264" || v.FrameCount != 29 {
				t.Fatalf("probe %+v, want h264 with 29 frames", v)
			}
			// (libav's stream info, and so Probe's and ffprobe's width and
			// height, is the first decoded picture's size, not the sample
			// entry's: read the sample entry itself.)
			if typ, ew, eh := sampleEntry(t, out); typ != "avc3" || ew != tc.largest.w || eh != tc.largest.h {
				t.Errorf("sample entry %q %dx%d, want avc3 %dx%d", typ, ew, eh, tc.largest.w, tc.largest.h)
			}
			if _, err := exec.LookPath("ffprobe"); err == nil {
				tag := strings.TrimSpace(string(run(t, "ffprobe", "-v", "error", "-select_streams", "v",
					"-show_entries", "stream=codec_tag_string", "-of", "csv=p=0", out)))
				if tag != "avc3" {
					t.Errorf("ffprobe codec_tag_string %q, want avc3", tag)
				}
			}

			// (b) Native decode: each chunk's frames at its own size, the
			// same pictures as decoding the chunks.
			got := decodeAll(t, out, DecoderOptions{})
			if len(got) != 29 {
				t.Fatalf("decoded %d frames, want 29", len(got))
			}
			k := 0
			var want []*frame.Frame
			for i, c := range chunks {
				for range frames[i] {
					if f := got[k]; f.Width != tc.sizes[i].w || f.Height != tc.sizes[i].h {
						t.Fatalf("frame %d (chunk %d) is %dx%d, want %dx%d", k, i, f.Width, f.Height, tc.sizes[i].w, tc.sizes[i].h)
					}
					k++
				}
				want = append(want, decodeAll(t, c, DecoderOptions{})...)
			}
			sameFrames(t, "stitched", got, want)

			// (c) Decoding to one size scales every chunk to it.
			scaled := decodeAll(t, out, DecoderOptions{Width: tc.largest.w, Height: tc.largest.h})
			if len(scaled) != 29 {
				t.Fatalf("scaled decode gave %d frames, want 29", len(scaled))
			}
			for i, f := range scaled {
				if f.Width != tc.largest.w || f.Height != tc.largest.h {
					t.Fatalf("scaled frame %d is %dx%d, want %dx%d", i, f.Width, f.Height, tc.largest.w, tc.largest.h)
				}
			}
		})
	}
}

// sampleEntry returns the type, width and height of the first sample
// entry of the first stsd box of an MP4 (found by scanning its bytes).
func sampleEntry(t *testing.T, path string) (string, int, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// "stsd", version and flags (4), entry count (4), then the entry:
	// size (4), type (4), reserved (6), data reference index (2),
	// pre-defined and reserved (16), width (2), height (2).
	i := strings.Index(string(b), "stsd")
	if i < 0 || i+4+4+4+4+4+6+2+16+4 > len(b) {
		t.Fatalf("%s: no stsd box", path)
	}
	e := i + 4 + 4 + 4
	p := e + 4 + 4 + 6 + 2 + 16
	return string(b[e+4 : e+8]), int(b[p])<<8 | int(b[p+1]), int(b[p+2])<<8 | int(b[p+3])
}

// TestStitchSizeChangesErrors: size changes need H.264 chunks of one
// codec and pixel format, and an MP4 output.
func TestStitchSizeChangesErrors(t *testing.T) {
	needFFmpeg(t)
	hevc := encodeChunksWith(t, func(i int) RungSpec {
		return RungSpec{ID: "hevc", Codec: "hevc", Width: []int{192, 160}[i], Height: []int{108, 90}[i], CRF: 30, Preset: "ultrafast"}
	}, []int{4, 4})
	h264 := encodeChunksWith(t, func(i int) RungSpec {
		return RungSpec{ID: "h264", Codec: "h264", Width: []int{192, 160}[i], Height: []int{108, 90}[i], CRF: 30, Preset: "ultrafast"}
	}, []int{4, 4})
	h264hi := encodeChunksWith(t, func(int) RungSpec {
		return RungSpec{ID: "h264-10", Codec: "h264", Width: 160, Height: 90, CRF: 30, Preset: "ultrafast", BitDepth: 10}
	}, []int{4})
	dir := t.TempDir()
	for _, tc := range []struct {
		name   string
		chunks []string
		out    string
		want   string // in the error message
	}{
		{"hevc", hevc, "out.mp4", "hevc"},
		{"h264 then hevc", []string{h264[0], hevc[1]}, "out.mp4", "codec hevc"},
		{"pixel format", []string{h264[0], h264hi[0]}, "out.mp4", "pixel format"},
		{"webm", h264, "out.webm", "MP4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StitchWith(context.Background(), tc.chunks, filepath.Join(dir, tc.out), StitchOptions{SizeChanges: true})
			if !errors.Is(err, ErrInvalidSettings) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidSettings naming %q", err, tc.want)
			}
		})
	}
	// Chunks made invalid: an avcC that is not version 1, and one that
	// does not start with a keyframe (its first packet dropped).
	badAVCC := patchBox(t, h264[1], "avcC", func(b []byte) { b[0] = 0 })
	notKey := filepath.Join(t.TempDir(), "notkey.mp4")
	ffmpeg(t, "-i", h264[1], "-c", "copy", "-bsf:v", "noise=drop=eq(n\\,0)", notKey)
	for _, tc := range []struct {
		name   string
		chunks []string
		want   string
	}{
		{"avcC version", []string{h264[0], badAVCC}, "avcC version 0"},
		{"first packet not a keyframe", []string{h264[0], notKey}, "not a keyframe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StitchWith(context.Background(), tc.chunks, filepath.Join(dir, "out.mp4"), StitchOptions{SizeChanges: true})
			if !errors.Is(err, ErrInvalidData) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "chunk 1 ("+tc.chunks[1]) {
				t.Fatalf("error %v, want ErrInvalidData naming chunk 1 and %q", err, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed stitches left %d files", len(entries))
	}
}

// patchBox writes a copy of the MP4 at path with the payload of its first
// box of type typ changed by patch, and returns the copy's path.
func patchBox(t *testing.T, path, typ string, patch func(payload []byte)) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), typ)
	if i < 4 {
		t.Fatalf("%s: no %s box", path, typ)
	}
	size := int(b[i-4])<<24 | int(b[i-3])<<16 | int(b[i-2])<<8 | int(b[i-1])
	if size < 8+12 || i-4+size > len(b) {
		t.Fatalf("%s: %s box of %d bytes", path, typ, size)
	}
	patch(b[i+4 : i-4+size])
	out := filepath.Join(t.TempDir(), typ+"-"+filepath.Base(path))
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}
