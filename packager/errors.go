package packager

import "errors"

// Errors for bad input. Package wraps them with the rendition (and the
// time or codec) they concern: errors.Is(err, ErrMissingRendition).
var (
	// ErrMissingRendition: a rendition's file does not exist.
	ErrMissingRendition = errors.New("rendition file is missing")
	// ErrInvalidInput: the file is not a progressive MP4 with one track of
	// the rendition's kind and samples, or the renditions or options are
	// inconsistent (duplicate or unusable IDs, no video, bad options).
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnsupportedCodec: the rendition's sample entry is not one the
	// packager or a requested format can carry (supported: avc1, avc3,
	// hvc1, hev1, vp09, av01, mp4a AAC, Opus).
	ErrUnsupportedCodec = errors.New("codec not supported")
	// ErrUnalignedKeyFrame: a video rendition has no key frame at a
	// segment boundary (a GOP longer than the segment, or GOPs not aligned
	// to it), so it cannot be cut into segments that each start with one.
	ErrUnalignedKeyFrame = errors.New("no key frame at segment boundary")
)
