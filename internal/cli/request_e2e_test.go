package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

func readReport(t *testing.T, path string) *report.Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tinyProfileYAML encodes one small rung fast.
const tinyProfileYAML = `name: tiny
ladder:
  mode: fixed
  defaults: {preset: ultrafast}
  rungs:
    - {id: 180p, height: 180, crf: 30}
`

// startWorker runs `reel worker` on an embedded server in state for the
// test's length and returns the server's host:port.
func startWorker(t *testing.T, state string) string {
	t.Helper()
	port := strconv.Itoa(freePorts(t))
	startWorkerOn(t, state, port)
	return "127.0.0.1:" + port
}

// startWorkerOn runs `reel worker` with its embedded server on port until
// the returned stop (or the test's end) stops both.
func startWorkerOn(t *testing.T, state, port string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out syncBuffer
	go func() {
		done <- Run(ctx, &Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }},
			[]string{"worker", "--state-dir", state, "--embedded-port", port})
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("worker exit %d: %s", code, out.String())
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(out.String(), "serving") {
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %s", out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return stop
}

// The reproduction: a new master under the same name is encoded
// again (and the CLI says why), the same request is answered at once, and
// a different request while a run is in flight is refused naming it,
// unless forced.
func TestNewMasterIsEncodedAgain(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	hostPort := startWorker(t, filepath.Join(dir, "state"))
	ctx := context.Background()
	prof := writeProfile(t, dir, "p.yaml", tinyProfileYAML)
	src := filepath.Join(dir, "clip.mkv")
	run := func(out string, extra ...string) (int, workflows.TitleResult, string) {
		t.Helper()
		args := append([]string{"run", src, "--temporal", hostPort, "--no-worker", "--profile", prof, "--out", out, "--json"}, extra...)
		code, stdout, stderr := reel(ctx, args...)
		var res workflows.TitleResult
		if code == 0 {
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatalf("result: %v\n%s", err, stdout)
			}
		}
		return code, res, stderr
	}
	frames := func(res workflows.TitleResult) int {
		if len(res.Rungs) != 1 {
			t.Fatalf("%d rungs, want 1", len(res.Rungs))
		}
		_, _, n := ffprobeVideo(t, res.Rungs[0].Path)
		return n
	}

	makeMezzanine(t, src, "320x180", 25)
	o1, o2 := filepath.Join(dir, "o1"), filepath.Join(dir, "o2")
	code, res1, stderr := run(o1)
	if code != 0 || frames(res1) != 25 {
		t.Fatalf("first master: exit %d\n%s", code, stderr)
	}

	// The studio delivers a new master under the same name.
	if err := os.Remove(src); err != nil {
		t.Fatal(err)
	}
	makeMezzanine(t, src, "320x180", 50)
	code, res2, stderr := run(o2)
	if code != 0 {
		t.Fatalf("new master: exit %d\n%s", code, stderr)
	}
	if n := frames(res2); n != 50 || !strings.HasPrefix(res2.ReportPath, o2) {
		t.Fatalf("new master: %d frames, report %s; want 50 frames in %s\n%s", n, res2.ReportPath, o2, stderr)
	}
	for _, want := range []string{"source changed (size", "output " + o1 + " → " + o2, "encoding again"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("new master: stderr does not say %q:\n%s", want, stderr)
		}
	}
	if rep := readReport(t, res2.ReportPath); rep.Title.Request == nil || rep.Title.Request.Out != o2 {
		t.Fatalf("report request %+v", rep.Title.Request)
	}

	// The same command a third time answers with o2's result, no work.
	t0 := time.Now()
	code, res3, stderr := run(o2)
	if code != 0 || !strings.Contains(stderr, "already encoded") || jsonOf(t, res3) != jsonOf(t, res2) {
		t.Fatalf("same request: exit %d, result %s\n%s", code, jsonOf(t, res3), stderr)
	}
	if d := time.Since(t0); d > 20*time.Second {
		t.Errorf("same request took %s", d)
	}

	// A request of a title in flight: a different output is refused,
	// naming the running request; --force replaces it.
	long := filepath.Join(dir, "long.mkv")
	makeMezzanine(t, long, "640x360", 750)
	submit := func(out string, extra ...string) (int, string, string) {
		return reel(ctx, append([]string{"submit", long, "--temporal", hostPort, "--profile", prof, "--out", out}, extra...)...)
	}
	o3, o4 := filepath.Join(dir, "o3"), filepath.Join(dir, "o4")
	if code, _, stderr := submit(o3); code != 0 {
		t.Fatalf("submit long: exit %d\n%s", code, stderr)
	}
	code, _, stderr = submit(o3)
	if code != 0 || !strings.Contains(stderr, "joining the encode in flight") {
		t.Fatalf("same request in flight: exit %d\n%s", code, stderr)
	}
	code, _, stderr = submit(o4)
	if code != exitFailed {
		t.Fatalf("different request in flight: exit %d, want %d\n%s", code, exitFailed, stderr)
	}
	for _, want := range []string{"still running", "from " + long, "to " + o3, "output " + o3 + " → " + o4, "--force"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("refusal does not say %q:\n%s", want, stderr)
		}
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("refusal is not one line:\n%s", stderr)
	}
	code, stdout, stderr := submit(o4, "--force", "--wait")
	if code != 0 || !strings.Contains(stderr, "cancelling it (--force)") || !strings.Contains(stdout, "report: "+filepath.Join(o4, "report.json")) {
		t.Fatalf("forced request: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(o3, "report.json")); err == nil {
		t.Errorf("the replaced run wrote its report")
	}
}
