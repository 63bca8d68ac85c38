package activities

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/reel-video/reel/workflows"
)

func TestTrialScoredFrames(t *testing.T) {
	tests := []struct {
		n, every int
		want     []int
	}{
		{5, 1, []int{0, 1, 2, 3, 4}},
		{5, 0, []int{0, 1, 2, 3, 4}},
		{20, 4, []int{2, 7, 8, 13, 18}}, // offsets 2 3 0 1 2: every residue mod 4
		{12, 5, []int{2, 8}},
		{1, 4, []int{0}}, // one frame: scored
		{2, 8, []int{1}}, // fewer frames than half a stride: the last
		{9, 3, []int{1, 5, 6}},
	}
	for _, c := range tests {
		if got := scoredFrames(c.n, c.every); !slices.Equal(got, c.want) {
			t.Errorf("scoredFrames(%d, %d) = %v, want %v", c.n, c.every, got, c.want)
		}
	}
}

func TestTrialKeyEvery(t *testing.T) {
	id := workflows.SourceID{Size: 1, HeadSHA256: "a", TailSHA256: "b"}
	r := workflows.TrialRange{StartFrame: 10, Frames: 20}
	p := workflows.TrialPoint{Width: 320, Height: 180, CRF: 30, Preset: "medium"}
	base := TrialKey(id, r, p, "", 1280, 720)
	// Every frame scored: the keys every cache holds already.
	for _, every := range []int{0, 1} {
		if k := TrialKeyEvery(id, r, p, "", 1280, 720, every); k != base {
			t.Errorf("every %d: key %s, want TrialKey's %s", every, k, base)
		}
	}
	k4 := TrialKeyEvery(id, r, p, "", 1280, 720, 4)
	if k4 == base || k4 == TrialKeyEvery(id, r, p, "", 1280, 720, 3) {
		t.Errorf("strides 1, 3 and 4 share keys")
	}
	// The analysis preset is part of the key: a fast trial never stands
	// for a final-preset one.
	fast := p
	fast.Preset = "veryfast"
	if TrialKeyEvery(id, r, fast, "", 1280, 720, 4) == k4 {
		t.Errorf("presets medium and veryfast share a key")
	}
}

// TestTrialEncodeEveryMatchesFull scores the same range on every frame and
// on every third: the frames scored with the stride get exactly the VMAF
// they get in the full score (the motion feature from every reference
// frame, the range's neighbours included), and their mean is the range's.
func TestTrialEncodeEveryMatchesFull(t *testing.T) {
	env, _ := trialEnv(t)
	grid := trialGrid[:2]
	rng := []workflows.TrialRange{{StartFrame: 30, Frames: 10}}
	fullCache, cache := t.TempDir(), t.TempDir()
	full, err := trialEncode(t, env, workflows.TrialEncodeInput{Source: clip, Cache: fullCache, Grid: grid, ScoreWidth: 640, ScoreHeight: 360, Ranges: rng})
	if err != nil {
		t.Fatal(err)
	}
	in := workflows.TrialEncodeInput{Source: clip, Cache: cache, Grid: grid, ScoreWidth: 640, ScoreHeight: 360, Ranges: rng, VMAFEvery: 3}
	sub, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Encoded != 2 || sub.Reused != 0 {
		t.Fatalf("encoded %d, reused %d", sub.Encoded, sub.Reused)
	}
	scored := scoredFrames(10, 3)
	for i := range grid {
		fs, ss := full.Results[i].Shots[0], sub.Results[i].Shots[0]
		if ss.Bits != fs.Bits {
			t.Errorf("point %d: bits %v with a stride, %v without", i, ss.Bits, fs.Bits)
		}
		if ss.Key == fs.Key {
			t.Errorf("point %d: the same key with and without a stride", i)
		}
		rec, frec := cachedTrial(t, cache, ss.Key), cachedTrial(t, fullCache, fs.Key)
		if len(rec.PerFrame) != len(scored) || len(frec.PerFrame) != 10 {
			t.Fatalf("point %d: %d and %d frames scored", i, len(rec.PerFrame), len(frec.PerFrame))
		}
		var mean float64
		for j, f := range scored {
			if d := rec.PerFrame[j] - frec.PerFrame[f]; math.Abs(d) > 1e-9 {
				t.Errorf("point %d frame %d: VMAF %v on every 3rd frame, %v on all", i, f, rec.PerFrame[j], frec.PerFrame[f])
			}
			mean += rec.PerFrame[j]
		}
		mean /= float64(len(scored))
		if math.Abs(mean-ss.VMAF) > 1e-9 {
			t.Errorf("point %d: VMAF %v, mean of the scored frames %v", i, ss.VMAF, mean)
		}
		t.Logf("point %d: VMAF %.3f on every 3rd frame, %.3f on all", i, ss.VMAF, fs.VMAF)
	}
	// Cached: a second call encodes nothing.
	again, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if again.Encoded != 0 || again.Reused != 2 || again.Results[0].Shots[0].VMAF != sub.Results[0].Shots[0].VMAF {
		t.Errorf("again: encoded %d, reused %d", again.Encoded, again.Reused)
	}
}

// cachedTrial reads a trial result from a local cache.
func cachedTrial(t *testing.T, cache, key string) trialRecord {
	t.Helper()
	b, err := os.ReadFile(TrialPath(cache, key))
	if err != nil {
		t.Fatal(err)
	}
	var r trialRecord
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}
