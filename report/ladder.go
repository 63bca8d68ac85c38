package report

// Ladder says how the rungs were chosen. For a per-title ladder it holds
// the complexity analysis (trial grid and results), the title's convex
// hull, each rung's prediction next to its measurement, the per-shot
// plan, and the comparison with the fixed reference ladder.
type Ladder struct {
	// Mode is "per-title" or "fixed".
	Mode string `json:"mode"`
	// Trials is the complexity analysis (per-title only).
	Trials *Trials `json:"trials,omitempty"`
	// Hull is the title's upper convex hull in (bitrate, VMAF) of the
	// grid points' title estimates, by increasing bitrate.
	Hull []LadderPoint `json:"hull,omitempty"`
	// Rungs are the chosen rungs, highest first, predicted and measured.
	Rungs []LadderRung `json:"rungs,omitempty"`
	// PerShot tells whether each chunk of a rung got its own CRF.
	PerShot bool `json:"per_shot"`
	// Reference compares the ladder with a fixed reference ladder.
	Reference *Reference `json:"reference,omitempty"`
}

// Trials is the per-title complexity analysis: every grid point encoded
// on every sampled range and scored with VMAF at the score size.
type Trials struct {
	// Sample lists the trial-encoded ranges of the source.
	Sample []TrialRange `json:"sample"`
	// Grid has one entry per grid point.
	Grid []GridPoint `json:"grid"`
	// FPS turned bits per frame into kbit/s; VMAF was measured at
	// ScoreWidth×ScoreHeight with Model.
	FPS         float64 `json:"fps"`
	ScoreWidth  int     `json:"score_width"`
	ScoreHeight int     `json:"score_height"`
	Model       string  `json:"model"`
	// Encoded and Reused count (range, point) results made by this run
	// and found in the cache.
	Encoded int `json:"encoded"`
	Reused  int `json:"reused"`
	// RangesOmitted tells that Grid's per-range results (GridPoint.Ranges)
	// were left out: too many for the workflow to carry to the report (a
	// long title analysed chunk by chunk); they stay in the trial cache.
	RangesOmitted bool `json:"ranges_omitted,omitempty"`
	// Analysis is how every chunk was measured (runs with the
	// every-chunk analysis; nil for a sampled one).
	Analysis *TrialAnalysis `json:"analysis,omitempty"`
}

// TrialAnalysis is the every-chunk analysis: fast trial encodes of every
// chunk (Preset, CRFs, VMAF on one frame in VMAFEvery, at most
// WindowFrames from each chunk's start), mapped to the final encode's
// settings by offsets measured on CalibrationChunks (also encoded on the
// full grid at the final preset).
type TrialAnalysis struct {
	Preset             string             `json:"preset"`
	CRFs               []float64          `json:"crfs"`
	VMAFEvery          int                `json:"vmaf_every"`
	WindowFrames       int                `json:"window_frames"`
	CalibrationChunks  []int              `json:"calibration_chunks"`
	Calibration        []CalibrationPoint `json:"calibration"`
	FastSeconds        float64            `json:"fast_seconds"`
	CalibrationSeconds float64            `json:"calibration_seconds"`
}

// CalibrationPoint is one grid point's fitted mapping from the fast
// preset to the final one: mean offsets of ln(bits) and VMAF over the
// calibration chunks, and the mean errors before (Raw) and after (Fit)
// applying them.
type CalibrationPoint struct {
	Width        int     `json:"width"`
	Height       int     `json:"height"`
	CRF          float64 `json:"crf"`
	LogBits      float64 `json:"log_bits"`
	VMAF         float64 `json:"vmaf"`
	Stretches    int     `json:"stretches"`
	RawVMAFError float64 `json:"raw_vmaf_error"`
	FitVMAFError float64 `json:"fit_vmaf_error"`
	RawBitsError float64 `json:"raw_bits_error"`
	FitBitsError float64 `json:"fit_bits_error"`
}

// TrialRange is one sampled range: frames [Start, Start+Frames) of the
// source, standing for Weight frames of the title. Shot indexes the span it
// was drawn from: a chunk of the title (a shot in runs before the
// sample-chunks workflow version).
type TrialRange struct {
	Shot   int     `json:"shot"`
	Start  int     `json:"start"`
	Frames int     `json:"frames"`
	Weight float64 `json:"weight"`
}

// LadderPoint is one encode setting and its (predicted) rate and quality.
type LadderPoint struct {
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	Codec       string  `json:"codec"`
	CRF         float64 `json:"crf"`
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
}

// GridPoint is one trial grid point: its title estimate (embedded) and
// its result on each sampled range (Ranges[i] is Trials.Sample[i]).
type GridPoint struct {
	LadderPoint
	Ranges []GridRange `json:"ranges"`
}

// GridRange is one grid point's result on one sampled range.
type GridRange struct {
	BitrateKbps float64 `json:"bitrate_kbps"`
	VMAF        float64 `json:"vmaf"`
	VMAFMin     float64 `json:"vmaf_min"`
	// Reused is true when the result came from the trial cache.
	Reused bool `json:"reused"`
}

// LadderRung is one chosen rung of a per-title ladder.
type LadderRung struct {
	ID     string  `json:"id"`
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Codec  string  `json:"codec"`
	CRF    float64 `json:"crf"`
	// Interpolated is true when the rung's CRF lies between trial CRFs.
	Interpolated bool `json:"interpolated"`
	// PredictedKbps and PredictedVMAF are what the trial encodes
	// predicted (with per-shot CRFs, the per-shot plan's prediction);
	// MeasuredKbps and MeasuredVMAF are the encoded rung's (its file's
	// bitrate, container included, and its mean VMAF).
	PredictedKbps float64 `json:"predicted_kbps"`
	PredictedVMAF float64 `json:"predicted_vmaf"`
	MeasuredKbps  float64 `json:"measured_kbps"`
	MeasuredVMAF  float64 `json:"measured_vmaf"`
	// ChunkCRFs are the per-shot plan's CRF of each chunk (Chunks.Plan
	// order), ChunkHeights its height when chunks may change resolution
	// (width follows the source's aspect; Height is the largest);
	// UniformKbps the predicted bitrate with every chunk at CRF and the
	// rung's size.
	ChunkCRFs    []float64 `json:"chunk_crfs,omitempty"`
	ChunkHeights []int     `json:"chunk_heights,omitempty"`
	UniformKbps  float64   `json:"uniform_kbps,omitempty"`
}

// Reference is a fixed reference ladder placed on the title and the
// Bjøntegaard deltas of the chosen ladder against it. The reference is
// not encoded: each of its rungs gets the VMAF the title's trial curve at
// its size predicts at its bitrate (unpredicted outside the curve). The BD
// measures use the rungs of each ladder whose VMAF is above every cheaper
// rung's of the same ladder.
type Reference struct {
	Name  string          `json:"name"`
	Rungs []ReferenceRung `json:"rungs"`
	// BDRatePredicted compares the rungs' predictions with the
	// reference's; BDRateMeasured the rungs' measurements with it. Both
	// are fractions (−0.2: 20% fewer bits at equal VMAF); nil with the
	// reason in the *_error field when they cannot be computed (fewer
	// than 4 points, no overlap).
	BDRatePredicted      *float64 `json:"bd_rate_predicted"`
	BDRatePredictedError string   `json:"bd_rate_predicted_error,omitempty"`
	BDRateMeasured       *float64 `json:"bd_rate_measured"`
	BDRateMeasuredError  string   `json:"bd_rate_measured_error,omitempty"`
	// BDVMAFMeasured is the mean VMAF gain at equal bitrate of the
	// measured rungs over the reference.
	BDVMAFMeasured      *float64 `json:"bd_vmaf_measured"`
	BDVMAFMeasuredError string   `json:"bd_vmaf_measured_error,omitempty"`
}

// ReferenceRung is one reference rung on the title.
type ReferenceRung struct {
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	BitrateKbps   float64 `json:"bitrate_kbps"`
	PredictedVMAF float64 `json:"predicted_vmaf"`
	Predicted     bool    `json:"predicted"`
	// Dominated is true when a cheaper reference rung predicts at least
	// the same VMAF: the rung is left out of the BD measures.
	Dominated bool `json:"dominated,omitempty"`
}
