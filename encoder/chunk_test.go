package encoder

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/encoder/encodertest"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// sourceRange decodes frames [start, start+n) of input with OpenDecoder.
func sourceRange(t *testing.T, input string, opts DecoderOptions, start, n int) []*frame.Frame {
	t.Helper()
	all := decodeAll(t, input, opts)
	if len(all) < start+n {
		t.Fatalf("%s has %d frames, want at least %d", input, len(all), start+n)
	}
	return all[start : start+n]
}

// sameFrames fails unless got and want hold the same pictures.
func sameFrames(t *testing.T, what string, got, want []*frame.Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d frames, want %d", what, len(got), len(want))
	}
	for i := range got {
		if g, w := sum(rawBytes(got[i])), sum(rawBytes(want[i])); g != w {
			t.Fatalf("%s: frame %d differs (%s, want %s; %s vs %s)", what, i, g, w, got[i].Format(), want[i].Format())
		}
	}
}

// lossless is an h264 rung that reproduces its input exactly.
func lossless(id string, w, h int) RungSpec {
	return RungSpec{ID: id, Codec: "h264", Width: w, Height: h, Lossless: true, Preset: "ultrafast"}
}

// TestEncodeChunkExactFrames encodes chunks losslessly and checks that
// decoding them gives the source's frames of the same range, byte for
// byte, for seekable inputs (MP4 with B-frames, FFV1/Matroska, ProRes/MOV)
// and for raw Annex-B, which is decoded from the start.
func TestEncodeChunkExactFrames(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	ffv1 := filepath.Join(dir, "mezz_ffv1.mkv")
	mediatest.Clip(t, ffv1, mediatest.ClipOptions{Size: "192x108", Rate: "24", Frames: 60, PixFmt: "yuv420p", Codec: "ffv1", GOP: 1})
	prores := filepath.Join(dir, "mezz_prores.mov")
	mediatest.Clip(t, prores, mediatest.ClipOptions{Source: "testsrc", Size: "192x108", Rate: "30000/1001", Frames: 40, PixFmt: "yuv422p10le",
		Codec: "prores_ks", Extra: mediatest.Args{"profile:v": "2"}})
	gop := filepath.Join(dir, "gop12.mp4")
	mediatest.Clip(t, gop, mediatest.ClipOptions{Size: "192x108", Rate: "25", Frames: 60, PixFmt: "yuv420p", Codec: "libx264", Preset: "ultrafast",
		GOP: 12, Extra: mediatest.Args{"bf": "3", "keyint_min": "12", "x264-params": "scenecut=0"}})

	type tc struct {
		name       string
		input      func(t *testing.T) string
		start, n   int
		w, h       int // rung size; 0: source size
		seek       bool
		depth      int
		maxDecoded int // 0: no limit
	}
	cases := []tc{
		{"bbb-mid", func(*testing.T) string { return bbb }, 37, 12, 0, 0, true, 0, 0},
		{"bbb-start", func(*testing.T) string { return bbb }, 0, 5, 0, 0, false, 0, 5},
		{"bbb-end-scaled", func(*testing.T) string { return bbb }, 120, 12, 320, 180, true, 0, 0},
		{"gop12-bframes", func(*testing.T) string { return gop }, 29, 14, 0, 0, true, 0, 29 - 24 + 14},
		{"ffv1", func(*testing.T) string { return ffv1 }, 31, 10, 0, 0, true, 0, 10},
		{"prores-10bit", func(*testing.T) string { return prores }, 17, 8, 96, 54, true, 10, 8},
		{"annexb-from-start", func(t *testing.T) string { return corpus(t, "VID_1280x720_cabac_temporal_direct.264") }, 20, 6, 320, 180, false, 0, 26},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			input := c.input(t)
			out := t.TempDir()
			rung := lossless("r", c.w, c.h)
			rung.BitDepth = c.depth
			if c.w == 0 {
				info, err := Probe(context.Background(), input, ProbeOptions{})
				if err != nil {
					t.Fatal(err)
				}
				rung.Width, rung.Height = info.Video().Width, info.Video().Height
			}
			var last int
			res, err := EncodeChunk(context.Background(), input, ChunkOptions{
				StartFrame: c.start, Frames: c.n, Rungs: []RungSpec{rung},
				OutputPath: func(r RungSpec) string { return filepath.Join(out, r.ID+".mp4") },
				Progress:   func(done, total int) { last = done },
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Seeked != c.seek || res.Frames != c.n || res.Rungs[0].Frames != c.n || last != c.n || len(res.Concealed) != 0 {
				t.Errorf("output %+v (progress %d), want seeked=%v", res, last, c.seek)
			}
			if c.maxDecoded > 0 && res.DecodedFrames > c.maxDecoded {
				t.Errorf("decoded %d frames for a %d-frame chunk at %d, want at most %d", res.DecodedFrames, c.n, c.start, c.maxDecoded)
			}
			opts := DecoderOptions{Width: rung.Width, Height: rung.Height, PixelFormat: "yuv420p"}
			if c.depth == 10 {
				opts.PixelFormat = "yuv420p10le"
			}
			want := sourceRange(t, input, opts, c.start, c.n)
			got := decodeAll(t, res.Rungs[0].Path, DecoderOptions{PixelFormat: opts.PixelFormat})
			sameFrames(t, c.name, got, want)
			// The chunk starts with a keyframe at timestamp 0.
			pk := mediatest.Packets(t, res.Rungs[0].Path, "v")
			if len(pk) == 0 || pk[0].PTSTime != 0 || !pk[0].Key() {
				t.Errorf("packets %+v, want the first a keyframe at 0", pk[:min(len(pk), 1)])
			}
		})
	}
}

// TestEncodeChunkMultiRung encodes one chunk to several rungs and codecs
// from one decode.
// TestEncodeChunkOddReference: a source of odd size (4:2:0 with a half
// chroma sample at the edges, as cityCC0.mpg's 720x405) cannot be encoded
// at its own size in 4:2:0; the 8-bit 4:4:4 lossless reference can, and
// decoded to 4:2:0 again its luma is the source's, sample for sample (the
// plane VMAF reads).
func TestEncodeChunkOddReference(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "odd.mkv")
	// testsrc2 itself makes 4:2:0 pictures even; the scale filter does not.
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "320x180", Rate: "25", VF: "scale=161:91", Frames: 12, PixFmt: "yuv420p", Codec: "ffv1"})
	ref := lossless("ref", 161, 91)
	ref.PixelFormat = PixelFormat444
	res, err := EncodeChunk(context.Background(), src, ChunkOptions{StartFrame: 4, Frames: 6, Rungs: []RungSpec{ref},
		OutputPath: func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") }})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Rungs[0]
	if s := mediatest.Probe(t, o.Path).Streams[0]; s.PixFmt != "yuv444p" || o.Width != 161 || o.Height != 91 || o.Frames != 6 {
		t.Fatalf("reference %s %dx%d, %d frames; want yuv444p 161x91, 6 frames", s.PixFmt, o.Width, o.Height, o.Frames)
	}
	want := sourceRange(t, src, DecoderOptions{PixelFormat: "yuv420p"}, 4, 6)
	got := decodeAll(t, o.Path, DecoderOptions{PixelFormat: "yuv420p"})
	if len(got) != len(want) {
		t.Fatalf("%d frames, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := &got[i].Planes[0], &want[i].Planes[0]
		if g.Width != 161 || g.Height != 91 || w.Width != 161 {
			t.Fatalf("frame %d: luma %dx%d, source's %dx%d", i, g.Width, g.Height, w.Width, w.Height)
		}
		for y := range g.Height {
			if string(g.Row8(y)) != string(w.Row8(y)) {
				t.Fatalf("frame %d: luma row %d differs from the source's", i, y)
			}
		}
	}
}

func TestEncodeChunkMultiRung(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	rungs := []RungSpec{
		{ID: "h264", Codec: "h264", Width: 320, Height: 180, CRF: 28, Preset: "ultrafast", GOPFrames: 8},
		{ID: "hevc10", Codec: "hevc", Width: 256, Height: 144, CRF: 30, Preset: "ultrafast", GOPFrames: 8, BitDepth: 10},
		{ID: "vp9", Codec: "vp9", Width: 192, Height: 108, CRF: 40, Preset: "8", GOPFrames: 8},
		{ID: "av1", Codec: "av1", Width: 160, Height: 90, BitrateKbps: 100, MaxrateKbps: 150, BufsizeKbps: 300, Preset: "12", GOPFrames: 8},
	}
	res, err := EncodeChunk(context.Background(), bbb, ChunkOptions{
		StartFrame: 50, Frames: 20, Rungs: rungs,
		OutputPath: func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"h264": {"h264", "yuv420p"}, "hevc10": {"hevc", "yuv420p10le"}, "vp9": {"vp9", "yuv420p"}, "av1": {"av1", "yuv420p"}}
	for _, o := range res.Rungs {
		s := mediatest.Probe(t, o.Path).Streams[0]
		if w := want[o.ID]; s.CodecName != w[0] || s.PixFmt != w[1] || s.NbReadFrames != "20" || o.Frames != 20 {
			t.Errorf("%s: %s %s %s frames, want %v and 20 frames", o.ID, s.CodecName, s.PixFmt, s.NbReadFrames, w)
		}
		pk := mediatest.Packets(t, o.Path, "v")
		sort.SliceStable(pk, func(i, j int) bool { return pk[i].PTS < pk[j].PTS })
		var keys []string
		for i, p := range pk {
			if p.Key() {
				keys = append(keys, strconv.Itoa(i+1))
			}
		}
		if strings.Join(keys, " ") != "1 9 17" {
			t.Errorf("%s: keyframes at packets %q, want 1 9 17 (GOP 8)", o.ID, keys)
		}
	}
}

func TestEncodeChunkInvalid(t *testing.T) {
	dir := t.TempDir()
	path := func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") }
	ok := RungSpec{ID: "a", Width: 320, Height: 180, CRF: 30, Preset: "ultrafast"}
	for _, tc := range []struct {
		name string
		opts ChunkOptions
	}{
		{"negative start", ChunkOptions{StartFrame: -1, Frames: 3, Rungs: []RungSpec{ok}, OutputPath: path}},
		{"no frames", ChunkOptions{Frames: 0, Rungs: []RungSpec{ok}, OutputPath: path}},
		{"past end", ChunkOptions{StartFrame: 130, Frames: 10, Rungs: []RungSpec{ok}, OutputPath: path}},
		{"no rungs", ChunkOptions{Frames: 3, OutputPath: path}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EncodeChunk(context.Background(), bbb, tc.opts)
			if !errors.Is(err, ErrInvalidSettings) {
				t.Fatalf("error %v, want ErrInvalidSettings", err)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed chunks left %d files", len(entries))
	}
}

// TestEncodeChunkCorruptPacket corrupts one frame's packet in the middle
// of a file: without concealment the chunk fails naming that frame; with
// it, the frame repeats the previous one and is listed.
func TestEncodeChunkCorruptPacket(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "mjpeg.avi")
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "160x90", Rate: "25", Frames: 40, PixFmt: "yuvj420p", Codec: "mjpeg",
		Extra: mediatest.Args{"q:v": "3"}})
	good := decodeAll(t, src, DecoderOptions{PixelFormat: "yuv420p"})
	const bad = 23
	encodertest.CorruptPacket(t, src, bad)
	out := t.TempDir()
	rung := lossless("r", 160, 90)
	opts := ChunkOptions{StartFrame: 20, Frames: 8, Rungs: []RungSpec{rung},
		OutputPath: func(r RungSpec) string { return filepath.Join(out, r.ID+".mp4") }}

	_, err := EncodeChunk(context.Background(), src, opts)
	var fe *FrameError
	if !errors.As(err, &fe) || !errors.Is(err, ErrCorrupt) || len(fe.Frames) != 1 || fe.Frames[0] != bad {
		t.Fatalf("error %v, want a FrameError for frame %d wrapping ErrCorrupt", err, bad)
	}
	if !strings.Contains(err.Error(), "frame 23 failed to decode") {
		t.Errorf("message %q does not name the frame", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("failed chunk left %d files", len(entries))
	}

	opts.Conceal = true
	res, err := EncodeChunk(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Concealed) != 1 || res.Concealed[0] != bad {
		t.Fatalf("concealed %v, want [%d]", res.Concealed, bad)
	}
	got := decodeAll(t, res.Rungs[0].Path, DecoderOptions{PixelFormat: "yuv420p"})
	want := append([]*frame.Frame{}, good[20:28]...)
	want[bad-20] = good[bad-1]
	sameFrames(t, "concealed chunk", got, want)

	// A chunk that starts on the bad frame conceals it with the frame
	// before the chunk.
	opts.StartFrame = bad
	res, err = EncodeChunk(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	got = decodeAll(t, res.Rungs[0].Path, DecoderOptions{PixelFormat: "yuv420p"})
	if len(res.Concealed) != 1 || sum(rawBytes(got[0])) != sum(rawBytes(good[bad-1])) {
		t.Errorf("chunk starting on the bad frame: concealed %v", res.Concealed)
	}
}
