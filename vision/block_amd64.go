//go:build amd64 && !purego

package vision

//go:noescape
func blockHorizSSE2(d *int32, acc *float32, n int)

//go:noescape
func blockVertSSE2(cur, win *int32, q *float32, n int)

//go:noescape
func absDiffSSE2(dst *int32, a, b *byte, n int)

// absDiffRow sets dst[i] = |a[i] − b[i]| for i < len(a).
func absDiffRow(dst []int32, a, b []uint8) {
	n := len(a) &^ 15
	if n > 0 {
		b, dst = b[:len(a)], dst[:len(a)]
		absDiffSSE2(&dst[0], &a[0], &b[0], n)
	}
	absDiffRowGo(dst[n:], a[n:], b[n:])
}

// blockHoriz adds blockdetect's normalised horizontal gradients of one row
// (d: its gradients) to acc for columns [from, to); see blockHorizGo.
func blockHoriz(d []int32, acc []float32, from, to int) {
	n := (to - from) &^ 3
	if n > 0 {
		_, _ = d[from-3], d[from+n+2] // the kernel reads d[from−3 : from+n+3]
		_ = acc[from+n-1]
		blockHorizSSE2(&d[from], &acc[from], n)
	}
	blockHorizGo(d, acc, from+n, to)
}

// blockVert sets q[i] = cur[i] / max(1, win[i] − cur[i]) for i < len(q).
func blockVert(cur, win []int32, q []float32) {
	n := len(q) &^ 3
	if n > 0 {
		_, _ = cur[n-1], win[n-1]
		blockVertSSE2(&cur[0], &win[0], &q[0], n)
	}
	blockVertGo(cur[n:], win[n:], q[n:])
}

//go:noescape
func sobelMagSSE2(up, mid, dn *byte, grad *uint16, n int)

// sobelMag sets g[i] = |gx| + |gy| for 1 ≤ i < len(g)−1 (see sobelMagGo).
func sobelMag(up, mid, dn []uint8, g []uint16) {
	w := len(g)
	n := (w - 2) &^ 7
	if n > 0 {
		_, _, _ = up[w-1], mid[w-1], dn[w-1]
		sobelMagSSE2(&up[1], &mid[1], &dn[1], &g[1], n)
	}
	sobelMagGo(up, mid, dn, g, 1+n)
}
