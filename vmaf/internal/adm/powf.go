package adm

import (
	"math"

	"github.com/reel-video/reel/vmaf/internal/glibcmath"
)

// powf reproduces glibc's single-precision pow (the ARM optimized-routines
// algorithm used by glibc >= 2.28, here in the variant glibc selects on x86-64
// CPUs with FMA, where GCC fuses every multiply-add of the polynomial steps).
// libvmaf calls powf(x, 1.0f/3.0f) for its cube roots, and the float result
// feeds the scores directly, so the last bit matters.
//
// The tables are the published constants of that algorithm (ARM Ltd., MIT);
// the log2 table is shared with vif's log2f (package glibcmath).

var powfLog2Poly = [5]float64{
	0x1.27616c9496e0bp-2,
	-0x1.71969a075c67ap-2,
	0x1.ec70a6ca7baddp-2,
	-0x1.7154748bef6c8p-1,
	0x1.71547652ab82bp0,
}

var exp2fTab = [32]uint64{
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
}

var exp2fPoly = [3]float64{0x1.c6af84b912394p-5, 0x1.ebfce50fac4f3p-3, 0x1.62e42ff0c52d6p-1}

const (
	exp2fShift   = 0x1.8p+52 / 32
	powfSignBias = 1 << (5 + 11)
	powfOff      = 0x3f330000
	powfUseFMA   = true
)

func fmadd(a, b, c float64) float64 {
	if powfUseFMA {
		return math.FMA(a, b, c)
	}
	return a*b + c
}

func powfLog2(ix uint32) float64 {
	tmp := ix - powfOff
	i := (tmp >> (23 - 4)) % 16
	top := tmp & 0xff800000
	iz := ix - top
	k := int32(top) >> 23
	invc := glibcmath.Log2Tab[i].InvC
	logc := glibcmath.Log2Tab[i].LogC
	z := float64(math.Float32frombits(iz))
	r := fmadd(z, invc, -1)
	y0 := logc + float64(k)
	r2 := r * r
	A := &powfLog2Poly
	y := fmadd(A[0], r, A[1])
	p := fmadd(A[2], r, A[3])
	r4 := r2 * r2
	q := fmadd(A[4], r, y0)
	q = fmadd(p, r2, q)
	y = fmadd(y, r4, q)
	return y
}

func powfExp2(xd float64, signBias uint32) float64 {
	kd := xd + exp2fShift
	ki := math.Float64bits(kd)
	kd -= exp2fShift
	r := xd - kd
	t := exp2fTab[ki%32]
	ski := ki + uint64(signBias)
	t += ski << (52 - 5)
	s := math.Float64frombits(t)
	C := &exp2fPoly
	z := fmadd(C[0], r, C[1])
	r2 := r * r
	y := fmadd(C[2], r, 1)
	y = fmadd(z, r2, y)
	return y * s
}

func powfCheckint(iy uint32) int {
	e := int(iy >> 23 & 0xff)
	if e < 0x7f {
		return 0
	}
	if e > 0x7f+23 {
		return 2
	}
	if iy&((1<<(0x7f+23-e))-1) != 0 {
		return 0
	}
	if iy&(1<<(0x7f+23-e)) != 0 {
		return 1
	}
	return 2
}

func zeroinfnan(ix uint32) bool { return 2*ix-1 >= 2*0x7f800000-1 }

func powf(x, y float32) float32 {
	var signBias uint32
	ix := math.Float32bits(x)
	iy := math.Float32bits(y)
	if ix-0x00800000 >= 0x7f800000-0x00800000 || zeroinfnan(iy) {
		if zeroinfnan(iy) {
			if 2*iy == 0 {
				return 1
			}
			if ix == 0x3f800000 {
				return 1
			}
			if 2*ix > 2*0x7f800000 || 2*iy > 2*0x7f800000 {
				return x + y
			}
			if 2*ix == 2*0x3f800000 {
				return 1
			}
			if (2*ix < 2*0x3f800000) == (iy&0x80000000 == 0) {
				return 0
			}
			return y * y
		}
		if zeroinfnan(ix) {
			x2 := x * x
			if ix&0x80000000 != 0 && powfCheckint(iy) == 1 {
				x2 = -x2
			}
			if iy&0x80000000 != 0 {
				return 1 / x2
			}
			return x2
		}
		if ix&0x80000000 != 0 {
			yint := powfCheckint(iy)
			if yint == 0 {
				return float32(math.NaN())
			}
			if yint == 1 {
				signBias = powfSignBias
			}
			ix &= 0x7fffffff
		}
		if ix < 0x00800000 {
			ix = math.Float32bits(x * 0x1p23)
			ix &= 0x7fffffff
			ix -= 23 << 23
		}
	}
	logx := powfLog2(ix)
	ylogx := float64(y) * logx
	if (math.Float64bits(ylogx)>>47)&0xffff >= math.Float64bits(126.0)>>47 {
		if ylogx > 0x1.fffffffd1d571p+6 {
			if signBias != 0 {
				return float32(math.Inf(-1))
			}
			return float32(math.Inf(1))
		}
		if ylogx <= -150.0 {
			if signBias != 0 {
				return float32(math.Copysign(0, -1))
			}
			return 0
		}
	}
	return float32(powfExp2(ylogx, signBias))
}
