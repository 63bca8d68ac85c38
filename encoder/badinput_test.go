package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/encoder/encodertest"
	"github.com/reel-video/reel/internal/mediatest"
)

// damagedAVI is an MPEG-4 Part 2 AVI of 60 frames without B-frames (so
// decode order is presentation order; its idx1 index lists every packet),
// a copy with 300 bytes flipped from the chunk header of packet
// damagedAVIFrame on (the demuxer resyncs past that chunk and drops it,
// renumbering the packets after it: the file keeps its size but the
// stream ends one frame short) and a copy cut at half its size.
type damagedAVI struct {
	good, corrupt, truncated string
}

const damagedAVIFrame = 23

func makeDamagedAVI(t *testing.T, dir string) damagedAVI {
	t.Helper()
	mediatest.Need(t)
	a := damagedAVI{
		good:      filepath.Join(dir, "good.avi"),
		corrupt:   filepath.Join(dir, "corrupt.avi"),
		truncated: filepath.Join(dir, "truncated.avi"),
	}
	mediatest.Clip(t, a.good, mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 60, Codec: "mpeg4", GOP: 25,
		Extra: mediatest.Args{"bf": "0"}})
	truncCopy(t, a.good, a.corrupt, 1) // a byte-for-byte copy
	encodertest.DamageAVIChunk(t, a.corrupt, damagedAVIFrame, 300)
	truncCopy(t, a.good, a.truncated, 0.5)
	return a
}

// TestCorruptVersusTruncated: a file whose bytes are damaged inside is
// ErrCorrupt naming the first frame that failed, not ErrTruncated (issue
// 15: it was "truncated media: stream ends after 59 of 60 announced video
// frames"); a file cut short stays ErrTruncated. Both through libav's own
// file protocol and through mezzfs (custom AVIO), where the decoder learns
// the input's size differently.
func TestCorruptVersusTruncated(t *testing.T) {
	dir := t.TempDir()
	avi := makeDamagedAVI(t, dir)
	fx := makeFixtures(t)
	wantFrame := fmt.Sprintf("frame %d (presentation order) failed to decode", damagedAVIFrame)
	for _, via := range []struct {
		name string
		ctx  context.Context
	}{
		{"libav file", context.Background()},
		{"mezzfs", WithIO(context.Background(), IOOptions{AllPaths: true})},
	} {
		t.Run(via.name, func(t *testing.T) {
			ctx := via.ctx
			if err := decodeErr(ctx, avi.good); err != nil {
				t.Fatalf("intact AVI: %v", err)
			}
			for _, tc := range []struct {
				name, path string
				want, not  error
				msg        string
				chunkMsg   string // EncodeChunk of frames 10–39 fails too
			}{
				{"bytes flipped", avi.corrupt, ErrCorrupt, ErrTruncated, wantFrame, ""},
				{"AVI cut at half", avi.truncated, ErrTruncated, ErrCorrupt, "announced video frames", "the input ends before frame 15"},
				{"MP4 cut, moov at start", fx.truncStart, ErrTruncated, ErrCorrupt, "announced video frames", "the input ends before frame 29"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					check := func(what, msg string, err error) {
						t.Helper()
						if !errors.Is(err, tc.want) || errors.Is(err, tc.not) {
							t.Fatalf("%s: %v, want %v and not %v", what, err, tc.want, tc.not)
						}
						for _, s := range []string{tc.path, msg} {
							if !strings.Contains(err.Error(), s) {
								t.Errorf("%s: %q does not say %q", what, err, s)
							}
						}
						if !IsBadInput(err) {
							t.Errorf("%s: IsBadInput false for %v", what, err)
						}
					}
					check("decode", tc.msg, decodeErr(ctx, tc.path))
					out := t.TempDir()
					_, err := EncodeLadder(ctx, tc.path, LadderOptions{
						Rungs:      []RungSpec{{ID: "r", Width: 160, Height: 120, CRF: 30, Preset: "ultrafast"}},
						OutputPath: func(r RungSpec) string { return filepath.Join(out, r.ID+".mp4") },
					})
					check("EncodeLadder", tc.msg, err)
					if tc.chunkMsg != "" {
						_, err := EncodeChunk(ctx, tc.path, ChunkOptions{StartFrame: 10, Frames: 30, Rungs: []RungSpec{lossless("r", 160, 120)},
							OutputPath: func(r RungSpec) string { return filepath.Join(out, r.ID+".mp4") }})
						check("EncodeChunk", tc.chunkMsg, err)
					}
					if entries, _ := os.ReadDir(out); len(entries) != 0 {
						t.Errorf("failed encode left %d files", len(entries))
					}
				})
			}
		})
	}
}

// TestErrorsOnePrefix runs the entry points on bad inputs and checks that
// every message starts with the package prefix once and never repeats it
// (issue 15: "encoder: probe …: encoder: input is empty").
func TestErrorsOnePrefix(t *testing.T) {
	fx := makeFixtures(t)
	avi := makeDamagedAVI(t, t.TempDir())
	ctx := context.Background()
	out := t.TempDir()
	rungs := []RungSpec{{ID: "r", Width: 160, Height: 120, CRF: 30, Preset: "ultrafast"}}
	outPath := func(r RungSpec) string { return filepath.Join(out, r.ID+".mp4") }
	entry := []struct {
		name string
		call func(string) error
	}{
		{"Probe", func(p string) error { _, err := Probe(ctx, p, ProbeOptions{Keyframes: true}); return err }},
		{"decode", func(p string) error { return decodeErr(ctx, p) }},
		{"EncodeLadder", func(p string) error {
			_, err := EncodeLadder(ctx, p, LadderOptions{Rungs: rungs, OutputPath: outPath})
			return err
		}},
		{"EncodeChunk", func(p string) error {
			_, err := EncodeChunk(ctx, p, ChunkOptions{StartFrame: 10, Frames: 30, Rungs: rungs, OutputPath: outPath})
			return err
		}},
		{"audio decode", func(p string) error {
			d, err := OpenAudioDecoder(ctx, p, AudioDecoderOptions{})
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
		}},
		{"EncodeAudio", func(p string) error {
			_, err := EncodeAudio(ctx, p, AudioSpec{Codec: "aac"}, filepath.Join(out, "a.m4a"))
			return err
		}},
		{"Stitch", func(p string) error { _, err := Stitch(ctx, []string{p}, filepath.Join(out, "s.mp4")); return err }},
	}
	inputs := []struct{ name, path string }{
		{"missing", filepath.Join(fx.dir, "missing.mp4")},
		{"empty", fx.empty},
		{"text", fx.text},
		{"directory", fx.dir},
		{"truncated, moov at start", fx.truncStart},
		{"truncated, moov at end", fx.truncEnd},
		{"audio only", fx.m4a},
		{"corrupt", avi.corrupt},
		{"truncated AVI", avi.truncated},
	}
	failures := 0
	for _, in := range inputs {
		for _, e := range entry {
			err := e.call(in.path)
			if err == nil {
				t.Logf("%s on %s: no error", e.name, in.name)
				continue
			}
			t.Logf("%s on %s: %v", e.name, in.name, err)
			failures++
			msg := err.Error()
			if !strings.HasPrefix(msg, "encoder: ") || strings.Count(msg, "encoder:") != 1 {
				t.Errorf("%s on %s: %q: want the prefix \"encoder: \" once", e.name, in.name, msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("%s on %s: %q spans lines", e.name, in.name, msg)
			}
		}
	}
	if failures < len(inputs) {
		t.Fatalf("only %d calls failed", failures)
	}
	for name, err := range map[string]error{
		"SetLibavLogLevel": SetLibavLogLevel("chatty"),
		"ScaleFrame":       func() error { _, err := ScaleFrame(nil, 0, 0, "magic"); return err }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "encoder: ") || strings.Count(msg, "encoder:") != 1 {
			t.Errorf("%s: %q: want the prefix \"encoder: \" once", name, msg)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(out, ".*.tmp")); len(tmp) != 0 {
		t.Errorf("failed calls left temporary files %v", tmp)
	}
}
