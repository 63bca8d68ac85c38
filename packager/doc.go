// Package packager turns a title's progressive MP4 renditions (the video
// rungs of <out>/rungs and the audio renditions of <out>/audio) into CMAF
// (ISO/IEC 23000-19) fragmented MP4 with HLS and DASH manifests:
//
//	master.m3u8               HLS multivariant playlist (version 7)
//	manifest.mpd              DASH MPD (static, SegmentTemplate + SegmentTimeline)
//	<id>/init.mp4             the rendition's CMAF header (ftyp + moov)
//	<id>/seg-N.m4s            its media segments, N = 1, 2, …
//	<id>/playlist.m3u8        its HLS media playlist (VOD, EXT-X-MAP)
//	<id>/iframes.m3u8         its HLS I-frame playlist (video, Options.IFrames)
//
// Paths are relative to the package root the Sink writes under (the
// workflow's <out>/package). Boxes are read and written with mp4ff,
// playlists with hls-m3u8 and the MPD with dash-mpd.
//
// Every video segment starts on a key frame at a multiple of the segment
// duration (the rungs' closed GOPs divide it), so segments of all video
// renditions are aligned; audio is cut at the first sample at or after
// each boundary. Every sample of the input is in exactly one segment.
// Rungs whose picture size changes between chunks (avc3, hev1 with
// in-band parameter sets; VP9) are packaged as they are: the sample entry
// carries the largest size and the bitstream carries the changes.
//
// Package reads and checks every rendition before writing anything, then
// writes segments, then media playlists, then master.m3u8 and
// manifest.mpd last, each file whole (the Sink's contract), so a manifest
// never names a segment that is missing. Output is a function of the
// inputs and options: a re-run writes the same keys with the same bytes.
//
// The package is pure Go: no cgo, no Temporal.
package packager
