//go:build amd64 && !purego

package vif

import (
	"math/rand/v2"
	"testing"
)

// TestAsmMatchesGo compares the AVX2 kernels with the plain Go loops on
// random planes of odd sizes, 8 and 10-bit, two gain limits.
func TestAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	opts := []Options{{EnhnGainLimit: 100}, {EnhnGainLimit: 1}}
	for n := 0; n < 24; n++ {
		w, h := 16+rng.IntN(300), 16+rng.IntN(120)
		if n%3 == 0 {
			w |= 1
		}
		for _, bpc := range []int{8, 10} {
			maxv := 1<<bpc - 1
			ref := newPlane(w, h, w+rng.IntN(5), bpc)
			dis := newPlane(w, h, w+rng.IntN(5), bpc)
			smooth := n%2 == 0
			fillPlane(ref, bpc, func(x, y int) int {
				if smooth {
					return (x*5+y*3)%(maxv/2) + rng.IntN(maxv/16+1)
				}
				return rng.IntN(maxv + 1)
			})
			fillPlane(dis, bpc, func(x, y int) int { return ref.At(x, y) + rng.IntN(maxv/8+1) - maxv/16 })
			var got, want [2]Scores
			if err := ComputeMany(ref, dis, bpc, opts, got[:]); err != nil {
				t.Fatal(err)
			}
			hasAVX2 = false
			err := ComputeMany(ref, dis, bpc, opts, want[:])
			hasAVX2 = true
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%dx%d %d-bit: asm %v, Go %v", w, h, bpc, got, want)
			}
		}
	}
}
