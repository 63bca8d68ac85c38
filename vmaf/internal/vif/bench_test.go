package vif

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

// synthPair returns a textured reference and a noisy, blurred-ish
// distorted plane of the given size.
func synthPair(w, h, bpc int, seed uint64) (*frame.Plane, *frame.Plane) {
	rng := rand.New(rand.NewPCG(seed, 7))
	maxv := 1<<bpc - 1
	ref := &frame.Plane{Width: w, Height: h, Stride: w + 3}
	dis := &frame.Plane{Width: w, Height: h, Stride: w + 1}
	rv := make([]int, ref.Stride*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := (x*7+y*3)%(maxv/2) + ((x/16+y/16)%2)*(maxv/4) + rng.IntN(maxv/16+1)
			rv[y*ref.Stride+x] = min(v, maxv)
		}
	}
	dv := make([]int, dis.Stride*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := rv[y*ref.Stride+x]
			if x > 0 {
				v = (v + rv[y*ref.Stride+x-1]) / 2
			}
			v += rng.IntN(maxv/32+1) - maxv/64
			dv[y*dis.Stride+x] = max(0, min(v, maxv))
		}
	}
	if bpc == 8 {
		ref.Pix8 = make([]uint8, len(rv))
		dis.Pix8 = make([]uint8, len(dv))
		for i, v := range rv {
			ref.Pix8[i] = uint8(v)
		}
		for i, v := range dv {
			dis.Pix8[i] = uint8(v)
		}
	} else {
		ref.Pix16 = make([]uint16, len(rv))
		dis.Pix16 = make([]uint16, len(dv))
		for i, v := range rv {
			ref.Pix16[i] = uint16(v)
		}
		for i, v := range dv {
			dis.Pix16[i] = uint16(v)
		}
	}
	return ref, dis
}

func BenchmarkCompute1080p8bit(b *testing.B) {
	ref, dis := synthPair(1920, 1080, 8, 1)
	b.ReportAllocs()
	b.SetBytes(1920 * 1080)
	for b.Loop() {
		if _, err := Compute(ref, dis, 8, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompute1080p10bit(b *testing.B) {
	ref, dis := synthPair(1920, 1080, 10, 1)
	b.ReportAllocs()
	b.SetBytes(1920 * 1080 * 2)
	for b.Loop() {
		if _, err := Compute(ref, dis, 10, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRefCompute1080p8bit(b *testing.B) {
	ref, dis := synthPair(1920, 1080, 8, 1)
	for b.Loop() {
		if _, err := refCompute(ref, dis, 8, DefaultOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
