package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/internal/pgtest"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/workflows"
)

// fleetProfileYAML is the fleet test's profile: a fixed two-rung ladder
// (no per-title trials), 4-second chunks at preset slower so that a chunk
// takes seconds (a signal lands while one runs), at most two chunks of a
// title at once, no audio.
const fleetProfileYAML = `name: fleet
ladder:
  mode: fixed
  defaults: {preset: slower}
  rungs:
    - {id: 360p, height: 360, crf: 28}
    - {id: 180p, height: 180, crf: 30}
chunking: {mode: fixed, min_seconds: 4, max_seconds: 4}
encode: {max_parallel: 2}
audio: []
`

// fleetTitle is one of the fleet test's titles: an FFV1 mezzanine in S3.
type fleetTitle struct {
	name, size string
	frames     int
}

// fleetTitles are three short titles of different sizes and lengths:
// two chunks each.
var fleetTitles = []fleetTitle{
	{"alpha", "960x540", 200},
	{"bravo", "640x360", 200},
	{"charlie", "960x540", 150},
}

// TestFleetOneBox runs reel as a fleet on one machine (issue 23, see
// docs/fleet.md): `reel server` on a PostgreSQL started by pgtest, with
// the Web UI; an S3 server (versitygw) holding the mezzanines and the
// outputs; and `reel worker` processes, one per kind of work:
//
//   - flow:  the workflow queue and reel-io (probes, stitches, reports),
//   - score: reel-cpu (analysis, VMAF and QC),
//   - enc-1, enc-2: reel-encode, one chunk at a time each (the queue that
//     scales, so two replicas).
//
// Three titles are submitted at once. enc-1 is SIGKILLed while it encodes
// a chunk (a crash) and enc-3 starts in its place; the killed chunk times
// out on its heartbeat (30 s) and is retried on another worker. enc-2 is
// then SIGTERMed while it encodes a chunk: it drains (the chunk finishes
// on enc-2, exit 0). Every title completes; the Web UI's API lists the
// three workflows; every output object of every title (rungs, VMAF and
// QC files, package; report.json aside, which holds timings) has the same
// SHA-256 as a single-process `reel run` of the same title and profile.
// At the end the remaining workers stop on SIGTERM with exit 0.
func TestFleetOneBox(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	if os.Getenv("REEL_FLEET") != "1" {
		t.Skip("the one-box fleet test (3 to 4 minutes) runs with REEL_FLEET=1, as make test and make test-fleet set it")
	}
	began := time.Now()
	phase := func(what string) { t.Logf("%6.1fs %s", time.Since(began).Seconds(), what) }
	pg := pgtest.New(t)
	s := startS3(t)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	phase("PostgreSQL and S3 up")
	dir := t.TempDir()
	bin := buildReel(t, dir)
	phase("reel built")
	prof := writeProfile(t, dir, "fleet.yaml", fleetProfileYAML)

	mezz, err := s.NewBucket(ctx, "mezz")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.NewBucket(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := s.NewBucket(ctx, "ref")
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range fleetTitles {
		p := filepath.Join(dir, ti.name+".mkv")
		makeMezzanine(t, p, ti.size, ti.frames)
		putFile(ctx, t, mezz, ti.name+".mkv", p)
	}
	phase("mezzanines in s3://mezz/")

	rs := startServerCmd(t, map[string]string{"REEL_SERVER_DB": pg.DSN("reelfleet")},
		"--addr", "127.0.0.1:0", "--ui-addr", "127.0.0.1:0", "--state-dir", filepath.Join(dir, "server"))
	defer rs.stop(t)
	phase("reel server up on PostgreSQL: " + rs.frontend + ", Web UI " + rs.uiURL)

	worker := func(identity, queues string, extra ...string) *exec.Cmd {
		args := append([]string{"worker", "--temporal", rs.frontend, "--queues", queues, "--identity", identity,
			"--state-dir", filepath.Join(dir, identity), "--s3-endpoint", s.Endpoint, "--s3-path-style"}, extra...)
		return startReel(t, bin, identity, args...)
	}
	encoder := func(identity string) *exec.Cmd {
		return worker(identity, workflows.QueueEncode, "--max-activities", workflows.QueueEncode+"=1", "--drain-timeout", "2m")
	}
	serving := func(ws ...*exec.Cmd) { waitServing(t, 2*time.Minute, ws...) }
	flow := worker("flow", workflows.QueueWorkflow+","+workflows.QueueIO)
	score := worker("score", workflows.QueueCPU)
	enc1, enc2 := encoder("enc-1"), encoder("enc-2")
	serving(flow, score, enc1, enc2)
	phase("workers serving: flow (reel, reel-io), score (reel-cpu), enc-1 and enc-2 (reel-encode)")

	c, err := client.Dial(client.Options{HostPort: rs.frontend, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wids []string
	for _, ti := range fleetTitles {
		code, stdout, stderr := reel(ctx, "submit", "s3://mezz/"+ti.name+".mkv", "--temporal", rs.frontend,
			"--title", ti.name, "--profile", prof, "--out", "s3://out/"+ti.name+"/")
		if code != 0 || strings.TrimSpace(stdout) != workflows.WorkflowID(ti.name) {
			t.Fatalf("submit %s: exit %d, stdout %q\n%s", ti.name, code, stdout, stderr)
		}
		wids = append(wids, workflows.WorkflowID(ti.name))
	}
	phase("three titles submitted")

	// A crash: enc-1 is killed in the middle of a chunk; its replacement
	// starts.
	killed := waitChunkOn(ctx, t, c, wids, "enc-1", chunkFresh)
	if err := enc1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	phase("SIGKILL enc-1 while it encodes " + killed.String())
	enc3 := encoder("enc-3")

	// A rolling update: enc-2 is stopped in the middle of a chunk and
	// drains.
	drained := waitChunkOn(ctx, t, c, wids, "enc-2", chunkFresh)
	if err := enc2.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	phase("SIGTERM enc-2 while it encodes " + drained.String())
	// The worker's count of running activities may still be 0 when the
	// server has just handed it the chunk (it counts from the activity's
	// start): that chunk still finishes within the drain, which the
	// history check below proves, so the count is not asserted here.
	if code, took := exitWithin(t, enc2, 3*time.Minute); code != 0 ||
		!strings.Contains(stderrOf(enc2), "draining: polling stopped;") ||
		strings.Contains(stderrOf(enc2), "cancelled") {
		t.Fatalf("enc-2: exit %d %v after SIGTERM, want 0 after its chunk finished:\n%s", code, took, stderrOf(enc2))
	} else {
		phase("enc-2 drained and exited 0 (" + took.Round(100*time.Millisecond).String() + " after SIGTERM)")
	}
	serving(enc3)

	results := map[string]workflows.TitleResult{}
	for i, wid := range wids {
		var res workflows.TitleResult
		if err := c.GetWorkflow(ctx, wid, "").Get(ctx, &res); err != nil {
			t.Fatalf("%s: %v\nflow:\n%s\nscore:\n%s\nenc-3:\n%s", wid, err, stderrOf(flow), stderrOf(score), stderrOf(enc3))
		}
		results[fleetTitles[i].name] = res
	}
	phase("every title completed on the fleet")

	// The killed chunk moved: its next attempt ran elsewhere, after a
	// heartbeat timeout. The drained one finished where it ran.
	kf, err := activityFate(ctx, c, killed.wid, killed.activityID)
	if err != nil {
		t.Fatal(err)
	}
	if !kf.completed || kf.identity == "enc-1" || kf.attempt <= killed.attempt || kf.lastTimeout != enumspb.TIMEOUT_TYPE_HEARTBEAT {
		t.Errorf("killed chunk %s: completed %v on %q at attempt %d after a %v timeout; want completed on another worker, attempt > %d, after a heartbeat timeout",
			killed, kf.completed, kf.identity, kf.attempt, kf.lastTimeout, killed.attempt)
	} else {
		t.Logf("killed chunk %s moved: completed on %s, attempt %d, after a heartbeat timeout", killed, kf.identity, kf.attempt)
	}
	df, err := activityFate(ctx, c, drained.wid, drained.activityID)
	if err != nil {
		t.Fatal(err)
	}
	if !df.completed || df.identity != "enc-2" || df.attempt != drained.attempt {
		t.Errorf("drained chunk %s: completed %v on %q at attempt %d; want completed on enc-2 at attempt %d",
			drained, df.completed, df.identity, df.attempt, drained.attempt)
	}
	perWorker := map[string]int{}
	for _, wid := range wids {
		for id, n := range chunkWorkers(t, c, wid) {
			perWorker[id] += n
		}
	}
	t.Logf("chunks completed per worker: %v", perWorker)

	// The Web UI (through reel server's UI) lists the three workflows.
	for _, wid := range wids {
		waitUIList(ctx, t, rs.uiURL, "default", wid)
	}
	phase("the Web UI lists the three workflows")

	// The fleet stops cleanly: idle workers exit 0 on SIGTERM at once.
	for _, w := range []*exec.Cmd{flow, score, enc3} {
		if err := w.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code, took := exitWithin(t, w, time.Minute); code != 0 {
			t.Errorf("%s: exit %d %v after SIGTERM:\n%s", procName(w), code, took, stderrOf(w))
		}
	}

	// The same titles by a single process, reel run (embedded Temporal,
	// every queue), into s3://ref/.
	for _, ti := range fleetTitles {
		run := exec.CommandContext(ctx, bin, "run", "s3://mezz/"+ti.name+".mkv", "--title", ti.name, "--profile", prof,
			"--out", "s3://ref/"+ti.name+"/", "--state-dir", filepath.Join(dir, "single"), "--json", "--quiet",
			"--s3-endpoint", s.Endpoint, "--s3-path-style")
		var stdout, stderr syncBuffer
		run.Stdout, run.Stderr = &stdout, &stderr
		if err := run.Run(); err != nil {
			t.Fatalf("reel run %s: %v\n%s", ti.name, err, stderr.String())
		}
		var res workflows.TitleResult
		if err := json.Unmarshal([]byte(stdout.String()), &res); err != nil {
			t.Fatalf("reel run %s: %v: %s", ti.name, err, stdout.String())
		}
		if len(res.Rungs) != len(results[ti.name].Rungs) {
			t.Errorf("%s: %d rungs in a single process, %d on the fleet", ti.name, len(res.Rungs), len(results[ti.name].Rungs))
		}
	}
	phase("the same three titles by single-process reel run")

	for _, ti := range fleetTitles {
		fleet := objectHashes(ctx, t, out, "out", ti.name+"/")
		single := objectHashes(ctx, t, ref, "ref", ti.name+"/")
		rungs := 0
		for key, h := range single {
			if strings.HasPrefix(key, "rungs/") {
				rungs++
			}
			if fh, ok := fleet[key]; !ok {
				t.Errorf("%s: %s written by reel run, not by the fleet", ti.name, key)
			} else if fh != h {
				t.Errorf("%s: %s differs between the fleet and reel run", ti.name, key)
			}
		}
		for key := range fleet {
			if _, ok := single[key]; !ok {
				t.Errorf("%s: %s written by the fleet, not by reel run", ti.name, key)
			}
		}
		if rungs != 2 {
			t.Errorf("%s: %d rung files, want 2 (have %v)", ti.name, rungs, sortedKeys(single))
		}
		// One rung of each title, downloaded: whole and playable.
		local := filepath.Join(dir, ti.name+"-180p.mp4")
		if err := os.WriteFile(local, getObject(t, out, ti.name+"/rungs/180p.mp4"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, h, n := ffprobeVideo(t, local); h != 180 || n != ti.frames {
			t.Errorf("%s: 180p rung is %dp with %d frames, want 180p with %d", ti.name, h, n, ti.frames)
		}
		t.Logf("%s: %d objects identical to the single-process run's (%v)", ti.name, len(single), sortedKeys(single))
	}
	phase("outputs compared")
}

// putFile uploads a local file as key.
func putFile(ctx context.Context, t *testing.T, st *mezzfs.S3Store, key, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, key, f, fi.Size()); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// objectHashes returns the SHA-256 of every output object of a title in
// bucket under prefix, by key relative to it. Left out: the report
// (report.json, report.html: timings, run id, time written) and the chunk
// cache (.chunks/, an intermediate). The rungs' QC files name the rung by
// its location: the title's output location is replaced by "OUT/" before
// hashing.
func objectHashes(ctx context.Context, t *testing.T, st *mezzfs.S3Store, bucket, prefix string) map[string]string {
	t.Helper()
	objs, err := st.List(ctx, prefix)
	if err != nil {
		t.Fatal(err)
	}
	loc := []byte("s3://" + bucket + "/" + prefix)
	out := map[string]string{}
	for _, o := range objs {
		key := strings.TrimPrefix(o.Key, prefix)
		if key == "report.json" || key == "report.html" || strings.HasPrefix(key, ".chunks/") {
			continue
		}
		sum := sha256.Sum256(bytes.ReplaceAll(getObject(t, st, o.Key), loc, []byte("OUT/")))
		out[key] = hex.EncodeToString(sum[:])
	}
	return out
}

// runningChunk is an EncodeChunk activity seen running on a worker.
type runningChunk struct {
	wid, activityID string
	attempt         int
}

func (r runningChunk) String() string { return r.wid + " activity " + r.activityID }

// chunkFresh is how recently a chunk must have started for a signal to
// land in its middle: a chunk of fleetProfileYAML takes longer than that
// even on an idle machine.
const chunkFresh = 1500 * time.Millisecond

// waitChunkOn waits until identity runs an EncodeChunk of one of the
// workflows that started less than fresh ago, and returns it.
func waitChunkOn(ctx context.Context, t *testing.T, c client.Client, wids []string, identity string, fresh time.Duration) runningChunk {
	t.Helper()
	var found runningChunk
	waitFor(t, 4*time.Minute, func() bool {
		for _, wid := range wids {
			d, err := c.DescribeWorkflowExecution(ctx, wid, "")
			if err != nil {
				continue
			}
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == workflows.ActivityEncodeChunk && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED &&
					pa.GetLastWorkerIdentity() == identity && time.Since(pa.GetLastStartedTime().AsTime()) < fresh {
					found = runningChunk{wid: wid, activityID: pa.GetActivityId(), attempt: int(pa.GetAttempt())}
					return true
				}
			}
		}
		return false
	}, "a chunk encode on "+identity)
	return found
}

// activityFate is how an activity of a workflow ended: its last attempt's
// number and worker, the timeout that ended the attempt before it (if
// any), and whether it completed.
type activityFateInfo struct {
	attempt     int
	identity    string
	lastTimeout enumspb.TimeoutType
	completed   bool
}

func activityFate(ctx context.Context, c client.Client, wid, activityID string) (activityFateInfo, error) {
	var f activityFateInfo
	var scheduled, started int64
	it := c.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return f, err
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityId() == activityID {
			scheduled = ev.GetEventId()
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled != 0 && a.GetScheduledEventId() == scheduled {
			started = ev.GetEventId()
			f.attempt, f.identity = int(a.GetAttempt()), a.GetIdentity()
			f.lastTimeout = a.GetLastFailure().GetTimeoutFailureInfo().GetTimeoutType()
		}
		if a := ev.GetActivityTaskCompletedEventAttributes(); a != nil && started != 0 && a.GetStartedEventId() == started {
			f.completed = true
		}
	}
	if scheduled == 0 {
		return f, errors.New(wid + ": no activity " + activityID + " in the history")
	}
	return f, nil
}
