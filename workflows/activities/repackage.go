package activities

import (
	"bytes"
	"context"
	"fmt"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// RepackageOptions are the package settings of Repackage.
type RepackageOptions struct {
	// SegmentSeconds: 0 takes the report's package section's, else 2.
	SegmentSeconds float64
	// Formats: empty is both (hls, dash).
	Formats []string
	IFrames bool
}

// Repackage packages an existing output again (reel package): it reads
// out's report.json for the rungs and audio renditions, runs the Package
// activity's work on them and writes the report back with its package
// section. Errors are the activity's (NotFound for a missing rung, …).
func Repackage(ctx context.Context, a *Activities, out string, o RepackageOptions) (workflows.PackageOutput, error) {
	loc := joinLoc(out, reportRel)
	b, err := a.readLoc(ctx, loc)
	if err != nil {
		return workflows.PackageOutput{}, classify(fmt.Errorf("read %s: %w", loc, err))
	}
	rep, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return workflows.PackageOutput{}, invalidRequest("%s: %v", loc, err)
	}
	in := workflows.PackageInput{Out: out, SegmentSeconds: o.SegmentSeconds, Formats: o.Formats, IFrames: o.IFrames}
	if in.SegmentSeconds == 0 && rep.Package != nil {
		in.SegmentSeconds = rep.Package.SegmentSeconds
	}
	for _, r := range rep.Rungs {
		in.Rungs = append(in.Rungs, media.RungOutput{ID: r.ID, Path: joinLoc(out, r.Path), Width: r.Width, Height: r.Height,
			Codec: r.Codec, Frames: r.Frames, Bytes: r.Bytes, DurationSec: r.DurationSec, BitrateKbps: r.BitrateKbps})
	}
	for _, au := range rep.Audio {
		in.Audio = append(in.Audio, workflows.AudioOutput{ID: au.ID, Path: joinLoc(out, au.Path), Codec: au.Codec,
			Channels: au.Channels, SampleRate: au.SampleRate, StartSec: au.StartSec, DurationSec: au.DurationSec,
			Bytes: au.Bytes, BitrateKbps: au.BitrateKbps})
	}
	p, err := a.Package(ctx, in)
	if err != nil {
		return p, err
	}
	seg := in.SegmentSeconds
	if seg == 0 {
		seg = 2
	}
	rep.Package = packageSection(&p, seg)
	_, err = a.writeReport(ctx, out, rep)
	return p, err
}
