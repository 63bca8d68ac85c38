package workflows

import (
	"encoding/json"
	"testing"
)

// perTitleOfSize is a per-title analysis with ranges sampled ranges over
// points grid points, every (point, range) result filled.
func perTitleOfSize(ranges, points int) *PerTitle {
	pt := &PerTitle{Trials: TrialEncodeOutput{FPS: 25, Model: "vmaf_v0.6.1"}}
	for k := range ranges {
		pt.Sample = append(pt.Sample, TrialRange{Shot: k, StartFrame: 50 * k, Frames: 50, Weight: 50})
		pt.Of = append(pt.Of, k)
	}
	for p := range points {
		res := TrialResult{TrialPoint: TrialPoint{Width: 1280, Height: 720, Codec: "h264", CRF: float64(18 + p)}, BitrateKbps: 3000, VMAF: 90}
		for k := range ranges {
			res.Shots = append(res.Shots, TrialShot{Range: k, Shot: k, StartFrame: 50 * k, Frames: 50, Weight: 50,
				Bits: 1234567.5, BitrateKbps: 2345.67, VMAF: 91.234567, VMAFMin: 80.12345})
		}
		pt.Trials.Results = append(pt.Trials.Results, res)
	}
	return pt
}

func TestPerTitleForReport(t *testing.T) {
	for _, c := range []struct {
		name           string
		ranges, points int
		trimmed        bool
	}{
		{"nil", 0, 0, false},
		{"short title", 8, 30, false},
		{"at the bound", ReportTrialShotsMax / 25, 25, false},
		{"just over", ReportTrialShotsMax/25 + 1, 25, true},
		{"two-hour title, every chunk", 1440, 30, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pt *PerTitle
			if c.ranges > 0 {
				pt = perTitleOfSize(c.ranges, c.points)
			}
			got := perTitleForReport(pt)
			if pt == nil {
				if got != nil {
					t.Fatal("nil analysis came back non-nil")
				}
				return
			}
			shots := 0
			for _, r := range got.Trials.Results {
				shots += len(r.Shots)
			}
			if c.trimmed != (shots == 0) {
				t.Fatalf("%d range results kept, trimmed=%v wanted", shots, c.trimmed)
			}
			// The original is the workflow's own state: never changed.
			for _, r := range pt.Trials.Results {
				if len(r.Shots) != c.ranges {
					t.Fatalf("original lost its ranges: %d", len(r.Shots))
				}
			}
			if len(got.Trials.Results) != c.points || len(got.Sample) != c.ranges || got.Trials.Results[0].VMAF != 90 {
				t.Fatalf("title estimates or sample changed: %d points, %d ranges", len(got.Trials.Results), len(got.Sample))
			}
			b, err := json.Marshal(WriteReportInput{PerTitle: got})
			if err != nil {
				t.Fatal(err)
			}
			// Half of Temporal's 2 MB default payload limit: the rest of
			// the input (chunks, scores, rungs) needs room too.
			if len(b) > 1<<20 {
				t.Errorf("WriteReport input with this analysis is %d bytes, over 1 MiB", len(b))
			}
		})
	}
}
