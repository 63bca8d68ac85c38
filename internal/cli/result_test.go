package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/workflows"
)

// TestPrintResultPerTitle: the text summary of a per-title run gives the
// BD figures against the reference and, under each rung, its CRF, what was
// predicted and the span of its chunks' CRFs and sizes.
func TestPrintResultPerTitle(t *testing.T) {
	bd, pred, vm := -0.142, -0.12, 3.71
	rung := func(id string, h int, crf float64) workflows.PerTitleRung {
		return workflows.PerTitleRung{ID: id, Rung: ladder.Rung{Point: ladder.Point{Height: h, CRF: crf}, Interpolated: true}}
	}
	top := rung("720p", 720, 19)
	top.PredictedKbps, top.PredictedVMAF = 2400, 94.5
	top.ChunkCRFs, top.ChunkHeights, top.UniformKbps = []float64{18, 20, 19}, []int{540, 720, 720}, 2500
	low := rung("360p", 360, 28)
	low.PredictedKbps, low.PredictedVMAF = 300, 61
	low.ChunkCRFs, low.ChunkHeights, low.UniformKbps = []float64{28, 28, 28}, []int{360, 360, 360}, 300
	cases := []struct {
		name string
		res  workflows.TitleResult
		want []string // lines, in order
		not  []string
	}{
		{
			name: "per-title with per-shot plan",
			res: workflows.TitleResult{
				Ladder: "per-title", ReportPath: "/o/report.json",
				Rungs:      []media.RungOutput{{ID: "720p", Width: 1280, Height: 720, BitrateKbps: 2450}, {ID: "360p", Width: 640, Height: 360, BitrateKbps: 310}},
				PerTitle:   []workflows.PerTitleRung{top, low},
				Comparison: &workflows.LadderComparison{Reference: "Apple HLS", BDRateMeasured: &bd, BDRatePredicted: &pred, BDVMAFMeasured: &vm},
			},
			want: []string{
				"ladder: per-title",
				"against Apple HLS: BD-rate -14.2% measured (-12.0% predicted), BD-VMAF +3.71",
				"720p",
				"CRF 19, predicted 2400 kb/s VMAF 94.50; 3 chunks at CRF 18–20, 540–720p (-4.0% bits against one CRF)",
				"360p",
				"CRF 28, predicted 300 kb/s VMAF 61.00; 3 chunks at CRF 28, 360p\n",
				"report: /o/report.json",
			},
			not: []string{"no BD-rate"},
		},
		{
			name: "per-title without a BD-rate",
			res: workflows.TitleResult{
				Ladder: "per-title", Rungs: []media.RungOutput{{ID: "720p"}},
				PerTitle:   []workflows.PerTitleRung{{ID: "720p", Rung: ladder.Rung{Point: ladder.Point{CRF: 23}}, PredictedKbps: 1000, PredictedVMAF: 90}},
				Comparison: &workflows.LadderComparison{Reference: "Apple HLS", BDRateMeasuredError: "reference curve: 1 distinct points"},
			},
			want: []string{"BD-rate n/a measured (n/a predicted), BD-VMAF n/a", "(no BD-rate: reference curve: 1 distinct points)", "CRF 23, predicted 1000 kb/s VMAF 90.00\n"},
			not:  []string{"chunks at"},
		},
		{
			name: "one chunk",
			res: workflows.TitleResult{
				Ladder: "per-title", Rungs: []media.RungOutput{{ID: "720p"}},
				PerTitle: []workflows.PerTitleRung{{ID: "720p", Rung: ladder.Rung{Point: ladder.Point{CRF: 23}}, PredictedKbps: 1000, PredictedVMAF: 90,
					ChunkCRFs: []float64{23}, ChunkHeights: []int{720}, UniformKbps: 1000}},
			},
			want: []string{"CRF 23, predicted 1000 kb/s VMAF 90.00\n"},
			not:  []string{"chunks at"},
		},
		{
			name: "fixed",
			res:  workflows.TitleResult{Ladder: "fixed", Rungs: []media.RungOutput{{ID: "720p"}}},
			want: []string{"ladder: fixed", "720p"},
			not:  []string{"predicted", "BD-rate"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			printResult(&Env{Stdout: &out, Stderr: &out}, tc.res, false)
			text := out.String()
			rest := text
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("no %q (in order) in\n%s", w, text)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tc.not {
				if strings.Contains(text, n) {
					t.Errorf("%q in\n%s", n, text)
				}
			}
		})
	}
}
