//go:build amd64 && !purego

package vif

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAccumulateAsmMatchesGo compares accumulateAVX2 with accumulateGo on
// rows built to reach every branch (sigma1 around sigmaNsq, sigma2 and
// sigma12 negative, zero and positive, gains above and below the limits,
// 32-bit wraparound) and on rows of raw random and extreme words.
func TestAccumulateAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(3, 21))
	sigmas := []int64{math.MinInt32, -1 << 20, -sigmaNsq, -1, 0, 1, 2, 1000, sigmaNsq - 1, sigmaNsq, sigmaNsq + 1, 1 << 20, 1 << 28, math.MaxInt32 - sigmaNsq, math.MaxInt32}
	pick := func() int64 {
		if rng.IntN(3) == 0 {
			return sigmas[rng.IntN(len(sigmas))]
		}
		return int64(rng.Int32()) >> rng.IntN(31)
	}
	// word makes an h value whose (h+32768)>>16 is v (mod 2^32).
	word := func(v uint32) uint64 {
		hi := uint64(rng.Uint32()>>rng.IntN(33)) << 32
		if rng.IntN(2) == 0 {
			hi = 0
		}
		return (hi|uint64(v))<<16 + uint64(rng.IntN(65536)) - 32768
	}
	extremes := []uint64{0, 1, 32767, 32768, lo32, lo32 + 1, 1 << 47, 1<<48 - 1, math.MaxUint64 - 32768, math.MaxUint64}
	optsets := [][]float64{{100}, {1}, {100, 1}, {100, 1, 2.5, 7}, {1.0000001, 99.99}}
	var withNum, withNonLog int
	for it := 0; it < 400; it++ {
		n := 4 + rng.IntN(61)
		mu, xx, yy, xy := make([]uint64, n), make([]uint64, n), make([]uint64, n), make([]uint64, n)
		for j := 0; j < n; j++ {
			switch it % 4 {
			case 0, 1: // structured
				m1, m2 := uint64(rng.Uint32()>>rng.IntN(32)), uint64(rng.Uint32()>>rng.IntN(32))
				mu[j] = m1 | m2<<32
				m1sq := uint32((m1*m1 + 2147483648) >> 32)
				m2sq := uint32((m2*m2 + 2147483648) >> 32)
				m12 := uint32((m1*m2 + 2147483648) >> 32)
				s1, s2 := pick(), pick()
				var s12 int64
				switch rng.IntN(4) {
				case 0: // near the Cauchy-Schwarz bound
					if s1 > 0 && s2 > 0 {
						s12 = int64(math.Sqrt(float64(s1)*float64(s2))) + int64(rng.IntN(5)) - 2
					}
				case 1: // gain well above the limit
					s12 = s1 * int64(1+rng.IntN(200)) % (1 << 31)
				default:
					s12 = pick()
				}
				xx[j] = word(m1sq + uint32(s1))
				yy[j] = word(m2sq + uint32(s2))
				xy[j] = word(m12 + uint32(s12))
			case 2: // raw random words
				mu[j], xx[j], yy[j], xy[j] = rng.Uint64(), rng.Uint64()>>rng.IntN(64), rng.Uint64()>>rng.IntN(64), rng.Uint64()>>rng.IntN(64)
			default: // extremes
				mu[j] = extremes[rng.IntN(len(extremes))]
				xx[j] = extremes[rng.IntN(len(extremes))]
				yy[j] = extremes[rng.IntN(len(extremes))]
				xy[j] = extremes[rng.IntN(len(extremes))]
			}
		}
		opts := optsets[it%len(optsets)]
		var egl egls
		egl.n = len(opts)
		copy(egl.v[:], opts)
		var got, want stats
		got.accumulate(mu, xx, yy, xy, &egl)
		want.accumulateGo(mu, xx, yy, xy, &egl)
		if got != want {
			t.Fatalf("row %d (n=%d, egl %v): asm %+v, Go %+v", it, n, opts, got, want)
		}
		if want.numLog[0] != 0 {
			withNum++
		}
		if want.numNonLog != 0 {
			withNonLog++
		}
	}
	if withNum < 100 || withNonLog < 100 {
		t.Errorf("rows reaching the log branch %d, the non-log branch %d: want 100 each", withNum, withNonLog)
	}
}

// TestSub9HorizAsmMatchesGo checks sub9HorizAVX2 against subsample's Go
// horizontal loop on rows of random and extreme 16-bit pairs (the range
// subsample's vertical pass produces), and sub9Taps against filters[1].
func TestSub9HorizAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	for k, c := range sub9Taps {
		if uint16(c) != filters[1][k] || filters[1][k] != filters[1][8-k] {
			t.Fatalf("sub9Taps[%d] = %d, filters[1] %v", k, c, filters[1])
		}
	}
	rng := rand.New(rand.NewPCG(5, 8))
	filt := filters[1]
	for it := 0; it < 200; it++ {
		ow := 4 * (1 + rng.IntN(40))
		tm := make([]uint64, 2*ow+8+4)
		for i := range tm {
			lo, hi := uint64(rng.IntN(65536)), uint64(rng.IntN(65536))
			if it%3 == 0 {
				lo, hi = uint64(65535*rng.IntN(2)), uint64(65535*rng.IntN(2))
			}
			tm[i] = lo | hi<<32
		}
		gr, gd := make([]uint16, ow), make([]uint16, ow)
		sub9HorizAVX2(&tm[0], &gr[0], &gd[0], ow, &sub9Taps)
		for j := 0; j < ow; j++ {
			b := 4 + 2*j
			m := uint64(filt[4]) * tm[b]
			for k := 0; k < 4; k++ {
				m += uint64(filt[k]) * (tm[b-4+k] + tm[b+4-k])
			}
			wr, wd := uint16(((m&lo32)+32768)>>16), uint16(((m>>32)+32768)>>16)
			if gr[j] != wr || gd[j] != wd {
				t.Fatalf("row %d output %d: asm %d,%d Go %d,%d", it, j, gr[j], gd[j], wr, wd)
			}
		}
	}
}

// TestVert16RoundAsmMatchesGo checks vert16RoundAVX2 against vertical16's
// rounding loop on random 64-bit sums (the whole range) with the shifts
// of every bit depth and scale.
func TestVert16RoundAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(77, 5))
	for it := 0; it < 100; it++ {
		n := 4 * (1 + rng.IntN(30))
		bpc := 9 + rng.IntN(8)
		shVP, rndVP := uint(bpc), uint64(1)<<(bpc-1)
		shSq := uint((bpc - 8) * 2)
		rndSq := uint64(1) << (shSq - 1)
		if it%2 == 0 { // decimated scales
			shVP, rndVP, shSq, rndSq = 16, 32768, 16, 32768
		}
		a := make([][]uint64, 4)
		for k := range a {
			a[k] = make([]uint64, n)
			for j := range a[k] {
				a[k][j] = rng.Uint64() >> rng.IntN(64)
				if rng.IntN(10) == 0 {
					a[k][j] = math.MaxUint64
				}
			}
		}
		tmu := make([]uint64, n)
		tx, ty, txy := make([]uint32, n), make([]uint32, n), make([]uint32, n)
		vert16RoundAVX2(&a[0][0], &a[1][0], &a[2][0], &a[3][0], &tmu[0], &tx[0], &ty[0], &txy[0], n, rndVP, uint64(shVP), rndSq, uint64(shSq))
		for j := 0; j < n; j++ {
			m := a[0][j]
			wmu := (((m&lo32)+rndVP)>>shVP)&lo32 | ((((m>>32)+rndVP)>>shVP)&lo32)<<32
			wx := uint32((a[1][j] + rndSq) >> shSq)
			wy := uint32((a[2][j] + rndSq) >> shSq)
			wxy := uint32((a[3][j] + rndSq) >> shSq)
			if tmu[j] != wmu || tx[j] != wx || ty[j] != wy || txy[j] != wxy {
				t.Fatalf("bpc %d [%d]: asm %x %x %x %x, Go %x %x %x %x", bpc, j, tmu[j], tx[j], ty[j], txy[j], wmu, wx, wy, wxy)
			}
		}
	}
}
