//go:build amd64 && !purego

package adm

import "unsafe"

// cmArgs are the arguments of cm0RowAVX2, laid out for the assembly
// (offsets in cm_amd64.s): the row pointers, then constants broadcast
// to full vectors.
type cmArgs struct {
	sh, sv, sd, a0, a1, a2 *int16
	ru, rk, rd, f          *int32
	n                      int
	_                      int
	irf                    [3][8]int32
	c8738, c2048           [8]int32
	sq28, sq29             [4]int64
	addH, addD             [4]int64
	shSqH, shSqD, shH, shD uint64
	out                    [3]int64
}

var _ = [1]int{}[unsafe.Offsetof(cmArgs{}.out)-416]

// cm0RowAVX2 adds up, for the a.n (a multiple of 8) coefficients of one
// row, the three cmRound sums of cm0's inner loop into a.out.
//
//go:noescape
func cm0RowAVX2(a *cmArgs)

func (a *cmArgs) init(irf [3]int32, addH int64, shH uint32, addD int64, shD uint32) {
	for l := 0; l < 8; l++ {
		for t := 0; t < 3; t++ {
			a.irf[t][l] = irf[t]
		}
		a.c8738[l] = oneBy15
		a.c2048[l] = 2048
	}
	for l := 0; l < 4; l++ {
		a.sq28[l], a.sq29[l] = 1<<28, 1<<29
		a.addH[l], a.addD[l] = addH, addD
	}
	a.shSqH, a.shSqD, a.shH, a.shD = 29, 30, uint64(shH), uint64(shD)
}

// cm0Row returns cm0's three row sums over columns [j0, j0+n), n a
// multiple of 8, at row offset ro (up/down rows at uo/do).
func cm0Row(a *cmArgs, src, angles [3][]int16, F, R []int32, ro, uo, do, j0, n int) (ih, iv, id int64) {
	k := ro + j0
	a.sh, a.sv, a.sd = &src[0][k], &src[1][k], &src[2][k]
	a.a0, a.a1, a.a2 = &angles[0][k], &angles[1][k], &angles[2][k]
	a.ru, a.rk, a.rd, a.f = &R[uo+j0], &R[k], &R[do+j0], &F[k]
	a.n = n
	cm0RowAVX2(a)
	return a.out[0], a.out[1], a.out[2]
}

// cmS123Args are the arguments of cmS123RowAVX2 (offsets in
// cms123_amd64.s): row pointers, then constants as full vectors.
type cmS123Args struct {
	sh, sv, sd, a0, a1, a2 *int32
	ru, rk, rd, f          *int32
	n                      int
	_                      int
	irf                    [3][4]int64
	oneBy15, addFlt        [4]int64
	addDst, addSq, addCub  [4]int64
	shCub                  uint64
	_                      uint64
	out                    [3]int64
}

var _ = [1]int{}[unsafe.Offsetof(cmS123Args{}.out)-368]

// cmS123RowAVX2 adds up, for the a.n (a multiple of 8) coefficients of
// one row, the three cmRound sums of cmS123's inner loop into a.out.
//
//go:noescape
func cmS123RowAVX2(a *cmS123Args)

func (a *cmS123Args) init(irf [3]int64, addCub int64, shCub uint32) {
	for l := 0; l < 4; l++ {
		for t := 0; t < 3; t++ {
			a.irf[t][l] = irf[t]
		}
		a.oneBy15[l], a.addFlt[l] = i4OneBy15, -2147483648
		a.addDst[l], a.addSq[l], a.addCub[l] = 1<<27, 1<<29, addCub
	}
	a.shCub = uint64(shCub)
}

// cmS123Row returns cmS123's three row sums over columns [j0, j0+n), n a
// multiple of 8, at row offset ro (up/down rows at uo/do).
func cmS123Row(a *cmS123Args, src, angles [3][]int32, F, R []int32, ro, uo, do, j0, n int) (ih, iv, id int64) {
	k := ro + j0
	a.sh, a.sv, a.sd = &src[0][k], &src[1][k], &src[2][k]
	a.a0, a.a1, a.a2 = &angles[0][k], &angles[1][k], &angles[2][k]
	a.ru, a.rk, a.rd, a.f = &R[uo+j0], &R[k], &R[do+j0], &F[k]
	a.n = n
	cmS123RowAVX2(a)
	return a.out[0], a.out[1], a.out[2]
}

// sum3WAVX2 sets d[j] = a[j]+b[j]+c[j] (int16 in, int32 out) for j < n,
// n a multiple of 8.
//
//go:noescape
func sum3WAVX2(a, b, c *int16, d *int32, n int)

// sum3DAVX2 sets d[j] = a[j]+b[j]+c[j] (int32, wrapping) for j < n, n a
// multiple of 8; d may be a, b or c.
//
//go:noescape
func sum3DAVX2(a, b, c, d *int32, n int)
