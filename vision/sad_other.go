//go:build !amd64 || purego

package vision

// sadRow8 returns Σ|a[x]−b[x]| (b at least as long as a).
func sadRow8(a, b []uint8) uint64 { return sadRow8Go(a, b) }
