package motion

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

// refSAD is the plain transcription of libvmaf's pipelined motion SAD.
func refSAD(prev, cur *frame.Plane, bpc int) uint64 {
	w, h := prev.Width, prev.Height
	yrow := make([]int64, w)
	var sad uint64
	for i := 0; i < h; i++ {
		for j := 0; j < w; j++ {
			var acc int64
			for k := 0; k < 5; k++ {
				r := mirror(i-2+k, h)
				acc += int64(filter[k]) * int64(prev.At(j, r)-cur.At(j, r))
			}
			yrow[j] = (acc + int64(1)<<(bpc-1)) >> bpc
		}
		var row uint32
		for j := 0; j < w; j++ {
			var acc int64
			for k := 0; k < 5; k++ {
				acc += int64(filter[k]) * yrow[mirror(j-2+k, w)]
			}
			v := int32((acc + 32768) >> 16)
			if v < 0 {
				v = -v
			}
			row += uint32(v)
		}
		sad += uint64(row)
	}
	return sad
}

func TestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, bpc := range []int{8, 10, 12, 16} {
		for n := 0; n < 25; n++ {
			w, h := 3+rng.IntN(40), 3+rng.IntN(40)
			if n == 0 {
				w, h = 3, 3
			}
			planes := make([]*frame.Plane, 4)
			for f := range planes {
				p := &frame.Plane{Width: w, Height: h, Stride: w + n%3}
				if bpc == 8 {
					p.Pix8 = make([]uint8, p.Stride*h)
				} else {
					p.Pix16 = make([]uint16, p.Stride*h)
				}
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						v := rng.IntN(1 << bpc)
						if n%4 == 1 {
							v = ((x + y + f) % 2) * (1<<bpc - 1)
						}
						if bpc == 8 {
							p.Pix8[y*p.Stride+x] = uint8(v)
						} else {
							p.Pix16[y*p.Stride+x] = uint16(v)
						}
					}
				}
				planes[f] = p
			}
			got := runAll(t, planes, bpc)
			sad := []float64{0}
			for f := 1; f < len(planes); f++ {
				sad = append(sad, min(float64(refSAD(planes[f-1], planes[f], bpc))/256.0/float64(w*h), 10000))
			}
			want := []Score{
				{0, 0, 0, sad[1]},
				{1, sad[1], min(sad[1], sad[2]), min(sad[1], sad[2])},
				{2, sad[2], min(sad[2], sad[3]), min(sad[2], sad[3])},
				{3, sad[3], sad[3], sad[3]},
			}
			for f := range want {
				if got[f] != want[f] {
					t.Errorf("%dx%d %d-bit frame %d: got %+v want %+v", w, h, bpc, f, got[f], want[f])
				}
			}
		}
	}
}

func TestSingleFrameAndErrors(t *testing.T) {
	p := &frame.Plane{Width: 8, Height: 8, Stride: 8, Pix8: make([]uint8, 64)}
	e := New(8, 8, 8)
	if s, err := e.Push(p); err != nil || len(s) != 0 {
		t.Fatalf("first push: %v %v", s, err)
	}
	if s := e.Flush(); len(s) != 1 || s[0] != (Score{}) {
		t.Fatalf("flush of one frame: %+v", s)
	}
	if s := e.Flush(); s != nil {
		t.Fatalf("second flush: %+v", s)
	}
	if _, err := e.Push(p); err == nil {
		t.Error("push after flush accepted")
	}
	if _, err := New(2, 8, 8).Push(p); err == nil {
		t.Error("width 2 accepted")
	}
	if _, err := New(8, 8, 10).Push(p); err == nil {
		t.Error("8-bit plane accepted as 10-bit")
	}
	if _, err := New(9, 8, 8).Push(p); err == nil {
		t.Error("size mismatch accepted")
	}
	if s := New(8, 8, 8).Flush(); s != nil {
		t.Error("flush without frames returned scores")
	}
}
