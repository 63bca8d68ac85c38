package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/workflows"
)

// End-to-end tests: the real embedded Temporal server, real workers, real
// libav on a real clip.

const clip = "../../testdata/media/bigbuckbunny.mp4"

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freePorts finds a base port with tserver's 4 consecutive ports free.
func freePorts(t *testing.T) int {
	t.Helper()
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if base > 65000 {
			continue
		}
		ok := true
		for p := base; p < base+4; p++ {
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				break
			}
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no 4 consecutive free ports")
	return 0
}

func reel(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb syncBuffer
	code = Run(ctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, args)
	return code, out.String(), errb.String()
}

func needFFprobe(t *testing.T) {
	t.Helper()
	mediatest.Need(t)
}

// ffprobeVideo returns width, height and counted frames of a file's video.
func ffprobeVideo(t *testing.T, path string) (w, h, frames int) {
	t.Helper()
	v := mediatest.Probe(t, path).Video()
	if v.CodecType != "video" {
		t.Fatalf("ffprobe %s: no video stream", path)
	}
	return v.Width, v.Height, v.ReadFrames()
}

// checkResult checks a per-title run (perTitleYAML) of the 720p clip: rungs as the
// ladder chose them, every rung file, the report's QC and VMAF, and its
// ladder section (trials, hull, predictions next to measurements, the
// reference comparison).
func checkResult(t *testing.T, res workflows.TitleResult, wantFrames int) {
	t.Helper()
	if res.Ladder != "per-title" || len(res.Rungs) < 2 {
		t.Fatalf("%s ladder with %d rungs, want per-title with at least 2", res.Ladder, len(res.Rungs))
	}
	rep := readReport(t, res.ReportPath)
	l := rep.Ladder
	if l == nil || l.Mode != "per-title" || l.Trials == nil || len(l.Rungs) != len(res.Rungs) || len(l.Hull) < 2 {
		t.Fatalf("report ladder section %+v", l)
	}
	// perTitleYAML's grid: 3 sizes × 3 CRFs, on every chunk's window with
	// the fast preset (the analysis CRFs, lowest, middle and highest, are
	// the same 3) and on the calibration chunks at the final one. When
	// every chunk is calibrated, no fast trial runs and nothing is mapped.
	an := l.Trials.Analysis
	if an == nil || len(an.CalibrationChunks) == 0 || an.Preset == "" || an.VMAFEvery < 1 {
		t.Fatalf("every-chunk analysis in the report: %+v", an)
	}
	trialRanges := len(l.Trials.Sample) + len(an.CalibrationChunks)
	if len(an.CalibrationChunks) == len(l.Trials.Sample) {
		trialRanges = len(an.CalibrationChunks)
		if len(an.Calibration) != 0 || an.FastSeconds != 0 {
			t.Errorf("every chunk calibrated, yet fast trials ran (%.1f s) or a mapping was fitted: %+v", an.FastSeconds, an)
		}
	} else if len(an.Calibration) != 9 {
		t.Errorf("mapping fitted on %d grid points, want 9: %+v", len(an.Calibration), an)
	}
	if len(l.Trials.Grid) != 9 || l.Trials.Encoded+l.Trials.Reused != 9*trialRanges || l.Trials.ScoreHeight != 720 {
		t.Errorf("trials: %d grid points, %d encoded + %d reused over %d ranges, scored at %dx%d",
			len(l.Trials.Grid), l.Trials.Encoded, l.Trials.Reused, len(l.Trials.Sample), l.Trials.ScoreWidth, l.Trials.ScoreHeight)
	}
	size := map[string][2]int{}
	for i, lr := range l.Rungs {
		size[lr.ID] = [2]int{lr.Width, lr.Height}
		if len(lr.ChunkHeights) > 0 && lr.ChunkHeights[0] != lr.Height {
			// A rung whose chunks change size (per-shot resolution): the
			// first frame, which ffprobe reports, is the first chunk's.
			size[lr.ID] = [2]int{0, lr.ChunkHeights[0]}
		}
		for _, h := range lr.ChunkHeights {
			if h > lr.Height || h <= 0 {
				t.Errorf("rung %s (%dp): chunk heights %v", lr.ID, lr.Height, lr.ChunkHeights)
			}
		}
		if i > 0 && lr.PredictedKbps >= l.Rungs[i-1].PredictedKbps {
			t.Errorf("ladder rungs not highest first: %+v", l.Rungs)
		}
		if lr.PredictedVMAF > 95+1e-9 || lr.MeasuredVMAF <= 0 || lr.MeasuredKbps <= 0 {
			t.Errorf("rung %+v", lr)
		}
		// The trials are encodes of the same frames with the same
		// settings: predictions land near the measurements.
		if d := lr.MeasuredVMAF - lr.PredictedVMAF; d < -5 || d > 5 {
			t.Errorf("rung %s: measured VMAF %.2f, predicted %.2f", lr.ID, lr.MeasuredVMAF, lr.PredictedVMAF)
		}
		if r := lr.MeasuredKbps / lr.PredictedKbps; r < 0.7 || r > 1.4 {
			t.Errorf("rung %s: measured %.0f kbit/s, predicted %.0f", lr.ID, lr.MeasuredKbps, lr.PredictedKbps)
		}
		if l.PerShot && (len(lr.ChunkCRFs) != rep.Chunks.Count || len(lr.ChunkHeights) != rep.Chunks.Count) {
			t.Errorf("rung %s: %d chunk CRFs and %d heights for %d chunks", lr.ID, len(lr.ChunkCRFs), len(lr.ChunkHeights), rep.Chunks.Count)
		}
	}
	for _, r := range res.Rungs {
		w, h, n := ffprobeVideo(t, r.Path)
		if want := size[r.ID]; want[0] == 0 {
			w = 0 // width follows the aspect; only the height is checked
		}
		if [2]int{w, h} != size[r.ID] || n != wantFrames {
			t.Errorf("rung %s: ffprobe says %dx%d %d frames, want %v %d frames", r.ID, w, h, n, size[r.ID], wantFrames)
		}
	}
	// The result carries the report's per-title plan and comparison, for
	// the text summary.
	if len(res.PerTitle) != len(l.Rungs) {
		t.Errorf("result has %d per-title rungs, report %d", len(res.PerTitle), len(l.Rungs))
	}
	for i, r := range res.PerTitle {
		if i < len(l.Rungs) && (r.ID != l.Rungs[i].ID || r.CRF != l.Rungs[i].CRF || r.PredictedVMAF != l.Rungs[i].PredictedVMAF ||
			!slices.Equal(r.ChunkCRFs, l.Rungs[i].ChunkCRFs) || !slices.Equal(r.ChunkHeights, l.Rungs[i].ChunkHeights)) {
			t.Errorf("result's per-title rung %+v, report's %+v", r, l.Rungs[i])
		}
	}
	if c, ref := res.Comparison, l.Reference; c == nil || ref == nil || c.Reference != ref.Name ||
		!samePtr(c.BDRateMeasured, ref.BDRateMeasured) || c.BDRateMeasuredError != ref.BDRateMeasuredError {
		t.Errorf("result's comparison %+v, report's reference %+v", c, ref)
	}
	if ref := l.Reference; ref == nil || len(ref.Rungs) != 9 || (ref.BDRateMeasured == nil && ref.BDRateMeasuredError == "") {
		t.Errorf("reference %+v", ref)
	} else if ref.BDRateMeasured != nil {
		t.Logf("BD-rate against Apple's HLS ladder (predicted from the trials): %.1f%% measured, %.1f%% predicted",
			100**ref.BDRateMeasured, 100*deref(ref.BDRatePredicted))
	}
	if rep.QC == nil || rep.QC.Source == nil || rep.QC.Source.Frames != wantFrames || len(rep.QC.Rungs) != len(rep.Rungs) || len(rep.Shots) == 0 {
		t.Errorf("report QC %+v shots %d", rep.QC, len(rep.Shots))
	}
	for _, r := range rep.Rungs {
		if r.PSNRY < 20 || r.PSNRY > 60 || r.Frames != wantFrames || r.Bytes == 0 || r.EncodeSeconds <= 0 {
			t.Errorf("report rung %+v", r)
		}
		v := r.VMAF
		if len(v.PerFrame) != wantFrames || v.Mean < 10 || v.Mean > 100 || v.Min > v.Mean || v.P1 < v.Min || v.HarmonicMean > v.Mean {
			t.Errorf("report rung %s VMAF %+v", r.ID, v)
		}
	}
}

// samePtr: both nil, or both set to the same value.
func samePtr(a, b *float64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func TestRunEndToEnd(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	port := strconv.Itoa(freePorts(t))
	ctx := context.Background()
	args := []string{"run", clip, "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port,
		"--out", filepath.Join(dir, "out"), "--profile", writeProfile(t, dir, "pertitle.yaml", perTitleYAML), "--json", "--quiet"}
	code, stdout, stderr := reel(ctx, args...)
	if code != 0 {
		t.Fatalf("reel run: exit %d\n%s", code, stderr)
	}
	var res workflows.TitleResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("result: %v\n%s", err, stdout)
	}
	checkResult(t, res, 132)
	// The per-title rungs (chunks of several sizes among them) are
	// packaged, and the package plays every frame of every rung.
	if res.Package == nil || res.Package.Master == "" || len(res.Package.Renditions) != len(res.Rungs)+len(res.Audio) {
		t.Fatalf("package %+v", res.Package)
	}
	master := filepath.Join(dir, "out", res.Package.Master)
	for i := range res.Rungs {
		if n := mediatest.CountFramesOf(t, master, i); n != 132 {
			t.Errorf("package variant %d plays %d frames, want 132", i, n)
		}
	}

	// The same title again: no second encode, same result.
	code, stdout2, stderr := reel(ctx, append(args[:len(args)-1], "--quiet=false")...)
	if code != 0 || !strings.Contains(stderr, "already encoded") {
		t.Fatalf("second run: exit %d, stderr:\n%s", code, stderr)
	}
	if stdout2 != stdout {
		t.Fatalf("second run printed a different result:\n%s\nvs\n%s", stdout2, stdout)
	}
	// Status from a later process sees the finished workflow.
	code, stdout, stderr = reel(ctx, "status", "bigbuckbunny", "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port, "--json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	var sv statusView
	if err := json.Unmarshal([]byte(stdout), &sv); err != nil || sv.Status != "completed" || sv.Result == nil || sv.Result.ReportPath != res.ReportPath {
		t.Fatalf("status %s (%v)", stdout, err)
	}
	// The request is recorded in the workflow (status) and in the report.
	st, err := os.Stat(clip)
	if err != nil {
		t.Fatal(err)
	}
	if r := sv.Request; r == nil || r.Source.Size != st.Size() || !strings.HasPrefix(r.ProfileHash, "sha256:") || r.Out != filepath.Join(dir, "out") {
		t.Fatalf("status request %+v", sv.Request)
	}
	rep := readReport(t, res.ReportPath)
	if a, b := jsonOf(t, rep.Title.Request), jsonOf(t, sv.Request); a != b {
		t.Fatalf("report request %s, status request %s", a, b)
	}
	if *updateHistory {
		saveHistory(t, filepath.Join(dir, "state"), port, workflows.WorkflowID("bigbuckbunny"))
	}
}

// perTitleYAML is TestRunEndToEnd's profile: the built-in per-title ladder
// on a smaller trial grid (3 sizes × 3 CRFs instead of 5 × 5 on this
// source), to keep the test's trial encodes short.
const perTitleYAML = `name: pertitle-e2e
ladder:
  mode: per-title
  per_title: {heights: [234, 360, 720], crfs: [20, 28, 36], rungs: 4}
`

// fixedProfileYAML is the 3-rung fixed ladder most end-to-end tests
// encode (a 720p source keeps 720p and 360p); the per-title default is
// TestRunEndToEnd's.
const fixedProfileYAML = `name: fixed3
ladder:
  mode: fixed
  rungs:
    - {id: 1080p, height: 1080, crf: 22}
    - {id: 720p, height: 720, crf: 23}
    - {id: 360p, height: 360, crf: 25}
`

// writeFixedProfile writes fixedProfileYAML into dir and returns its path.
func writeFixedProfile(t *testing.T, dir string) string {
	t.Helper()
	return writeProfile(t, dir, "fixed3.yaml", fixedProfileYAML)
}

func writeProfile(t *testing.T, dir, name, yaml string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// makeBadInputs writes the bad inputs the issue names; it needs ffmpeg.
func makeBadInputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	mediatest.Need(t)
	files := map[string]string{
		"missing": filepath.Join(dir, "missing.mp4"),
		"empty":   filepath.Join(dir, "empty.mp4"),
		"text":    filepath.Join(dir, "notes.mp4"),
		"trunc":   filepath.Join(dir, "trunc.mp4"),
		"audio":   filepath.Join(dir, "audio.m4a"),
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(files["empty"], nil, 0o644))
	must(os.WriteFile(files["text"], []byte("this is not a video\n"), 0o644))
	data, err := os.ReadFile(clip)
	must(err)
	must(os.WriteFile(files["trunc"], data[:len(data)/3], 0o644))
	mediatest.Clip(t, files["audio"], mediatest.ClipOptions{AudioOnly: true, Audio: "sine=frequency=440:duration=1", AudioCodec: "aac"})
	return files
}

func TestBadInputsFailClearlyAndWorkerKeepsServing(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	bad := makeBadInputs(t, dir)
	prof := writeFixedProfile(t, dir)
	port := strconv.Itoa(freePorts(t))
	ctx, cancel := context.WithCancel(context.Background())
	workerDone := make(chan int, 1)
	var werr syncBuffer
	go func() {
		workerDone <- Run(ctx, &Env{Stdout: &werr, Stderr: &werr, Getenv: func(string) string { return "" }},
			[]string{"worker", "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port})
	}()
	defer func() {
		cancel()
		if code := <-workerDone; code != 0 {
			t.Errorf("worker exit %d: %s", code, werr.String())
		}
	}()
	hostPort := "127.0.0.1:" + port
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(werr.String(), "serving") {
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %s", werr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	tests := []struct {
		name, input, wantType, wantText string
	}{
		{"missing file", bad["missing"], workflows.ErrTypeNotFound, "missing.mp4"},
		{"empty file", bad["empty"], workflows.ErrTypeEmptyInput, "empty.mp4"},
		{"text named mp4", bad["text"], workflows.ErrTypeInvalidMedia, "notes.mp4"},
		{"truncated mp4", bad["trunc"], "", "trunc.mp4"},
		{"no video stream", bad["audio"], workflows.ErrTypeNoVideo, "audio.m4a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := reel(ctx, "submit", tt.input, "--wait", "--temporal", hostPort, "--out", filepath.Join(dir, "out", tt.name), "--profile", prof)
			if code != exitFailed {
				t.Fatalf("exit %d, want %d; stderr: %s", code, exitFailed, stderr)
			}
			if !strings.Contains(stderr, "not retryable") || !strings.Contains(stderr, tt.wantText) || (tt.wantType != "" && !strings.Contains(stderr, "["+tt.wantType+",")) {
				t.Fatalf("stderr does not name the cause (%s, %s):\n%s", tt.wantType, tt.wantText, stderr)
			}
			if tt.wantType == "" && !strings.Contains(stderr, "["+workflows.ErrTypeTruncatedMedia) && !strings.Contains(stderr, "["+workflows.ErrTypeInvalidMedia) {
				t.Fatalf("truncated file: want TruncatedMedia or InvalidMedia:\n%s", stderr)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("error is not one line:\n%s", stderr)
			}
		})
	}
	// The same worker still encodes a good title.
	code, stdout, stderr := reel(ctx, "submit", clip, "--wait", "--temporal", hostPort, "--out", filepath.Join(dir, "out", "good"), "--profile", prof)
	if code != 0 {
		t.Fatalf("good title after bad ones: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "report: ") {
		t.Fatalf("no report line:\n%s", stdout)
	}
}

// TestInterruptedRunResumes builds the reel binary, interrupts `reel run`
// with SIGINT while it encodes, runs the same command again and checks that
// the same workflow finishes.
func TestInterruptedRunResumes(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	bin := buildReel(t, dir)
	// A longer mezzanine so that the interrupt lands mid-encode.
	mezz := filepath.Join(dir, "mezz.mkv")
	makeMezzanine(t, mezz, "1280x720", 500)
	port := strconv.Itoa(freePorts(t))
	args := []string{"run", mezz, "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port,
		"--out", filepath.Join(dir, "out"), "--json", "--profile", writeFixedProfile(t, dir)}

	cmd := exec.Command(bin, args...)
	var stderr1 syncBuffer
	cmd.Stderr = &stderr1
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(stderr1.String(), "encode     running") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("encode never started:\n%s", stderr1.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	_ = cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("interrupted run: exit %d (%v), want %d\n%s", code, err, exitInterrupted, stderr1.String())
	}
	if !strings.Contains(stderr1.String(), "run the same command again") {
		t.Fatalf("no resume hint:\n%s", stderr1.String())
	}

	cmd = exec.Command(bin, args...)
	var stdout2, stderr2 syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout2, &stderr2
	if err := cmd.Run(); err != nil {
		t.Fatalf("second run: %v\n%s", err, stderr2.String())
	}
	if !strings.Contains(stderr2.String(), "resumed workflow "+workflows.WorkflowID("mezz")) {
		t.Fatalf("second run did not resume the workflow:\n%s", stderr2.String())
	}
	var res workflows.TitleResult
	if err := json.Unmarshal([]byte(stdout2.String()), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout2.String())
	}
	for _, r := range res.Rungs {
		if _, _, n := ffprobeVideo(t, r.Path); n != 500 {
			t.Errorf("rung %s: %d frames, want 500", r.ID, n)
		}
	}
	fmt.Fprintln(os.Stderr, "") // keep the log tidy after progress output
}

// buildReel builds the reel binary into dir.
func buildReel(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "reel")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/reel").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startReel starts the reel binary with args; its output is kept in
// syncBuffers, and the process is killed when the test ends.
func startReel(t *testing.T, bin, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &syncBuffer{}, &syncBuffer{}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

// makeMezzanine writes an FFV1 mezzanine of frames testsrc2 frames at 25 fps.
func makeMezzanine(t *testing.T, path, size string, frames int) {
	t.Helper()
	mediatest.Clip(t, path, mediatest.ClipOptions{Size: size, Rate: "25", Frames: frames, Codec: "ffv1"})
}
