package ladder

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Sentinel errors of BDRate and BDQuality, mirroring the validity checks of
// Netflix's bd_rate tool (vmaf/tools/bd_rate.py and the older
// BDrateCalculator). Errors wrap them with the curve at fault.
var (
	// ErrTooFewPoints: a curve has fewer than 4 distinct points.
	ErrTooFewPoints = errors.New("ladder: BD needs at least 4 points per curve")
	// ErrNonMonotonic: sorted by rate, a curve's quality does not strictly
	// increase (or two points share a rate).
	ErrNonMonotonic = errors.New("ladder: BD curve is not monotonic")
	// ErrNoOverlap: the curves' quality ranges (BDRate) or rate ranges
	// (BDQuality) do not overlap.
	ErrNoOverlap = errors.New("ladder: BD curves do not overlap")
	// ErrBadRate: a rate is zero, negative or not finite, or a quality is
	// not finite.
	ErrBadRate = errors.New("ladder: BD curve has a bad rate or quality")
)

// RDPoint is one point of a rate–quality curve for BD measures. Rate may be
// in any unit (the same for both curves); Quality is VMAF, PSNR or any
// metric where higher is better.
type RDPoint struct {
	Rate, Quality float64
}

// RD returns the (BitrateKbps, VMAF) of each point, for BDRate and
// BDQuality.
func RD(points []Point) []RDPoint {
	rd := make([]RDPoint, len(points))
	for i, p := range points {
		rd[i] = RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}
	}
	return rd
}

// BDOptions adjusts BDRateWith and BDQualityWith. The zero value gives
// BDRate and BDQuality.
type BDOptions struct {
	// Low and High, when non-zero, narrow the integration interval: quality
	// bounds for BD-rate, rate bounds (in the curves' rate unit) for
	// BD-quality. Zero means no bound, as in Netflix's tool.
	Low, High float64
	// Samples selects the integration. 0 integrates the interpolants
	// exactly (closed-form integral of each cubic piece), like Netflix's
	// BDrateCalculator and JCTVC-E137. N ≥ 2 uses the trapezoid rule on N
	// evenly spaced samples, like Netflix's newer bd_rate.py (N = 100);
	// the two differ by the quadrature error, typically 1e-4.
	Samples int
}

// BDRate returns the Bjøntegaard-delta rate of test against ref: the mean
// relative difference in rate at equal quality over the quality range both
// curves cover, as a fraction (−0.2 means test needs 20% fewer bits than
// ref for the same quality; +0.1 means 10% more).
//
// Each curve is interpolated as log-rate against quality with PCHIP
// (monotone piecewise cubic Hermite, see PCHIP), both interpolants are
// integrated exactly over the overlap [max of the minimum qualities, min of
// the maximum qualities], and the mean log-rate difference d gives
// BD-rate = e^d − 1, as in Netflix's bd_rate tool. Hence a curve whose
// every rate is multiplied by 1+x has BD-rate exactly x against the
// original, a curve against itself has 0, and
// (1+BDRate(a,b))·(1+BDRate(b,a)) = 1.
//
// Before the checks, exact duplicate points are dropped and each curve is
// sorted by rate. Errors: ErrBadRate (rate ≤ 0 or non-finite values),
// ErrTooFewPoints (fewer than 4 points), ErrNonMonotonic (quality not
// strictly increasing with rate, or a repeated rate), ErrNoOverlap.
func BDRate(ref, test []RDPoint) (float64, error) {
	return BDRateWith(ref, test, BDOptions{})
}

// BDRateWith is BDRate with options (integration bounds and quadrature).
func BDRateWith(ref, test []RDPoint, opt BDOptions) (float64, error) {
	a, b, err := bdCurves(ref, test, opt, true)
	if err != nil {
		return 0, err
	}
	avg, err := bdMean(a, b, opt)
	if err != nil {
		return 0, err
	}
	return math.Expm1(avg), nil
}

// BDQuality returns the Bjøntegaard-delta quality of test against ref (BD-
// VMAF for VMAF curves, BD-PSNR for PSNR ones): the mean difference
// test − ref in quality at equal rate, in quality units, over the log-rate
// range both curves cover (positive means test is better).
//
// Each curve is interpolated as quality against log-rate with PCHIP and
// integrated exactly over the overlap. Validity checks and errors are those
// of BDRate.
func BDQuality(ref, test []RDPoint) (float64, error) {
	return BDQualityWith(ref, test, BDOptions{})
}

// BDQualityWith is BDQuality with options; Low and High bound the rate.
func BDQualityWith(ref, test []RDPoint, opt BDOptions) (float64, error) {
	if opt.Low < 0 || opt.High < 0 {
		return 0, fmt.Errorf("%w: rate bounds %g, %g", ErrBadRate, opt.Low, opt.High)
	}
	if opt.Low > 0 {
		opt.Low = math.Log(opt.Low)
	}
	if opt.High > 0 {
		opt.High = math.Log(opt.High)
	}
	a, b, err := bdCurves(ref, test, opt, false)
	if err != nil {
		return 0, err
	}
	return bdMean(a, b, opt)
}

// bdCurves validates both curves and builds their interpolants: log-rate
// over quality when rateOverQuality, else quality over log-rate.
func bdCurves(ref, test []RDPoint, opt BDOptions, rateOverQuality bool) (*PCHIP, *PCHIP, error) {
	if opt.Samples == 1 || opt.Samples < 0 {
		return nil, nil, fmt.Errorf("ladder: BD with %d samples (want 0 for exact, or at least 2)", opt.Samples)
	}
	var out [2]*PCHIP
	for i, c := range [][]RDPoint{ref, test} {
		name := [2]string{"reference", "test"}[i]
		pts, err := bdPrepare(c)
		if err != nil {
			return nil, nil, fmt.Errorf("%s curve: %w", name, err)
		}
		x := make([]float64, len(pts))
		y := make([]float64, len(pts))
		for j, p := range pts {
			if rateOverQuality {
				x[j], y[j] = p.Quality, math.Log(p.Rate)
			} else {
				x[j], y[j] = math.Log(p.Rate), p.Quality
			}
		}
		if out[i], err = NewPCHIP(x, y); err != nil {
			// Unreachable after bdPrepare, but keep the error honest.
			return nil, nil, fmt.Errorf("%s curve: %w: %w", name, ErrNonMonotonic, err)
		}
	}
	return out[0], out[1], nil
}

// bdPrepare checks values, drops exact duplicates, sorts by rate and checks
// the count and monotonicity.
func bdPrepare(c []RDPoint) ([]RDPoint, error) {
	for _, p := range c {
		if !(p.Rate > 0) || math.IsInf(p.Rate, 0) || math.IsNaN(p.Quality) || math.IsInf(p.Quality, 0) {
			return nil, fmt.Errorf("%w: (%g, %g)", ErrBadRate, p.Rate, p.Quality)
		}
	}
	pts := slices.Clone(c)
	slices.SortFunc(pts, func(a, b RDPoint) int {
		if r := cmp.Compare(a.Rate, b.Rate); r != 0 {
			return r
		}
		return cmp.Compare(a.Quality, b.Quality)
	})
	pts = slices.Compact(pts)
	if len(pts) < 4 {
		return nil, fmt.Errorf("%w: %d distinct points", ErrTooFewPoints, len(pts))
	}
	for i := 1; i < len(pts); i++ {
		if !(pts[i].Rate > pts[i-1].Rate) || !(pts[i].Quality > pts[i-1].Quality) {
			return nil, fmt.Errorf("%w: (%g, %g) then (%g, %g)", ErrNonMonotonic,
				pts[i-1].Rate, pts[i-1].Quality, pts[i].Rate, pts[i].Quality)
		}
	}
	return pts, nil
}

// bdMean is the mean of b − a over the overlap of their x ranges (narrowed
// by opt.Low/High when non-zero).
func bdMean(a, b *PCHIP, opt BDOptions) (float64, error) {
	lo := math.Max(a.Min(), b.Min())
	hi := math.Min(a.Max(), b.Max())
	if opt.Low != 0 {
		lo = math.Max(lo, opt.Low)
	}
	if opt.High != 0 {
		hi = math.Min(hi, opt.High)
	}
	if !(hi > lo) {
		return 0, fmt.Errorf("%w: common range [%g, %g]", ErrNoOverlap, lo, hi)
	}
	if opt.Samples == 0 {
		return (b.Integral(lo, hi) - a.Integral(lo, hi)) / (hi - lo), nil
	}
	n := opt.Samples
	step := (hi - lo) / float64(n-1)
	var sum float64
	for i := range n {
		x := lo + float64(i)*step
		if i == n-1 {
			x = hi
		}
		v := b.At(x) - a.At(x)
		if i == 0 || i == n-1 {
			v /= 2
		}
		sum += v
	}
	return sum * step / (hi - lo), nil
}
