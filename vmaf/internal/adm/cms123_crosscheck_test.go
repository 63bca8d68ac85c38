//go:build amd64 && !purego

package adm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCMS123AsmMatchesGo checks cmS123RowAVX2's row sums against
// cmS123's Go inner loop on int32 bands over their whole range (extremes,
// wraparound of the thresholds and squares included), every scale's
// shifts and CSF factors, and cmS123 itself with and without AVX2.
func TestCMS123AsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(12, 34))
	ext := []int32{math.MinInt32, math.MinInt32 + 1, -1 << 24, -1, 0, 1, 1 << 24, math.MaxInt32}
	csf := getCSF(defaultNormViewDist, defaultRefDisplayHeight)
	for it := 0; it < 300; it++ {
		n := 8 * (1 + rng.IntN(12))
		val := func() int32 {
			switch it % 3 {
			case 0:
				return ext[rng.IntN(len(ext))]
			case 1:
				return int32(rng.Uint32())
			default: // band-like magnitudes
				return int32(rng.IntN(1<<18) - 1<<17)
			}
		}
		mk := func() []int32 {
			s := make([]int32, n)
			for i := range s {
				s[i] = val()
			}
			return s
		}
		src := [3][]int32{mk(), mk(), mk()}
		angles := [3][]int32{mk(), mk(), mk()}
		F, ru, rk, rd := mk(), mk(), mk(), mk()
		scale := 1 + it%3
		irf := csf.i4[scale]
		if it%5 == 4 {
			irf = [3]int64{math.MaxUint32, 1 << 31, int64(rng.Uint32())}
		}
		shCub := uint32(1 + rng.IntN(13))
		addCub := pow2m1(shCub)
		var a cmS123Args
		a.init(irf, addCub, shCub)
		k := 0
		a.sh, a.sv, a.sd = &src[0][k], &src[1][k], &src[2][k]
		a.a0, a.a1, a.a2 = &angles[0][k], &angles[1][k], &angles[2][k]
		a.ru, a.rk, a.rd, a.f = &ru[0], &rk[0], &rd[0], &F[0]
		a.n = n
		cmS123RowAVX2(&a)
		const addDst = int64(1) << 27
		const addFlt = int64(-2147483648)
		var want [3]int64
		for j := 0; j < n; j++ {
			thr := ru[j] + rk[j] + rd[j] - F[j]
			for t := 0; t < 3; t++ {
				thr += int32((i4OneBy15*int64(abs32(angles[t][j])) + addFlt) >> 32)
			}
			for t := 0; t < 3; t++ {
				x := int32((int64(src[t][j])*irf[t] + addDst) >> 28)
				want[t] += cmRound(x, thr, 1<<29, 30, addCub, uint(shCub))
			}
		}
		if a.out != want {
			t.Fatalf("row %d (n=%d, irf %v, shCub %d): asm %v, Go %v", it, n, irf, shCub, a.out, want)
		}
	}
	// Whole cmS123 on band-like data, odd sizes (vector part and tail).
	for it := 0; it < 20; it++ {
		w, h := 8+rng.IntN(60), 8+rng.IntN(30)
		stride := w + rng.IntN(3)
		mk := func(m int) []int32 {
			s := make([]int32, stride*h)
			for i := range s {
				s[i] = int32(rng.IntN(2*m+1) - m)
			}
			return s
		}
		src := [3][]int32{mk(1 << 17), mk(1 << 17), mk(1 << 17)}
		angles := [3][]int32{mk(1 << 17), mk(1 << 17), mk(1 << 17)}
		flt := [3][]int32{mk(1 << 12), mk(1 << 12), mk(1 << 12)}
		F, R := make([]int32, stride*h), make([]int32, stride*h)
		scale := 1 + it%3
		got := cmS123(src, angles, flt, scale, w, h, stride, csf.i4[scale], 0.03125, F, R)
		hasAVX2 = false
		want := cmS123(src, angles, flt, scale, w, h, stride, csf.i4[scale], 0.03125, F, R)
		hasAVX2 = true
		if got != want {
			t.Fatalf("%dx%d scale %d: asm %v, Go %v", w, h, scale, got, want)
		}
	}
}

// TestCSFS123AsmMatchesGo compares csfS123 with and without AVX2 on int32
// bands over their whole range and odd sizes, with the scales' factors
// and the extremes of the unsigned Q32 factor.
func TestCSFS123AsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(56, 78))
	ext := []int32{math.MinInt32, math.MinInt32 + 1, -1 << 24, -1, 0, 1, 1 << 24, math.MaxInt32}
	csf := getCSF(defaultNormViewDist, defaultRefDisplayHeight)
	for it := 0; it < 60; it++ {
		w, h := 4+rng.IntN(70), 4+rng.IntN(30)
		stride := w + rng.IntN(3)
		mk := func() []int32 {
			s := make([]int32, stride*h)
			for i := range s {
				switch it % 3 {
				case 0:
					s[i] = ext[rng.IntN(len(ext))]
				case 1:
					s[i] = int32(rng.Uint32())
				default:
					s[i] = int32(rng.IntN(1<<18) - 1<<17)
				}
			}
			return s
		}
		src := [3][]int32{mk(), mk(), mk()}
		irf := csf.i4[1+it%3]
		if it%4 == 3 {
			irf = [3]int64{math.MaxUint32, 1 << 31, int64(rng.Uint32())}
		}
		var got, want [2][3][]int32
		for v := range got {
			for b := 0; b < 3; b++ {
				got[v][b], want[v][b] = make([]int32, stride*h), make([]int32, stride*h)
			}
		}
		csfS123(src, got[0], got[1], w, h, stride, irf)
		hasAVX2 = false
		csfS123(src, want[0], want[1], w, h, stride, irf)
		hasAVX2 = true
		for v := range got {
			for b := 0; b < 3; b++ {
				for i := range got[v][b] {
					if got[v][b][i] != want[v][b][i] {
						t.Fatalf("%dx%d irf %v out %d band %d [%d]: asm %d, Go %d", w, h, irf, v, b, i, got[v][b][i], want[v][b][i])
					}
				}
			}
		}
	}
}

// TestMaskSumsAsmMatchesGo compares maskSums16 and maskSums32 (the
// orientation sums and their 3-tap row sums) with and without AVX2 on
// random and extreme values, sizes from the smallest up.
func TestMaskSumsAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(90, 12))
	for it := 0; it < 80; it++ {
		w, h := 3+rng.IntN(80), 3+rng.IntN(20)
		stride := w + rng.IntN(3)
		n := stride * h
		var f16 [3][]int16
		var f32 [3][]int32
		for b := 0; b < 3; b++ {
			f16[b], f32[b] = make([]int16, n), make([]int32, n)
			for i := 0; i < n; i++ {
				f16[b][i], f32[b][i] = int16(rng.Uint32()), int32(rng.Uint32())
				if it%4 == 0 {
					f16[b][i], f32[b][i] = math.MaxInt16, math.MaxInt32
				}
			}
		}
		for _, wide := range []bool{false, true} {
			var F, R [2][]int32
			for v := 0; v < 2; v++ {
				F[v], R[v] = make([]int32, n), make([]int32, n)
				hasAVX2 = v == 0
				if wide {
					maskSums32(f32, w, h, stride, F[v], R[v])
				} else {
					maskSums16(f16, w, h, stride, F[v], R[v])
				}
			}
			hasAVX2 = true
			for i := 0; i < n; i++ {
				if F[0][i] != F[1][i] || R[0][i] != R[1][i] {
					t.Fatalf("%dx%d wide=%v [%d]: asm F %d R %d, Go F %d R %d", w, h, wide, i, F[0][i], R[0][i], F[1][i], R[1][i])
				}
			}
		}
	}
}
