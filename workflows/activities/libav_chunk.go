package activities

import (
	"context"

	"github.com/reel-video/reel/encoder"
)

// ChunkMedia is what the chunked-encode activities (EncodeChunk,
// StitchRung, EncodeAudio) need besides Media. Activities use their Media
// for it when it implements ChunkMedia, and Libav() otherwise, so a test
// wrapper that embeds Media to fault one method keeps the real ones.
type ChunkMedia interface {
	EncodeChunk(ctx context.Context, input string, opts encoder.ChunkOptions) (encoder.ChunkOutput, error)
	Stitch(ctx context.Context, chunks []string, out string, opt encoder.StitchOptions) (encoder.StitchOutput, error)
	EncodeAudio(ctx context.Context, input string, spec encoder.AudioSpec, out string) (encoder.AudioOutput, error)
}

var _ ChunkMedia = libav{}

func (libav) EncodeChunk(ctx context.Context, input string, opts encoder.ChunkOptions) (encoder.ChunkOutput, error) {
	return encoder.EncodeChunk(ctx, input, opts)
}

func (libav) Stitch(ctx context.Context, chunks []string, out string, opt encoder.StitchOptions) (encoder.StitchOutput, error) {
	return encoder.StitchWith(ctx, chunks, out, opt)
}

func (libav) EncodeAudio(ctx context.Context, input string, spec encoder.AudioSpec, out string) (encoder.AudioOutput, error) {
	return encoder.EncodeAudio(ctx, input, spec, out)
}

// chunkMedia returns the ChunkMedia the activities use.
func (a *Activities) chunkMedia() ChunkMedia {
	if m, ok := a.Media.(ChunkMedia); ok {
		return m
	}
	return libav{}
}
