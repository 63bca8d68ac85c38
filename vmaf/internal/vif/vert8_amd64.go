//go:build amd64 && !purego

package vif

import "golang.org/x/sys/cpu"

var hasAVX2 = cpu.X86.HasAVX2

// vert8PairAVX2 adds, for n elements (n a multiple of 8):
//
//	m1 += c*(xa+xb); m2 += c*(ya+yb); sx += c*(xa²+xb²);
//	sy += c*(ya²+yb²); sxy += c*(xa*ya+xb*yb)
//
// in uint32 lanes (wrapping, as the Go loop). xb/yb may equal xa/ya with
// c halved by the caller for the centre tap; see vertical8.
//
//go:noescape
func vert8PairAVX2(xa, xb, ya, yb *uint8, m1, m2, sx, sy, sxy *uint32, n int, c uint32)

// vert8CenterAVX2 sets m1 = c*x, m2 = c*y, sx = c*x², sy = c*y²,
// sxy = c*x*y for n elements (n a multiple of 8).
//
//go:noescape
func vert8CenterAVX2(x, y *uint8, m1, m2, sx, sy, sxy *uint32, n int, c uint32)

// horiz17AVX2 is horizontal17's loop for n outputs (n a multiple of 4);
// tmu, txx, tyy and txy point at the first sample of output 0's window.
//
//go:noescape
func horiz17AVX2(tmu *uint64, txx, tyy, txy *uint32, a0, a1, a2, a3 *uint64, n int)

// vert16PairAVX2 is vertical16's tap-pair loop for 16-bit samples, n a
// multiple of 4.
//
//go:noescape
func vert16PairAVX2(xa, xb, ya, yb *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32)

// vert16CenterAVX2 is vertical16's centre-tap loop for 16-bit samples.
//
//go:noescape
func vert16CenterAVX2(x, y *uint16, aMu, aXX, aYY, aXY *uint64, n int, c uint32)

// sub8PairAVX2: ar += c*(xa+xb), ad += c*(ya+yb), n a multiple of 8.
//
//go:noescape
func sub8PairAVX2(xa, xb, ya, yb *uint8, ar, ad *uint32, n int, c uint32)

// sub8CenterAVX2: ar = c*x, ad = c*y, n a multiple of 8.
//
//go:noescape
func sub8CenterAVX2(x, y *uint8, ar, ad *uint32, n int, c uint32)
