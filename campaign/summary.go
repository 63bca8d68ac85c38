package campaign

import (
	"cmp"
	"math"
	"slices"
)

// SummaryOptions tune Summarize. The zero value uses the defaults.
type SummaryOptions struct {
	// Worst is how many titles Worst lists. Default 10.
	Worst int
	// BinWidth is the histogram's bin width in BD-rate percentage points.
	// Default 5; widened (doubled) until at most MaxBins bins cover the
	// BD-rates.
	BinWidth float64
	// MaxBins caps the histogram's bins. Default 40.
	MaxBins int
}

func (o SummaryOptions) withDefaults() SummaryOptions {
	if o.Worst <= 0 {
		o.Worst = 10
	}
	if !(o.BinWidth > 0) || math.IsInf(o.BinWidth, 0) {
		o.BinWidth = 5
	}
	if o.MaxBins <= 0 {
		o.MaxBins = 40
	}
	return o
}

// Summary is a campaign's totals over its rows.
type Summary struct {
	// Titles counts the rows; ByState counts them per state (every state
	// of States is present, zero or not).
	Titles  int            `json:"titles"`
	ByState map[string]int `json:"by_state"`
	// OldBytes and NewBytes add up the ladders of the titles with both
	// sizes known (Compared of them); SavedBytes is their difference and
	// SavedPercent its share of OldBytes (0 when OldBytes is 0).
	Compared     int     `json:"compared"`
	OldBytes     int64   `json:"old_bytes"`
	NewBytes     int64   `json:"new_bytes"`
	SavedBytes   int64   `json:"saved_bytes"`
	SavedPercent float64 `json:"saved_percent"`
	// BDRate summarises the per-title BD-rates (percent) of the titles
	// that have one; BDVMAF the BD-VMAFs.
	BDRate Stats `json:"bd_rate_percent"`
	BDVMAF Stats `json:"bd_vmaf"`
	// NoSavings counts finished titles without a BD-rate (SavingsError
	// says why per title).
	NoSavings int `json:"no_savings"`
	// Worst lists the titles with the highest (worst) BD-rate first, at
	// most SummaryOptions.Worst.
	Worst []Ranked `json:"worst"`
	// Failures counts failed titles by error type, most first ("" is an
	// untyped error).
	Failures []Count `json:"failures"`
	// Histogram bins the per-title BD-rates.
	Histogram []Bin `json:"histogram"`
}

// Stats are the count, mean, median, minimum and maximum of some values
// (all zero when N is 0).
type Stats struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Ranked is a title and its BD-rate.
type Ranked struct {
	TitleID       string  `json:"title_id"`
	BDRatePercent float64 `json:"bd_rate_percent"`
}

// Count is a failure type and how many titles failed with it.
type Count struct {
	Type string `json:"type"`
	N    int    `json:"n"`
}

// Bin is one histogram bin: N titles with Lo ≤ BD-rate < Hi.
type Bin struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
	N  int     `json:"n"`
}

// Summarize computes the Summary of rows. Numbers that are NaN or
// infinite are left out as unknown.
func Summarize(rows []Row, opts SummaryOptions) Summary {
	opts = opts.withDefaults()
	s := Summary{Titles: len(rows), ByState: map[string]int{}}
	for _, st := range States {
		s.ByState[st] = 0
	}
	var bd, bv []float64
	failures := map[string]int{}
	for _, r := range rows {
		s.ByState[r.State]++
		if r.State == StateFailed {
			failures[r.ErrorType]++
		}
		if saved, ok := r.BytesSaved(); ok {
			s.Compared++
			s.OldBytes += r.Savings.OldBytes
			s.NewBytes += r.Savings.NewBytes
			s.SavedBytes += saved
		}
		if f, ok := r.BDRatePercent(); ok {
			bd = append(bd, f)
			s.Worst = append(s.Worst, Ranked{TitleID: r.TitleID, BDRatePercent: f})
		} else if Finished(r.State) {
			s.NoSavings++
		}
		if r.Savings != nil {
			if f, ok := finite(r.Savings.BDVMAF); ok {
				bv = append(bv, f)
			}
		}
	}
	if s.OldBytes > 0 {
		s.SavedPercent = 100 * float64(s.SavedBytes) / float64(s.OldBytes)
	}
	s.BDRate, s.BDVMAF = stats(bd), stats(bv)
	slices.SortStableFunc(s.Worst, func(a, b Ranked) int {
		if c := cmp.Compare(b.BDRatePercent, a.BDRatePercent); c != 0 {
			return c
		}
		return cmp.Compare(a.TitleID, b.TitleID)
	})
	s.Worst = s.Worst[:min(len(s.Worst), opts.Worst)]
	if s.Worst == nil {
		s.Worst = []Ranked{}
	}
	s.Failures = []Count{}
	for t, n := range failures {
		s.Failures = append(s.Failures, Count{Type: t, N: n})
	}
	slices.SortFunc(s.Failures, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Type, b.Type)
	})
	s.Histogram = Histogram(bd, opts.BinWidth, opts.MaxBins)
	return s
}

func finite(f *float64) (float64, bool) {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return 0, false
	}
	return *f, true
}

// stats of finite values.
func stats(v []float64) Stats {
	if len(v) == 0 {
		return Stats{}
	}
	v = slices.Clone(v)
	slices.Sort(v)
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Stats{N: len(v), Mean: sum / float64(len(v)), Median: med, Min: v[0], Max: v[len(v)-1]}
}

// Histogram bins finite values into bins of width w whose edges are
// multiples of w (a value on an edge goes to the bin above it), from the
// bin of the smallest value to that of the largest, empty bins between
// included. When more than maxBins bins would be needed, w is doubled
// until they are not. No values: no bins.
func Histogram(values []float64, w float64, maxBins int) []Bin {
	if len(values) == 0 {
		return []Bin{}
	}
	if !(w > 0) || math.IsInf(w, 0) {
		w = 5
	}
	maxBins = max(maxBins, 1)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	// In floats: values of any size (a BD-rate of 1e300%) bin without
	// integer overflow.
	var first, n float64
	for {
		first = math.Floor(lo / w)
		n = math.Floor(hi/w) - first + 1
		if n <= float64(maxBins) {
			break
		}
		w *= 2
	}
	bins := make([]Bin, int(n))
	for i := range bins {
		bins[i] = Bin{Lo: (first + float64(i)) * w, Hi: (first + float64(i) + 1) * w}
	}
	for _, v := range values {
		i := min(max(math.Floor(v/w)-first, 0), n-1)
		bins[int(i)].N++
	}
	return bins
}
