package adm

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/reel-video/reel/frame"
)

func noisePlane(r *rand.Rand, w, h, stride int, bpc int) *frame.Plane {
	p := &frame.Plane{Width: w, Height: h, Stride: stride}
	max := 1<<bpc - 1
	if bpc == 8 {
		p.Pix8 = make([]uint8, stride*h)
	} else {
		p.Pix16 = make([]uint16, stride*h)
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// smooth gradient plus noise, so every band has energy
			v := (x*7+y*5)%(max+1)/2 + r.Intn(max/4+1)
			if v > max {
				v = max
			}
			if bpc == 8 {
				p.Pix8[y*stride+x] = uint8(v)
			} else {
				p.Pix16[y*stride+x] = uint16(v)
			}
		}
	}
	return p
}

func distort(r *rand.Rand, p *frame.Plane, bpc int) *frame.Plane {
	q := *p
	max := 1<<bpc - 1
	if p.Pix8 != nil {
		q.Pix8 = append([]uint8(nil), p.Pix8...)
		for i := range q.Pix8 {
			v := int(q.Pix8[i]) + r.Intn(9) - 4
			q.Pix8[i] = uint8(min(max, maxInt(0, v)))
		}
	} else {
		q.Pix16 = append([]uint16(nil), p.Pix16...)
		for i := range q.Pix16 {
			v := int(q.Pix16[i]) + r.Intn(9<<(bpc-8)) - 4<<(bpc-8)
			q.Pix16[i] = uint16(min(max, maxInt(0, v)))
		}
	}
	return &q
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// TestOddSizes runs every width/height parity combination (odd sizes make
// the DWT mirror the last row/column at each scale) and checks the scores
// are finite and sane, identical input scores ~1, and the stride is honoured.
func TestOddSizes(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for _, bpc := range []int{8, 10} {
		for w := MinSize; w <= MinSize+17; w++ {
			for _, h := range []int{MinSize, MinSize + 1, 37, 90, 91} {
				ref := noisePlane(r, w, h, w+3, bpc)
				dis := distort(r, ref, bpc)
				s, err := Compute(ref, dis, bpc, DefaultOptions())
				if err != nil {
					t.Fatalf("%dx%d: %v", w, h, err)
				}
				for _, v := range featVals(s) {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 2 {
						t.Fatalf("%dx%d bpc %d: bad scores %+v", w, h, bpc, s)
					}
				}
				// Same content, tightly packed: identical result.
				tight := func(p *frame.Plane) *frame.Plane {
					q := &frame.Plane{Width: w, Height: h, Stride: w}
					for y := 0; y < h; y++ {
						if bpc == 8 {
							q.Pix8 = append(q.Pix8, p.Row8(y)...)
						} else {
							q.Pix16 = append(q.Pix16, p.Row16(y)...)
						}
					}
					return q
				}
				s2, _ := Compute(tight(ref), tight(dis), bpc, DefaultOptions())
				if s2 != s {
					t.Fatalf("%dx%d: stride changes result: %+v vs %+v", w, h, s, s2)
				}
				same, _ := Compute(ref, ref, bpc, DefaultOptions())
				if math.Abs(same.ADM2-1) > 1e-3 || same.AIM > 1e-3 {
					t.Fatalf("%dx%d: ref vs ref %+v", w, h, same)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	a := noisePlane(r, 64, 48, 64, 8)
	b := noisePlane(r, 64, 40, 64, 8)
	if _, err := Compute(a, b, 8, DefaultOptions()); !errors.Is(err, ErrMismatch) {
		t.Errorf("size mismatch: %v", err)
	}
	if _, err := Compute(a, a, 10, DefaultOptions()); !errors.Is(err, ErrBitDepth) {
		t.Errorf("8-bit data as 10: %v", err)
	}
	small := noisePlane(r, 16, 16, 16, 8)
	if _, err := Compute(small, small, 8, DefaultOptions()); !errors.Is(err, ErrSize) {
		t.Errorf("small: %v", err)
	}
	if _, err := Compute(a, a, 8, Options{EnhnGainLimit: 0.5}); !errors.Is(err, ErrOption) {
		t.Errorf("egl 0.5: %v", err)
	}
	if _, err := Compute(a, a, 8, Options{}); err != nil {
		t.Errorf("zero options should mean defaults: %v", err)
	}
}

func BenchmarkCompute1080p8(b *testing.B) {
	r := rand.New(rand.NewSource(3))
	ref := noisePlane(r, 1920, 1080, 1920, 8)
	dis := distort(r, ref, 8)
	opt := DefaultOptions()
	if _, err := Compute(ref, dis, 8, opt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Compute(ref, dis, 8, opt); err != nil {
			b.Fatal(err)
		}
	}
}
