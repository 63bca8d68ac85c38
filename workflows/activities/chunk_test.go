package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/encoder/encodertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/workflows"
)

var chunkRungs = []media.RungSpec{
	{ID: "small", Width: 320, Height: 180, Codec: "h264", CRF: 28, Preset: "ultrafast", GOPFrames: 50},
	{ID: "tiny", Width: 160, Height: 90, Codec: "h264", CRF: 30, Preset: "ultrafast", GOPFrames: 50},
}

func encodeChunk(t *testing.T, env *testsuite.TestActivityEnvironment, in workflows.EncodeChunkInput) (workflows.EncodeChunkOutput, error) {
	t.Helper()
	v, err := env.ExecuteActivity(workflows.ActivityEncodeChunk, in)
	if err != nil {
		return workflows.EncodeChunkOutput{}, err
	}
	var out workflows.EncodeChunkOutput
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

func mtimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]time.Time{}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = fi.ModTime()
	}
	return m
}

func TestEncodeChunkCacheReuse(t *testing.T) {
	cache := t.TempDir()
	env, _ := actEnv(t)
	id, err := SourceIdentityOf(clip)
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.EncodeChunkInput{Source: clip, SourceID: id, Chunk: plan.Chunk{Index: 1, StartFrame: 50, Frames: 30},
		Rungs: chunkRungs, Cache: cache}
	first, err := encodeChunk(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Reused || len(first.Rungs) != 2 || first.Key != ChunkKey(id, in.Chunk, in.Rungs, false) {
		t.Fatalf("first encode %+v", first)
	}
	dir := ChunkDir(cache, first.Key)
	for i, r := range first.Rungs {
		if r.ID != chunkRungs[i].ID || r.Frames != 30 || r.Path != filepath.Join(dir, r.ID+".mp4") || r.Bytes == 0 {
			t.Fatalf("rung %+v", r)
		}
	}
	before := mtimes(t, dir)
	if len(before) != 3 { // two rungs and the manifest, no temporary files
		t.Fatalf("cache dir holds %v", before)
	}

	// The same chunk again (a retry, or the same title encoded again):
	// reused, nothing written.
	time.Sleep(20 * time.Millisecond)
	again, err := encodeChunk(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Reused || again.Key != first.Key || len(again.Rungs) != 2 || again.Rungs[0] != first.Rungs[0] || again.Rungs[1] != first.Rungs[1] {
		t.Fatalf("second encode %+v, want the first's outputs reused", again)
	}
	after := mtimes(t, dir)
	for name, mt := range before {
		if !after[name].Equal(mt) {
			t.Errorf("%s was rewritten", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("files after reuse: %v", after)
	}

	// Without the identity the activity computes it: same key. A chunk
	// with another index but the same frames shares the key.
	in2 := in
	in2.SourceID, in2.Chunk.Index = workflows.SourceID{}, 7
	if o, err := encodeChunk(t, env, in2); err != nil || !o.Reused || o.Key != first.Key {
		t.Fatalf("without source id: %+v, %v", o, err)
	}

	// Other settings or frames give other keys.
	for _, change := range []func(*workflows.EncodeChunkInput){
		func(c *workflows.EncodeChunkInput) { c.Chunk.StartFrame++ },
		func(c *workflows.EncodeChunkInput) { c.Chunk.Frames++ },
		func(c *workflows.EncodeChunkInput) { c.Conceal = true },
		func(c *workflows.EncodeChunkInput) {
			c.Rungs = append([]media.RungSpec(nil), c.Rungs...)
			c.Rungs[1].CRF++
		},
	} {
		c := in
		change(&c)
		if ChunkKey(id, c.Chunk, c.Rungs, c.Conceal) == first.Key {
			t.Errorf("key unchanged for %+v", c)
		}
	}
	// Spellings of the same settings share the key.
	same := append([]media.RungSpec(nil), chunkRungs...)
	same[0].Codec, same[1].Codec, same[1].BitDepth = "avc", "", 8
	if ChunkKey(id, in.Chunk, same, false) != first.Key {
		t.Error("canonically equal settings gave another key")
	}

	// A damaged cache entry (a rung file gone) is encoded again.
	if err := os.Remove(first.Rungs[1].Path); err != nil {
		t.Fatal(err)
	}
	redo, err := encodeChunk(t, env, in)
	if err != nil || redo.Reused || redo.Rungs[1].Bytes != first.Rungs[1].Bytes {
		t.Fatalf("after damage: %+v, %v", redo, err)
	}
}

func TestEncodeChunkBadRequests(t *testing.T) {
	cache := t.TempDir()
	good := workflows.EncodeChunkInput{Source: clip, Chunk: plan.Chunk{StartFrame: 0, Frames: 10}, Rungs: chunkRungs[:1], Cache: cache}
	id, err := SourceIdentityOf(clip)
	if err != nil {
		t.Fatal(err)
	}
	stale := id
	stale.ModTimeUnixNano++
	tests := []struct {
		name   string
		change func(*workflows.EncodeChunkInput)
		typ    string
		msg    string
	}{
		{"no cache", func(c *workflows.EncodeChunkInput) { c.Cache = "" }, workflows.ErrTypeInvalidRequest, "no cache"},
		{"no frames", func(c *workflows.EncodeChunkInput) { c.Chunk.Frames = 0 }, workflows.ErrTypeInvalidRequest, "0 frames"},
		{"bad rung id", func(c *workflows.EncodeChunkInput) { c.Rungs = []media.RungSpec{{ID: "../x"}} }, workflows.ErrTypeInvalidRequest, "rung id"},
		{"missing source", func(c *workflows.EncodeChunkInput) { c.Source = filepath.Join(cache, "nope.mov") }, workflows.ErrTypeNotFound, "nope.mov"},
		{"source changed", func(c *workflows.EncodeChunkInput) { c.SourceID = stale }, workflows.ErrTypeSourceChanged, "source changed"},
		{"url without bucket", func(c *workflows.EncodeChunkInput) { c.Source = "s3:///k.mov" }, workflows.ErrTypeInvalidRequest, "no bucket"},
		{"bad settings", func(c *workflows.EncodeChunkInput) {
			c.Rungs = []media.RungSpec{{ID: "x", Width: 320, Height: 180, Codec: "av1", CRF: 70}}
		}, workflows.ErrTypeInvalidSettings, "crf 70"},
		{"past the end", func(c *workflows.EncodeChunkInput) { c.Chunk.StartFrame = 130 }, workflows.ErrTypeInvalidSettings, "past the input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := actEnv(t)
			in := good
			tt.change(&in)
			_, err := encodeChunk(t, env, in)
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != tt.typ || !app.NonRetryable() || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want non-retryable %s mentioning %q", err, tt.typ, tt.msg)
			}
		})
	}
}

// TestStitchRungThreeChunks encodes the clip as a 3-chunk plan and
// stitches each rung: the rung has the source's 132 frames.
func TestStitchRungThreeChunks(t *testing.T) {
	cache, out := t.TempDir(), t.TempDir()
	env, _ := actEnv(t)
	chunks := plan.Chunks(132, 25, nil, profile.Chunking{Mode: profile.ChunkFixed, MinSeconds: 2, MaxSeconds: 2}, 50)
	if len(chunks) != 3 {
		t.Fatalf("plan %v", chunks)
	}
	files := map[string][]string{}
	for _, c := range chunks {
		o, err := encodeChunk(t, env, workflows.EncodeChunkInput{Source: clip, Chunk: c, Rungs: chunkRungs, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range o.Rungs {
			files[r.ID] = append(files[r.ID], r.Path)
		}
	}
	for _, r := range chunkRungs {
		v, err := env.ExecuteActivity(workflows.ActivityStitchRung, workflows.StitchRungInput{Rung: r, Chunks: files[r.ID], Out: out})
		if err != nil {
			t.Fatal(err)
		}
		var ro media.RungOutput
		if err := v.Get(&ro); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(RungPath(out, r.ID))
		if err != nil || ro.Path != RungPath(out, r.ID) || ro.Frames != 132 || ro.Bytes != st.Size() || ro.Codec != "h264" ||
			ro.Width != r.Width || math.Abs(ro.DurationSec-132.0/25) > 0.05 || ro.BitrateKbps <= 0 {
			t.Fatalf("stitched %+v (%v)", ro, err)
		}
		if mediatest.Have() {
			if v := mediatest.Probe(t, ro.Path).Video(); v.ReadFrames() != 132 || v.Width != r.Width || v.Height != r.Height {
				t.Fatalf("ffprobe: %d frames %dx%d", v.ReadFrames(), v.Width, v.Height)
			}
		}
	}
	// A missing chunk is NotFound, not retried.
	_, err := env.ExecuteActivity(workflows.ActivityStitchRung, workflows.StitchRungInput{Rung: chunkRungs[0],
		Chunks: []string{files["small"][0], filepath.Join(cache, "gone.mp4")}, Out: out})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeNotFound || !app.NonRetryable() {
		t.Fatalf("missing chunk: %v", err)
	}
}

func TestEncodeAudio(t *testing.T) {
	out := t.TempDir()
	env, _ := actEnv(t)
	for _, spec := range append(profile.DefaultAudio(), profile.Audio{ID: "opus", Codec: "opus", BitrateKbps: 64, Channels: 2, SampleRate: 48000}) {
		v, err := env.ExecuteActivity(workflows.ActivityEncodeAudio, workflows.EncodeAudioInput{Source: clip, Spec: spec, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		var ao workflows.AudioOutput
		if err := v.Get(&ao); err != nil {
			t.Fatal(err)
		}
		if ao.Path != AudioPath(out, spec.ID) || ao.Channels != 2 || ao.SampleRate != 48000 || ao.Codec != spec.Codec || ao.Bytes == 0 {
			t.Fatalf("%s: %+v", spec.ID, ao)
		}
		// The source's audio lasts 5.312 s (249 AAC frames at 48 kHz).
		frame := 1024.0 / 48000
		if math.Abs(ao.DurationSec-5.312) > frame || math.Abs(ao.StartSec) > frame {
			t.Errorf("%s: start %g s, duration %g s; source 0, 5.312", spec.ID, ao.StartSec, ao.DurationSec)
		}
		if mediatest.Have() {
			if d := mediatest.Probe(t, ao.Path).Audio().Seconds(); math.IsNaN(d) || math.Abs(d-5.312) > frame {
				t.Errorf("%s: ffprobe duration %g s, source 5.312", spec.ID, d)
			}
		}
	}

	// A source without audio (a video-only chunk) is NoAudio, not retried.
	cache := t.TempDir()
	c, err := encodeChunk(t, env, workflows.EncodeChunkInput{Source: clip, Chunk: plan.Chunk{Frames: 5}, Rungs: chunkRungs[1:], Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.ExecuteActivity(workflows.ActivityEncodeAudio, workflows.EncodeAudioInput{Source: c.Rungs[0].Path, Spec: profile.DefaultAudio()[0], Out: out})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeNoAudio || !app.NonRetryable() {
		t.Fatalf("video-only source: %v, want non-retryable NoAudio", err)
	}
	// Bad settings are InvalidSettings / Unsupported.
	_, err = env.ExecuteActivity(workflows.ActivityEncodeAudio, workflows.EncodeAudioInput{Source: clip, Spec: profile.Audio{ID: "x", Codec: "mp3"}, Out: out})
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeUnsupported {
		t.Fatalf("mp3: %v", err)
	}
}

// TestEncodeChunkCorruptFrame: a generated mezzanine with one corrupt
// packet fails its chunk as InvalidMedia naming the frame, or, with
// Conceal, encodes and lists it.
func TestEncodeChunkCorruptFrame(t *testing.T) {
	mediatest.Need(t)
	src := filepath.Join(t.TempDir(), "mjpeg.avi")
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "160x90", Rate: "25", Frames: 40, PixFmt: "yuvj420p", Codec: "mjpeg",
		Extra: mediatest.Args{"q:v": "3"}})
	encodertest.CorruptPacket(t, src, 23)
	env, _ := actEnv(t)
	in := workflows.EncodeChunkInput{Source: src, Chunk: plan.Chunk{Index: 1, StartFrame: 20, Frames: 10}, Cache: t.TempDir(),
		Rungs: []media.RungSpec{{ID: "r", Width: 160, Height: 90, CRF: 20, Preset: "ultrafast"}}}
	_, err := encodeChunk(t, env, in)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeCorruptMedia || !app.NonRetryable() {
		t.Fatalf("err = %v, want non-retryable CorruptMedia", err)
	}
	if !strings.Contains(err.Error(), "frame 23 failed to decode") || !strings.Contains(err.Error(), "chunk 1 (frames 20–29)") {
		t.Errorf("message %q does not name the chunk and frame", err)
	}
	var cf workflows.CorruptFrames
	if !app.HasDetails() || app.Details(&cf) != nil || len(cf.Frames) != 1 || cf.Frames[0] != 23 {
		t.Errorf("details %+v", cf)
	}
	in.Conceal = true
	o, err := encodeChunk(t, env, in)
	if err != nil || len(o.Concealed) != 1 || o.Concealed[0] != 23 {
		t.Fatalf("concealed: %+v, %v", o, err)
	}
	if o2, err := encodeChunk(t, env, in); err != nil || !o2.Reused || len(o2.Concealed) != 1 {
		t.Fatalf("reused concealed chunk: %+v, %v", o2, err)
	}
}

// fakeChunkMedia records which ChunkMedia an Activities uses.
type fakeChunkMedia struct {
	Media
	calls *int
}

func (f fakeChunkMedia) EncodeChunk(ctx context.Context, input string, opts encoder.ChunkOptions) (encoder.ChunkOutput, error) {
	*f.calls++
	return encoder.ChunkOutput{}, &encoder.FrameError{Input: input, Frames: []int{3, 4}}
}
func (f fakeChunkMedia) Stitch(context.Context, []string, string, encoder.StitchOptions) (encoder.StitchOutput, error) {
	return encoder.StitchOutput{}, errors.New("unused")
}
func (f fakeChunkMedia) EncodeAudio(context.Context, string, encoder.AudioSpec, string) (encoder.AudioOutput, error) {
	return encoder.AudioOutput{}, errors.New("unused")
}

// TestChunkMediaInjected: a Media that implements ChunkMedia is used.
func TestChunkMediaInjected(t *testing.T) {
	calls := 0
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(New(fakeChunkMedia{Media: Libav(), calls: &calls}, nil))
	_, err := env.ExecuteActivity(workflows.ActivityEncodeChunk, workflows.EncodeChunkInput{Source: clip,
		Chunk: plan.Chunk{StartFrame: 0, Frames: 10}, Rungs: chunkRungs, Cache: t.TempDir()})
	var app *temporal.ApplicationError
	if calls != 1 || !errors.As(err, &app) || app.Type() != workflows.ErrTypeCorruptMedia || !strings.Contains(err.Error(), "frames 3, 4 failed") {
		t.Fatalf("calls %d, err %v", calls, err)
	}
}

// TestStitchRungSizeChanges: a rung whose middle chunk was encoded at a
// smaller size (per-shot resolution) stitches only with SizeChanges, into
// one track of the source's frames, which ScoreRungs scores and checks
// like any rung (every frame upscaled to the source); the same chunks
// without SizeChanges are a non-retryable InvalidSettings error.
func TestStitchRungSizeChanges(t *testing.T) {
	cache, out := t.TempDir(), t.TempDir()
	env, _ := actEnv(t)
	chunks := plan.Chunks(132, 25, nil, profile.Chunking{Mode: profile.ChunkFixed, MinSeconds: 2, MaxSeconds: 2}, 50)
	if len(chunks) != 3 {
		t.Fatalf("plan %v", chunks)
	}
	rung := chunkRungs[0]
	var paths []string
	for i, c := range chunks {
		spec := rung
		if i == 1 {
			spec.Width, spec.Height = 160, 90
		}
		o, err := encodeChunk(t, env, workflows.EncodeChunkInput{Source: clip, Chunk: c, Rungs: []media.RungSpec{spec}, Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, o.Rungs[0].Path)
	}
	_, err := env.ExecuteActivity(workflows.ActivityStitchRung, workflows.StitchRungInput{Rung: rung, Chunks: paths, Out: out})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeInvalidSettings || !app.NonRetryable() {
		t.Fatalf("chunks of two sizes without SizeChanges: %v", err)
	}
	v, err := env.ExecuteActivity(workflows.ActivityStitchRung, workflows.StitchRungInput{Rung: rung, Chunks: paths, Out: out, SizeChanges: true})
	if err != nil {
		t.Fatal(err)
	}
	var ro media.RungOutput
	if err := v.Get(&ro); err != nil {
		t.Fatal(err)
	}
	if ro.Frames != 132 || ro.Width != rung.Width || ro.Height != rung.Height || ro.Codec != "h264" {
		t.Fatalf("stitched %+v", ro)
	}
	if mediatest.Have() {
		count := map[string]int{}
		for _, f := range mediatest.Frames(t, ro.Path, "v:0") {
			count[fmt.Sprintf("%d,%d", f.Width, f.Height)]++
		}
		if count["320,180"] != chunks[0].Frames+chunks[2].Frames || count["160,90"] != chunks[1].Frames {
			t.Fatalf("decoded frame sizes %v", count)
		}
	}
	v, err = env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: clip, Out: out, Rungs: []media.RungOutput{ro}, Frames: 132, RungQC: true, FrameRate: "25/1"})
	if err != nil {
		t.Fatal(err)
	}
	var sc workflows.ScoreRungsOutput
	if err := v.Get(&sc); err != nil {
		t.Fatal(err)
	}
	if len(sc.Scores) != 1 || sc.Scores[0].Frames != 132 || sc.Scores[0].QC == nil {
		t.Fatalf("scores %+v", sc)
	}
	// The 90-line chunk is upscaled further: its frames score lower.
	res, err := readResult(sc.Scores[0].ScoresPath)
	if err != nil || len(res.Frames) != 132 {
		t.Fatalf("per-frame scores: %v", err)
	}
	mean := func(lo, hi int) float64 {
		s := 0.0
		for _, f := range res.Frames[lo:hi] {
			v, ok := f.Metrics.Get("vmaf")
			if !ok {
				t.Fatalf("frame %d has no vmaf", f.Num)
			}
			s += v
		}
		return s / float64(hi-lo)
	}
	c1 := chunks[1]
	small, big := mean(c1.StartFrame, c1.StartFrame+c1.Frames), mean(0, chunks[0].Frames)
	if !(small < big) {
		t.Errorf("VMAF of the 160x90 chunk %.1f, of the 320x180 one %.1f", small, big)
	}
}
