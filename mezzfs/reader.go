package mezzfs

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// ReaderOptions configures a Reader. Zero fields take the documented
// defaults.
type ReaderOptions struct {
	// BlockSize is the unit of fetching and caching. Default 1 MiB.
	BlockSize int64
	// CacheBytes is the in-memory LRU budget for fetched blocks. Default
	// 64 MiB. Blocks being fetched are never evicted, so the cache can
	// briefly exceed it.
	CacheBytes int64
	// MaxReadAhead caps the read-ahead window. The window starts at one
	// block on a sequential read, doubles with every further sequential
	// read and drops to zero on a seek; once less than half the window is
	// buffered it is topped up in one fetch. Default 32 MiB (at most half of
	// CacheBytes); negative disables read-ahead.
	MaxReadAhead int64
	// MaxFetch caps the bytes asked for in one ranged GET: runs of
	// missing consecutive blocks are fetched together up to this size.
	// Default 16 MiB: on loopback versitygw fewer, larger GETs are what
	// brings sequential reads to plain-GET speed.
	MaxFetch int64
	// Concurrency bounds the GETs in flight for this Reader. Read-ahead
	// only starts a fetch when a slot is free, so it never delays a read.
	// Default 4.
	Concurrency int
	// MaxAttempts is how many times a request is tried before the read
	// fails with ErrRetriesExhausted. A request that delivered at least
	// one block resets the count. Default 5.
	MaxAttempts int
	// RetryBackoff is the first wait between attempts; it doubles (with
	// jitter) up to MaxRetryBackoff. Defaults 100ms and 5s.
	RetryBackoff, MaxRetryBackoff time.Duration
	// StallTimeout fails (and retries) a request that delivers no byte
	// for this long, headers included. Default 30s.
	StallTimeout time.Duration
	// Stream, if set, serves a clearly sequential read with one GET to
	// the end of the object instead of a ranged GET per MaxFetch: it
	// starts when read-ahead begins at the object's first block or once
	// the window has grown to four blocks, fills blocks in order only as
	// far as the read-ahead window asks, and is dropped (its connection
	// closed) on a seek. Fewer requests, and servers send a GET from
	// offset 0 to the end as efficiently as a plain GET (versitygw uses
	// sendfile for it, not for other ranges). It holds one Concurrency
	// slot while open. Ignored with CacheDir. Default false.
	Stream bool
	// CacheDir, if set, keeps fetched blocks on disk as well, keyed by
	// store, key, ETag and block size, so other Readers (and processes)
	// reuse them. Default: none.
	CacheDir string
	// Trace, if set, records every ReadAt (key, offset, length, time);
	// see Replay.
	Trace *TraceWriter
}

const (
	defaultBlockSize    = 1 << 20
	defaultCacheBytes   = 64 << 20
	defaultMaxReadAhead = 32 << 20
	defaultMaxFetch     = 16 << 20
	defaultConcurrency  = 4
	defaultMaxAttempts  = 5
	defaultBackoff      = 100 * time.Millisecond
	defaultMaxBackoff   = 5 * time.Second
	defaultStallTimeout = 30 * time.Second
)

func (o ReaderOptions) withDefaults() ReaderOptions {
	if o.BlockSize <= 0 {
		o.BlockSize = defaultBlockSize
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = defaultCacheBytes
	}
	if o.CacheBytes < o.BlockSize {
		o.CacheBytes = o.BlockSize
	}
	if o.MaxReadAhead == 0 {
		o.MaxReadAhead = defaultMaxReadAhead
	}
	if o.MaxReadAhead > o.CacheBytes/2 {
		o.MaxReadAhead = o.CacheBytes / 2
	}
	if o.MaxReadAhead < 0 {
		o.MaxReadAhead = 0
	}
	if o.MaxFetch <= 0 {
		o.MaxFetch = defaultMaxFetch
	}
	if o.MaxFetch < o.BlockSize {
		o.MaxFetch = o.BlockSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = defaultConcurrency
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = defaultBackoff
	}
	if o.MaxRetryBackoff <= 0 {
		o.MaxRetryBackoff = defaultMaxBackoff
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = defaultStallTimeout
	}
	return o
}

// Reader reads one object through ranged GETs, a block cache and adaptive
// read-ahead. It implements io.ReaderAt (safe for concurrent use),
// io.ReadSeeker (one position, for a single caller) and io.Closer.
//
// The object's ETag is pinned when the Reader is opened: every range is
// requested for that version only, so a replaced object fails reads with
// ErrChanged instead of mixing bytes of two versions.
type Reader struct {
	store Store
	key   string
	info  ObjectInfo
	opts  ReaderOptions
	disk  *diskCache

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	sem    chan struct{}

	mu      sync.Mutex
	blocks  map[int64]*block
	lru     list.List // completed blocks, most recent at the front
	cached  int64     // bytes held by blocks in lru
	closed  bool
	nextOff int64    // where a sequential read would continue
	ra      int64    // current read-ahead window in bytes
	free    [][]byte // recycled block buffers (cap BlockSize)
	stream  *stream  // the open streaming GET, if any

	posMu sync.Mutex
	pos   int64

	st counters
}

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

// streamMinBlocks is the read-ahead window, in blocks, from which a
// sequential read not at the object's start opens a stream.
const streamMinBlocks = 4

// stream is one open-ended GET filling blocks next, next+1, ... in
// order. Blocks [next, end) are placeholders it owns; plan extends end
// as the read-ahead window advances. Fields guarded by Reader.mu.
type stream struct {
	next, end int64
	stopped   bool
	ctx       context.Context
	cancel    context.CancelFunc
	wake      chan struct{} // signalled when end grows
}

type counters struct {
	requests, retries, bytesFetched, bytesServed, reads atomic.Int64
	hits, misses, diskHits                              atomic.Int64
}

// NewReader stats key (with retries) and returns a Reader pinned to its
// current ETag. ctx bounds the Reader's whole life: cancelling it fails
// pending and future reads, like Close.
func NewReader(ctx context.Context, store Store, key string, opts ReaderOptions) (*Reader, error) {
	opts = opts.withDefaults()
	r := &Reader{
		store:  store,
		key:    key,
		opts:   opts,
		sem:    make(chan struct{}, opts.Concurrency),
		blocks: make(map[int64]*block),
	}
	r.ctx, r.cancel = context.WithCancel(ctx)
	var info ObjectInfo
	err := r.retry(ctx, func(ctx context.Context) (bool, error) {
		var err error
		info, err = store.Stat(ctx, key)
		return false, err
	})
	if err != nil {
		r.cancel()
		return nil, err
	}
	r.info = info
	if opts.CacheDir != "" {
		r.disk = newDiskCache(opts.CacheDir, store.String(), key, info.ETag, opts.BlockSize)
	}
	return r, nil
}

// Info returns the object's size, ETag and modification time as seen at
// open.
func (r *Reader) Info() ObjectInfo { return r.info }

// Size returns the object's size.
func (r *Reader) Size() int64 { return r.info.Size }

func (r *Reader) name() string { return r.store.String() + "/" + r.key }

// retry runs op until it succeeds, fails permanently or MaxAttempts is
// spent. op reports whether it made progress, which resets the count.
func (r *Reader) retry(ctx context.Context, op func(ctx context.Context) (progress bool, err error)) error {
	failures := 0
	for {
		progress, err := op(ctx)
		if err == nil {
			return nil
		}
		if !retryable(ctx, err) {
			if ctx.Err() != nil && !IsBadInput(err) {
				return fmt.Errorf("%w: %w", ErrClosed, err)
			}
			return err
		}
		if progress {
			failures = 0
		}
		failures++
		if failures >= r.opts.MaxAttempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, failures, err)
		}
		r.st.retries.Add(1)
		d := r.opts.RetryBackoff << (failures - 1)
		if d > r.opts.MaxRetryBackoff || d <= 0 {
			d = r.opts.MaxRetryBackoff
		}
		d = d/2 + rand.N(d/2+1) // jitter in [d/2, d]
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w: %w (while retrying: %w)", ErrClosed, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// ReadAt implements io.ReaderAt.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	bufs, release, err := r.Borrow(off, len(p))
	defer release()
	n := 0
	for _, b := range bufs {
		n += copy(p[n:], b)
	}
	return n, err
}

// Borrow reads like ReadAt, but instead of copying it returns the bytes
// as slices of the Reader's own blocks (at most two per MiB read with the
// default BlockSize), in order. They stay valid, and must not be
// modified, until release is called; call it exactly once, also on error.
// The error is ReadAt's: io.EOF when the slices hold fewer than n bytes
// because the object ends.
func (r *Reader) Borrow(off int64, n int) (bufs [][]byte, release func(), err error) {
	release = func() {}
	if off < 0 {
		return nil, release, fmt.Errorf("mezzfs: %s: negative offset %d", r.name(), off)
	}
	if r.opts.Trace != nil {
		r.opts.Trace.record(r.key, off, n)
	}
	r.st.reads.Add(1)
	if off >= r.info.Size {
		r.mu.Lock()
		closed := r.closed
		r.mu.Unlock()
		if closed {
			return nil, release, ErrClosed
		}
		return nil, release, io.EOF
	}
	want := int64(n)
	if want > r.info.Size-off {
		want = r.info.Size - off
	}
	if want == 0 {
		return nil, release, nil
	}
	blocks, err := r.plan(off, want)
	if err != nil {
		return nil, release, err
	}
	release = func() { r.release(blocks) }
	bs := r.opts.BlockSize
	bufs = make([][]byte, 0, len(blocks))
	got := int64(0)
	for _, b := range blocks {
		select {
		case <-b.done:
		case <-r.ctx.Done():
			return bufs, release, fmt.Errorf("%s: %w", r.name(), ErrClosed)
		}
		if b.err != nil {
			return bufs, release, b.err
		}
		start := off + got - b.idx*bs
		k := min(int64(len(b.data))-start, want-got)
		bufs = append(bufs, b.data[start:start+k:start+k])
		got += k
	}
	r.st.bytesServed.Add(got)
	if got < int64(n) {
		return bufs, release, io.EOF
	}
	return bufs, release, nil
}

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
	if r.stream == nil && r.opts.Stream && r.disk == nil && r.ra > 0 {
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
		// Top the window up only once less than half of it is buffered,
		// so steady-state fetches are large (about half the window)
		// instead of one block each time a read crosses a block.
		k := last + 1
		for k <= end {
			if _, ok := r.blocks[k]; !ok {
				break
			}
			k++
		}
		if k > end || (k-last-1)*bs >= r.ra/2 && r.ra > bs {
			return want, nil
		}
		var run []*block
		for i := k; i <= end; i++ {
			if _, ok := r.blocks[i]; ok {
				if len(run) > 0 && !r.launchAheadLocked(run) {
					return want, nil
				}
				run = nil
				continue
			}
			run = append(run, r.newBlockLocked(i))
			if int64(len(run))*bs >= r.opts.MaxFetch {
				if !r.launchAheadLocked(run) {
					return want, nil
				}
				run = nil
			}
		}
		if len(run) > 0 {
			r.launchAheadLocked(run)
		}
	}
	return want, nil
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
		err := r.getBlocks(ctx, start*bs, r.info.Size-start*bs, func() (*block, int64) {
			b := r.streamNext(ctx, s)
			if b == nil {
				return nil, 0
			}
			return b, r.blockLen(b.idx)
		}, func() {
			r.mu.Lock()
			s.next++
			r.mu.Unlock()
			progress = true
		})
		return progress, err
	})
	r.endStream(s, err)
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

func (r *Reader) newBlockLocked(i int64) *block {
	b := &block{idx: i, done: make(chan struct{})}
	r.blocks[i] = b
	return b
}

// launchLocked starts fetches for blocks, grouped into runs of
// consecutive indices of at most MaxFetch bytes. Each fetch waits for a
// free slot.
func (r *Reader) launchLocked(blocks []*block) {
	maxRun := int(r.opts.MaxFetch / r.opts.BlockSize)
	for len(blocks) > 0 {
		k := 1
		for k < len(blocks) && k < maxRun && blocks[k].idx == blocks[k-1].idx+1 {
			k++
		}
		run := blocks[:k:k]
		blocks = blocks[k:]
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			select {
			case r.sem <- struct{}{}:
			case <-r.ctx.Done():
				r.failBlocks(run, fmt.Errorf("%s: %w", r.name(), ErrClosed))
				return
			}
			defer func() { <-r.sem }()
			r.fetch(run)
		}()
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

// fetch fills a run of consecutive blocks: from the disk cache where it
// can, the rest with ranged GETs.
func (r *Reader) fetch(run []*block) {
	if r.disk != nil {
		var rest []*block
		for _, b := range run {
			if data, ok := r.disk.get(b.idx, r.blockLen(b.idx)); ok {
				r.st.diskHits.Add(1)
				r.finish(b, data, nil)
				continue
			}
			rest = append(rest, b)
		}
		run = rest
	}
	for len(run) > 0 {
		k := 1
		for k < len(run) && run[k].idx == run[k-1].idx+1 {
			k++
		}
		r.fetchRange(run[:k])
		run = run[k:]
	}
}

func (r *Reader) blockLen(i int64) int64 {
	bs := r.opts.BlockSize
	if n := r.info.Size - i*bs; n < bs {
		return n
	}
	return bs
}

// fetchRange GETs consecutive blocks in one request, finishing each block
// as soon as its bytes are in, and resumes after the last whole block when
// a request fails.
func (r *Reader) fetchRange(run []*block) {
	done := 0
	err := r.retry(r.ctx, func(ctx context.Context) (bool, error) {
		start := run[done].idx * r.opts.BlockSize
		var n int64
		for _, b := range run[done:] {
			n += r.blockLen(b.idx)
		}
		before := done
		err := r.getBlocks(ctx, start, n, func() (*block, int64) {
			b := run[done]
			return b, r.blockLen(b.idx)
		}, func() { done++ })
		return done > before, err
	})
	if err != nil {
		r.failBlocks(run[done:], err)
	}
}

// getBlocks issues one GET for [start, start+n) and reads it block by
// block: next names the block to fill and its length (nil: stop early,
// closing the request), filled is called once it is complete. A request
// with no byte for StallTimeout is cancelled (not counting time spent in
// next).
func (r *Reader) getBlocks(ctx context.Context, start, n int64, next func() (*block, int64), filled func()) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stalled atomic.Bool
	timer := time.AfterFunc(r.opts.StallTimeout, func() { stalled.Store(true); cancel() })
	defer timer.Stop()
	wrap := func(err error) error {
		if stalled.Load() {
			return fmt.Errorf("read %s [%d,+%d): no data for %v: %w", r.name(), start, n, r.opts.StallTimeout, err)
		}
		return err
	}

	r.st.requests.Add(1)
	rc, err := r.store.ReadRange(rctx, r.key, start, n, r.info.ETag)
	if err != nil {
		return wrap(err)
	}
	defer rc.Close()
	body := &progressReader{r: rc, timer: timer, stall: r.opts.StallTimeout}
	for got := int64(0); got < n; {
		// A stream may wait here for the read-ahead window: no stall.
		timer.Stop()
		b, bn := next()
		if b == nil {
			return nil
		}
		timer.Reset(r.opts.StallTimeout)
		buf := r.getBuf(bn)
		m, err := io.ReadFull(body, buf)
		r.st.bytesFetched.Add(int64(m))
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return wrap(fmt.Errorf("read %s [%d,+%d) after %d bytes: %w", r.name(), start, n, got+int64(m), err))
		}
		got += bn
		if r.disk != nil {
			r.disk.put(b.idx, buf)
		}
		r.finish(b, buf, nil)
		filled()
	}
	return nil
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

// progressReader pushes the stall deadline back on every byte.
type progressReader struct {
	r     io.Reader
	timer *time.Timer
	stall time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.timer.Reset(p.stall)
	}
	return n, err
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

// Read implements io.Reader at the Reader's position.
func (r *Reader) Read(p []byte) (int, error) {
	r.posMu.Lock()
	defer r.posMu.Unlock()
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	if n > 0 && errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// Seek implements io.Seeker.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	r.posMu.Lock()
	defer r.posMu.Unlock()
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		abs = r.info.Size + offset
	default:
		return r.pos, fmt.Errorf("mezzfs: %s: bad whence %d", r.name(), whence)
	}
	if abs < 0 {
		return r.pos, fmt.Errorf("mezzfs: %s: seek to negative offset %d", r.name(), abs)
	}
	r.pos = abs
	return abs, nil
}

// Close stops fetches, waits for them and drops the cache. Reads after
// Close fail with ErrClosed.
func (r *Reader) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	r.cancel()
	r.wg.Wait()
	r.mu.Lock()
	r.blocks = map[int64]*block{}
	r.lru.Init()
	r.cached = 0
	r.free = nil
	r.mu.Unlock()
	return nil
}

// Stats is a snapshot of a Reader's counters.
type Stats struct {
	// Reads is the number of ReadAt/Read calls.
	Reads int64 `json:"reads"`
	// Requests is the number of ranged GETs issued (retries included).
	Requests int64 `json:"requests"`
	// Retries is the number of failed attempts that were tried again.
	Retries int64 `json:"retries"`
	// BytesFetched is the bytes received from the store (partial bodies
	// of failed attempts included; disk-cache hits excluded).
	BytesFetched int64 `json:"bytes_fetched"`
	// BytesServed is the bytes returned to callers.
	BytesServed int64 `json:"bytes_served"`
	// CacheHits and CacheMisses count the blocks reads needed that were
	// (or were not) already cached or being fetched (read-ahead).
	CacheHits   int64 `json:"cache_hits"`
	CacheMisses int64 `json:"cache_misses"`
	// DiskCacheHits counts blocks loaded from CacheDir.
	DiskCacheHits int64 `json:"disk_cache_hits"`
	// ReadAmplification is BytesFetched / BytesServed (0 before any byte
	// is served).
	ReadAmplification float64 `json:"read_amplification"`
}

// Add returns the sum of two snapshots (amplification recomputed).
func (s Stats) Add(o Stats) Stats {
	t := Stats{
		Reads: s.Reads + o.Reads, Requests: s.Requests + o.Requests, Retries: s.Retries + o.Retries,
		BytesFetched: s.BytesFetched + o.BytesFetched, BytesServed: s.BytesServed + o.BytesServed,
		CacheHits: s.CacheHits + o.CacheHits, CacheMisses: s.CacheMisses + o.CacheMisses,
		DiskCacheHits: s.DiskCacheHits + o.DiskCacheHits,
	}
	t.ReadAmplification = amplification(t.BytesFetched, t.BytesServed)
	return t
}

func amplification(fetched, served int64) float64 {
	if served == 0 {
		return 0
	}
	return float64(fetched) / float64(served)
}

// Stats returns a snapshot of the Reader's counters.
func (r *Reader) Stats() Stats {
	s := Stats{
		Reads:         r.st.reads.Load(),
		Requests:      r.st.requests.Load(),
		Retries:       r.st.retries.Load(),
		BytesFetched:  r.st.bytesFetched.Load(),
		BytesServed:   r.st.bytesServed.Load(),
		CacheHits:     r.st.hits.Load(),
		CacheMisses:   r.st.misses.Load(),
		DiskCacheHits: r.st.diskHits.Load(),
	}
	s.ReadAmplification = amplification(s.BytesFetched, s.BytesServed)
	return s
}
