package workflows

// ReportTrialShotsMax bounds the per-range trial results (ranges × grid
// points, TrialResult.Shots) that travel to the WriteReport activity in
// its input. One is about 270 bytes of JSON, so 4,000 keep that input near
// 1 MB, half of Temporal's default 2 MB payload limit; a 2-hour title
// analysed chunk by chunk has about 1,440 ranges × 30 points (13 MB),
// which the server would refuse, failing the title after all its work.
// Every range's results stay in the trial cache (TrialEncodeInput.Cache).
const ReportTrialShotsMax = 4000

// perTitleForReport returns pt as WriteReport receives it: pt itself while
// its per-range trial results number at most ReportTrialShotsMax, else a
// copy without them (the title estimates of every grid point, the sample,
// the hull and the rungs are kept; the report says the ranges were left
// out). The activity's input is not part of what a replay compares, so
// this needs no workflow version.
func perTitleForReport(pt *PerTitle) *PerTitle {
	if pt == nil {
		return nil
	}
	n := 0
	for _, r := range pt.Trials.Results {
		n += len(r.Shots)
	}
	if n <= ReportTrialShotsMax {
		return pt
	}
	out := *pt
	out.Trials.Results = make([]TrialResult, len(pt.Trials.Results))
	for i, r := range pt.Trials.Results {
		r.Shots = nil
		out.Trials.Results[i] = r
	}
	return &out
}
