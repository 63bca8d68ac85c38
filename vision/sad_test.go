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

// TestBlockKernelsMatchGo checks the SIMD blockdetect row kernels against
// the portable ones bit for bit.
func TestBlockKernelsMatchGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for w := 8; w < 100; w++ {
		a, b := make([]uint8, w), make([]uint8, w)
		for i := range a {
			a[i], b[i] = uint8(r.IntN(256)), uint8(r.IntN(256))
			if w%3 == 0 && i%4 != 0 {
				b[i] = a[i] // zero gradients
			}
		}
		d1, d2 := make([]int32, w), make([]int32, w)
		absDiffRow(d1, a, b)
		absDiffRowGo(d2, a, b)
		for i := range d1 {
			if d1[i] != d2[i] {
				t.Fatalf("w=%d absDiff[%d]: %d vs %d", w, i, d1[i], d2[i])
			}
		}
		acc1, acc2 := make([]float32, w), make([]float32, w)
		for i := range acc1 {
			acc1[i] = float32(r.Float64() * 100)
			acc2[i] = acc1[i]
		}
		blockHoriz(d1[:w-1], acc1, 3, w-4)
		blockHorizGo(d1[:w-1], acc2, 3, w-4)
		win := make([]int32, w)
		for i := range win {
			win[i] = d1[i] + int32(r.IntN(3*255))
		}
		q1, q2 := make([]float32, w), make([]float32, w)
		blockVert(d1, win, q1)
		blockVertGo(d1, win, q2)
		for i := range acc1 {
			if acc1[i] != acc2[i] || q1[i] != q2[i] {
				t.Fatalf("w=%d col %d: acc %v vs %v, q %v vs %v", w, i, acc1[i], acc2[i], q1[i], q2[i])
			}
		}
	}
}

// TestSobelMagMatchesGo checks the SIMD Sobel magnitude bit for bit.
func TestSobelMagMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for w := 3; w < 80; w++ {
		rows := make([][]uint8, 3)
		for k := range rows {
			rows[k] = make([]uint8, w)
			for i := range rows[k] {
				rows[k][i] = uint8(r.IntN(256))
				if w%5 == 0 {
					rows[k][i] = uint8(255 * ((i + k) & 1))
				}
			}
		}
		g1, g2 := make([]uint16, w), make([]uint16, w)
		sobelMag(rows[0], rows[1], rows[2], g1)
		sobelMagGo(rows[0], rows[1], rows[2], g2, 1)
		for i := range g1 {
			if g1[i] != g2[i] {
				t.Fatalf("w=%d col %d: %d vs %d", w, i, g1[i], g2[i])
			}
		}
	}
}
