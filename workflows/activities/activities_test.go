package activities

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/workflows"
)

const clip = "../../testdata/media/bigbuckbunny.mp4"

func actEnv(t *testing.T) (*testsuite.TestActivityEnvironment, *Activities) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := New(Libav(), nil)
	env.RegisterActivity(a)
	return env, a
}

func TestProbeRealClip(t *testing.T) {
	env, _ := actEnv(t)
	v, err := env.ExecuteActivity(workflows.ActivityProbe, workflows.ProbeInput{Source: clip})
	if err != nil {
		t.Fatal(err)
	}
	var info media.SourceInfo
	if err := v.Get(&info); err != nil {
		t.Fatal(err)
	}
	vs := info.Video()
	if vs == nil || vs.Width != 1280 || vs.Height != 720 || vs.FrameCount != 132 {
		t.Fatalf("video stream %+v", vs)
	}
}

func TestProbeBadInputIsNonRetryable(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.mov")
	text := filepath.Join(dir, "text.mp4")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(text, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, typ string }{
		{"missing", filepath.Join(dir, "nope.mov"), workflows.ErrTypeNotFound},
		{"empty", empty, workflows.ErrTypeEmptyInput},
		{"text", text, workflows.ErrTypeInvalidMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _ := actEnv(t)
			_, err := env.ExecuteActivity(workflows.ActivityProbe, workflows.ProbeInput{Source: tt.path})
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != tt.typ || !app.NonRetryable() {
				t.Fatalf("err = %v, want non-retryable %s", err, tt.typ)
			}
		})
	}
}

var rungs = []media.RungSpec{
	{ID: "small", Width: 320, Height: 180, Codec: "h264", CRF: 28, Preset: "ultrafast", GOPFrames: 50},
	{ID: "mid", Width: 640, Height: 360, Codec: "h264", CRF: 24, Preset: "ultrafast", GOPFrames: 50},
}

func encodeClip(t *testing.T, env *testsuite.TestActivityEnvironment, out string) workflows.EncodeLadderOutput {
	t.Helper()
	v, err := env.ExecuteActivity(workflows.ActivityEncodeLadder, workflows.EncodeLadderInput{Source: clip, Out: out, Rungs: rungs, Frames: 132})
	if err != nil {
		t.Fatal(err)
	}
	var res workflows.EncodeLadderOutput
	if err := v.Get(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEncodeScoreAndReportOnRealClip(t *testing.T) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		t.Skip("ffprobe not installed")
	}
	out := t.TempDir()
	env, _ := actEnv(t)
	enc := encodeClip(t, env, out)
	if len(enc.Rungs) != 2 {
		t.Fatalf("%d rungs", len(enc.Rungs))
	}
	for i, r := range enc.Rungs {
		if r.Path != RungPath(out, rungs[i].ID) || r.Frames != 132 || r.Width != rungs[i].Width {
			t.Fatalf("rung %+v", r)
		}
	}

	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: clip, Rungs: enc.Rungs, Frames: 132})
	if err != nil {
		t.Fatal(err)
	}
	var sc workflows.ScoreRungsOutput
	if err := v.Get(&sc); err != nil {
		t.Fatal(err)
	}
	if len(sc.Scores) != 2 || sc.Scores[0].Frames != 132 {
		t.Fatalf("scores %+v", sc)
	}
	// The lower, coarser rung is worse; both are plausible H.264 PSNRs.
	if !(sc.Scores[0].PSNRY < sc.Scores[1].PSNRY) || sc.Scores[0].PSNRY < 25 || sc.Scores[1].PSNRY > 55 {
		t.Fatalf("implausible PSNRs %+v", sc.Scores)
	}

	v, err = env.ExecuteActivity(workflows.ActivityWriteReport, workflows.WriteReportInput{
		TitleID: "bbb", Out: out, Source: media.SourceInfo{URI: clip}, Specs: rungs, Rungs: enc.Rungs, Scores: sc.Scores,
	})
	if err != nil {
		t.Fatal(err)
	}
	var wr workflows.WriteReportOutput
	if err := v.Get(&wr); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(wr.Path); err != nil {
		t.Fatal(err)
	}
}

// TestEncodeResumesFromHeartbeat: an attempt whose heartbeat recorded the
// finished outputs returns them without encoding again.
func TestEncodeResumesFromHeartbeat(t *testing.T) {
	out := t.TempDir()
	env, _ := actEnv(t)
	first := encodeClip(t, env, out)
	past := time.Now().Add(-time.Hour)
	for _, r := range first.Rungs {
		if err := os.Chtimes(r.Path, past, past); err != nil {
			t.Fatal(err)
		}
	}
	env2, _ := actEnv(t)
	env2.SetHeartbeatDetails(encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: 132, Total: 132}, Outputs: first.Rungs})
	second := encodeClip(t, env2, out)
	for i, r := range second.Rungs {
		st, err := os.Stat(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(past) || r != first.Rungs[i] {
			t.Fatalf("rung %s was encoded again", r.ID)
		}
	}
	// A heartbeat naming outputs that are gone is not trusted.
	if err := os.Remove(first.Rungs[0].Path); err != nil {
		t.Fatal(err)
	}
	env3, _ := actEnv(t)
	env3.SetHeartbeatDetails(encodeProgress{ActivityProgress: workflows.ActivityProgress{Done: 132, Total: 132}, Outputs: first.Rungs})
	third := encodeClip(t, env3, out)
	if _, err := os.Stat(third.Rungs[0].Path); err != nil {
		t.Fatalf("missing output not re-encoded: %v", err)
	}
}

// TestScoreResumesFromHeartbeat: frames counted in the heartbeat are not
// scored again; their sums come from the heartbeat.
func TestScoreResumesFromHeartbeat(t *testing.T) {
	out := t.TempDir()
	env, _ := actEnv(t)
	enc := encodeClip(t, env, out)
	in := workflows.ScoreRungsInput{Source: clip, Rungs: enc.Rungs, Frames: 132}
	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, in)
	if err != nil {
		t.Fatal(err)
	}
	var full workflows.ScoreRungsOutput
	if err := v.Get(&full); err != nil {
		t.Fatal(err)
	}
	// Pretend an attempt scored all of rung 0 and then died: its sum is in
	// the heartbeat, so the result for rung 0 is exactly that sum / frames.
	env2, _ := actEnv(t)
	const planted = 132 * 33.0
	env2.SetHeartbeatDetails(scoreState{ActivityProgress: workflows.ActivityProgress{Done: 132, Total: 264}, Frames: 132, Sums: []float64{planted, 0}})
	v, err = env2.ExecuteActivity(workflows.ActivityScoreRungs, in)
	if err != nil {
		t.Fatal(err)
	}
	var resumed workflows.ScoreRungsOutput
	if err := v.Get(&resumed); err != nil {
		t.Fatal(err)
	}
	if resumed.Scores[0].PSNRY != 33 {
		t.Fatalf("rung 0 was scored again: %v", resumed.Scores[0].PSNRY)
	}
	if resumed.Scores[1].PSNRY != full.Scores[1].PSNRY {
		t.Fatalf("rung 1: %v, want %v", resumed.Scores[1].PSNRY, full.Scores[1].PSNRY)
	}
}
