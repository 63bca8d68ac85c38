//go:build !amd64 || purego

package vision

// idetRow8 computes idet's four line sums for one row in one pass:
// |up+dn−2·prev|, |up+dn−2·next|, |up+dn−2·mid| and |2·mid−2·prev|.
func idetRow8(up, mid, dn, prev, next []uint8) (ap, an, d, g int64) {
	return idetRow8Go(up, mid, dn, prev, next)
}
