package encoder

import (
	"context"
	"fmt"
	"io"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/frame"
)

// DecoderOptions configures OpenDecoder. The zero value decodes at the
// source size in the source's format.
type DecoderOptions struct {
	// Width and Height of the frames handed out; 0 keeps the source's.
	// Set both, or one to keep the source's other dimension.
	Width, Height int
	// BitDepth of the frames handed out: 8 or 10; 0 keeps the source's
	// (sources deeper than 10 bits come out at 10). The subsampling of an
	// 8- or 10-bit planar yuv 4:2:0/4:2:2/4:4:4 source is kept; any other
	// source (nv12, rgb, 12-bit, …) comes out as 4:2:0.
	BitDepth int
	// PixelFormat, when set, is the exact libav format of the frames
	// handed out, e.g. "yuv420p" or "yuv444p10le"; it overrides BitDepth.
	PixelFormat string
	// ScaleAlgorithm is the swscale algorithm used for scaling and format
	// conversion: "bicubic" (default), "bilinear", "fast_bilinear",
	// "bicublin", "lanczos", "spline", "area", "point", "gauss", "sinc".
	ScaleAlgorithm string
	// Threads for the decoder; 0 lets libav pick.
	Threads int
}

// Decoder hands out the frames of a file's first video stream in
// presentation order. It is not safe for concurrent use; Close it.
type Decoder struct {
	ctx   context.Context
	input string
	src   *source
	d     *av.Decoder
	info  StreamInfo
}

// OpenDecoder opens input's first video stream for decoding. input is a
// path or an s3:// or file:// URI (see IOOptions); the input stays open
// until Close.
//
// Errors wrap ErrNotFound, ErrEmpty, ErrInvalidData, ErrNoVideo,
// ErrUnsupported or ErrInvalidSettings (ErrAccessDenied or
// ErrSourceChanged for a store).
func OpenDecoder(ctx context.Context, input string, opts DecoderOptions) (*Decoder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := av.DecoderConfig{Width: opts.Width, Height: opts.Height, Depth: opts.BitDepth, ScaleAlg: opts.ScaleAlgorithm, Threads: opts.Threads}
	if opts.PixelFormat != "" {
		f, err := av.ParseFormat(opts.PixelFormat)
		if err != nil {
			return nil, fmt.Errorf("encoder: decode %w", mapErr(input, err))
		}
		cfg.Format = &f
	}
	if opts.BitDepth != 0 && opts.BitDepth != 8 && opts.BitDepth != 10 {
		return nil, fmt.Errorf("encoder: decode %s: %w: bit depth %d (want 8 or 10)", input, ErrInvalidSettings, opts.BitDepth)
	}
	src, err := openSource(ctx, input, readAll)
	if err != nil {
		return nil, fmt.Errorf("encoder: decode %w", err)
	}
	d, err := av.OpenDecoder(src.in, cfg)
	if err != nil {
		src.close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("encoder: decode %w", src.mapErr(err))
	}
	return &Decoder{ctx: ctx, input: input, src: src, d: d, info: streamInfo(d.Info())}, nil
}

// Info describes the source video stream (from the container: FrameCount
// is the announced count, or 0 when the container does not say).
func (d *Decoder) Info() StreamInfo { return d.info }

// Next returns the next frame, io.EOF after the last one, or, when the
// video stream ends before the frames its container announces, an error
// wrapping ErrTruncated (the input's bytes run out first) or ErrCorrupt
// (frames inside the input were lost; the message names the first). It
// returns ctx.Err() once the context is done.
func (d *Decoder) Next() (*frame.Frame, error) {
	if d.d == nil {
		return nil, fmt.Errorf("encoder: decode %s: decoder is closed", d.input)
	}
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}
	if err := d.d.Read(); err != nil {
		if err == io.EOF {
			return nil, io.EOF
		}
		if err := d.ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("encoder: decode %w", d.src.mapErr(err))
	}
	f, err := d.d.Frame()
	if err != nil {
		return nil, fmt.Errorf("encoder: decode %w", mapErr(d.input, err))
	}
	return f, nil
}

// Close frees the decoder and closes its input (reporting its read stats
// to IOOptions.Stats). It is safe to call more than once.
func (d *Decoder) Close() error {
	if d.d != nil {
		d.d.Close()
		d.d = nil
	}
	d.src.close()
	return nil
}

// ScaleFrame returns f resized to w×h with swscale, keeping its bit depth,
// subsampling, range, index and PTS. alg names the algorithm as in
// DecoderOptions.ScaleAlgorithm ("" is bicubic).
func ScaleFrame(f *frame.Frame, w, h int, alg string) (*frame.Frame, error) {
	g, err := av.ScaleFrame(f, w, h, alg)
	if err != nil {
		return nil, fmt.Errorf("encoder: scale frame %w", mapErr(fmt.Sprintf("to %dx%d", w, h), err))
	}
	return g, nil
}
