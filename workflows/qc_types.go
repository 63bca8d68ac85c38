package workflows

// ActivityAnalyze is the activity that decodes the source once for its QC
// checks and shot boundaries.
const ActivityAnalyze = "Analyze"

// AnalyzeInput is the input of the Analyze activity.
type AnalyzeInput struct {
	Source string `json:"source"`
	Out    string `json:"out"`
	// QC overrides the checks' default thresholds (vision.Config fields as
	// JSON/YAML keys); nil keeps the defaults.
	QC map[string]any `json:"qc,omitempty"`
	// Frames is the probe's frame count, for progress.
	Frames int `json:"frames"`
}

// Shot is a run of source frames between two boundaries, [Start, End).
type Shot struct {
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
	Kind       string  `json:"kind"`
}

// QCSummary is the gist of one stream's QC result; the whole result is in
// the JSON file at Path.
type QCSummary struct {
	Path string `json:"path"`
	// Events counts events per severity ("info", "warning", "blocker";
	// "error" in titles analysed before severities came from the profile).
	Events  map[string]int `json:"events"`
	Skipped []string       `json:"skipped,omitempty"`
}

// AnalyzeOutput is the output of the Analyze activity.
type AnalyzeOutput struct {
	Shots []Shot    `json:"shots"`
	QC    QCSummary `json:"qc"`
}
