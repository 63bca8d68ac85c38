package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// countingMedia is libav counting the calls that do work.
type countingMedia struct {
	libav
	encodes, opens, probes atomic.Int32
	mu                     sync.Mutex
	chunks                 []string // "start+frames" of every EncodeChunk call
}

func (m *countingMedia) EncodeChunk(ctx context.Context, input string, opts encoder.ChunkOptions) (encoder.ChunkOutput, error) {
	m.encodes.Add(1)
	m.mu.Lock()
	m.chunks = append(m.chunks, fmt.Sprintf("%d+%d", opts.StartFrame, opts.Frames))
	m.mu.Unlock()
	return m.libav.EncodeChunk(ctx, input, opts)
}

func (m *countingMedia) OpenFrames(ctx context.Context, input string, opts FrameOptions) (Frames, error) {
	m.opens.Add(1)
	return m.libav.OpenFrames(ctx, input, opts)
}

func (m *countingMedia) Probe(ctx context.Context, input string) (*media.SourceInfo, error) {
	m.probes.Add(1)
	return m.libav.Probe(ctx, input)
}

func trialEnv(t *testing.T) (*testsuite.TestActivityEnvironment, *countingMedia) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	m := &countingMedia{}
	env.RegisterActivity(New(m, nil))
	return env, m
}

func trialEncode(t *testing.T, env *testsuite.TestActivityEnvironment, in workflows.TrialEncodeInput) (workflows.TrialEncodeOutput, error) {
	t.Helper()
	v, err := env.ExecuteActivity(workflows.ActivityTrialEncode, in)
	if err != nil {
		return workflows.TrialEncodeOutput{}, err
	}
	var out workflows.TrialEncodeOutput
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

// trialGrid is 2 sizes × 2 CRFs, ultrafast.
var trialGrid = []workflows.TrialPoint{
	{Width: 320, Height: 180, Codec: "h264", CRF: 22, Preset: "ultrafast"},
	{Width: 320, Height: 180, Codec: "h264", CRF: 38, Preset: "ultrafast"},
	{Width: 160, Height: 90, Codec: "h264", CRF: 22, Preset: "ultrafast"},
	{Width: 160, Height: 90, Codec: "h264", CRF: 38, Preset: "ultrafast"},
}

func TestTrialEncodeMonotonicAndCached(t *testing.T) {
	cache := t.TempDir()
	env, m := trialEnv(t)
	// Two short ranges, scored at a reduced size to keep the test small.
	in := workflows.TrialEncodeInput{Source: clip, Cache: cache, Grid: trialGrid, ScoreWidth: 640, ScoreHeight: 360,
		Ranges: []workflows.TrialRange{{Shot: 0, StartFrame: 10, Frames: 6, Weight: 60}, {Shot: 3, StartFrame: 90, Frames: 6}}}
	out, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Encoded != 8 || out.Reused != 0 || len(out.Results) != 4 || out.FPS != 25 || out.Model != "vmaf_v0.6.1" ||
		out.ScoreWidth != 640 || out.ScoreHeight != 360 {
		t.Fatalf("output %+v", out)
	}
	// One decode per range for all grid points, and the frame either side
	// of each range for the motion feature at its edges.
	if got, want := strings.Join(m.chunks, " "), "10+6 9+1 16+1 90+6 89+1 96+1"; got != want {
		t.Fatalf("EncodeChunk calls (start+frames) %s, want %s", got, want)
	}
	for i, r := range out.Results {
		t.Logf("%dx%d crf %v: %.1f kbps, VMAF %.2f; shots %+v", r.Width, r.Height, r.CRF, r.BitrateKbps, r.VMAF, r.Shots)
		if r.Frames != 12 || len(r.Shots) != 2 || !(r.BitrateKbps > 0) || !(r.VMAF > 0 && r.VMAF <= 100) {
			t.Fatalf("result %d %+v", i, r)
		}
		for j, s := range r.Shots {
			if s.Range != j || s.Frames != 6 || s.Reused || s.Key == "" || !(s.Bits > 0) {
				t.Fatalf("result %d shot %d %+v", i, j, s)
			}
			if _, err := os.Stat(TrialPath(cache, s.Key)); err != nil {
				t.Fatal(err)
			}
			if s.Key != TrialKey(mustID(t), in.Ranges[j], r.TrialPoint, "", 640, 360) {
				t.Fatalf("key %s", s.Key)
			}
		}
		if r.Shots[0].Weight != 60 || r.Shots[1].Weight != 6 {
			t.Fatalf("weights %+v", r.Shots)
		}
		// The weighted estimate: range 0 counts 10 times as much as range 1.
		want := (60*r.Shots[0].VMAF + 6*r.Shots[1].VMAF) / 66
		if d := r.VMAF - want; d > 1e-9 || d < -1e-9 {
			t.Fatalf("VMAF %v, weighted mean %v", r.VMAF, want)
		}
	}
	// Monotonic sanity, per range and for the estimates.
	check := func(what string, hi, lo workflows.TrialShot) {
		if !(lo.Bits < hi.Bits) {
			t.Errorf("%s: %v bits not below %v", what, lo.Bits, hi.Bits)
		}
	}
	for j := range in.Ranges {
		big22, big38, small22, small38 := out.Results[0].Shots[j], out.Results[1].Shots[j], out.Results[2].Shots[j], out.Results[3].Shots[j]
		check("higher CRF, 320x180", big22, big38)
		check("higher CRF, 160x90", small22, small38)
		check("smaller size, crf 22", big22, small22)
		check("smaller size, crf 38", big38, small38)
		if !(big38.VMAF < big22.VMAF) || !(small38.VMAF < small22.VMAF) || !(small22.VMAF < big22.VMAF) {
			t.Errorf("range %d VMAF not monotonic: %v %v %v %v", j, big22.VMAF, big38.VMAF, small22.VMAF, small38.VMAF)
		}
	}
	// No scratch left behind.
	entries, _ := os.ReadDir(filepath.Join(cache, "trials"))
	if len(entries) != 8 {
		t.Fatalf("%d entries in the trial cache, want 8 results", len(entries))
	}
	if _, err := ladder.Hull(out.Points()); err != nil {
		t.Fatal(err)
	}
	if _, err := ladder.ShotsHull(out.Shots()); err != nil {
		t.Fatal(err)
	}

	// Again, with a grid point of another codec's order and weights
	// changed: all reused, nothing encoded, decoded or written.
	before := mtimes(t, filepath.Join(cache, "trials"))
	e, o, p := m.encodes.Load(), m.opens.Load(), m.probes.Load()
	in.Ranges[0].Weight = 0
	in.Grid = []workflows.TrialPoint{trialGrid[3], trialGrid[0]}
	again, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if again.Encoded != 0 || again.Reused != 4 || m.encodes.Load() != e || m.opens.Load() != o || m.probes.Load() != p+1 {
		t.Fatalf("second call encoded %d, reused %d; calls: encode %d→%d open %d→%d probe %d→%d", again.Encoded, again.Reused,
			e, m.encodes.Load(), o, m.opens.Load(), p, m.probes.Load())
	}
	if again.Results[0].Shots[1] != withReused(out.Results[3].Shots[1]) || again.Results[1].Shots[0].VMAF != out.Results[0].Shots[0].VMAF {
		t.Fatalf("reused results differ: %+v vs %+v", again.Results, out.Results)
	}
	after := mtimes(t, filepath.Join(cache, "trials"))
	if len(after) != len(before) {
		t.Fatalf("cache changed: %v → %v", before, after)
	}
	for k, v := range before {
		if !after[k].Equal(v) {
			t.Fatalf("%s rewritten", k)
		}
	}
}

func withReused(s workflows.TrialShot) workflows.TrialShot { s.Reused = true; return s }

func mustID(t *testing.T) workflows.SourceID {
	t.Helper()
	id, err := SourceIdentityOf(clip)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTrialKey(t *testing.T) {
	id := workflows.SourceID{Size: 1, HeadSHA256: "a", TailSHA256: "b"}
	r := workflows.TrialRange{StartFrame: 10, Frames: 20}
	p := workflows.TrialPoint{Width: 320, Height: 180, CRF: 30, Preset: "medium"}
	base := TrialKey(id, r, p, "", 1280, 720)
	same := []struct {
		r workflows.TrialRange
		p workflows.TrialPoint
		m string
	}{
		{workflows.TrialRange{Shot: 7, StartFrame: 10, Frames: 20, Weight: 99}, p, ""},
		{r, workflows.TrialPoint{Width: 320, Height: 180, Codec: "avc", CRF: 30}, "vmaf_v0.6.1"},
	}
	for i, c := range same {
		if TrialKey(id, c.r, c.p, c.m, 1280, 720) != base {
			t.Errorf("same %d: key differs", i)
		}
	}
	differ := []string{
		TrialKey(workflows.SourceID{Size: 2, HeadSHA256: "a", TailSHA256: "b"}, r, p, "", 1280, 720),
		TrialKey(id, workflows.TrialRange{StartFrame: 11, Frames: 20}, p, "", 1280, 720),
		TrialKey(id, workflows.TrialRange{StartFrame: 10, Frames: 21}, p, "", 1280, 720),
		TrialKey(id, r, workflows.TrialPoint{Width: 320, Height: 180, CRF: 31}, "", 1280, 720),
		TrialKey(id, r, workflows.TrialPoint{Width: 320, Height: 180, CRF: 30, Codec: "hevc"}, "", 1280, 720),
		TrialKey(id, r, workflows.TrialPoint{Width: 320, Height: 180, CRF: 30, Preset: "fast"}, "", 1280, 720),
		TrialKey(id, r, workflows.TrialPoint{Width: 320, Height: 180, CRF: 30, GOPFrames: 48}, "", 1280, 720),
		TrialKey(id, r, p, "vmaf_4k_v0.6.1", 1280, 720),
		TrialKey(id, r, p, "", 1920, 1080),
	}
	for i, k := range differ {
		if k == base {
			t.Errorf("differ %d: same key", i)
		}
	}
}

func TestTrialEncodeBadInput(t *testing.T) {
	env, m := trialEnv(t)
	cache := t.TempDir()
	ok := workflows.TrialEncodeInput{Source: clip, Cache: cache, Grid: trialGrid[:1], Ranges: []workflows.TrialRange{{StartFrame: 0, Frames: 2}}}
	tests := []struct {
		name string
		edit func(*workflows.TrialEncodeInput)
		typ  string
	}{
		{"no grid", func(in *workflows.TrialEncodeInput) { in.Grid = nil }, workflows.ErrTypeInvalidRequest},
		{"no ranges", func(in *workflows.TrialEncodeInput) { in.Ranges = nil }, workflows.ErrTypeInvalidRequest},
		{"no cache", func(in *workflows.TrialEncodeInput) { in.Cache = "" }, workflows.ErrTypeInvalidRequest},
		{"odd size", func(in *workflows.TrialEncodeInput) {
			in.Grid = []workflows.TrialPoint{{Width: 321, Height: 180, CRF: 30}}
		}, workflows.ErrTypeInvalidRequest},
		{"no crf", func(in *workflows.TrialEncodeInput) { in.Grid = []workflows.TrialPoint{{Width: 320, Height: 180}} }, workflows.ErrTypeInvalidRequest},
		{"codec", func(in *workflows.TrialEncodeInput) {
			in.Grid = []workflows.TrialPoint{{Width: 320, Height: 180, CRF: 30, Codec: "mpeg2"}}
		}, workflows.ErrTypeInvalidRequest},
		{"model", func(in *workflows.TrialEncodeInput) { in.Model = "vmaf_v9" }, workflows.ErrTypeInvalidRequest},
		{"score size", func(in *workflows.TrialEncodeInput) { in.ScoreWidth = 640 }, workflows.ErrTypeInvalidRequest},
		{"empty range", func(in *workflows.TrialEncodeInput) { in.Ranges = []workflows.TrialRange{{StartFrame: 3}} }, workflows.ErrTypeInvalidRequest},
		{"missing source", func(in *workflows.TrialEncodeInput) { in.Source = filepath.Join(cache, "nope.mp4") }, workflows.ErrTypeNotFound},
		{"not media", func(in *workflows.TrialEncodeInput) {
			p := filepath.Join(cache, "text.mp4")
			if err := os.WriteFile(p, []byte("not a video at all"), 0o644); err != nil {
				t.Fatal(err)
			}
			in.Source = p
		}, workflows.ErrTypeInvalidMedia},
		{"range past the end", func(in *workflows.TrialEncodeInput) {
			in.Ranges = []workflows.TrialRange{{StartFrame: 5000, Frames: 2}}
		}, workflows.ErrTypeInvalidSettings},
		{"source changed", func(in *workflows.TrialEncodeInput) { in.SourceID = workflows.SourceID{Size: 1} }, workflows.ErrTypeSourceChanged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			_, err := trialEncode(t, env, in)
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != tc.typ || !app.NonRetryable() {
				t.Fatalf("err %v, want non-retryable %s", err, tc.typ)
			}
		})
	}
	_ = m
}

func TestTrialOutputForLadder(t *testing.T) {
	sample, err := ladder.SampleShots([]ladder.ShotSpan{{Start: 0, Frames: 50}, {Start: 50, Frames: 100}, {Start: 150, Frames: 20}},
		ladder.SampleOptions{MaxShots: 2})
	if err != nil {
		t.Fatal(err)
	}
	ranges := workflows.TrialRanges(sample)
	if len(ranges) != 2 || ranges[0].Shot != sample.Shots[0].Shot || ranges[1].Weight != float64(sample.Shots[1].Weight) {
		t.Fatalf("ranges %+v from %+v", ranges, sample)
	}
	shot := func(r int, bits, q float64) workflows.TrialShot {
		return workflows.TrialShot{Range: r, Frames: ranges[r].Frames, Bits: bits, VMAF: q}
	}
	out := workflows.TrialEncodeOutput{Results: []workflows.TrialResult{
		{TrialPoint: trialGrid[0], BitrateKbps: 900, VMAF: 90, Shots: []workflows.TrialShot{shot(0, 1000, 91), shot(1, 3000, 89)}},
		{TrialPoint: trialGrid[1], BitrateKbps: 300, VMAF: 70, Shots: []workflows.TrialShot{shot(0, 400, 72), shot(1, 900, 68)}},
	}}
	pts := out.Points()
	if len(pts) != 2 || pts[1] != (ladder.Point{Width: 320, Height: 180, Codec: "h264", CRF: 38, BitrateKbps: 300, VMAF: 70}) {
		t.Fatalf("points %+v", pts)
	}
	shots := out.Shots()
	if len(shots) != 2 || shots[1].Frames != ranges[1].Frames || len(shots[1].Options) != 2 || shots[1].Options[1].Bits != 900 || shots[1].Options[1].Quality != 68 {
		t.Fatalf("shots %+v", shots)
	}
	title := out.TitleShots(sample.Of, []int{50, 100, 20})
	for i, s := range title {
		rep := shots[sample.Of[i]]
		if s.Frames != []int{50, 100, 20}[i] || len(s.Options) != 2 ||
			math.Abs(s.Options[0].Bits-rep.Options[0].Bits*float64(s.Frames)/float64(rep.Frames)) > 1e-9 || s.Options[0].Quality != rep.Options[0].Quality {
			t.Fatalf("title shot %d %+v, representative %+v", i, s, rep)
		}
	}
	if _, err := ladder.MinBitsForQuality(title, 80); err != nil {
		t.Fatal(err)
	}
}

// keepingMedia is countingMedia keeping a copy of every trial encode (not
// the reference) under dir, named after the rung's ID.
type keepingMedia struct {
	countingMedia
	dir string
}

func (m *keepingMedia) EncodeChunk(ctx context.Context, input string, opts encoder.ChunkOptions) (encoder.ChunkOutput, error) {
	res, err := m.countingMedia.EncodeChunk(ctx, input, opts)
	for _, o := range res.Rungs {
		if err == nil && o.ID != "ref" {
			var b []byte
			if b, err = os.ReadFile(o.Path); err == nil {
				err = os.WriteFile(filepath.Join(m.dir, o.ID+".mp4"), b, 0o644)
			}
		}
	}
	return res, err
}

// TestTrialEncodeOddSource: a source of odd size (cityCC0.mpg is 720x405)
// is scored at its own size, as ScoreRungs scores the final rungs, so that
// a trial predicts exactly what ScoreRungs measures for the same encode.
// Scored one line and column smaller (a 4:2:0 reference cannot be odd),
// the trial skipped the upscale its rung goes through and predicted a VMAF
// point or more too high.
func TestTrialEncodeOddSource(t *testing.T) {
	mediatest.Need(t)
	src := filepath.Join(t.TempDir(), "odd.mkv")
	// testsrc2 itself makes 4:2:0 pictures even; the scale filter does not.
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "320x180", Rate: "25", VF: "scale=161:91", Frames: 8, PixFmt: "yuv420p", Codec: "ffv1"})
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	m := &keepingMedia{dir: t.TempDir()}
	env.RegisterActivity(New(m, nil))
	in := workflows.TrialEncodeInput{Source: src, Cache: t.TempDir(), Ranges: []workflows.TrialRange{{StartFrame: 0, Frames: 8}},
		Grid: []workflows.TrialPoint{{Width: 80, Height: 46, Codec: "h264", CRF: 30, Preset: "ultrafast"}}}
	out, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.ScoreWidth != 161 || out.ScoreHeight != 91 || len(out.Results) != 1 || !(out.Results[0].VMAF > 0) {
		t.Fatalf("scored at %dx%d: %+v", out.ScoreWidth, out.ScoreHeight, out.Results)
	}

	rung := media.RungOutput{ID: "p0", Path: filepath.Join(m.dir, "p0.mp4"), Width: 80, Height: 46, Codec: "h264", Frames: 8}
	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: src, Out: t.TempDir(), Rungs: []media.RungOutput{rung}, Frames: 8})
	if err != nil {
		t.Fatal(err)
	}
	var sc workflows.ScoreRungsOutput
	if err := v.Get(&sc); err != nil {
		t.Fatal(err)
	}
	got, want := out.Results[0].VMAF, sc.Scores[0].VMAF.Mean
	if math.Abs(got-want) > 1e-6 {
		t.Errorf("trial VMAF %.9f, ScoreRungs measures %.9f for the same encode", got, want)
	}

	// An even score size keeps the 4:2:0 reference, and the key it had.
	if _, desc := trialRef(160, 90); desc != trialReference {
		t.Errorf("even reference %q, want %q", desc, trialReference)
	}
}

// TestTrialRangeScoresAsInTitle: a trial range in the middle of a title
// scores exactly as its frames do within the title. VMAF's motion feature
// of the range's first frame compares it with the frame before, and of its
// last frame looks one ahead; scored alone, the range's first frame had no
// motion and short ranges predicted too low. The title's rung here is the
// trial's own encode of the range stitched between encodes of the frames
// before and after it, scored by ScoreRungs.
func TestTrialRangeScoresAsInTitle(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.mkv")
	mediatest.Clip(t, src, mediatest.ClipOptions{Size: "160x90", Rate: "25", Frames: 30, PixFmt: "yuv420p", Codec: "ffv1", GOP: 1})
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	m := &keepingMedia{dir: t.TempDir()}
	env.RegisterActivity(New(m, nil))
	point := workflows.TrialPoint{Width: 96, Height: 54, Codec: "h264", CRF: 30, Preset: "ultrafast"}
	const start, frames = 10, 6
	in := workflows.TrialEncodeInput{Source: src, Cache: t.TempDir(),
		Ranges: []workflows.TrialRange{{StartFrame: start, Frames: frames}}, Grid: []workflows.TrialPoint{point}}
	out, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}

	rung := trialRung(point)
	rung.ID = "title"
	part := func(first, n int) string {
		p := filepath.Join(dir, fmt.Sprintf("part%d.mp4", first))
		if _, err := encoder.EncodeChunk(context.Background(), src, encoder.ChunkOptions{StartFrame: first, Frames: n,
			Rungs: []media.RungSpec{rung}, OutputPath: func(media.RungSpec) string { return p }}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	title := filepath.Join(dir, "title.mp4")
	st, err := encoder.Stitch(context.Background(), []string{part(0, start), filepath.Join(m.dir, "p0.mp4"), part(start+frames, 30-start-frames)}, title)
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.ExecuteActivity(workflows.ActivityScoreRungs, workflows.ScoreRungsInput{Source: src, Out: t.TempDir(), Frames: 30,
		Rungs: []media.RungOutput{{ID: "title", Path: title, Width: st.Width, Height: st.Height, Codec: st.Codec, Frames: st.Frames}}})
	if err != nil {
		t.Fatal(err)
	}
	var sc workflows.ScoreRungsOutput
	if err := v.Get(&sc); err != nil {
		t.Fatal(err)
	}
	res, err := readResult(sc.Scores[0].ScoresPath)
	if err != nil {
		t.Fatal(err)
	}
	series, _ := res.Series("vmaf")
	if len(series) != 30 {
		t.Fatalf("title scored %d frames, want 30", len(series))
	}
	// Per-frame scores in the JSON have six decimals.
	if got, want := out.Results[0].VMAF, vmaf.Mean(series[start:start+frames]); math.Abs(got-want) > 1e-5 {
		t.Errorf("trial of frames [%d, %d): VMAF %.6f; the same frames within the title %.6f", start, start+frames, got, want)
	}
}
