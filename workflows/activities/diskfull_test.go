package activities

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestExplainNoSpace(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		err  error
		full bool
	}{
		{"errno", &fs.PathError{Op: "write", Path: filepath.Join(dir, "x"), Err: syscall.ENOSPC}, true},
		{"quota", fmt.Errorf("upload: %w", syscall.EDQUOT), true},
		{"libav message", errors.New("encoder: encode s3://m/t.mp4: writing packet: No space left on device"), true},
		{"other", errors.New("connection reset by peer"), false},
		{"not found", os.ErrNotExist, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := explainNoSpace(tt.err, dir)
			if !tt.full {
				if got != tt.err {
					t.Fatalf("got %v, want the error unchanged", got)
				}
				return
			}
			if !errors.Is(got, ErrDiskFull) || !strings.Contains(got.Error(), "scratch directory "+dir+", on a file system of ") ||
				!strings.Contains(got.Error(), "free now") || !strings.Contains(got.Error(), tt.err.Error()) {
				t.Fatalf("got %v", got)
			}
			if errors.Is(tt.err, syscall.ENOSPC) && !errors.Is(got, syscall.ENOSPC) {
				t.Fatalf("%v no longer wraps ENOSPC", got)
			}
			if again := explainNoSpace(got, dir); again != got {
				t.Fatalf("explained twice: %v", again)
			}
			// Still retryable: classify leaves it a plain error.
			if c := classify(got); c != got {
				t.Fatalf("classify made %v of it", c)
			}
		})
	}
}
