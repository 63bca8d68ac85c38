// Package av is reel's only user of cgo and go-astiav: it opens, probes,
// decodes, scales and encodes media through libav and hands plain Go values
// to package encoder. Errors wrap the sentinels below; package encoder maps
// them to its own public sentinels.
package av

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/asticode/go-astiav"
)

// Error classes. Every error returned by this package that is caused by the
// input wraps one of these.
var (
	ErrInvalidData = errors.New("invalid data")
	ErrTruncated   = errors.New("truncated")
	ErrCorrupt     = errors.New("corrupt")
	ErrNoVideo     = errors.New("no video stream")
	ErrUnsupported = errors.New("unsupported")
	ErrSettings    = errors.New("invalid settings")
	ErrNotFound    = errors.New("not found")
)

// classify wraps a libav error with the matching class. io.EOF is returned
// for AVERROR_EOF.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var e astiav.Error
	if errors.As(err, &e) {
		switch {
		case errors.Is(e, astiav.ErrEof):
			return io.EOF
		case errors.Is(e, astiav.ErrInvaliddata),
			errors.Is(e, astiav.ErrDemuxerNotFound),
			errors.Is(e, astiav.ErrBug),
			errors.Is(e, astiav.ErrBug2):
			return fmt.Errorf("%s: %w: %w", op, ErrInvalidData, err)
		case errors.Is(e, astiav.ErrDecoderNotFound),
			errors.Is(e, astiav.ErrEncoderNotFound),
			errors.Is(e, astiav.ErrPatchwelcome),
			errors.Is(e, astiav.ErrProtocolNotFound):
			return fmt.Errorf("%s: %w: %w", op, ErrUnsupported, err)
		case errors.Is(e, astiav.ErrOptionNotFound):
			return fmt.Errorf("%s: %w: %w", op, ErrSettings, err)
		case isErrno(e, 2): // ENOENT
			return fmt.Errorf("%s: %w: %w", op, ErrNotFound, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// damaged reports whether a decoder's error is about the packet it was
// given, to be skipped as the ffmpeg CLI does: AVERROR_INVALIDDATA, or -1
// (AVERROR(EPERM)), which some libav decoders (aac among them) still
// return for a broken frame.
func damaged(err error) bool {
	return errors.Is(err, astiav.ErrInvaliddata) || isErrno(err, 1)
}

// ioErrnos are the errnos of an input that may succeed when read again.
var ioErrnos = []int{4, 5, 11, 12, 13, 23, 24, 28, 32, 100, 101, 103, 104, 110, 111, 113} // EINTR EIO EAGAIN ENOMEM EACCES ENFILE EMFILE ENOSPC EPIPE ENETDOWN ENETUNREACH ECONNABORTED ECONNRESET ETIMEDOUT ECONNREFUSED EHOSTUNREACH

// classifyOpen is classify for a demuxer opening its input: an errno that
// is not about I/O (EINVAL, or EBUSY for a y4m header's 100000x100000) is
// the demuxer refusing the data, which reading again will not change.
func classifyOpen(op string, err error) error {
	c := classify(op, err)
	var e astiav.Error
	if !errors.As(err, &e) || errors.Is(c, ErrInvalidData) || errors.Is(c, ErrUnsupported) || errors.Is(c, ErrNotFound) || errors.Is(c, ErrSettings) {
		return c
	}
	if n := -int(e); n > 0 && n < 4096 && !slices.Contains(ioErrnos, n) {
		return fmt.Errorf("%s: %w: %w", op, ErrInvalidData, err)
	}
	return c
}

// isErrno reports whether err is the libav error AVERROR(errno).
func isErrno(err error, errno int) bool {
	var e astiav.Error
	return errors.As(err, &e) && int(e) == -errno
}

// SetLogLevel sets libav's process-wide log level: "quiet", "error",
// "warning", "info" or "debug".
func SetLogLevel(level string) error {
	m := map[string]astiav.LogLevel{
		"quiet": astiav.LogLevelQuiet, "error": astiav.LogLevelError, "warning": astiav.LogLevelWarning,
		"info": astiav.LogLevelInfo, "debug": astiav.LogLevelDebug,
	}
	l, ok := m[level]
	if !ok {
		return fmt.Errorf("%w: log level %q", ErrSettings, level)
	}
	astiav.SetLogLevel(l)
	return nil
}
