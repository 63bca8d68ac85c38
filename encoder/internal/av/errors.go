// Package av is reel's only user of cgo and go-astiav: it opens, probes,
// decodes, scales and encodes media through libav and hands plain Go values
// to package encoder. Errors wrap the sentinels below; package encoder maps
// them to its own public sentinels.
package av

import (
	"errors"
	"fmt"
	"io"

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
