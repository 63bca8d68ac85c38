// Fetching blocks: ranged GETs bounded by the fetch slots, retries with
// backoff and the stall timeout.

package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

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
