//go:build amd64 && !purego

package vision

// sadBytesSSE2 returns Σ|a[i]−b[i]| over n bytes (n a positive multiple
// of 16), 16 at a time with PSADBW.
//
//go:noescape
func sadBytesSSE2(a, b *byte, n int) uint64

// sadRow8 returns Σ|a[x]−b[x]| (b at least as long as a).
func sadRow8(a, b []uint8) uint64 {
	n := len(a) &^ 15
	var s uint64
	if n > 0 {
		b = b[:len(a)]
		s = sadBytesSSE2(&a[0], &b[0], n)
	}
	return s + sadRow8Go(a[n:], b[n:])
}
