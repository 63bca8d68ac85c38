// Package playtest proves that packages play on real players: its tests
// build short ladders with ffmpeg (internal/mediatest), package them with
// packager, and play them in headless Chromium (internal/browsertest)
// through hls.js (HLS) and Shaka Player (DASH): H.264 with AAC, VP9 with
// Opus and AV1 with AAC, every rendition forced in turn, to the end.
// HEVC, which Debian 12's Chromium does not decode through Media Source
// Extensions, is checked with ffprobe only. The package has no code
// outside its tests.
package playtest
