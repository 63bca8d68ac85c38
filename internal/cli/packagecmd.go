package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
)

type packageOptions struct {
	store storeOptions
	// SegmentSeconds: 0 takes the report's, else 2.
	SegmentSeconds float64
	Formats        listFlag
	IFrames        bool
}

func newPackageCmd(env *Env) *cobra.Command {
	var o packageOptions
	cmd := &cobra.Command{
		Use:   "package OUT",
		Short: "package an existing output again: CMAF segments, HLS and DASH manifests",
		Long: `Package the rungs and audio renditions of an encoded title's output OUT
(a directory, file:///dir or s3://bucket/prefix/, read from its report.json)
into OUT/package: CMAF segments, master.m3u8 and manifest.mpd, segments
first and manifests last, each file whole; report.json's package section
is rewritten. A rung that cannot be cut on segment boundaries, a codec a
format cannot carry or a missing rung file is an error naming it.`,
		Example: `  reel package out/bigbuckbunny
  reel package s3://out/t42/ --formats hls --segment-seconds 4`,
		Args: positional(1, 1, "OUT"),
		RunE: runE(func(ctx context.Context, args []string) int { return runPackage(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.store.register(fs)
	fs.Float64Var(&o.SegmentSeconds, "segment-seconds", 0, "segment `seconds` (default: the report's package section's, else 2); the rungs' GOPs must divide it")
	fs.Var(&o.Formats, "formats", "manifests to write, comma-separated: hls, dash (default both)")
	fs.BoolVar(&o.IFrames, "iframes", true, "write an HLS I-frame playlist per rung")
	return cmd
}

func runPackage(ctx context.Context, env *Env, o *packageOptions, pos []string) int {
	out, err := location(pos[0], true)
	if err != nil {
		printErr(env, "package", fmt.Errorf("OUT: %w", err))
		return exitUsage
	}
	a := activities.New(activities.Libav(), slog.New(slog.DiscardHandler))
	a.Store = o.store.mezzfs()
	p, err := activities.Repackage(ctx, a, out, activities.RepackageOptions{
		SegmentSeconds: o.SegmentSeconds, Formats: o.Formats, IFrames: o.IFrames})
	if err != nil {
		printErr(env, "package", err)
		return exitFailed
	}
	printPackage(env, p)
	return exitOK
}

// printPackage lists a package's manifests and renditions.
func printPackage(env *Env, p workflows.PackageOutput) {
	for _, m := range []string{p.Master, p.MPD} {
		if m != "" {
			fmt.Fprintf(env.Stdout, "package: %s\n", joinOut(p.Root, path.Base(m)))
		}
	}
	for _, r := range p.Renditions {
		size := ""
		if r.Width > 0 {
			size = fmt.Sprintf(" %dx%d", r.Width, r.Height)
		}
		fmt.Fprintf(env.Stdout, "  %-10s %-5s %-22s%s  %d segments  peak %.0f kb/s, average %.0f kb/s\n",
			r.ID, r.Kind, r.Codecs, size, r.Segments, float64(r.PeakBitrate)/1000, float64(r.AverageBitrate)/1000)
	}
}
