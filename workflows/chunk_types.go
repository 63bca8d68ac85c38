package workflows

import (
	"fmt"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
)

// Activity names of the chunked encode, as registered from the methods of
// activities.Activities.
const (
	ActivitySourceIdentity = "SourceIdentity"
	ActivityEncodeChunk    = "EncodeChunk"
	ActivityStitchRung     = "StitchRung"
	ActivityEncodeAudio    = "EncodeAudio"
)

// Non-retryable application error types of the chunked encode. Activities
// return them as non-retryable errors whatever the retry policy says.
const (
	// ErrTypeNoAudio: the source has no audio stream. The workflow can
	// skip the audio renditions and note it in the report.
	ErrTypeNoAudio = "NoAudio"
	// ErrTypeSourceChanged: the source is not the file whose identity the
	// workflow took (it was replaced or modified since), so chunks of it
	// must not be mixed with chunks already encoded.
	ErrTypeSourceChanged = "SourceChanged"
)

// SourceIdentityInput is the input of the SourceIdentity activity.
type SourceIdentityInput struct {
	Source string `json:"source"`
}

// SourceID identifies a source's content cheaply: its size, modification
// time and the SHA-256 of its first and last MiB. It is part of every
// chunk's cache key, so a changed source never reuses stale chunks.
type SourceID struct {
	Size int64 `json:"size"`
	// ModTimeUnixNano is the modification time in nanoseconds since 1970.
	ModTimeUnixNano int64 `json:"mtime_unix_nano"`
	// HeadSHA256 and TailSHA256 hash the first and the last MiB (the
	// whole file twice when it is smaller), in hex.
	HeadSHA256 string `json:"head_sha256"`
	TailSHA256 string `json:"tail_sha256"`
	// ETag is the object's entity tag (objects only). It does not enter
	// String, so cache keys are as they were before it was recorded.
	ETag string `json:"etag,omitempty"`
}

// IsZero reports whether id is unset.
func (id SourceID) IsZero() bool { return id == SourceID{} }

// String is the canonical form of id, as it enters cache keys.
func (id SourceID) String() string {
	return fmt.Sprintf("size=%d mtime=%d head=%s tail=%s", id.Size, id.ModTimeUnixNano, id.HeadSHA256, id.TailSHA256)
}

// EncodeChunkInput is the input of the EncodeChunk activity: one chunk of
// the plan, encoded to every rung from one decode.
type EncodeChunkInput struct {
	Source string `json:"source"`
	// SourceID is the source's identity (SourceIdentity activity). When
	// set, the activity checks the source still has it (a mismatch is a
	// non-retryable SourceChanged); when zero it is computed. Required
	// for non-local (URL) sources.
	SourceID SourceID         `json:"source_id"`
	Chunk    plan.Chunk       `json:"chunk"`
	Rungs    []media.RungSpec `json:"rungs"`
	// Cache is the directory of content-addressed chunk outputs:
	// <cache>/<key>/<rung-id>.mp4 and <cache>/<key>/manifest.json.
	Cache string `json:"cache"`
	// Conceal repeats the previous good frame for a frame that fails to
	// decode and lists it in the output (profile on_corrupt: conceal);
	// otherwise such frames fail the chunk with InvalidMedia.
	Conceal bool `json:"conceal,omitempty"`
}

// ChunkRung is one rung's output of a chunk.
type ChunkRung struct {
	ID     string `json:"id"`
	Path   string `json:"path"`
	Frames int    `json:"frames"`
	Bytes  int64  `json:"bytes"`
}

// EncodeChunkOutput is the output of the EncodeChunk activity.
type EncodeChunkOutput struct {
	// Key is the chunk's cache key (hex SHA-256 of the source identity,
	// the frame range and the canonical encode settings).
	Key   string      `json:"key"`
	Rungs []ChunkRung `json:"rungs"`
	// Concealed lists the source frames that failed to decode and were
	// concealed (only with Conceal).
	Concealed []int `json:"concealed,omitempty"`
	// Reused is true when a finished encode of the same key was found in
	// the cache and nothing was encoded.
	Reused bool `json:"reused"`
	// EncodeSeconds is the wall time of the encode (of the original
	// encode when Reused).
	EncodeSeconds float64 `json:"encode_seconds"`
}

// StitchRungInput is the input of the StitchRung activity.
type StitchRungInput struct {
	// Rung is the rung's settings (ID, size, codec and bit depth are
	// reported in the output).
	Rung media.RungSpec `json:"rung"`
	// Chunks are the rung's chunk files in order (EncodeChunkOutput paths).
	Chunks []string `json:"chunks"`
	// Out is the title's output directory; the rung goes to
	// <out>/rungs/<id>.mp4.
	Out string `json:"out"`
	// SizeChanges allows chunks of other sizes than Rung's (per-shot
	// resolution, H.264 only): the rung becomes one 'avc3' track whose
	// picture size changes at chunk starts; Rung's size is the largest.
	SizeChanges bool `json:"size_changes,omitempty"`
}

// EncodeAudioInput is the input of the EncodeAudio activity.
type EncodeAudioInput struct {
	Source string        `json:"source"`
	Spec   profile.Audio `json:"spec"`
	// Out is the title's output directory; the rendition goes to
	// <out>/audio/<id>.mp4.
	Out string `json:"out"`
}

// AudioOutput is the output of the EncodeAudio activity.
type AudioOutput struct {
	ID         string  `json:"id"`
	Path       string  `json:"path"`
	Codec      string  `json:"codec"`
	Channels   int     `json:"channels"`
	SampleRate int     `json:"sample_rate"`
	Samples    int64   `json:"samples"`
	StartSec   float64 `json:"start_seconds"`
	// DurationSec is Samples / SampleRate.
	DurationSec float64 `json:"duration_seconds"`
	Bytes       int64   `json:"bytes"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	// DecodeErrors counts source packets that failed to decode (skipped).
	DecodeErrors int `json:"decode_errors,omitempty"`
}

// CorruptFrames is the detail of the InvalidMedia error EncodeChunk
// returns when frames fail to decode and Conceal is off: the source frame
// indexes, in order. Read it with ApplicationError.Details.
type CorruptFrames struct {
	Frames []int `json:"frames"`
}
