package cli

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reel-video/reel/workflows"
)

// TestDrainWorker stops `reel worker` processes with SIGTERM while they
// encode a chunk of a title:
//
//   - worker A (--drain-timeout 2m): /readyz answers 503 at once while
//     /healthz stays 200, polling stops, the chunk in flight finishes on A
//     and A exits 0 well within its drain timeout;
//   - worker B (--drain-timeout 0): the chunk in flight is cancelled, B
//     says so and exits 0 at once;
//   - worker C then finishes the title: the chunk cut on B is retried on C.
func TestDrainWorker(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	began := time.Now()
	phase := func(what string) { t.Logf("%5.1fs %s", time.Since(began).Seconds(), what) }
	dir := t.TempDir()
	bin := buildReel(t, dir)
	phase("built")
	// 540p chunks of 4 s at preset slow: seconds each, so a SIGTERM lands
	// while one runs.
	mezz := filepath.Join(dir, "mezz.mkv")
	makeMezzanine(t, mezz, "960x540", 300)
	prof := writeProfile(t, dir, "profile.yaml", `ladder:
  defaults: {preset: slow}
  rungs:
    - {id: 540p, height: 540, crf: 30}
chunking: {mode: fixed, min_seconds: 4, max_seconds: 4}
encode: {max_parallel: 4}
audio: []
`)
	server, hostPort, c := startFlowServer(t, bin, filepath.Join(dir, "state"))

	encodeWorker := func(identity, drain string) *exec.Cmd {
		return startServing(t, bin, identity, 60*time.Second, "worker", "--temporal", hostPort, "--queues", workflows.QueueEncode,
			"--max-activities", "reel-encode=1", "--drain-timeout", drain, "--identity", identity,
			"--metrics", "127.0.0.1:0", "--state-dir", filepath.Join(dir, identity))
	}
	wid := workflows.WorkflowID("drain")
	// chunkOn waits for an encode activity started on identity.
	chunkOn := func(identity string) {
		waitFor(t, 3*time.Minute, func() bool {
			d, err := c.DescribeWorkflowExecution(context.Background(), wid, "")
			if err != nil {
				return false
			}
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == workflows.ActivityEncodeChunk && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED &&
					pa.GetLastWorkerIdentity() == identity {
					return true
				}
			}
			return false
		}, "a chunk encode on "+identity)
	}
	a := encodeWorker("drain-a", "2m")
	probe := metricsProber(t, stderrOf(a))
	if code, body := probe("/readyz"); code != http.StatusOK {
		t.Fatalf("worker A /readyz before SIGTERM: %d %q", code, body)
	}
	submit := startReel(t, bin, "submit", "submit", mezz, "--temporal", hostPort, "--title", "drain", "--profile", prof,
		"--out", filepath.Join(dir, "out"))
	if err := submit.Wait(); err != nil {
		t.Fatalf("submit: %v\n%s", err, stderrOf(submit))
	}

	phase("submitted")
	chunkOn("drain-a")
	phase("a chunk on A")
	if err := a.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Not ready at once (the orchestrator stops routing), alive while it
	// drains (not killed before its chunk finishes).
	waitFor(t, 2*time.Second, func() bool { code, _ := probe("/readyz"); return code == http.StatusServiceUnavailable }, "/readyz 503 after SIGTERM")
	if code, body := probe("/healthz"); code != http.StatusOK || !strings.Contains(body, "draining") {
		t.Errorf("worker A /healthz while draining: %d %q, want 200 draining", code, body)
	}
	code, took := exitWithin(t, a, 2*time.Minute)
	if code != 0 || !strings.Contains(stderrOf(a), "draining: polling stopped; 1 running activities") ||
		strings.Contains(stderrOf(a), "cancelled") {
		t.Fatalf("worker A: exit %d after %v:\n%s", code, took, stderrOf(a))
	}
	phase("A drained in " + took.String())

	b := encodeWorker("drain-b", "0s")
	chunkOn("drain-b")
	if err := b.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code, took := exitWithin(t, b, 30*time.Second); code != 0 || !strings.Contains(stderrOf(b), "drain timeout: cancelled 1 running activities") {
		t.Fatalf("worker B: exit %d after %v:\n%s", code, took, stderrOf(b))
	}

	phase("B cut its chunk")
	encodeWorker("drain-c", "2m")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var res workflows.TitleResult
	if err := c.GetWorkflow(ctx, wid, "").Get(ctx, &res); err != nil {
		t.Fatalf("title after the drains: %v\nserver:\n%s", err, stderrOf(server))
	}
	phase("title done")
	attempts, err := activityAttempts(ctx, c, wid)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]int{}
	retriedOnC := false
	for _, at := range attempts {
		if at.Type != workflows.ActivityEncodeChunk {
			continue
		}
		if at.Completed {
			done[at.Identity]++
		}
		if at.Completed && at.Identity == "drain-c" && at.Attempt > 1 {
			retriedOnC = true
		}
	}
	if done["drain-a"] == 0 || done["drain-b"] != 0 || !retriedOnC {
		t.Errorf("chunks completed per worker %v (retried on C: %v): want A's in-flight chunk finished on A, B's cut and retried on C", done, retriedOnC)
	}
	if _, _, n := ffprobeVideo(t, res.Rungs[0].Path); n != 300 {
		t.Errorf("rung has %d frames, want 300", n)
	}
}

// metricsProber finds the metrics address a worker printed and returns a
// GET on it.
func metricsProber(t *testing.T, stderr string) func(path string) (int, string) {
	t.Helper()
	m := regexp.MustCompile(`metrics on http://([^/\s]+)/metrics`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no metrics address in %q", stderr)
	}
	return func(path string) (int, string) {
		resp, err := http.Get("http://" + m[1] + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}
