package adm

// mirrorIndices fills the four source-row (or column) indices that the db2
// analysis filter reads for each of the (n+1)/2 output samples, mirrored at
// the edges exactly like libvmaf's dwt2_src_indices_filt: -1 maps to 1 and
// an index k >= n maps to 2n-k-1.
func mirrorIndices(ind *[4][]int32, n int) {
	half := (n + 1) / 2
	for t := 0; t < 4; t++ {
		ind[t] = ind[t][:half]
	}
	for i := 0; i < half; i++ {
		for t := 0; t < 4; t++ {
			k := 2*i - 1 + t
			if k < 0 {
				k = -k
			}
			if k >= n {
				k = 2*n - k - 1
			}
			ind[t][i] = int32(k)
		}
	}
}

// dwt0_8 is the scale-0 fixed-point db2 DWT of an 8-bit plane
// (adm_dwt2_8): vertical pass shifted by 8 with the DC offset removed,
// horizontal pass shifted by 16, all in int32 with int16 storage.
func dwt0_8(src []uint8, sstride, w, h int, dst *band16, dstride int, ws *workspace) {
	const shiftVP, addVP = 8, 128
	const shiftHP, addHP = 16, 32768
	tmplo := ws.tmp16[:w]
	tmphi := ws.tmp16[w : 2*w]
	indX := &ws.indX
	hw := (w + 1) / 2
	for i := 0; i < (h+1)/2; i++ {
		r0 := src[int(ws.indY[0][i])*sstride:][:w]
		r1 := src[int(ws.indY[1][i])*sstride:][:w]
		r2 := src[int(ws.indY[2][i])*sstride:][:w]
		r3 := src[int(ws.indY[3][i])*sstride:][:w]
		j0 := 0
		if hasAVX2 && w >= 16 {
			j0 = w &^ 15
			dwt0Vert8AVX2(&r0[0], &r1[0], &r2[0], &r3[0], &tmplo[0], &tmphi[0], j0)
		}
		for j := j0; j < w; j++ {
			s0, s1, s2, s3 := int32(r0[j]), int32(r1[j]), int32(r2[j]), int32(r3[j])
			acc := dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3
			acc -= dwtLoSum * addVP
			tmplo[j] = int16((acc + addVP) >> shiftVP)
			acc = dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3
			acc -= dwtHiSum * addVP
			tmphi[j] = int16((acc + addVP) >> shiftVP)
		}
		dwt0Horizontal(tmplo, tmphi, indX, dst, i*dstride, hw)
	}
}

// dwt0_16 is adm_dwt2_16: like dwt0_8 but the vertical shift is bpc.
func dwt0_16(src []uint16, sstride, w, h, bpc int, dst *band16, dstride int, ws *workspace) {
	shiftVP := uint(bpc)
	addVP := int32(1) << (bpc - 1)
	tmplo := ws.tmp16[:w]
	tmphi := ws.tmp16[w : 2*w]
	indX := &ws.indX
	hw := (w + 1) / 2
	for i := 0; i < (h+1)/2; i++ {
		r0 := src[int(ws.indY[0][i])*sstride:][:w]
		r1 := src[int(ws.indY[1][i])*sstride:][:w]
		r2 := src[int(ws.indY[2][i])*sstride:][:w]
		r3 := src[int(ws.indY[3][i])*sstride:][:w]
		for j := 0; j < w; j++ {
			s0, s1, s2, s3 := int32(r0[j]), int32(r1[j]), int32(r2[j]), int32(r3[j])
			acc := dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3
			acc -= dwtLoSum * addVP
			tmplo[j] = int16((acc + addVP) >> shiftVP)
			acc = dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3
			acc -= dwtHiSum * addVP
			tmphi[j] = int16((acc + addVP) >> shiftVP)
		}
		dwt0Horizontal(tmplo, tmphi, indX, dst, i*dstride, hw)
	}
}

func dwt0Horizontal(tmplo, tmphi []int16, indX *[4][]int32, dst *band16, off, hw int) {
	const shiftHP, addHP = 16, 32768
	a := dst.a[off : off+hw]
	v := dst.v[off : off+hw]
	hh := dst.h[off : off+hw]
	d := dst.d[off : off+hw]
	x0, x1, x2, x3 := indX[0][:hw], indX[1][:hw], indX[2][:hw], indX[3][:hw]
	// Interior outputs read taps 2j-1..2j+2 directly; the mirrored ends go
	// through the index tables.
	jEnd := hw - 2
	if jEnd < 1 {
		jEnd = 1
	}
	j1 := 1
	if hasAVX2 {
		if n := (jEnd - 1) &^ 15; n > 0 {
			dwt0HorizAVX2(&tmplo[1], &a[1], &v[1], n)
			dwt0HorizAVX2(&tmphi[1], &hh[1], &d[1], n)
			j1 += n
		}
	}
	for j := j1; j < jEnd; j++ {
		b := 2*j - 1
		lo := tmplo[b : b+4 : b+4]
		hi := tmphi[b : b+4 : b+4]
		s0, s1, s2, s3 := int32(lo[0]), int32(lo[1]), int32(lo[2]), int32(lo[3])
		a[j] = int16((dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3 + addHP) >> shiftHP)
		v[j] = int16((dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3 + addHP) >> shiftHP)
		s0, s1, s2, s3 = int32(hi[0]), int32(hi[1]), int32(hi[2]), int32(hi[3])
		hh[j] = int16((dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3 + addHP) >> shiftHP)
		d[j] = int16((dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3 + addHP) >> shiftHP)
	}
	for j := 0; j < hw; j++ {
		if j == 1 && jEnd > 1 {
			j = jEnd
		}
		j0, j1, j2, j3 := x0[j], x1[j], x2[j], x3[j]
		s0, s1, s2, s3 := int32(tmplo[j0]), int32(tmplo[j1]), int32(tmplo[j2]), int32(tmplo[j3])
		a[j] = int16((dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3 + addHP) >> shiftHP)
		v[j] = int16((dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3 + addHP) >> shiftHP)
		s0, s1, s2, s3 = int32(tmphi[j0]), int32(tmphi[j1]), int32(tmphi[j2]), int32(tmphi[j3])
		hh[j] = int16((dwtLo[0]*s0 + dwtLo[1]*s1 + dwtLo[2]*s2 + dwtLo[3]*s3 + addHP) >> shiftHP)
		d[j] = int16((dwtHi[0]*s0 + dwtHi[1]*s1 + dwtHi[2]*s2 + dwtHi[3]*s3 + addHP) >> shiftHP)
	}
}

// Per-scale rounding of adm_dwt2_s123_combined (index scale-1).
var (
	s123RoundVP = [3]int64{0, 32768, 32768}
	s123RoundHP = [3]int64{16384, 32768, 16384}
	s123ShiftVP = [3]uint{0, 16, 16}
	s123ShiftHP = [3]uint{15, 16, 15}
)

// dwtS123 is the int32/int64 db2 DWT used for scales 1..3 (src is the
// previous scale's LL band: int16 from scale 0, int32 after), applied to one
// picture's previous-scale LL band.
func dwtS123[T int16 | int32](src []T, sstride, w, h int, dst *band32, dstride int, scale int, ws *workspace) {
	rVP, sVP := s123RoundVP[scale-1], s123ShiftVP[scale-1]
	rHP, sHP := s123RoundHP[scale-1], s123ShiftHP[scale-1]
	tmplo := ws.tmp32[:w]
	tmphi := ws.tmp32[w : 2*w]
	hw := (w + 1) / 2
	x0, x1, x2, x3 := ws.indX[0][:hw], ws.indX[1][:hw], ws.indX[2][:hw], ws.indX[3][:hw]
	lo0, lo1, lo2, lo3 := int64(dwtLo[0]), int64(dwtLo[1]), int64(dwtLo[2]), int64(dwtLo[3])
	hi0, hi1, hi2, hi3 := int64(dwtHi[0]), int64(dwtHi[1]), int64(dwtHi[2]), int64(dwtHi[3])
	src16, is16 := any(src).([]int16)
	src32, _ := any(src).([]int32)
	jv := 0 // first column of the Go vertical loop
	if hasAVX2 && w >= 4 {
		jv = w &^ 3
	}
	for i := 0; i < (h+1)/2; i++ {
		r0 := src[int(ws.indY[0][i])*sstride:][:w]
		r1 := src[int(ws.indY[1][i])*sstride:][:w]
		r2 := src[int(ws.indY[2][i])*sstride:][:w]
		r3 := src[int(ws.indY[3][i])*sstride:][:w]
		if jv > 0 {
			o0, o1 := int(ws.indY[0][i])*sstride, int(ws.indY[1][i])*sstride
			o2, o3 := int(ws.indY[2][i])*sstride, int(ws.indY[3][i])*sstride
			if is16 {
				dwtS123VertWAVX2(&src16[o0], &src16[o1], &src16[o2], &src16[o3], &tmplo[0], &tmphi[0], jv, rVP, uint64(sVP))
			} else {
				dwtS123VertDAVX2(&src32[o0], &src32[o1], &src32[o2], &src32[o3], &tmplo[0], &tmphi[0], jv, rVP, uint64(sVP))
			}
		}
		for j := jv; j < w; j++ {
			s0, s1, s2, s3 := int64(r0[j]), int64(r1[j]), int64(r2[j]), int64(r3[j])
			tmplo[j] = int32((lo0*s0 + lo1*s1 + lo2*s2 + lo3*s3 + rVP) >> sVP)
			tmphi[j] = int32((hi0*s0 + hi1*s1 + hi2*s2 + hi3*s3 + rVP) >> sVP)
		}
		off := i * dstride
		a := dst.a[off : off+hw]
		v := dst.v[off : off+hw]
		hh := dst.h[off : off+hw]
		d := dst.d[off : off+hw]
		jEnd := hw - 2
		if jEnd < 1 {
			jEnd = 1
		}
		j1 := 1
		if hasAVX2 {
			if n := (jEnd - 1) &^ 3; n > 0 {
				dwtS123HorizAVX2(&tmplo[1], &a[1], &v[1], n, rHP, uint64(sHP))
				dwtS123HorizAVX2(&tmphi[1], &hh[1], &d[1], n, rHP, uint64(sHP))
				j1 += n
			}
		}
		for j := j1; j < jEnd; j++ {
			b := 2*j - 1
			lo := tmplo[b : b+4 : b+4]
			hi := tmphi[b : b+4 : b+4]
			s0, s1, s2, s3 := int64(lo[0]), int64(lo[1]), int64(lo[2]), int64(lo[3])
			a[j] = int32((lo0*s0 + lo1*s1 + lo2*s2 + lo3*s3 + rHP) >> sHP)
			v[j] = int32((hi0*s0 + hi1*s1 + hi2*s2 + hi3*s3 + rHP) >> sHP)
			s0, s1, s2, s3 = int64(hi[0]), int64(hi[1]), int64(hi[2]), int64(hi[3])
			hh[j] = int32((lo0*s0 + lo1*s1 + lo2*s2 + lo3*s3 + rHP) >> sHP)
			d[j] = int32((hi0*s0 + hi1*s1 + hi2*s2 + hi3*s3 + rHP) >> sHP)
		}
		for j := 0; j < hw; j++ {
			if j == 1 && jEnd > 1 {
				j = jEnd
			}
			j0, j1, j2, j3 := x0[j], x1[j], x2[j], x3[j]
			s0, s1, s2, s3 := int64(tmplo[j0]), int64(tmplo[j1]), int64(tmplo[j2]), int64(tmplo[j3])
			a[j] = int32((lo0*s0 + lo1*s1 + lo2*s2 + lo3*s3 + rHP) >> sHP)
			v[j] = int32((hi0*s0 + hi1*s1 + hi2*s2 + hi3*s3 + rHP) >> sHP)
			s0, s1, s2, s3 = int64(tmphi[j0]), int64(tmphi[j1]), int64(tmphi[j2]), int64(tmphi[j3])
			hh[j] = int32((lo0*s0 + lo1*s1 + lo2*s2 + lo3*s3 + rHP) >> sHP)
			d[j] = int32((hi0*s0 + hi1*s1 + hi2*s2 + hi3*s3 + rHP) >> sHP)
		}
	}
}
