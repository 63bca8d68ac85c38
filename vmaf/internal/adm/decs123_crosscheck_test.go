//go:build amd64 && !purego

package adm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDecoupleS123AsmMatchesGo compares decoupleS123 with and without
// AVX2 on int32 bands: reference-like and contrast-boosted distortions
// (the angle test and the enhancement gain), zeros, magnitudes up to 2^31
// (real scale 1-3 bands reach 2^29: the angle products then need the
// exact int64 to float32 rounding), signs and extremes, gain limits 1,
// 1.7 and 100.
func TestDecoupleS123AsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(31, 41))
	ext := []int32{math.MinInt32, -1 << 25, -1<<25 + 1, -32769, -32768, -32767, -1, 0, 1, 32767, 32768, 32769, 1<<25 - 1, 1 << 25, math.MaxInt32}
	vectorised := 0
	for it := 0; it < 300; it++ {
		w, h := 8+rng.IntN(60), 8+rng.IntN(20)
		stride := w + rng.IntN(3)
		n := stride * h
		mk := func() band32 {
			return band32{nil, make([]int32, n), make([]int32, n), make([]int32, n)}
		}
		ref, dis := mk(), mk()
		mode := it % 5
		mag := int32(1)<<(8+rng.IntN(23)) - 1 // up to 2^30
		for _, p := range [][2][]int32{{ref.h, dis.h}, {ref.v, dis.v}, {ref.d, dis.d}} {
			for i := range p[0] {
				o := rng.Int32N(2*mag+1) - mag
				if rng.IntN(8) == 0 {
					o = 0
				}
				var d int32
				switch mode {
				case 0: // noise
					d = o + rng.Int32N(mag/4+1) - mag/8
				case 1: // contrast boost: the gain path
					d = int32(float64(o)*1.3) + rng.Int32N(3) - 1
				case 2: // opposite sign
					d = -o / 2
				case 3: // extremes now and then
					d = o
					if rng.IntN(40) == 0 {
						d = ext[rng.IntN(len(ext))]
					}
					if rng.IntN(40) == 0 {
						o = ext[rng.IntN(len(ext))]
					}
				default:
					d = rng.Int32N(2*mag+1) - mag
				}
				p[0][i], p[1][i] = o, d
			}
		}
		egl := []float64{100, 1, 1.7}[it%3]
		gr, ga, wr, wa := mk(), mk(), mk(), mk()
		decoupleS123(&ref, &dis, &gr, &ga, w, h, stride, egl)
		hasAVX2 = false
		decoupleS123(&ref, &dis, &wr, &wa, w, h, stride, egl)
		hasAVX2 = true
		for b, name := range []string{"h", "v", "d"} {
			g := [][]int32{gr.h, gr.v, gr.d, ga.h, ga.v, ga.d}
			wt := [][]int32{wr.h, wr.v, wr.d, wa.h, wa.v, wa.d}
			for _, o := range []int{b, b + 3} {
				for i := range g[o] {
					if g[o][i] != wt[o][i] {
						t.Fatalf("%dx%d mode %d egl %v band %s (out %d) [%d]: asm %d, Go %d (ref %d dis %d)", w, h, mode, egl, name, o, i, g[o][i], wt[o][i], [][]int32{ref.h, ref.v, ref.d}[b][i], [][]int32{dis.h, dis.v, dis.d}[b][i])
					}
				}
			}
		}
		left, right := extRegion(w)
		var a decS123Args
		a.init(egl)
		top, _ := extRegion(h)
		if n := (right - left) &^ 3; decS123Row(&a, &ref, &dis, &gr, &ga, top*stride+left, n) == n && n > 0 {
			vectorised++
		}
	}
	if vectorised != 300 {
		t.Errorf("the kernel decoupled whole rows in only %d of 300 cases", vectorised)
	}
}

// TestI64ToFloat32Exact checks the kernel's int64 to float32 rounding
// (to nearest, ties to even, once) against Go's conversion on the whole
// int64 range: powers of two and their neighbours, ties and near-ties
// at every magnitude, random values.
func TestI64ToFloat32Exact(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(2, 71))
	var vals []int64
	for p := 0; p < 63; p++ {
		b := int64(1) << p
		for _, d := range []int64{-3, -2, -1, 0, 1, 2, 3} {
			vals = append(vals, b+d, -(b + d))
		}
		if p > 25 {
			// ties and their neighbours: 24 significant bits plus half
			// an ulp of float32
			for k := 0; k < 8; k++ {
				m := int64(1)<<23 | rng.Int64N(1<<23)
				s := uint(p - 24)
				x := m<<(s+1) | int64(1)<<s
				vals = append(vals, x, x-1, x+1, -x, m<<(s+1), m<<(s+1)+1)
			}
		}
	}
	vals = append(vals, math.MinInt64, math.MaxInt64, math.MinInt64+1, 0)
	for k := 0; k < 2000; k++ {
		vals = append(vals, int64(rng.Uint64())>>rng.IntN(64))
	}
	inv := [4]float64{1.0 / 4096, 1.0 / 4096, 1.0 / 4096, 1.0 / 4096}
	for i := 0; i+4 <= len(vals); i += 4 {
		var in [4]int64
		var out [4]float64
		copy(in[:], vals[i:i+4])
		i64F4AVX2(&in, &out, &inv)
		for l, x := range in {
			if want := float64(float32(x)) / 4096.0; out[l] != want {
				t.Fatalf("%d: asm %v, Go %v", x, out[l], want)
			}
		}
	}
}
