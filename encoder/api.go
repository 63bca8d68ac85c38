// Package encoder probes, decodes, scales and encodes media through libav.
//
// All cgo lives in encoder/internal/av; this package's API is plain Go and
// hands out decoded pictures as *frame.Frame.
//
// A rung can be encoded in chunks (EncodeChunk, each starting with a
// keyframe) and the chunks remuxed into one track by Stitch. Chunks of one
// rung normally share size and codec headers; StitchWith with
// StitchOptions.SizeChanges joins H.264, HEVC or VP9 chunks encoded at
// different picture sizes (a resolution per shot) into one track ('avc3'
// or 'hev1' with each chunk's parameter sets in band, VP9 as it is), whose
// decoder switches size at each chunk's first keyframe.
package encoder

import (
	"errors"
)

// Sentinel errors. Every error returned by this package that is caused by the
// input wraps one of these (errors.Is), so callers can tell bad input, which
// will never succeed on retry, from transient failures.
//
// Their text carries no package prefix: the error that wraps one starts
// with "encoder: <operation> <input>: ", so a message reads, on one line,
// e.g. "encoder: probe /x/empty.mp4: input is empty: file has zero bytes".
var (
	// ErrNotFound: the input does not exist. For URIs read through mezzfs
	// also a missing bucket or a URI that cannot be parsed; the error then
	// wraps mezzfs.ErrNotFound or mezzfs.ErrInvalidURI as well.
	ErrNotFound = errors.New("input not found")
	// ErrEmpty: the input has zero bytes.
	ErrEmpty = errors.New("input is empty")
	// ErrInvalidData: the input is not media libav can read (wrong format,
	// corrupt header, a text file named .mp4, …).
	ErrInvalidData = errors.New("invalid or corrupt media")
	// ErrTruncated: the input ends before the media it announces (its
	// bytes run out before the frames its container lists).
	ErrTruncated = errors.New("truncated media")
	// ErrCorrupt: the input holds damaged media: its video stream ends
	// before the frames its container announces although the data of the
	// missing frames lies inside the input (the demuxer skipped damaged
	// data, or gave up before the end). The message names the first frame
	// that failed to decode and whether it is counted in presentation or
	// decode order.
	ErrCorrupt = errors.New("corrupt media")
	// ErrNoVideo: the input has no video stream.
	ErrNoVideo = errors.New("no video stream")
	// ErrNoAudio: the input has no audio stream (audio decode and encode).
	ErrNoAudio = errors.New("no audio stream")
	// ErrUnsupported: codec, pixel format or setting that reel cannot handle.
	ErrUnsupported = errors.New("unsupported")
	// ErrInvalidSettings: encode settings that are out of range or inconsistent.
	ErrInvalidSettings = errors.New("invalid settings")
	// ErrAccessDenied: the store holding the input (s3://…) refused the
	// credentials. The error also wraps mezzfs.ErrAccessDenied.
	ErrAccessDenied = errors.New("access to input denied")
	// ErrSourceChanged: the input object was replaced while it was being
	// read (its ETag changed). The error also wraps mezzfs.ErrChanged.
	ErrSourceChanged = errors.New("input changed while reading")
)

// IsBadInput reports whether err is caused by the input or settings, so that
// retrying cannot help. A store's retries running out
// (mezzfs.ErrRetriesExhausted) is not bad input.
func IsBadInput(err error) bool {
	for _, e := range []error{ErrNotFound, ErrEmpty, ErrInvalidData, ErrTruncated, ErrCorrupt, ErrNoVideo, ErrNoAudio, ErrUnsupported, ErrInvalidSettings, ErrAccessDenied, ErrSourceChanged} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
