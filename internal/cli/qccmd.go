package cli

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/reel-video/reel/qcrun"
	"github.com/reel-video/reel/vision"
)

type qcOptions struct {
	// JSON is where the full QC result goes.
	JSON string
	// Thumbnails is the directory for one JPEG per video event.
	Thumbnails string
	// FailOn makes the exit status 3 when an event of at least this
	// severity is found ("warning" or "error"); empty never fails.
	FailOn string
	// Series keeps the per-frame series in the JSON.
	Series bool
	// Profile supplies the checks' thresholds (its qc section).
	Profile string
	// Defaults prints every QC setting with its default, as YAML.
	Defaults bool
	io       ioOptions
}

const exitQCFailed = 3

func newQCCmd(env *Env) *cobra.Command {
	var o qcOptions
	cmd := &cobra.Command{
		Use:   "qc INPUT",
		Short: "run the QC checks (black, freeze, borders, shots, interlace, levels, loudness, …)",
		Long: `Run reel's QC checks on INPUT: black, freeze, borders, shot cuts and
fades, interlace, levels, blockiness, blur, colour bars and slates,
loudness, true peak and silence, modelled on the ffmpeg filters QC
reviewers trust. Prints the events with their timecodes; --json writes the
full result, --thumbnails a picture per video event. Thresholds come from a
profile's qc section (--defaults prints them all).

Exit status 3 when --fail-on is given and an event of that severity or
worse is found.`,
		Example: `  reel qc master.mov --json qc.json --thumbnails thumbs/ --fail-on blocker
  reel qc --defaults`,
		// INPUT is optional with --defaults (flags are parsed first).
		Args: func(cmd *cobra.Command, args []string) error {
			if o.Defaults {
				return positional(0, 1, "INPUT")(cmd, args)
			}
			return positional(1, 1, "INPUT")(cmd, args)
		},
		RunE: runE(func(ctx context.Context, args []string) int { return runQC(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.JSON, "json", "", "write the full result (events, shots, audio, series) to `file`")
	fs.StringVar(&o.Thumbnails, "thumbnails", "", "write a JPEG per video event into `dir`")
	fs.StringVar(&o.FailOn, "fail-on", "", "exit 3 when an event of this `severity` or worse is found (info, warning, blocker; a profile's qc.<check>.severity sets each check's)")
	fs.BoolVar(&o.Series, "series", false, "keep per-frame series in the JSON")
	fs.StringVar(&o.Profile, "profile", "", "take the thresholds from this profile's qc section")
	fs.BoolVar(&o.Defaults, "defaults", false, "print every QC setting with its default (YAML for a profile's qc section) and exit")
	o.io.register(fs)
	return cmd
}

func runQC(ctx context.Context, env *Env, o *qcOptions, pos []string) int {
	rd := &o.io
	ctx = rd.context(ctx)
	defer rd.print(env)
	if o.Defaults {
		b, err := yaml.Marshal(map[string]any{"qc": vision.DefaultConfig()})
		if err != nil {
			printErr(env, "qc", err)
			return exitFailed
		}
		_, _ = env.Stdout.Write(b)
		return exitOK
	}
	// Severities rank info < warning < error (only in old reports) <
	// blocker; --fail-on error thus fires on blockers.
	failRank := vision.Severity(o.FailOn).Rank()
	if o.FailOn != "" && failRank < 0 {
		fmt.Fprintf(env.Stderr, "reel qc: --fail-on %q: want info, warning or blocker\n", o.FailOn)
		return exitUsage
	}
	p, err := loadProfile(o.Profile)
	if err != nil {
		printErr(env, "qc", err)
		return exitUsage
	}
	cfg, err := qcrun.Config(p.QC)
	if err != nil {
		printErr(env, "qc", err)
		return exitUsage
	}
	cfg.SeriesOff = !o.Series
	if o.Thumbnails == "" {
		cfg.ThumbnailWidth = 0
	}
	out, err := qcrun.Run(ctx, pos[0], qcrun.Options{Config: &cfg, ThumbDir: o.Thumbnails})
	if err != nil {
		printErr(env, "qc", err)
		return exitFailed
	}
	if o.JSON != "" {
		if err := qcrun.WriteJSON(o.JSON, out); err != nil {
			printErr(env, "qc", err)
			return exitFailed
		}
	}
	printQC(env, out)
	worst := -1
	for _, e := range out.Events {
		worst = max(worst, e.Severity.Rank())
	}
	if o.FailOn != "" && worst >= failRank {
		return exitQCFailed
	}
	return exitOK
}

func printQC(env *Env, out *qcrun.Output) {
	w := env.Stdout
	fmt.Fprintf(w, "%s: %d frames, %d shots, %d events\n", out.Input, out.Frames, len(out.Shots), len(out.Events))
	for _, e := range out.Events {
		fmt.Fprintf(w, "  %-8s %-10s %s – %s  value %.4g (threshold %.4g)", e.Severity, e.Check, e.StartTC, e.EndTC, e.Value, e.Threshold)
		if e.Detail != "" {
			fmt.Fprintf(w, "  %s", e.Detail)
		}
		if e.Thumbnail != "" {
			fmt.Fprintf(w, "  [%s]", e.Thumbnail)
		}
		fmt.Fprintln(w)
	}
	if a := out.Audio; a != nil {
		fmt.Fprintf(w, "  audio: %d ch %d Hz, integrated %.1f LUFS, range %.1f LU, true peak %.1f dBTP\n",
			a.Channels, a.SampleRate, a.IntegratedLUFS, a.LoudnessRangeLU, a.TruePeakDBTP)
	}
	if il := out.Interlace; il != nil {
		fmt.Fprintf(w, "  interlace: %+v\n", *il)
	}
	skipped := append([]string(nil), out.Skipped...)
	sort.Strings(skipped)
	for _, s := range skipped {
		fmt.Fprintf(w, "  skipped %s\n", s)
	}
}
