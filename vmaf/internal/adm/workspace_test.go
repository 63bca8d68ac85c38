package adm

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

func wsNoisePlane(r *rand.Rand, w, h int) *frame.Plane {
	p := &frame.Plane{Width: w, Height: h, Stride: w, Pix8: make([]uint8, w*h)}
	for i := range p.Pix8 {
		p.Pix8[i] = uint8(r.IntN(256))
	}
	return p
}

// TestWorkspaceReuse: one Workspace scoring frames of changing sizes in a
// row (its LL buffers are swapped an odd number of times per frame) gives
// what a fresh Workspace gives for each frame.
func TestWorkspaceReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ws Workspace
	for _, sz := range []struct{ w, h int }{{64, 48}, {64, 48}, {101, 77}, {64, 48}, {200, 30}, {101, 77}} {
		ref := wsNoisePlane(r, sz.w, sz.h)
		dis := wsNoisePlane(r, sz.w, sz.h)
		for k := range dis.Pix8 { // a distortion correlated with ref
			dis.Pix8[k] = ref.Pix8[k]/2 + dis.Pix8[k]/2
		}
		got, err := ws.Compute(ref, dis, 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		want, err := new(Workspace).Compute(ref, dis, 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%dx%d: reused workspace %+v, fresh %+v", sz.w, sz.h, got, want)
		}
		if got.ADM2 <= 0 || got.ADM2 >= 1 {
			t.Errorf("%dx%d: adm2 %v, want in (0, 1) for a half-noise distortion", sz.w, sz.h, got.ADM2)
		}
	}
}
