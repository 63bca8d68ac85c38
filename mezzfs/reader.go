package mezzfs

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
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
	// 128 MiB (room for a full read-ahead window and as much again behind
	// the reads). Blocks being fetched are never evicted, so the cache can
	// briefly exceed it.
	CacheBytes int64
	// MaxReadAhead caps the read-ahead window. The window starts at one
	// block on a sequential read, doubles with every further sequential
	// read and drops to zero on a seek. The missing blocks of the window
	// are fetched in runs of a quarter of it (at most MaxFetch), several
	// GETs in flight at once. Default 64 MiB (at most half of CacheBytes);
	// negative disables read-ahead.
	MaxReadAhead int64
	// MaxFetch caps the bytes asked for in one ranged GET: runs of
	// missing consecutive blocks are fetched together up to this size.
	// Default 8 MiB: large enough that a 20 ms first-byte latency costs
	// a GET capped at 50 MB/s under a tenth of its time, and that on
	// loopback versitygw the per-request cost stays small; small enough
	// that the default window keeps Concurrency GETs in flight.
	MaxFetch int64
	// Concurrency bounds the GETs in flight for this Reader. Read-ahead
	// only starts a fetch when a slot is free, so it never delays a read.
	// Object stores cap each connection's bandwidth (tens of MB/s), so a
	// sequential read goes about Concurrency times faster than one GET.
	// Default 8.
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
	//
	// A stream only pays where one connection is fast: once it has read
	// streamProbeBytes (4 MiB), a stream whose bytes came in slower than
	// StreamMinRate (time spent waiting for the window not counted) is
	// closed and the Reader reads ahead with parallel ranged GETs from
	// then on, as without Stream.
	Stream bool
	// StreamMinRate, in bytes per second, is the rate below which a
	// stream is taken to be capped per connection (object stores send
	// each connection at tens of MB/s) and given up for parallel ranged
	// GETs. Default 200e6 (200 MB/s); negative keeps streams whatever
	// their rate.
	StreamMinRate float64
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
	defaultCacheBytes   = 128 << 20
	defaultMaxReadAhead = 64 << 20
	defaultMaxFetch     = 8 << 20
	defaultConcurrency  = 8
	defaultMaxAttempts  = 5
	defaultBackoff      = 100 * time.Millisecond
	defaultMaxBackoff   = 5 * time.Second
	defaultStallTimeout = 30 * time.Second
	defaultStreamRate   = 200e6
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
	if o.StreamMinRate == 0 {
		o.StreamMinRate = defaultStreamRate
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
	// slowLink is set once a stream proved slower than StreamMinRate:
	// no more streams, parallel ranged read-ahead instead.
	slowLink bool

	posMu sync.Mutex
	pos   int64

	st counters
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
