package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
)

// Sentinel errors. Every error returned by this package that has one of
// these causes wraps it, so callers test with errors.Is.
//
// ErrNotFound, ErrAccessDenied and ErrChanged are "bad input": retrying
// will not help, and a caller (an activity) maps them to non-retryable
// errors. ErrRetriesExhausted wraps the last transient failure (a 5xx, a
// reset, a timeout) after the retry budget was spent; it is retryable at a
// higher level.
var (
	// ErrNotFound: the bucket, the key or the local file does not exist.
	ErrNotFound = errors.New("mezzfs: object not found")
	// ErrAccessDenied: the store refused the credentials (wrong key or
	// secret, bad signature, no permission).
	ErrAccessDenied = errors.New("mezzfs: access denied")
	// ErrChanged: the object's ETag is not the one seen when it was opened;
	// bytes of two versions are never mixed.
	ErrChanged = errors.New("mezzfs: object changed since open")
	// ErrRetriesExhausted: a transient failure persisted through every retry.
	ErrRetriesExhausted = errors.New("mezzfs: retries exhausted")
	// ErrInvalidURI: a URI passed to Open cannot be parsed.
	ErrInvalidURI = errors.New("mezzfs: invalid URI")
	// ErrClosed: the Reader or store was used after Close.
	ErrClosed = errors.New("mezzfs: reader closed")
	// ErrShortResponse: a store returned fewer or more bytes than asked
	// for, or a range other than the one asked for. Transient (retried).
	ErrShortResponse = errors.New("mezzfs: response length does not match request")
)

// IsBadInput reports whether err is a permanent input error (missing
// object, refused credentials, object changed): one a caller should not
// retry.
func IsBadInput(err error) bool {
	return errors.Is(err, ErrNotFound) || errors.Is(err, ErrAccessDenied) ||
		errors.Is(err, ErrChanged) || errors.Is(err, ErrInvalidURI)
}

// permanentError marks a store error that must not be retried even
// though it carries none of the sentinels (an HTTP 400, say).
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the Reader's retry loop does not retry it. Stores
// use it for client errors (4xx) that are not one of the sentinels.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// retryable reports whether a failed request may be tried again. ctx is
// the caller's context: once it is done nothing is retried.
func retryable(ctx context.Context, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	if IsBadInput(err) || errors.Is(err, ErrClosed) {
		return false
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return false
	}
	return true
}

// isNetError reports whether err looks like a transport failure (reset,
// refused, timeout, truncated body); used by stores to tell them apart from
// protocol errors.
func isNetError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

// objectError names the object in an error: "mezzfs: s3://b/k: cause".
func objectError(op, name string, err error) error {
	return fmt.Errorf("%s %s: %w", op, name, err)
}
