package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/reporthtml"
	"github.com/reel-video/reel/store/wholefile"
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

type ladderCompareOptions struct {
	// JSON prints the comparison as JSON.
	JSON bool
	// Codec picks the report rungs of one codec.
	Codec string
	// Monotone drops rungs whose VMAF is not above every cheaper rung's.
	Monotone bool
	// HTML, when set, is where the comparison page goes.
	HTML string
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
	fs.StringVar(&o.HTML, "html", "", "also write the comparison page (both ladders on one rate–quality plot) to `FILE`")
	fs.BoolVar(&o.Monotone, "monotone", false, "drop rungs whose VMAF is not above every cheaper rung's, instead of failing")
	return groupCmd("ladder", "compare two ladders of a title: BD-rate and BD-VMAF",
		"Ladder tools: compare two ladders of a title (reel ladder compare A B).", compare)
}

func runLadderCompare(env *Env, o *ladderCompareOptions, pos []string) int {
	var curves [2]ladder.CompareCurve
	for i, p := range pos {
		c, err := readCompareCurve(p, o.Codec)
		if err != nil {
			printErr(env, "ladder compare", err)
			return exitFailed
		}
		if o.Monotone {
			c.MakeMonotone()
		}
		curves[i] = c
	}
	cmp := ladder.Compare(curves[0], curves[1])
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
	if o.HTML != "" {
		if err := writeCompareHTML(o.HTML, cmp); err != nil {
			printErr(env, "ladder compare", err)
			return exitFailed
		}
	}
	if cmp.BDRate == nil || cmp.BDVMAF == nil {
		return exitFailed
	}
	return exitOK
}

func readCompareCurve(path, codec string) (ladder.CompareCurve, error) {
	f, err := os.Open(path)
	if err != nil {
		return ladder.CompareCurve{}, err
	}
	defer f.Close()
	return ladder.ReadCompareCurve(path, f, codec)
}

// writeCompareHTML writes the comparison page to path, whole or not at all.
func writeCompareHTML(path string, c *ladder.Comparison) error {
	f, err := wholefile.Create(path)
	if err != nil {
		return err
	}
	if err := reporthtml.WriteCompare(f, c, reporthtml.Options{}); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

func printComparison(env *Env, c *ladder.Comparison) {
	w := env.Stdout
	for _, s := range []struct {
		name string
		c    ladder.CompareCurve
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

func byVMAF(a, b ladder.ComparePoint) int { return cmp.Compare(a.VMAF, b.VMAF) }
