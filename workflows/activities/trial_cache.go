// The trial cache: results under <cache>/trials/<key>.json, and the scratch
// directories killed attempts leave there.

package activities

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-video/reel/workflows"
)

// TrialPath is where a trial key's result lives in a cache.
func TrialPath(cache, key string) string { return joinLoc(cache, trialRel(key)) }

// trialRel is a trial key's result relative to the cache.
func trialRel(key string) string { return "trials/" + key + ".json" }

// trialRecord is a trial's cached result, written atomically once the
// trial is encoded and scored.
type trialRecord struct {
	Key    string             `json:"key"`
	Input  trialKeyMaterial   `json:"input"`
	Source workflows.SourceID `json:"source"`
	Frames int                `json:"frames"`
	// Bits is the video payload; Bytes the trial file's size.
	Bits             float64 `json:"bits"`
	Bytes            int64   `json:"bytes"`
	VMAF             float64 `json:"vmaf"`
	VMAFMin          float64 `json:"vmaf_min"`
	VMAFHarmonicMean float64 `json:"vmaf_harmonic_mean"`
	// PerFrame holds the scored frames' VMAF: every frame, or with a
	// stride those scoredFrames lists.
	PerFrame      []float64 `json:"per_frame"`
	EncodeSeconds float64   `json:"encode_seconds"`
	ScoreSeconds  float64   `json:"score_seconds"`
	Finished      string    `json:"finished"`
}

func readTrial(ctx context.Context, cache *outDir, key string, frames, every int) (trialRecord, bool) {
	b, err := cache.read(ctx, trialRel(key))
	if err != nil {
		return trialRecord{}, false
	}
	var r trialRecord
	if json.Unmarshal(b, &r) != nil || r.Key != key || r.Frames != frames || len(r.PerFrame) != len(scoredFrames(frames, every)) ||
		!(r.Bits > 0) || math.IsNaN(r.VMAF) {
		return trialRecord{}, false
	}
	return r, true
}

// sweepTrialScratch removes scratch directories older than age that
// attempts killed mid-trial left in dir.
func sweepTrialScratch(dir string, age time.Duration, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), ".scratch-") {
			continue
		}
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > age {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	sweepTemps(dir, age, now)
}
