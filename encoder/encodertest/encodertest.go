// Package encodertest holds helpers for tests that need damaged media; it
// is imported only by tests (of encoder and of the activities).
package encodertest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// CorruptPacket zeroes the first half of the payload of the packet that
// holds frame n of an intra-only file (one packet per frame, in order; an
// MJPEG AVI as the tests make it), so that the decoder rejects that frame.
// It needs ffprobe.
func CorruptPacket(tb testing.TB, path string, n int) {
	tb.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=size,pos", "-of", "csv=p=0:nk=0", path).Output()
	if err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if n >= len(lines) {
		tb.Fatalf("%s has %d packets, no packet %d", path, len(lines), n)
	}
	var pos, size int64
	for _, kv := range strings.Split(lines[n], ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "pos":
			fmt.Sscan(v, &pos)
		case "size":
			fmt.Sscan(v, &size)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if size <= 0 || pos <= 0 || pos+8+size > int64(len(b)) {
		tb.Fatalf("packet %d: %q", n, lines[n])
	}
	if b[pos] != 0xff || b[pos+1] != 0xd8 {
		pos += 8 // AVI chunk header
	}
	for i := pos; i < pos+size/2; i++ {
		b[i] = 0
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
