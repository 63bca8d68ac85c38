package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/workflows"
)

// identityBytes is how much of each end of a source SourceID hashes.
const identityBytes = 1 << 20

// chunkKeyVersion is mixed into every chunk key; bump it when the chunk
// encode changes what it writes for the same settings.
const chunkKeyVersion = 2 // 2: x264 stitchable, x265 info=0

// SourceIdentityOf computes a local file's identity: size, modification
// time and the SHA-256 of its first and last MiB. Errors wrap
// encoder.ErrNotFound (missing), encoder.ErrEmpty (zero bytes) or
// encoder.ErrInvalidData (a directory).
func SourceIdentityOf(path string) (workflows.SourceID, error) {
	fail := func(err error) (workflows.SourceID, error) {
		return workflows.SourceID{}, fmt.Errorf("source identity %s: %w", path, err)
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fail(fmt.Errorf("%w: %w", encoder.ErrNotFound, err))
	}
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return fail(err)
	case fi.IsDir():
		return fail(fmt.Errorf("%w: is a directory", encoder.ErrInvalidData))
	case fi.Size() == 0:
		return fail(fmt.Errorf("%w: file has zero bytes", encoder.ErrEmpty))
	}
	hash := func(off int64) (string, error) {
		h := sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(f, off, identityBytes)); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	id := workflows.SourceID{Size: fi.Size(), ModTimeUnixNano: fi.ModTime().UnixNano()}
	if id.HeadSHA256, err = hash(0); err != nil {
		return fail(err)
	}
	if id.TailSHA256, err = hash(max(0, fi.Size()-identityBytes)); err != nil {
		return fail(err)
	}
	return id, nil
}

// SourceIdentity returns the source's identity (SourceIdentityOf), which
// the workflow passes to every EncodeChunk so that all chunks of a title
// come from the same source content.
// For an object (s3://) the modification time is the store's and the
// hashed ends are read with two ranged GETs.
func (a *Activities) SourceIdentity(ctx context.Context, in workflows.SourceIdentityInput) (workflows.SourceID, error) {
	id, err := a.sourceIdentity(ctx, in.Source)
	return id, classify(err)
}

// invalidRequest is a non-retryable InvalidRequest error.
func invalidRequest(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), workflows.ErrTypeInvalidRequest, nil)
}

// canonicalRung is a rung's encode settings in the form that enters a
// chunk key: codec and preset names resolved as libav gets them ("",
// "avc" and "h264" are h264; "" is the default preset; vp9's "medium" and
// "3" are both 3), bit depth 0 = 8.
type canonicalRung struct {
	ID          string  `json:"id"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Codec       string  `json:"codec"`
	CRF         float64 `json:"crf"`
	BitrateKbps int     `json:"bitrate_kbps"`
	MaxrateKbps int     `json:"maxrate_kbps"`
	BufsizeKbps int     `json:"bufsize_kbps"`
	Lossless    bool    `json:"lossless"`
	Preset      string  `json:"preset"`
	Profile     string  `json:"profile"`
	BitDepth    int     `json:"bit_depth"`
	GOPFrames   int     `json:"gop_frames"`
	Threads     int     `json:"threads"`
	// PixelFormat is omitted when empty, so that the keys of 4:2:0 rungs
	// stay what they were before it existed.
	PixelFormat string `json:"pixel_format,omitempty"`
}

func canonical(r media.RungSpec) canonicalRung {
	c := canonicalRung{ID: r.ID, Width: r.Width, Height: r.Height, Codec: r.Codec, CRF: r.CRF,
		BitrateKbps: r.BitrateKbps, MaxrateKbps: r.MaxrateKbps, BufsizeKbps: r.BufsizeKbps, Lossless: r.Lossless,
		Preset: r.Preset, Profile: r.Profile, BitDepth: max(r.BitDepth, 8), GOPFrames: r.GOPFrames, Threads: r.Threads,
		PixelFormat: r.PixelFormat}
	if vc, ok := media.LookupVideoCodec(r.Codec); ok {
		c.Codec = vc.Name
		if p, err := vc.PresetValue(r.Preset); err == nil {
			c.Preset = p
		}
	}
	return c
}

// chunkKeyMaterial is what a chunk key hashes.
type chunkKeyMaterial struct {
	Version    int             `json:"version"`
	Source     string          `json:"source"`
	StartFrame int             `json:"start_frame"`
	Frames     int             `json:"frames"`
	Conceal    bool            `json:"conceal"`
	Rungs      []canonicalRung `json:"rungs"`
}

// ChunkKey is the content address of a chunk encode: the hex SHA-256 of
// the source identity, the frame range, the concealment policy and the
// canonical settings of every rung (in order). The chunk index is not part
// of it: the same frames encoded the same way share a key across plans.
func ChunkKey(id workflows.SourceID, c plan.Chunk, rungs []media.RungSpec, conceal bool) string {
	m := chunkKeyMaterial{Version: chunkKeyVersion, Source: id.String(), StartFrame: c.StartFrame, Frames: c.Frames, Conceal: conceal}
	for _, r := range rungs {
		m.Rungs = append(m.Rungs, canonical(r))
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("activities: chunk key: " + err.Error()) // plain data; cannot happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// chunkManifest is written last, atomically, into a chunk's cache
// directory: its presence (with every file at its recorded size) is what
// makes the chunk finished.
type chunkManifest struct {
	Key    string             `json:"key"`
	Input  chunkKeyMaterial   `json:"input"`
	Source workflows.SourceID `json:"source"`
	// Rungs' paths are file names inside the chunk's directory.
	Rungs         []workflows.ChunkRung `json:"rungs"`
	Concealed     []int                 `json:"concealed,omitempty"`
	DecodedFrames int                   `json:"decoded_frames"`
	Seeked        bool                  `json:"seeked"`
	EncodeSeconds float64               `json:"encode_seconds"`
	Finished      string                `json:"finished"`
}

const manifestName = "manifest.json"

// ChunkDir is where a chunk key's files live in a cache.
func ChunkDir(cache, key string) string { return joinLoc(cache, key) }

// finishedChunk returns the output of a finished encode of key in dir (a
// local directory or an object-store prefix), or false when there is none
// or it is incomplete.
func (a *Activities) finishedChunk(ctx context.Context, dir, key string, in workflows.EncodeChunkInput) (workflows.EncodeChunkOutput, bool) {
	b, err := a.readLoc(ctx, joinLoc(dir, manifestName))
	if err != nil {
		return workflows.EncodeChunkOutput{}, false
	}
	var m chunkManifest
	if json.Unmarshal(b, &m) != nil || m.Key != key || len(m.Rungs) != len(in.Rungs) {
		return workflows.EncodeChunkOutput{}, false
	}
	out := workflows.EncodeChunkOutput{Key: key, Concealed: m.Concealed, Reused: true, EncodeSeconds: m.EncodeSeconds}
	for i, r := range m.Rungs {
		if r.ID != in.Rungs[i].ID || r.Frames != in.Chunk.Frames || filepath.Base(r.Path) != r.Path {
			return workflows.EncodeChunkOutput{}, false
		}
		r.Path = joinLoc(dir, r.Path)
		if size, err := a.statLoc(ctx, r.Path); err != nil || size != r.Bytes {
			return workflows.EncodeChunkOutput{}, false
		}
		out.Rungs = append(out.Rungs, r)
	}
	return out, true
}

// sweepTemps removes temporary files older than age that attempts killed
// mid-write left in dir (a live attempt's files are younger).
func sweepTemps(dir string, age time.Duration, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") || !strings.Contains(e.Name(), ".tmp") {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > age {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// safeName reports whether s can name a file in a directory.
func safeName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\\\x00")
}

func checkChunkInput(in workflows.EncodeChunkInput) error {
	switch {
	case in.Source == "":
		return invalidRequest("encode chunk: no source")
	case in.Cache == "":
		return invalidRequest("encode chunk %s: no cache directory", in.Source)
	case in.Chunk.StartFrame < 0 || in.Chunk.Frames <= 0:
		return invalidRequest("encode chunk %s: chunk %d: start %d, %d frames", in.Source, in.Chunk.Index, in.Chunk.StartFrame, in.Chunk.Frames)
	case len(in.Rungs) == 0:
		return invalidRequest("encode chunk %s: no rungs", in.Source)
	}
	seen := map[string]bool{}
	for _, r := range in.Rungs {
		if !safeName(r.ID) || r.ID == manifestName || seen[r.ID] {
			return invalidRequest("encode chunk %s: rung id %q is empty, duplicate or not a file name", in.Source, r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}

// EncodeChunk encodes one chunk of the source to every rung (one decode,
// encoder.EncodeChunk) into the content-addressed cache:
// <cache>/<ChunkKey>/<rung-id>.mp4, then <cache>/<key>/manifest.json,
// written last and atomically. A chunk whose manifest and files are
// already there is not encoded again (Reused, nothing written), so a
// retried, repeated or duplicated activity reuses finished work; two
// attempts racing on one key write identical files, each whole.
//
// It heartbeats progress (workflows.ActivityProgress, frames of the
// chunk). Frames that fail to decode, with Conceal off, fail it with a
// non-retryable InvalidMedia error naming them (details:
// workflows.CorruptFrames); a source that differs from in.SourceID is a
// non-retryable SourceChanged; other bad input is mapped as everywhere.
func (a *Activities) EncodeChunk(ctx context.Context, in workflows.EncodeChunkInput) (workflows.EncodeChunkOutput, error) {
	if err := checkChunkInput(in); err != nil {
		return workflows.EncodeChunkOutput{}, err
	}
	ctx = a.withIO(ctx)
	id := in.SourceID
	cur, err := a.sourceIdentity(ctx, in.Source)
	if err != nil {
		return workflows.EncodeChunkOutput{}, classify(fmt.Errorf("encode chunk: %w", err))
	}
	if !id.IsZero() && cur != id {
		return workflows.EncodeChunkOutput{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("encode chunk %s: source changed since the title started (was %v, now %v)", in.Source, id, cur),
			workflows.ErrTypeSourceChanged, nil)
	}
	id = cur
	key := ChunkKey(id, in.Chunk, in.Rungs, in.Conceal)
	dir := ChunkDir(in.Cache, key)
	if out, ok := a.finishedChunk(ctx, dir, key, in); ok {
		a.logger().Info("chunk already encoded", "source", in.Source, "chunk", in.Chunk.Index, "key", key)
		return out, nil
	}
	cache, err := a.openOut(ctx, in.Cache)
	if err != nil {
		return workflows.EncodeChunkOutput{}, classify(fmt.Errorf("encode chunk: %w", err))
	}
	defer cache.close()
	if !cache.remote() {
		sweepTemps(dir, time.Hour, a.now())
	}

	hb := a.heartbeater(ctx)
	total := in.Chunk.Frames
	hb.beat(true, workflows.ActivityProgress{Total: total})
	start := a.now()
	res, err := a.chunkMedia().EncodeChunk(ctx, in.Source, encoder.ChunkOptions{
		StartFrame: in.Chunk.StartFrame, Frames: in.Chunk.Frames, Rungs: in.Rungs, Conceal: in.Conceal,
		OutputPath: func(r media.RungSpec) string { return cache.file(key + "/" + r.ID + ".mp4") },
		Progress: func(done, _ int) {
			hb.beat(false, workflows.ActivityProgress{Done: done, Total: total})
		},
	})
	if err != nil {
		return workflows.EncodeChunkOutput{}, chunkError(in, err)
	}
	out := workflows.EncodeChunkOutput{Key: key, Concealed: res.Concealed, EncodeSeconds: a.now().Sub(start).Seconds()}
	a.meter().FramesDecoded(res.DecodedFrames)
	a.countEncoded(in.Rungs, res.Rungs, out.EncodeSeconds)
	m := chunkManifest{Key: key, Source: id, Concealed: res.Concealed, DecodedFrames: res.DecodedFrames,
		Seeked: res.Seeked, EncodeSeconds: out.EncodeSeconds, Finished: a.now().UTC().Format(time.RFC3339)}
	m.Input = chunkKeyMaterial{Version: chunkKeyVersion, Source: id.String(), StartFrame: in.Chunk.StartFrame, Frames: in.Chunk.Frames, Conceal: in.Conceal}
	for _, r := range in.Rungs {
		m.Input.Rungs = append(m.Input.Rungs, canonical(r))
	}
	for _, r := range res.Rungs {
		path := r.Path
		if cache.remote() {
			rel := key + "/" + filepath.Base(r.Path)
			if err := cache.commit(ctx, rel); err != nil {
				return workflows.EncodeChunkOutput{}, classify(fmt.Errorf("encode chunk: %w", err))
			}
			path = cache.loc(rel)
		}
		out.Rungs = append(out.Rungs, workflows.ChunkRung{ID: r.ID, Path: path, Frames: r.Frames, Bytes: r.Bytes})
		m.Rungs = append(m.Rungs, workflows.ChunkRung{ID: r.ID, Path: filepath.Base(r.Path), Frames: r.Frames, Bytes: r.Bytes})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return workflows.EncodeChunkOutput{}, fmt.Errorf("encode chunk: manifest: %w", err)
	}
	// The manifest goes last: once it is there, the chunk is finished.
	manifest := key + "/" + manifestName
	if err := cache.writeFile(ctx, manifest, append(b, '\n')); err != nil {
		return workflows.EncodeChunkOutput{}, classify(fmt.Errorf("encode chunk: manifest: %w", err))
	}
	hb.beat(true, workflows.ActivityProgress{Done: total, Total: total})
	return out, nil
}

// chunkError maps a chunk encode's error: frames that failed to decode
// become CorruptMedia naming them, with the list as details.
func chunkError(in workflows.EncodeChunkInput, err error) error {
	var fe *encoder.FrameError
	if errors.As(err, &fe) {
		c := in.Chunk
		return temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("chunk %d (frames %d–%d): %v", c.Index, c.StartFrame, c.StartFrame+c.Frames-1, err),
			workflows.ErrTypeCorruptMedia, err, workflows.CorruptFrames{Frames: fe.Frames})
	}
	return classify(err)
}

// keepAlive heartbeats every HeartbeatEvery with details until stop is
// called, for activities whose work reports no progress of its own.
func (a *Activities) keepAlive(ctx context.Context, details any) (stop func()) {
	return a.keepAliveWith(ctx, func() any { return details })
}

// keepAliveWith is keepAlive with the details read at each heartbeat.
func (a *Activities) keepAliveWith(ctx context.Context, details func() any) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	every := a.HeartbeatEvery
	if every <= 0 {
		every = time.Second
	}
	activity.RecordHeartbeat(ctx, details())
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, details())
			}
		}
	}()
	return func() { close(done); <-finished }
}

// StitchRung joins a rung's chunks, in order, into <out>/rungs/<id>.mp4
// (encoder.Stitch: a remux with continuous timestamps, written under a
// temporary name and renamed) and reports its frames, bytes and bitrate.
// EncodeSeconds is left 0: the workflow sums its chunks' encode times.
// A missing chunk is a non-retryable NotFound.
func (a *Activities) StitchRung(ctx context.Context, in workflows.StitchRungInput) (media.RungOutput, error) {
	switch {
	case !safeName(in.Rung.ID):
		return media.RungOutput{}, invalidRequest("stitch: rung id %q is not a file name", in.Rung.ID)
	case in.Out == "":
		return media.RungOutput{}, invalidRequest("stitch rung %s: no output directory", in.Rung.ID)
	case len(in.Chunks) == 0:
		return media.RungOutput{}, invalidRequest("stitch rung %s: no chunks", in.Rung.ID)
	}
	stop := a.keepAlive(ctx, workflows.ActivityProgress{Total: len(in.Chunks)})
	defer stop()
	dst, err := a.openOut(ctx, in.Out)
	if err != nil {
		return media.RungOutput{}, classify(fmt.Errorf("stitch rung %s: %w", in.Rung.ID, err))
	}
	defer dst.close()
	// The stitcher reads local files: chunks in an object store are
	// downloaded (each whole, through mezzfs) to a scratch directory first.
	chunks := make([]string, len(in.Chunks))
	var scratch string
	for i, c := range in.Chunks {
		if p, ok := localPath(c); ok {
			chunks[i] = p
			continue
		}
		if scratch == "" {
			if scratch, err = a.scratchDir(); err != nil {
				return media.RungOutput{}, err
			}
			defer os.RemoveAll(scratch)
		}
		chunks[i] = filepath.Join(scratch, fmt.Sprintf("%06d.mp4", i))
		if err := a.fetchLoc(ctx, c, chunks[i]); err != nil {
			return media.RungOutput{}, classify(fmt.Errorf("stitch rung %s: chunk %d: %w", in.Rung.ID, i, err))
		}
	}
	rel := rungRel(in.Rung.ID)
	res, err := a.chunkMedia().Stitch(ctx, chunks, dst.file(rel), encoder.StitchOptions{SizeChanges: in.SizeChanges})
	if err != nil {
		return media.RungOutput{}, classify(fmt.Errorf("stitch rung %s: %w", in.Rung.ID, err))
	}
	path := res.Path
	if dst.remote() {
		if err := dst.commit(ctx, rel); err != nil {
			return media.RungOutput{}, classify(fmt.Errorf("stitch rung %s: %w", in.Rung.ID, err))
		}
		path = dst.loc(rel)
	}
	return media.RungOutput{
		ID: in.Rung.ID, Path: path, Width: in.Rung.Width, Height: in.Rung.Height, Codec: res.Codec,
		BitDepth: max(in.Rung.BitDepth, 8), Frames: res.Frames, Bytes: res.Bytes,
		DurationSec: res.DurationSec, BitrateKbps: res.BitrateKbps,
	}, nil
}

// AudioPath returns where an audio rendition goes under a title's output
// directory.
func AudioPath(out, id string) string { return joinLoc(out, audioRel(id)) }

func audioRel(id string) string { return "audio/" + id + ".mp4" }

// EncodeAudio encodes one audio rendition of the source's first audio
// stream (resampled and down- or upmixed as the spec says) to
// <out>/audio/<id>.mp4, whole or not at all; it starts at the source's
// first audio sample so it stays in sync with the video rungs. A source
// without audio is a non-retryable NoAudio error, which the workflow can
// treat as "skip audio, note it in the report".
func (a *Activities) EncodeAudio(ctx context.Context, in workflows.EncodeAudioInput) (workflows.AudioOutput, error) {
	switch {
	case !safeName(in.Spec.ID):
		return workflows.AudioOutput{}, invalidRequest("encode audio: id %q is not a file name", in.Spec.ID)
	case in.Out == "":
		return workflows.AudioOutput{}, invalidRequest("encode audio %s: no output directory", in.Spec.ID)
	}
	ctx = a.withIO(ctx)
	stop := a.keepAlive(ctx, workflows.ActivityProgress{})
	defer stop()
	dst, err := a.openOut(ctx, in.Out)
	if err != nil {
		return workflows.AudioOutput{}, classify(fmt.Errorf("audio %s: %w", in.Spec.ID, err))
	}
	defer dst.close()
	spec := encoder.AudioSpec{Codec: in.Spec.Codec, BitrateKbps: in.Spec.BitrateKbps, Channels: in.Spec.Channels, SampleRate: in.Spec.SampleRate}
	rel := audioRel(in.Spec.ID)
	res, err := a.chunkMedia().EncodeAudio(ctx, in.Source, spec, dst.file(rel))
	if err != nil {
		err = fmt.Errorf("audio %s: %w", in.Spec.ID, err)
		if errors.Is(err, encoder.ErrNoAudio) {
			return workflows.AudioOutput{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeNoAudio, err)
		}
		return workflows.AudioOutput{}, classify(err)
	}
	path := res.Path
	if dst.remote() {
		if err := dst.commit(ctx, rel); err != nil {
			return workflows.AudioOutput{}, classify(fmt.Errorf("audio %s: %w", in.Spec.ID, err))
		}
		path = dst.loc(rel)
	}
	return workflows.AudioOutput{
		ID: in.Spec.ID, Path: path, Codec: res.Codec, Channels: res.Channels, SampleRate: res.SampleRate,
		Samples: res.Samples, StartSec: res.StartSec, DurationSec: res.DurationSec, Bytes: res.Bytes,
		BitrateKbps: res.BitrateKbps, DecodeErrors: res.DecodeErrors,
	}, nil
}
