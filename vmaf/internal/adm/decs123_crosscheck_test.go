//go:build amd64 && !purego

package adm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDecoupleS123AsmMatchesGo compares decoupleS123 with and without
// AVX2 on int32 bands: reference-like and contrast-boosted distortions
// (the angle test and the enhancement gain), zeros, values near the
// kernel's 2^25 limit and past it (the Go fallback within a row), signs
// and extremes, gain limits 1 and 100.
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
		mag := int32(1) << (8 + rng.IntN(17)) // up to 2^24
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
				case 3: // extremes now and then (the fallback)
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
		if decS123Row(&a, &ref, &dis, &gr, &ga, top*stride+left, (right-left)&^3) > 0 {
			vectorised++
		}
	}
	if vectorised < 150 {
		t.Errorf("the kernel decoupled a row start in only %d of 300 cases", vectorised)
	}
}
