package vif

import (
	"math"
	"math/bits"

	"github.com/reel-video/reel/vmaf/internal/glibcmath"
)

// Filter taps per scale (Gaussian, fixed point, each set sums to 65536),
// as in libvmaf's integer VIF.
var filters = [4][]uint16{
	{489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489},
	{1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244},
	{3571, 16004, 26386, 16004, 3571},
	{10904, 43728, 10904},
}

// log2Table[i] = round(log2f(i) * 2048) for i in [32767, 65535]; other
// entries are unused (zero), as in libvmaf.
var log2Table [65537]uint16

func init() {
	for i := 32767; i < 65536; i++ {
		log2Table[i] = uint16(math.Round(float64(log2f(float32(i)) * 2048)))
	}
}

// log2f is the single-precision base-2 logarithm for normal positive x,
// computed as glibc 2.28–2.40 does (the ARM optimized-routines
// algorithm). Every explicit float64 conversion below forbids fused
// multiply-add so the result is the same on every architecture. For the
// arguments the table needs (32767..65535) the result equals the correctly
// rounded log2 (checked against a FMA variant and math.Log2 rounded to
// float32).
func log2f(x float32) float32 {
	ix := math.Float32bits(x)
	const off = 0x3f330000
	tmp := ix - off
	i := (tmp >> (23 - 4)) % 16
	top := tmp & 0xff800000
	iz := ix - top
	k := int32(tmp) >> 23
	invc, logc := glibcmath.Log2Tab[i].InvC, glibcmath.Log2Tab[i].LogC
	z := float64(math.Float32frombits(iz))
	r := float64(z*invc) - 1
	y0 := logc + float64(k)
	r2 := float64(r * r)
	y := float64(log2fPoly[1]*r) + log2fPoly[2]
	y = float64(log2fPoly[0]*r2) + y
	p := float64(log2fPoly[3]*r) + y0
	y = float64(y*r2) + p
	return float32(y)
}

var log2fPoly = [4]float64{-0x1.712b6f70a7e4dp-2, 0x1.ecabf496832ep-2, -0x1.715479ffae3dep-1, 0x1.715475f35c8b8p0}

// log2of32 returns log2(v)*2048 in fixed point using the best 16 bits of
// v; v must be >= 32768.
func log2of32(v uint32) int32 {
	k := 16 - bits.LeadingZeros32(v)
	return int32(log2Table[(v>>uint(k))&0xffff]) + 2048*int32(k)
}

// log2of64 is log2of32 for 64-bit v >= 0x20000.
func log2of64(v uint64) int32 {
	k := 48 - bits.LeadingZeros64(v)
	return int32(log2Table[(v>>uint(k))&0xffff]) + 2048*int32(k)
}
