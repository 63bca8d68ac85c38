// The block cache: a Reader's blocks, the LRU with its byte budget and the
// recycled buffers.

package mezzfs

import "container/list"

type block struct {
	idx  int64
	data []byte
	err  error
	done chan struct{}
	elem *list.Element
	// refs counts ReadAt calls using data; an evicted block's buffer is
	// recycled once no one uses it. Both guarded by Reader.mu.
	refs    int
	evicted bool
	// s is the stream that will fill this block, until it does (or
	// hands the block back). Guarded by Reader.mu.
	s *stream
}

func (r *Reader) newBlockLocked(i int64) *block {
	b := &block{idx: i, done: make(chan struct{})}
	r.blocks[i] = b
	return b
}

func (r *Reader) blockLen(i int64) int64 {
	bs := r.opts.BlockSize
	if n := r.info.Size - i*bs; n < bs {
		return n
	}
	return bs
}

// getBuf returns an n-byte buffer, recycled when one is free. Fetched
// bytes overwrite it entirely, so it needs no zeroing.
func (r *Reader) getBuf(n int64) []byte {
	r.mu.Lock()
	if k := len(r.free); k > 0 {
		b := r.free[k-1]
		r.free = r.free[:k-1]
		r.mu.Unlock()
		return b[:n]
	}
	r.mu.Unlock()
	return make([]byte, n, r.opts.BlockSize)
}

// recycleLocked keeps an evicted, unused block's buffer for reuse, up to
// what the read-ahead window and the fetch slots can need at once.
func (r *Reader) recycleLocked(b *block) {
	limit := int(r.opts.MaxReadAhead/r.opts.BlockSize) + r.opts.Concurrency
	if !r.closed && cap(b.data) == int(r.opts.BlockSize) && len(r.free) < limit {
		r.free = append(r.free, b.data[:cap(b.data)])
	}
	b.data = nil
}

// release ends a ReadAt's use of its blocks.
func (r *Reader) release(bs []*block) {
	r.mu.Lock()
	for _, b := range bs {
		b.refs--
		if b.refs == 0 && b.evicted {
			r.recycleLocked(b)
		}
	}
	r.mu.Unlock()
}

func (r *Reader) failBlocks(bs []*block, err error) {
	for _, b := range bs {
		r.finish(b, nil, err)
	}
}

// finish completes a block. A good block joins the LRU (evicting the
// least recently used completed blocks over budget); a failed one is
// forgotten so a later read tries again.
func (r *Reader) finish(b *block, data []byte, err error) {
	r.mu.Lock()
	b.data, b.err = data, err
	close(b.done)
	if r.blocks[b.idx] != b {
		r.mu.Unlock()
		return
	}
	if err != nil || r.closed {
		delete(r.blocks, b.idx)
		r.mu.Unlock()
		return
	}
	b.elem = r.lru.PushFront(b)
	r.cached += int64(len(data))
	for r.cached > r.opts.CacheBytes {
		e := r.lru.Back()
		if e == nil || e == b.elem {
			break
		}
		old := e.Value.(*block)
		r.lru.Remove(e)
		old.elem = nil
		old.evicted = true
		r.cached -= int64(len(old.data))
		delete(r.blocks, old.idx)
		if old.refs == 0 {
			r.recycleLocked(old)
		}
	}
	r.mu.Unlock()
}
