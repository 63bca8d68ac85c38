package vmaf

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/reel-video/reel/frame"
)

// ScoreY4M scores two YUV4MPEG2 streams frame by frame with a Scorer
// built from cfg. The streams must have the same format and the same
// number of frames (ErrFormatMismatch otherwise). The frames are ScoreY4M's
// own and are recycled: cfg.Release is not used.
func ScoreY4M(ref, dis io.Reader, cfg Config) (*Result, error) {
	rr, err := frame.NewY4MReader(ref)
	if err != nil {
		return nil, fmt.Errorf("vmaf: reference: %w", err)
	}
	dr, err := frame.NewY4MReader(dis)
	if err != nil {
		return nil, fmt.Errorf("vmaf: distorted: %w", err)
	}
	rh, dh := rr.Header(), dr.Header()
	if rh.Width != dh.Width || rh.Height != dh.Height || rh.BitDepth != dh.BitDepth || rh.Chroma != dh.Chroma {
		return nil, fmt.Errorf("%w: reference %dx%d %s %d-bit, distorted %dx%d %s %d-bit", ErrFormatMismatch,
			rh.Width, rh.Height, rh.Chroma, rh.BitDepth, dh.Width, dh.Height, dh.Chroma, dh.BitDepth)
	}
	// Frames come back through Release once scored and are read into
	// again: no allocation per picture once the queue is full.
	free := NewFramePool(rh.Width, rh.Height, rh.BitDepth, rh.Chroma)
	cfg.Release = free.Release
	return ScoreFrames(context.Background(), y4mSource{free, rr}, y4mSource{free, dr}, cfg)
}

// y4mSource reads a y4m stream's frames into a pool's frames.
type y4mSource struct {
	pool *FramePool
	r    *frame.Y4MReader
}

func (y y4mSource) Next() (*frame.Frame, error) { return y.pool.ReadY4M(y.r) }

// FrameSource yields a stream's frames in order, io.EOF after the last.
type FrameSource interface {
	Next() (*frame.Frame, error)
}

// ScoreFrames scores ref and dis pair by pair with a Scorer built from cfg
// and returns its result. The two must have the same number of frames, and
// each pair the same size and bit depth (ErrFormatMismatch otherwise);
// ctx is checked before each pair.
func ScoreFrames(ctx context.Context, ref, dis FrameSource, cfg Config) (*Result, error) {
	s, err := NewScorer(cfg)
	if err != nil {
		return nil, err
	}
	if err := pushPairs(ctx, s, ref, dis); err != nil {
		s.Close()
		return nil, err
	}
	return s.Close()
}

func pushPairs(ctx context.Context, s *Scorer, ref, dis FrameSource) error {
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rf, rerr := ref.Next()
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("reference frame %d: %w", n, rerr)
		}
		df, derr := dis.Next()
		if derr != nil && !errors.Is(derr, io.EOF) {
			return fmt.Errorf("distorted frame %d: %w", n, derr)
		}
		refDone, disDone := errors.Is(rerr, io.EOF), errors.Is(derr, io.EOF)
		if refDone && disDone {
			return nil
		}
		if refDone != disDone {
			longer, shorter := "distorted", "reference"
			if disDone {
				longer, shorter = "reference", "distorted"
			}
			return fmt.Errorf("%w: frame count mismatch: the %s ends after %d frames, the %s has more", ErrFormatMismatch, shorter, n, longer)
		}
		if df.BitDepth != rf.BitDepth {
			return fmt.Errorf("%w: bit depth mismatch: reference is %d-bit, distorted %d-bit", ErrFormatMismatch, rf.BitDepth, df.BitDepth)
		}
		if df.Width != rf.Width || df.Height != rf.Height {
			return fmt.Errorf("%w: size mismatch: reference is %dx%d, distorted %dx%d", ErrFormatMismatch, rf.Width, rf.Height, df.Width, df.Height)
		}
		if err := s.Push(rf, df); err != nil {
			return err
		}
	}
}
