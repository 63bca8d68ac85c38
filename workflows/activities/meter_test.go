package activities

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/workflows"
)

// countingMeter records what the activities count.
type countingMeter struct {
	mu                      sync.Mutex
	decoded, scored, writes int
	encoded                 map[string]int
	seconds                 map[string]float64
	written                 int64
	reads                   []mezzfs.Stats
}

func (m *countingMeter) FramesDecoded(n int) { m.mu.Lock(); m.decoded += n; m.mu.Unlock() }
func (m *countingMeter) FramesScored(n int)  { m.mu.Lock(); m.scored += n; m.mu.Unlock() }
func (m *countingMeter) StoreWrite(b int64)  { m.mu.Lock(); m.writes++; m.written += b; m.mu.Unlock() }
func (m *countingMeter) StoreRead(st mezzfs.Stats) {
	m.mu.Lock()
	m.reads = append(m.reads, st)
	m.mu.Unlock()
}
func (m *countingMeter) FramesEncoded(codec string, n int, seconds float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.encoded == nil {
		m.encoded, m.seconds = map[string]int{}, map[string]float64{}
	}
	m.encoded[codec] += n
	m.seconds[codec] += seconds
}

func (m *countingMeter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.decoded, m.scored, m.writes, m.written, m.encoded, m.seconds, m.reads = 0, 0, 0, 0, nil, nil, nil
}

// TestMeterCountsRealWork: a real chunk encode and a real scoring pass
// count the frames they decoded, encoded and scored, and the files they
// wrote, by the numbers the media holds.
func TestMeterCountsRealWork(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mp4")
	const frames = 36
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "320x180", Rate: "25", Frames: frames, Codec: "libx264", PixFmt: "yuv420p"})
	if n := mediatest.CountFrames(t, src); n != frames {
		t.Fatalf("source has %d frames", n)
	}
	m := &countingMeter{}
	env, a := actEnv(t)
	a.Meter = m

	rungs := []media.RungSpec{
		{ID: "full", Width: 320, Height: 180, Codec: "h264", CRF: 28, Preset: "ultrafast", GOPFrames: 12},
		{ID: "half", Width: 160, Height: 90, Codec: "avc", CRF: 30, Preset: "ultrafast", GOPFrames: 12},
	}
	cache := filepath.Join(dir, "cache")
	out, err := encodeChunk(t, env, workflows.EncodeChunkInput{Source: src, Chunk: plan.Chunk{StartFrame: 0, Frames: frames}, Rungs: rungs, Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	encoded := 0
	for _, r := range out.Rungs {
		encoded += mediatest.CountFrames(t, r.Path)
	}
	manifest, err := os.ReadFile(filepath.Join(ChunkDir(cache, out.Key), manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var man chunkManifest
	if err := json.Unmarshal(manifest, &man); err != nil {
		t.Fatal(err)
	}
	if encoded != 2*frames || man.DecodedFrames < frames {
		t.Fatalf("rungs hold %d frames, %d decoded; want %d, ≥ %d", encoded, man.DecodedFrames, 2*frames, frames)
	}
	if m.decoded != man.DecodedFrames || len(m.encoded) != 1 || m.encoded["h264"] != encoded || !(m.seconds["h264"] > 0) {
		t.Errorf("chunk counted %d decoded, encoded %v in %v s; want %d decoded, h264 %d", m.decoded, m.encoded, m.seconds, man.DecodedFrames, encoded)
	}
	// Only the manifest is written whole (rungs are encoded in place).
	if m.writes != 1 || m.written != int64(len(manifest)) || m.scored != 0 {
		t.Errorf("chunk counted %d writes of %d bytes, %d scored; want 1 of %d, 0", m.writes, m.written, m.scored, len(manifest))
	}

	m.reset()
	var scoreIn []media.RungOutput
	for i, r := range out.Rungs {
		scoreIn = append(scoreIn, media.RungOutput{ID: r.ID, Path: r.Path, Width: rungs[i].Width, Height: rungs[i].Height, Codec: "h264", Frames: r.Frames, Bytes: r.Bytes})
	}
	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: src, Out: filepath.Join(dir, "out"), Rungs: scoreIn, Frames: frames})
	if err != nil {
		t.Fatal(err)
	}
	var sc workflows.ScoreRungsOutput
	if err := v.Get(&sc); err != nil {
		t.Fatal(err)
	}
	scored := 0
	for _, s := range sc.Scores {
		scored += s.Frames
	}
	if scored != 2*frames {
		t.Fatalf("scores cover %d frames, want %d", scored, 2*frames)
	}
	// The source and each rung decoded once, frame by frame.
	if m.scored != scored || m.decoded != 3*frames || len(m.encoded) != 0 {
		t.Errorf("score counted %d scored, %d decoded, %v encoded; want %d, %d, none", m.scored, m.decoded, m.encoded, scored, 3*frames)
	}
}
