// Package vmaf is reel's pure-Go implementation of Netflix's VMAF video
// quality metric. It reproduces the numbers of libvmaf 3.2 (git
// f85a853692a8c730d0270cd733c8bb30b5b93b7c) for the vmaf_v0.6.1 family of
// models, together with libvmaf's psnr, float_ssim and float_ms_ssim
// features, without cgo.
//
// The usual entry point is a Scorer: create one with NewScorer, Push
// reference/distorted frame pairs in presentation order, then Close to get
// a Result with per-frame and pooled metrics. ScoreY4M does the same for two
// YUV4MPEG2 streams. Results can be written and read in libvmaf's JSON
// layout (WriteJSON, ReadJSON).
//
// The integer VIF, ADM and motion features live in internal subpackages;
// this package holds the SVM model, the PSNR/SSIM/MS-SSIM features, pooling
// and the output format. The embedded models (directory models/) are
// Netflix's, under the BSD+Patent license in models/LICENSE.
package vmaf

import "errors"

// Errors returned by this package. They are wrapped with context, so test
// them with errors.Is.
var (
	// ErrFormatMismatch is returned when the reference and distorted frames
	// (or successive frames of one stream) differ in size, bit depth or
	// chroma subsampling.
	ErrFormatMismatch = errors.New("vmaf: frame format mismatch")
	// ErrUnsupportedFormat is returned for frames the metrics cannot handle
	// (for example a bit depth other than 8, 10, 12 or 16).
	ErrUnsupportedFormat = errors.New("vmaf: unsupported frame format")
	// ErrTooSmall is returned when a frame is smaller than a feature needs
	// (MS-SSIM needs at least 176x176 luma samples, as libvmaf).
	ErrTooSmall = errors.New("vmaf: frame too small")
	// ErrUnknownModel is returned for a model version that is not embedded.
	ErrUnknownModel = errors.New("vmaf: unknown model")
	// ErrBadModel is returned for a model file that cannot be parsed.
	ErrBadModel = errors.New("vmaf: bad model")
	// ErrUnknownFeature is returned for a feature name this package does
	// not compute.
	ErrUnknownFeature = errors.New("vmaf: unknown feature")
	// ErrMissingFeature is returned by Model.Predict when a feature the
	// model needs is absent.
	ErrMissingFeature = errors.New("vmaf: missing feature")
	// ErrClosed is returned when a Scorer is used after Close.
	ErrClosed = errors.New("vmaf: scorer closed")
	// ErrNoFrames is returned by Close when no frame was pushed.
	ErrNoFrames = errors.New("vmaf: no frames")
	// ErrBadJSON is returned by ReadJSON for input that is not a libvmaf
	// JSON report.
	ErrBadJSON = errors.New("vmaf: bad JSON report")
)
