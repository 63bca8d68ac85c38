//go:build amd64 && !purego

package adm

import "unsafe"

// decArgs are the arguments of decouple0RowAVX2 (offsets in
// dec_amd64.s): band pointers at the first coefficient of the row, then
// constants as full vectors.
type decArgs struct {
	oh, ov, od, th, tv, td *int16
	rh, rv, rd, ah, av, ad *int16
	n                      int
	dl                     *int32
	inv4096, cos, egl      [4]float64
	r16384q, lim           [4]int64
	k32768, r16384d        [4]int32
}

var _ = [1]int{}[unsafe.Offsetof(decArgs{}.r16384d)-288]

// decouple0RowAVX2 is decouple0 for a.n coefficients (a multiple of 4).
//
//go:noescape
func decouple0RowAVX2(a *decArgs)

func (a *decArgs) init(egl float64) {
	a.dl = &divLookup[0]
	for l := 0; l < 4; l++ {
		a.inv4096[l] = 1.0 / 4096
		a.cos[l] = float64(cos1degSq)
		a.egl[l] = egl
		a.r16384q[l] = 16384
		// The largest product+16384 whose >>15 stays at most 32768.
		a.lim[l] = 32769*32768 - 1
		a.k32768[l] = 32768
		a.r16384d[l] = 16384
	}
}

func decouple0Row(a *decArgs, ref, dis, r, ad *band16, k, n int) {
	a.oh, a.ov, a.od = &ref.h[k], &ref.v[k], &ref.d[k]
	a.th, a.tv, a.td = &dis.h[k], &dis.v[k], &dis.d[k]
	a.rh, a.rv, a.rd = &r.h[k], &r.v[k], &r.d[k]
	a.ah, a.av, a.ad = &ad.h[k], &ad.v[k], &ad.d[k]
	a.n = n
	decouple0RowAVX2(a)
}

// decS123Args are the arguments of decS123RowAVX2 (offsets in
// decs123_amd64.s).
type decS123Args struct {
	oh, ov, od, th, tv, td *int32
	rh, rv, rd, ah, av, ad *int32
	n, done                int
	dl                     *int32
	_                      int
	egl, cos, inv4096      [4]float64
}

var _ = [1]int{}[unsafe.Offsetof(decS123Args{}.inv4096)-192]

// decS123RowAVX2 is decoupleS123 for up to a.n coefficients (a multiple
// of 4), four at a time; it stops at the first group with a coefficient
// of magnitude 2^25 or more and sets a.done to the number decoupled.
//
//go:noescape
func decS123RowAVX2(a *decS123Args)

func (a *decS123Args) init(egl float64) {
	a.dl = &divLookup[0]
	for l := 0; l < 4; l++ {
		a.egl[l] = egl
		a.cos[l] = float64(cos1degSq)
		a.inv4096[l] = 1.0 / 4096
	}
}

// decS123Row decouples up to n coefficients from k and returns how many
// it did.
func decS123Row(a *decS123Args, ref, dis, r, ad *band32, k, n int) int {
	a.oh, a.ov, a.od = &ref.h[k], &ref.v[k], &ref.d[k]
	a.th, a.tv, a.td = &dis.h[k], &dis.v[k], &dis.d[k]
	a.rh, a.rv, a.rd = &r.h[k], &r.v[k], &r.d[k]
	a.ah, a.av, a.ad = &ad.h[k], &ad.v[k], &ad.d[k]
	a.n = n
	decS123RowAVX2(a)
	return a.done
}

// i64F4AVX2 is decS123RowAVX2's int64 to float32 conversion on four
// values (out = float64(float32(in))/4096), for the tests.
//
//go:noescape
func i64F4AVX2(in *[4]int64, out *[4]float64, inv4096 *[4]float64)
