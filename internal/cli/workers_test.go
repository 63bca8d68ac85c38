package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/workflows"
)

// TestTwoWorkersAndAKilledOne runs the chunked encode on one server with two
// `reel worker` processes serving the encode queue: both take chunks. Then it
// encodes the same title again and SIGKILLs one encode worker in the middle
// of a chunk: the title still completes on the other, and its rungs are
// byte-identical to the undisturbed run's.
func TestTwoWorkersAndAKilledOne(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	bin := buildReel(t, dir)
	mezz := filepath.Join(dir, "mezz.mkv")
	makeMezzanine(t, mezz, "640x360", 500)
	prof := writeProfile(t, dir, "profile.yaml", `ladder:
  defaults: {preset: veryfast}
  rungs:
    - {id: 360p, height: 360, crf: 26}
    - {id: 180p, height: 180, crf: 28}
chunking: {mode: fixed, min_seconds: 2, max_seconds: 2}
encode: {max_parallel: 4}
audio: []
`)
	start := func(name string, args ...string) *exec.Cmd { return startReel(t, bin, name, args...) }
	// The server and the non-encode queues in one process, no encode queue.
	_, hostPort, c := startFlowServer(t, bin, filepath.Join(dir, "state"))
	w1 := start("worker 1", "worker", "--temporal", hostPort, "--queues", "reel-encode", "--state-dir", filepath.Join(dir, "s1"))
	w2 := start("worker 2", "worker", "--temporal", hostPort, "--queues", "reel-encode", "--state-dir", filepath.Join(dir, "s2"))
	waitServing(t, 60*time.Second, w1, w2)

	submit := func(title string) *exec.Cmd {
		return start("submit "+title, "submit", mezz, "--temporal", hostPort, "--title", title, "--profile", prof,
			"--out", filepath.Join(dir, title), "--wait")
	}
	// Undisturbed: both workers take chunks.
	a := submit("a")
	if err := a.Wait(); err != nil {
		t.Fatalf("undisturbed run: %v\n%s", err, stderrOf(a))
	}
	ids := chunkWorkers(t, c, workflows.WorkflowID("a"))
	if len(ids) != 2 {
		t.Fatalf("chunks ran on %v, want both workers", ids)
	}

	// Disturbed: kill worker 1 while it encodes a chunk.
	b := submit("b")
	ident := strconv.Itoa(w1.Process.Pid) + "@"
	waitFor(t, 2*time.Minute, func() bool {
		d, err := c.DescribeWorkflowExecution(context.Background(), workflows.WorkflowID("b"), "")
		if err != nil {
			return false
		}
		for _, pa := range d.GetPendingActivities() {
			if pa.GetActivityType().GetName() == workflows.ActivityEncodeChunk && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED &&
				strings.HasPrefix(pa.GetLastWorkerIdentity(), ident) {
				return true
			}
		}
		return false
	}, "worker 1 to start a chunk of title b")
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatalf("run with a killed worker: %v\n%s", err, stderrOf(b))
	}
	for _, rung := range []string{"360p", "180p"} {
		ra, err := os.ReadFile(filepath.Join(dir, "a", "rungs", rung+".mp4"))
		if err != nil {
			t.Fatal(err)
		}
		rb, err := os.ReadFile(filepath.Join(dir, "b", "rungs", rung+".mp4"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ra, rb) {
			t.Errorf("rung %s differs between the undisturbed run and the one with a killed worker; chunks that differ: %v", rung, diffChunks(t, filepath.Join(dir, "a", ".chunks"), filepath.Join(dir, "b", ".chunks")))
		}
		if _, _, n := ffprobeVideo(t, filepath.Join(dir, "b", "rungs", rung+".mp4")); n != 500 {
			t.Errorf("rung %s has %d frames, want 500", rung, n)
		}
	}
}

// chunkWorkers returns the identities of the workers that completed the
// workflow's EncodeChunk activities.
func chunkWorkers(t *testing.T, c client.Client, id string) map[string]int {
	t.Helper()
	attempts, err := activityAttempts(context.Background(), c, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range attempts {
		if a.Completed && a.Type == workflows.ActivityEncodeChunk {
			out[a.Identity]++
		}
	}
	return out
}

func waitFor(t *testing.T, d time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// diffChunks lists the chunk files (content-addressed, so both runs use the
// same names) whose bytes differ between two caches.
func diffChunks(t *testing.T, a, b string) []string {
	var diff []string
	_ = filepath.Walk(a, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(p, ".mp4") {
			return nil
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			diff = append(diff, fmt.Sprintf("%s (%d vs %d bytes, %v)", rel, len(x), len(y), err))
		}
		return nil
	})
	return diff
}
