package packager

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"

	"github.com/Eyevinn/mp4ff/mp4"
)

// Kind is a rendition's media type.
type Kind string

// Rendition kinds.
const (
	Video Kind = "video"
	Audio Kind = "audio"
)

// Format is a manifest format.
type Format string

// Formats Package writes.
const (
	HLS  Format = "hls"  // master.m3u8 and media playlists
	DASH Format = "dash" // manifest.mpd
)

// Rendition is one progressive MP4 to package.
type Rendition struct {
	// ID names the rendition's directory and its DASH Representation:
	// letters, digits, '.', '_', '-'; unique among the renditions.
	ID   string
	Path string // local MP4 file with one track of Kind
	Kind Kind
	// GroupID is, for audio, the HLS audio group (GROUP-ID) the rendition
	// belongs to ("audio" when empty); for video, the audio group its
	// variant plays with ("" pairs it with every audio group, one
	// variant per group).
	GroupID string
	// Language (BCP 47, e.g. "en") and Name label audio renditions; the
	// track's own language and the ID when empty.
	Language string
	Name     string
}

// Options control segmenting and the manifests.
type Options struct {
	// SegmentSeconds is the target segment duration (default 2). Video
	// GOPs must divide it.
	SegmentSeconds float64
	// Formats lists the manifests to write (default HLS and DASH).
	Formats []Format
	// IFrames adds an I-frame playlist per video rendition to HLS.
	IFrames bool
}

// Sink receives the package's files. Put writes data to rel (a slash
// path relative to the package root) whole or not at all, replacing any
// file there.
type Sink interface {
	Put(ctx context.Context, rel string, data []byte) error
}

// Result describes what Package wrote; paths are relative to the package
// root.
type Result struct {
	Master     string            `json:"master,omitempty"` // "master.m3u8" when HLS was written
	MPD        string            `json:"mpd,omitempty"`    // "manifest.mpd" when DASH was written
	Duration   float64           `json:"duration_seconds"` // longest rendition
	Renditions []RenditionResult `json:"renditions"`
}

// RenditionResult is one packaged rendition.
type RenditionResult struct {
	ID             string    `json:"id"`
	Kind           Kind      `json:"kind"`
	Codecs         string    `json:"codecs"`       // RFC 6381, from the sample entry
	SampleEntry    string    `json:"sample_entry"` // avc1, avc3, hvc1, hev1, vp09, av01, mp4a, Opus
	Width          int       `json:"width,omitempty"`
	Height         int       `json:"height,omitempty"`
	FrameRate      float64   `json:"frame_rate,omitempty"`
	SampleRate     int       `json:"sample_rate,omitempty"`
	Channels       int       `json:"channels,omitempty"`
	Init           string    `json:"init"`                      // <id>/init.mp4
	Playlist       string    `json:"playlist,omitempty"`        // <id>/playlist.m3u8
	IFramePlaylist string    `json:"iframe_playlist,omitempty"` // <id>/iframes.m3u8
	Segments       int       `json:"segments"`                  // <id>/seg-1.m4s … seg-N.m4s
	SegmentSeconds []float64 `json:"segment_seconds"`           // each segment's duration
	Samples        int       `json:"samples"`                   // frames (video) or audio frames packaged
	Duration       float64   `json:"duration_seconds"`
	Bytes          int64     `json:"bytes"`       // all media segments
	PeakBitrate    int64     `json:"peak_bps"`    // the largest segment's bits over its duration
	AverageBitrate int64     `json:"average_bps"` // all segments' bits over the duration
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// withDefaults fills zero options and checks them.
func (o Options) withDefaults() (Options, error) {
	if o.SegmentSeconds == 0 {
		o.SegmentSeconds = 2
	}
	if !(o.SegmentSeconds > 0 && o.SegmentSeconds <= 60) {
		return o, fmt.Errorf("packager: segment_seconds %g out of range (0, 60]: %w", o.SegmentSeconds, ErrInvalidInput)
	}
	if len(o.Formats) == 0 {
		o.Formats = []Format{HLS, DASH}
	}
	for _, f := range o.Formats {
		if f != HLS && f != DASH {
			return o, fmt.Errorf("packager: format %q (want hls or dash): %w", f, ErrInvalidInput)
		}
	}
	return o, nil
}

func (o Options) has(f Format) bool { return slices.Contains(o.Formats, f) }

// Package packages renditions into sink: it reads and plans every
// rendition first (any bad input fails before a file is written), then
// writes each rendition's init.mp4 and segments, then the media
// playlists, then master.m3u8 and manifest.mpd.
func Package(ctx context.Context, sink Sink, renditions []Rendition, opts Options) (*Result, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := checkRenditions(renditions); err != nil {
		return nil, err
	}
	tracks := make([]*track, 0, len(renditions))
	for _, r := range renditions {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t, err := openTrack(r)
		if err != nil {
			return nil, err
		}
		if err := t.plan(opts.SegmentSeconds); err != nil {
			return nil, err
		}
		if err := t.buildInit(); err != nil {
			return nil, err
		}
		tracks = append(tracks, t)
	}
	for _, t := range tracks {
		if err := writeSegments(ctx, sink, t); err != nil {
			return nil, err
		}
		if err := sink.Put(ctx, t.r.ID+"/init.mp4", t.init); err != nil {
			return nil, fmt.Errorf("packager: rendition %q: write init.mp4: %w", t.r.ID, err)
		}
	}
	res := &Result{}
	for _, t := range tracks {
		res.Renditions = append(res.Renditions, t.result())
		res.Duration = max(res.Duration, t.duration())
	}
	if opts.has(HLS) {
		files, err := hlsPlaylists(tracks, opts)
		if err != nil {
			return nil, err
		}
		// Media playlists first, the multivariant playlist that names them last.
		for _, f := range files {
			if err := sink.Put(ctx, f.rel, f.data); err != nil {
				return nil, fmt.Errorf("packager: write %s: %w", f.rel, err)
			}
		}
		res.Master = masterName
		for i, t := range tracks {
			res.Renditions[i].Playlist = t.r.ID + "/" + playlistName
			if opts.IFrames && t.r.Kind == Video {
				res.Renditions[i].IFramePlaylist = t.r.ID + "/" + iframesName
			}
		}
	}
	if opts.has(DASH) {
		data, err := dashManifest(tracks, opts)
		if err != nil {
			return nil, err
		}
		if err := sink.Put(ctx, mpdName, data); err != nil {
			return nil, fmt.Errorf("packager: write %s: %w", mpdName, err)
		}
		res.MPD = mpdName
	}
	return res, nil
}

// checkRenditions checks IDs, kinds and that there is a video rendition.
func checkRenditions(rs []Rendition) error {
	seen := map[string]bool{}
	videos := 0
	for _, r := range rs {
		if !idPattern.MatchString(r.ID) {
			return fmt.Errorf("packager: rendition id %q: letters, digits, '.', '_' and '-' only: %w", r.ID, ErrInvalidInput)
		}
		if seen[r.ID] {
			return fmt.Errorf("packager: rendition id %q twice: %w", r.ID, ErrInvalidInput)
		}
		seen[r.ID] = true
		switch r.Kind {
		case Video:
			videos++
		case Audio:
		default:
			return fmt.Errorf("packager: rendition %q: kind %q (want video or audio): %w", r.ID, r.Kind, ErrInvalidInput)
		}
		if r.Path == "" {
			return fmt.Errorf("packager: rendition %q: no path: %w", r.ID, ErrInvalidInput)
		}
	}
	if videos == 0 {
		return fmt.Errorf("packager: no video rendition: %w", ErrInvalidInput)
	}
	for _, r := range rs {
		if r.Kind != Video || r.GroupID == "" {
			continue
		}
		if !slices.ContainsFunc(rs, func(a Rendition) bool { return a.Kind == Audio && groupID(a) == r.GroupID }) {
			return fmt.Errorf("packager: rendition %q: audio group %q has no rendition: %w", r.ID, r.GroupID, ErrInvalidInput)
		}
	}
	return nil
}

// groupID is an audio rendition's HLS group.
func groupID(r Rendition) string {
	if r.GroupID == "" {
		return "audio"
	}
	return r.GroupID
}

// CMAF brands: the header's and the segments'.
var (
	initBrands    = []string{"iso6", "cmfc"}
	segmentBrands = []string{"msdh", "msix", "cmfs"}
)

// buildInit encodes the rendition's CMAF header: one track with the
// input's sample entry, no samples.
func (t *track) buildInit() error {
	init := mp4.CreateEmptyInit()
	init.Ftyp = mp4.NewFtyp("iso6", 0, initBrands)
	init.Children[0] = init.Ftyp
	init.Moov.Mvhd.Timescale = t.timescale
	trak := init.AddEmptyTrack(t.timescale, string(t.r.Kind), t.lang)
	trak.Mdia.Minf.Stbl.Stsd.AddChild(t.entry)
	if t.r.Kind == Video {
		trak.Tkhd.Width = mp4.Fixed32(uint32(t.width) << 16)
		trak.Tkhd.Height = mp4.Fixed32(uint32(t.height) << 16)
	}
	var buf bytes.Buffer
	if err := init.Encode(&buf); err != nil {
		return fmt.Errorf("packager: rendition %q: encode init.mp4: %w", t.r.ID, err)
	}
	t.init = buf.Bytes()
	return nil
}

// sampleFlags are a sample's trun flags (ISO/IEC 14496-12 8.8.3.1).
func sampleFlags(s sample) uint32 {
	var f mp4.SampleFlags
	if s.sync {
		f.SampleDependsOn = 2
	} else {
		f.SampleIsNonSync = true
		f.SampleDependsOn = 1
	}
	return f.Encode()
}

// writeSegments writes seg-1.m4s … seg-N.m4s of t, reading the samples
// from its file.
func writeSegments(ctx context.Context, sink Sink, t *track) error {
	f, err := os.Open(t.r.Path)
	if err != nil {
		return fmt.Errorf("packager: rendition %q: %w", t.r.ID, err)
	}
	defer f.Close()
	styp := mp4.NewStyp("msdh", 0, segmentBrands)
	for k := range t.segments {
		if err := ctx.Err(); err != nil {
			return err
		}
		seg := &t.segments[k]
		data, err := t.readSegment(f, *seg)
		if err != nil {
			return err
		}
		frag, err := mp4.CreateFragment(uint32(k+1), 1)
		if err != nil {
			return err
		}
		for i, s := range t.samples[seg.first:seg.end] {
			frag.AddFullSample(mp4.FullSample{
				Sample: mp4.Sample{
					Flags:                 sampleFlags(s),
					Dur:                   s.dur,
					Size:                  s.size,
					CompositionTimeOffset: s.cto,
				},
				DecodeTime: s.dts,
				Data:       data[i],
			})
		}
		var buf bytes.Buffer
		if err := styp.Encode(&buf); err != nil {
			return err
		}
		if err := frag.Encode(&buf); err != nil {
			return fmt.Errorf("packager: rendition %q: encode segment %d: %w", t.r.ID, k+1, err)
		}
		seg.bytes = buf.Len()
		// The segment's first sample ends where mdat's payload starts plus its size.
		seg.iframeLen = int(styp.Size()+frag.Moof.Size()) + 8 + int(t.samples[seg.first].size)
		if err := sink.Put(ctx, segmentName(t.r.ID, k+1), buf.Bytes()); err != nil {
			return fmt.Errorf("packager: rendition %q: write segment %d: %w", t.r.ID, k+1, err)
		}
	}
	return nil
}

func segmentName(id string, n int) string { return fmt.Sprintf("%s/seg-%d.m4s", id, n) }

// result summarises the written track.
func (t *track) result() RenditionResult {
	r := RenditionResult{
		ID: t.r.ID, Kind: t.r.Kind, Codecs: t.codecs, SampleEntry: t.fourcc,
		Width: t.width, Height: t.height, SampleRate: t.sampleRate, Channels: t.channels,
		Init: t.r.ID + "/init.mp4", Segments: len(t.segments), Samples: len(t.samples),
		Duration: t.duration(),
	}
	if t.fpsDen > 0 {
		r.FrameRate = float64(t.fpsNum) / float64(t.fpsDen)
	}
	r.PeakBitrate, r.AverageBitrate = t.bitrates()
	for _, s := range t.segments {
		r.Bytes += int64(s.bytes)
		r.SegmentSeconds = append(r.SegmentSeconds, t.seconds(s.dur))
	}
	return r
}

// bitrates are the peak segment bitrate and the average over the track.
func (t *track) bitrates() (peak, avg int64) {
	return t.rates(func(s segment) int { return s.bytes })
}

// rates are the peak and average bitrates of size bytes per segment.
func (t *track) rates(size func(segment) int) (peak, avg int64) {
	var total int64
	for _, s := range t.segments {
		total += int64(size(s))
		if s.dur > 0 {
			peak = max(peak, int64(float64(size(s))*8/t.seconds(s.dur)+0.5))
		}
	}
	if d := t.duration(); d > 0 {
		avg = int64(float64(total)*8/d + 0.5)
	}
	return peak, avg
}
