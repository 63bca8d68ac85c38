package vision

import (
	"math/rand/v2"
	"testing"
)

// TestSadRow8MatchesGo checks the SIMD row SAD against the portable one at
// every length around the 16-byte blocks and at extreme values.
func TestSadRow8MatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200; n++ {
		a, b := make([]uint8, n), make([]uint8, n+3)
		for i := range a {
			a[i] = uint8(r.IntN(256))
		}
		for i := range b {
			b[i] = uint8(r.IntN(256))
		}
		if n%7 == 0 {
			for i := range a {
				a[i], b[i] = 255, 0
			}
		}
		if got, want := sadRow8(a, b), sadRow8Go(a, b[:n]); got != want {
			t.Fatalf("n=%d: sadRow8 %d, portable %d", n, got, want)
		}
	}
}

// TestIdetRow8MatchesGo checks the SIMD idet row sums against the portable
// ones, including the extremes of every term.
func TestIdetRow8MatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 200; n++ {
		rows := make([][]uint8, 5)
		for k := range rows {
			rows[k] = make([]uint8, n+k) // longer rows are cut to up's length
			for i := range rows[k] {
				rows[k][i] = uint8(r.IntN(256))
				if n%5 == 0 {
					rows[k][i] = uint8(255 * ((k + i) & 1))
				}
			}
		}
		a1, b1, c1, d1 := idetRow8(rows[0], rows[1], rows[2], rows[3], rows[4])
		a2, b2, c2, d2 := idetRow8Go(rows[0], rows[1], rows[2], rows[3], rows[4])
		if a1 != a2 || b1 != b2 || c1 != c2 || d1 != d2 {
			t.Fatalf("n=%d: SIMD %d %d %d %d, portable %d %d %d %d", n, a1, b1, c1, d1, a2, b2, c2, d2)
		}
	}
}

// TestGaussRowMatchesGo checks the SIMD Gaussian row against the portable
// one (which is ffmpeg's arithmetic) at many widths and at the extremes.
func TestGaussRowMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for w := 5; w < 120; w++ {
		var rows [5][]uint8
		for k := range rows {
			rows[k] = make([]uint8, w)
			for i := range rows[k] {
				rows[k][i] = uint8(r.IntN(256))
				if w%4 == 0 {
					rows[k][i] = 255
				}
			}
		}
		var c1, c2 [3][]uint16
		for k := range c1 {
			c1[k], c2[k] = make([]uint16, w), make([]uint16, w)
		}
		a, b := make([]uint8, w), make([]uint8, w)
		gaussRow(&rows, &c1, a)
		gaussRowGo(&rows, &c2, b)
		if string(a) != string(b) {
			t.Fatalf("w=%d:\n SIMD     %v\n portable %v", w, a, b)
		}
	}
	for x := uint32(0); x <= 159*255; x++ {
		if x/159 != x*52759>>23 {
			t.Fatalf("magic division wrong at %d", x)
		}
	}
}
