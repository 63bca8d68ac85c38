//go:build amd64 && !purego

package vision

// idetAcc receives idetRowSSE2's lane sums.
type idetAcc struct {
	ap, an, d [4]int32
	g         [2]uint64
}

// idetRowSSE2 is idetRow8 over n bytes (n a positive multiple of 16), 16
// pixels at a time; g is Σ|mid−prev|, not yet doubled.
//
//go:noescape
func idetRowSSE2(up, mid, dn, prev, next *byte, n int, acc *idetAcc)

// idetRow8 computes idet's four line sums for one row in one pass:
// |up+dn−2·prev|, |up+dn−2·next|, |up+dn−2·mid| and |2·mid−2·prev|.
func idetRow8(up, mid, dn, prev, next []uint8) (ap, an, d, g int64) {
	n := len(up) &^ 15
	if n > 0 {
		mid, dn, prev, next = mid[:len(up)], dn[:len(up)], prev[:len(up)], next[:len(up)]
		var acc idetAcc
		idetRowSSE2(&up[0], &mid[0], &dn[0], &prev[0], &next[0], n, &acc)
		for k := 0; k < 4; k++ {
			ap += int64(acc.ap[k])
			an += int64(acc.an[k])
			d += int64(acc.d[k])
		}
		g = 2 * int64(acc.g[0]+acc.g[1])
	}
	tap, tan, td, tg := idetRow8Go(up[n:], mid[n:], dn[n:], prev[n:], next[n:])
	return ap + tap, an + tan, d + td, g + tg
}
