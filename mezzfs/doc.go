// Package mezzfs reads just the part of a huge mezzanine an encoder needs,
// straight from object storage, in the spirit of Netflix's MezzFS and
// rclone's vfs layer. It has no FUSE dependency: package mezzfs/fusefs
// mounts it as a read-only file system, and encoders that take an
// io.ReaderAt or io.ReadSeeker use a Reader directly.
//
// # Stores
//
// A Store is the small interface the Reader needs: Stat (size, ETag,
// mtime), ReadRange (exactly n bytes from an offset, for one ETag), List
// and Put (whole or nothing). S3Store talks to any S3 server through
// minio-go (endpoint, region and credentials from S3Options or the
// standard AWS_* variables and shared credentials file; path-style for
// local servers); LocalStore is a directory. Open parses s3://bucket/key,
// file:///path and plain paths.
//
// # Reader
//
// A Reader serves one object in fixed-size blocks (ReaderOptions.BlockSize,
// 1 MiB by default):
//
//   - Blocks live in an in-memory LRU with a byte budget (CacheBytes) and,
//     optionally, in an on-disk cache directory shared across Readers.
//   - Reads that continue where the previous one ended grow a read-ahead
//     window (one block, doubling up to MaxReadAhead); a seek resets it
//     to zero, so random access (an MP4 index, then chunk k) fetches only
//     what it touches.
//   - Missing consecutive blocks are fetched with one ranged GET (at most
//     MaxFetch bytes), at most Concurrency GETs at a time; read-ahead only
//     uses free slots, so it never delays a read that is waiting. The
//     window is fetched in runs of a quarter of it, so a sequential read
//     keeps several GETs (connections) in flight: an object store caps
//     each connection's bandwidth, and their first-byte latencies overlap.
//   - With Stream (the FUSE mount's default), a clearly sequential read
//     is served by one GET to the end of the object, consumed only as far
//     as the read-ahead window asks and dropped on a seek; a stream slower
//     than StreamMinRate (a per-connection cap) is given up for the
//     parallel ranged GETs.
//   - Borrow reads without copying: it lends the cached blocks until
//     released (the FUSE mount writes them to the kernel directly).
//   - The ETag is pinned at open and sent as If-Match; responses are
//     checked for ETag, Content-Range and length, and every block is read
//     in full before it is used. A replaced object is ErrChanged, never a
//     mix of versions.
//   - 5xx answers, resets, truncated bodies and stalls (no byte for
//     StallTimeout) are retried with jittered exponential backoff,
//     resuming after the last whole block; after MaxAttempts failures
//     without progress the read fails with ErrRetriesExhausted.
//   - Stats counts requests, retries, bytes fetched and served, cache
//     hits and misses and the read amplification (fetched/served).
//
// # Traces
//
// A TraceWriter records every read (key, offset, length, time) as JSON
// lines, like MezzFS's replay files; Replay runs a trace against a store
// and returns the Stats, to tune block size and read-ahead offline.
//
// # Errors
//
// ErrNotFound, ErrAccessDenied and ErrChanged are bad input (IsBadInput):
// callers map them to non-retryable errors. ErrRetriesExhausted wraps the
// last transient failure. All errors name the object and wrap their cause.
package mezzfs
