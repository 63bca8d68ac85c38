package adm

import (
	"math"
	"math/bits"
)

// band16 / band32 are the four DWT sub-bands (LL, vertical, horizontal,
// diagonal detail) of one scale; a is nil for detail-only bands.
type band16 struct{ a, h, v, d []int16 }
type band32 struct{ a, h, v, d []int32 }

func (b *band16) hvd() [3][]int16 { return [3][]int16{b.h, b.v, b.d} }
func (b *band32) hvd() [3][]int32 { return [3][]int32{b.h, b.v, b.d} }

// extRegion is the region (with one extra filter tap) that the decouple and
// CSF stages compute: libvmaf skips ADM_BORDER_FACTOR of each side.
func extRegion(n int) (lo, hi int) {
	lo = int(float64(n)*borderFactor - 0.5 - 1)
	hi = n - lo + 2
	if lo < 0 {
		lo = 0
	}
	if hi > n {
		hi = n
	}
	return
}

// scoreRegion is the region over which the numerator and denominator sums
// run.
func scoreRegion(n int) (lo, hi int) {
	lo = int(float64(n)*borderFactor - 0.5)
	return lo, n - lo
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// applyGain mirrors the enhancement-gain clamp: with the angle test
// passed, the restored coefficient may grow by up to egl but not past the
// distorted one. The C code compares in double and truncates back.
func applyGain(rst, t int64, egl float64, positive bool) int64 {
	g := float64(rst) * egl
	if positive {
		if g < float64(t) {
			return int64(g)
		}
		return t
	}
	if g > float64(t) {
		return int64(g)
	}
	return t
}

func angleFlag(oh, ov, th, tv int64) bool {
	otDp := oh*th + ov*tv
	oMag := oh*oh + ov*ov
	tMag := th*th + tv*tv
	a := float64(float32(otDp)) / 4096.0
	return a >= 0 && a*a >= float64(cos1degSq)*(float64(float32(oMag))/4096.0)*(float64(float32(tMag))/4096.0)
}

// decouple0 splits the distorted scale-0 detail bands into the restored
// part r (what survives of the reference) and the additive impairment a.
func decouple0(ref, dis *band16, r, a *band16, w, h, stride int, egl float64) {
	left, right := extRegion(w)
	top, bottom := extRegion(h)
	dl := divLookup
	var args decArgs
	nvec := 0
	if hasAVX2 {
		// The kernel computes the angle products in int32: exact for
		// DWT coefficients, which stay within ±2^15-1 (|DWT| < 23000).
		nvec = (right - left) &^ 3
		args.init(egl)
	}
	for i := top; i < bottom; i++ {
		if nvec > 0 {
			decouple0Row(&args, ref, dis, r, a, i*stride+left, nvec)
		}
		for j := left + nvec; j < right; j++ {
			k := i*stride + j
			oh, ov, od := int32(ref.h[k]), int32(ref.v[k]), int32(ref.d[k])
			th, tv, td := int32(dis.h[k]), int32(dis.v[k]), int32(dis.d[k])
			flag := angleFlag(int64(oh), int64(ov), int64(th), int64(tv))
			rh := decoupleOne0(oh, th, flag, egl, dl)
			rv := decoupleOne0(ov, tv, flag, egl, dl)
			rd := decoupleOne0(od, td, flag, egl, dl)
			r.h[k], r.v[k], r.d[k] = rh, rv, rd
			a.h[k] = int16(th - int32(rh))
			a.v[k] = int16(tv - int32(rv))
			a.d[k] = int16(td - int32(rd))
		}
	}
}

func decoupleOne0(o, t int32, flag bool, egl float64, dl *[65537]int32) int16 {
	var tk int32
	if o == 0 {
		tk = 32768
	} else {
		tk = int32((int64(dl[o+32768])*int64(t) + 16384) >> 15)
	}
	k := tk
	if k < 0 {
		k = 0
	} else if k > 32768 {
		k = 32768
	}
	rst := int16((k*o + 16384) >> 15)
	if flag && k != 0 && o != 0 {
		return int16(applyGain(int64(rst), int64(t), egl, o > 0))
	}
	return rst
}

// best15 reduces a 32-bit magnitude >= 32768 to 15 significant bits,
// rounding, and reports the shift (get_best15_from32).
func best15(v uint32) (uint32, int) {
	k := 17 - leadingZeros32(v)
	return (v + (1 << (k - 1))) >> k, k
}

func leadingZeros32(v uint32) int { return bits.LeadingZeros32(v) }

func decoupleS123(ref, dis *band32, r, a *band32, w, h, stride int, egl float64) {
	left, right := extRegion(w)
	top, bottom := extRegion(h)
	dl := divLookup
	var args decS123Args
	nvec := 0
	if hasAVX2 {
		nvec = (right - left) &^ 3
		args.init(egl)
	}
	for i := top; i < bottom; i++ {
		j0 := left
		if nvec > 0 {
			j0 += decS123Row(&args, ref, dis, r, a, i*stride+left, nvec)
		}
		for j := j0; j < right; j++ {
			k := i*stride + j
			oh, ov, od := ref.h[k], ref.v[k], ref.d[k]
			th, tv, td := dis.h[k], dis.v[k], dis.d[k]
			flag := angleFlag(int64(oh), int64(ov), int64(th), int64(tv))
			rh := decoupleOneS123(oh, th, flag, egl, dl)
			rv := decoupleOneS123(ov, tv, flag, egl, dl)
			rd := decoupleOneS123(od, td, flag, egl, dl)
			r.h[k], r.v[k], r.d[k] = rh, rv, rd
			a.h[k] = th - rh
			a.v[k] = tv - rv
			a.d[k] = td - rd
		}
	}
}

func decoupleOneS123(o, t int32, flag bool, egl float64, dl *[65537]int32) int32 {
	var tk int64
	if o == 0 {
		tk = 32768
	} else {
		ab := uint32(abs32(o))
		var sign int64 = 1
		if o < 0 {
			sign = -1
		}
		msb, sh := ab, 0
		if ab >= 32768 {
			msb, sh = best15(ab)
		}
		msb &= 0xffff // uint16 storage
		round := int64(int32(uint32(1) << uint(14+sh)))
		tk = ((int64(dl[msb+32768])*int64(t))*sign + round) >> uint(15+sh)
	}
	k := tk
	if k < 0 {
		k = 0
	} else if k > 32768 {
		k = 32768
	}
	rst := int32((k*int64(o) + 16384) >> 15)
	if flag && k != 0 && o != 0 {
		return int32(applyGain(int64(rst), int64(t), egl, o > 0))
	}
	return rst
}

// csf0 applies the scale-0 contrast sensitivity weights to src and stores
// the weighted band in dst and |dst|/30 (the masking contribution) in flt.
func csf0(src, dst, flt [3][]int16, w, h, stride int, irf [3]int32) {
	shifts := [3]uint{15, 15, 17}
	adds := [3]int32{16384, 16384, 65535}
	const fixOneBy30 = 4369
	left, right := extRegion(w)
	top, bottom := extRegion(h)
	for t := 0; t < 3; t++ {
		s, d, f := src[t], dst[t], flt[t]
		rf, sh, ad := irf[t], shifts[t], adds[t]
		for i := top; i < bottom; i++ {
			j0 := left
			if hasAVX2 {
				if n := (right - left) &^ 15; n > 0 {
					k := i*stride + left
					csf0RowAVX2(&s[k], &d[k], &f[k], n, rf, ad, uint64(sh))
					j0 += n
				}
			}
			for j := j0; j < right; j++ {
				k := i*stride + j
				v := int16((rf*int32(s[k]) + ad) >> sh)
				d[k] = v
				f[k] = int16((fixOneBy30*abs32(int32(v)) + 2048) >> 12)
			}
		}
	}
}

func csfS123(src, dst, flt [3][]int32, w, h, stride int, irf [3]int64) {
	const fixOneBy30 = 143165577
	const addDst = int64(1) << 27
	const addFlt = int64(-2147483648) // int32(1u<<31): libvmaf's rounding term wraps negative
	left, right := extRegion(w)
	top, bottom := extRegion(h)
	for t := 0; t < 3; t++ {
		s, d, f := src[t], dst[t], flt[t]
		rf := irf[t]
		for i := top; i < bottom; i++ {
			j0 := left
			// The kernel takes the factor as an unsigned 32-bit number
			// (getCSF makes it so).
			if hasAVX2 && rf >= 0 && rf <= math.MaxUint32 {
				if n := (right - left) &^ 3; n > 0 {
					k := i*stride + left
					csfS123RowAVX2(&s[k], &d[k], &f[k], n, rf)
					j0 += n
				}
			}
			for j := j0; j < right; j++ {
				k := i*stride + j
				v := int32((rf*int64(s[k]) + addDst) >> 28)
				d[k] = v
				f[k] = int32((fixOneBy30*int64(abs32(v)) + addFlt) >> 32)
			}
		}
	}
}

func cube64(x float32) float64 {
	d := float64(x)
	return d * d * d
}

const oneThird = float32(1.0 / 3.0)

// den0 is adm_csf_den_scale: the CSF-weighted L3 norm of the reference
// scale-0 detail bands plus the noise floor term.
func den0(ref *band16, w, h, stride int, rf [3]float32, noiseWeight float64) float32 {
	left, right := scoreRegion(w)
	top, bottom := scoreRegion(h)
	shiftAccum := int32(math.Ceil(math.Log2(float64((bottom-top)*(right-left))) - 20))
	if shiftAccum < 0 {
		shiftAccum = 0
	}
	var addAccum uint64
	if shiftAccum > 0 {
		addAccum = 1 << (shiftAccum - 1)
	}
	bands := ref.hvd()
	var acc [3]uint64
	for t := 0; t < 3; t++ {
		b := bands[t]
		for i := top; i < bottom; i++ {
			var inner uint64
			row := b[i*stride+left : i*stride+right]
			for _, x := range row {
				u := uint64(uint16(abs32(int32(x))))
				inner += u * u * u
			}
			acc[t] += (inner + addAccum) >> uint(shiftAccum)
		}
	}
	shiftCSF := math.Pow(2, float64(18-shiftAccum))
	return denFinish(acc, shiftCSF, rf, (bottom-top)*(right-left), noiseWeight)
}

func denFinish(acc [3]uint64, shiftCSF float64, rf [3]float32, area int, noiseWeight float64) float32 {
	add := powf(float32(float64(area)*noiseWeight), oneThird)
	var d [3]float32
	for t := 0; t < 3; t++ {
		csf := (float64(acc[t]) / shiftCSF) * cube64(rf[t])
		d[t] = powf(float32(csf), oneThird) + add
	}
	return d[0] + d[1] + d[2]
}

func denS123(ref *band32, scale, w, h, stride int, rf [3]float32, noiseWeight float64) float32 {
	shiftSq := [3]uint{31, 30, 31}
	convert := [3]uint32{32, 27, 23}
	left, right := scoreRegion(w)
	top, bottom := scoreRegion(h)
	shSq := shiftSq[scale-1]
	addSq := uint64(uint32(1) << shSq)
	shiftCub := uint32(math.Ceil(math.Log2(float64(right - left))))
	addCub := uint64(uint32(math.Pow(2, float64(int64(shiftCub)-1))))
	shiftAccum := uint32(math.Ceil(math.Log2(float64(bottom - top))))
	addAccum := uint64(uint32(math.Pow(2, float64(int64(shiftAccum)-1))))
	bands := ref.hvd()
	var acc [3]uint64
	for t := 0; t < 3; t++ {
		b := bands[t]
		for i := top; i < bottom; i++ {
			var inner uint64
			row := b[i*stride+left : i*stride+right]
			for _, x := range row {
				u := uint64(uint32(abs32(x)))
				inner += ((((u*u)+addSq)>>shSq)*u + addCub) >> shiftCub
			}
			acc[t] += (inner + addAccum) >> shiftAccum
		}
	}
	shiftCSF := math.Pow(2, float64(convert[scale-1]-shiftAccum-shiftCub))
	return denFinish(acc, shiftCSF, rf, (bottom-top)*(right-left), noiseWeight)
}
