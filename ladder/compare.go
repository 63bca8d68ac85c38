package ladder

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
)

// CompareCurve is one side of a ladder comparison.
type CompareCurve struct {
	// Path names where the curve was read from (a report.json or a CSV).
	Path  string `json:"path"`
	Codec string `json:"codec,omitempty"`
	// Points are the (kbps, VMAF) compared, sorted by bitrate.
	Points []ComparePoint `json:"points"`
	// Dropped lists points MakeMonotone left out (not above a cheaper one).
	Dropped []ComparePoint `json:"dropped,omitempty"`
}

// ComparePoint is one rung of a compared ladder.
type ComparePoint struct {
	ID          string  `json:"id,omitempty"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
}

// Comparison is ladder B measured against ladder A of the same title
// (`reel ladder compare --json` prints it). A metric that cannot be
// computed is nil, with its reason in the *_error field.
type Comparison struct {
	A CompareCurve `json:"a"`
	B CompareCurve `json:"b"`
	// BDRate is a fraction (−0.2: B needs 20% fewer bits); BDRatePercent
	// is the same in percent.
	BDRate        *float64 `json:"bd_rate"`
	BDRatePercent *float64 `json:"bd_rate_percent"`
	BDRateError   string   `json:"bd_rate_error,omitempty"`
	// VMAFRange is the VMAF range BD-rate integrates over.
	VMAFRange []float64 `json:"vmaf_range,omitempty"`
	BDVMAF    *float64  `json:"bd_vmaf"`
	BDVMAFErr string    `json:"bd_vmaf_error,omitempty"`
	// KbpsRange is the bitrate range BD-VMAF integrates over.
	KbpsRange []float64 `json:"kbps_range,omitempty"`
}

// Errors of ReadCompareCurve.
var (
	// ErrNoRungs: the file holds no rung (of the wanted codec).
	ErrNoRungs = errors.New("no rungs")
	// ErrNotReport: a JSON file that is not a report.json.
	ErrNotReport = errors.New("not a report.json")
	// ErrSeveralCodecs: a report with rungs of several codecs and no codec
	// picked.
	ErrSeveralCodecs = errors.New("rungs of several codecs")
	// ErrBadCSV: a CSV line that is not "kbps,vmaf".
	ErrBadCSV = errors.New("want kbps,vmaf")
)

// ReadCompareCurve reads one ladder of a comparison from r: a CSV of
// "kbps,vmaf" lines when name ends in .csv ('#' comments, blank lines and
// a non-numeric first line are skipped), else a report.json (every rung's
// bitrate_kbps and vmaf.mean; with rungs of several codecs, codec picks
// one). name labels the curve and the errors. Points are sorted by
// bitrate.
func ReadCompareCurve(name string, r io.Reader, codec string) (CompareCurve, error) {
	c := CompareCurve{Path: name}
	var err error
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		c.Points, err = readCompareCSV(name, r)
	} else {
		c.Points, c.Codec, err = readCompareReport(name, r, codec)
	}
	if err != nil {
		return CompareCurve{}, err
	}
	if len(c.Points) == 0 {
		return CompareCurve{}, fmt.Errorf("%s: %w", name, ErrNoRungs)
	}
	slices.SortStableFunc(c.Points, func(a, b ComparePoint) int { return cmp.Compare(a.BitrateKbps, b.BitrateKbps) })
	return c, nil
}

// MakeMonotone drops the points whose VMAF is not above every cheaper
// point's, keeping them in Dropped.
func (c *CompareCurve) MakeMonotone() {
	c.Points, c.Dropped = MonotoneFunc(c.Points, func(p ComparePoint) RDPoint {
		return RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}
	})
}

// Compare measures b against a: BD-rate and BD-VMAF (Bjøntegaard with
// PCHIP on log-rate, BDRate and BDQuality) and the ranges they integrate
// over. An error is explained in the comparison's *_error fields.
func Compare(a, b CompareCurve) *Comparison {
	c := &Comparison{A: a, B: b}
	ra, rb := comparePoints(a.Points), comparePoints(b.Points)
	explain := func(err error) string {
		msg := strings.NewReplacer("reference curve", "A", "test curve", "B").Replace(err.Error())
		switch {
		case errors.Is(err, ErrTooFewPoints):
			msg += fmt.Sprintf(" (A has %d rungs, B has %d; BD needs 4 distinct ones each)", len(ra), len(rb))
		case errors.Is(err, ErrNonMonotonic):
			msg += " (VMAF must rise with bitrate; --monotone drops the rungs that do not)"
		}
		return msg
	}
	if r, err := BDRate(ra, rb); err != nil {
		c.BDRateError = explain(err)
	} else {
		pct := r * 100
		c.BDRate, c.BDRatePercent = &r, &pct
	}
	if q, err := BDQuality(ra, rb); err != nil {
		c.BDVMAFErr = explain(err)
	} else {
		c.BDVMAF = &q
	}
	if len(ra) > 0 && len(rb) > 0 {
		quality := func(p RDPoint) float64 { return p.Quality }
		rate := func(p RDPoint) float64 { return p.Rate }
		if lo, hi := overlap(ra, rb, quality); lo < hi {
			c.VMAFRange = []float64{lo, hi}
		}
		if lo, hi := overlap(ra, rb, rate); lo < hi {
			c.KbpsRange = []float64{lo, hi}
		}
	}
	return c
}

// overlap returns the common range of two curves' values of f.
func overlap(a, b []RDPoint, f func(RDPoint) float64) (lo, hi float64) {
	bounds := func(ps []RDPoint) (lo, hi float64) {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, p := range ps {
			lo, hi = min(lo, f(p)), max(hi, f(p))
		}
		return lo, hi
	}
	alo, ahi := bounds(a)
	blo, bhi := bounds(b)
	return max(alo, blo), min(ahi, bhi)
}

func comparePoints(ps []ComparePoint) []RDPoint {
	out := make([]RDPoint, len(ps))
	for i, p := range ps {
		out[i] = RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}
	}
	return out
}

func readCompareReport(name string, rd io.Reader, codec string) ([]ComparePoint, string, error) {
	var r report.Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, "", fmt.Errorf("%s: %w: %w", name, ErrNotReport, err)
	}
	if r.Rungs == nil {
		return nil, "", fmt.Errorf("%s: %w (no \"rungs\")", name, ErrNotReport)
	}
	canon := func(c string) string {
		if vc, ok := media.LookupVideoCodec(c); ok {
			return vc.Name
		}
		return strings.ToLower(c)
	}
	var codecs []string
	for _, rg := range r.Rungs {
		if c := canon(rg.Codec); !slices.Contains(codecs, c) {
			codecs = append(codecs, c)
		}
	}
	want := ""
	switch {
	case codec != "":
		want = canon(codec)
	case len(codecs) > 1:
		return nil, "", fmt.Errorf("%s: %w (%s); pick one with --codec", name, ErrSeveralCodecs, strings.Join(codecs, ", "))
	case len(codecs) == 1:
		want = codecs[0]
	}
	var out []ComparePoint
	for _, rg := range r.Rungs {
		if canon(rg.Codec) == want {
			out = append(out, ComparePoint{ID: rg.ID, BitrateKbps: rg.BitrateKbps, VMAF: rg.VMAF.Mean})
		}
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("%s: no %s rungs (has %s)", name, want, strings.Join(codecs, ", "))
	}
	return out, want, nil
}

func readCompareCSV(name string, r io.Reader) ([]ComparePoint, error) {
	var out []ComparePoint
	header := false
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: %w", name, n, ErrBadCSV)
		}
		kbps, err1 := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64)
		q, err2 := strconv.ParseFloat(strings.TrimSpace(fields[1]), 64)
		if err1 == nil && err2 == nil && (math.IsNaN(kbps+q) || math.IsInf(kbps+q, 0)) {
			return nil, fmt.Errorf("%s:%d: %w finite numbers, got %q", name, n, ErrBadCSV, line)
		}
		if err1 != nil || err2 != nil {
			if len(out) == 0 && !header {
				header = true
				continue
			}
			return nil, fmt.Errorf("%s:%d: %w numbers, got %q", name, n, ErrBadCSV, line)
		}
		out = append(out, ComparePoint{BitrateKbps: kbps, VMAF: q})
	}
	return out, sc.Err()
}
