//go:build !amd64 || purego

package vif

const hasAVX2 = false

func vert8RowAVX2(rows *[34]*uint8, tmu *uint64, txx, tyy, txy *uint32, n int) {
	panic("unreachable")
}

func horiz17AVX2(tmu *uint64, txx, tyy, txy *uint32, a0, a1, a2, a3 *uint64, n int) {
	panic("unreachable")
}

func horiz9AVX2(tmu *uint64, txx, tyy, txy *uint32, a0, a1, a2, a3 *uint64, n int) {
	panic("unreachable")
}

func horiz5AVX2(tmu *uint64, txx, tyy, txy *uint32, a0, a1, a2, a3 *uint64, n int) {
	panic("unreachable")
}

func horiz3AVX2(tmu *uint64, txx, tyy, txy *uint32, a0, a1, a2, a3 *uint64, n int) {
	panic("unreachable")
}

func vert16PairAVX2(xa, xb, ya, yb *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32) {
	panic("unreachable")
}

func vert16CenterAVX2(x, y *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32) {
	panic("unreachable")
}

func sub8PairAVX2(xa, xb, ya, yb *uint8, ar, ad *uint32, n int, c uint32) {
	panic("unreachable")
}

func sub8CenterAVX2(x, y *uint8, ar, ad *uint32, n int, c uint32) {
	panic("unreachable")
}

func accumulateAVX2(hMu, hXX, hYY, hXY *uint64, n int, l *accLanes, tab *uint16) {
	panic("unreachable")
}

func sub9HorizAVX2(tm *uint64, oref, odis *uint16, n int, c *[5]uint32) { panic("unreachable") }

func vert16RoundAVX2(aMu, aXX, aYY, aXY *uint64, tmu *uint64, txx, tyy, txy *uint32, n int, rndVP uint64, shVP uint64, rndSq uint64, shSq uint64) {
	panic("unreachable")
}
