package motion

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

func synthPlanes(w, h, bpc, n int, seed uint64) []*frame.Plane {
	rng := rand.New(rand.NewPCG(seed, 3))
	maxv := 1<<bpc - 1
	var out []*frame.Plane
	for f := 0; f < n; f++ {
		p := &frame.Plane{Width: w, Height: h, Stride: w + 5}
		if bpc == 8 {
			p.Pix8 = make([]uint8, p.Stride*h)
		} else {
			p.Pix16 = make([]uint16, p.Stride*h)
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := ((x+3*f)*5+y*2)%(maxv/2) + ((x/8+y/8+f)%2)*(maxv/4) + rng.IntN(maxv/8+1)
				v = min(v, maxv)
				if bpc == 8 {
					p.Pix8[y*p.Stride+x] = uint8(v)
				} else {
					p.Pix16[y*p.Stride+x] = uint16(v)
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkPush1080p8bit measures one Push (one frame's motion) at 1080p.
func BenchmarkPush1080p8bit(b *testing.B) {
	planes := synthPlanes(1920, 1080, 8, 2, 1)
	e := New(1920, 1080, 8)
	if _, err := e.Push(planes[0]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(1920 * 1080)
	i := 0
	for b.Loop() {
		i++
		if _, err := e.Push(planes[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPush1080p10bit(b *testing.B) {
	planes := synthPlanes(1920, 1080, 10, 2, 1)
	e := New(1920, 1080, 10)
	if _, err := e.Push(planes[0]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(1920 * 1080 * 2)
	i := 0
	for b.Loop() {
		i++
		if _, err := e.Push(planes[i%2]); err != nil {
			b.Fatal(err)
		}
	}
}
