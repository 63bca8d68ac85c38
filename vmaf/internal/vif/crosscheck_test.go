package vif

import (
	"math/rand/v2"
	"testing"

	"github.com/reel-video/reel/frame"
)

func fillPlane(p *frame.Plane, bpc int, f func(x, y int) int) {
	for y := 0; y < p.Height; y++ {
		for x := 0; x < p.Width; x++ {
			v := max(0, min(f(x, y), 1<<bpc-1))
			if bpc == 8 {
				p.Pix8[y*p.Stride+x] = uint8(v)
			} else {
				p.Pix16[y*p.Stride+x] = uint16(v)
			}
		}
	}
}

func newPlane(w, h, stride, bpc int) *frame.Plane {
	p := &frame.Plane{Width: w, Height: h, Stride: stride}
	if bpc == 8 {
		p.Pix8 = make([]uint8, stride*h)
	} else {
		p.Pix16 = make([]uint16, stride*h)
	}
	return p
}

// TestMatchesReference checks the optimised Compute against the plain
// transcription on odd and even sizes, every bit depth, noise and
// extreme content, and both gain limits.
func TestMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 1))
	type size struct{ w, h int }
	sizes := []size{{16, 16}, {17, 19}, {31, 16}, {33, 35}, {47, 21}, {64, 64}, {161, 91}, {160, 90}, {99, 130}, {333, 77}}
	for n := 0; n < 12; n++ {
		sizes = append(sizes, size{16 + rng.IntN(90), 16 + rng.IntN(90)})
	}
	contents := []string{"noise", "texture", "flat", "extreme", "ramp", "white"}
	for _, bpc := range []int{8, 10, 12, 16} {
		maxv := 1<<bpc - 1
		for si, sz := range sizes {
			content := contents[si%len(contents)]
			ref := newPlane(sz.w, sz.h, sz.w+si%3, bpc)
			dis := newPlane(sz.w, sz.h, sz.w+(si+1)%4, bpc)
			switch content {
			case "noise":
				fillPlane(ref, bpc, func(x, y int) int { return rng.IntN(maxv + 1) })
				fillPlane(dis, bpc, func(x, y int) int { return rng.IntN(maxv + 1) })
			case "texture":
				fillPlane(ref, bpc, func(x, y int) int { return (x*x+y*3)%(maxv/2) + rng.IntN(maxv/8+1) })
				fillPlane(dis, bpc, func(x, y int) int { return ref.At(x, y) + rng.IntN(maxv/16+1) - maxv/32 })
			case "flat":
				fillPlane(ref, bpc, func(x, y int) int { return maxv / 3 })
				fillPlane(dis, bpc, func(x, y int) int { return maxv/3 + (x+y)%2 })
			case "extreme":
				fillPlane(ref, bpc, func(x, y int) int { return ((x/3 + y/2) % 2) * maxv })
				fillPlane(dis, bpc, func(x, y int) int { return maxv - ref.At(x, y)*((x+y)%3)/2 })
			case "white": // the largest filter sums
				fillPlane(ref, bpc, func(x, y int) int { return maxv })
				fillPlane(dis, bpc, func(x, y int) int { return maxv - (x+y)%2 })
			case "ramp":
				fillPlane(ref, bpc, func(x, y int) int { return (x * maxv) / sz.w })
				fillPlane(dis, bpc, func(x, y int) int { return (x*maxv)/sz.w*9/10 + rng.IntN(3) })
			}
			for _, opt := range []Options{DefaultOptions(), {EnhnGainLimit: 1}} {
				want, err := refCompute(ref, dis, bpc, opt)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Compute(ref, dis, bpc, opt)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%dx%d %d-bit %s egl=%v: got %v want %v", sz.w, sz.h, bpc, content, opt.EnhnGainLimit, got.Scale, want.Scale)
				}
				// Ref vs itself must not crash and is 1 when not flat.
				if _, err := Compute(ref, ref, bpc, opt); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	a := newPlane(15, 40, 15, 8)
	if _, err := Compute(a, a, 8, DefaultOptions()); err == nil {
		t.Error("15 wide accepted")
	}
	b := newPlane(40, 40, 40, 8)
	c := newPlane(40, 41, 40, 8)
	if _, err := Compute(b, c, 8, DefaultOptions()); err == nil {
		t.Error("size mismatch accepted")
	}
	if _, err := Compute(b, b, 10, DefaultOptions()); err == nil {
		t.Error("8-bit plane accepted as 10-bit")
	}
	if _, err := Compute(b, b, 8, Options{EnhnGainLimit: 0.5}); err == nil {
		t.Error("gain limit 0.5 accepted")
	}
}

func TestWorkspace(t *testing.T) {
	var ws Workspace
	for _, sz := range [][2]int{{40, 30}, {40, 30}, {57, 33}} {
		ref := newPlane(sz[0], sz[1], sz[0], 8)
		dis := newPlane(sz[0], sz[1], sz[0], 8)
		fillPlane(ref, 8, func(x, y int) int { return (x * y) % 251 })
		fillPlane(dis, 8, func(x, y int) int { return (x*y)%251 + x%3 })
		a, err := ws.Compute(ref, dis, 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		b, err := Compute(ref, dis, 8, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%v: workspace %v, pool %v", sz, a, b)
		}
	}
}

func TestComputeMany(t *testing.T) {
	ref, dis := synthPair(97, 61, 8, 5)
	opts := []Options{DefaultOptions(), {EnhnGainLimit: 1}, {EnhnGainLimit: 2.5}}
	out := make([]Scores, len(opts))
	if err := ComputeMany(ref, dis, 8, opts, out); err != nil {
		t.Fatal(err)
	}
	for i, o := range opts {
		want, err := refCompute(ref, dis, 8, o)
		if err != nil {
			t.Fatal(err)
		}
		if out[i] != want {
			t.Errorf("egl %v: got %v want %v", o.EnhnGainLimit, out[i], want)
		}
	}
	if err := ComputeMany(ref, dis, 8, make([]Options, MaxOptions+1), make([]Scores, MaxOptions+1)); err == nil {
		t.Error("too many options accepted")
	}
}
