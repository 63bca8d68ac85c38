// Package adm is a pure-Go, bit-exact port of libvmaf's integer ADM
// feature extractor ("adm", features integer_adm2, integer_adm_scale0..3,
// integer_aim and integer_adm3) as of libvmaf v3.2.0-13-gf85a8536.
//
// The pipeline per scale (4 scales of a db2 wavelet pyramid) is:
// fixed-point DWT, decoupling of the distorted detail bands into a restored
// part and an additive impairment (with the 1-degree angle test and the
// enhancement gain limit), contrast-sensitivity weighting, contrast masking
// against a 3x3 neighbourhood and L3 pooling inside a 10% border. Every
// integer shift, rounding constant and float/double conversion of the C
// scalar code is reproduced, so results match libvmaf to the last bit.
package adm

import (
	"errors"
	"fmt"
	"sync"

	"github.com/reel-video/reel/frame"
)

// Options are the libvmaf adm feature options that reel supports.
type Options struct {
	// EnhnGainLimit is adm_enhn_gain_limit (1.0 to 100.0): 100 by default,
	// 1.0 for the NEG models. Zero means the default.
	EnhnGainLimit float64
	// NormViewDist is adm_norm_view_dist (default 3.0). Zero means the default.
	NormViewDist float64
	// RefDisplayHeight is adm_ref_display_height (default 1080). Zero means the default.
	RefDisplayHeight int
}

// DefaultOptions returns libvmaf's defaults.
func DefaultOptions() Options {
	return Options{EnhnGainLimit: 100.0, NormViewDist: defaultNormViewDist, RefDisplayHeight: defaultRefDisplayHeight}
}

// Scores are the per-frame outputs of libvmaf's integer adm extractor.
type Scores struct {
	ADM2  float64    // integer_adm2
	Scale [4]float64 // integer_adm_scale0..3
	AIM   float64    // integer_aim
	ADM3  float64    // integer_adm3
}

// Errors returned by Compute.
var (
	ErrMismatch = errors.New("adm: reference and distorted planes differ in size or depth")
	ErrSize     = errors.New("adm: plane too small")
	ErrBitDepth = errors.New("adm: unsupported bit depth")
	ErrOption   = errors.New("adm: option out of range")
)

// MinSize is the smallest width or height accepted: the four-scale pyramid
// needs at least 3 samples per dimension at the coarsest scale.
const MinSize = 24

const (
	dlmWeight = 0.5
	minVal    = 0.0
)

// Compute scores one frame: ref and dis are luma planes with bpc bits per
// sample (Pix8 for 8, Pix16 for 9..16).
//
// Scratch memory comes from a sync.Pool; Compute is safe for concurrent
// use. Callers scoring many frames on one goroutine should use a
// Workspace, which keeps its buffers (a pooled workspace can be dropped by
// the garbage collector or stranded on another P, and then reallocated).
func Compute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	ws := wsPool.Get().(*Workspace)
	defer wsPool.Put(ws)
	return ws.Compute(ref, dis, bpc, opt)
}

// Workspace is explicit scratch memory (about 21 bytes per luma sample)
// for callers that score many frames on one goroutine. Its zero value is
// ready to use; it must not be used concurrently.
type Workspace struct{ ws workspace }

// Compute is the package-level Compute using w's buffers.
func (wk *Workspace) Compute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	if ref == nil || dis == nil || ref.Width != dis.Width || ref.Height != dis.Height {
		return Scores{}, ErrMismatch
	}
	w, h := ref.Width, ref.Height
	if w < MinSize || h < MinSize {
		return Scores{}, fmt.Errorf("%w: %dx%d", ErrSize, w, h)
	}
	if bpc < 8 || bpc > 16 {
		return Scores{}, fmt.Errorf("%w: %d", ErrBitDepth, bpc)
	}
	if bpc == 8 {
		if len(ref.Pix8) < (h-1)*ref.Stride+w || len(dis.Pix8) < (h-1)*dis.Stride+w {
			return Scores{}, fmt.Errorf("%w: 8-bit planes need Pix8", ErrBitDepth)
		}
	} else if len(ref.Pix16) < (h-1)*ref.Stride+w || len(dis.Pix16) < (h-1)*dis.Stride+w {
		return Scores{}, fmt.Errorf("%w: %d-bit planes need Pix16", ErrBitDepth, bpc)
	}
	egl := opt.EnhnGainLimit
	if egl == 0 {
		egl = 100.0
	}
	nvd := opt.NormViewDist
	if nvd == 0 {
		nvd = defaultNormViewDist
	}
	rdh := opt.RefDisplayHeight
	if rdh == 0 {
		rdh = defaultRefDisplayHeight
	}
	if egl < 1 || egl > 100 || nvd < 0.75 || nvd > 24 || rdh < 1 || rdh > 4320 {
		return Scores{}, ErrOption
	}
	// libvmaf refuses angular frequencies below 1080p at 3H (16-bit pipeline).
	if nvd*float64(rdh) < defaultNormViewDist*defaultRefDisplayHeight {
		return Scores{}, fmt.Errorf("%w: adm_norm_view_dist*adm_ref_display_height < 3240", ErrOption)
	}
	ws := &wk.ws
	ws.ensure(w, h)
	return ws.compute(ref, dis, bpc, egl, getCSF(nvd, rdh)), nil
}

var wsPool = sync.Pool{New: func() any { return new(Workspace) }}

// workspace holds every intermediate buffer, reused across frames.
type workspace struct {
	w, h       int
	indY, indX [4][]int32
	tmp16      []int16
	tmp32      []int32
	ref0, dis0 band16  // scale-0 DWT (a,h,v,d)
	r0, a0     band16  // decoupled restored / additive (h,v,d)
	csfA0      band16  // CSF-weighted (h,v,d)
	csfF0      band16  // |CSF|/30 (h,v,d)
	ref1, dis1 band32  // DWT of scales 1..3
	inRef      []int32 // LL input of the current scale
	inDis      []int32
	fsum, rsum []int32 // masking sums (cm)
	r1, a1     band32
	csfA1      band32
	csfF1      band32
}

func mk16(n int) band16 {
	return band16{make([]int16, n), make([]int16, n), make([]int16, n), make([]int16, n)}
}

// mkHVD16 and mkHVD32 make detail-only bands (no LL band).
func mkHVD16(n int) band16 {
	return band16{nil, make([]int16, n), make([]int16, n), make([]int16, n)}
}
func mkHVD32(n int) band32 {
	return band32{nil, make([]int32, n), make([]int32, n), make([]int32, n)}
}

func (ws *workspace) ensure(w, h int) {
	if ws.w == w && ws.h == h {
		return
	}
	ws.w, ws.h = w, h
	hw, hh := (w+1)/2, (h+1)/2
	n0 := hw * hh
	n1 := ((hw + 1) / 2) * ((hh + 1) / 2)
	m := w
	if h > m {
		m = h
	}
	for t := 0; t < 4; t++ {
		ws.indY[t] = make([]int32, (m+1)/2)
		ws.indX[t] = make([]int32, (m+1)/2)
	}
	ws.tmp16 = make([]int16, 2*w)
	ws.tmp32 = make([]int32, 2*w)
	ws.ref0, ws.dis0 = mk16(n0), mk16(n0)
	ws.r0, ws.a0, ws.csfA0, ws.csfF0 = mkHVD16(n0), mkHVD16(n0), mkHVD16(n0), mkHVD16(n0)
	ws.ref1, ws.dis1 = mkHVD32(n1), mkHVD32(n1)
	// The LL bands are swapped with inRef/inDis between scales (scale 1
	// reads scale 0's int16 LL band directly).
	ws.ref1.a, ws.dis1.a = make([]int32, n1), make([]int32, n1)
	ws.r1, ws.a1, ws.csfA1, ws.csfF1 = mkHVD32(n1), mkHVD32(n1), mkHVD32(n1), mkHVD32(n1)
	ws.inRef = make([]int32, n1)
	ws.inDis = make([]int32, n1)
	ws.fsum = make([]int32, n0)
	ws.rsum = make([]int32, n0)
}

func (ws *workspace) compute(ref, dis *frame.Plane, bpc int, egl float64, csf *csfParams) Scores {
	w, h := ws.w, ws.h
	const noiseWeight = 0.03125
	numdenLimit := 1e-10 * float64(w*h) / (1920.0 * 1080.0)

	var num, den, aimNum float64
	var nums, dens [4]float64

	// Scale 0: 8/16-bit input, int16 bands.
	mirrorIndices(&ws.indY, h)
	mirrorIndices(&ws.indX, w)
	stride := (w + 1) / 2
	if bpc == 8 {
		dwt0_8(ref.Pix8, ref.Stride, w, h, &ws.ref0, stride, ws)
		dwt0_8(dis.Pix8, dis.Stride, w, h, &ws.dis0, stride, ws)
	} else {
		dwt0_16(ref.Pix16, ref.Stride, w, h, bpc, &ws.ref0, stride, ws)
		dwt0_16(dis.Pix16, dis.Stride, w, h, bpc, &ws.dis0, stride, ws)
	}
	w, h = (w+1)/2, (h+1)/2
	decouple0(&ws.ref0, &ws.dis0, &ws.r0, &ws.a0, w, h, stride, egl)
	denS := den0(&ws.ref0, w, h, stride, csf.rf[0], noiseWeight)
	csf0(ws.a0.hvd(), ws.csfA0.hvd(), ws.csfF0.hvd(), w, h, stride, csf.i0)
	numS := cm0(ws.r0.hvd(), ws.csfA0.hvd(), ws.csfF0.hvd(), w, h, stride, csf.i0, noiseWeight, ws.fsum, ws.rsum)
	// AIM: weight the restored part, mask the additive part with it.
	csf0(ws.r0.hvd(), ws.csfF0.hvd(), ws.csfA0.hvd(), w, h, stride, csf.i0)
	aimS := cm0(ws.a0.hvd(), ws.csfF0.hvd(), ws.csfA0.hvd(), w, h, stride, csf.i0, 0, ws.fsum, ws.rsum)
	num += float64(numS)
	den += float64(denS)
	aimNum += float64(aimS)
	nums[0], dens[0] = float64(numS), float64(denS)

	inStride := stride
	for scale := 1; scale < 4; scale++ {
		mirrorIndices(&ws.indY, h)
		mirrorIndices(&ws.indX, w)
		ostride := (w + 1) / 2
		if scale == 1 {
			dwtS123(ws.ref0.a, inStride, w, h, &ws.ref1, ostride, scale, ws)
			dwtS123(ws.dis0.a, inStride, w, h, &ws.dis1, ostride, scale, ws)
		} else {
			dwtS123(ws.inRef, inStride, w, h, &ws.ref1, ostride, scale, ws)
			dwtS123(ws.inDis, inStride, w, h, &ws.dis1, ostride, scale, ws)
		}
		w, h = (w+1)/2, (h+1)/2
		decoupleS123(&ws.ref1, &ws.dis1, &ws.r1, &ws.a1, w, h, ostride, egl)
		denS := denS123(&ws.ref1, scale, w, h, ostride, csf.rf[scale], noiseWeight)
		csfS123(ws.a1.hvd(), ws.csfA1.hvd(), ws.csfF1.hvd(), w, h, ostride, csf.i4[scale])
		numS := cmS123(ws.r1.hvd(), ws.csfA1.hvd(), ws.csfF1.hvd(), scale, w, h, ostride, csf.i4[scale], noiseWeight, ws.fsum, ws.rsum)
		csfS123(ws.r1.hvd(), ws.csfF1.hvd(), ws.csfA1.hvd(), w, h, ostride, csf.i4[scale])
		aimS := cmS123(ws.a1.hvd(), ws.csfF1.hvd(), ws.csfA1.hvd(), scale, w, h, ostride, csf.i4[scale], 0, ws.fsum, ws.rsum)
		num += float64(numS)
		den += float64(denS)
		aimNum += float64(aimS)
		nums[scale], dens[scale] = float64(numS), float64(denS)
		// The LL band of this scale feeds the next one.
		ws.inRef, ws.ref1.a = ws.ref1.a, ws.inRef
		ws.inDis, ws.dis1.a = ws.dis1.a, ws.inDis
		inStride = ostride
	}
	if num < numdenLimit {
		num = 0
	}
	if den < numdenLimit {
		den = 0
	}
	var s Scores
	if den == 0 {
		s.ADM2 = 1
	} else {
		s.AIM = aimNum / den
		s.ADM2 = num / den
	}
	s.ADM3 = s.ADM2*dlmWeight + (1-s.AIM)*(1-dlmWeight)
	if s.ADM3 < minVal {
		s.ADM3 = minVal
	}
	for k := 0; k < 4; k++ {
		s.Scale[k] = nums[k] / dens[k]
	}
	return s
}
