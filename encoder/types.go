package encoder

import "github.com/reel-video/reel/media"

// The plain data types live in package media so that workflow code can use
// them without linking libav; these aliases keep the encoder API readable.
type (
	SourceInfo   = media.SourceInfo
	StreamInfo   = media.StreamInfo
	Keyframe     = media.Keyframe
	ProbeOptions = media.ProbeOptions
	RungSpec     = media.RungSpec
	RungOutput   = media.RungOutput
)

// LadderOptions configures EncodeLadder.
type LadderOptions struct {
	Rungs []RungSpec
	// OutputPath returns the local path for a rung's MP4. The file is
	// written under a temporary name and renamed when complete, so it exists
	// whole or not at all.
	OutputPath func(rung RungSpec) string
	// Progress, when set, is called now and then with frames decoded so far
	// and the expected total (0 when unknown).
	Progress func(done, total int)
}
