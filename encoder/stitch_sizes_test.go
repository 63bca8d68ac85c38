package encoder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// TestStitchSizeChanges stitches chunks of one rung encoded at different
// sizes into one track (H.264 'avc3' and HEVC 'hev1' in MP4, VP9 in MP4
// and WebM) and checks that its sample entry has the largest size, that it
// decodes (natively and with the ffmpeg CLI) to the chunks' frames at
// their own sizes, and at one size when the decoder scales.
func TestStitchSizeChanges(t *testing.T) {
	mediatest.Need(t)
	type size struct{ w, h int }
	h264 := func(w, h int) RungSpec {
		return RungSpec{ID: "v", Codec: "h264", Width: w, Height: h, CRF: 28, Preset: "veryfast", GOPFrames: 12}
	}
	hevc := func(w, h int) RungSpec {
		return RungSpec{ID: "v", Codec: "hevc", Width: w, Height: h, CRF: 30, Preset: "ultrafast", GOPFrames: 12}
	}
	vp9 := func(w, h int) RungSpec {
		return RungSpec{ID: "v", Codec: "vp9", Width: w, Height: h, CRF: 45, Preset: "8", GOPFrames: 12}
	}
	for _, tc := range []struct {
		name    string
		rung    func(w, h int) RungSpec
		sizes   []size
		largest size
		out     string
		entry   string // sample entry; "" for WebM
		// hvc1: chunk 0 is remade with the sample entry 'hvc1' and
		// hvcC arrays flagged complete, which the output must not keep.
		hvc1 bool
	}{
		{"h264 smaller middle", h264, []size{{384, 216}, {192, 108}, {384, 216}}, size{384, 216}, "rung.mp4", "avc3", false},
		// The first chunk is the smallest; chunks 1 and 2 tie on area and
		// the first of them wins.
		{"h264 smaller first", h264, []size{{256, 144}, {320, 180}, {360, 160}}, size{320, 180}, "rung.mp4", "avc3", false},
		{"hevc smaller middle", hevc, []size{{384, 216}, {192, 108}, {384, 216}}, size{384, 216}, "rung.mp4", "hev1", true},
		{"vp9 mp4", vp9, []size{{384, 216}, {192, 108}, {384, 216}}, size{384, 216}, "rung.mp4", "vp09", false},
		{"vp9 webm", vp9, []size{{192, 108}, {384, 216}, {256, 144}}, size{384, 216}, "rung.webm", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := []int{12, 7, 10}
			chunks := encodeChunksWith(t, func(i int) RungSpec { return tc.rung(tc.sizes[i].w, tc.sizes[i].h) }, frames)
			codec := tc.rung(0, 0).Codec
			if tc.hvc1 {
				chunks[0] = hvc1Complete(t, chunks[0])
			}
			out := filepath.Join(t.TempDir(), tc.out)
			ctx := context.Background()

			// Without SizeChanges the chunks are rejected, as before.
			if _, err := Stitch(ctx, chunks, out); !errors.Is(err, ErrInvalidSettings) {
				t.Fatalf("Stitch without SizeChanges: error %v, want ErrInvalidSettings", err)
			}

			res, err := StitchWith(ctx, chunks, out, StitchOptions{SizeChanges: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Codec != codec || res.Frames != 29 || fmt.Sprint(res.ChunkFrames) != "[12 7 10]" ||
				res.Width != tc.largest.w || res.Height != tc.largest.h {
				t.Errorf("output %+v, want %s, 29 frames [12 7 10], %dx%d", res, codec, tc.largest.w, tc.largest.h)
			}

			// (a) The container: the codec, 29 frames, the largest size in
			// the sample entry.
			info, err := Probe(ctx, out, ProbeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			v := info.Video()
			if v == nil || v.Codec != codec || v.FrameCount != 29 {
				t.Fatalf("probe %+v, want %s with 29 frames", v, codec)
			}
			if tc.entry != "" {
				// (libav's stream info, and so Probe's and ffprobe's width
				// and height, is the first decoded picture's size, not the
				// sample entry's: read the sample entry itself.)
				if typ, ew, eh := sampleEntry(t, out); typ != tc.entry || ew != tc.largest.w || eh != tc.largest.h {
					t.Errorf("sample entry %q %dx%d, want %s %dx%d", typ, ew, eh, tc.entry, tc.largest.w, tc.largest.h)
				}
				if tag := mediatest.Probe(t, out).Video().CodecTagString; tag != tc.entry {
					t.Errorf("ffprobe codec_tag_string %q, want %s", tag, tc.entry)
				}
			}
			if tc.hvc1 {
				if flags := hvccArrays(t, out); strings.Contains(flags, "complete") {
					t.Errorf("output hvcC arrays %s: none may be complete", flags)
				}
			}

			// (b) Native decode: each chunk's frames at its own size, the
			// same pictures as decoding the chunks. The ffmpeg CLI
			// decodes the same sizes.
			got := decodeAll(t, out, DecoderOptions{})
			if len(got) != 29 {
				t.Fatalf("decoded %d frames, want 29", len(got))
			}
			k := 0
			var want []*frame.Frame
			var wantSizes []string
			for i, c := range chunks {
				for range frames[i] {
					if f := got[k]; f.Width != tc.sizes[i].w || f.Height != tc.sizes[i].h {
						t.Fatalf("frame %d (chunk %d) is %dx%d, want %dx%d", k, i, f.Width, f.Height, tc.sizes[i].w, tc.sizes[i].h)
					}
					wantSizes = append(wantSizes, fmt.Sprintf("%d,%d", tc.sizes[i].w, tc.sizes[i].h))
					k++
				}
				want = append(want, decodeAll(t, c, DecoderOptions{})...)
			}
			sameFrames(t, "stitched", got, want)
			var cli []string
			for _, f := range mediatest.Frames(t, out, "v") {
				cli = append(cli, fmt.Sprintf("%d,%d", f.Width, f.Height))
			}
			if strings.Join(cli, " ") != strings.Join(wantSizes, " ") {
				t.Errorf("ffprobe frame sizes %v, want %v", cli, wantSizes)
			}

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

// hvc1Complete returns a copy of the HEVC chunk at path whose sample entry
// is 'hvc1' and whose hvcC arrays are flagged complete, as an 'hvc1' track
// with its parameter sets only in the hvcC has them.
func hvc1Complete(t *testing.T, path string) string {
	t.Helper()
	p := patchBox(t, path, "hvcC", func(b []byte) {
		for _, a := range hvccArrayOffsets(t, b) {
			b[a] |= 0x80
		}
	})
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "stsd")
	e := i + 4 + 4 + 4
	if i < 0 || e+8 > len(b) || string(b[e+4:e+8]) != "hev1" {
		t.Fatalf("%s: no hev1 sample entry", path)
	}
	copy(b[e+4:], "hvc1")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if typ, _, _ := sampleEntry(t, p); typ != "hvc1" {
		t.Fatalf("%s: sample entry %q after patching", p, typ)
	}
	return p
}

// hvccArrayOffsets returns the offsets of the array headers in an hvcC
// box's payload.
func hvccArrayOffsets(t *testing.T, b []byte) []int {
	t.Helper()
	if len(b) < 23 {
		t.Fatalf("hvcC of %d bytes", len(b))
	}
	var offs []int
	p := 23
	for range int(b[22]) {
		if p+3 > len(b) {
			t.Fatalf("hvcC cut at array %d", len(offs))
		}
		offs = append(offs, p)
		n := int(b[p+1])<<8 | int(b[p+2])
		p += 3
		for range n {
			if p+2 > len(b) {
				t.Fatalf("hvcC cut in array %d", len(offs))
			}
			p += 2 + (int(b[p])<<8 | int(b[p+1]))
		}
	}
	return offs
}

// hvccArrays describes the arrays of the first hvcC box of an MP4: their
// NAL unit types, marked "complete" when flagged so.
func hvccArrays(t *testing.T, path string) string {
	t.Helper()
	var desc []string
	patchBox(t, path, "hvcC", func(b []byte) {
		for _, a := range hvccArrayOffsets(t, b) {
			d := fmt.Sprint(b[a] & 0x3f)
			if b[a]&0x80 != 0 {
				d += " complete"
			}
			desc = append(desc, d)
		}
	})
	if len(desc) < 3 {
		t.Fatalf("%s: hvcC arrays %v, want VPS, SPS and PPS", path, desc)
	}
	return "[" + strings.Join(desc, ", ") + "]"
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

// TestStitchSizeChangesErrors: size changes need H.264, HEVC or VP9
// chunks of one codec and pixel format, an MP4 output for H.264 and HEVC,
// valid codec headers and chunks that start with a keyframe.
func TestStitchSizeChangesErrors(t *testing.T) {
	mediatest.Need(t)
	av1 := encodeChunksWith(t, func(i int) RungSpec {
		return RungSpec{ID: "av1", Codec: "av1", Width: []int{192, 160}[i], Height: []int{108, 90}[i], CRF: 50, Preset: "12"}
	}, []int{4, 4})
	hevc := encodeChunksWith(t, func(i int) RungSpec {
		return RungSpec{ID: "hevc", Codec: "hevc", Width: []int{192, 160}[i], Height: []int{108, 90}[i], CRF: 30, Preset: "ultrafast"}
	}, []int{4, 4})
	vp9 := encodeChunksWith(t, func(i int) RungSpec {
		return RungSpec{ID: "vp9", Codec: "vp9", Width: []int{192, 160}[i], Height: []int{108, 90}[i], CRF: 50, Preset: "8"}
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
		{"av1", av1, "out.mp4", "chunk 0 (" + av1[0] + ") is av1"},
		{"av1 webm", av1, "out.webm", "is av1"},
		{"h264 then hevc", []string{h264[0], hevc[1]}, "out.mp4", "codec hevc"},
		{"hevc then vp9", []string{hevc[0], vp9[1]}, "out.mp4", "codec vp9"},
		{"vp9 then av1", []string{vp9[0], av1[1]}, "out.webm", "codec av1"},
		{"pixel format", []string{h264[0], h264hi[0]}, "out.mp4", "pixel format"},
		{"webm", h264, "out.webm", "MP4"},
		{"hevc webm", hevc, "out.webm", "MP4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StitchWith(context.Background(), tc.chunks, filepath.Join(dir, tc.out), StitchOptions{SizeChanges: true})
			if !errors.Is(err, ErrInvalidSettings) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidSettings naming %q", err, tc.want)
			}
		})
	}
	// Chunks made invalid: an avcC or hvcC that is not version 1, and
	// chunks that do not start with a keyframe (their first packet
	// dropped).
	badAVCC := patchBox(t, h264[1], "avcC", func(b []byte) { b[0] = 0 })
	badHVCC := patchBox(t, hevc[1], "hvcC", func(b []byte) { b[0] = 0 })
	notKey := func(path string) string {
		p := filepath.Join(t.TempDir(), "notkey-"+filepath.Base(path))
		mediatest.Clip(t, p, mediatest.ClipOptions{File: path, Extra: mediatest.Args{"c": "copy", "bsf:v": "noise=drop=eq(n\\,0)"}})
		return p
	}
	for _, tc := range []struct {
		name   string
		chunks []string
		want   string
	}{
		{"avcC version", []string{h264[0], badAVCC}, "avcC version 0"},
		{"first packet not a keyframe", []string{h264[0], notKey(h264[1])}, "not a keyframe"},
		{"hvcC version", []string{hevc[0], badHVCC}, "hvcC version 0"},
		{"hevc first packet not a keyframe", []string{hevc[0], notKey(hevc[1])}, "not a keyframe"},
		// libav finds no pixel format for such a VP9 chunk.
		{"vp9 first packet not a keyframe", []string{vp9[0], notKey(vp9[1])}, "does it start with a keyframe"},
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
