package encoder

import (
	"context"
	"fmt"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
)

// ChunkOptions selects the frames and rungs of EncodeChunk.
type ChunkOptions struct {
	// StartFrame is the chunk's first frame, an index into the frames a
	// full decode (OpenDecoder) returns; Frames is how many it holds.
	StartFrame, Frames int
	// Rungs are encoded from the same decoded frames (one or several).
	Rungs []RungSpec
	// OutputPath returns a rung's output file (MP4). It is written under a
	// temporary name and renamed when complete.
	OutputPath func(rung RungSpec) string
	// Progress, when set, is called now and then with frames encoded so
	// far and Frames, also while the encoders flush their look-ahead
	// (then with the same count), so a heartbeat on it never starves.
	Progress func(done, total int)
	// Conceal replaces a frame that fails to decode with the previous good
	// frame (the next good one when the chunk starts with failures) and
	// lists it in ChunkOutput.Concealed; otherwise such a frame fails the
	// encode with a *FrameError.
	Conceal bool
}

// ChunkOutput is what EncodeChunk produced.
type ChunkOutput struct {
	StartFrame int          `json:"start_frame"`
	Frames     int          `json:"frames"`
	Rungs      []RungOutput `json:"rungs"`
	// Concealed lists the source frame indexes that failed to decode and
	// were replaced by a neighbouring good frame, in order.
	Concealed []int `json:"concealed,omitempty"`
	// Seeked tells whether decoding started at a keyframe found by
	// seeking (false: decoded from the start of the input).
	Seeked bool `json:"seeked"`
	// DecodedFrames counts the frames decoded, including those before
	// StartFrame that were dropped.
	DecodedFrames int `json:"decoded_frames"`
}

// FrameError reports frames of a chunk that failed to decode (a corrupt
// or missing packet) when concealment is off. It wraps ErrCorrupt.
type FrameError struct {
	Input  string
	Frames []int // source frame indexes, in order
}

func (e *FrameError) Error() string {
	s := make([]string, len(e.Frames))
	for i, f := range e.Frames {
		s[i] = fmt.Sprint(f)
	}
	noun := "frame"
	if len(e.Frames) > 1 {
		noun = "frames"
	}
	return fmt.Sprintf("encoder: encode %s: %v: %s %s failed to decode", e.Input, ErrCorrupt, noun, strings.Join(s, ", "))
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *FrameError) Unwrap() error { return ErrCorrupt }

// EncodeChunk encodes frames [StartFrame, StartFrame+Frames) of input to
// every rung of opts, decoding once. It seeks to the keyframe at or before
// StartFrame (decoding from the start when the input cannot seek, e.g. raw
// Annex-B), drops the frames before StartFrame (frames are identified by
// their timestamps), scales and encodes exactly Frames frames. Each output
// starts with a keyframe and its timestamps start at 0, at the source's
// frame rate, so that Stitch can join chunks. Settings and outputs are as
// for EncodeLadder; every output exists whole or not at all.
//
// Decoding a chunk gives the same pictures, scaled, that a full decode of
// the same range gives. A frame that does not decode (its packet is
// corrupt, or the decoder flags it) is concealed or fails the chunk with a
// *FrameError naming every failed frame, as opts.Conceal says.
//
// input is a path or an s3:// or file:// URI (see IOOptions); through a
// store only the bytes from the container's index to the chunk's last
// packet are fetched, not the whole object.
//
// Errors wrap the sentinels of ErrNotFound … ErrInvalidSettings (a range
// past the frames the input's container announces is ErrInvalidSettings;
// an input whose bytes end before the chunk's announced frames is
// ErrTruncated), or are ctx.Err().
func EncodeChunk(ctx context.Context, input string, opts ChunkOptions) (_ ChunkOutput, err error) {
	if err := ctx.Err(); err != nil {
		return ChunkOutput{}, err
	}
	if opts.StartFrame < 0 || opts.Frames <= 0 {
		return ChunkOutput{}, fmt.Errorf("encoder: encode %s: %w: chunk start %d, %d frames", input, ErrInvalidSettings, opts.StartFrame, opts.Frames)
	}
	paths, err := checkRungs(input, opts.Rungs, opts.OutputPath)
	if err != nil {
		return ChunkOutput{}, err
	}
	in, err := openSource(ctx, input, readRange)
	if err != nil {
		return ChunkOutput{}, fmt.Errorf("encoder: encode %w", err)
	}
	defer in.close()
	fail := func(err error) error { return fmt.Errorf("encoder: encode %w", in.mapErr(err)) }

	dec, err := av.OpenDecoder(in.in, av.DecoderConfig{})
	if err != nil {
		return ChunkOutput{}, fail(err)
	}
	defer dec.Close()
	src := streamInfo(dec.Info())
	end := opts.StartFrame + opts.Frames
	if n := src.FrameCount; dec.Info().FrameCountFromContainer && n > 0 && end > n {
		return ChunkOutput{}, fmt.Errorf("encoder: encode %s: %w: chunk [%d, %d) ends past the input's %d frames", input, ErrInvalidSettings, opts.StartFrame, end, n)
	}
	seeked, err := dec.SeekFrame(opts.StartFrame)
	if err != nil {
		return ChunkOutput{}, fail(err)
	}

	set, err := openRungs(input, dec, opts.Rungs, paths)
	defer set.close()
	if err != nil {
		return ChunkOutput{}, err
	}
	progress := func(done int) {
		if opts.Progress != nil {
			opts.Progress(done, opts.Frames)
		}
	}
	progress(0)
	res, err := av.EncodeChunk(dec, set.encoders(), av.ChunkConfig{
		Start: opts.StartFrame, Frames: opts.Frames, Conceal: opts.Conceal,
		Progress: progress, Cancelled: ctx.Err,
	})
	if err != nil {
		if ctx.Err() != nil {
			return ChunkOutput{}, ctx.Err()
		}
		return ChunkOutput{}, fail(err)
	}
	if !opts.Conceal && len(res.Failed) > 0 {
		return ChunkOutput{}, &FrameError{Input: input, Frames: res.Failed}
	}
	// Encoders still hold their look-ahead frames: progress stays at the
	// frames handed over until every one is flushed, but is reported
	// after each, so that a caller heartbeating on it stays alive.
	out, err := set.finish(opts.Frames, src.FPS, func() { progress(res.Encoded) })
	if err != nil {
		return ChunkOutput{}, err
	}
	if err := set.publish(); err != nil {
		return ChunkOutput{}, err
	}
	progress(opts.Frames)
	return ChunkOutput{
		StartFrame: opts.StartFrame, Frames: opts.Frames, Rungs: out,
		Concealed: res.Concealed, Seeked: seeked, DecodedFrames: res.Decoded,
	}, nil
}
