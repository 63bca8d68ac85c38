package mezzfs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// TraceRecord is one read in a trace: a JSON line
// {"key":"a/b.mp4","off":0,"len":32768,"time":"2025-01-02T03:04:05.000000006Z"}.
type TraceRecord struct {
	Key  string    `json:"key,omitempty"`
	Off  int64     `json:"off"`
	Len  int       `json:"len"`
	Time time.Time `json:"time"`
}

// TraceWriter writes TraceRecords as JSON lines; it is safe for
// concurrent use by many Readers (a FUSE mount shares one). Write errors
// stop the trace and are reported by Err.
type TraceWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
	now func() time.Time
}

// NewTraceWriter returns a TraceWriter on w.
func NewTraceWriter(w io.Writer) *TraceWriter {
	return &TraceWriter{enc: json.NewEncoder(w), now: time.Now}
}

func (t *TraceWriter) record(key string, off int64, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	t.err = t.enc.Encode(TraceRecord{Key: key, Off: off, Len: n, Time: t.now().UTC()})
}

// Err returns the first write error, if any.
func (t *TraceWriter) Err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// ReadTrace parses a JSON-lines trace.
func ReadTrace(trace io.Reader) ([]TraceRecord, error) {
	var out []TraceRecord
	sc := bufio.NewScanner(trace)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(sc.Bytes()) == 0 {
			continue
		}
		var rec TraceRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("mezzfs: trace line %d: %w", line, err)
		}
		if rec.Off < 0 || rec.Len < 0 {
			return nil, fmt.Errorf("mezzfs: trace line %d: negative offset or length", line)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("mezzfs: reading trace: %w", err)
	}
	return out, nil
}

// Replay replays a recorded read trace against key with default
// ReaderOptions, as fast as possible and in order, and returns the
// Reader's Stats: how many requests and bytes those reads cost. Records
// naming another key are skipped (records without a key apply).
func Replay(ctx context.Context, store Store, key string, trace io.Reader) (Stats, error) {
	return ReplayWithOptions(ctx, store, key, trace, ReaderOptions{})
}

// ReplayWithOptions is Replay with chosen ReaderOptions, to compare block
// sizes, read-ahead or cache budgets on the same trace.
func ReplayWithOptions(ctx context.Context, store Store, key string, trace io.Reader, opts ReaderOptions) (Stats, error) {
	recs, err := ReadTrace(trace)
	if err != nil {
		return Stats{}, err
	}
	opts.Trace = nil
	r, err := NewReader(ctx, store, key, opts)
	if err != nil {
		return Stats{}, err
	}
	defer r.Close()
	var buf []byte
	for _, rec := range recs {
		if rec.Key != "" && rec.Key != key {
			continue
		}
		if cap(buf) < rec.Len {
			buf = make([]byte, rec.Len)
		}
		if _, err := r.ReadAt(buf[:rec.Len], rec.Off); err != nil && !errors.Is(err, io.EOF) {
			return r.Stats(), fmt.Errorf("mezzfs: replaying read at %d (+%d): %w", rec.Off, rec.Len, err)
		}
	}
	return r.Stats(), nil
}
