package vmaf

import (
	"math"
	"sort"
)

// Pooled holds one metric pooled over frames the way libvmaf pools it.
type Pooled struct {
	Min, Max, Mean, HarmonicMean float64
}

// Pool computes min, max, mean and harmonic mean of xs as libvmaf does
// (see Mean and HarmonicMean). It returns NaNs for an empty slice.
func Pool(xs []float64) Pooled {
	return Pooled{Min: Min(xs), Max: Max(xs), Mean: Mean(xs), HarmonicMean: HarmonicMean(xs)}
}

// Mean returns the arithmetic mean, summing in frame order like libvmaf.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// HarmonicMean returns libvmaf's harmonic mean, n / sum(1/(x+1)) - 1,
// which is defined for scores of 0.
func HarmonicMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range xs {
		s += 1.0 / (x + 1.0)
	}
	return float64(len(xs))/s - 1.0
}

// Min returns the smallest value.
func Min(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := xs[0]
	for _, x := range xs[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

// Max returns the largest value.
func Max(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of xs with linear
// interpolation between closest ranks, the rule libvmaf uses for its
// bootstrap confidence intervals (and numpy's default): with the values
// sorted ascending, position r = p/100·(n−1); the result is
// v[⌊r⌋]·(⌈r⌉−r) + v[⌈r⌉]·(r−⌊r⌋). xs is not modified.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	p = math.Max(0, math.Min(100, p))
	v := append([]float64(nil), xs...)
	sort.Float64s(v)
	r := p * float64(len(v)-1) / 100
	lo, hi := math.Floor(r), math.Ceil(r)
	if lo == hi {
		return v[int(lo)]
	}
	return v[int(lo)]*(hi-r) + v[int(hi)]*(r-lo)
}
