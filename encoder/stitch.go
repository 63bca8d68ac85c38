package encoder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
)

// StitchOutput describes a stitched rung.
type StitchOutput struct {
	Path  string `json:"path"`
	Codec string `json:"codec"`
	// Width and Height are the picture size written in the track's sample
	// entry: the chunks' size, or with StitchOptions.SizeChanges the
	// largest chunk's (by area, the first of equal ones).
	Width  int `json:"width"`
	Height int `json:"height"`
	// Frames is the sum of the chunks' frames; ChunkFrames lists them.
	Frames      int     `json:"frames"`
	ChunkFrames []int   `json:"chunk_frames"`
	Bytes       int64   `json:"bytes"`
	DurationSec float64 `json:"duration_seconds"`
	BitrateKbps float64 `json:"bitrate_kbps"`
}

// StitchOptions configures StitchWith. The zero value is Stitch.
type StitchOptions struct {
	// SizeChanges lets the chunks differ in picture size and in their
	// H.264 codec headers (SPS/PPS), e.g. chunks of one rung encoded at a
	// resolution per shot with otherwise the same settings. Only H.264 is
	// supported (other codecs are rejected with ErrInvalidSettings naming
	// the codec) and only MP4 output; codec and pixel format must still
	// match. The track's sample entry is 'avc3' and carries the codec
	// parameters of the largest chunk (by area, the first of equal ones);
	// each chunk's own SPS and PPS are put in band before its first frame,
	// which must be a keyframe (else ErrInvalidData), so that a decoder
	// switches to the chunk's size at its first IDR frame. Decoders that
	// cannot change size mid-stream (or players that need 'avc1') cannot
	// play such a track; DecoderOptions.Width and Height give frames of
	// one size. Probe, like ffprobe, reports the first decoded picture's
	// size for such a track; StitchOutput has the sample entry's.
	SizeChanges bool
}

// Stitch joins a rung's chunk files (as written by EncodeChunk with the
// same rung settings), in order, into one file at out by remuxing their
// packets, without re-encoding: each chunk's timestamps are offset to
// start where the previous chunk ends, so timestamps are continuous, the
// frame count is the sum of the chunks' and decoding the result gives the
// chunks' frames in order. B-frame decode delay is carried by the MP4 edit
// list as in a single encode, so presentation starts at 0. out is MP4
// unless it ends in .webm (VP9/AV1 only); it is written under a temporary
// name and renamed when complete.
//
// Chunks whose codec, size, pixel format or codec headers differ from the
// first chunk's are rejected with ErrInvalidSettings (StitchWith with
// StitchOptions.SizeChanges allows H.264 chunks of different sizes).
// Other errors wrap ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoVideo, or
// are ctx.Err().
func Stitch(ctx context.Context, chunks []string, out string) (StitchOutput, error) {
	return StitchWith(ctx, chunks, out, StitchOptions{})
}

// StitchWith is Stitch with options; see StitchOptions.
func StitchWith(ctx context.Context, chunks []string, out string, opt StitchOptions) (_ StitchOutput, err error) {
	if err := ctx.Err(); err != nil {
		return StitchOutput{}, err
	}
	if len(chunks) == 0 {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w: no chunks", out, ErrInvalidSettings)
	}
	for i, c := range chunks {
		if err := checkInput(c); err != nil {
			return StitchOutput{}, fmt.Errorf("encoder: stitch %s: chunk %d: %w", out, i, err)
		}
	}
	container := "mp4"
	if strings.EqualFold(filepath.Ext(out), ".webm") {
		container = "webm"
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	res, err := av.Stitch(chunks, tmp, container, av.StitchConfig{SizeChanges: opt.SizeChanges}, ctx.Err)
	if err != nil {
		if ctx.Err() != nil {
			return StitchOutput{}, ctx.Err()
		}
		return StitchOutput{}, fmt.Errorf("encoder: stitch %w", mapErr(out, err))
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
	tmp = ""
	o := StitchOutput{Path: out, Codec: res.Codec, Width: res.Width, Height: res.Height, Frames: res.Frames, ChunkFrames: res.ChunkFrames,
		Bytes: fi.Size(), DurationSec: res.Duration}
	if res.Duration > 0 {
		o.BitrateKbps = float64(fi.Size()) * 8 / res.Duration / 1000
	}
	return o, nil
}
