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
//
// Implementation notes. All integer sums are exact (no wraparound happens
// for 8..16-bit input), so the filters may be evaluated in any order:
// symmetric taps are folded, two 32-bit sums share a uint64 where they
// cannot carry, and on amd64 with AVX2 the row passes run in assembly
// (vert8/vert16/horiz17/sub8 kernels; build tag purego selects the plain
// Go loops, which give identical results). The floating-point parts (the
// gain g, the final num/den) follow libvmaf's expression order, with
// explicit conversions that forbid fused multiply-add. The log2 table is
// built from a port of glibc's log2f (the libvmaf build's libm); for the
// 32767..65535 range it needs, that equals the correctly rounded log2f.
// reference_test.go keeps the plain transcription the package started
// from; TestMatchesReference checks the optimised code against it.
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
// Both planes must have the same size (at least MinSize x MinSize); bpc
// is 8 (Pix8) or 9..16 (Pix16). Scratch memory comes from a sync.Pool;
// Compute is safe for concurrent use.
func Compute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	var out [1]Scores
	err := ComputeMany(ref, dis, bpc, []Options{opt}, out[:])
	return out[0], err
}

// MaxOptions is the most option sets ComputeMany takes at once (a power
// of two: accumulate masks indices with it).
const MaxOptions = 4

var _ = [1]int{}[MaxOptions&(MaxOptions-1)] // MaxOptions is a power of two

// ComputeMany scores dis against ref under several options at once
// (e.g. EnhnGainLimit 100 for vmaf_v0.6.1 and 1 for its NEG variant),
// sharing the filtering, which is most of the work; out[i] receives the
// scores for opts[i]. The results equal separate Compute calls.
func ComputeMany(ref, dis *frame.Plane, bpc int, opts []Options, out []Scores) error {
	if err := validate(ref, dis, bpc, opts, out); err != nil {
		return err
	}
	ws := getWorkspace(ref.Width, ref.Height)
	compute(ws, ref, dis, bpc, opts, out)
	wsPool.Put(ws)
	return nil
}

// Workspace is explicit scratch memory for callers that score many frames
// of one size on one goroutine. Its zero value is ready to use; it must
// not be used concurrently.
type Workspace struct{ ws *workspace }

// Compute is the package-level Compute using w's buffers.
func (w *Workspace) Compute(ref, dis *frame.Plane, bpc int, opt Options) (Scores, error) {
	var out [1]Scores
	err := w.ComputeMany(ref, dis, bpc, []Options{opt}, out[:])
	return out[0], err
}

// ComputeMany is the package-level ComputeMany using w's buffers.
func (w *Workspace) ComputeMany(ref, dis *frame.Plane, bpc int, opts []Options, out []Scores) error {
	if err := validate(ref, dis, bpc, opts, out); err != nil {
		return err
	}
	if w.ws == nil || w.ws.w != ref.Width || w.ws.h != ref.Height {
		w.ws = newWorkspace(ref.Width, ref.Height)
	}
	compute(w.ws, ref, dis, bpc, opts, out)
	return nil
}

func validate(ref, dis *frame.Plane, bpc int, opts []Options, out []Scores) error {
	if len(opts) == 0 || len(opts) > MaxOptions || len(out) < len(opts) {
		return fmt.Errorf("%w: %d option sets (1..%d), %d outputs", ErrOption, len(opts), MaxOptions, len(out))
	}
	if ref == nil || dis == nil {
		return fmt.Errorf("%w: nil plane", ErrSize)
	}
	w, h := ref.Width, ref.Height
	if dis.Width != w || dis.Height != h {
		return fmt.Errorf("%w: ref %dx%d, dis %dx%d", ErrSize, w, h, dis.Width, dis.Height)
	}
	if w < MinSize || h < MinSize {
		return fmt.Errorf("%w: %dx%d is below %dx%d", ErrSize, w, h, MinSize, MinSize)
	}
	for _, opt := range opts {
		if !(opt.EnhnGainLimit >= 1.0 && opt.EnhnGainLimit <= 100.0) {
			return fmt.Errorf("%w: EnhnGainLimit %v outside [1, 100]", ErrOption, opt.EnhnGainLimit)
		}
	}
	if bpc < 8 || bpc > 16 {
		return fmt.Errorf("%w: %d", ErrBitDepth, bpc)
	}
	if ref.Stride < w || dis.Stride < w {
		return fmt.Errorf("%w: stride below width", ErrSize)
	}
	if bpc == 8 {
		if len(ref.Pix8) < (h-1)*ref.Stride+w || len(dis.Pix8) < (h-1)*dis.Stride+w {
			return fmt.Errorf("%w: 8-bit planes need Pix8", ErrSize)
		}
	} else if len(ref.Pix16) < (h-1)*ref.Stride+w || len(dis.Pix16) < (h-1)*dis.Stride+w {
		return fmt.Errorf("%w: %d-bit planes need Pix16", ErrSize, bpc)
	}
	return nil
}

func compute(ws *workspace, ref, dis *frame.Plane, bpc int, opts []Options, out []Scores) {
	var egl egls
	egl.n = len(opts)
	for i, o := range opts {
		egl.v[i] = o.EnhnGainLimit
	}
	w, h := ref.Width, ref.Height
	var num [4][MaxOptions]float32
	var den [4]float32
	if bpc == 8 {
		num[0], den[0] = statistic(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, &egl)
		subsample(ws, ref.Pix8, dis.Pix8, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	} else {
		num[0], den[0] = statistic(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, &egl)
		subsample(ws, ref.Pix16, dis.Pix16, ref.Stride, dis.Stride, w, h, 0, bpc, ws.ref[1], ws.dis[1])
	}
	for s := 1; s < 4; s++ {
		w, h = w/2, h/2
		num[s], den[s] = statistic(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, &egl)
		if s < 3 {
			subsample(ws, ws.ref[s], ws.dis[s], w, w, w, h, s, bpc, ws.ref[s+1], ws.dis[s+1])
		}
	}
	for i := range opts {
		for s := 0; s < 4; s++ {
			// float32 division, as libvmaf (num and den are floats).
			out[i].Scale[s] = float64(num[s][i] / den[s])
		}
	}
}

// egls holds the gain limits being computed.
type egls struct {
	n int
	v [MaxOptions]float64
}

// workspace holds the scratch buffers of one Compute call.
type workspace struct {
	w, h int
	// ref[s], dis[s] for s = 1..3: the decimated images, tightly packed.
	ref, dis [4][]uint16
	// Vertically filtered rows, with pad samples on both sides: tmu packs
	// mu1 (low 32 bits) and mu2 (high 32 bits).
	tmu           []uint64
	txx, tyy, txy []uint32
	// Accumulators, one per column.
	a0, a1, a2, a3 []uint64
	// uint32 accumulators of vertical8.
	v0, v1 []uint32
}

// pad is the widest filter half-width (scale 0: 17 taps).
const pad = 8

var wsPool sync.Pool

func getWorkspace(w, h int) *workspace {
	ws, _ := wsPool.Get().(*workspace)
	if ws != nil && ws.w == w && ws.h == h {
		return ws
	}
	return newWorkspace(w, h)
}

func newWorkspace(w, h int) *workspace {
	ws := &workspace{w: w, h: h}
	sw, sh := w, h
	for s := 1; s < 4; s++ {
		sw, sh = sw/2, sh/2
		ws.ref[s] = make([]uint16, sw*sh)
		ws.dis[s] = make([]uint16, sw*sh)
	}
	n := w + 2*pad
	ws.tmu = make([]uint64, n)
	ws.txx = make([]uint32, n)
	ws.tyy = make([]uint32, n)
	ws.txy = make([]uint32, n)
	ws.a0 = make([]uint64, w)
	ws.a1 = make([]uint64, w)
	ws.a2 = make([]uint64, w)
	ws.a3 = make([]uint64, w)
	ws.v0 = make([]uint32, w)
	ws.v1 = make([]uint32, w)
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
func padRow[E uint32 | uint64](t []E, w, half int) {
	for f := 1; f <= half; f++ {
		t[pad-f] = t[pad+f]
		t[pad+w-1+f] = t[pad+w-1-f]
	}
}

const sigmaNsq = 65536 << 1

// Packing: sums of filter taps (which add up to 65536) times 16-bit
// values stay below 2^32, so two of them share a uint64 without carries.
const lo32 = 1<<32 - 1

// statistic computes the VIF numerator and denominator of one scale.
func statistic[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, egl *egls) ([MaxOptions]float32, float32) {
	filt := filters[scale]
	fw := len(filt)
	half := fw / 2

	var shVP, shSq uint
	var rndVP, rndSq uint64
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

	var st stats
	n := w + 2*pad
	tmu, txx, tyy, txy := ws.tmu[:n], ws.txx[:n], ws.tyy[:n], ws.txy[:n]
	ref8, is8 := any(ref).([]uint8)
	dis8, _ := any(dis).([]uint8)
	is8 = is8 && bpc == 8

	for i := 0; i < h; i++ {
		if is8 {
			vertical8(ws, ref8, dis8, rstride, dstride, w, h, i)
		} else {
			vertical16(ws, ref, dis, rstride, dstride, w, h, i, filt, shVP, rndVP, shSq, rndSq)
		}
		padRow(tmu, w, half)
		padRow(txx, w, half)
		padRow(tyy, w, half)
		padRow(txy, w, half)
		horizontal(ws, w, filt)
		st.accumulate(ws.a0[:w], ws.a1[:w], ws.a2[:w], ws.a3[:w], egl)
	}
	var nums [MaxOptions]float32
	for e := 0; e < egl.n; e++ {
		nums[e] = float32(float64(st.numLog[e])/2048.0 + (float64(st.denNonLog) - (float64(st.numNonLog)/16384.0)/65025.0))
	}
	den := float64(st.denLog)/2048.0 + float64(st.denNonLog)
	return nums, float32(den)
}

// vertical8 is the vertical pass of scale 0 for 8-bit samples. Every
// sum fits in 32 bits (the taps add up to 65536 and 255² < 65536), so it
// runs on uint32 accumulators, in column blocks that stay in L1.
func vertical8(ws *workspace, ref, dis []uint8, rstride, dstride, w, h, i int) {
	from := 0
	if hasAVX2 && w >= 8 {
		// All 17 taps at once with the sums in registers; the Go loop
		// below does the last w%8 columns.
		var rows [34]*uint8
		for k := 0; k < 17; k++ {
			r := mirror(i-8+k, h)
			rows[k] = &ref[r*rstride]
			rows[17+k] = &dis[r*dstride]
		}
		from = w &^ 7
		vert8RowAVX2(&rows, &ws.tmu[pad], &ws.txx[pad], &ws.tyy[pad], &ws.txy[pad], from)
	}
	vertical8Go(ws, ref, dis, rstride, dstride, w, h, i, from)
}

// vertical8Go is vertical8 for columns [from, w) in plain Go.
func vertical8Go(ws *workspace, ref, dis []uint8, rstride, dstride, w, h, i, from int) {
	filt := &filters0
	const half = 8
	for j0 := from; j0 < w; j0 += blockW {
		j1 := min(j0+blockW, w)
		m1, m2 := ws.v0[j0:j1], ws.v1[j0:j1]
		sx, sy, sxy := ws.txx[pad+j0:pad+j1], ws.tyy[pad+j0:pad+j1], ws.txy[pad+j0:pad+j1]
		m2, sx, sy, sxy = m2[:len(m1)], sx[:len(m1)], sy[:len(m1)], sxy[:len(m1)]
		{
			c := uint32(filt[half])
			rr := ref[i*rstride+j0 : i*rstride+j1]
			dr := dis[i*dstride+j0 : i*dstride+j1]
			rr, dr = rr[:len(m1)], dr[:len(m1)]
			for j := range m1 {
				x, y := uint32(rr[j]), uint32(dr[j])
				m1[j] = c * x
				m2[j] = c * y
				sx[j] = c * (x * x)
				sy[j] = c * (y * y)
				sxy[j] = c * (x * y)
			}
		}
		for k := 0; k < half; k++ {
			c := uint32(filt[k])
			ra, rb := mirror(i-half+k, h), mirror(i+half-k, h)
			xa := ref[ra*rstride+j0 : ra*rstride+j1]
			xb := ref[rb*rstride+j0 : rb*rstride+j1]
			ya := dis[ra*dstride+j0 : ra*dstride+j1]
			yb := dis[rb*dstride+j0 : rb*dstride+j1]
			xa, xb, ya, yb = xa[:len(m1)], xb[:len(m1)], ya[:len(m1)], yb[:len(m1)]
			for j := range m1 {
				x0, x1 := uint32(xa[j]), uint32(xb[j])
				y0, y1 := uint32(ya[j]), uint32(yb[j])
				m1[j] += c * (x0 + x1)
				m2[j] += c * (y0 + y1)
				sx[j] += c * (x0*x0 + x1*x1)
				sy[j] += c * (y0*y0 + y1*y1)
				sxy[j] += c * (x0*y0 + x1*y1)
			}
		}
		tmu := ws.tmu[pad+j0 : pad+j1]
		tmu, m2 = tmu[:len(m1)], m2[:len(m1)]
		for j := range m1 {
			tmu[j] = uint64((m1[j]+128)>>8) | uint64((m2[j]+128)>>8)<<32
		}
	}
}

// blockW is the column block of the row passes (keeps them in L1).
const blockW = 256

var filters0 = [17]uint16{489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489}

// vertical16 is the vertical pass for 9..16-bit samples and for the
// decimated scales.
func vertical16[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, i int, filt []uint16, shVP uint, rndVP uint64, shSq uint, rndSq uint64) {
	half := len(filt) / 2
	aMu, aXX, aYY, aXY := ws.a0[:w], ws.a1[:w], ws.a2[:w], ws.a3[:w]
	{
		c := uint64(filt[half])
		rr := ref[i*rstride : i*rstride+w]
		dr := dis[i*dstride : i*dstride+w]
		rr, dr = rr[:len(aMu)], dr[:len(aMu)]
		aXX, aYY, aXY := aXX[:len(aMu)], aYY[:len(aMu)], aXY[:len(aMu)]
		j4 := 0
		if hasAVX2 && len(aMu) >= 4 {
			if r16, ok := any(rr).([]uint16); ok {
				d16 := any(dr).([]uint16)
				j4 = len(aMu) &^ 3
				vert16CenterAVX2(&r16[0], &d16[0], &aMu[0], &aXX[0], &aYY[0], &aXY[0], j4, uint32(c))
			}
		}
		for j := j4; j < len(aMu); j++ {
			x, y := uint64(rr[j]), uint64(dr[j])
			cx, cy := c*x, c*y
			aMu[j] = cx | cy<<32
			aXX[j] = cx * x
			aYY[j] = cy * y
			aXY[j] = cx * y
		}
	}
	for k := 0; k < half; k++ {
		c := uint64(filt[k])
		ra, rb := mirror(i-half+k, h), mirror(i+half-k, h)
		xa := ref[ra*rstride : ra*rstride+w]
		xb := ref[rb*rstride : rb*rstride+w]
		ya := dis[ra*dstride : ra*dstride+w]
		yb := dis[rb*dstride : rb*dstride+w]
		xa, xb, ya, yb = xa[:len(aMu)], xb[:len(aMu)], ya[:len(aMu)], yb[:len(aMu)]
		aXX, aYY, aXY := aXX[:len(aMu)], aYY[:len(aMu)], aXY[:len(aMu)]
		j4 := 0
		if hasAVX2 && len(aMu) >= 4 {
			if xa16, ok := any(xa).([]uint16); ok {
				xb16, ya16, yb16 := any(xb).([]uint16), any(ya).([]uint16), any(yb).([]uint16)
				j4 = len(aMu) &^ 3
				vert16PairAVX2(&xa16[0], &xb16[0], &ya16[0], &yb16[0], &aMu[0], &aXX[0], &aYY[0], &aXY[0], j4, uint32(c))
			}
		}
		for j := j4; j < len(aMu); j++ {
			x0, x1 := uint64(xa[j]), uint64(xb[j])
			y0, y1 := uint64(ya[j]), uint64(yb[j])
			aMu[j] += c * ((x0 + x1) | (y0+y1)<<32)
			aXX[j] += c * (x0*x0 + x1*x1)
			aYY[j] += c * (y0*y0 + y1*y1)
			aXY[j] += c * (x0*y0 + x1*y1)
		}
	}
	tmu := ws.tmu[pad : pad+w]
	txx, tyy, txy := ws.txx[pad:pad+w], ws.tyy[pad:pad+w], ws.txy[pad:pad+w]
	aMu, aXX, aYY, aXY = aMu[:len(tmu)], aXX[:len(tmu)], aYY[:len(tmu)], aXY[:len(tmu)]
	txx, tyy, txy = txx[:len(tmu)], tyy[:len(tmu)], txy[:len(tmu)]
	j4 := 0
	if hasAVX2 && len(tmu) >= 4 {
		j4 = len(tmu) &^ 3
		vert16RoundAVX2(&aMu[0], &aXX[0], &aYY[0], &aXY[0], &tmu[0], &txx[0], &tyy[0], &txy[0], j4, rndVP, uint64(shVP), rndSq, uint64(shSq))
	}
	for j := j4; j < len(tmu); j++ {
		m := aMu[j]
		tmu[j] = (((m&lo32)+rndVP)>>shVP)&lo32 | ((((m>>32)+rndVP)>>shVP)&lo32)<<32
		txx[j] = uint32((aXX[j] + rndSq) >> shSq)
		tyy[j] = uint32((aYY[j] + rndSq) >> shSq)
		txy[j] = uint32((aXY[j] + rndSq) >> shSq)
	}
}

// horizontal filters the padded vertical results into a0 (mu1 | mu2<<32),
// a1 (xx), a2 (yy) and a3 (xy), before rounding.
func horizontal(ws *workspace, w int, filt []uint16) {
	if len(filt) == 17 {
		horizontal17(ws, w)
		return
	}
	half := len(filt) / 2
	if hasAVX2 && w >= 4 {
		// The vectorised part; the Go loops below redo nothing but the
		// last w%4 outputs.
		w4 := w &^ 3
		b := pad - half
		f := horiz9AVX2
		switch len(filt) {
		case 5:
			f = horiz5AVX2
		case 3:
			f = horiz3AVX2
		}
		f(&ws.tmu[b], &ws.txx[b], &ws.tyy[b], &ws.txy[b], &ws.a0[0], &ws.a1[0], &ws.a2[0], &ws.a3[0], w4)
		horizontalTail(ws, w4, w, filt)
		return
	}
	horizontalTail(ws, 0, w, filt)
}

// horizontalTail is horizontal for outputs [from, w).
func horizontalTail(ws *workspace, from, w int, filt []uint16) {
	half := len(filt) / 2
	hMu, hXX, hYY, hXY := ws.a0[from:w], ws.a1[from:w], ws.a2[from:w], ws.a3[from:w]
	{
		c := uint64(filt[half])
		m := ws.tmu[pad+from : pad+w]
		xx, yy, xy := ws.txx[pad+from:pad+w], ws.tyy[pad+from:pad+w], ws.txy[pad+from:pad+w]
		m, xx, yy, xy = m[:len(hMu)], xx[:len(hMu)], yy[:len(hMu)], xy[:len(hMu)]
		hXX, hYY, hXY := hXX[:len(hMu)], hYY[:len(hMu)], hXY[:len(hMu)]
		for j := range hMu {
			hMu[j] = c * m[j]
			hXX[j] = c * uint64(xx[j])
			hYY[j] = c * uint64(yy[j])
			hXY[j] = c * uint64(xy[j])
		}
	}
	for k := 0; k < half; k++ {
		c := uint64(filt[k])
		oa, ob := pad-half+k+from, pad+half-k+from
		ma, mb := ws.tmu[oa:oa+w], ws.tmu[ob:ob+w]
		xxa, xxb := ws.txx[oa:oa+w], ws.txx[ob:ob+w]
		yya, yyb := ws.tyy[oa:oa+w], ws.tyy[ob:ob+w]
		xya, xyb := ws.txy[oa:oa+w], ws.txy[ob:ob+w]
		ma, mb = ma[:len(hMu)], mb[:len(hMu)]
		xxa, xxb, yya, yyb, xya, xyb = xxa[:len(hMu)], xxb[:len(hMu)], yya[:len(hMu)], yyb[:len(hMu)], xya[:len(hMu)], xyb[:len(hMu)]
		hXX, hYY, hXY := hXX[:len(hMu)], hYY[:len(hMu)], hXY[:len(hMu)]
		for j := range hMu {
			hMu[j] += c * (ma[j] + mb[j])
			hXX[j] += c * (uint64(xxa[j]) + uint64(xxb[j]))
			hYY[j] += c * (uint64(yya[j]) + uint64(yyb[j]))
			hXY[j] += c * (uint64(xya[j]) + uint64(xyb[j]))
		}
	}
}

// horizontal17 is horizontal for the 17-tap filter of scale 0, one output
// at a time with the sums in registers.
func horizontal17(ws *workspace, w int) {
	hMu, hXX, hYY, hXY := ws.a0[:w], ws.a1[:w], ws.a2[:w], ws.a3[:w]
	hXX, hYY, hXY = hXX[:len(hMu)], hYY[:len(hMu)], hXY[:len(hMu)]
	tmu, txx, tyy, txy := ws.tmu, ws.txx, ws.tyy, ws.txy
	j4 := 0
	if hasAVX2 && w >= 4 {
		j4 = w &^ 3
		horiz17AVX2(&tmu[0], &txx[0], &tyy[0], &txy[0], &hMu[0], &hXX[0], &hYY[0], &hXY[0], j4)
	}
	for j := j4; j < w; j++ {
		m := (*[17]uint64)(tmu[j : j+17])
		xx := (*[17]uint32)(txx[j : j+17])
		yy := (*[17]uint32)(tyy[j : j+17])
		xy := (*[17]uint32)(txy[j : j+17])
		const c8 = 7784
		am := c8 * m[8]
		ax := c8 * uint64(xx[8])
		ay := c8 * uint64(yy[8])
		axy := c8 * uint64(xy[8])
		for k := 0; k < 8; k++ {
			c := uint64(filters0[k])
			am += c * (m[k] + m[16-k])
			ax += c * (uint64(xx[k]) + uint64(xx[16-k]))
			ay += c * (uint64(yy[k]) + uint64(yy[16-k]))
			axy += c * (uint64(xy[k]) + uint64(xy[16-k]))
		}
		hMu[j] = am
		hXX[j] = ax
		hYY[j] = ay
		hXY[j] = axy
	}
}

type stats struct {
	numLog                       [MaxOptions]int64
	denLog, numNonLog, denNonLog int64
}

// accumulate adds the VIF statistic of one filtered row.
func (st *stats) accumulate(hMu, hXX, hYY, hXY []uint64, egl *egls) {
	from := 0
	if hasAVX2 && len(hMu) >= 4 {
		from = len(hMu) &^ 3
		l := accLanes{egl: egl.v, ne: egl.n, eps: accEps}
		accumulateAVX2(&hMu[0], &hXX[0], &hYY[0], &hXY[0], from, &l, &log2Table[0x8000])
		st.addLanes(&l, from)
	}
	st.accumulateGo(hMu[from:], hXX[from:], hYY[from:], hXY[from:], egl)
}

// accEps is the epsilon of the gain's denominator.
const accEps = 65536 * 1.0e-10

// accLanes are accumulateAVX2's sums, one per vector lane (the lane
// order does not matter: all sums are exact integers). The layout is
// fixed by acc_amd64.s.
type accLanes struct {
	num    [MaxOptions][4]int64 // numLog per option set
	den    [4]int64             // log2of32(sigmaNsq+sigma1) where sigma1 >= sigmaNsq
	nonLog [4]int64             // sigma2 where sigma1 < sigmaNsq
	lcnt   [4]int64             // outputs with sigma1 >= sigmaNsq
	egl    [MaxOptions]float64  // input: gain limits
	ne     int                  // input: number of option sets
	eps    float64              // input: accEps
}

// addLanes adds the lane sums of n outputs to st.
func (st *stats) addLanes(l *accLanes, n int) {
	var lc int64
	for k := 0; k < 4; k++ {
		for e := range l.num {
			st.numLog[e] += l.num[e][k]
		}
		st.denLog += l.den[k]
		st.numNonLog += l.nonLog[k]
		lc += l.lcnt[k]
	}
	st.denLog -= 2048 * 17 * lc
	st.denNonLog += int64(n) - lc
}

// accumulateGo is accumulate in plain Go.
func (st *stats) accumulateGo(hMu, hXX, hYY, hXY []uint64, egl *egls) {
	denLog, numNonLog, denNonLog := st.denLog, st.numNonLog, st.denNonLog
	numLog := st.numLog
	ne := egl.n
	hXX, hYY, hXY = hXX[:len(hMu)], hYY[:len(hMu)], hXY[:len(hMu)]
	for j, m := range hMu {
		mu1, mu2 := m&lo32, m>>32
		mu1sq := uint32((mu1*mu1 + 2147483648) >> 32)
		mu2sq := uint32((mu2*mu2 + 2147483648) >> 32)
		mu12 := uint32((mu1*mu2 + 2147483648) >> 32)
		xx := uint32((hXX[j] + 32768) >> 16)
		yy := uint32((hYY[j] + 32768) >> 16)
		xy := uint32((hXY[j] + 32768) >> 16)

		sigma1 := int32(xx - mu1sq)
		sigma2 := int32(yy - mu2sq)
		sigma12 := int32(xy - mu12)
		if sigma2 < 0 {
			sigma2 = 0
		}
		if sigma1 >= sigmaNsq {
			denLog += int64(log2of32(uint32(sigmaNsq+sigma1)) - 2048*17)
			if sigma12 > 0 && sigma2 > 0 {
				g0 := float64(sigma12) / (float64(sigma1) + accEps)
				sv := int32(float64(sigma2) - float64(g0*float64(sigma12)))
				if sv < 0 {
					sv = 0
				}
				numer1 := uint32(sv + sigmaNsq)
				lden := log2of64(uint64(numer1))
				for e := 0; e < ne; e++ {
					g := g0
					if g > egl.v[e] {
						g = egl.v[e]
					}
					numer1tmp := int64(float64(float64(g*g)*float64(sigma1))) + int64(numer1)
					numLog[e&(MaxOptions-1)] += int64(log2of64(uint64(numer1tmp)) - lden)
				}
			}
		} else {
			numNonLog += int64(sigma2)
			denNonLog++
		}
	}
	st.denLog, st.numNonLog, st.denNonLog = denLog, numNonLog, denNonLog
	st.numLog = numLog
}

// subsample low-pass filters ref and dis with the filter of scale+1 and
// writes every second sample of every second row (sizes w/2 x h/2) to
// oref and odis.
func subsample[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, scale, bpc int, oref, odis []uint16) {
	filt := filters[scale+1]
	fw := len(filt)
	half := fw / 2
	var shVP uint = 16
	var rndVP uint64 = 32768
	if scale == 0 {
		shVP = uint(bpc)
		rndVP = 1 << (bpc - 1)
	}
	n := w + 2*pad
	tm := ws.tmu[:n]
	ow, oh := w/2, h/2
	ref8, is8 := any(ref).([]uint8)
	dis8, _ := any(dis).([]uint8)
	fast8 := is8 && hasAVX2 && w >= 8
	for i2 := 0; i2 < oh; i2++ {
		i := 2 * i2
		if fast8 {
			subsampleVert8(ws, ref8, dis8, rstride, dstride, w, h, i, filt, shVP, uint32(rndVP))
		} else {
			subsampleVert(ws, ref, dis, rstride, dstride, w, h, i, filt, shVP, rndVP)
		}
		padRow(tm, w, half)
		orow := oref[i2*ow : i2*ow+ow]
		drow := odis[i2*ow : i2*ow+ow]
		drow = drow[:len(orow)]
		j0 := 0
		if hasAVX2 && fw == 9 && ow >= 4 {
			j0 = ow &^ 3
			sub9HorizAVX2(&tm[pad-4], &orow[0], &drow[0], j0, &sub9Taps)
		}
		for j2 := j0; j2 < len(orow); j2++ {
			b := pad + 2*j2
			m := uint64(filt[half]) * tm[b]
			for k := 0; k < half; k++ {
				m += uint64(filt[k]) * (tm[b-half+k] + tm[b+half-k])
			}
			orow[j2] = uint16(((m & lo32) + 32768) >> 16)
			drow[j2] = uint16(((m >> 32) + 32768) >> 16)
		}
	}
}

// sub9Taps are the distinct taps of filters[1] (the 9-tap decimation
// filter), for sub9HorizAVX2.
var sub9Taps = [5]uint32{1244, 3663, 7925, 12590, 14692}

// subsampleVert computes the vertical low-pass of row i into
// ws.tmu[pad:pad+w] (ref | dis<<32, rounded).
func subsampleVert[T pixel](ws *workspace, ref, dis []T, rstride, dstride, w, h, i int, filt []uint16, shVP uint, rndVP uint64) {
	half := len(filt) / 2
	acc := ws.a0[:w]
	{
		c := uint64(filt[half])
		rr := ref[i*rstride : i*rstride+w]
		dr := dis[i*dstride : i*dstride+w]
		rr, dr = rr[:len(acc)], dr[:len(acc)]
		for j := range acc {
			acc[j] = c * (uint64(rr[j]) | uint64(dr[j])<<32)
		}
	}
	for k := 0; k < half; k++ {
		c := uint64(filt[k])
		ra, rb := mirror(i-half+k, h), mirror(i+half-k, h)
		xa := ref[ra*rstride : ra*rstride+w]
		xb := ref[rb*rstride : rb*rstride+w]
		ya := dis[ra*dstride : ra*dstride+w]
		yb := dis[rb*dstride : rb*dstride+w]
		xa, xb, ya, yb = xa[:len(acc)], xb[:len(acc)], ya[:len(acc)], yb[:len(acc)]
		for j := range acc {
			acc[j] += c * ((uint64(xa[j]) + uint64(xb[j])) | (uint64(ya[j])+uint64(yb[j]))<<32)
		}
	}
	t := ws.tmu[pad : pad+w]
	t = t[:len(acc)]
	for j := range t {
		m := acc[j]
		t[j] = (((m&lo32)+rndVP)>>shVP)&lo32 | ((((m>>32)+rndVP)>>shVP)&lo32)<<32
	}
}

// subsampleVert8 is subsampleVert for 8-bit samples with AVX2 (sums fit
// in 32 bits); w >= 8.
func subsampleVert8(ws *workspace, ref, dis []uint8, rstride, dstride, w, h, i int, filt []uint16, shVP uint, rndVP uint32) {
	half := len(filt) / 2
	ar, ad := ws.v0[:w], ws.v1[:w]
	j8 := w &^ 7
	{
		c := uint32(filt[half])
		rr := ref[i*rstride : i*rstride+w]
		dr := dis[i*dstride : i*dstride+w]
		rr, dr, ad = rr[:len(ar)], dr[:len(ar)], ad[:len(ar)]
		sub8CenterAVX2(&rr[0], &dr[0], &ar[0], &ad[0], j8, c)
		for j := j8; j < len(ar); j++ {
			ar[j] = c * uint32(rr[j])
			ad[j] = c * uint32(dr[j])
		}
	}
	for k := 0; k < half; k++ {
		c := uint32(filt[k])
		ra, rb := mirror(i-half+k, h), mirror(i+half-k, h)
		xa := ref[ra*rstride : ra*rstride+w]
		xb := ref[rb*rstride : rb*rstride+w]
		ya := dis[ra*dstride : ra*dstride+w]
		yb := dis[rb*dstride : rb*dstride+w]
		xa, xb, ya, yb, ad = xa[:len(ar)], xb[:len(ar)], ya[:len(ar)], yb[:len(ar)], ad[:len(ar)]
		sub8PairAVX2(&xa[0], &xb[0], &ya[0], &yb[0], &ar[0], &ad[0], j8, c)
		for j := j8; j < len(ar); j++ {
			ar[j] += c * (uint32(xa[j]) + uint32(xb[j]))
			ad[j] += c * (uint32(ya[j]) + uint32(yb[j]))
		}
	}
	t := ws.tmu[pad : pad+w]
	t, ad = t[:len(ar)], ad[:len(ar)]
	for j := range t {
		t[j] = uint64((ar[j]+rndVP)>>shVP) | uint64((ad[j]+rndVP)>>shVP)<<32
	}
}
