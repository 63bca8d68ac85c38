package activities

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/workflows"
)

// The gate lists a black stretch the profile makes a blocker (read from
// the QC file a real analysis wrote, with its timecodes and thumbnail),
// and its own checks: a rung's frame count and duration, a rung below the
// VMAF floor, concealed frames. Black under the default severity is not
// a blocker.
func TestGateCheck(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "black.mp4")
	// 25 fps: frames 50–124 black.
	mediatest.Clip(t, src, mediatest.ClipOptions{Source: "testsrc2=size=320x240:rate=25:duration=6",
		VF: "drawbox=enable='between(n,50,124)':color=black:t=fill", Codec: "libx264", PixFmt: "yuv420p"})
	env, _ := actEnv(t)
	analyze := func(out string, qc map[string]any) workflows.AnalyzeOutput {
		t.Helper()
		v, err := env.ExecuteActivity(workflows.ActivityAnalyze, workflows.AnalyzeInput{Source: src, Out: out, QC: qc, Frames: 150})
		if err != nil {
			t.Fatal(err)
		}
		var a workflows.AnalyzeOutput
		if err := v.Get(&a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	gate := func(in workflows.GateCheckInput) []workflows.Blocker {
		t.Helper()
		v, err := env.ExecuteActivity(workflows.ActivityGateCheck, in)
		if err != nil {
			t.Fatal(err)
		}
		var g workflows.GateCheckOutput
		if err := v.Get(&g); err != nil {
			t.Fatal(err)
		}
		return g.Blockers
	}
	base := func(qc workflows.QCSummary, out string) workflows.GateCheckInput {
		return workflows.GateCheckInput{Out: out, SourceQC: &qc, SourceFrames: 150, SourceSeconds: 6, FrameSeconds: 0.04,
			Rungs:  []workflows.RungFrames{{ID: "360p", Frames: 150, DurationSec: 6}},
			Scores: []workflows.RungScore{{ID: "360p", VMAF: workflows.Summary{Mean: 90}}}}
	}

	outDefault := filepath.Join(dir, "default")
	if bs := gate(base(analyze(outDefault, nil).QC, outDefault)); len(bs) != 0 {
		t.Fatalf("default severities: blockers %+v", bs)
	}

	out := filepath.Join(dir, "blocker")
	a := analyze(out, map[string]any{"black": map[string]any{"severity": "blocker"}})
	bs := gate(base(a.QC, out))
	if len(bs) != 1 {
		t.Fatalf("blockers %+v, want the black stretch", bs)
	}
	b := bs[0]
	if b.Check != "black" || b.Stream != "source" || b.StartFrame != 50 || b.EndFrame != 125 || b.StartTC != "00:00:02:00" || !strings.HasPrefix(b.Thumbnail, "qc/") {
		t.Fatalf("blocker %+v", b)
	}

	in := base(a.QC, out)
	in.Rungs = append(in.Rungs, workflows.RungFrames{ID: "180p", Frames: 149, DurationSec: 5.96})
	in.Scores = append(in.Scores, workflows.RungScore{ID: "180p", VMAF: workflows.Summary{Mean: 25}})
	in.MinVMAF, in.Concealed = 30, []int{7, 8}
	got := map[string]string{}
	for _, b := range gate(in) {
		got[b.Check] = b.Stream
	}
	for check, stream := range map[string]string{"black": "source", "frame_count": "180p", "duration": "180p", "min_vmaf": "180p", "concealed": "source"} {
		if got[check] != stream {
			t.Errorf("no %s blocker on %s: %v", check, stream, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("blockers %v, want 5 kinds", got)
	}
}
