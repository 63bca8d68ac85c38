//go:build amd64 && !purego

package vision

// gaussVertSSE2 is gaussVertGo for columns [0, n), n a positive multiple
// of 16.
//
//go:noescape
func gaussVertSSE2(r0, r1, r2, r3, r4 *byte, c0, c1, c2 *uint16, n int)

// gaussHorizSSE2 writes n outputs (n a positive multiple of 8) from the
// column weights; c0, c1, c2 and dst point at the first output's column.
//
//go:noescape
func gaussHorizSSE2(c0, c1, c2 *uint16, dst *byte, n int)

// gaussRow blurs one row (see gaussRowGo), 8 or 16 columns at a time.
func gaussRow(r *[5][]uint8, c *[3][]uint16, dst []uint8) {
	w := len(dst)
	rm2, rm1, r0, rp1, rp2 := r[0][:w], r[1][:w], r[2][:w], r[3][:w], r[4][:w]
	c0, c1, c2 := c[0][:w], c[1][:w], c[2][:w]
	nv := w &^ 15
	if nv > 0 {
		gaussVertSSE2(&rm2[0], &rm1[0], &r0[0], &rp1[0], &rp2[0], &c0[0], &c1[0], &c2[0], nv)
	}
	gaussVertGo(rm2, rm1, r0, rp1, rp2, c0, c1, c2, nv)
	dst[0], dst[1], dst[w-2], dst[w-1] = r0[0], r0[1], r0[w-2], r0[w-1]
	nh := (w - 4) &^ 7
	if nh > 0 {
		gaussHorizSSE2(&c0[2], &c1[2], &c2[2], &dst[2], nh)
	}
	gaussHorizGo(c0, c1, c2, dst, 2+nh)
}
