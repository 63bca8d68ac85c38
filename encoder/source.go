package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/reel-video/reel/encoder/internal/av"
	"github.com/reel-video/reel/mezzfs"
)

// IOOptions configures how the encoder reads its inputs. Every entry point
// that takes an input (Probe, OpenDecoder, OpenAudioDecoder, EncodeLadder,
// EncodeChunk, EncodeAudio) accepts
//
//	s3://bucket/key     read through mezzfs from S3
//	file:///abs/path    read through mezzfs from a local directory
//	/abs/path, rel/path libav's own file protocol (the fast path), unless
//	                    IOOptions.AllPaths
//
// URIs are opened with mezzfs.Open and read by a mezzfs.Reader (ranged
// GETs, block cache, read-ahead) that libav sees through a custom
// AVIOContext, so probing a file or decoding one chunk fetches only the
// bytes libav touches, never the whole object. Other URLs (http://, …) go
// to libav unchanged.
//
// IOOptions travel in the context (WithIO), so one setting reaches every
// call made with that context, including the ones whose options type is
// shared with workflow code (ProbeOptions). The zero value reads s3:// with
// the endpoint and credentials of the standard AWS environment variables
// and shared credentials file (see mezzfs.S3Options).
type IOOptions struct {
	// Store configures mezzfs.Open (S3 endpoint, region, credentials).
	Store mezzfs.Options
	// Reader configures the mezzfs.Reader. Zero fields take mezzfs's
	// defaults for whole-file decodes and the values of ChunkReaderOptions
	// for Probe and EncodeChunk.
	Reader mezzfs.ReaderOptions
	// Stats, when set, is called once for every input read through
	// mezzfs, when the call (or the Decoder) is done with it, with the
	// input as given and the reader's final counters.
	Stats func(input string, st mezzfs.Stats)
	// AllPaths reads plain local paths through mezzfs too (a
	// mezzfs.LocalStore) instead of libav's file protocol: slower, but the
	// reads are counted and can be traced (Reader.Trace).
	AllPaths bool
}

type ioKey struct{}

// WithIO returns a copy of ctx carrying o for the encoder calls made with it.
func WithIO(ctx context.Context, o IOOptions) context.Context {
	return context.WithValue(ctx, ioKey{}, o)
}

// IOFromContext returns the IOOptions WithIO put in ctx, or the zero value.
func IOFromContext(ctx context.Context) IOOptions {
	o, _ := ctx.Value(ioKey{}).(IOOptions)
	return o
}

// ChunkReaderOptions returns o with its zero fields set to the reader
// settings Probe and EncodeChunk use: 64 KiB blocks and read-ahead capped
// at 512 KiB, so that probing reads little past the headers and decoding
// chunk k of N of a mezzanine fetches little more than that chunk's span
// in the file (≤ 1.15× on a 1080p mezzanine, bench/mezzfs_amplification.sh).
// Consecutive missing blocks still go in one GET (MaxFetch).
//
// Whole-file decodes (EncodeLadder, OpenDecoder, OpenAudioDecoder,
// EncodeAudio) keep mezzfs's defaults (1 MiB blocks, read-ahead growing to
// 64 MiB, up to 8 ranged GETs in flight), which read sequentially at
// plain-GET speed on loopback and several times faster than one GET where
// the store caps each connection (bench/mezzfs.sh).
func ChunkReaderOptions(o mezzfs.ReaderOptions) mezzfs.ReaderOptions {
	if o.BlockSize == 0 {
		o.BlockSize = 64 << 10
	}
	if o.MaxReadAhead == 0 {
		o.MaxReadAhead = 512 << 10
	}
	return o
}

// access says how an input will be read, to pick reader options.
type access int

const (
	readAll   access = iota // the whole input, sequentially
	readRange               // headers and one range (Probe, EncodeChunk)
)

// isStoreURI reports whether input is read through mezzfs.
func isStoreURI(input string, o IOOptions) bool {
	scheme, _, ok := strings.Cut(input, "://")
	if !ok {
		return o.AllPaths && input != ""
	}
	return strings.EqualFold(scheme, "s3") || strings.EqualFold(scheme, "file")
}

// source is one open input: a path for libav, or a mezzfs.Reader.
type source struct {
	input string
	in    av.Input
	r     *mezzfs.Reader
	stats func(string, mezzfs.Stats)

	mu   sync.Mutex
	err  error // first read error from the store
	once sync.Once
}

// openSource opens input for libav. Local paths are checked (missing,
// empty, directory); URIs are opened through mezzfs with the IOOptions of
// ctx, whose Reader lives until close (or until ctx is done). Errors wrap
// this package's sentinels.
func openSource(ctx context.Context, input string, how access) (*source, error) {
	o := IOFromContext(ctx)
	if !isStoreURI(input, o) {
		if err := checkInput(input); err != nil {
			return nil, err
		}
		return &source{input: input, in: av.Input{Path: input}}, nil
	}
	store, key, err := mezzfs.Open(ctx, input, o.Store)
	if err != nil {
		return nil, storeErr(input, err)
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, fmt.Errorf("%s: %w: names a directory or prefix, not an object", input, ErrInvalidData)
	}
	ropts := o.Reader
	if how == readRange {
		ropts = ChunkReaderOptions(ropts)
	}
	r, err := mezzfs.NewReader(ctx, store, key, ropts)
	if err != nil {
		return nil, storeErr(input, err)
	}
	if r.Size() == 0 {
		r.Close()
		return nil, fmt.Errorf("%s: %w: object has zero bytes", input, ErrEmpty)
	}
	s := &source{input: input, r: r, stats: o.Stats}
	// libav sees the key's base name: its extension helps format probing,
	// and a name without a scheme makes libav treat the input as a local
	// file (as on the fast path) instead of an unknown network protocol,
	// for which it would enlarge its own buffers and warn; mezzfs does the
	// buffering.
	s.in = av.Input{Path: path.Base(key), Reader: (*recordingReader)(s), Size: r.Size()}
	return s, nil
}

// size is the input's size in bytes (0 when libav opens it itself).
func (s *source) size() int64 {
	if s.r == nil {
		return 0
	}
	return s.r.Size()
}

// close closes the reader and reports its stats. Safe to call twice and on
// nil.
func (s *source) close() {
	if s == nil || s.r == nil {
		return
	}
	s.once.Do(func() {
		st := s.r.Stats()
		s.r.Close()
		if s.stats != nil {
			s.stats(s.input, st)
		}
	})
}

// readErr returns the first error the store gave a read, if any.
func (s *source) readErr() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// mapErr is mapErr for this input, except that a failed read from the
// store explains a libav failure better than libav can (libav sees EIO and
// may call the stream truncated or corrupt): then the store's error is
// returned instead.
func (s *source) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if rerr := s.readErr(); rerr != nil {
		return storeErr(s.input, rerr)
	}
	return mapErr(s.input, err)
}

// recordingReader is the source's io.ReaderAt for libav: the reader's,
// keeping the first error other than io.EOF.
type recordingReader source

func (rr *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := rr.r.ReadAt(p, off)
	if err != nil && n < len(p) && !isEOF(err) {
		rr.mu.Lock()
		if rr.err == nil {
			rr.err = err
		}
		rr.mu.Unlock()
	}
	return n, err
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// storeErr maps a mezzfs error to this package's sentinels, keeping the
// mezzfs error (and its sentinel) wrapped: a missing object or bucket or an
// unparsable URI is ErrNotFound, refused credentials ErrAccessDenied, an
// object replaced while it was read ErrSourceChanged; anything else
// (mezzfs.ErrRetriesExhausted, a cancelled context) is returned as it is,
// retryable.
func storeErr(input string, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, mezzfs.ErrNotFound), errors.Is(err, mezzfs.ErrInvalidURI):
		return fmt.Errorf("%s: %w: %w", input, ErrNotFound, err)
	case errors.Is(err, mezzfs.ErrAccessDenied):
		return fmt.Errorf("%s: %w: %w", input, ErrAccessDenied, err)
	case errors.Is(err, mezzfs.ErrChanged):
		return fmt.Errorf("%s: %w: %w", input, ErrSourceChanged, err)
	}
	return fmt.Errorf("%s: %w", input, err)
}
