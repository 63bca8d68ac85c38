package activities

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/reporthtml"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// grabMedia is libav counting GrabFrames calls and failing those whose
// input contains fail (when set).
type grabMedia struct {
	Media
	fail  string
	calls *atomic.Int32
}

func (m grabMedia) GrabFrames(ctx context.Context, input string, frames []int, opts encoder.GrabOptions) ([]encoder.Grab, error) {
	m.calls.Add(1)
	if m.fail != "" && strings.Contains(input, m.fail) {
		return nil, errors.New("injected grab failure")
	}
	return m.Media.GrabFrames(ctx, input, frames, opts)
}

// worstTitle is a small real title: a moving 640x360 source, one 320x180
// rung encoded by the EncodeLadder activity, and per-frame scores whose
// worst frames are known (37 and 38 lowest, 80 next; the rest 95).
type worstTitle struct {
	src, out string
	info     media.SourceInfo
	rungs    []media.RungOutput
	specs    []media.RungSpec
	scores   []workflows.RungScore
}

const worstFrames = 100

func makeWorstTitle(t *testing.T, a *Activities, out string, scoresLen int) worstTitle {
	t.Helper()
	mediatest.Need(t)
	ctx := context.Background()
	w := worstTitle{src: filepath.Join(t.TempDir(), "src.mp4"), out: out}
	mediatest.Clip(t, w.src, mediatest.ClipOptions{Size: "640x360", Rate: "25", Frames: worstFrames, GOP: 30,
		PixFmt: "yuv420p", Codec: "libx264", Preset: "fast"})
	var err error
	if w.info, err = a.Probe(ctx, workflows.ProbeInput{Source: w.src}); err != nil {
		t.Fatal(err)
	}
	w.specs = []media.RungSpec{{ID: "low", Width: 320, Height: 180, Codec: "h264", CRF: 30, Preset: "ultrafast", GOPFrames: 50}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(workflows.ActivityEncodeLadder, workflows.EncodeLadderInput{Source: w.src, Out: out, Rungs: w.specs, Frames: worstFrames})
	if err != nil {
		t.Fatal(err)
	}
	var enc workflows.EncodeLadderOutput
	if err := v.Get(&enc); err != nil {
		t.Fatal(err)
	}
	w.rungs = enc.Rungs
	res := &vmaf.Result{Version: vmaf.LibvmafVersion, FPS: math.NaN(), Pooled: map[string]vmaf.Pooled{}, Aggregate: map[string]float64{}}
	for i := range scoresLen {
		score := 95.0
		switch i {
		case 37:
			score = 40
		case 38:
			score = 41
		case 80:
			score = 50
		}
		fr := vmaf.FrameResult{Num: i}
		fr.Metrics.Set("vmaf", score)
		res.Frames = append(res.Frames, fr)
	}
	var buf bytes.Buffer
	if err := vmaf.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	dst, err := a.openOut(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.close()
	if err := dst.writeFile(ctx, "scores/low.json", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	w.scores = []workflows.RungScore{{ID: "low", Frames: scoresLen, ScoresPath: dst.loc("scores/low.json")}}
	return w
}

func (w worstTitle) input() workflows.WriteReportInput {
	return workflows.WriteReportInput{TitleID: "worst-title", Out: w.out, Source: w.info, Specs: w.specs, Rungs: w.rungs, Scores: w.scores}
}

// writeReport runs WriteReport and reads the report back.
func writeReportOf(t *testing.T, a *Activities, in workflows.WriteReportInput) (workflows.WriteReportOutput, *report.Report) {
	t.Helper()
	ctx := context.Background()
	out, err := a.WriteReport(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.readLoc(ctx, out.Path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out, rep
}

// rgbFrames decodes path (a location) with ffmpeg to 320x180 RGB frames.
func rgbFrames(t *testing.T, a *Activities, loc string) [][]byte {
	t.Helper()
	local := filepath.Join(t.TempDir(), "copy.mp4")
	if err := a.fetchLoc(context.Background(), loc, local); err != nil {
		t.Fatal(err)
	}
	raw := mediatest.RawVideo(t, local, "rgb24", "scale=320:180")
	const size = 320 * 180 * 3
	var out [][]byte
	for len(raw) >= size {
		out, raw = append(out, raw[:size]), raw[size:]
	}
	return out
}

// jpegDiff decodes a JPEG and returns its mean absolute difference from
// the packed RGB picture ref, per sample.
func jpegDiff(t *testing.T, b []byte, ref []byte) float64 {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds() != image.Rect(0, 0, 320, 180) {
		t.Fatalf("thumbnail is %v, want 320x180", img.Bounds())
	}
	sum := 0.0
	for y := range 180 {
		for x := range 320 {
			r, g, bl, _ := img.At(x, y).RGBA()
			o := (y*320 + x) * 3
			sum += math.Abs(float64(r>>8)-float64(ref[o])) + math.Abs(float64(g>>8)-float64(ref[o+1])) + math.Abs(float64(bl>>8)-float64(ref[o+2]))
		}
	}
	return sum / (320 * 180 * 3)
}

// checkWorst checks the worst moments of a report of a worstTitle: their
// frames, times and thumbnails, each the right frame of the source or the
// rung (closer to it than to the frames around it).
func checkWorst(t *testing.T, a *Activities, w worstTitle, rep *report.Report) {
	t.Helper()
	want := []report.Moment{
		{StartFrame: 37, EndFrame: 39, Frame: 37, VMAF: 40, Seconds: 1.48, TC: "00:00:01:12",
			SourceThumbnail: "worst/low-37-source.jpg", RungThumbnail: "worst/low-37-rung.jpg"},
		{StartFrame: 80, EndFrame: 81, Frame: 80, VMAF: 50, Seconds: 3.2, TC: "00:00:03:05",
			SourceThumbnail: "worst/low-80-source.jpg", RungThumbnail: "worst/low-80-rung.jpg"},
	}
	if len(rep.Rungs) != 1 || !slices.Equal(rep.Rungs[0].Worst, want) {
		t.Fatalf("worst moments %+v\nwant %+v", rep.Rungs[0].Worst, want)
	}
	ctx := context.Background()
	for _, c := range []struct {
		loc   string
		thumb func(report.Moment) string
	}{
		{w.src, func(m report.Moment) string { return m.SourceThumbnail }},
		{w.rungs[0].Path, func(m report.Moment) string { return m.RungThumbnail }},
	} {
		ref := rgbFrames(t, a, c.loc)
		if len(ref) != worstFrames {
			t.Fatalf("ffmpeg decoded %d frames of %s", len(ref), c.loc)
		}
		for _, m := range want {
			b, err := a.readLoc(ctx, joinLoc(w.out, c.thumb(m)))
			if err != nil {
				t.Fatal(err)
			}
			at := jpegDiff(t, b, ref[m.Frame])
			before, after := jpegDiff(t, b, ref[m.Frame-3]), jpegDiff(t, b, ref[m.Frame+3])
			t.Logf("%s: mean abs diff %.2f from frame %d, %.2f and %.2f from frames ∓3", c.thumb(m), at, m.Frame, before, after)
			if at > 6 || at >= before || at >= after {
				t.Errorf("%s is not frame %d: mean abs diff %.2f (frames ∓3: %.2f, %.2f)", c.thumb(m), m.Frame, at, before, after)
			}
		}
	}
}

// TestWorstMomentsOnRealTitle runs WriteReport on a real small title:
// the worst moments' JPEGs show the right frames, report.html is written
// beside report.json, a second run reuses the JPEGs, and pictures that
// cannot be had are warnings, not a failed report.
func TestWorstMomentsOnRealTitle(t *testing.T) {
	var calls atomic.Int32
	a := New(grabMedia{Media: Libav(), calls: &calls}, nil)
	a.Worst.Fraction = 0.03 // 3 frames: 37, 38 and 80
	w := makeWorstTitle(t, a, t.TempDir(), worstFrames)
	ctx := context.Background()

	out, rep := writeReportOf(t, a, w.input())
	checkWorst(t, a, w, rep)
	if n := calls.Load(); n != 2 {
		t.Errorf("%d GrabFrames calls, want 2 (the source, the rung)", n)
	}
	if out.HTMLPath != filepath.Join(w.out, reporthtml.FileName) {
		t.Errorf("report.html at %q", out.HTMLPath)
	}
	html, err := a.readLoc(ctx, out.HTMLPath)
	if err != nil || !bytes.Contains(html, []byte("worst-title")) {
		t.Errorf("report.html (%d bytes, %v) does not name the title", len(html), err)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("warnings %q", rep.Warnings)
	}

	// Again: the thumbnails are there, nothing is decoded.
	_, rep = writeReportOf(t, a, w.input())
	checkWorst(t, a, w, rep)
	if n := calls.Load(); n != 2 {
		t.Errorf("%d GrabFrames calls after a second report, want still 2", n)
	}
	// A rung written again after its thumbnails: they are made again.
	later := time.Now().Add(time.Hour)
	if err := os.Chtimes(w.rungs[0].Path, later, later); err != nil {
		t.Fatal(err)
	}
	_, rep = writeReportOf(t, a, w.input())
	checkWorst(t, a, w, rep)
	if n := calls.Load(); n != 4 {
		t.Errorf("%d GrabFrames calls after the rung changed, want 4", n)
	}

	// The rung cannot be decoded (and its thumbnails are gone): the source's
	// thumbnails stay, the rung's are empty, a warning says why.
	failing := New(grabMedia{Media: Libav(), calls: &calls, fail: "rungs/low"}, nil)
	failing.Worst = a.Worst
	in := w.input()
	in.Out = t.TempDir()
	in.Scores = []workflows.RungScore{{ID: "low", Frames: worstFrames, ScoresPath: w.scores[0].ScoresPath}}
	_, rep = writeReportOf(t, failing, in)
	for _, m := range rep.Rungs[0].Worst {
		if m.SourceThumbnail == "" || m.RungThumbnail != "" {
			t.Errorf("moment %+v: want the source's thumbnail only", m)
		}
	}
	if !slices.ContainsFunc(rep.Warnings, func(s string) bool { return strings.Contains(s, "no thumbnails of rung low") }) {
		t.Errorf("warnings %q lack the rung's", rep.Warnings)
	}
}

// stuckMedia never finishes decoding a picture: it waits for its context.
type stuckMedia struct{ Media }

func (stuckMedia) GrabFrames(ctx context.Context, input string, frames []int, opts encoder.GrabOptions) ([]encoder.Grab, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestWorstMomentsBudget: pictures that take longer than the budget are
// left out with a warning; the report is written.
func TestWorstMomentsBudget(t *testing.T) {
	a := New(Libav(), nil)
	w := makeWorstTitle(t, a, t.TempDir(), worstFrames)
	stuck := New(stuckMedia{Libav()}, nil)
	stuck.Worst = WorstOptions{Fraction: 0.03, Budget: 100 * time.Millisecond}
	start := time.Now()
	_, rep := writeReportOf(t, stuck, w.input())
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("report took %v with a 100ms budget", d)
	}
	if len(rep.Rungs[0].Worst) != 2 {
		t.Fatalf("moments %+v", rep.Rungs[0].Worst)
	}
	for _, m := range rep.Rungs[0].Worst {
		if m.SourceThumbnail != "" || m.RungThumbnail != "" || m.TC == "" {
			t.Errorf("moment %+v", m)
		}
	}
	n := 0
	for _, s := range rep.Warnings {
		if strings.Contains(s, "took longer than 100ms") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("warnings %q: want one about the budget", rep.Warnings)
	}
}

// TestWorstMomentPastTheEnd: scores that name a frame the files do not
// have (the worst frame past the rung's end) leave that moment without
// thumbnails and add a warning per picture.
func TestWorstMomentPastTheEnd(t *testing.T) {
	var calls atomic.Int32
	a := New(grabMedia{Media: Libav(), calls: &calls}, nil)
	w := makeWorstTitle(t, a, t.TempDir(), worstFrames)
	res := &vmaf.Result{Version: vmaf.LibvmafVersion, FPS: math.NaN(), Pooled: map[string]vmaf.Pooled{}, Aggregate: map[string]float64{}}
	for i := range worstFrames + 20 {
		fr := vmaf.FrameResult{Num: i}
		fr.Metrics.Set("vmaf", 95-float64(i)/10) // the last two frames, 118 and 119, are the worst: one moment at 119
		res.Frames = append(res.Frames, fr)
	}
	var buf bytes.Buffer
	if err := vmaf.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(w.out, "scores", "long.json")
	dst, _ := a.openOut(context.Background(), w.out)
	if err := dst.writeFile(context.Background(), "scores/long.json", buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	in := w.input()
	in.Scores = []workflows.RungScore{{ID: "low", Frames: worstFrames + 20, ScoresPath: p}}
	_, rep := writeReportOf(t, a, in)
	m := rep.Rungs[0].Worst
	if len(m) != 1 || m[0].Frame != 119 || m[0].SourceThumbnail != "" || m[0].RungThumbnail != "" {
		t.Fatalf("moments %+v", m)
	}
	n := 0
	for _, s := range rep.Warnings {
		if strings.Contains(s, "frame 119") && strings.Contains(s, "past the stream's end") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("warnings %q: want one for the source's picture and one for the rung's", rep.Warnings)
	}
}

// TestWorstMomentsToS3 writes the worst moments and report.html of a
// title whose output is in S3.
func TestWorstMomentsToS3(t *testing.T) {
	s, _ := s3Bucket(t, "out")
	var calls atomic.Int32
	a := New(grabMedia{Media: Libav(), calls: &calls}, nil)
	a.Store = mezzfs.Options{S3: s.Options()}
	a.ScratchDir = t.TempDir()
	a.Worst.Fraction = 0.03
	w := makeWorstTitle(t, a, "s3://out/t", worstFrames)
	out, rep := writeReportOf(t, a, w.input())
	checkWorst(t, a, w, rep)
	if out.HTMLPath != "s3://out/t/report.html" {
		t.Fatalf("report.html at %q", out.HTMLPath)
	}
	html, err := a.readLoc(context.Background(), out.HTMLPath)
	if err != nil || !bytes.Contains(html, []byte("worst-title")) {
		t.Errorf("report.html (%d bytes, %v) does not name the title", len(html), err)
	}
	_, rep = writeReportOf(t, a, w.input())
	checkWorst(t, a, w, rep)
	if n := calls.Load(); n != 2 {
		t.Errorf("%d GrabFrames calls, want 2 (the second report reuses the thumbnails)", n)
	}
}
