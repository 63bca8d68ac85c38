package ladder

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// CRFSample is one trial encode of a stretch of video at one size: its
// CRF, bits and mean VMAF.
type CRFSample struct {
	CRF  float64 `json:"crf"`
	Bits float64 `json:"bits"`
	VMAF float64 `json:"vmaf"`
}

// CRFCurve is one stretch's rate–quality curve at one size over CRF: log
// bits and VMAF as monotone cubics (PCHIP) through its samples, the straight
// line through two. It predicts the CRFs the analysis did not encode.
type CRFCurve struct{ lnBits, vmaf *PCHIP }

// NewCRFCurve fits the curve through samples (any order; at least two
// distinct CRFs, positive bits). Samples at the same CRF are an error.
func NewCRFCurve(samples []CRFSample) (*CRFCurve, error) {
	s := slices.Clone(samples)
	slices.SortFunc(s, func(a, b CRFSample) int { return cmp.Compare(a.CRF, b.CRF) })
	x, lb, v := make([]float64, len(s)), make([]float64, len(s)), make([]float64, len(s))
	for i, p := range s {
		if !(p.Bits > 0) || math.IsInf(p.Bits, 0) || math.IsNaN(p.VMAF) || math.IsNaN(p.CRF) {
			return nil, fmt.Errorf("%w: CRF %g: %g bits, VMAF %g", ErrBadInterpolant, p.CRF, p.Bits, p.VMAF)
		}
		x[i], lb[i], v[i] = p.CRF, math.Log(p.Bits), p.VMAF
	}
	lnBits, err := NewPCHIP(x, lb)
	if err != nil {
		return nil, err
	}
	vm, err := NewPCHIP(x, v)
	if err != nil {
		return nil, err
	}
	return &CRFCurve{lnBits: lnBits, vmaf: vm}, nil
}

// At predicts bits and VMAF at crf (extrapolating with the end pieces
// outside the samples' CRFs).
func (c *CRFCurve) At(crf float64) (bits, vmaf float64) {
	return math.Exp(c.lnBits.At(crf)), c.vmaf.At(crf)
}

// CalibrationPair is one calibration stretch at one size and CRF: what the
// fast analysis predicts there (its curve at the CRF) and what the final
// encode's settings measured.
type CalibrationPair struct {
	Fast, Final CRFSample
	// Weight is how much the stretch counts (its frames); 0 counts 1.
	Weight float64
}

// CalibrationPoint maps the fast analysis to the final encode at one size
// and CRF: final ≈ fast·exp(LogBits) bits and fast + VMAF.
type CalibrationPoint struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	CRF    float64 `json:"crf"`
	// LogBits and VMAF are the weighted mean offsets ln(final bits) −
	// ln(fast bits) and final VMAF − fast VMAF over the calibration
	// stretches.
	LogBits float64 `json:"log_bits"`
	VMAF    float64 `json:"vmaf"`
	// Stretches is the number of calibration stretches measured.
	Stretches int `json:"stretches"`
	// RawVMAFError is the mean |final − fast| VMAF before the offset,
	// FitVMAFError after it (in sample), RawBitsError and FitBitsError the
	// same of |ln(final/fast)| bits: how much the mapping corrects, and
	// how much it leaves.
	RawVMAFError float64 `json:"raw_vmaf_error"`
	FitVMAFError float64 `json:"fit_vmaf_error"`
	RawBitsError float64 `json:"raw_bits_error"`
	FitBitsError float64 `json:"fit_bits_error"`
}

// FitCalibrationPoint fits the offsets of one size and CRF from its pairs
// (the weighted means of the log-bits and VMAF differences). No pairs is
// an error.
func FitCalibrationPoint(width, height int, crf float64, pairs []CalibrationPair) (CalibrationPoint, error) {
	p := CalibrationPoint{Width: width, Height: height, CRF: crf, Stretches: len(pairs)}
	if len(pairs) == 0 {
		return p, fmt.Errorf("%w: no calibration at %dx%d CRF %g", ErrNoPoints, width, height, crf)
	}
	var wsum float64
	w := func(q CalibrationPair) float64 {
		if q.Weight > 0 {
			return q.Weight
		}
		return 1
	}
	for _, q := range pairs {
		if !(q.Fast.Bits > 0) || !(q.Final.Bits > 0) {
			return p, fmt.Errorf("%w: calibration at %dx%d CRF %g: bits %g and %g", ErrBadInterpolant, width, height, crf, q.Fast.Bits, q.Final.Bits)
		}
		wsum += w(q)
		p.LogBits += w(q) * math.Log(q.Final.Bits/q.Fast.Bits)
		p.VMAF += w(q) * (q.Final.VMAF - q.Fast.VMAF)
	}
	p.LogBits /= wsum
	p.VMAF /= wsum
	for _, q := range pairs {
		lb := math.Log(q.Final.Bits / q.Fast.Bits)
		dv := q.Final.VMAF - q.Fast.VMAF
		p.RawVMAFError += w(q) * math.Abs(dv)
		p.FitVMAFError += w(q) * math.Abs(dv-p.VMAF)
		p.RawBitsError += w(q) * math.Abs(lb)
		p.FitBitsError += w(q) * math.Abs(lb-p.LogBits)
	}
	p.RawVMAFError /= wsum
	p.FitVMAFError /= wsum
	p.RawBitsError /= wsum
	p.FitBitsError /= wsum
	return p, nil
}

// Apply maps a fast prediction at the point's size and CRF to the final
// encode's: bits scaled by exp(LogBits), VMAF shifted by VMAF and kept in
// [0, 100].
func (p CalibrationPoint) Apply(fast CRFSample) CRFSample {
	return CRFSample{CRF: fast.CRF, Bits: fast.Bits * math.Exp(p.LogBits), VMAF: min(max(fast.VMAF+p.VMAF, 0), 100)}
}

// MonotoneInCRF makes samples (one stretch at one size, sorted by
// increasing CRF) never gain bits or VMAF as CRF rises, as encodes do:
// each sample keeps at most its lower-CRF neighbour's bits and VMAF.
// Mapped predictions, each shifted by its own CRF's offsets, can otherwise
// cross by a fraction of a point where the curve is flat.
func MonotoneInCRF(samples []CRFSample) {
	for i := 1; i < len(samples); i++ {
		samples[i].Bits = min(samples[i].Bits, samples[i-1].Bits)
		samples[i].VMAF = min(samples[i].VMAF, samples[i-1].VMAF)
	}
}
