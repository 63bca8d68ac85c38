package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/internal/tserver"
	"github.com/reel-video/reel/workflows"
)

// TestUpgradeWorkers is the rolling upgrade an operator does: a title is
// started and half encoded by the previous release's workers, every one of
// them is then stopped (SIGTERM, as an orchestrator replaces them) and the
// current build's workers finish it. The title must complete with no
// workflow task failure (a change to the workflow code that is not guarded
// by workflow.GetVersion fails the replay of the old history here) and its
// rung must have every frame.
//
// It builds two reel binaries, so it runs only with REEL_UPGRADE=1 (make
// test-upgrade). The previous release is REEL_UPGRADE_FROM (a commit), by
// default the parent of the last commit that changed the workflow code
// (workflows/*.go): the newest build whose workflows differ from this
// one's.
func TestUpgradeWorkers(t *testing.T) {
	if os.Getenv("REEL_UPGRADE") != "1" {
		t.Skip("builds the previous release too: REEL_UPGRADE=1 (make test-upgrade)")
	}
	needFFprobe(t)
	dir := t.TempDir()
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("no git repository to build the previous release from: %v", err)
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = strings.TrimSpace(string(top))
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	from := os.Getenv("REEL_UPGRADE_FROM")
	if from == "" {
		from = git("log", "-1", "--format=%H", "--", "workflows/*.go", ":!workflows/*_test.go") + "^"
	}
	rev := git("rev-parse", "--short", from)
	oldBin := buildReelAt(t, dir, strings.TrimSpace(string(top)), rev)
	newBin := buildReel(t, dir)
	t.Logf("upgrading from %s", rev)

	mezz := filepath.Join(dir, "mezz.mkv")
	makeMezzanine(t, mezz, "640x360", 400)
	prof := writeProfile(t, dir, "profile.yaml", `ladder:
  defaults: {preset: medium}
  rungs:
    - {id: 360p, height: 360, crf: 28}
chunking: {mode: fixed, min_seconds: 2, max_seconds: 2}
encode: {max_parallel: 2}
audio: []
`)

	// The server outlives both releases' workers.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	srv, err := tserver.Start(ctx, tserver.Config{StateDir: filepath.Join(dir, "server")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	hp := srv.HostPort()
	c, err := client.DialContext(ctx, client.Options{HostPort: hp, Namespace: srv.Namespace(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	old := startServing(t, oldBin, "old worker", 60*time.Second, "worker", "--temporal", hp, "--state-dir", filepath.Join(dir, "old"))
	submit := startReel(t, oldBin, "old submit", "submit", mezz, "--temporal", hp, "--title", "upgrade", "--profile", prof,
		"--out", filepath.Join(dir, "out"))
	if err := submit.Wait(); err != nil {
		t.Fatalf("old submit: %v\n%s", err, stderrOf(submit))
	}
	wid := workflows.WorkflowID("upgrade")
	// Mid-title: some chunks encoded by the old release, some not.
	waitFor(t, 5*time.Minute, func() bool {
		attempts, err := activityAttempts(ctx, c, wid)
		if err != nil {
			return false
		}
		for _, a := range attempts {
			if a.Type == workflows.ActivityEncodeChunk && a.Completed {
				return true
			}
		}
		return false
	}, "the old workers to encode a chunk")
	if err := old.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = old.Wait()
	d, err := c.DescribeWorkflowExecution(ctx, wid, "")
	if err != nil {
		t.Fatal(err)
	}
	if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("the title is %v before the upgrade: the old workers finished it, nothing to upgrade (use a longer title)", st)
	}

	startReel(t, newBin, "new worker", "worker", "--temporal", hp, "--state-dir", filepath.Join(dir, "new"))
	var res workflows.TitleResult
	if err := c.GetWorkflow(ctx, wid, "").Get(ctx, &res); err != nil {
		t.Fatalf("title after the upgrade: %v", err)
	}
	it := c.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if f := ev.GetWorkflowTaskFailedEventAttributes(); f != nil {
			t.Errorf("workflow task failed (event %d, identity %s): %v %s", ev.GetEventId(), f.GetIdentity(), f.GetCause(), f.GetFailure().GetMessage())
		}
	}
	if len(res.Rungs) != 1 {
		t.Fatalf("rungs: %+v", res.Rungs)
	}
	if _, _, n := ffprobeVideo(t, res.Rungs[0].Path); n != 400 {
		t.Errorf("rung has %d frames, want 400", n)
	}
}

// buildReelAt builds the reel of commit rev of the repository at top (git
// archive, then go build) into dir/reel-REV.
func buildReelAt(t *testing.T, dir, top, rev string) string {
	t.Helper()
	src := filepath.Join(dir, "src-"+rev)
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := exec.Command("sh", "-c", `git archive "$1" | tar -x -C "$2"`, "sh", rev, src)
	archive.Dir = top
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive %s: %v\n%s", rev, err, out)
	}
	bin := filepath.Join(dir, "reel-"+rev)
	build := exec.Command("go", "build", "-o", bin, "./cmd/reel")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build at %s: %v\n%s", rev, err, out)
	}
	return bin
}
