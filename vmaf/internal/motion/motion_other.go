//go:build !amd64 || purego

package motion

const hasAVX2 = false

func yPass8AVX2(p0, p1, p2, p3, p4, c0, c1, c2, c3, c4 *uint8, yrow *int32, n int) (any int32) {
	panic("unreachable")
}

func xPassAVX2(y *int32, n int) uint32 { panic("unreachable") }
