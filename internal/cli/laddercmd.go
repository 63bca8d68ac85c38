package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
)

const ladderCompareLong = `Compares ladder B against ladder A of the same title: BD-rate (the mean
bitrate change of B at equal VMAF, negative is better) and BD-VMAF (the
mean VMAF change of B at equal bitrate, positive is better), Bjøntegaard
with PCHIP on log-rate over the overlapping range, as Netflix's bd_rate.

A and B are each
  a report.json     every rung's (bitrate_kbps, vmaf.mean)
  a .csv file       one "kbps,vmaf" pair per line ('#' comments and a
                    non-numeric header line are skipped)
Each ladder needs at least 4 rungs whose VMAF rises with bitrate, and the
two must overlap in VMAF (BD-rate) and in bitrate (BD-VMAF).`

// ladderCurve is one side of a comparison.
type ladderCurve struct {
	Path  string `json:"path"`
	Codec string `json:"codec,omitempty"`
	// Points are the (kbps, VMAF) compared, sorted by bitrate.
	Points []ladderPoint `json:"points"`
	// Dropped lists points --monotone left out (not above a cheaper one).
	Dropped []ladderPoint `json:"dropped,omitempty"`
}

type ladderPoint struct {
	ID          string  `json:"id,omitempty"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
}

// ladderComparison is what `reel ladder compare --json` prints. A metric
// that cannot be computed is null, with its reason in the *_error field.
type ladderComparison struct {
	A ladderCurve `json:"a"`
	B ladderCurve `json:"b"`
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

type ladderCompareOptions struct {
	// JSON prints the comparison as JSON.
	JSON bool
	// Codec picks the report rungs of one codec.
	Codec string
	// Monotone drops rungs whose VMAF is not above every cheaper rung's.
	Monotone bool
}

func newLadderCmd(env *Env) *cobra.Command {
	var o ladderCompareOptions
	compare := &cobra.Command{
		Use:     "compare A B",
		Short:   "compare ladder B against ladder A of the same title: BD-rate and BD-VMAF",
		Long:    ladderCompareLong,
		Example: `  reel ladder compare fixed/report.json per-title/report.json --monotone`,
		Args:    positional(2, 2, "A B"),
		RunE:    runE(func(_ context.Context, args []string) int { return runLadderCompare(env, &o, args) }),
	}
	fs := compare.Flags()
	fs.BoolVar(&o.JSON, "json", false, "print the comparison as JSON")
	fs.StringVar(&o.Codec, "codec", "", "compare only report rungs of this `codec` (required when a report has several)")
	fs.BoolVar(&o.Monotone, "monotone", false, "drop rungs whose VMAF is not above every cheaper rung's, instead of failing")
	return groupCmd("ladder", "compare two ladders of a title: BD-rate and BD-VMAF",
		"Ladder tools: compare two ladders of a title (reel ladder compare A B).", compare)
}

func runLadderCompare(env *Env, o *ladderCompareOptions, pos []string) int {
	var cmp ladderComparison
	for i, p := range pos {
		c, err := loadLadderCurve(p, o.Codec)
		if err != nil {
			printErr(env, "ladder compare", err)
			return exitFailed
		}
		if o.Monotone {
			c.Points, c.Dropped = ladder.MonotoneFunc(c.Points, func(p ladderPoint) ladder.RDPoint {
				return ladder.RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}
			})
		}
		if i == 0 {
			cmp.A = c
		} else {
			cmp.B = c
		}
	}
	compareLadders(&cmp)
	if o.JSON {
		b, err := json.MarshalIndent(cmp, "", "  ")
		if err != nil {
			printErr(env, "ladder compare", err)
			return exitFailed
		}
		fmt.Fprintln(env.Stdout, string(b))
	} else {
		printComparison(env, cmp)
	}
	if cmp.BDRate == nil || cmp.BDVMAF == nil {
		return exitFailed
	}
	return exitOK
}

// compareLadders fills in the BD measures of B against A.
func compareLadders(c *ladderComparison) {
	a, b := rdPoints(c.A.Points), rdPoints(c.B.Points)
	explain := func(err error) string {
		msg := strings.NewReplacer("reference curve", "A", "test curve", "B").Replace(err.Error())
		switch {
		case errors.Is(err, ladder.ErrTooFewPoints):
			msg += fmt.Sprintf(" (A has %d rungs, B has %d; BD needs 4 distinct ones each)", len(a), len(b))
		case errors.Is(err, ladder.ErrNonMonotonic):
			msg += " (VMAF must rise with bitrate; --monotone drops the rungs that do not)"
		}
		return msg
	}
	if r, err := ladder.BDRate(a, b); err != nil {
		c.BDRateError = explain(err)
	} else {
		pct := r * 100
		c.BDRate, c.BDRatePercent = &r, &pct
	}
	if q, err := ladder.BDQuality(a, b); err != nil {
		c.BDVMAFErr = explain(err)
	} else {
		c.BDVMAF = &q
	}
	if len(a) > 0 && len(b) > 0 {
		lo := max(minOf(a, true), minOf(b, true))
		hi := min(maxOf(a, true), maxOf(b, true))
		if lo < hi {
			c.VMAFRange = []float64{lo, hi}
		}
		lo = max(minOf(a, false), minOf(b, false))
		hi = min(maxOf(a, false), maxOf(b, false))
		if lo < hi {
			c.KbpsRange = []float64{lo, hi}
		}
	}
}

func minOf(ps []ladder.RDPoint, quality bool) float64 {
	m := math.Inf(1)
	for _, p := range ps {
		m = min(m, pick(p, quality))
	}
	return m
}

func maxOf(ps []ladder.RDPoint, quality bool) float64 {
	m := math.Inf(-1)
	for _, p := range ps {
		m = max(m, pick(p, quality))
	}
	return m
}

func pick(p ladder.RDPoint, quality bool) float64 {
	if quality {
		return p.Quality
	}
	return p.Rate
}

func rdPoints(ps []ladderPoint) []ladder.RDPoint {
	out := make([]ladder.RDPoint, len(ps))
	for i, p := range ps {
		out[i] = ladder.RDPoint{Rate: p.BitrateKbps, Quality: p.VMAF}
	}
	return out
}

func printComparison(env *Env, c ladderComparison) {
	w := env.Stdout
	for _, s := range []struct {
		name string
		c    ladderCurve
	}{{"A", c.A}, {"B", c.B}} {
		line := fmt.Sprintf("%s: %s  %d rungs", s.name, s.c.Path, len(s.c.Points))
		if s.c.Codec != "" {
			line += " (" + s.c.Codec + ")"
		}
		if n := len(s.c.Points); n > 0 {
			line += fmt.Sprintf(", %.0f–%.0f kbps, VMAF %.2f–%.2f", s.c.Points[0].BitrateKbps, s.c.Points[n-1].BitrateKbps,
				slices.MinFunc(s.c.Points, byVMAF).VMAF, slices.MaxFunc(s.c.Points, byVMAF).VMAF)
		}
		if len(s.c.Dropped) > 0 {
			line += fmt.Sprintf("; %d rungs dropped (not above a cheaper one)", len(s.c.Dropped))
		}
		fmt.Fprintln(w, line)
	}
	if c.BDRate != nil {
		over := ""
		if c.VMAFRange != nil {
			over = fmt.Sprintf("  over VMAF %.2f–%.2f", c.VMAFRange[0], c.VMAFRange[1])
		}
		fmt.Fprintf(w, "BD-rate of B against A: %+.1f%%%s\n", *c.BDRatePercent, over)
	} else {
		fmt.Fprintf(env.Stderr, "reel ladder compare: BD-rate: %s\n", c.BDRateError)
		fmt.Fprintln(w, "BD-rate of B against A: not computable")
	}
	if c.BDVMAF != nil {
		over := ""
		if c.KbpsRange != nil {
			over = fmt.Sprintf("  over %.0f–%.0f kbps", c.KbpsRange[0], c.KbpsRange[1])
		}
		fmt.Fprintf(w, "BD-VMAF of B against A: %+.2f%s\n", *c.BDVMAF, over)
	} else {
		fmt.Fprintf(env.Stderr, "reel ladder compare: BD-VMAF: %s\n", c.BDVMAFErr)
		fmt.Fprintln(w, "BD-VMAF of B against A: not computable")
	}
}

func byVMAF(a, b ladderPoint) int {
	switch {
	case a.VMAF < b.VMAF:
		return -1
	case a.VMAF > b.VMAF:
		return 1
	}
	return 0
}

// loadLadderCurve reads a report.json (its rungs, of codec when set) or
// a CSV of kbps,vmaf lines, sorted by bitrate.
func loadLadderCurve(path, codec string) (ladderCurve, error) {
	c := ladderCurve{Path: path}
	var err error
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		c.Points, err = readLadderCSV(path)
	} else {
		c.Points, c.Codec, err = readReportLadder(path, codec)
	}
	if err != nil {
		return ladderCurve{}, err
	}
	if len(c.Points) == 0 {
		return ladderCurve{}, fmt.Errorf("%s: no rungs", path)
	}
	slices.SortStableFunc(c.Points, func(a, b ladderPoint) int {
		switch {
		case a.BitrateKbps < b.BitrateKbps:
			return -1
		case a.BitrateKbps > b.BitrateKbps:
			return 1
		}
		return 0
	})
	return c, nil
}

func readReportLadder(path, codec string) ([]ladderPoint, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	var r report.Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, "", fmt.Errorf("%s: not a report.json: %w", path, err)
	}
	if r.Rungs == nil {
		return nil, "", fmt.Errorf("%s: not a report.json (no \"rungs\")", path)
	}
	name := func(c string) string {
		if vc, ok := media.LookupVideoCodec(c); ok {
			return vc.Name
		}
		return strings.ToLower(c)
	}
	var codecs []string
	for _, rg := range r.Rungs {
		if c := name(rg.Codec); !slices.Contains(codecs, c) {
			codecs = append(codecs, c)
		}
	}
	want := ""
	switch {
	case codec != "":
		want = name(codec)
	case len(codecs) > 1:
		return nil, "", fmt.Errorf("%s: rungs of several codecs (%s); pick one with --codec", path, strings.Join(codecs, ", "))
	case len(codecs) == 1:
		want = codecs[0]
	}
	var out []ladderPoint
	for _, rg := range r.Rungs {
		if name(rg.Codec) == want {
			out = append(out, ladderPoint{ID: rg.ID, BitrateKbps: rg.BitrateKbps, VMAF: rg.VMAF.Mean})
		}
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("%s: no %s rungs (has %s)", path, want, strings.Join(codecs, ", "))
	}
	return out, want, nil
}

func readLadderCSV(path string) ([]ladderPoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ladderPoint
	header := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: want kbps,vmaf", path, n)
		}
		kbps, err1 := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64)
		q, err2 := strconv.ParseFloat(strings.TrimSpace(fields[1]), 64)
		if err1 != nil || err2 != nil {
			if len(out) == 0 && !header {
				header = true
				continue
			}
			return nil, fmt.Errorf("%s:%d: want kbps,vmaf numbers, got %q", path, n, line)
		}
		out = append(out, ladderPoint{BitrateKbps: kbps, VMAF: q})
	}
	return out, sc.Err()
}
