package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// wantFrames is ffprobe's frame count: the container's nb_frames, else the
// counted frames.
func wantFrames(s mediatest.Stream) int {
	n, _ := strconv.Atoi(s.NbFrames)
	if n == 0 {
		n, _ = strconv.Atoi(s.NbReadFrames)
	}
	return n
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func TestProbeMatchesFFprobe(t *testing.T) {
	mediatest.Need(t)
	fx := makeFixtures(t)
	inputs := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"bigbuckbunny", func(*testing.T) string { return bbb }},
		{"odd-10bit-422-ffv1", func(*testing.T) string { return fx.odd10 }},
		{"anamorphic", func(*testing.T) string { return fx.anamorphic }},
		{"audio-only", func(*testing.T) string { return fx.m4a }},
		{"annexb-264-720p", func(t *testing.T) string { return corpus(t, "VID_1280x720_cabac_temporal_direct.264") }},
		{"annexb-264-1080p-fullrange", func(t *testing.T) string { return corpus(t, "VID_1920x1080_cabac_temporal_direct.264") }},
		{"mpeg2-ps", func(t *testing.T) string { return corpus(t, "cityCC0.mpg") }},
		{"car-detection-bt601", func(t *testing.T) string { return corpus(t, "car-detection.mp4") }},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			path := in.path(t)
			got, err := Probe(context.Background(), path, ProbeOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := mediatest.Probe(t, path)
			if got.Container != want.Format.FormatName {
				t.Errorf("container %q, ffprobe %q", got.Container, want.Format.FormatName)
			}
			if strconv.FormatInt(got.SizeBytes, 10) != want.Format.Size {
				t.Errorf("size %d, ffprobe %s", got.SizeBytes, want.Format.Size)
			}
			if got.DurationSeconds <= 0 {
				t.Errorf("duration %g", got.DurationSeconds)
			}
			if len(got.Streams) != len(want.Streams) {
				t.Fatalf("%d streams, ffprobe %d", len(got.Streams), len(want.Streams))
			}
			for i, w := range want.Streams {
				g := got.Streams[i]
				check := func(field string, gv, wv any) {
					if fmt.Sprint(gv) != fmt.Sprint(wv) {
						t.Errorf("stream %d %s: got %v, ffprobe %v", i, field, gv, wv)
					}
				}
				check("type", g.Type, w.CodecType)
				check("codec", g.Codec, w.CodecName)
				check("profile", g.Profile, w.Profile)
				check("time_base", g.TimeBase, w.TimeBase)
				check("frame_count", g.FrameCount, wantFrames(w))
				switch g.Type {
				case "video":
					check("width", g.Width, w.Width)
					check("height", g.Height, w.Height)
					check("pix_fmt", g.PixelFormat, w.PixFmt)
					check("sar", g.SampleAspect, w.SAR)
					if g.FrameRate != w.AvgFrameRate && g.FrameRate != w.RFrameRate {
						t.Errorf("frame rate %s, ffprobe avg %s r %s", g.FrameRate, w.AvgFrameRate, w.RFrameRate)
					}
					check("field_order", g.FieldOrder, orUnknown(w.FieldOrder))
					check("color_range", g.ColorRange, orUnknown(w.ColorRange))
					check("color_primaries", g.ColorPrimaries, w.ColorPrimaries)
					check("color_transfer", g.ColorTransfer, w.ColorTransfer)
					check("color_matrix", g.ColorMatrix, w.ColorSpace)
					if g.BitDepth != 8 && g.BitDepth != 10 {
						t.Errorf("bit depth %d", g.BitDepth)
					}
				case "audio":
					check("channels", g.Channels, w.Channels)
					check("channel_layout", g.ChannelLayout, w.ChannelLayout)
					check("sample_rate", g.SampleRate, w.SampleRate)
					check("sample_format", g.SampleFormat, w.SampleFmt)
				}
			}
		})
	}
}

func TestProbeKeyframes(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "gop.mp4")
	// 60 frames with a keyframe every 20 and B-frames (reordered packets).
	mediatest.Clip(t, p, mediatest.ClipOptions{Size: "160x120", Rate: "20", Frames: 60, PixFmt: "yuv420p", Codec: "libx264", Preset: "ultrafast",
		GOP: 20, Extra: mediatest.Args{"bf": "2", "keyint_min": "20", "sc_threshold": "0"}})
	info, err := Probe(context.Background(), p, ProbeOptions{Keyframes: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range info.Video().Keyframes {
		got = append(got, fmt.Sprintf("%d@%.2f", k.Frame, k.Seconds))
	}
	if want := "0@0.00 20@1.00 40@2.00"; strings.Join(got, " ") != want {
		t.Errorf("keyframes %v, want %s", got, want)
	}
}

func TestProbeRawAnnexBDuration(t *testing.T) {
	p := corpus(t, "VID_1920x1080_cabac_temporal_direct.264")
	info, err := Probe(context.Background(), p, ProbeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	v := info.Video()
	if v.FrameCount != 54 || v.FPS != 25 {
		t.Fatalf("frames %d fps %g, want 54 at 25", v.FrameCount, v.FPS)
	}
	if d := v.Duration; d < 2.15 || d > 2.17 {
		t.Errorf("video duration %g, want 2.16", d)
	}
	if v.ColorRange != "pc" || v.PixelFormat != "yuvj420p" {
		t.Errorf("range %s pix_fmt %s, want pc yuvj420p", v.ColorRange, v.PixelFormat)
	}
}

// TestDecoderMatchesFFmpeg checks frame count, size, format and the exact
// samples of the first and last frames against ffmpeg -f rawvideo.
func TestDecoderMatchesFFmpeg(t *testing.T) {
	mediatest.Need(t)
	fx := makeFixtures(t)
	cases := []struct {
		name    string
		path    func(t *testing.T) string
		opts    DecoderOptions
		pixFmt  string // ffmpeg -pix_fmt for the reference
		vf      string
		w, h    int
		depth   int
		chroma  frame.Chroma
		rng     frame.Range
		nframes int
	}{
		{name: "bbb", path: func(*testing.T) string { return bbb }, pixFmt: "yuv420p", w: 1280, h: 720, depth: 8, chroma: frame.Chroma420, nframes: 132},
		{name: "odd-10bit-422", path: func(*testing.T) string { return fx.odd10 }, pixFmt: "yuv422p10le", w: 321, h: 181, depth: 10, chroma: frame.Chroma422, nframes: 12},
		{name: "odd-10bit-to-8bit", path: func(*testing.T) string { return fx.odd10 }, opts: DecoderOptions{BitDepth: 8}, pixFmt: "yuv422p", w: 321, h: 181, depth: 8, chroma: frame.Chroma422, nframes: 12},
		{name: "bbb-scaled-bicubic", path: func(*testing.T) string { return bbb }, opts: DecoderOptions{Width: 320, Height: 180},
			pixFmt: "yuv420p", vf: "scale=320:180:flags=bicubic", w: 320, h: 180, depth: 8, chroma: frame.Chroma420, nframes: 132},
		{name: "fullrange-264", path: func(t *testing.T) string { return corpus(t, "VID_1920x1080_cabac_temporal_direct.264") },
			pixFmt: "yuvj420p", w: 1920, h: 1080, depth: 8, chroma: frame.Chroma420, rng: frame.RangeFull, nframes: 54},
		{name: "mpeg2-ps", path: func(t *testing.T) string { return corpus(t, "cityCC0.mpg") },
			pixFmt: "yuv420p", w: 720, h: 405, depth: 8, chroma: frame.Chroma420, rng: frame.RangeLimited, nframes: 190},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path(t)
			frames := decodeAll(t, path, tc.opts)
			if len(frames) != tc.nframes {
				t.Fatalf("%d frames, want %d", len(frames), tc.nframes)
			}
			for i, f := range frames {
				if f.Index != i {
					t.Fatalf("frame %d has Index %d", i, f.Index)
				}
				if i > 0 && f.PTS <= frames[i-1].PTS {
					t.Fatalf("frame %d PTS %d not after %d", i, f.PTS, frames[i-1].PTS)
				}
			}
			f := frames[0]
			if f.Width != tc.w || f.Height != tc.h || f.BitDepth != tc.depth || f.Chroma != tc.chroma {
				t.Fatalf("frame %s, want %dx%d %d-bit %s", f.Format(), tc.w, tc.h, tc.depth, tc.chroma)
			}
			if tc.rng != frame.RangeUnknown && f.Range != tc.rng {
				t.Errorf("range %s, want %s", f.Range, tc.rng)
			}
			if f.TimeBaseDen == 0 {
				t.Errorf("no time base")
			}
			ref := mediatest.RawVideo(t, path, tc.pixFmt, tc.vf)
			size := len(rawBytes(f))
			if len(ref) != size*tc.nframes {
				t.Fatalf("ffmpeg gave %d bytes, want %d frames of %d", len(ref), tc.nframes, size)
			}
			for _, i := range []int{0, tc.nframes - 1} {
				if g, w := sum(rawBytes(frames[i])), sum(ref[i*size:(i+1)*size]); g != w {
					t.Errorf("frame %d checksum %s, ffmpeg %s", i, g, w)
				}
			}
		})
	}
}

func TestDecoderOptionsErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		opts DecoderOptions
		want error
	}{
		{DecoderOptions{PixelFormat: "nv12"}, ErrUnsupported},
		{DecoderOptions{BitDepth: 12}, ErrInvalidSettings},
		{DecoderOptions{ScaleAlgorithm: "magic"}, ErrInvalidSettings},
		{DecoderOptions{Width: -2}, ErrInvalidSettings},
	} {
		d, err := OpenDecoder(ctx, bbb, tc.opts)
		if !errors.Is(err, tc.want) {
			if d != nil {
				d.Close()
			}
			t.Errorf("%+v: error %v, want %v", tc.opts, err, tc.want)
		}
	}
	// An explicit format: 8-bit 4:2:0 source handed out as 10-bit 4:4:4.
	d, err := OpenDecoder(ctx, bbb, DecoderOptions{PixelFormat: "yuv444p10le", Width: 64, Height: 36, ScaleAlgorithm: "lanczos"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if f.Format() != "64x36 yuv444p10" || f.Planes[0].Pix16 == nil {
		t.Errorf("format %s", f.Format())
	}
	if d.Info().FrameCount != 132 || d.Info().Width != 1280 {
		t.Errorf("info %+v", d.Info())
	}
}

func TestScaleFrame(t *testing.T) {
	for _, depth := range []int{8, 10} {
		src, err := frame.New(33, 17, depth, frame.Chroma420)
		if err != nil {
			t.Fatal(err)
		}
		src.Range, src.Index, src.PTS = frame.RangeFull, 7, 700
		for i := 0; i < 3; i++ {
			p := &src.Planes[i]
			for k := range p.Pix8 {
				p.Pix8[k] = 100
			}
			for k := range p.Pix16 {
				p.Pix16[k] = 400
			}
		}
		dst, err := ScaleFrame(src, 66, 34, "bicubic")
		if err != nil {
			t.Fatal(err)
		}
		if dst.Width != 66 || dst.Height != 34 || dst.BitDepth != depth || dst.Range != frame.RangeFull || dst.Index != 7 || dst.PTS != 700 {
			t.Fatalf("scaled frame %s range %s index %d pts %d", dst.Format(), dst.Range, dst.Index, dst.PTS)
		}
		want := 100
		if depth == 10 {
			want = 400
		}
		// A flat picture stays flat (within rounding) whatever the kernel.
		for i := 0; i < 3; i++ {
			p := &dst.Planes[i]
			for y := 0; y < p.Height; y++ {
				for x := 0; x < p.Width; x++ {
					if v := p.At(x, y); v < want-1 || v > want+1 {
						t.Fatalf("depth %d plane %d (%d,%d) = %d, want %d", depth, i, x, y, v, want)
					}
				}
			}
		}
	}
	if _, err := ScaleFrame(&frame.Frame{}, 10, 10, ""); !errors.Is(err, ErrInvalidSettings) {
		t.Errorf("empty frame: %v", err)
	}
}

func TestEncodeLadder(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	rungs := []RungSpec{
		{ID: "360p", Width: 640, Height: 360, Codec: "h264", CRF: 26, Preset: "veryfast", Profile: "high", GOPFrames: 50},
		{ID: "270p", Height: 270, CRF: 28, Preset: "veryfast", Profile: "main"},
		{ID: "180p", Width: 320, Height: 180, BitrateKbps: 150, MaxrateKbps: 200, BufsizeKbps: 300, Preset: "ultrafast", Threads: 1},
	}
	var calls, last int
	out, err := EncodeLadder(context.Background(), bbb, LadderOptions{
		Rungs:      rungs,
		OutputPath: func(r RungSpec) string { return filepath.Join(dir, "rungs", r.ID+".mp4") },
		Progress: func(done, total int) {
			calls++
			if done < last || total != 132 {
				t.Errorf("progress %d/%d after %d", done, total, last)
			}
			last = done
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls < 3 || last != 132 {
		t.Errorf("progress called %d times, last %d", calls, last)
	}
	wantSize := map[string][2]int{"360p": {640, 360}, "270p": {480, 270}, "180p": {320, 180}}
	wantProfile := map[string]string{"360p": "High", "270p": "Main"}
	if len(out) != 3 {
		t.Fatalf("%d outputs", len(out))
	}
	for _, o := range out {
		p := mediatest.Probe(t, o.Path)
		if len(p.Streams) != 1 {
			t.Fatalf("%s: %d streams", o.ID, len(p.Streams))
		}
		s := p.Streams[0]
		ws := wantSize[o.ID]
		if s.CodecName != "h264" || s.Width != ws[0] || s.Height != ws[1] || o.Width != ws[0] || o.Height != ws[1] {
			t.Errorf("%s: ffprobe %s %dx%d, output %dx%d, want h264 %dx%d", o.ID, s.CodecName, s.Width, s.Height, o.Width, o.Height, ws[0], ws[1])
		}
		if s.NbFrames != "132" || s.NbReadFrames != "132" || o.Frames != 132 {
			t.Errorf("%s: frames nb %s read %s output %d, want 132", o.ID, s.NbFrames, s.NbReadFrames, o.Frames)
		}
		if s.PixFmt != "yuv420p" || s.AvgFrameRate != "25/1" {
			t.Errorf("%s: pix_fmt %s fps %s", o.ID, s.PixFmt, s.AvgFrameRate)
		}
		if w := wantProfile[o.ID]; w != "" && s.Profile != w {
			t.Errorf("%s: profile %s, want %s", o.ID, s.Profile, w)
		}
		if strconv.FormatInt(o.Bytes, 10) != p.Format.Size || o.DurationSec != 5.28 || o.BitrateKbps <= 0 || o.EncodeSeconds <= 0 {
			t.Errorf("%s: output %+v, file size %s", o.ID, o, p.Format.Size)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "rungs"))
	if len(entries) != 3 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("output dir holds %v, want just the 3 rungs", names)
	}
}

// TestEncodeLadderFormats encodes sources that are not yuv420p, have odd
// sizes, full range or a non-square SAR.
func TestEncodeLadderFormats(t *testing.T) {
	mediatest.Need(t)
	fx := makeFixtures(t)
	for _, tc := range []struct {
		name     string
		path     func(t *testing.T) string
		rung     RungSpec
		frames   int
		w, h     int
		sar, rng string
	}{
		{"odd-10bit-422", func(*testing.T) string { return fx.odd10 }, RungSpec{ID: "a", Width: 160, Height: 90, CRF: 30, Preset: "ultrafast"}, 12, 160, 90, "1:1", ""},
		// 360x240 at SAR 32:27 displays as 426.7x240; a 426x240 rung is square.
		{"anamorphic-to-square", func(*testing.T) string { return fx.anamorphic }, RungSpec{ID: "b", Height: 240, CRF: 30, Preset: "ultrafast"}, 10, 426, 240, "1:1", ""},
		// Keeping the stored size keeps the SAR.
		{"anamorphic-kept", func(*testing.T) string { return fx.anamorphic }, RungSpec{ID: "c", Width: 360, Height: 240, CRF: 30, Preset: "ultrafast"}, 10, 360, 240, "32:27", ""},
		{"fullrange-264", func(t *testing.T) string { return corpus(t, "VID_1920x1080_cabac_temporal_direct.264") }, RungSpec{ID: "d", Width: 480, Height: 270, CRF: 30, Preset: "ultrafast"}, 54, 480, 270, "1:1", "pc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path(t)
			dir := t.TempDir()
			out, err := EncodeLadder(context.Background(), path, LadderOptions{
				Rungs:      []RungSpec{tc.rung},
				OutputPath: func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") },
			})
			if err != nil {
				t.Fatal(err)
			}
			s := mediatest.Probe(t, out[0].Path).Streams[0]
			if s.Width != tc.w || s.Height != tc.h || wantFrames(s) != tc.frames || s.NbReadFrames != strconv.Itoa(tc.frames) {
				t.Errorf("ffprobe %dx%d frames %s/%s, want %dx%d %d", s.Width, s.Height, s.NbFrames, s.NbReadFrames, tc.w, tc.h, tc.frames)
			}
			if s.PixFmt != "yuv420p" && s.PixFmt != "yuvj420p" {
				t.Errorf("pix_fmt %s", s.PixFmt)
			}
			if s.SAR != tc.sar && !(tc.sar == "1:1" && s.SAR == "") {
				t.Errorf("sar %q, want %s", s.SAR, tc.sar)
			}
			if tc.rng != "" && s.ColorRange != tc.rng {
				t.Errorf("color_range %q, want %s", s.ColorRange, tc.rng)
			}
		})
	}
}

func TestEncodeLadderCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := EncodeLadder(ctx, bbb, LadderOptions{
		Rungs:      []RungSpec{{ID: "x", Width: 320, Height: 180, CRF: 30, Preset: "ultrafast"}},
		OutputPath: func(r RungSpec) string { return filepath.Join(dir, r.ID+".mp4") },
		Progress: func(done, total int) {
			if done >= 16 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cancelled encode left %d files", len(entries))
	}
}

func TestEncodeLadderInvalidSettings(t *testing.T) {
	ok := RungSpec{ID: "ok", Width: 320, Height: 180, CRF: 23}
	path := func(r RungSpec) string { return filepath.Join(t.TempDir(), r.ID+".mp4") }
	for _, tc := range []struct {
		name string
		opts LadderOptions
		want error
	}{
		{"no rungs", LadderOptions{OutputPath: path}, ErrInvalidSettings},
		{"no output path", LadderOptions{Rungs: []RungSpec{ok}}, ErrInvalidSettings},
		{"odd width", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 321, Height: 180, CRF: 23}}, OutputPath: path}, ErrInvalidSettings},
		{"no size", LadderOptions{Rungs: []RungSpec{{ID: "a", CRF: 23}}, OutputPath: path}, ErrInvalidSettings},
		{"no rate control", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180}}, OutputPath: path}, ErrInvalidSettings},
		{"crf out of range", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 60}}, OutputPath: path}, ErrInvalidSettings},
		{"codec", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 23, Codec: "mpeg2"}}, OutputPath: path}, ErrUnsupported},
		{"vp9 crf", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 64, Codec: "vp9"}}, OutputPath: path}, ErrInvalidSettings},
		{"hevc crf", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 52, Codec: "hevc"}}, OutputPath: path}, ErrInvalidSettings},
		{"av1 lossless", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, Lossless: true, Codec: "av1"}}, OutputPath: path}, ErrInvalidSettings},
		{"av1 preset", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, Codec: "av1", Preset: "14"}}, OutputPath: path}, ErrInvalidSettings},
		{"vp9 preset name", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, Codec: "vp9", Preset: "good"}}, OutputPath: path}, ErrInvalidSettings},
		{"hevc profile", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, Codec: "hevc", Profile: "high"}}, OutputPath: path}, ErrInvalidSettings},
		{"10-bit main", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, BitDepth: 10, Profile: "main"}}, OutputPath: path}, ErrInvalidSettings},
		{"12-bit", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, BitDepth: 12}}, OutputPath: path}, ErrInvalidSettings},
		{"odd 4:4:4 not lossless", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 321, Height: 181, CRF: 23, PixelFormat: PixelFormat444}}, OutputPath: path}, ErrInvalidSettings},
		{"4:4:4 hevc", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, Lossless: true, Codec: "hevc", PixelFormat: PixelFormat444}}, OutputPath: path}, ErrInvalidSettings},
		{"4:4:4 10-bit", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, Lossless: true, BitDepth: 10, PixelFormat: PixelFormat444}}, OutputPath: path}, ErrInvalidSettings},
		{"pixel format", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, Lossless: true, PixelFormat: "yuv422p"}}, OutputPath: path}, ErrInvalidSettings},
		{"lossless with crf", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 30, Lossless: true}}, OutputPath: path}, ErrInvalidSettings},
		{"bad preset", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 23, Preset: "warp"}}, OutputPath: path}, ErrInvalidSettings},
		{"bad profile", LadderOptions{Rungs: []RungSpec{{ID: "a", Width: 320, Height: 180, CRF: 23, Profile: "high10x"}}, OutputPath: path}, ErrInvalidSettings},
		{"duplicate path", LadderOptions{Rungs: []RungSpec{ok, ok}, OutputPath: func(RungSpec) string { return "/tmp/same.mp4" }}, ErrInvalidSettings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := EncodeLadder(context.Background(), bbb, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !IsBadInput(err) {
				t.Errorf("IsBadInput false for %v", err)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	fx := makeFixtures(t)
	ctx := context.Background()
	missing := filepath.Join(fx.dir, "missing.mp4")
	type result struct{ probe, decode error }
	for _, tc := range []struct {
		name  string
		path  string
		probe []error // acceptable Probe errors (nil entry: success)
		dec   []error // acceptable errors from OpenDecoder+Next…, and EncodeLadder
	}{
		{"missing", missing, []error{ErrNotFound}, []error{ErrNotFound}},
		{"empty", fx.empty, []error{ErrEmpty}, []error{ErrEmpty}},
		{"text named mp4", fx.text, []error{ErrInvalidData}, []error{ErrInvalidData}},
		{"truncated, moov at start", fx.truncStart, []error{nil}, []error{ErrTruncated}},
		{"truncated, moov at end", fx.truncEnd, []error{ErrInvalidData, ErrTruncated}, []error{ErrInvalidData, ErrTruncated}},
		{"audio only", fx.m4a, []error{nil}, []error{ErrNoVideo}},
		{"directory", fx.dir, []error{ErrInvalidData}, []error{ErrInvalidData}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			matches := func(err error, want []error) bool {
				for _, w := range want {
					if (w == nil && err == nil) || (w != nil && errors.Is(err, w)) {
						return true
					}
				}
				return false
			}
			checkMsg := func(what string, err error) {
				if err != nil && !strings.Contains(err.Error(), tc.path) {
					t.Errorf("%s error does not name the file: %v", what, err)
				}
				if err != nil && !IsBadInput(err) {
					t.Errorf("%s: IsBadInput false for %v", what, err)
				}
			}
			_, err := Probe(ctx, tc.path, ProbeOptions{Keyframes: true})
			if !matches(err, tc.probe) {
				t.Errorf("Probe: %v, want one of %v", err, tc.probe)
			}
			checkMsg("Probe", err)

			err = decodeErr(ctx, tc.path)
			if !matches(err, tc.dec) {
				t.Errorf("decode: %v, want one of %v", err, tc.dec)
			}
			checkMsg("decode", err)

			outDir := t.TempDir()
			_, err = EncodeLadder(ctx, tc.path, LadderOptions{
				Rungs:      []RungSpec{{ID: "r", Width: 160, Height: 120, CRF: 30, Preset: "ultrafast"}},
				OutputPath: func(r RungSpec) string { return filepath.Join(outDir, r.ID+".mp4") },
			})
			if !matches(err, tc.dec) {
				t.Errorf("EncodeLadder: %v, want one of %v", err, tc.dec)
			}
			checkMsg("EncodeLadder", err)
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("failed encode left %d files", len(entries))
			}
		})
	}
}

// decodeErr opens and decodes input to the end, returning the first error
// other than io.EOF.
func decodeErr(ctx context.Context, input string) error {
	d, err := OpenDecoder(ctx, input, DecoderOptions{})
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		if _, err := d.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Probe(ctx, bbb, ProbeOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Probe: %v", err)
	}
	if _, err := OpenDecoder(ctx, bbb, DecoderOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("OpenDecoder: %v", err)
	}
	d, err := OpenDecoder(context.Background(), bbb, DecoderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := d.Next(); err == nil {
		t.Error("Next after Close succeeded")
	}
}
