//go:build amd64 && !purego

package adm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDWTS123AsmMatchesGo compares dwtS123 with and without the AVX2
// passes on int16 and int32 inputs over their whole range (extremes
// included), odd and even sizes, every scale's rounding.
func TestDWTS123AsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(9, 4))
	ext16 := []int16{math.MinInt16, math.MinInt16 + 1, -1, 0, 1, math.MaxInt16}
	ext32 := []int32{math.MinInt32, math.MinInt32 + 1, -1 << 20, -1, 0, 1, 1 << 20, math.MaxInt32}
	for it := 0; it < 60; it++ {
		w, h := 3+rng.IntN(70), 3+rng.IntN(40)
		stride := w + rng.IntN(4)
		ws := &workspace{tmp32: make([]int32, 2*w)}
		for k := 0; k < 4; k++ {
			ws.indY[k] = make([]int32, (h+1)/2)
			ws.indX[k] = make([]int32, (w+1)/2)
		}
		mirrorIndices(&ws.indY, h)
		mirrorIndices(&ws.indX, w)
		hw, hh := (w+1)/2, (h+1)/2
		mk := func() band32 {
			n := hw * hh
			return band32{make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)}
		}
		s16 := make([]int16, stride*h)
		s32 := make([]int32, stride*h)
		for i := range s16 {
			switch it % 3 {
			case 0:
				s16[i], s32[i] = ext16[rng.IntN(len(ext16))], ext32[rng.IntN(len(ext32))]
			case 1:
				s16[i], s32[i] = int16(rng.Uint32()), int32(rng.Uint32())
			default: // the sizes real bands have
				s16[i], s32[i] = int16(rng.IntN(1<<13)-1<<12), int32(rng.IntN(1<<20)-1<<19)
			}
		}
		for scale := 1; scale <= 3; scale++ {
			got16, want16, got32, want32 := mk(), mk(), mk(), mk()
			dwtS123(s16, stride, w, h, &got16, hw, scale, ws)
			dwtS123(s32, stride, w, h, &got32, hw, scale, ws)
			hasAVX2 = false
			dwtS123(s16, stride, w, h, &want16, hw, scale, ws)
			dwtS123(s32, stride, w, h, &want32, hw, scale, ws)
			hasAVX2 = true
			for b, pair := range [][2]band32{{got16, want16}, {got32, want32}} {
				g, wt := pair[0], pair[1]
				for k, name := range []string{"a", "h", "v", "d"} {
					gb := [][]int32{g.a, g.h, g.v, g.d}[k]
					wb := [][]int32{wt.a, wt.h, wt.v, wt.d}[k]
					for i := range gb {
						if gb[i] != wb[i] {
							t.Fatalf("%dx%d scale %d int%d band %s[%d]: asm %d, Go %d", w, h, scale, 16<<b, name, i, gb[i], wb[i])
						}
					}
				}
			}
		}
	}
}
