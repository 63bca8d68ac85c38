package encoder

import (
	"errors"
	"fmt"
	"io"
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
	var sentinel error
	switch {
	case errors.Is(err, av.ErrTruncated):
		sentinel = ErrTruncated
	case errors.Is(err, av.ErrNoVideo):
		sentinel = ErrNoVideo
	case errors.Is(err, av.ErrInvalidData):
		sentinel = ErrInvalidData
	case errors.Is(err, av.ErrUnsupported):
		sentinel = ErrUnsupported
	case errors.Is(err, av.ErrSettings):
		sentinel = ErrInvalidSettings
	case errors.Is(err, av.ErrNotFound):
		sentinel = ErrNotFound
	default:
		return fmt.Errorf("%s: %w", input, err)
	}
	if err == av.ErrNoVideo {
		return fmt.Errorf("%s: %w", input, sentinel)
	}
	return fmt.Errorf("%s: %w: %w", input, sentinel, err)
}

// SetLibavLogLevel sets libav's log level for the whole process: "quiet",
// "error", "warning", "info" (libav's default) or "debug". It is meant for
// main packages (libx264 prints encode statistics at "info").
func SetLibavLogLevel(level string) error {
	if err := av.SetLogLevel(level); err != nil {
		return fmt.Errorf("encoder: %w: %w", ErrInvalidSettings, err)
	}
	return nil
}
