package encoder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/store/wholefile"
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
	// codec headers, e.g. chunks of one rung encoded at a resolution per
	// shot with otherwise the same settings. Supported codecs are H.264,
	// HEVC and VP9 (media codec names "h264", "hevc", "vp9"); others, AV1
	// included, are rejected with ErrInvalidSettings naming the codec.
	// Codec and pixel format must still match. The track carries the codec
	// parameters of the largest chunk (by area, the first of equal ones),
	// and every chunk's first packet must be a keyframe (else
	// ErrInvalidData); an HEVC one must be an IDR or BLA picture (not
	// CRA, whose leading pictures may reference the previous chunk), a
	// VP9 one a key frame by its frame header.
	//
	// H.264 and HEVC need an MP4 output. The sample entry is 'avc3' or
	// 'hev1', and each chunk's own parameter sets (SPS and PPS; VPS, SPS
	// and PPS, from its avcC or hvcC) are put in band before its first
	// frame, so that a decoder switches to the chunk's size there; the
	// hvcC no longer claims its arrays complete. VP9 key frames carry
	// their own size, so VP9 chunks are joined as they are, in MP4 ('vp09')
	// or WebM.
	//
	// Decoders that cannot change size mid-stream (or players that need
	// 'avc1' or 'hvc1') cannot play such a track; DecoderOptions.Width and
	// Height give frames of one size. Probe, like ffprobe, reports the
	// first decoded picture's size for such a track; StitchOutput has the
	// sample entry's (the WebM track header's).
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
// StitchOptions.SizeChanges allows H.264, HEVC and VP9 chunks of
// different sizes).
// Other errors wrap ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoVideo, or
// are ctx.Err().
func Stitch(ctx context.Context, chunks []string, out string) (StitchOutput, error) {
	return StitchWith(ctx, chunks, out, StitchOptions{})
}

// StitchWith is Stitch with options; see StitchOptions. With SizeChanges,
// chunks of a codec other than H.264, HEVC or VP9, or H.264 or HEVC with
// a WebM output, are rejected with ErrInvalidSettings; chunks with codec
// headers that cannot be parsed or whose first frame is not a keyframe
// with ErrInvalidData naming the chunk.
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
	tmp, err := wholefile.TempPath(out)
	if err != nil {
		return StitchOutput{}, fmt.Errorf("encoder: stitch %s: %w", out, err)
	}
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
