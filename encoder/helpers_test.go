package encoder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

const bbb = "../testdata/media/bigbuckbunny.mp4"

// corpusDir is the shared real-clip corpus, ../shared from the repository.
const corpusDir = "../../shared/corpus"

func corpus(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(corpusDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared corpus not available (%v)", err)
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
	mediatest.Need(t)
	dir := t.TempDir()
	f := fixtures{dir: dir}
	// Odd-size 10-bit 4:2:2 mezzanine, lossless FFV1 in Matroska.
	f.odd10 = filepath.Join(dir, "odd10.mkv")
	mediatest.Clip(t, f.odd10, mediatest.ClipOptions{Source: "testsrc", Size: "321x181", Rate: "24", Frames: 12,
		PixFmt: "yuv422p10le", Codec: "ffv1"})
	// Anamorphic 8-bit source: 360x240 stored, SAR 32:27, so 16:9 display.
	f.anamorphic = filepath.Join(dir, "anamorphic.mp4")
	mediatest.Clip(t, f.anamorphic, mediatest.ClipOptions{Size: "360x240", Rate: "25", Frames: 10,
		VF: "setsar=32/27", PixFmt: "yuv420p", Codec: "libx264", Preset: "ultrafast"})
	// Audio only.
	f.m4a = filepath.Join(dir, "audio.m4a")
	mediatest.Clip(t, f.m4a, mediatest.ClipOptions{AudioOnly: true, Audio: "sine=frequency=440:duration=1", AudioCodec: "aac"})
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
	clip := mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 50, PixFmt: "yuv420p", Codec: "libx264", Preset: "ultrafast"}
	full, fullEnd := filepath.Join(dir, "full.mp4"), filepath.Join(dir, "full_end.mp4")
	mediatest.Clip(t, fullEnd, clip)
	clip.Extra = mediatest.Args{"movflags": "+faststart"}
	mediatest.Clip(t, full, clip)
	f.truncStart = truncCopy(t, full, filepath.Join(dir, "trunc_moov_start.mp4"), 0.6)
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
