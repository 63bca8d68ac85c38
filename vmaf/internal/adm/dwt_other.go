//go:build !amd64 || purego

package adm

const hasAVX2 = false

func dwt0Vert8AVX2(r0, r1, r2, r3 *uint8, lo, hi *int16, n int) { panic("unreachable") }

func dwt0HorizAVX2(t *int16, lo, hi *int16, n int) { panic("unreachable") }

func csf0RowAVX2(src, dst, flt *int16, n int, rf, add int32, sh uint64) { panic("unreachable") }

type cmArgs struct{}

func (a *cmArgs) init(irf [3]int32, addH int64, shH uint32, addD int64, shD uint32) {}

func cm0Row(a *cmArgs, src, angles [3][]int16, F, R []int32, ro, uo, do, j0, n int) (ih, iv, id int64) {
	panic("unreachable")
}

type decArgs struct{}

func (a *decArgs) init(egl float64) {}

func decouple0Row(a *decArgs, ref, dis, r, ad *band16, k, n int) { panic("unreachable") }

func dwtS123VertWAVX2(r0, r1, r2, r3 *int16, lo, hi *int32, n int, rnd int64, sh uint64) {
	panic("unreachable")
}

func dwtS123VertDAVX2(r0, r1, r2, r3 *int32, lo, hi *int32, n int, rnd int64, sh uint64) {
	panic("unreachable")
}

func dwtS123HorizAVX2(t *int32, lo, hi *int32, n int, rnd int64, sh uint64) { panic("unreachable") }

type cmS123Args struct{}

func (a *cmS123Args) init(irf [3]int64, addCub int64, shCub uint32) {}

func cmS123Row(a *cmS123Args, src, angles [3][]int32, F, R []int32, ro, uo, do, j0, n int) (ih, iv, id int64) {
	panic("unreachable")
}

func csfS123RowAVX2(src, dst, flt *int32, n int, rf int64) { panic("unreachable") }

type decS123Args struct{}

func (a *decS123Args) init(egl float64) {}

func decS123Row(a *decS123Args, ref, dis, r, ad *band32, k, n int) int { panic("unreachable") }

func sum3WAVX2(a, b, c *int16, d *int32, n int) { panic("unreachable") }

func sum3DAVX2(a, b, c, d *int32, n int) { panic("unreachable") }
