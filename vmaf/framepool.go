package vmaf

import "github.com/reel-video/reel/frame"

// FramePool recycles frames of one format for a reader that fills them
// (frame.Y4MReader.ReadFrameInto): set Config.Release to its Release, and
// frames scored by a Scorer are read into again instead of two new frames
// being allocated per picture, which keeps a long scoring run's heap (and
// so its peak memory) near what the Scorer holds. Get never waits: when no
// frame is free it makes one. A FramePool is safe for concurrent use.
type FramePool struct {
	w, h, depth int
	chroma      frame.Chroma
	free        chan *frame.Frame
}

// framePoolCap bounds the frames a FramePool keeps; a Scorer holds at
// most 2·Threads pairs, and frames beyond the cap go to the garbage
// collector.
const framePoolCap = 64

// NewFramePool returns a pool of frames with the given format (as for
// frame.New).
func NewFramePool(width, height, depth int, chroma frame.Chroma) *FramePool {
	return &FramePool{w: width, h: height, depth: depth, chroma: chroma, free: make(chan *frame.Frame, framePoolCap)}
}

// Get returns a free frame, or a new one (its contents are undefined).
func (p *FramePool) Get() (*frame.Frame, error) {
	select {
	case f := <-p.free:
		return f, nil
	default:
		return frame.New(p.w, p.h, p.depth, p.chroma)
	}
}

// Put gives f back for reuse; nil and frames of another format are
// ignored, and so is everything on a nil pool. The caller must not use f
// afterwards.
func (p *FramePool) Put(f *frame.Frame) {
	if p == nil || f == nil || f.Width != p.w || f.Height != p.h || f.BitDepth != p.depth || f.Chroma != p.chroma {
		return
	}
	select {
	case p.free <- f:
	default:
	}
}

// Release puts both frames back: it has the signature of Config.Release.
func (p *FramePool) Release(ref, dis *frame.Frame) {
	p.Put(ref)
	p.Put(dis)
}

// ReadY4M reads r's next frame into a pooled frame; r must have the
// pool's format. Errors are r's (io.EOF after the last frame).
func (p *FramePool) ReadY4M(r *frame.Y4MReader) (*frame.Frame, error) {
	f, err := p.Get()
	if err != nil {
		return nil, err
	}
	if err := r.ReadFrameInto(f); err != nil {
		p.Put(f)
		return nil, err
	}
	return f, nil
}
