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

// DamageAVIChunk flips (XOR 0xff) n bytes of an AVI from the chunk header
// of its video packet k on (the 8 bytes before the packet's data, then
// payload): the demuxer resyncs past the chunk and loses that packet while
// the file keeps its size and its idx1 index. It needs ffprobe.
func DamageAVIChunk(tb testing.TB, path string, k, n int) {
	tb.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pos", "-of", "csv=p=0", path).Output()
	if err != nil {
		tb.Fatalf("ffprobe %s: %v", path, err)
	}
	lines := strings.Fields(string(out))
	if k >= len(lines) {
		tb.Fatalf("%s has %d packets, no packet %d", path, len(lines), k)
	}
	var pos int64
	if _, err := fmt.Sscan(lines[k], &pos); err != nil {
		tb.Fatalf("packet %d: %q: %v", k, lines[k], err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if pos < 8 || pos-8+int64(n) > int64(len(b)) {
		tb.Fatalf("packet %d at %d: %d bytes from its chunk header do not fit in %d", k, pos, n, len(b))
	}
	for i := pos - 8; i < pos-8+int64(n); i++ {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}
