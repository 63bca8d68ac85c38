//go:build amd64 && !purego

package adm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly kernels; the purego build tag (or another
// architecture) keeps the plain Go loops, which give identical results.
var hasAVX2 = cpu.X86.HasAVX2

// dwt0Vert8AVX2 is the vertical pass of dwt0_8 for n columns (n a
// multiple of 16): lo/hi[j] from rows r0..r3 at column j.
//
//go:noescape
func dwt0Vert8AVX2(r0, r1, r2, r3 *uint8, lo, hi *int16, n int)

// dwt0HorizAVX2 is the interior horizontal pass of dwt0Horizontal: for
// m in [0, n) (n a multiple of 16) it sets lo[m] and hi[m] to the
// low- and high-pass filters of t[2m..2m+3].
//
//go:noescape
func dwt0HorizAVX2(t *int16, lo, hi *int16, n int)

// csf0RowAVX2 is csf0's inner loop for n elements (n a multiple of 16):
// dst[j] = int16((rf*src[j] + add) >> sh) and
// flt[j] = int16((4369*|dst[j]| + 2048) >> 12).
//
//go:noescape
func csf0RowAVX2(src, dst, flt *int16, n int, rf, add int32, sh uint64)

// dwtS123VertWAVX2 is dwtS123's vertical pass for int16 rows r0..r3 and
// n columns (n a multiple of 4): lo[j], hi[j] =
// int32((sum_k dwtLo/Hi[k]*rk[j] + rnd) >> sh), sh <= 32.
//
//go:noescape
func dwtS123VertWAVX2(r0, r1, r2, r3 *int16, lo, hi *int32, n int, rnd int64, sh uint64)

// dwtS123VertDAVX2 is dwtS123VertWAVX2 for int32 rows.
//
//go:noescape
func dwtS123VertDAVX2(r0, r1, r2, r3 *int32, lo, hi *int32, n int, rnd int64, sh uint64)

// dwtS123HorizAVX2 is dwtS123's interior horizontal pass: for m in
// [0, n) (n a multiple of 4) lo[m], hi[m] =
// int32((sum_k dwtLo/Hi[k]*t[2m+k] + rnd) >> sh), sh <= 32.
//
//go:noescape
func dwtS123HorizAVX2(t *int32, lo, hi *int32, n int, rnd int64, sh uint64)

// csfS123RowAVX2 is csfS123's inner loop for n elements (n a multiple of
// 4), rf in [0, 2^32).
//
//go:noescape
func csfS123RowAVX2(src, dst, flt *int32, n int, rf int64)
