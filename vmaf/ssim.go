package vmaf

import (
	"fmt"
	"math"

	"github.com/reel-video/reel/frame"
)

// This file reproduces libvmaf's float_ssim and float_ms_ssim features
// (libvmaf/src/feature/{ssim,ms_ssim}.c and the IQA code they use): the
// luma plane is converted to float (high bit depths scaled to the 8-bit
// range), SSIM uses an 11x11 Gaussian window applied as two separable
// passes over the "valid" region, and the arithmetic keeps libvmaf's mix
// of float32 storage and float64 accumulation so results agree to the last
// bits. Explicit float32()/float64() conversions below stop the compiler
// from fusing multiply-adds.

const gaussLen = 11

// gaussian1D is IQA's separable 11-tap Gaussian (sigma 1.5).
var gaussian1D = [gaussLen]float32{
	0.001028, 0.007599, 0.036001, 0.109361, 0.213006, 0.266012, 0.213006, 0.109361, 0.036001, 0.007599, 0.001028,
}

const lpfLen = 9

// lpf2D is IQA's 9x9 low-pass (9/7 biorthogonal wavelet) filter used to
// build the MS-SSIM pyramid.
var lpf2D = [lpfLen][lpfLen]float32{
	{0.000714, -0.000450, -0.002090, 0.007132, 0.016114, 0.007132, -0.002090, -0.000450, 0.000714},
	{-0.000450, 0.000283, 0.001316, -0.004490, -0.010146, -0.004490, 0.001316, 0.000283, -0.000450},
	{-0.002090, 0.001316, 0.006115, -0.020867, -0.047149, -0.020867, 0.006115, 0.001316, -0.002090},
	{0.007132, -0.004490, -0.020867, 0.071207, 0.160885, 0.071207, -0.020867, -0.004490, 0.007132},
	{0.016114, -0.010146, -0.047149, 0.160885, 0.363505, 0.160885, -0.047149, -0.010146, 0.016114},
	{0.007132, -0.004490, -0.020867, 0.071207, 0.160885, 0.071207, -0.020867, -0.004490, 0.007132},
	{-0.002090, 0.001316, 0.006115, -0.020867, -0.047149, -0.020867, 0.006115, 0.001316, -0.002090},
	{-0.000450, 0.000283, 0.001316, -0.004490, -0.010146, -0.004490, 0.001316, 0.000283, -0.000450},
	{0.000714, -0.000450, -0.002090, 0.007132, 0.016114, 0.007132, -0.002090, -0.000450, 0.000714},
}

// MS-SSIM exponents per scale (Wang et al.), as float32 like libvmaf.
var (
	msAlphas = [5]float32{0, 0, 0, 0, 0.1333}
	msBetas  = [5]float32{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}
	msGammas = [5]float32{0.0448, 0.2856, 0.3001, 0.2363, 0.1333}
)

// floatImage is a tightly packed float32 image.
type floatImage struct {
	w, h int
	pix  []float32
}

// planeToFloat converts a luma plane as libvmaf's picture_copy does:
// 8-bit samples as is, 10/12/16-bit samples divided by 4/16/256.
func planeToFloat(p *frame.Plane, bpc int) (floatImage, error) {
	img := floatImage{w: p.Width, h: p.Height, pix: make([]float32, p.Width*p.Height)}
	switch {
	case bpc == 8 && p.Pix8 != nil:
		for y := 0; y < p.Height; y++ {
			row := p.Pix8[y*p.Stride : y*p.Stride+p.Width]
			dst := img.pix[y*p.Width : (y+1)*p.Width]
			for x, v := range row {
				dst[x] = float32(v)
			}
		}
	case (bpc == 10 || bpc == 12 || bpc == 16) && p.Pix16 != nil:
		scaler := float32(4)
		switch bpc {
		case 12:
			scaler = 16
		case 16:
			scaler = 256
		}
		for y := 0; y < p.Height; y++ {
			row := p.Pix16[y*p.Stride : y*p.Stride+p.Width]
			dst := img.pix[y*p.Width : (y+1)*p.Width]
			for x, v := range row {
				dst[x] = float32(v) / scaler
			}
		}
	default:
		return img, fmt.Errorf("%w: float SSIM needs 8, 10, 12 or 16 bits, got %d", ErrUnsupportedFormat, bpc)
	}
	return img, nil
}

// reflect maps an out-of-range index into [0, n) by IQA's symmetric
// boundary rule (mirror including the edge sample).
func reflect(i, n int) int {
	if i < 0 {
		return -1 - i
	}
	if i >= n {
		return n - (i - n) - 1
	}
	return i
}

// decimate filters img with the 2D kernel k (kw×kh, row-major) at every
// factor-th sample and returns the subsampled image, as IQA's
// _iqa_decimate/_iqa_filter_pixel do (symmetric boundaries, float64 sum of
// float32 products, even kernels taking one more tap to the left).
func decimate(img floatImage, factor int, k []float32, kw, kh int) floatImage {
	sw := img.w/factor + (img.w & 1)
	sh := img.h/factor + (img.h & 1)
	out := floatImage{w: sw, h: sh, pix: make([]float32, sw*sh)}
	uc, vc := kw/2, kh/2
	uEnd, vEnd := uc, vc
	if kw&1 == 0 {
		uEnd--
	}
	if kh&1 == 0 {
		vEnd--
	}
	for y := 0; y < sh; y++ {
		cy := y * factor
		for x := 0; x < sw; x++ {
			cx := x * factor
			sum := 0.0
			ko := 0
			if cx-uc >= 0 && cx+uEnd < img.w && cy-vc >= 0 && cy+vEnd < img.h {
				for v := -vc; v <= vEnd; v++ {
					row := img.pix[(cy+v)*img.w+cx-uc : (cy+v)*img.w+cx+uEnd+1]
					for _, px := range row {
						sum += float64(px * k[ko])
						ko++
					}
				}
			} else {
				for v := -vc; v <= vEnd; v++ {
					row := img.pix[reflect(cy+v, img.h)*img.w:]
					for u := -uc; u <= uEnd; u++ {
						sum += float64(row[reflect(cx+u, img.w)] * k[ko])
						ko++
					}
				}
			}
			out.pix[y*sw+x] = float32(sum)
		}
	}
	return out
}

// convolveValid applies the separable Gaussian to the positions where the
// 11x11 window fits (IQA's 1D _iqa_convolve), writing a
// (w-10)×(h-10) image into dst (len ≥ that size). tmp must hold w*h.
func convolveValid(src []float32, w, h int, dst, tmp []float32) {
	const uc = gaussLen / 2
	dw, dh := w-gaussLen+1, h-gaussLen+1
	// horizontal pass over every row, valid columns
	for y := 0; y < h; y++ {
		row := src[y*w : (y+1)*w]
		out := tmp[y*w : (y+1)*w]
		for x := 0; x < dw; x++ {
			sum := 0.0
			win := row[x : x+gaussLen]
			for k, kv := range gaussian1D {
				sum += float64(win[k] * kv)
			}
			out[x+uc] = float32(sum)
		}
	}
	// vertical pass, row by row: each output sample still sums its 11
	// taps in order into a float64, as IQA does.
	acc := make([]float64, dw)
	for y := 0; y < dh; y++ {
		for x := range acc {
			acc[x] = 0
		}
		for k, kv := range gaussian1D {
			row := tmp[(y+k)*w+uc : (y+k)*w+uc+dw]
			for x, v := range row {
				acc[x] += float64(v * kv)
			}
		}
		out := dst[y*dw : (y+1)*dw]
		for x, v := range acc {
			out[x] = float32(v)
		}
	}
}

// ssimStats are the mean SSIM and its luminance, contrast and structure
// terms over one image pair, each rounded to float32 as IQA returns them.
type ssimStats struct{ ssim, l, c, s float32 }

// iqaSSIM is IQA's _iqa_ssim in its default configuration (K1 0.01, K2
// 0.03, L 255, Gaussian window, no decimation).
func iqaSSIM(ref, cmp floatImage) ssimStats {
	w, h := ref.w, ref.h
	n := w * h
	dw, dh := w-gaussLen+1, h-gaussLen+1
	nd := dw * dh
	tmp := make([]float32, n)
	refMu := make([]float32, nd)
	cmpMu := make([]float32, nd)
	convolveValid(ref.pix, w, h, refMu, tmp)
	convolveValid(cmp.pix, w, h, cmpMu, tmp)
	sq := make([]float32, n)
	refSig := make([]float32, nd)
	cmpSig := make([]float32, nd)
	both := make([]float32, nd)
	for i, v := range ref.pix {
		sq[i] = v * v
	}
	convolveValid(sq, w, h, refSig, tmp)
	for i, v := range cmp.pix {
		sq[i] = v * v
	}
	convolveValid(sq, w, h, cmpSig, tmp)
	for i, v := range ref.pix {
		sq[i] = v * cmp.pix[i]
	}
	convolveValid(sq, w, h, both, tmp)

	const k1, k2 = float32(0.01), float32(0.03)
	const L = float32(255)
	c1 := float32(k1*L) * float32(k1*L)
	c2 := float32(k2*L) * float32(k2*L)
	c3 := c2 / 2
	c1d, c2d := float64(c1), float64(c2)

	var ssimSum, lSum, cSum, sSum float64
	for i := 0; i < nd; i++ {
		mu1, mu2 := refMu[i], cmpMu[i]
		s1 := refSig[i] - float32(mu1*mu1)
		s2 := cmpSig[i] - float32(mu2*mu2)
		if s1 < 0 {
			s1 = 0
		}
		if s2 < 0 {
			s2 = 0
		}
		s12 := both[i] - float32(mu1*mu2)
		sigma := float32(math.Sqrt(float64(s1 * s2)))
		lDen := float32(float32(mu1*mu1)+float32(mu2*mu2)) + c1
		l := (float64(float64(2.0*float64(mu1))*float64(mu2)) + c1d) / float64(lDen)
		cDen := float32(s1+s2) + c2
		c := (float64(2.0*float64(sigma)) + c2d) / float64(cDen)
		// libvmaf's fix for identical, flat windows: a negative
		// covariance from float rounding counts as zero there.
		if s12 < 0 && sigma <= 0 {
			s12 = 0
		}
		s := float64(float32(s12+c3) / float32(sigma+c3))
		ssimSum += float64(float64(l*c) * s)
		lSum += l
		cSum += c
		sSum += s
	}
	d := float64(nd)
	return ssimStats{float32(ssimSum / d), float32(lSum / d), float32(cSum / d), float32(sSum / d)}
}

// iqaRound is IQA's _round: halves round away from zero.
func iqaRound(a float32) int {
	sign := -1
	if a > 0 {
		sign = 1
	}
	t := int(a)
	if float64(a-float32(t)) >= 0.5 {
		return t + sign
	}
	return t
}

// SSIMScale returns the decimation factor libvmaf's float_ssim applies
// automatically to a w×h luma plane: max(1, round(min(w,h)/256)).
func SSIMScale(w, h int) int {
	m := w
	if h < m {
		m = h
	}
	s := iqaRound(float32(m) / 256)
	if s < 1 {
		s = 1
	}
	return s
}

func checkPlanes(ref, dis *frame.Plane) error {
	if ref.Width != dis.Width || ref.Height != dis.Height {
		return fmt.Errorf("%w: plane %dx%d vs %dx%d", ErrFormatMismatch, ref.Width, ref.Height, dis.Width, dis.Height)
	}
	return nil
}

// FloatSSIM computes libvmaf's float_ssim feature on two luma planes: SSIM
// with an 11x11 Gaussian window after libvmaf's automatic decimation
// (SSIMScale: a box filter of that size, sampled every scale-th pixel).
func FloatSSIM(ref, dis *frame.Plane, bpc int) (float64, error) {
	if err := checkPlanes(ref, dis); err != nil {
		return 0, err
	}
	r, err := planeToFloat(ref, bpc)
	if err != nil {
		return 0, err
	}
	d, err := planeToFloat(dis, bpc)
	if err != nil {
		return 0, err
	}
	scale := SSIMScale(r.w, r.h)
	if scale > 1 {
		k := make([]float32, scale*scale)
		for i := range k {
			k[i] = 1.0 / float32(scale*scale)
		}
		r = decimate(r, scale, k, scale, scale)
		d = decimate(d, scale, k, scale, scale)
	}
	if r.w < gaussLen || r.h < gaussLen {
		return 0, fmt.Errorf("%w: SSIM needs %dx%d after decimation, have %dx%d", ErrTooSmall, gaussLen, gaussLen, r.w, r.h)
	}
	return float64(iqaSSIM(r, d).ssim), nil
}

// MSSSIMMinSize is the smallest width and height float_ms_ssim accepts.
const MSSSIMMinSize = gaussLen << 4

// FloatMSSSIM computes libvmaf's float_ms_ssim feature on two luma planes:
// Wang's 5-scale MS-SSIM with the 9/7 wavelet low-pass pyramid and the
// per-scale exponents 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 (luminance
// only at the coarsest scale). Planes smaller than 176x176 give
// ErrTooSmall, as libvmaf refuses them.
func FloatMSSSIM(ref, dis *frame.Plane, bpc int) (float64, error) {
	if err := checkPlanes(ref, dis); err != nil {
		return 0, err
	}
	cw, ch := ref.Width, ref.Height
	for i := 0; i < 5; i++ {
		if cw < gaussLen || ch < gaussLen {
			return 0, fmt.Errorf("%w: MS-SSIM needs at least %dx%d, have %dx%d", ErrTooSmall, MSSSIMMinSize, MSSSIMMinSize, ref.Width, ref.Height)
		}
		cw /= 2
		ch /= 2
	}
	r, err := planeToFloat(ref, bpc)
	if err != nil {
		return 0, err
	}
	d, err := planeToFloat(dis, bpc)
	if err != nil {
		return 0, err
	}
	k := make([]float32, 0, lpfLen*lpfLen)
	for _, row := range lpf2D {
		k = append(k, row[:]...)
	}
	ms := 1.0
	for i := 0; i < 5; i++ {
		if i > 0 {
			r = decimate(r, 2, k, lpfLen, lpfLen)
			d = decimate(d, 2, k, lpfLen, lpfLen)
		}
		st := iqaSSIM(r, d)
		t := float64(math.Pow(float64(st.l), float64(msAlphas[i])) * math.Pow(float64(st.c), float64(msBetas[i])))
		ms *= float64(t * math.Pow(float64(st.s), float64(msGammas[i])))
	}
	return ms, nil
}
