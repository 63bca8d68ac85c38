package adm

import "math"

// Contrast masking (adm_cm / i4_adm_cm). For every coefficient of the score
// region the masking threshold is the sum over the three orientations of
// the 3x3 neighbourhood of |csf|/30 values, with the centre replaced by
// |csf|/15. Rows/columns outside the band are mirrored the way libvmaf's
// edge macros do it: index -1 reads 1, index n reads n-1.

func nbr(i, n int) (up, dn int) {
	up, dn = i-1, i+1
	if i == 0 {
		up = 1
	}
	if i == n-1 {
		dn = n - 1
	}
	return
}

// maskSums prepares the orientation-summed masking image F = sum_t flt[t]
// over the rows/columns the 3x3 neighbourhoods of the score region touch,
// and R, its horizontal 3-tap sums (with libvmaf's edge mirroring) over
// the score columns. Integer sums are exact, so the threshold
// R[up]+R[i]+R[dn]-F[i] equals libvmaf's per-pixel 8-neighbour sum.
func maskSums16(flt [3][]int16, w, h, stride int, F, R []int32) {
	el, er := extRegion(w)
	et, eb := extRegion(h)
	f0, f1, f2 := flt[0], flt[1], flt[2]
	for i := et; i < eb; i++ {
		o := i * stride
		a, b, c, d := f0[o+el:o+er], f1[o+el:o+er], f2[o+el:o+er], F[o+el:o+er]
		j0 := 0
		if n := len(d) &^ 7; hasAVX2 && n > 0 {
			sum3WAVX2(&a[0], &b[0], &c[0], &d[0], n)
			j0 = n
		}
		for j := j0; j < len(d); j++ {
			d[j] = int32(a[j]) + int32(b[j]) + int32(c[j])
		}
	}
	rowTriples(w, h, stride, F, R)
}

func maskSums32(flt [3][]int32, w, h, stride int, F, R []int32) {
	el, er := extRegion(w)
	et, eb := extRegion(h)
	f0, f1, f2 := flt[0], flt[1], flt[2]
	for i := et; i < eb; i++ {
		o := i * stride
		a, b, c, d := f0[o+el:o+er], f1[o+el:o+er], f2[o+el:o+er], F[o+el:o+er]
		j0 := 0
		if n := len(d) &^ 7; hasAVX2 && n > 0 {
			sum3DAVX2(&a[0], &b[0], &c[0], &d[0], n)
			j0 = n
		}
		for j := j0; j < len(d); j++ {
			d[j] = a[j] + b[j] + c[j]
		}
	}
	rowTriples(w, h, stride, F, R)
}

func rowTriples(w, h, stride int, F, R []int32) {
	left, right := scoreRegion(w)
	top, bottom := scoreRegion(h)
	r0, r1 := top-1, bottom+1
	if r0 < 0 {
		r0 = 0
	}
	if r1 > h {
		r1 = h
	}
	// Interior columns (1 <= j <= w-2) read j-1, j, j+1 directly.
	jIn, jOut := max(left, 1), min(right, w-1)
	nvec := 0
	if hasAVX2 && jOut > jIn {
		nvec = (jOut - jIn) &^ 7
	}
	for i := r0; i < r1; i++ {
		o := i * stride
		if nvec > 0 {
			k := o + jIn
			sum3DAVX2(&F[k-1], &F[k], &F[k+1], &R[k], nvec)
		}
		for j := left; j < right; j++ {
			if j == jIn && nvec > 0 {
				j += nvec
				if j >= right {
					break
				}
			}
			jl, jr := nbr(j, w)
			R[o+j] = F[o+jl] + F[o+j] + F[o+jr]
		}
	}
}

func cmRound(x, thrShifted int32, addSq int64, shSq uint, addCub int64, shCub uint) int64 {
	if x < 0 {
		x = -x
	}
	x -= thrShifted
	if x < 0 {
		x = 0
	}
	xsq := int32((int64(x)*int64(x) + addSq) >> shSq)
	return (int64(xsq)*int64(x) + addCub) >> shCub
}

func ceilLog2U32(v float64, sub float64) uint32 {
	return uint32(int64(math.Ceil(math.Log2(v) - sub)))
}

func pow2m1(sh uint32) int64 {
	return int64(uint32(math.Pow(2, float64(int64(sh)-1))))
}

// cm0 returns the scale-0 numerator: src is the band being measured (the
// restored part for DLM, the additive part for AIM); angles are the CSF
// weighted masking bands and flt their |.|/30 versions.
func cm0(src [3][]int16, angles, flt [3][]int16, w, h, stride int, irf [3]int32, noiseWeight float64, F, R []int32) float32 {
	maskSums16(flt, w, h, stride, F, R)
	shHcub := ceilLog2U32(float64(w), 4)
	addHcub := pow2m1(shHcub)
	shDcub := ceilLog2U32(float64(w), 3)
	addDcub := pow2m1(shDcub)
	shInner := ceilLog2U32(float64(h), 0)
	addInner := pow2m1(shInner)

	left, right := scoreRegion(w)
	top, bottom := scoreRegion(h)
	var accH, accV, accD int64
	sh, sv, sd := src[0], src[1], src[2]
	var args cmArgs
	nvec := 0
	if hasAVX2 {
		nvec = (right - left) &^ 7
		args.init(irf, addHcub, shHcub, addDcub, shDcub)
	}
	for i := top; i < bottom; i++ {
		up, dn := nbr(i, h)
		ro, uo, do := i*stride, up*stride, dn*stride
		var ih, iv, id int64
		if nvec > 0 {
			ih, iv, id = cm0Row(&args, src, angles, F, R, ro, uo, do, left, nvec)
		}
		a0, a1, a2 := angles[0], angles[1], angles[2]
		for j := left + nvec; j < right; j++ {
			k := ro + j
			thr := R[uo+j] + R[k] + R[do+j] - F[k]
			thr += int32(int16((oneBy15*abs32(int32(a0[k])) + 2048) >> 12))
			thr += int32(int16((oneBy15*abs32(int32(a1[k])) + 2048) >> 12))
			thr += int32(int16((oneBy15*abs32(int32(a2[k])) + 2048) >> 12))
			ih += cmRound(int32(sh[k])*irf[0], thr<<10, 1<<28, 29, addHcub, uint(shHcub))
			iv += cmRound(int32(sv[k])*irf[1], thr<<10, 1<<28, 29, addHcub, uint(shHcub))
			id += cmRound(int32(sd[k])*irf[2], thr<<12, 1<<29, 30, addDcub, uint(shDcub))
		}
		accH += (ih + addInner) >> shInner
		accV += (iv + addInner) >> shInner
		accD += (id + addInner) >> shInner
	}
	fh := float32(float64(accH) / math.Pow(2, float64(uint32(52-shHcub-shInner))))
	fv := float32(float64(accV) / math.Pow(2, float64(uint32(52-shHcub-shInner))))
	fd := float32(float64(accD) / math.Pow(2, float64(uint32(57-shDcub-shInner))))
	add := powf(float32(float64((bottom-top)*(right-left))*noiseWeight), oneThird)
	nh := powf(fh, oneThird) + add
	nv := powf(fv, oneThird) + add
	nd := powf(fd, oneThird) + add
	return nh + nv + nd
}

var cmS123FinalShift = [3]uint32{45, 39, 36}

func cmS123(src [3][]int32, angles, flt [3][]int32, scale, w, h, stride int, irf [3]int64, noiseWeight float64, F, R []int32) float32 {
	maskSums32(flt, w, h, stride, F, R)
	const addDst = int64(1) << 27
	const addFlt = int64(-2147483648) // int32(1u<<31): libvmaf's rounding term wraps negative
	shCub := ceilLog2U32(float64(w), 0)
	addCub := pow2m1(shCub)
	shInner := ceilLog2U32(float64(h), 0)
	addInner := pow2m1(shInner)
	finalShift := float32(math.Pow(2, float64(cmS123FinalShift[scale-1]-shCub-shInner)))

	left, right := scoreRegion(w)
	top, bottom := scoreRegion(h)
	var accH, accV, accD int64
	sh, sv, sd := src[0], src[1], src[2]
	var args cmS123Args
	nvec := 0
	if hasAVX2 {
		nvec = (right - left) &^ 7
		args.init(irf, addCub, shCub)
	}
	for i := top; i < bottom; i++ {
		up, dn := nbr(i, h)
		ro, uo, do := i*stride, up*stride, dn*stride
		var ih, iv, id int64
		if nvec > 0 {
			ih, iv, id = cmS123Row(&args, src, angles, F, R, ro, uo, do, left, nvec)
		}
		a0, a1, a2 := angles[0], angles[1], angles[2]
		for j := left + nvec; j < right; j++ {
			k := ro + j
			thr := R[uo+j] + R[k] + R[do+j] - F[k]
			thr += int32((i4OneBy15*int64(abs32(a0[k])) + addFlt) >> 32)
			thr += int32((i4OneBy15*int64(abs32(a1[k])) + addFlt) >> 32)
			thr += int32((i4OneBy15*int64(abs32(a2[k])) + addFlt) >> 32)
			xh := int32((int64(sh[k])*irf[0] + addDst) >> 28)
			xv := int32((int64(sv[k])*irf[1] + addDst) >> 28)
			xd := int32((int64(sd[k])*irf[2] + addDst) >> 28)
			ih += cmRound(xh, thr, 1<<29, 30, addCub, uint(shCub))
			iv += cmRound(xv, thr, 1<<29, 30, addCub, uint(shCub))
			id += cmRound(xd, thr, 1<<29, 30, addCub, uint(shCub))
		}
		accH += (ih + addInner) >> shInner
		accV += (iv + addInner) >> shInner
		accD += (id + addInner) >> shInner
	}
	fh := float32(accH) / finalShift
	fv := float32(accV) / finalShift
	fd := float32(accD) / finalShift
	add := powf(float32(float64((bottom-top)*(right-left))*noiseWeight), oneThird)
	nh := powf(fh, oneThird) + add
	nv := powf(fv, oneThird) + add
	nd := powf(fd, oneThird) + add
	return nh + nv + nd
}
