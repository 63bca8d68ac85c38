// Streaming read-ahead (ReaderOptions.Stream): one GET to the end of the
// object, consumed as far as the read-ahead window asks.

package mezzfs

import (
	"context"
	"time"
)

// streamMinBlocks is the read-ahead window, in blocks, from which a
// sequential read not at the object's start opens a stream.
const streamMinBlocks = 4

// streamProbeBytes is how much a stream reads before its rate is judged
// against ReaderOptions.StreamMinRate.
const streamProbeBytes = 4 << 20

// stream is one open-ended GET filling blocks next, next+1, ... in
// order. Blocks [next, end) are placeholders it owns; plan extends end
// as the read-ahead window advances. Fields guarded by Reader.mu.
type stream struct {
	next, end int64
	stopped   bool
	ctx       context.Context
	cancel    context.CancelFunc
	wake      chan struct{} // signalled when end grows
	// read and busy are the bytes the stream has read and the time it
	// spent reading them (not waiting for the window): its link's rate.
	read int64
	busy time.Duration
}

// startStreamLocked opens a stream at block k if a fetch slot is free.
func (r *Reader) startStreamLocked(k int64) {
	select {
	case r.sem <- struct{}{}:
	default:
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	s := &stream{next: k, end: k, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}
	r.stream = s
	r.wg.Add(1)
	go r.runStream(s)
}

// stopStreamLocked drops the open stream: its GET is cancelled and the
// blocks it still owned are fetched the ordinary way if a read waits for
// them, forgotten otherwise.
func (r *Reader) stopStreamLocked() {
	if s := r.stream; s != nil {
		s.stopped = true
		r.stream = nil
		s.cancel()
	}
}

// extendStreamLocked hands the stream the blocks up to to (inclusive),
// stopping at the first one already cached or being fetched.
func (r *Reader) extendStreamLocked(s *stream, to int64) {
	to = min(to, (r.info.Size-1)/r.opts.BlockSize)
	grew := false
	for s.end <= to {
		if _, ok := r.blocks[s.end]; ok {
			break
		}
		b := r.newBlockLocked(s.end)
		b.s = s
		s.end++
		grew = true
	}
	if grew {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// runStream fills the stream's blocks in order from one GET to the end
// of the object (reopened after the last whole block on a transient
// failure), waiting while it is ahead of the read-ahead window.
func (r *Reader) runStream(s *stream) {
	defer r.wg.Done()
	defer func() { <-r.sem }()
	bs := r.opts.BlockSize
	err := r.retry(s.ctx, func(ctx context.Context) (bool, error) {
		r.mu.Lock()
		start := s.next
		r.mu.Unlock()
		if start*bs >= r.info.Size {
			return false, nil
		}
		progress := false
		var t0 time.Time
		var n int64
		err := r.getBlocks(ctx, start*bs, r.info.Size-start*bs, func() (*block, int64) {
			b := r.streamNext(ctx, s)
			if b == nil {
				return nil, 0
			}
			t0, n = time.Now(), r.blockLen(b.idx)
			return b, n
		}, func() {
			r.mu.Lock()
			s.next++
			s.read += n
			s.busy += time.Since(t0)
			r.judgeStreamLocked(s)
			r.mu.Unlock()
			progress = true
		})
		return progress, err
	})
	r.endStream(s, err)
}

// judgeStreamLocked gives s up, for good, once it has read
// streamProbeBytes slower than StreamMinRate: the link caps each
// connection, and parallel ranged GETs will read faster.
func (r *Reader) judgeStreamLocked(s *stream) {
	if r.opts.StreamMinRate < 0 || s.read < streamProbeBytes || r.slowLink || r.stream != s {
		return
	}
	if float64(s.read) < r.opts.StreamMinRate*s.busy.Seconds() {
		r.slowLink = true
		r.stopStreamLocked()
	}
}

// streamNext returns the next block s is to fill, waiting until plan
// asks for it; nil once s is stopped or meets a block it does not own.
func (r *Reader) streamNext(ctx context.Context, s *stream) *block {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		if s.stopped {
			return nil
		}
		if s.next < s.end {
			if b := r.blocks[s.next]; b != nil && b.s == s {
				return b
			}
			s.stopped = true
			return nil
		}
		if _, ok := r.blocks[s.next]; ok || s.next*r.opts.BlockSize >= r.info.Size {
			if r.stream == s {
				r.stream = nil
			}
			s.stopped = true
			return nil
		}
		r.mu.Unlock()
		select {
		case <-s.wake:
		case <-ctx.Done():
		}
		r.mu.Lock()
		if ctx.Err() != nil {
			return nil
		}
	}
}

// endStream settles the blocks s still owned: with err (and s not
// stopped on purpose) they fail; otherwise those a read waits for are
// fetched the ordinary way and the rest forgotten.
func (r *Reader) endStream(s *stream, err error) {
	r.mu.Lock()
	if r.stream == s {
		r.stream = nil
	}
	failed := err != nil && !s.stopped
	s.stopped = true
	var fail, again []*block
	for i := s.next; i < s.end; i++ {
		b := r.blocks[i]
		if b == nil || b.s != s {
			continue
		}
		b.s = nil
		switch {
		case failed:
			fail = append(fail, b)
		case b.refs > 0:
			again = append(again, b)
		default:
			delete(r.blocks, i)
		}
	}
	r.launchLocked(again)
	r.mu.Unlock()
	s.cancel()
	r.failBlocks(fail, err)
}
