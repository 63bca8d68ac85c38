// Package vif computes VMAF's integer VIF features (integer_vif_scale0..3)
// exactly as libvmaf 3.2 (v3.2.0-13-gf85a8536) does in its fixed-point
// "integer_vif" feature extractor.
//
// The algorithm, its filter tables and its fixed-point arithmetic follow
// libvmaf (Copyright 2016-2020 Netflix, Inc., BSD+Patent); this is an
// independent Go implementation of it. The results are bit-identical to
// libvmaf's scalar C path (which its SIMD paths also reproduce).
//
// Outline, per frame: four scales. At each scale the reference and
// distorted images are filtered (separable, symmetric Gaussian, 17/9/5/3
// taps) into local means, variances and covariance; a fixed-point
// information-fidelity statistic with a log2 lookup table accumulates a
// numerator and a denominator; the score of the scale is num/den in
// float32. Between scales the images are low-pass filtered with the next
// scale's filter and decimated by two (floor of the size). Edges are
// mirrored without repeating the edge sample (reflect-101) in both
// directions.
package vif

import (
	"errors"
	"fmt"
	"sync"

	"github.com/reel-video/reel/frame"
)

// Options are the integer VIF options used by VMAF models.
type Options struct {
	// EnhnGainLimit is libvmaf's vif_enhn_gain_limit: the cap on the
	// enhancement gain g, in [1, 100]. 100 is the default; 1.0 disables
	// enhancement gain (the NEG models).
	EnhnGainLimit float64
}

// DefaultOptions returns libvmaf's defaults (EnhnGainLimit 100).
func DefaultOptions() Options { return Options{EnhnGainLimit: 100.0} }

// Scores holds integer_vif_scale0..3 for one frame.
type Scores struct {
	Scale [4]float64
}

// MinSize is the smallest width and height Compute accepts: below it the
// mirrored filter windows of the coarser scales would reach past the
// opposite edge.
const MinSize = 16

// Errors returned by Compute.
var (
	ErrSize     = errors.New("vif: bad plane size")
	ErrBitDepth = errors.New("vif: bad bit depth")
	ErrOption   = errors.New("vif: bad option")
)

type pixel interface{ ~uint8 | ~uint16 }

// Compute returns the four integer VIF scale scores of dis against ref.
// Both planes must have the same size; bpc is 8 (Pix8) or 9..16 (Pix16).
func Compute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	var sc Scores
	if ref == nil || dis == nil {
		return sc, fmt.Errorf("%w: nil plane", ErrSize)
	}
	w, h := ref.Width, ref.Height
	if dis.Width != w || dis.Height != h {
		return sc, fmt.Errorf("%w: ref %dx%d, dis %dx%d", ErrSize, w, h, dis.Width, dis.Height)
	}
	if w < MinSize || h < MinSize {
		return sc, fmt.Errorf("%w: %dx%d is below %dx%d", ErrSize, w, h, MinSize, MinSize)
	}
	if !(opt.EnhnGainLimit >= 1.0 && opt.EnhnGainLimit <= 100.0) {
		return sc, fmt.Errorf("%w: EnhnGainLimit %v outside [1, 100]", ErrOption, opt.EnhnGainLimit)
	}
	if bpc < 8 || bpc > 16 {
		return sc, fmt.Errorf("%w: %d", ErrBitDepth, bpc)
	}
	if bpc == 8 {
		if len(ref.Pix8) < (h-1)*ref.Stride+w || len(dis.Pix8) < (h-1)*dis.Stride+w {
			return sc, fmt.Errorf("%w: 8-bit planes need Pix8", ErrSize)
		}
	} else if len(ref.Pix16) < (h-1)*ref.Stride+w || len(dis.Pix16) < (h-1)*dis.Stride+w {
		return sc, fmt.Errorf("%w: %d-bit planes need Pix16", ErrSize, bpc)
	}

	ws := getWorkspace(w, h)
	defer wsPool.Put(ws)

	var num, den [4]float32
	if bpc == 8 {
		num[0], den[0] = statistic(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, opt.EnhnGainLimit)
		subsample(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	} else {
		num[0], den[0] = statistic(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, opt.EnhnGainLimit)
		subsample(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	}
	for s := 1; s < 4; s++ {
		w, h = w/2, h/2
		num[s], den[s] = statistic(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, opt.EnhnGainLimit)
		if s < 3 {
			subsample(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, ws.ref[s+1], ws.dis[s+1])
		}
	}
	for s := 0; s < 4; s++ {
		sc.Scale[s] = float64(num[s] / den[s])
	}
	return sc, nil
}

// workspace holds the scratch buffers of one Compute call.
type workspace struct {
	w, h int
	// ref[s], dis[s] for s = 1..3: the decimated images, tightly packed.
	ref, dis [4][]uint16
	// Vertically filtered rows, with pad samples on both sides.
	mu1, mu2, xx, yy, xy []uint32
}

// pad is the widest filter half-width (scale 0: 17 taps).
const pad = 8

var wsPool sync.Pool

func getWorkspace(w, h int) *workspace {
	ws, _ := wsPool.Get().(*workspace)
	if ws != nil && ws.w == w && ws.h == h {
		return ws
	}
	ws = &workspace{w: w, h: h}
	sw, sh := w, h
	for s := 1; s < 4; s++ {
		sw, sh = sw/2, sh/2
		ws.ref[s] = make([]uint16, sw*sh)
		ws.dis[s] = make([]uint16, sw*sh)
	}
	n := w + 2*pad
	ws.mu1 = make([]uint32, n)
	ws.mu2 = make([]uint32, n)
	ws.xx = make([]uint32, n)
	ws.yy = make([]uint32, n)
	ws.xy = make([]uint32, n)
	return ws
}

// mirror reflects an index into [0, n) without repeating the edge sample.
func mirror(i, n int) int {
	if i < 0 {
		return -i
	}
	if i >= n {
		return 2*(n-1) - i
	}
	return i
}

// padRow mirrors the first and last half samples of a row stored at
// t[pad : pad+w] into the pad area.
func padRow(t []uint32, w, half int) {
	for f := 1; f <= half; f++ {
		t[pad-f] = t[pad+f]
		t[pad+w-1+f] = t[pad+w-1-f]
	}
}

const sigmaNsq = 65536 << 1

// statistic computes the VIF numerator and denominator of one scale.
func statistic[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, egl float64) (float32, float32) {
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
func subsample[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, oref, odis []uint16) {
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
