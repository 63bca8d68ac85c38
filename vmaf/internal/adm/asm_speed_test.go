//go:build amd64 && !purego

package adm

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

// randPair makes a reference plane (noise, or smooth texture) and a
// distorted one: mode 0 adds noise, 1 boosts contrast (the enhancement
// gain path), 2 is an identical copy.
func randPair(rng *rand.Rand, w, h, bpc int, smooth bool, mode int) (*frame.Plane, *frame.Plane) {
	maxv := 1<<bpc - 1
	mk := func(stride int) *frame.Plane {
		p := &frame.Plane{Width: w, Height: h, Stride: stride}
		if bpc == 8 {
			p.Pix8 = make([]uint8, stride*h)
		} else {
			p.Pix16 = make([]uint16, stride*h)
		}
		return p
	}
	set := func(p *frame.Plane, x, y, v int) {
		v = max(0, min(v, maxv))
		if bpc == 8 {
			p.Pix8[y*p.Stride+x] = uint8(v)
		} else {
			p.Pix16[y*p.Stride+x] = uint16(v)
		}
	}
	ref, dis := mk(w+rng.IntN(5)), mk(w+rng.IntN(5))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := rng.IntN(maxv + 1)
			if smooth {
				v = (x*5+y*3)%(maxv/2) + ((x/8+y/8)%2)*(maxv/4) + rng.IntN(maxv/16+1)
			}
			set(ref, x, y, v)
			switch mode {
			case 0:
				set(dis, x, y, v+rng.IntN(maxv/8+1)-maxv/16)
			case 1:
				set(dis, x, y, maxv/2+(v-maxv/2)*5/4+rng.IntN(3)-1)
			default:
				set(dis, x, y, v)
			}
		}
	}
	return ref, dis
}

// TestAsmMatchesGo compares the AVX2 kernels with the plain Go loops on
// random planes of odd sizes, 8 and 10-bit.
func TestAsmMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for n := 0; n < 45; n++ {
		w, h := MinSize+rng.IntN(300), MinSize+rng.IntN(100)
		if n%3 == 0 {
			w |= 1
		}
		for _, bpc := range []int{8, 10} {
			ref, dis := randPair(rng, w, h, bpc, n%2 == 0, n%3)
			for _, egl := range []float64{100, 1} {
				opt := Options{EnhnGainLimit: egl}
				got, err := Compute(ref, dis, bpc, opt)
				if err != nil {
					t.Fatal(err)
				}
				hasAVX2 = false
				want, err := Compute(ref, dis, bpc, opt)
				hasAVX2 = true
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("%dx%d %d-bit egl %v: asm %+v, Go %+v", w, h, bpc, egl, got, want)
				}
			}
		}
	}
}
