package reporthtml

import (
	"math"
	"slices"
)

// keepFrames returns the frames (indexes into each of series, all of length
// n) that a plot of at most buckets columns needs: the first and the last
// frame, and in each of buckets equal runs of frames the one with the
// lowest and the one with the highest value of every series (NaN values
// are skipped), plus the frames in extra that are inside [0, n). The
// result is sorted and has no repeats; it holds at most
// 2 + 2·buckets·len(series) + len(extra) frames, and every frame when n
// is no more than that.
func keepFrames(n, buckets int, series [][]float64, extra []int) []int {
	if n <= 0 {
		return nil
	}
	if buckets < 1 {
		buckets = 1
	}
	if n <= 2*buckets {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	keep := make([]int, 0, 2+2*buckets*len(series)+len(extra))
	keep = append(keep, 0, n-1)
	for b := range buckets {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		for _, s := range series {
			minI, maxI := -1, -1
			for i := lo; i < hi && i < len(s); i++ {
				v := s[i]
				if math.IsNaN(v) {
					continue
				}
				if minI < 0 || v < s[minI] {
					minI = i
				}
				if maxI < 0 || v > s[maxI] {
					maxI = i
				}
			}
			if minI >= 0 {
				keep = append(keep, minI, maxI)
			}
		}
	}
	for _, i := range extra {
		if i >= 0 && i < n {
			keep = append(keep, i)
		}
	}
	slices.Sort(keep)
	return slices.Compact(keep)
}

// pick returns s at the frames idx (NaN past s's end).
func pick(s []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for j, i := range idx {
		if i < len(s) {
			out[j] = s[i]
		} else {
			out[j] = math.NaN()
		}
	}
	return out
}
