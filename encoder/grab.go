package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/frame"
)

// DefaultGrabMaxForward is GrabOptions.MaxForward's default.
const DefaultGrabMaxForward = 120

// GrabOptions configures GrabFrames. The zero value hands out 8-bit 4:2:0
// pictures at the source's size.
type GrabOptions struct {
	// Width and Height of the pictures. Both 0 keeps the source's size;
	// one of them 0 follows the other, keeping the source's aspect ratio
	// (rounded to an even number of samples).
	Width, Height int
	// PixelFormat is the libav format of the pictures; "" is "yuv420p".
	PixelFormat string
	// ScaleAlgorithm is as in DecoderOptions; "" is bicubic.
	ScaleAlgorithm string
	// MaxForward: a requested frame at most this many frames after the
	// last frame decoded is reached by decoding on; one further away (or
	// before it) by seeking again to the keyframe at or before it.
	// Default: DefaultGrabMaxForward.
	MaxForward int
}

// Grab is the outcome for one frame GrabFrames was asked for: its picture,
// or why there is none.
type Grab struct {
	// Frame is the picture, its Index the requested index; nil when Err
	// is set.
	Frame *frame.Frame
	// Err wraps ErrInvalidSettings for a negative index or one past the
	// stream's last frame, ErrCorrupt for a frame that did not come out
	// of the decoder, or the decoder's error (ErrTruncated, …).
	Err error
}

// GrabFrames decodes the pictures of input's first video stream at the
// given presentation indexes (frame 0 is the first frame a full decode
// returns, as EncodeChunk counts them), without decoding the whole stream:
// for each frame it seeks to the keyframe at or before it and decodes
// forward, or decodes on from the previous one when that is close (see
// GrabOptions.MaxForward). Indexes may come in any order and repeat.
//
// The result has one Grab per index, in the order given. A frame that
// cannot be had is that Grab's Err; the call itself fails only when the
// input cannot be opened (errors wrap ErrNotFound … ErrInvalidSettings as
// OpenDecoder's do) or ctx is done (ctx.Err()).
//
// input is a path or an s3:// or file:// URI (see IOOptions); through a
// store only the bytes around the frames are fetched.
func GrabFrames(ctx context.Context, input string, frames []int, opts GrabOptions) ([]Grab, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Width < 0 || opts.Height < 0 {
		return nil, fmt.Errorf("encoder: grab %s: %w: size %dx%d", input, ErrInvalidSettings, opts.Width, opts.Height)
	}
	if opts.MaxForward <= 0 {
		opts.MaxForward = DefaultGrabMaxForward
	}
	pixFmt := opts.PixelFormat
	if pixFmt == "" {
		pixFmt = "yuv420p"
	}
	format, err := av.ParseFormat(pixFmt)
	if err != nil {
		return nil, fmt.Errorf("encoder: grab %w", mapErr(input, err))
	}
	if _, err := av.ScaleFlags(opts.ScaleAlgorithm); err != nil {
		return nil, fmt.Errorf("encoder: grab %w", mapErr(input, err))
	}

	g := &grabber{ctx: ctx, input: input, opts: opts, format: format}
	defer g.close()
	got := map[int]Grab{}
	wanted := slices.Clone(frames)
	slices.Sort(wanted)
	wanted = slices.Compact(wanted)
	for _, n := range wanted {
		if n < 0 {
			got[n] = Grab{Err: fmt.Errorf("encoder: grab %s: %w: frame %d", input, ErrInvalidSettings, n)}
			continue
		}
		gr, err := g.grab(n)
		if err != nil {
			return nil, err
		}
		got[n] = gr
	}
	out := make([]Grab, len(frames))
	for i, n := range frames {
		out[i] = got[n]
	}
	return out, nil
}

// grabber holds the open decoder between the frames of one GrabFrames.
type grabber struct {
	ctx    context.Context
	input  string
	opts   GrabOptions
	format av.Format

	src *source
	dec *av.Decoder
	// cur is the index of the frame the decoder holds (-1: none yet);
	// ended is set once the decoder has nothing more to give.
	cur   int
	ended error
	eof   bool
}

// open (re)opens the input and positions the decoder before frame n.
func (g *grabber) open(n int) error {
	g.close()
	src, err := openSource(g.ctx, g.input, readRange)
	if err != nil {
		return fmt.Errorf("encoder: grab %w", err)
	}
	dec, err := av.OpenDecoder(src.in, av.DecoderConfig{Format: &g.format, ScaleAlg: g.opts.ScaleAlgorithm})
	if err != nil {
		src.close()
		if g.ctx.Err() != nil {
			return g.ctx.Err()
		}
		return fmt.Errorf("encoder: grab %w", src.mapErr(err))
	}
	g.src, g.dec, g.cur, g.ended, g.eof = src, dec, -1, nil, false
	if _, err := dec.SeekFrame(n); err != nil {
		// The decoder could not even give its first frame: every frame
		// of this opening fails with that.
		g.ended = fmt.Errorf("encoder: grab %w", src.mapErr(err))
	}
	return nil
}

// grab returns frame n; frames are asked for in increasing order. Its
// error is for the whole call (open failed, ctx done); a frame that could
// not be had is the Grab's Err.
func (g *grabber) grab(n int) (Grab, error) {
	if g.eof && n > g.cur {
		return Grab{Err: fmt.Errorf("encoder: grab %s: %w: frame %d is past the stream's end (frame %d is its last)", g.input, ErrInvalidSettings, n, g.cur)}, nil
	}
	if g.dec == nil || n < g.cur || n > g.cur+g.opts.MaxForward || (g.ended != nil && n != g.cur) {
		if err := g.open(n); err != nil {
			return Grab{}, err
		}
	}
	for g.cur < n {
		if err := g.ctx.Err(); err != nil {
			return Grab{}, err
		}
		if g.ended != nil {
			return Grab{Err: g.ended}, nil
		}
		idx, err := g.dec.ReadIndexed()
		if err != nil {
			if g.ctx.Err() != nil {
				return Grab{}, g.ctx.Err()
			}
			if errors.Is(err, io.EOF) {
				g.eof = true
				g.ended = fmt.Errorf("encoder: grab %s: %w: frame %d is past the stream's end (frame %d is its last)", g.input, ErrInvalidSettings, n, g.cur)
			} else {
				g.ended = fmt.Errorf("encoder: grab %w (frame %d)", g.src.mapErr(err), n)
			}
			return Grab{Err: g.ended}, nil
		}
		g.cur = idx
	}
	if g.cur > n {
		return Grab{Err: fmt.Errorf("encoder: grab %s: %w: frame %d did not decode (the decoder went from before it to frame %d)", g.input, ErrCorrupt, n, g.cur)}, nil
	}
	f, err := g.dec.Frame()
	if err != nil {
		return Grab{Err: fmt.Errorf("encoder: grab %w", mapErr(g.input, err))}, nil
	}
	f.Index = n
	if w, h := grabSize(f.Width, f.Height, g.opts.Width, g.opts.Height); w != f.Width || h != f.Height {
		s, err := ScaleFrame(f, w, h, g.opts.ScaleAlgorithm)
		if err != nil {
			return Grab{Err: err}, nil
		}
		s.Index = n
		f = s
	}
	return Grab{Frame: f}, nil
}

func (g *grabber) close() {
	if g.dec != nil {
		g.dec.Close()
		g.dec = nil
	}
	g.src.close()
	g.src = nil
}

// grabSize is the picture size GrabOptions' width and height ask for, for
// a source of sw×sh.
func grabSize(sw, sh, w, h int) (int, int) {
	even := func(v float64) int { return max(2, 2*int(math.Round(v/2))) }
	switch {
	case w == 0 && h == 0:
		return sw, sh
	case h == 0:
		return w, even(float64(sh) * float64(w) / float64(sw))
	case w == 0:
		return even(float64(sw) * float64(h) / float64(sh)), h
	}
	return w, h
}
