// Planning a read: sequential detection, the read-ahead window and the
// fetches it starts.

package mezzfs

import "fmt"

// plan returns the blocks covering [off, off+n), starting fetches for the
// missing ones and for the read-ahead window.
func (r *Reader) plan(off, n int64) ([]*block, error) {
	bs := r.opts.BlockSize
	first, last := off/bs, (off+n-1)/bs
	lastBlock := (r.info.Size - 1) / bs

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, fmt.Errorf("%s: %w", r.name(), ErrClosed)
	}

	// Sequential detection, tolerant of the reordering of parallel
	// kernel reads (several requests of up to 1 MiB in flight, handled
	// in any order): within the read-ahead window (at least a block) of
	// where the furthest read so far ended.
	tol := max(bs, r.ra)
	if d := off - r.nextOff; d >= -tol && d <= tol {
		if r.ra == 0 {
			r.ra = bs
		} else {
			r.ra *= 2
		}
		if r.ra > r.opts.MaxReadAhead {
			r.ra = r.opts.MaxReadAhead
		}
		if off+n > r.nextOff {
			r.nextOff = off + n
		}
	} else {
		r.ra = 0
		r.nextOff = off + n
		r.stopStreamLocked()
	}
	raEnd := last
	if r.ra > 0 {
		raEnd = min((off+n+r.ra-1)/bs, lastBlock)
	}
	if r.stream == nil && r.opts.Stream && !r.slowLink && r.disk == nil && r.ra > 0 {
		k := first
		for k <= raEnd && r.blocks[k] != nil {
			k++
		}
		if k <= raEnd && (k == 0 || r.ra >= streamMinBlocks*bs) {
			r.startStreamLocked(k)
		}
	}

	want := make([]*block, 0, last-first+1)
	var missing []*block
	for i := first; i <= last; i++ {
		b, ok := r.blocks[i]
		streamed := false
		if !ok && r.stream != nil && i >= r.stream.next && (i-r.stream.end)*bs <= r.ra {
			// Where the stream is heading: let it fetch the block.
			r.extendStreamLocked(r.stream, i)
			b, ok = r.blocks[i]
			streamed = ok
		}
		if ok {
			b.refs++
			if streamed {
				r.st.misses.Add(1)
			} else {
				r.st.hits.Add(1)
			}
			if b.elem != nil {
				r.lru.MoveToFront(b.elem)
			}
		} else {
			r.st.misses.Add(1)
			b = r.newBlockLocked(i)
			b.refs++
			missing = append(missing, b)
		}
		want = append(want, b)
	}
	r.launchLocked(missing)

	// Read-ahead: only into free fetch slots, never past the end.
	if r.ra > 0 {
		end := raEnd
		if s := r.stream; s != nil {
			r.extendStreamLocked(s, end)
			return want, nil
		}
		r.readAheadLocked(last+1, end, lastBlock)
	}
	return want, nil
}

// readAheadLocked starts fetches for the blocks of [from, end] (the
// read-ahead window) that are neither cached nor being fetched, into free
// fetch slots. Missing blocks go in runs of a quarter of the window
// (within [one block, MaxFetch]), one GET each, so a window holds several
// GETs in flight at once (several connections: an object store caps
// each) and each is large enough to make its first-byte latency small
// beside its transfer. A shorter run that only ends because the window
// does is left for a later read, when the window has moved on; one
// ending at a block already present, or at the end of the object, goes
// as it is.
func (r *Reader) readAheadLocked(from, end, lastBlock int64) {
	bs := r.opts.BlockSize
	maxRun := min(max(r.ra/4/bs, 1), max(r.opts.MaxFetch/bs, 1))
	minRun := maxRun
	for i := from; i <= end; {
		if _, ok := r.blocks[i]; ok {
			i++
			continue
		}
		j := i
		for j <= end && j-i < maxRun {
			if _, ok := r.blocks[j]; ok {
				break
			}
			j++
		}
		if j-i < minRun && j > end && end < lastBlock {
			return
		}
		run := make([]*block, 0, j-i)
		for k := i; k < j; k++ {
			run = append(run, r.newBlockLocked(k))
		}
		if !r.launchAheadLocked(run) {
			return
		}
		i = j
	}
}

// launchAheadLocked starts a read-ahead fetch of run if a slot is free;
// otherwise it forgets the run's placeholders and reports false.
func (r *Reader) launchAheadLocked(run []*block) bool {
	select {
	case r.sem <- struct{}{}:
	default:
		for _, b := range run {
			delete(r.blocks, b.idx)
		}
		return false
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.sem }()
		r.fetch(run)
	}()
	return true
}
