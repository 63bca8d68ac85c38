package activities

import (
	"context"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
)

// libav is the Media that package encoder provides.
type libav struct{}

// Libav returns the real media toolkit (package encoder, through libav).
func Libav() Media { return libav{} }

func (libav) Probe(ctx context.Context, input string) (*media.SourceInfo, error) {
	return encoder.Probe(ctx, input, media.ProbeOptions{})
}

func (libav) EncodeLadder(ctx context.Context, input string, rungs []media.RungSpec, outPath func(media.RungSpec) string, progress func(done, total int)) ([]media.RungOutput, error) {
	return encoder.EncodeLadder(ctx, input, encoder.LadderOptions{Rungs: rungs, OutputPath: outPath, Progress: progress})
}

func (libav) OpenFrames(ctx context.Context, input string, opts FrameOptions) (Frames, error) {
	return encoder.OpenDecoder(ctx, input, encoder.DecoderOptions{Width: opts.Width, Height: opts.Height, PixelFormat: opts.PixelFormat})
}

func (libav) GrabFrames(ctx context.Context, input string, frames []int, opts encoder.GrabOptions) ([]encoder.Grab, error) {
	return encoder.GrabFrames(ctx, input, frames, opts)
}
