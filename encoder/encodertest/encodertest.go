// Package encodertest holds helpers for tests that need damaged media; it
// is imported only by tests (of encoder and of the activities).
package encodertest

import (
	"os"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// CorruptPacket zeroes the first half of the payload of the packet that
// holds frame n of an intra-only file (one packet per frame, in order; an
// MJPEG AVI as the tests make it), so that the decoder rejects that frame.
// It needs ffprobe.
func CorruptPacket(tb testing.TB, path string, n int) {
	tb.Helper()
	pk := videoPacket(tb, path, n)
	pos, size := pk.Pos, pk.Size
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if size <= 0 || pos <= 0 || pos+8+size > int64(len(b)) {
		tb.Fatalf("packet %d: %+v", n, pk)
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
	pos := videoPacket(tb, path, k).Pos
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

// videoPacket returns the video packet n of path (in file order), by
// ffprobe.
func videoPacket(tb testing.TB, path string, n int) mediatest.Packet {
	tb.Helper()
	pk := mediatest.Packets(tb, path, "v")
	if n >= len(pk) {
		tb.Fatalf("%s has %d packets, no packet %d", path, len(pk), n)
	}
	return pk[n]
}
