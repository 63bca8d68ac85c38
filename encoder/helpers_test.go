package encoder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
)

const bbb = "../testdata/media/bigbuckbunny.mp4"

// corpusDir is the shared real-clip corpus, ../shared from the repository.
const corpusDir = "../../shared/corpus"

func needFFmpeg(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s CLI not found: %v", tool, err)
		}
	}
}

func corpus(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(corpusDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared corpus not available (%v)", err)
	}
	return p
}

func run(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func ffmpeg(t *testing.T, args ...string) {
	t.Helper()
	run(t, "ffmpeg", append([]string{"-v", "error", "-nostdin", "-y"}, args...)...)
}

type ffStream struct {
	Index         int    `json:"index"`
	CodecName     string `json:"codec_name"`
	CodecType     string `json:"codec_type"`
	Profile       string `json:"profile"`
	Width         int    `json:"width"`
	Height        int    `json:"height"`
	SAR           string `json:"sample_aspect_ratio"`
	PixFmt        string `json:"pix_fmt"`
	RFrameRate    string `json:"r_frame_rate"`
	AvgFrameRate  string `json:"avg_frame_rate"`
	TimeBase      string `json:"time_base"`
	NbFrames      string `json:"nb_frames"`
	NbReadFrames  string `json:"nb_read_frames"`
	FieldOrder    string `json:"field_order"`
	ColorRange    string `json:"color_range"`
	ColorSpace    string `json:"color_space"`
	ColorTransfer string `json:"color_transfer"`
	ColorPrim     string `json:"color_primaries"`
	Channels      int    `json:"channels"`
	ChannelLayout string `json:"channel_layout"`
	SampleRate    string `json:"sample_rate"`
	SampleFmt     string `json:"sample_fmt"`
}

type ffProbe struct {
	Streams []ffStream `json:"streams"`
	Format  struct {
		FormatName string `json:"format_name"`
		Size       string `json:"size"`
	} `json:"format"`
}

func ffprobe(t *testing.T, path string) ffProbe {
	t.Helper()
	out := run(t, "ffprobe", "-v", "error", "-show_format", "-show_streams", "-count_frames", "-of", "json", path)
	var p ffProbe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe json: %v", err)
	}
	return p
}

// fixtures are generated with the ffmpeg CLI.
type fixtures struct {
	dir                                           string
	odd10, m4a, text, empty, truncStart, truncEnd string
	anamorphic                                    string
}

func makeFixtures(t *testing.T) fixtures {
	t.Helper()
	needFFmpeg(t)
	dir := t.TempDir()
	f := fixtures{dir: dir}
	// Odd-size 10-bit 4:2:2 mezzanine, lossless FFV1 in Matroska.
	f.odd10 = filepath.Join(dir, "odd10.mkv")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc=size=321x181:rate=24", "-frames:v", "12",
		"-pix_fmt", "yuv422p10le", "-c:v", "ffv1", f.odd10)
	// Anamorphic 8-bit source: 360x240 stored, SAR 32:27, so 16:9 display.
	f.anamorphic = filepath.Join(dir, "anamorphic.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=360x240:rate=25", "-frames:v", "10",
		"-vf", "setsar=32/27", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", f.anamorphic)
	// Audio only.
	f.m4a = filepath.Join(dir, "audio.m4a")
	ffmpeg(t, "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", f.m4a)
	// Text named .mp4, and an empty file.
	f.text = filepath.Join(dir, "notes.mp4")
	if err := os.WriteFile(f.text, []byte(strings.Repeat("this is not a video\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	f.empty = filepath.Join(dir, "empty.mp4")
	if err := os.WriteFile(f.empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// Truncated MP4s: moov at the start (faststart) and at the end.
	full := filepath.Join(dir, "full.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "50",
		"-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart", full)
	f.truncStart = truncCopy(t, full, filepath.Join(dir, "trunc_moov_start.mp4"), 0.6)
	fullEnd := filepath.Join(dir, "full_end.mp4")
	ffmpeg(t, "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "50",
		"-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", fullEnd)
	f.truncEnd = truncCopy(t, fullEnd, filepath.Join(dir, "trunc_moov_end.mp4"), 0.6)
	return f
}

func truncCopy(t *testing.T, src, dst string, frac float64) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b[:int(float64(len(b))*frac)], 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// rawBytes serialises a frame like ffmpeg -f rawvideo (planes tightly
// packed, 16-bit samples little-endian).
func rawBytes(f *frame.Frame) []byte {
	var b []byte
	for i := 0; i < f.NumPlanes(); i++ {
		p := &f.Planes[i]
		for y := 0; y < p.Height; y++ {
			if p.Pix8 != nil {
				b = append(b, p.Row8(y)...)
				continue
			}
			for _, v := range p.Row16(y) {
				b = append(b, byte(v), byte(v>>8))
			}
		}
	}
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// decodeAll decodes input and returns the frames.
func decodeAll(t *testing.T, input string, opts DecoderOptions) []*frame.Frame {
	t.Helper()
	d, err := OpenDecoder(context.Background(), input, opts)
	if err != nil {
		t.Fatalf("OpenDecoder(%s): %v", input, err)
	}
	defer d.Close()
	var out []*frame.Frame
	for {
		f, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("Next after %d frames: %v", len(out), err)
		}
		out = append(out, f)
	}
}
