package workflows

import "time"

// The QC gate's activity, signal and error types.
const (
	// ActivityGateCheck reads a title's QC results and scores and lists
	// its blockers.
	ActivityGateCheck = "GateCheck"
	// ReviewSignal carries a reviewer's decision (Review) to a title held
	// at the gate (reel review).
	ReviewSignal = "qc-review"
	// ErrTypeQCRejected: a reviewer rejected the title at the gate.
	ErrTypeQCRejected = "QCRejected"
	// ErrTypeQCBlocked: the title has blockers and its profile's gate is
	// "fail", or a hold timed out (qc.gate_timeout).
	ErrTypeQCBlocked = "QCBlocked"
)

// Review decisions.
const (
	ReviewApprove = "approve"
	ReviewReject  = "reject"
)

// Gate states, as the progress query and the report give them.
const (
	GatePassed   = "passed"   // no blocker
	GateHeld     = "held"     // blockers; waiting for a review
	GateApproved = "approved" // blockers; a reviewer released the title
	GateRejected = "rejected" // blockers; a reviewer rejected the title
	GateBlocked  = "blocked"  // blockers and gate "fail", or the hold timed out
	GateSkipped  = "off"      // the profile's gate is off
)

// Blocker is one finding that holds a title at the gate: a QC event of a
// check whose severity is "blocker", or one of the gate's own checks
// ("frame_count", "duration", "min_vmaf", "concealed").
type Blocker struct {
	Check string `json:"check"`
	// Stream is "source" or a rung's id.
	Stream     string  `json:"stream"`
	StartFrame int     `json:"start_frame"`
	EndFrame   int     `json:"end_frame"`
	StartTC    string  `json:"start_tc,omitempty"`
	EndTC      string  `json:"end_tc,omitempty"`
	Value      float64 `json:"value"`
	Threshold  float64 `json:"threshold"`
	Detail     string  `json:"detail,omitempty"`
	// Thumbnail is the event's picture, relative to the title's output.
	Thumbnail string `json:"thumbnail,omitempty"`
}

// Review is a reviewer's decision at the gate.
type Review struct {
	// Decision is ReviewApprove or ReviewReject.
	Decision string `json:"decision"`
	By       string `json:"by,omitempty"`
	Note     string `json:"note,omitempty"`
	// At is when the workflow received it (workflow clock).
	At time.Time `json:"at"`
}

// GateState is the gate's state in the progress query, the result and
// the report.
type GateState struct {
	// Mode is the profile's gate: hold, fail or off.
	Mode string `json:"mode"`
	// State is one of GatePassed, GateHeld, GateApproved, GateRejected,
	// GateBlocked, GateSkipped.
	State    string    `json:"state"`
	Blockers []Blocker `json:"blockers,omitempty"`
	// HeldSince is when the title started waiting (workflow clock).
	HeldSince *time.Time `json:"held_since,omitempty"`
	Review    *Review    `json:"review,omitempty"`
}

// GateCheckInput is the input of the GateCheck activity.
type GateCheckInput struct {
	Out string `json:"out"`
	// SourceQC and the rungs' QC (RungScore.QC) name the QC result files.
	SourceQC *QCSummary   `json:"source_qc,omitempty"`
	Scores   []RungScore  `json:"scores"`
	Rungs    []RungFrames `json:"rungs"`
	// SourceFrames and SourceSeconds are the source's (probe).
	SourceFrames  int     `json:"source_frames"`
	SourceSeconds float64 `json:"source_seconds"`
	// FrameSeconds is one frame's duration: a rung may differ from the
	// source's duration by less than that.
	FrameSeconds float64 `json:"frame_seconds"`
	// MinVMAF is the ladder's floor (per-title min_vmaf; 0: none).
	MinVMAF float64 `json:"min_vmaf,omitempty"`
	// Concealed lists source frames concealed by the chunk encodes.
	Concealed []int `json:"concealed,omitempty"`
}

// RungFrames is what the gate checks of a rung's length.
type RungFrames struct {
	ID          string  `json:"id"`
	Frames      int     `json:"frames"`
	DurationSec float64 `json:"duration_seconds"`
}

// GateCheckOutput is the output of the GateCheck activity.
type GateCheckOutput struct {
	Blockers []Blocker `json:"blockers"`
}
