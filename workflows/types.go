// Package workflows holds reel's deterministic Temporal workflow code: what
// happens to a title, in what order, with what retries. Everything that
// touches media, storage or the clock is an activity (package
// workflows/activities); this package has no cgo and no I/O.
package workflows

import (
	"strings"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/plan"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
)

// Task queues. A `reel worker` serves any subset; the embedded mode serves all.
const (
	// QueueWorkflow runs workflow tasks.
	QueueWorkflow = "reel"
	// QueueIO runs probe, report and other I/O-bound activities.
	QueueIO = "reel-io"
	// QueueCPU runs analysis and scoring.
	QueueCPU = "reel-cpu"
	// QueueEncode runs encodes; its worker's concurrency is the encode cap.
	QueueEncode = "reel-encode"
)

// AllQueues lists every task queue reel uses.
var AllQueues = []string{QueueWorkflow, QueueIO, QueueCPU, QueueEncode}

// Activity names, as registered from the methods of activities.Activities.
const (
	ActivityProbe        = "Probe"
	ActivityEncodeLadder = "EncodeLadder"
	ActivityScoreRungs   = "ScoreRungs"
	ActivityWriteReport  = "WriteReport"
)

// Non-retryable application error types. Activities map bad input to these
// once, at their boundary; the CLI and an ingest system can switch on them.
const (
	ErrTypeNotFound        = "NotFound"
	ErrTypeEmptyInput      = "EmptyInput"
	ErrTypeInvalidMedia    = "InvalidMedia"
	ErrTypeTruncatedMedia  = "TruncatedMedia"
	ErrTypeNoVideo         = "NoVideoStream"
	ErrTypeUnsupported     = "Unsupported"
	ErrTypeInvalidSettings = "InvalidSettings"
	ErrTypeInvalidRequest  = "InvalidRequest"

	// ErrTypeCorruptMedia: the source's video stream loses frames whose
	// data lies inside the file (damaged bytes), as opposed to a file that
	// ends early (TruncatedMedia); the message names the first such frame.
	ErrTypeCorruptMedia = "CorruptMedia"
)

// NonRetryableErrorTypes are never retried by the workflow's retry policies.
var NonRetryableErrorTypes = []string{
	ErrTypeNotFound, ErrTypeEmptyInput, ErrTypeInvalidMedia, ErrTypeTruncatedMedia,
	ErrTypeCorruptMedia, ErrTypeNoVideo, ErrTypeUnsupported, ErrTypeInvalidSettings, ErrTypeInvalidRequest,
	ErrTypeNoAudio, ErrTypeSourceChanged, ErrTypeAccessDenied,
}

// EncodeTitleName is the registered name of the EncodeTitle workflow.
const EncodeTitleName = "EncodeTitle"

// TitleRequest is the input of EncodeTitle: what an ingest system sends.
type TitleRequest struct {
	// TitleID identifies the title; the workflow id is derived from it.
	TitleID string `json:"title_id"`
	// Source is the mezzanine's location (an absolute local path for now).
	Source string `json:"source"`
	// Out is the output location: rungs/ and report.json go under it.
	Out string `json:"out"`
	// Profile is the encode profile, already validated.
	Profile profile.Profile `json:"profile"`
	// Cache is the directory of content-addressed chunk encodes; every
	// worker must see it. Default: <out>/.chunks.
	Cache string `json:"cache,omitempty"`
	// Request is the request's identity (title, source identity, profile
	// hash, output), recorded in the workflow's memo and in report.json;
	// nil in histories from before it was recorded.
	Request *request.Identity `json:"request,omitempty"`
}

// TitleResult is the output of EncodeTitle.
type TitleResult struct {
	ReportPath string `json:"report_path"`
	// ReportHTML is report.html's location (empty when it was not
	// rendered).
	ReportHTML string             `json:"report_html,omitempty"`
	Rungs      []media.RungOutput `json:"rungs"`
	Scores     []RungScore        `json:"scores"`
	SourceQC   QCSummary          `json:"source_qc"`
	Audio      []AudioOutput      `json:"audio,omitempty"`
	// Chunks is how many chunks the title was encoded in (0: one pass),
	// ReusedChunks how many came from the cache.
	Chunks       int      `json:"chunks,omitempty"`
	ReusedChunks int      `json:"reused_chunks,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
	// Ladder is the profile's ladder mode ("per-title" or "fixed").
	Ladder string `json:"ladder,omitempty"`
	// PerTitle holds a per-title ladder's rungs, highest first as Rungs:
	// each one's CRF, predicted bitrate and VMAF, and per-chunk CRFs and
	// heights (report.json's ladder section has the rest).
	PerTitle []PerTitleRung `json:"per_title,omitempty"`
	// Comparison is the per-title ladder against the reference ladder, as
	// in report.json (nil for a fixed ladder).
	Comparison *LadderComparison `json:"comparison,omitempty"`
	// Gate is the QC gate's outcome; Package says where the package is
	// (nil when the profile packages nothing).
	Gate    *GateState     `json:"gate,omitempty"`
	Package *PackageOutput `json:"package,omitempty"`
}

// LadderComparison is a per-title ladder against the reference ladder
// (Apple's HLS H.264 ladder placed on the title). BD figures are fractions
// (−0.2: 20% fewer bits at equal VMAF) and nil when they cannot be
// computed; report.json says why.
type LadderComparison struct {
	Reference       string   `json:"reference"`
	BDRateMeasured  *float64 `json:"bd_rate_measured"`
	BDRatePredicted *float64 `json:"bd_rate_predicted"`
	BDVMAFMeasured  *float64 `json:"bd_vmaf_measured"`
	// BDRateMeasuredError says why BDRateMeasured is missing (report.json's
	// bd_rate_measured_error), e.g. a reference capped at a small source
	// that keeps fewer than the 4 distinct points BD needs.
	BDRateMeasuredError string `json:"bd_rate_measured_error,omitempty"`
}

// WorkflowID returns the workflow id of a title's encode: the same title
// always maps to the same id, so it is never encoded twice at once.
func WorkflowID(titleID string) string { return "reel-title/" + titleID }

// TitleIDFromWorkflowID is the inverse of WorkflowID; ok is false for ids
// reel did not make.
func TitleIDFromWorkflowID(id string) (string, bool) {
	return strings.CutPrefix(id, "reel-title/")
}

// ProbeInput is the input of the Probe activity.
type ProbeInput struct {
	Source string `json:"source"`
}

// EncodeLadderInput is the input of the EncodeLadder activity.
type EncodeLadderInput struct {
	Source string           `json:"source"`
	Out    string           `json:"out"`
	Rungs  []media.RungSpec `json:"rungs"`
	// Frames is the source's frame count from the probe (0 if unknown),
	// used for progress.
	Frames int `json:"frames"`
}

// EncodeLadderOutput is the output of the EncodeLadder activity.
type EncodeLadderOutput struct {
	Rungs []media.RungOutput `json:"rungs"`
}

// ScoreRungsInput is the input of the ScoreRungs activity.
type ScoreRungsInput struct {
	Source string `json:"source"`
	Out    string `json:"out"`
	// RungQC runs the QC checks on every rung in the same pass, with QC's
	// thresholds (as AnalyzeInput.QC; nil keeps the defaults).
	RungQC bool           `json:"rung_qc,omitempty"`
	QC     map[string]any `json:"qc,omitempty"`
	// FrameRate is the source's, "num/den", for QC timecodes.
	FrameRate string             `json:"frame_rate,omitempty"`
	Rungs     []media.RungOutput `json:"rungs"`
	Frames    int                `json:"frames"`
}

// RungScore is the measured quality of one rung: the rung decoded,
// upscaled (bicubic) to the source size and compared with the source, as
// Netflix scores ladder rungs.
type RungScore struct {
	ID     string `json:"id"`
	Frames int    `json:"frames"`
	// VMAF pooled over the rung's frames (model vmaf_v0.6.1).
	VMAF Summary `json:"vmaf"`
	// PSNRY is the mean per-frame PSNR of luma, in dB.
	PSNRY float64 `json:"psnr_y"`
	// ScoresPath is the libvmaf-format JSON with every frame's metrics.
	ScoresPath string `json:"scores_path"`
	// QC of the rung, when the checks ran.
	QC *QCSummary `json:"qc,omitempty"`
}

// Summary pools one metric over frames.
type Summary struct {
	Mean         float64 `json:"mean"`
	HarmonicMean float64 `json:"harmonic_mean"`
	Min          float64 `json:"min"`
	Max          float64 `json:"max"`
	P1           float64 `json:"p1"`
	P5           float64 `json:"p5"`
	P10          float64 `json:"p10"`
}

// ScoreRungsOutput is the output of the ScoreRungs activity.
type ScoreRungsOutput struct {
	Scores  []RungScore `json:"scores"`
	Seconds float64     `json:"seconds"`
}

// WriteReportInput is the input of the WriteReport activity.
type WriteReportInput struct {
	TitleID    string             `json:"title_id"`
	WorkflowID string             `json:"workflow_id"`
	RunID      string             `json:"run_id"`
	Source     media.SourceInfo   `json:"source"`
	Out        string             `json:"out"`
	Profile    string             `json:"profile"`
	Specs      []media.RungSpec   `json:"specs"`
	Rungs      []media.RungOutput `json:"rungs"`
	Scores     []RungScore        `json:"scores"`
	Timings    map[string]float64 `json:"timings"`
	Warnings   []string           `json:"warnings"`
	SourceQC   *QCSummary         `json:"source_qc,omitempty"`
	Shots      []Shot             `json:"shots,omitempty"`
	Audio      []AudioOutput      `json:"audio,omitempty"`
	Chunks     []plan.Chunk       `json:"chunks,omitempty"`
	// ReusedChunks counts chunks taken from the cache; Concealed lists
	// source frames that failed to decode and were concealed.
	ReusedChunks int   `json:"reused_chunks,omitempty"`
	Concealed    []int `json:"concealed,omitempty"`
	// PerTitle is the per-title ladder's analysis and choices (nil for a
	// fixed ladder).
	PerTitle *PerTitle `json:"per_title,omitempty"`
	// Request is the title's request identity (TitleRequest.Request).
	Request *request.Identity `json:"request,omitempty"`
	// SegmentSeconds is the package's segment duration.
	SegmentSeconds float64 `json:"segment_seconds,omitempty"`
	// Gate is the QC gate's outcome and Package the package (nil before
	// the qc-gate-package version, or when nothing was packaged).
	Gate    *GateState     `json:"gate,omitempty"`
	Package *PackageOutput `json:"package,omitempty"`
}

// WriteReportOutput is the output of the WriteReport activity.
type WriteReportOutput struct {
	Path string `json:"path"`
	// HTMLPath is report.html's location, beside Path (empty when it
	// could not be rendered, or from a worker that did not render it).
	HTMLPath string `json:"html_path,omitempty"`
	// Comparison is the report's per-title ladder comparison (nil
	// without one).
	Comparison *LadderComparison `json:"comparison,omitempty"`
}

// ActivityProgress is what a client reads from a long activity's heartbeat
// details (DescribeWorkflowExecution → pending activities) to draw progress.
// Activities record one JSON object that has at least these two fields; the
// rest of it is theirs, for resuming.
type ActivityProgress struct {
	Done  int `json:"done"`
	Total int `json:"total"`
}
