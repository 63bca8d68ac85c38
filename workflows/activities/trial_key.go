// Trial keys: what a trial result's content address hashes (the source, the
// range, the canonical settings, the VMAF model and the reference).

package activities

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// trialKeyVersion is mixed into every trial key; bump it when a trial's
// encode, reference or scoring changes for the same settings.
// 2: x264 stitchable, x265 info=0. 3: VMAF motion at a range's edges
// from the source frames either side (trialEdges).
const trialKeyVersion = 3

// trialReference describes how the reference of a trial is made; it enters
// the key so that a different reference never reuses results.
const trialReference = "source range, scaled bicubic to the score size, yuv420p, h264 lossless; distorted decoded and upscaled bicubic to the score size"

// trialReference444 is the reference at an odd score size, which 4:2:0
// cannot code: 4:4:4, whose luma (all VMAF reads) is the source's.
const trialReference444 = "source range, scaled bicubic to the score size, yuv444p, h264 lossless; distorted decoded and upscaled bicubic to the score size"

// trialRef is the lossless reference rung of trials scored at sw×sh, and
// its description for the key.
func trialRef(sw, sh int) (media.RungSpec, string) {
	ref := media.RungSpec{ID: "ref", Width: sw, Height: sh, Codec: "h264", Lossless: true, Preset: "ultrafast"}
	if sw%2 != 0 || sh%2 != 0 {
		ref.PixelFormat = encoder.PixelFormat444
		return ref, trialReference444
	}
	return ref, trialReference
}

// trialKeyMaterial is what a trial key hashes.
type trialKeyMaterial struct {
	Version     int           `json:"version"`
	Source      string        `json:"source"`
	StartFrame  int           `json:"start_frame"`
	Frames      int           `json:"frames"`
	Rung        canonicalRung `json:"rung"`
	Model       string        `json:"model"`
	ScoreWidth  int           `json:"score_width"`
	ScoreHeight int           `json:"score_height"`
	Reference   string        `json:"reference"`
	// VMAFEvery is the scoring stride (every n-th frame scored), left out
	// when every frame is, so that those keys stay as they were.
	VMAFEvery int `json:"vmaf_every,omitempty"`
}

func trialRung(p workflows.TrialPoint) media.RungSpec {
	return media.RungSpec{Width: p.Width, Height: p.Height, Codec: p.Codec, CRF: p.CRF, Preset: p.Preset, GOPFrames: p.GOPFrames}
}

func trialMaterial(id workflows.SourceID, r workflows.TrialRange, p workflows.TrialPoint, model string, sw, sh, every int) trialKeyMaterial {
	_, desc := trialRef(sw, sh)
	if every <= 1 {
		every = 0
	}
	return trialKeyMaterial{Version: trialKeyVersion, Source: id.String(), StartFrame: r.StartFrame, Frames: r.Frames,
		Rung: canonical(trialRung(p)), Model: trialModel(model), ScoreWidth: sw, ScoreHeight: sh, Reference: desc, VMAFEvery: every}
}

func trialModel(m string) string {
	if m == "" {
		return vmaf.DefaultModel
	}
	return m
}

// TrialKey is the content address of one trial result: the hex SHA-256 of
// the source identity, the frame range, the grid point's canonical encode
// settings (codec and preset resolved as for chunk keys), the VMAF model
// and the score size. The range's shot index and weight are not part of
// it, so a re-run, another sample holding the same range, or another
// codec's grid reuses every result that exists.
func TrialKey(id workflows.SourceID, r workflows.TrialRange, p workflows.TrialPoint, model string, scoreWidth, scoreHeight int) string {
	return TrialKeyEvery(id, r, p, model, scoreWidth, scoreHeight, 1)
}

// TrialKeyEvery is TrialKey of a trial scored on every n-th frame of its
// range (TrialEncodeInput.VMAFEvery): n ≤ 1 is TrialKey's.
func TrialKeyEvery(id workflows.SourceID, r workflows.TrialRange, p workflows.TrialPoint, model string, scoreWidth, scoreHeight, every int) string {
	b, err := json.Marshal(trialMaterial(id, r, p, model, scoreWidth, scoreHeight, every))
	if err != nil {
		panic("activities: trial key: " + err.Error()) // plain data; cannot happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
