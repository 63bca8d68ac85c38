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
	// Frames is the sum of the chunks' frames; ChunkFrames lists them.
	Frames      int     `json:"frames"`
	ChunkFrames []int   `json:"chunk_frames"`
	Bytes       int64   `json:"bytes"`
	DurationSec float64 `json:"duration_seconds"`
	BitrateKbps float64 `json:"bitrate_kbps"`
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
// first chunk's are rejected with ErrInvalidSettings. Other errors wrap
// ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoVideo, or are ctx.Err().
func Stitch(ctx context.Context, chunks []string, out string) (_ StitchOutput, err error) {
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
	res, err := av.Stitch(chunks, tmp, container, ctx.Err)
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
	o := StitchOutput{Path: out, Codec: res.Codec, Frames: res.Frames, ChunkFrames: res.ChunkFrames,
		Bytes: fi.Size(), DurationSec: res.Duration}
	if res.Duration > 0 {
		o.BitrateKbps = float64(fi.Size()) * 8 / res.Duration / 1000
	}
	return o, nil
}
