package activities

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// ErrDiskFull is wrapped by the error of an activity that ran out of disk
// space (ENOSPC or EDQUOT, from Go or from libav): the error names the
// worker's scratch directory and the space left there, and stays
// retryable, so the title goes on once space is freed (within the
// activity's retries).
var ErrDiskFull = errors.New("disk full")

// isNoSpace reports whether err is a full disk or quota, as an errno or
// as libav's message for one.
func isNoSpace(err error) bool {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "No space left on device") || strings.Contains(msg, "Disk quota exceeded")
}

// explainNoSpace wraps a full-disk error with ErrDiskFull, the scratch
// directory dir (os.TempDir() when empty: where activities write outputs
// bound for an object store, and trial encodes) and the size of its file
// system and the bytes free there now. Other errors are returned as they
// are.
func explainNoSpace(err error, dir string) error {
	if err == nil || errors.Is(err, ErrDiskFull) || !isNoSpace(err) {
		return err
	}
	if dir == "" {
		dir = os.TempDir()
	}
	var st syscall.Statfs_t
	if serr := syscall.Statfs(dir, &st); serr != nil {
		return fmt.Errorf("%w (scratch directory %s; outputs written in place need space on their own disk too): %w", ErrDiskFull, dir, err)
	}
	free, total := st.Bavail*uint64(st.Bsize), st.Blocks*uint64(st.Bsize)
	// Measured after the attempt failed: its own files may be gone by now.
	return fmt.Errorf("%w: scratch directory %s, on a file system of %d bytes (%d free now); outputs written in place need space on their own disk too; retried: %w",
		ErrDiskFull, dir, total, free, err)
}
