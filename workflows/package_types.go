package workflows

import "github.com/reel-video/reel/media"

// ActivityPackage is the activity that cuts a title's rungs and audio
// renditions into CMAF segments with HLS and DASH manifests under
// <out>/package (package packager).
const ActivityPackage = "Package"

// Package formats, as PackageInput.Formats lists them.
const (
	PackageHLS  = "hls"  // master.m3u8 and a media playlist per rendition
	PackageDASH = "dash" // manifest.mpd
)

// PackageInput is the input of the Package activity.
type PackageInput struct {
	// Out is the title's output location; the package goes to
	// <out>/package.
	Out string `json:"out"`
	// Rungs are the stitched rungs (StitchRung outputs); their Path is a
	// location (a local path or an s3:// URI), normally under Out.
	Rungs []media.RungOutput `json:"rungs"`
	// Audio are the audio renditions (EncodeAudio outputs). Each audio
	// codec is its own HLS audio group; every rung plays with every group.
	Audio []AudioOutput `json:"audio,omitempty"`
	// SegmentSeconds is the target segment duration (0: 2 s). The rungs'
	// GOPs must divide it.
	SegmentSeconds float64 `json:"segment_seconds,omitempty"`
	// Formats lists the manifests to write, PackageHLS and PackageDASH
	// (empty: both).
	Formats []string `json:"formats,omitempty"`
	// IFrames adds an HLS I-frame playlist per rung.
	IFrames bool `json:"iframes,omitempty"`
}

// PackageOutput is the output of the Package activity. Paths are
// relative to the title's output location (PackageInput.Out), as
// report.json records them.
type PackageOutput struct {
	// Root is the package's location: <out>/package.
	Root string `json:"root"`
	// Master is "package/master.m3u8" when HLS was written, MPD
	// "package/manifest.mpd" when DASH was.
	Master string `json:"master,omitempty"`
	MPD    string `json:"mpd,omitempty"`
	// DurationSec is the longest rendition's.
	DurationSec float64 `json:"duration_seconds"`
	// Renditions are the rungs, then the audio renditions, in input
	// order.
	Renditions []PackagedRendition `json:"renditions"`
}

// PackagedRendition is one packaged rung or audio rendition.
type PackagedRendition struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // "video" or "audio"
	// Codecs is the RFC 6381 string of the rendition's sample entry
	// (CODECS, @codecs); SampleEntry its four-character code (avc1, avc3,
	// hvc1, hev1, vp09, av01, mp4a, Opus).
	Codecs      string  `json:"codecs"`
	SampleEntry string  `json:"sample_entry"`
	Width       int     `json:"width,omitempty"`
	Height      int     `json:"height,omitempty"`
	FrameRate   float64 `json:"frame_rate,omitempty"`
	SampleRate  int     `json:"sample_rate,omitempty"`
	Channels    int     `json:"channels,omitempty"`
	// Init is the CMAF header, e.g. "package/<id>/init.mp4"; the segments
	// are seg-1.m4s … seg-<Segments>.m4s beside it.
	Init           string `json:"init"`
	Playlist       string `json:"playlist,omitempty"`
	IFramePlaylist string `json:"iframe_playlist,omitempty"`
	Segments       int    `json:"segments"`
	// MaxSegmentSec is the longest segment's duration.
	MaxSegmentSec float64 `json:"max_segment_seconds"`
	// Samples counts the frames (video) or audio frames packaged.
	Samples     int     `json:"samples"`
	DurationSec float64 `json:"duration_seconds"`
	// Bytes is the size of all media segments.
	Bytes int64 `json:"bytes"`
	// PeakBitrate is the largest segment's bits over its duration,
	// AverageBitrate all segments' bits over the duration (bits/s).
	PeakBitrate    int64 `json:"peak_bps"`
	AverageBitrate int64 `json:"average_bps"`
}
