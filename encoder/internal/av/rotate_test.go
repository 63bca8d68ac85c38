package av

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/asticode/go-astiav"
)

const one = 1 << 16 // 1.0 in a display matrix's 16.16 entries

// matrix builds a display matrix with entries a, b, c, d (see
// orientationFromMatrix) and w = 1.0 in 2.30.
func matrix(a, b, c, d int32) [9]int32 {
	return [9]int32{a, b, 0, c, d, 0, 0, 0, 1 << 30}
}

func TestRotationFromMatrix(t *testing.T) {
	fromLibav := func(angle float64) [9]int32 {
		var m [9]int32
		for i, v := range *astiav.NewDisplayMatrixFromRotation(angle) {
			m[i] = int32(v)
		}
		return m
	}
	tests := []struct {
		name     string
		m        [9]int32
		degrees  int
		mirrored bool
		w, h     int // upright size of a 320x240 picture
		err      bool
	}{
		{name: "identity", m: matrix(one, 0, 0, one), w: 320, h: 240},
		// av_display_rotation_set's angle is what ffmpeg's autorotate
		// turns clockwise (transpose=clock for 90).
		{name: "libav 90", m: fromLibav(90), degrees: 90, w: 240, h: 320},
		{name: "libav 180", m: fromLibav(180), degrees: 180, w: 320, h: 240},
		{name: "libav 270", m: fromLibav(270), degrees: 270, w: 240, h: 320},
		{name: "libav -90", m: fromLibav(-90), degrees: 270, w: 240, h: 320},
		{name: "hflip", m: matrix(-one, 0, 0, one), mirrored: true, w: 320, h: 240},
		{name: "vflip", m: matrix(one, 0, 0, -one), degrees: 180, mirrored: true, w: 320, h: 240},
		{name: "transpose", m: matrix(0, one, one, 0), degrees: 270, mirrored: true, w: 240, h: 320},
		{name: "antitranspose", m: matrix(0, -one, -one, 0), degrees: 90, mirrored: true, w: 240, h: 320},
		{name: "uniform scale 2", m: matrix(0, 2*one, -2*one, 0), degrees: 90, w: 240, h: 320},
		{name: "45 degrees", m: fromLibav(45), err: true},
		{name: "non-uniform scale", m: matrix(one, 0, 0, 2*one), err: true},
		{name: "shear", m: matrix(one, one, 0, one), err: true},
		{name: "perspective", m: [9]int32{one, 0, 1, 0, one, 0, 0, 0, 1 << 30}, err: true},
		{name: "zero", m: [9]int32{}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := orientationFromMatrix(tt.m)
			if tt.err {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("orientationFromMatrix(%v) = %+v, %v; want ErrUnsupported", tt.m, o, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			deg, mir := o.clockwise()
			w, h := o.uprightSize(320, 240)
			if deg != tt.degrees || mir != tt.mirrored || w != tt.w || h != tt.h {
				t.Errorf("got %d° mirrored=%v %dx%d, want %d° mirrored=%v %dx%d", deg, mir, w, h, tt.degrees, tt.mirrored, tt.w, tt.h)
			}
			if !mir && orientationFromClockwise(deg) != o {
				t.Errorf("orientationFromClockwise(%d) = %+v, want %+v", deg, orientationFromClockwise(deg), o)
			}
		})
	}
}

// samplePlane is a test plane: w×h samples at stride s.
type samplePlane struct {
	w, h, s int
	v       []uint16
}

func (p samplePlane) at(x, y int) uint16 { return p.v[y*p.s+x] }

// mirror and rotateCW are the players' elementary operations, written
// independently of orientSamples.
func mirror(p samplePlane) samplePlane {
	q := samplePlane{w: p.w, h: p.h, s: p.w, v: make([]uint16, p.w*p.h)}
	for y := range p.h {
		for x := range p.w {
			q.v[y*q.s+x] = p.at(p.w-1-x, y)
		}
	}
	return q
}

func rotateCW(p samplePlane) samplePlane {
	q := samplePlane{w: p.h, h: p.w, s: p.h, v: make([]uint16, p.w*p.h)}
	for y := range q.h {
		for x := range q.w {
			// The stored picture's bottom-left corner comes to the top left.
			q.v[y*q.s+x] = p.at(y, p.h-1-x)
		}
	}
	return q
}

func TestRotationPlanes(t *testing.T) {
	all := []orientation{}
	for i := range 8 {
		all = append(all, orientation{transpose: i&1 != 0, flipX: i&2 != 0, flipY: i&4 != 0})
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range [][2]int{{1, 1}, {3, 2}, {37, 23}, {70, 45}, {64, 96}} {
		for _, bpp := range []int{1, 2} {
			for _, o := range all {
				deg, mir := o.clockwise()
				t.Run(fmt.Sprintf("%dx%d/%dB/%d°mirrored=%v", size[0], size[1], bpp, deg, mir), func(t *testing.T) {
					pw, ph := size[0], size[1]
					ss := pw + 5 // padded source lines
					src := samplePlane{w: pw, h: ph, s: ss, v: make([]uint16, ss*ph)}
					for i := range src.v {
						src.v[i] = uint16(rng.IntN(1 << (8 * bpp)))
					}
					want := src
					if mir {
						want = mirror(want)
					}
					for range deg / 90 {
						want = rotateCW(want)
					}
					ow, oh := o.uprightSize(pw, ph)
					if ow != want.w || oh != want.h {
						t.Fatalf("upright size %dx%d, want %dx%d", ow, oh, want.w, want.h)
					}
					ds := ow + 3
					got := samplePlane{w: ow, h: oh, s: ds}
					if bpp == 1 {
						s8 := make([]byte, len(src.v))
						for i, v := range src.v {
							s8[i] = byte(v)
						}
						d8 := make([]byte, ds*oh)
						orientPlane(d8, ds, s8, ss, pw, ph, 1, o)
						for _, v := range d8 {
							got.v = append(got.v, uint16(v))
						}
					} else {
						s16 := make([]uint16, len(src.v))
						copy(s16, src.v)
						d16 := make([]uint16, ds*oh)
						orientSamples(d16, ds, s16, ss, pw, ph, o)
						got.v = d16
					}
					for y := range oh {
						for x := range ow {
							if g, w := got.at(x, y), want.at(x, y); g != w {
								t.Fatalf("sample (%d,%d) = %d, want %d", x, y, g, w)
							}
						}
					}
				})
			}
		}
	}
}

// TestRotationLayouts checks which pixel formats rotate directly and
// which go through the 4:4:4 fallback.
func TestRotationLayouts(t *testing.T) {
	turn := orientation{transpose: true, flipX: true}
	flip := orientation{flipX: true, flipY: true}
	tests := []struct {
		pf       astiav.PixelFormat
		o        orientation
		direct   bool
		fallback astiav.PixelFormat
	}{
		{astiav.PixelFormatYuv420P, turn, true, 0},
		{astiav.PixelFormatYuv420P10Le, turn, true, 0},
		{astiav.PixelFormatYuv444P, turn, true, 0},
		{astiav.PixelFormatGray8, turn, true, 0},
		{astiav.PixelFormatYuv422P, flip, true, 0},
		{astiav.PixelFormatYuv422P, turn, false, astiav.PixelFormatYuv444P},
		{astiav.PixelFormatYuv422P10Le, turn, false, astiav.PixelFormatYuv444P10Le},
		{astiav.PixelFormatNv12, flip, false, astiav.PixelFormatYuv444P},
		{astiav.PixelFormatRgb24, turn, false, astiav.PixelFormatGbrp},
		{astiav.PixelFormatYuyv422, flip, false, astiav.PixelFormatYuv444P},
	}
	for _, tt := range tests {
		l, ok := rotatableLayout(tt.pf, tt.o)
		if ok != tt.direct {
			t.Errorf("%s: direct = %v, want %v (%+v)", tt.pf, ok, tt.direct, l)
			continue
		}
		if ok {
			continue
		}
		fb := rotationFallback(tt.pf)
		if fb != tt.fallback {
			t.Errorf("%s: fallback %s, want %s", tt.pf, fb, tt.fallback)
		}
		if _, ok := rotatableLayout(fb, tt.o); !ok {
			t.Errorf("%s: fallback %s does not rotate", tt.pf, fb)
		}
	}
}

// BenchmarkRotatePlane turns a 1080p luma plane by 90°.
func BenchmarkRotatePlane(b *testing.B) {
	const w, h = 1920, 1080
	src, dst := make([]byte, w*h), make([]byte, w*h)
	o := orientation{transpose: true, flipX: true}
	b.SetBytes(w * h)
	for b.Loop() {
		orientPlane(dst, h, src, w, w, h, 1, o)
	}
}
