package activities

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/vmaf"
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
	mediatest.Need(t)
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

	v, err := env.ExecuteActivity(workflows.ActivityAnalyze, workflows.AnalyzeInput{Source: clip, Out: out, Frames: 132})
	if err != nil {
		t.Fatal(err)
	}
	var an workflows.AnalyzeOutput
	if err := v.Get(&an); err != nil {
		t.Fatal(err)
	}
	if len(an.Shots) == 0 || an.Shots[0].Start != 0 || an.Shots[len(an.Shots)-1].End != 132 {
		t.Fatalf("shots %+v", an.Shots)
	}
	if _, err := os.Stat(an.QC.Path); err != nil {
		t.Fatalf("source QC: %v", err)
	}

	v, err = env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: clip, Out: out, Rungs: enc.Rungs, Frames: 132, RungQC: true, FrameRate: "25/1"})
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
	// The lower, coarser rung is worse on both metrics; values plausible.
	lo, hi := sc.Scores[0], sc.Scores[1]
	if !(lo.PSNRY < hi.PSNRY) || lo.PSNRY < 25 || hi.PSNRY > 55 {
		t.Fatalf("implausible PSNRs %+v", sc.Scores)
	}
	if !(lo.VMAF.Mean < hi.VMAF.Mean) || lo.VMAF.Mean < 20 || hi.VMAF.Mean > 100 || lo.VMAF.Min > lo.VMAF.P1 || lo.VMAF.P1 > lo.VMAF.Mean {
		t.Fatalf("implausible VMAF %+v", sc.Scores)
	}
	res, err := readResult(lo.ScoresPath)
	if err != nil || len(res.Frames) != 132 {
		t.Fatalf("per-frame scores: %v", err)
	}

	for _, s := range sc.Scores {
		if s.QC == nil {
			t.Fatalf("rung %s has no QC", s.ID)
		}
		if _, err := os.Stat(s.QC.Path); err != nil {
			t.Fatalf("rung %s QC: %v", s.ID, err)
		}
	}
	v, err = env.ExecuteActivity(workflows.ActivityWriteReport, workflows.WriteReportInput{
		TitleID: "bbb", Out: out, Source: media.SourceInfo{URI: clip}, Specs: rungs, Rungs: enc.Rungs, Scores: sc.Scores,
		SourceQC: &an.QC, Shots: an.Shots,
	})
	if err != nil {
		t.Fatal(err)
	}
	var wr workflows.WriteReportOutput
	if err := v.Get(&wr); err != nil {
		t.Fatal(err)
	}
	if wr.Comparison != nil {
		t.Errorf("fixed ladder's report output has a per-title comparison %+v", wr.Comparison)
	}
	f, err := os.Open(wr.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.QC == nil || rep.QC.Source == nil || rep.QC.Source.Audio == nil || len(rep.QC.Rungs) != 2 || len(rep.Shots) != len(an.Shots) {
		t.Fatalf("report QC section %+v, shots %d", rep.QC, len(rep.Shots))
	}
	if rep.QC.Source.Path != "qc/source.json" {
		t.Fatalf("source QC path %q is not relative to the output", rep.QC.Source.Path)
	}
	if len(rep.Rungs[0].VMAF.PerFrame) != 132 {
		t.Fatalf("per-frame VMAF has %d values", len(rep.Rungs[0].VMAF.PerFrame))
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

// failingMedia fails reading the source after failAfter frames, like a
// worker dying mid-activity.
type failingMedia struct {
	Media
	source    string
	failAfter int
}

type failingFrames struct {
	Frames
	left int
}

func (f *failingFrames) Next() (*frame.Frame, error) {
	if f.left == 0 {
		return nil, errors.New("connection reset by peer")
	}
	f.left--
	return f.Frames.Next()
}

func (m failingMedia) OpenFrames(ctx context.Context, input string, opts FrameOptions) (Frames, error) {
	fr, err := m.Media.OpenFrames(ctx, input, opts)
	if err != nil || input != m.source {
		return fr, err
	}
	return &failingFrames{Frames: fr, left: m.failAfter}, nil
}

func scoreWith(t *testing.T, a *Activities, hb any, in workflows.ScoreRungsInput) (workflows.ScoreRungsOutput, any, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	if hb != nil {
		env.SetHeartbeatDetails(hb)
	}
	var last scoreState
	env.SetOnActivityHeartbeatListener(func(_ *activity.Info, d converter.EncodedValues) {
		_ = d.Get(&last)
	})
	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, in)
	var out workflows.ScoreRungsOutput
	if err == nil {
		err = v.Get(&out)
	}
	return out, last, err
}

// TestScoreResumesFromHeartbeat: an attempt that dies mid-title leaves its
// finished windows; the next attempt starts after them and ends with
// exactly the numbers of an uninterrupted run.
func TestScoreResumesFromHeartbeat(t *testing.T) {
	out := t.TempDir()
	env, _ := actEnv(t)
	enc := encodeClip(t, env, out)
	in := workflows.ScoreRungsInput{Source: clip, Out: out, Rungs: enc.Rungs, Frames: 132}

	whole := &Activities{Media: Libav(), ScoreWindow: 1000}
	want, _, err := scoreWith(t, whole, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := map[string][]byte{}
	for _, s := range want.Scores {
		wantJSON[s.ID], _ = os.ReadFile(s.ScoresPath)
		os.Remove(s.ScoresPath)
	}

	dying := &Activities{Media: failingMedia{Media: Libav(), source: clip, failAfter: 100}, ScoreWindow: 40}
	_, hb, err := scoreWith(t, dying, nil, in)
	if err == nil {
		t.Fatal("the dying attempt succeeded")
	}
	st := hb.(scoreState)
	if st.Frames != 80 || len(st.Windows) != 2 {
		t.Fatalf("heartbeat after dying at frame 100: %+v", st)
	}
	resumed := &Activities{Media: failingMedia{Media: Libav(), source: clip, failAfter: 1000}, ScoreWindow: 40}
	got, _, err := scoreWith(t, resumed, st, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range got.Scores {
		if s.VMAF != want.Scores[i].VMAF || s.PSNRY != want.Scores[i].PSNRY || s.Frames != 132 {
			t.Fatalf("rung %s resumed %+v, want %+v", s.ID, s, want.Scores[i])
		}
		b, _ := os.ReadFile(s.ScoresPath)
		if !bytes.Equal(b, wantJSON[s.ID]) {
			t.Fatalf("rung %s: per-frame scores differ from the uninterrupted run", s.ID)
		}
	}
	if _, err := os.Stat(partialDir(out)); !os.IsNotExist(err) {
		t.Fatalf("partial windows left behind: %v", err)
	}
}

// TestScoreReusesSavedWindows: the resumed attempt really takes the saved
// windows instead of scoring again (a planted value survives).
func TestScoreReusesSavedWindows(t *testing.T) {
	out := t.TempDir()
	env, _ := actEnv(t)
	enc := encodeClip(t, env, out)
	in := workflows.ScoreRungsInput{Source: clip, Out: out, Rungs: enc.Rungs[:1], Frames: 132}
	dying := &Activities{Media: failingMedia{Media: Libav(), source: clip, failAfter: 60}, ScoreWindow: 50}
	_, hb, err := scoreWith(t, dying, nil, in)
	if err == nil {
		t.Fatal("the dying attempt succeeded")
	}
	st := hb.(scoreState)
	path := windowPath(out, enc.Rungs[0].ID, 0)
	res, err := readResult(path)
	if err != nil {
		t.Fatal(err)
	}
	res.Frames[0].Metrics.Set("vmaf", 12.5)
	if err := writeResult(path, vmaf.Merge(res)); err != nil {
		t.Fatal(err)
	}
	got, _, err := scoreWith(t, &Activities{Media: Libav(), ScoreWindow: 50}, st, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Scores[0].VMAF.Min != 12.5 {
		t.Fatalf("saved window was scored again: min %v", got.Scores[0].VMAF.Min)
	}
}
