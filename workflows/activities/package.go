package activities

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/reel-video/reel/packager"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/workflows"
)

// packageRel is the package root under a title's output.
const packageRel = "package"

// Package packages the title's rungs and audio renditions (package
// packager) into <out>/package: CMAF segments of each rendition first,
// each file whole, then the HLS playlists and master.m3u8 and
// manifest.mpd last, so a player never sees a manifest naming a missing
// segment. Renditions in an object store are downloaded to a scratch
// directory first (the packager reads local files); the package is
// written through the store, to a local directory or as objects under
// <out>/package/. A re-run writes the same keys with the same bytes.
//
// It heartbeats while it works: done counts the renditions written, of
// total. Bad input is non-retryable and names the rendition: a missing
// file NotFound, a codec the packager cannot carry Unsupported, a GOP
// that does not divide the segment duration or a file that is not a
// progressive MP4 of its kind InvalidMedia.
func (a *Activities) Package(ctx context.Context, in workflows.PackageInput) (workflows.PackageOutput, error) {
	if err := checkPackageInput(in); err != nil {
		return workflows.PackageOutput{}, err
	}
	out, err := store.ParseLocation(in.Out)
	if err != nil {
		return workflows.PackageOutput{}, classify(fmt.Errorf("package: output %w", err))
	}
	total := len(in.Rungs) + len(in.Audio)
	var done atomic.Int64
	stop := a.keepAliveWith(ctx, func() any {
		return workflows.ActivityProgress{Done: int(done.Load()), Total: total}
	})
	defer stop()

	renditions := make([]packager.Rendition, 0, total)
	for _, r := range in.Rungs {
		renditions = append(renditions, packager.Rendition{ID: r.ID, Path: r.Path, Kind: packager.Video})
	}
	for _, au := range in.Audio {
		renditions = append(renditions, packager.Rendition{ID: au.ID, Path: au.Path, Kind: packager.Audio, GroupID: audioGroup(au.Codec)})
	}
	// The packager reads local files: renditions in an object store are
	// downloaded (each whole, through mezzfs) to a scratch directory.
	var scratch string
	for i := range renditions {
		r := &renditions[i]
		if p, ok := localPath(r.Path); ok {
			r.Path = p
			continue
		}
		if scratch == "" {
			if scratch, err = a.scratchDir(); err != nil {
				return workflows.PackageOutput{}, err
			}
			defer os.RemoveAll(scratch)
		}
		dst := filepath.Join(scratch, fmt.Sprintf("%03d.mp4", i))
		if err := a.fetchLoc(ctx, r.Path, dst); err != nil {
			return workflows.PackageOutput{}, classify(fmt.Errorf("package: rendition %q: %w", r.ID, err))
		}
		r.Path = dst
	}

	formats := make([]packager.Format, len(in.Formats))
	for i, f := range in.Formats {
		formats[i] = packager.Format(f)
	}
	root := out.Join(packageRel)
	sink := progressSink{Sink: packager.StoreSink{Store: a.files(), Root: root}, done: &done}
	res, err := packager.Package(ctx, sink, renditions, packager.Options{
		SegmentSeconds: in.SegmentSeconds, Formats: formats, IFrames: in.IFrames,
	})
	if err != nil {
		return workflows.PackageOutput{}, classify(err)
	}
	return packageOutput(root.String(), res), nil
}

// checkPackageInput refuses requests the workflow got wrong (as opposed
// to renditions the packager cannot package) as InvalidRequest.
func checkPackageInput(in workflows.PackageInput) error {
	switch {
	case in.Out == "":
		return invalidRequest("package: no output directory")
	case len(in.Rungs) == 0:
		return invalidRequest("package: no rungs")
	case in.SegmentSeconds < 0 || in.SegmentSeconds > 60:
		return invalidRequest("package: segment_seconds %g out of range (0, 60]", in.SegmentSeconds)
	}
	for _, f := range in.Formats {
		if f != workflows.PackageHLS && f != workflows.PackageDASH {
			return invalidRequest("package: format %q (want %s or %s)", f, workflows.PackageHLS, workflows.PackageDASH)
		}
	}
	return nil
}

// audioGroup is the HLS audio group of an audio rendition: one per codec,
// since a group's renditions must be interchangeable for a player.
func audioGroup(codec string) string {
	if codec == "" {
		return "audio"
	}
	return strings.ToLower(codec)
}

// progressSink counts the renditions written: the packager writes a
// rendition's init.mp4 after its segments.
type progressSink struct {
	packager.Sink
	done *atomic.Int64
}

func (s progressSink) Put(ctx context.Context, rel string, data []byte) error {
	if err := s.Sink.Put(ctx, rel, data); err != nil {
		return err
	}
	if strings.HasSuffix(rel, "/init.mp4") {
		s.done.Add(1)
	}
	return nil
}

// packageOutput converts the packager's result (paths relative to the
// package root) to the workflow's plain types (paths relative to the
// title's output).
func packageOutput(root string, res *packager.Result) workflows.PackageOutput {
	rel := func(p string) string {
		if p == "" {
			return ""
		}
		return packageRel + "/" + p
	}
	o := workflows.PackageOutput{Root: root, Master: rel(res.Master), MPD: rel(res.MPD), DurationSec: res.Duration}
	for _, r := range res.Renditions {
		var longest float64
		for _, d := range r.SegmentSeconds {
			longest = max(longest, d)
		}
		o.Renditions = append(o.Renditions, workflows.PackagedRendition{
			ID: r.ID, Kind: string(r.Kind), Codecs: r.Codecs, SampleEntry: r.SampleEntry,
			Width: r.Width, Height: r.Height, FrameRate: r.FrameRate, SampleRate: r.SampleRate, Channels: r.Channels,
			Init: rel(r.Init), Playlist: rel(r.Playlist), IFramePlaylist: rel(r.IFramePlaylist),
			Segments: r.Segments, MaxSegmentSec: longest, Samples: r.Samples, DurationSec: r.Duration,
			Bytes: r.Bytes, PeakBitrate: r.PeakBitrate, AverageBitrate: r.AverageBitrate,
		})
	}
	return o
}
