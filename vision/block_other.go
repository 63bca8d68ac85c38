//go:build !amd64 || purego

package vision

// absDiffRow sets dst[i] = |a[i] − b[i]| for i < len(a).
func absDiffRow(dst []int32, a, b []uint8) { absDiffRowGo(dst, a, b) }

// blockHoriz: see blockHorizGo.
func blockHoriz(d []int32, acc []float32, from, to int) { blockHorizGo(d, acc, from, to) }

// blockVert sets q[i] = cur[i] / max(1, win[i] − cur[i]) for i < len(q).
func blockVert(cur, win []int32, q []float32) { blockVertGo(cur, win, q) }

// sobelMag sets g[i] = |gx| + |gy| for 1 ≤ i < len(g)−1 (see sobelMagGo).
func sobelMag(up, mid, dn []uint8, g []uint16) { sobelMagGo(up, mid, dn, g, 1) }
