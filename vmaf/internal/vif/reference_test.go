package vif

// The straightforward transcription of libvmaf's integer VIF that the
// package started from (verified bit-exact on every golden pair). The
// optimised code is checked against it on random inputs of many sizes.

import "github.com/reel-video/reel/frame"

type refWorkspace struct {
	ref, dis             [4][]uint16
	mu1, mu2, xx, yy, xy []uint32
}

func newRefWorkspace(w, h int) *refWorkspace {
	ws := &refWorkspace{}
	sw, sh := w, h
	for s := 1; s < 4; s++ {
		sw, sh = sw/2, sh/2
		ws.ref[s] = make([]uint16, sw*sh)
		ws.dis[s] = make([]uint16, sw*sh)
	}
	n := w + 2*pad
	ws.mu1, ws.mu2 = make([]uint32, n), make([]uint32, n)
	ws.xx, ws.yy, ws.xy = make([]uint32, n), make([]uint32, n), make([]uint32, n)
	return ws
}

func refCompute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	var sc Scores
	w, h := ref.Width, ref.Height
	ws := newRefWorkspace(w, h)

	var num, den [4]float32
	if bpc == 8 {
		num[0], den[0] = refStatistic(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, opt.EnhnGainLimit)
		refSubsample(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	} else {
		num[0], den[0] = refStatistic(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, opt.EnhnGainLimit)
		refSubsample(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	}
	for s := 1; s < 4; s++ {
		w, h = w/2, h/2
		num[s], den[s] = refStatistic(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, opt.EnhnGainLimit)
		if s < 3 {
			refSubsample(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, ws.ref[s+1], ws.dis[s+1])
		}
	}
	for s := 0; s < 4; s++ {
		sc.Scale[s] = float64(num[s] / den[s])
	}
	return sc, nil
}

// statistic computes the VIF numerator and denominator of one scale.
func refStatistic[T pixel](ws *refWorkspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, egl float64) (float32, float32) {
	filt := filters[scale]
	fw := len(filt)
	half := fw / 2

	var shVP, shSq uint
	var rndVP uint32
	var rndSq uint64
	if scale == 0 {
		shVP = uint(bpc)
		rndVP = 1 << (bpc - 1)
		shSq = uint((bpc - 8) * 2)
		if bpc != 8 {
			rndSq = 1 << (shSq - 1)
		}
	} else {
		shVP, rndVP = 16, 32768
		shSq, rndSq = 16, 32768
	}

	var numLog, denLog, numNonLog, denNonLog int64
	var roff, doff [17]int

	tmu1, tmu2 := ws.mu1[:w+2*pad], ws.mu2[:w+2*pad]
	txx, tyy, txy := ws.xx[:w+2*pad], ws.yy[:w+2*pad], ws.xy[:w+2*pad]

	for i := 0; i < h; i++ {
		for k := 0; k < fw; k++ {
			r := mirror(i-half+k, h)
			roff[k] = r * rstride
			doff[k] = r * dstride
		}
		// Vertical pass.
		for j := 0; j < w; j++ {
			var aMu1, aMu2 uint32
			var aXX, aYY, aXY uint64
			for k := 0; k < fw; k++ {
				c := uint32(filt[k])
				x := uint32(ref[roff[k]+j])
				y := uint32(dis[doff[k]+j])
				cx := c * x
				cy := c * y
				aMu1 += cx
				aMu2 += cy
				aXX += uint64(cx) * uint64(x)
				aYY += uint64(cy) * uint64(y)
				aXY += uint64(cx) * uint64(y)
			}
			tmu1[pad+j] = (aMu1 + rndVP) >> shVP
			tmu2[pad+j] = (aMu2 + rndVP) >> shVP
			txx[pad+j] = uint32((aXX + rndSq) >> shSq)
			tyy[pad+j] = uint32((aYY + rndSq) >> shSq)
			txy[pad+j] = uint32((aXY + rndSq) >> shSq)
		}
		padRow(tmu1, w, half)
		padRow(tmu2, w, half)
		padRow(txx, w, half)
		padRow(tyy, w, half)
		padRow(txy, w, half)

		// Horizontal pass and statistic.
		for j := 0; j < w; j++ {
			var mu1, mu2 uint32
			var aXX, aYY, aXY uint64
			b := pad + j - half
			for k := 0; k < fw; k++ {
				c := uint32(filt[k])
				mu1 += c * tmu1[b+k]
				mu2 += c * tmu2[b+k]
				aXX += uint64(c) * uint64(txx[b+k])
				aYY += uint64(c) * uint64(tyy[b+k])
				aXY += uint64(c) * uint64(txy[b+k])
			}
			mu1sq := uint32((uint64(mu1)*uint64(mu1) + 2147483648) >> 32)
			mu2sq := uint32((uint64(mu2)*uint64(mu2) + 2147483648) >> 32)
			mu12 := uint32((uint64(mu1)*uint64(mu2) + 2147483648) >> 32)
			xx := uint32((aXX + 32768) >> 16)
			yy := uint32((aYY + 32768) >> 16)
			xy := uint32((aXY + 32768) >> 16)

			sigma1 := int32(xx - mu1sq)
			sigma2 := int32(yy - mu2sq)
			sigma12 := int32(xy - mu12)
			if sigma2 < 0 {
				sigma2 = 0
			}
			if sigma1 >= sigmaNsq {
				denLog += int64(log2of32(uint32(sigmaNsq+sigma1)) - 2048*17)
				if sigma12 > 0 && sigma2 > 0 {
					const eps = 65536 * 1.0e-10
					g := float64(sigma12) / (float64(sigma1) + eps)
					sv := int32(float64(sigma2) - float64(g*float64(sigma12)))
					if sv < 0 {
						sv = 0
					}
					if g > egl {
						g = egl
					}
					numer1 := uint32(sv + sigmaNsq)
					numer1tmp := int64(float64(float64(g*g)*float64(sigma1))) + int64(numer1)
					numLog += int64(log2of64(uint64(numer1tmp)) - log2of64(uint64(numer1)))
				}
			} else {
				numNonLog += int64(sigma2)
				denNonLog++
			}
		}
	}
	num := float64(numLog)/2048.0 + (float64(denNonLog) - (float64(numNonLog)/16384.0)/65025.0)
	den := float64(denLog)/2048.0 + float64(denNonLog)
	return float32(num), float32(den)
}

// subsample low-pass filters ref and dis with the filter of scale+1 and
// writes every second sample of every second row (sizes w/2 x h/2) to
// oref and odis.
func refSubsample[T pixel](ws *refWorkspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, oref, odis []uint16) {
	filt := filters[scale+1]
	fw := len(filt)
	half := fw / 2
	var shVP uint = 16
	var rndVP uint32 = 32768
	if scale == 0 {
		shVP = uint(bpc)
		rndVP = 1 << (bpc - 1)
	}
	tr, td := ws.mu1[:w+2*pad], ws.mu2[:w+2*pad]
	var roff, doff [17]int
	ow, oh := w/2, h/2
	for i2 := 0; i2 < oh; i2++ {
		i := 2 * i2
		for k := 0; k < fw; k++ {
			r := mirror(i-half+k, h)
			roff[k] = r * rstride
			doff[k] = r * dstride
		}
		for j := 0; j < w; j++ {
			var ar, ad uint32
			for k := 0; k < fw; k++ {
				c := uint32(filt[k])
				ar += c * uint32(ref[roff[k]+j])
				ad += c * uint32(dis[doff[k]+j])
			}
			tr[pad+j] = (ar + rndVP) >> shVP
			td[pad+j] = (ad + rndVP) >> shVP
		}
		padRow(tr, w, half)
		padRow(td, w, half)
		orow := oref[i2*ow : i2*ow+ow]
		drow := odis[i2*ow : i2*ow+ow]
		for j2 := range orow {
			b := pad + 2*j2 - half
			var ar, ad uint32
			for k := 0; k < fw; k++ {
				c := uint32(filt[k])
				ar += c * tr[b+k]
				ad += c * td[b+k]
			}
			orow[j2] = uint16((ar + 32768) >> 16)
			drow[j2] = uint16((ad + 32768) >> 16)
		}
	}
}
