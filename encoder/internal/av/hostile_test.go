package av

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/asticode/go-astiav"
)

// writeY4M writes a y4m of frames grey 4:2:0 frames with header's size.
func writeY4M(t *testing.T, path, size string, w, h, frames int) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 %s F25:1 Ip A1:1 C420jpeg\n", size)
	for range frames {
		b.WriteString("FRAME\n")
		b.Write(bytes.Repeat([]byte{128}, w*h*3/2))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A demuxer refusing its input with an errno that is not about I/O (y4m's
// 100000x100000 header gives EBUSY) is invalid data, not an error to
// retry; the same file with a sane header opens.
func TestOpenRefusedHeaderIsInvalidData(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.y4m")
	writeY4M(t, huge, "W100000 H100000", 16, 16, 2)
	_, err := Probe(context.Background(), Input{Path: huge}, false, false)
	if !errors.Is(err, ErrInvalidData) {
		t.Errorf("100000x100000 y4m: %v, want ErrInvalidData", err)
	}
	ok := filepath.Join(dir, "ok.y4m")
	writeY4M(t, ok, "W16 H16", 16, 16, 2)
	if _, err := Probe(context.Background(), Input{Path: ok}, false, false); err != nil {
		t.Errorf("16x16 y4m: %v", err)
	}
}

func TestClassifyOpenAndDamaged(t *testing.T) {
	for _, tc := range []struct {
		errno       int
		invalid     bool // classifyOpen says ErrInvalidData
		damagedData bool // a decoder's error to skip
	}{
		{1, true, true},    // EPERM: aac's "return -1"
		{16, true, false},  // EBUSY
		{22, true, false},  // EINVAL
		{5, false, false},  // EIO: may pass when read again
		{12, false, false}, // ENOMEM
		{110, false, false},
	} {
		err := astiav.Error(-tc.errno)
		if got := errors.Is(classifyOpen("opening input", err), ErrInvalidData); got != tc.invalid {
			t.Errorf("classifyOpen(errno %d) invalid = %v, want %v", tc.errno, got, tc.invalid)
		}
		if got := damaged(err); got != tc.damagedData {
			t.Errorf("damaged(errno %d) = %v, want %v", tc.errno, got, tc.damagedData)
		}
	}
	if !damaged(astiav.ErrInvaliddata) || !errors.Is(classifyOpen("x", astiav.ErrInvaliddata), ErrInvalidData) {
		t.Error("AVERROR_INVALIDDATA is damaged data")
	}
	if errors.Is(classifyOpen("x", astiav.ErrEof), ErrInvalidData) || errors.Is(classifyOpen("x", errors.New("plain")), ErrInvalidData) {
		t.Error("EOF and plain errors are not invalid data")
	}
}
