package encoder

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/reel-video/reel/encoder/internal/av"
)

// checkInput reports a missing, unreadable or empty local input before
// libav sees it, so that those cases get a precise sentinel.
func checkInput(input string) error {
	if input == "" {
		return fmt.Errorf("%w: empty input path", ErrNotFound)
	}
	if strings.Contains(input, "://") {
		return nil // a URL; libav decides
	}
	fi, err := os.Stat(input)
	switch {
	case errors.Is(err, os.ErrNotExist):
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return fmt.Errorf("%s: %w: %w", input, ErrNotFound, err)
	case err != nil:
		return fmt.Errorf("%s: %w", input, err)
	case fi.IsDir():
		return fmt.Errorf("%s: %w: is a directory", input, ErrInvalidData)
	case fi.Size() == 0:
		return fmt.Errorf("%s: %w: file has zero bytes", input, ErrEmpty)
	}
	return nil
}

// mapErr turns an error from package av into one that wraps this package's
// sentinels and names the input.
func mapErr(input string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	var sentinel, cls error
	for _, m := range [][2]error{
		{av.ErrTruncated, ErrTruncated},
		{av.ErrCorrupt, ErrCorrupt},
		{av.ErrNoVideo, ErrNoVideo},
		{av.ErrNoAudio, ErrNoAudio},
		{av.ErrInvalidData, ErrInvalidData},
		{av.ErrUnsupported, ErrUnsupported},
		{av.ErrSettings, ErrInvalidSettings},
		{av.ErrNotFound, ErrNotFound},
	} {
		if errors.Is(err, m[0]) {
			cls, sentinel = m[0], m[1]
			break
		}
	}
	if sentinel == nil {
		return fmt.Errorf("%s: %w", input, err)
	}
	if err == cls {
		return fmt.Errorf("%s: %w", input, sentinel)
	}
	// Keep the cause's text without repeating av's class name (after the
	// operation, or at the end: "chunk 0 (x.mp4): no video stream"); the
	// libav error itself is an implementation detail and is not wrapped.
	cause := err.Error()
	if c := strings.Replace(cause, cls.Error()+": ", "", 1); c != cause {
		cause = c
	} else {
		cause = strings.TrimSuffix(cause, ": "+cls.Error())
	}
	return fmt.Errorf("%s: %w: %s", input, sentinel, cause)
}

// SetLibavLogLevel sets libav's log level for the whole process: "quiet",
// "error", "warning", "info" (libav's default) or "debug". It is meant for
// main packages (libx264 prints encode statistics at "info").
func SetLibavLogLevel(level string) error {
	if err := av.SetLogLevel(level); err != nil {
		return fmt.Errorf("encoder: %w: libav log level %q (want quiet, error, warning, info or debug)", ErrInvalidSettings, level)
	}
	return nil
}
