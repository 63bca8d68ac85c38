package vmaf

import (
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
	s, err := NewScorer(cfg)
	if err != nil {
		return nil, err
	}
	for i := 0; ; i++ {
		rf, rerr := free.ReadY4M(rr)
		df, derr := free.ReadY4M(dr)
		rEOF, dEOF := errors.Is(rerr, io.EOF), errors.Is(derr, io.EOF)
		if rEOF && dEOF {
			break
		}
		switch {
		case rerr != nil && !rEOF:
			err = fmt.Errorf("vmaf: reference frame %d: %w", i, rerr)
		case derr != nil && !dEOF:
			err = fmt.Errorf("vmaf: distorted frame %d: %w", i, derr)
		case rEOF || dEOF:
			err = fmt.Errorf("%w: streams differ in length (one ends at frame %d)", ErrFormatMismatch, i)
		default:
			err = s.Push(rf, df)
		}
		if err != nil {
			s.Close()
			return nil, err
		}
	}
	return s.Close()
}
