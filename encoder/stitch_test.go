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

// encodeChunks encodes bbb's frames [0, total) as chunks of the given
// sizes, for one rung, and returns their paths.
func encodeChunks(t *testing.T, rung RungSpec, sizes []int) []string {
	t.Helper()
	return encodeChunksWith(t, func(int) RungSpec { return rung }, sizes)
}

// encodeChunksWith is encodeChunks with chunk i encoded with rung(i).
func encodeChunksWith(t *testing.T, rungOf func(i int) RungSpec, sizes []int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	start := 0
	for i, n := range sizes {
		p := filepath.Join(dir, fmt.Sprintf("chunk%02d.mp4", i))
		if _, err := EncodeChunk(context.Background(), bbb, ChunkOptions{
			StartFrame: start, Frames: n, Rungs: []RungSpec{rungOf(i)},
			OutputPath: func(RungSpec) string { return p },
		}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
		start += n
	}
	return paths
}

// TestStitch joins chunks with B-frames and checks frame count, duration,
// timestamps and that decoding gives the chunks' frames in order.
func TestStitch(t *testing.T) {
	mediatest.Need(t)
	for _, rung := range []RungSpec{
		{ID: "h264", Codec: "h264", Width: 256, Height: 144, CRF: 28, Preset: "veryfast", GOPFrames: 12},
		{ID: "hevc", Codec: "hevc", Width: 256, Height: 144, CRF: 30, Preset: "ultrafast", GOPFrames: 12, BitDepth: 10},
		{ID: "vp9", Codec: "vp9", Width: 192, Height: 108, CRF: 45, Preset: "8", GOPFrames: 12},
	} {
		t.Run(rung.ID, func(t *testing.T) {
			sizes := []int{24, 12, 17}
			chunks := encodeChunks(t, rung, sizes)
			out := filepath.Join(t.TempDir(), "rung.mp4")
			res, err := Stitch(context.Background(), chunks, out)
			if err != nil {
				t.Fatal(err)
			}
			if res.Frames != 53 || fmt.Sprint(res.ChunkFrames) != "[24 12 17]" || res.DurationSec != 53.0/25 {
				t.Errorf("output %+v, want 53 frames over 2.12 s", res)
			}
			s := mediatest.Probe(t, out).Streams[0]
			if s.NbReadFrames != "53" || s.NbFrames != "53" {
				t.Errorf("ffprobe frames %s/%s, want 53", s.NbFrames, s.NbReadFrames)
			}
			// Presentation timestamps: 0, 1/25, … with no gaps, and
			// keyframes only at chunk starts and GOP boundaries.
			frames := mediatest.Frames(t, out, "v")
			if len(frames) != 53 {
				t.Fatalf("ffprobe listed %d frames, want 53: %+v", len(frames), frames)
			}
			var keys []int
			for i, f := range frames {
				if d := f.PTSTime - float64(i)/25; !(d <= 1e-3 && d >= -1e-3) {
					t.Fatalf("frame %d at %g s, want %g", i, f.PTSTime, float64(i)/25)
				}
				if f.Key {
					keys = append(keys, i)
				}
			}
			if got := fmt.Sprint(keys); got != "[0 12 24 36 48]" {
				t.Errorf("keyframes %s, want [0 12 24 36 48]", got)
			}
			if st := s.StartTime + "," + s.Duration; st != "0.000000,2.120000" {
				t.Errorf("stream start_time,duration %q, want 0.000000,2.120000", st)
			}
			var want []*frame.Frame
			for _, c := range chunks {
				want = append(want, decodeAll(t, c, DecoderOptions{})...)
			}
			sameFrames(t, "stitched", decodeAll(t, out, DecoderOptions{}), want)
		})
	}
}

// TestStitchPerChunkCRF stitches chunks encoded at different CRFs, as the
// per-shot optimizer makes them: the codec headers must not depend on the
// CRF (x264 stitchable, x265 without its info SEI), and the stitched rung
// decodes to the chunks' frames.
func TestStitchPerChunkCRF(t *testing.T) {
	mediatest.Need(t)
	for _, tc := range []struct {
		rung RungSpec
		crfs []float64
	}{
		{RungSpec{ID: "h264", Codec: "h264", Width: 192, Height: 108, Preset: "veryfast", GOPFrames: 12}, []float64{20, 34, 27}},
		{RungSpec{ID: "hevc", Codec: "hevc", Width: 192, Height: 108, Preset: "ultrafast", GOPFrames: 12}, []float64{22, 36, 29}},
		{RungSpec{ID: "vp9", Codec: "vp9", Width: 192, Height: 108, Preset: "8", GOPFrames: 12}, []float64{30, 50, 40}},
		{RungSpec{ID: "av1", Codec: "av1", Width: 192, Height: 108, Preset: "12", GOPFrames: 12}, []float64{30, 50, 40}},
	} {
		t.Run(tc.rung.ID, func(t *testing.T) {
			chunks := encodeChunksWith(t, func(i int) RungSpec {
				r := tc.rung
				r.CRF = tc.crfs[i]
				return r
			}, []int{12, 12, 12})
			if sz := fileSizes(t, chunks); sz[0] <= sz[1] {
				t.Errorf("chunk sizes %v: CRF %v should make chunk 0 larger than chunk 1", sz, tc.crfs)
			}
			out := filepath.Join(t.TempDir(), "rung.mp4")
			if _, err := Stitch(context.Background(), chunks, out); err != nil {
				t.Fatal(err)
			}
			var want []*frame.Frame
			for _, c := range chunks {
				want = append(want, decodeAll(t, c, DecoderOptions{})...)
			}
			sameFrames(t, "stitched", decodeAll(t, out, DecoderOptions{}), want)
		})
	}
}

func fileSizes(t *testing.T, paths []string) []int64 {
	t.Helper()
	out := make([]int64, len(paths))
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = st.Size()
	}
	return out
}

func TestStitchErrors(t *testing.T) {
	mediatest.Need(t)
	a := encodeChunks(t, RungSpec{ID: "a", Width: 160, Height: 90, CRF: 30, Preset: "ultrafast"}, []int{5})
	b := encodeChunks(t, RungSpec{ID: "b", Width: 192, Height: 108, CRF: 30, Preset: "ultrafast"}, []int{5})
	dir := t.TempDir()
	out := filepath.Join(dir, "out.mp4")
	notMedia := filepath.Join(t.TempDir(), "text.mp4")
	if err := os.WriteFile(notMedia, []byte(strings.Repeat("not a video\n", 40)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		chunks []string
		want   error
	}{
		{"none", nil, ErrInvalidSettings},
		{"different size", []string{a[0], b[0]}, ErrInvalidSettings},
		{"missing", []string{a[0], filepath.Join(dir, "nope.mp4")}, ErrNotFound},
		{"not media", []string{a[0], notMedia}, ErrInvalidData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Stitch(context.Background(), tc.chunks, out)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed stitches left %d files", len(entries))
	}
}
