package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/internal/faultproxy"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit"
	"github.com/reel-video/reel/workflows"
)

// The fault suite (issue 19): real parts — the embedded Temporal server in a
// `reel worker` process, real worker processes, versitygw behind the fault
// proxy — under the failures production shows. It runs only with
// REEL_FAULTS=1 (bash bench/faults.sh, about 11 min on 2 cores) and
// prints its figures on stdout as lines "FIGURE name: value".
//
// The title is the repository's real clip (Big Buck Bunny, 5.28 s, AAC)
// scaled to 640x360, with a per-title profile small enough to be quick that
// still runs every stage: probe, analysis (QC), trial encodes, chunk
// encodes (3 chunks of 2 s), audio, stitch, score, gate, package (HLS and
// DASH) and report.

const faultsEnv = "REEL_FAULTS"

const faultsProfileYAML = `name: faults
segment_seconds: 2
ladder:
  mode: per-title
  defaults: {preset: veryfast}
  per_title:
    heights: [180, 360]
    crfs: [24, 34]
    rungs: 2
    min_vmaf: 0
    sample: {max_seconds: 4, max_shots: 2, max_shot_seconds: 2, min_shot_seconds: 1}
chunking: {mode: fixed, min_seconds: 2, max_seconds: 2}
encode: {max_parallel: 2}
`

// figure prints one figure of the suite for bench/faults.sh.
func figure(name, format string, a ...any) {
	fmt.Printf("FIGURE %s: %s\n", name, fmt.Sprintf(format, a...))
}

func needFaults(t *testing.T) {
	t.Helper()
	if os.Getenv(faultsEnv) != "1" {
		t.Skipf("the fault suite runs with %s=1 (bash bench/faults.sh; about 11 min on 2 cores)", faultsEnv)
	}
	needFFprobe(t)
}

// faultsFixture is what every part of the suite shares.
type faultsFixture struct {
	dir, bin, clip, profile string
	// ref holds the hashes of the reference run's outputs.
	ref map[string]string
}

func newFaultsFixture(t *testing.T) *faultsFixture {
	t.Helper()
	dir := t.TempDir()
	f := &faultsFixture{dir: dir, bin: buildReel(t, dir), clip: filepath.Join(dir, "bbb360.mp4")}
	mediatest.Clip(t, f.clip, mediatest.ClipOptions{File: clip, VF: "scale=640:360", Codec: "libx264", AudioCodec: "aac",
		Extra: mediatest.Args{"crf": "18"}})
	f.profile = writeProfile(t, dir, "faults.yaml", faultsProfileYAML)
	return f
}

// proc is a reel subprocess with its output kept.
type proc struct {
	cmd      *exec.Cmd
	out, err *syncBuffer
	done     chan struct{}
}

// startProc starts the reel binary with extra environment; it is killed
// when the test ends.
func startProc(t *testing.T, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), out: &syncBuffer{}, err: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.err
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start reel %v: %v", args, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.kill)
	return p
}

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *proc) waitServing(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(p.err.String(), "serving") {
		select {
		case <-p.done:
			t.Fatalf("reel %v exited: %s", p.cmd.Args[1:], p.err.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("reel %v did not start: %s", p.cmd.Args[1:], p.err.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stack is one embedded server (in a `reel worker` process serving only the
// workflow queue, or every queue) and the workers around it.
type stack struct {
	t        *testing.T
	f        *faultsFixture
	name     string
	state    string
	port     string
	hostPort string
	server   *proc
	c        client.Client
	workers  int
}

var activityQueues = strings.Join([]string{workflows.QueueIO, workflows.QueueCPU, workflows.QueueEncode}, ",")

// newStack starts a server process serving queues.
func newStack(t *testing.T, f *faultsFixture, name, queues string) *stack {
	t.Helper()
	port := strconv.Itoa(freePorts(t))
	s := &stack{t: t, f: f, name: name, state: filepath.Join(f.dir, name, "state"), port: port, hostPort: "127.0.0.1:" + port}
	s.startServer(queues)
	return s
}

func (s *stack) startServer(queues string) {
	s.t.Helper()
	s.server = startProc(s.t, s.f.bin, nil, "worker", "--state-dir", s.state, "--embedded-port", s.port, "--queues", queues)
	s.server.waitServing(s.t)
	if s.c != nil {
		s.c.Close()
	}
	c, err := client.Dial(client.Options{HostPort: s.hostPort, Logger: quietLogger()})
	if err != nil {
		s.t.Fatal(err)
	}
	s.c = c
	s.t.Cleanup(c.Close)
}

// worker starts a worker process on the activity queues.
func (s *stack) worker(env []string, args ...string) *proc {
	s.t.Helper()
	s.workers++
	a := append([]string{"worker", "--temporal", s.hostPort, "--queues", activityQueues,
		"--state-dir", filepath.Join(s.f.dir, s.name, fmt.Sprintf("w%d", s.workers))}, args...)
	p := startProc(s.t, s.f.bin, env, a...)
	p.waitServing(s.t)
	return p
}

// submit starts a title and returns at once.
func (s *stack) submit(title, input, out string) {
	s.t.Helper()
	code, stdout, stderr := reel(context.Background(), "submit", input, "--temporal", s.hostPort, "--title", title,
		"--profile", s.f.profile, "--out", out)
	if code != 0 {
		s.t.Fatalf("submit %s: exit %d\n%s%s", title, code, stdout, stderr)
	}
}

// wait waits for a title's workflow to end.
func (s *stack) wait(title string, d time.Duration) (workflows.TitleResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var res workflows.TitleResult
	err := s.c.GetWorkflow(ctx, workflows.WorkflowID(title), "").Get(ctx, &res)
	return res, err
}

// pending returns the activity types of a title's started activities and
// the describe's workflow status.
func (s *stack) pending(title string) ([]string, enumspb.WorkflowExecutionStatus) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := s.c.DescribeWorkflowExecution(ctx, workflows.WorkflowID(title), "")
	if err != nil {
		return nil, enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
	}
	var names []string
	for _, pa := range d.GetPendingActivities() {
		if pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
			names = append(names, pa.GetActivityType().GetName())
		}
	}
	return names, d.GetWorkflowExecutionInfo().GetStatus()
}

// activityCounts counts a workflow's completed activities and its started
// attempts per activity type.
func activityCounts(t *testing.T, c client.Client, wid string) (completed, started map[string]int) {
	t.Helper()
	attempts, err := activityAttempts(context.Background(), c, wid)
	if err != nil {
		t.Fatal(err)
	}
	completed, started = map[string]int{}, map[string]int{}
	for _, a := range attempts {
		started[a.Type] += a.Attempt
		if a.Completed {
			completed[a.Type]++
		}
	}
	return completed, started
}

func fmtCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%d", k, m[k])
	}
	return b.String()
}

// excludedFromIdentity are output files that differ between two runs of
// the same title by design: the report records its workflow's run id,
// start time and stage timings (report.html embeds report.json).
var excludedFromIdentity = []string{"report.json", "report.html"}

// wallClockKeys are the JSON fields of the chunk cache's records (chunk
// manifests, trial results) that record when and how fast a run went, not
// what it made; they are left out of the comparison, as is the output
// location itself (qc/<rung>.json names its input, the rung, by its full
// location), which is replaced by "<out>".
var wallClockKeys = []string{"encode_seconds", "score_seconds", "finished"}

// identityNote says what the comparisons leave out, for the figures.
const identityNote = "report.json and report.html (run ids, times) excluded; in JSON files the chunk cache's wall-clock fields encode_seconds, score_seconds, finished and the output location itself are left out"

// contentHash is the SHA-256 of an output file as the comparison sees it:
// media files as they are, JSON files without wallClockKeys and with out
// (the title's output location) replaced.
func contentHash(rel string, b []byte, out string) string {
	if strings.HasSuffix(rel, ".json") {
		b = bytes.ReplaceAll(b, []byte(strings.TrimSuffix(out, "/")), []byte("<out>"))
		var v any
		if json.Unmarshal(b, &v) == nil {
			stripKeys(v)
			if nb, err := json.Marshal(v); err == nil {
				b = nb
			}
		}
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func stripKeys(v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range wallClockKeys {
			delete(x, k)
		}
		for _, e := range x {
			stripKeys(e)
		}
	case []any:
		for _, e := range x {
			stripKeys(e)
		}
	}
}

// treeHashes returns the contentHash of every file under dir by its
// relative path, report files excepted.
func treeHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out, err := hashTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hashTree(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if slices.Contains(excludedFromIdentity, rel) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = contentHash(rel, b, dir)
		return nil
	})
	return out, err
}

// diffHashes lists what differs between a reference tree and another:
// files missing, extra or with other bytes.
func diffHashes(ref, got map[string]string) []string {
	var diff []string
	for k, h := range ref {
		switch g, ok := got[k]; {
		case !ok:
			diff = append(diff, "missing "+k)
		case g != h:
			diff = append(diff, "differs "+k)
		}
	}
	for k := range got {
		if _, ok := ref[k]; !ok {
			diff = append(diff, "extra "+k)
		}
	}
	sort.Strings(diff)
	return diff
}

// TestFaults is the suite: an undisturbed reference run, then each fault.
func TestFaults(t *testing.T) {
	needFaults(t)
	f := newFaultsFixture(t)

	// The reference: one undisturbed run on a server with one worker.
	ref := newStack(t, f, "ref", workflows.QueueWorkflow)
	ref.worker(nil)
	refOut := filepath.Join(f.dir, "ref", "out")
	start := time.Now()
	ref.submit("ref", f.clip, refOut)
	res, err := ref.wait("ref", 10*time.Minute)
	if err != nil {
		t.Fatalf("reference run: %v", err)
	}
	refSeconds := time.Since(start).Seconds()
	refHashes := treeHashes(t, refOut)
	f.ref = refHashes
	refCompleted, _ := activityCounts(t, ref.c, workflows.WorkflowID("ref"))
	refDurations := activityDurations(t, ref.c, workflows.WorkflowID("ref"))
	figure("reference run", "%.1f s, %d rungs, %d chunks, %d output files compared (%s)",
		refSeconds, len(res.Rungs), res.Chunks, len(refHashes), identityNote)
	figure("reference activities", "%s", fmtCounts(refCompleted))

	t.Run("WorkerKills", func(t *testing.T) { faultsWorkerKills(t, f, refDurations, refSeconds) })
	t.Run("ServerKill", func(t *testing.T) { faultsServerKill(t, f, refHashes, refCompleted) })
	t.Run("S3", func(t *testing.T) { faultsS3(t, f) })
	t.Run("DiskFull", func(t *testing.T) { faultsDiskFull(t, f) })
	t.Run("HostileTitleIDs", func(t *testing.T) { faultsHostileIDs(t, f) })
}

// heartbeating are the activities whose lost worker Temporal notices within
// the heartbeat timeout (30 s). Probe, SourceIdentity, GateCheck and
// WriteReport have none: a worker killed in them is noticed only at their
// start-to-close timeout (5–10 min), so the kill points are chosen among
// these.
var heartbeating = []string{workflows.ActivityAnalyze, workflows.ActivityTrialEncode, workflows.ActivityEncodeChunk,
	workflows.ActivityEncodeAudio, workflows.ActivityStitchRung, workflows.ActivityScoreRungs, workflows.ActivityPackage}

type killRun struct {
	title    string
	target   string
	killedIn []string // started activities when the worker was killed
	err      error
	diff     []string
	// leftovers are temporary files of the killed attempt (hidden
	// ".name.tmp-…" files and ".scratch-….tmp" directories of the
	// chunk cache, never read by anyone).
	leftovers []string
	seconds   float64
}

// splitLeftovers separates the killed attempt's temporary files from the
// real differences.
func splitLeftovers(diff []string) (real, leftovers []string) {
	for _, d := range diff {
		rel, extra := strings.CutPrefix(d, "extra ")
		if extra && (strings.Contains(rel, ".tmp-") || strings.Contains(rel, "/.scratch-")) {
			leftovers = append(leftovers, rel)
			continue
		}
		real = append(real, d)
	}
	return real, leftovers
}

// activityDurations returns how long each activity type's longest
// completed attempt took in a workflow's history.
func activityDurations(t *testing.T, c client.Client, wid string) map[string]time.Duration {
	t.Helper()
	attempts, err := activityAttempts(context.Background(), c, wid)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]time.Duration{}
	for _, a := range attempts {
		if a.Completed {
			out[a.Type] = max(out[a.Type], a.Closed.Sub(a.Started))
		}
	}
	return out
}

// faultsWorkerKills runs the title 20 times, each time SIGKILLing the worker
// at a random point (a chosen stage, then a random delay), starting a fresh
// worker, and comparing the outputs with the reference's. Four
// independent stacks run side by side (most of a run is the wait for the
// heartbeat timeout).
func faultsWorkerKills(t *testing.T, f *faultsFixture, refDurations map[string]time.Duration, refSeconds float64) {
	const runs, stacks = 20, 4
	rng := rand.New(rand.NewPCG(19, 20))
	results := make([]killRun, runs)
	delays := make([]time.Duration, runs)
	for i := range results {
		results[i] = killRun{title: fmt.Sprintf("kill%02d", i), target: heartbeating[i%len(heartbeating)]}
		// A random point within the target's first attempt as long as
		// it took in the reference run (the first 80%).
		d := refDurations[results[i].target] * 8 / 10
		delays[i] = time.Duration(rng.Int64N(int64(d) + 1))
	}
	var wg sync.WaitGroup
	stks := make([]*stack, stacks)
	for k := range stacks {
		stks[k] = newStack(t, f, fmt.Sprintf("kills%d", k), workflows.QueueWorkflow)
	}
	for k := range stacks {
		wg.Add(1)
		go func(s *stack) {
			defer wg.Done()
			w := s.worker(nil)
			for i := k; i < runs; i += stacks {
				w = killOnce(t, s, w, &results[i], delays[i])
			}
		}(stks[k])
	}
	wg.Wait()

	completed, identical, leftTitles, leftFiles := 0, 0, 0, 0
	points := map[string]int{}
	var secs []float64
	for _, r := range results {
		if r.err == nil {
			completed++
			secs = append(secs, r.seconds)
		} else {
			t.Errorf("%s (kill in %v): %v", r.title, r.killedIn, r.err)
		}
		if r.err == nil && len(r.diff) == 0 {
			identical++
		} else if len(r.diff) > 0 {
			t.Errorf("%s (kill in %v): outputs differ from the reference: %v", r.title, r.killedIn, r.diff)
		}
		if len(r.leftovers) > 0 {
			leftTitles++
			leftFiles += len(r.leftovers)
			t.Logf("%s (kill in %v): temporary files left: %v", r.title, r.killedIn, r.leftovers)
		}
		if len(r.killedIn) == 0 {
			points["none (title ended first)"]++
		}
		for _, a := range r.killedIn {
			points[a]++
		}
	}
	sort.Float64s(secs)
	figure("worker SIGKILL: titles completed", "%d/%d", completed, runs)
	figure("worker SIGKILL: outputs byte-identical to the undisturbed run", "%d/%d", identical, runs)
	figure("worker SIGKILL: activities killed", "%s", fmtCounts(points))
	figure("worker SIGKILL: temporary files of killed attempts left in the chunk cache", "%d in %d of %d titles (hidden .tmp files, never read, removed by a later attempt once an hour old: sweepTemps; not counted as differences)", leftFiles, leftTitles, runs)
	if len(secs) > 0 {
		figure("worker SIGKILL: time per title", "median %.0f s, max %.0f s (undisturbed %.0f s; 4 titles at once)", secs[len(secs)/2], secs[len(secs)-1], refSeconds)
	}
}

// killOnce runs one title on s, kills w at r.target plus delay, starts a
// fresh worker and waits for the title; it returns the live worker.
func killOnce(t *testing.T, s *stack, w *proc, r *killRun, delay time.Duration) *proc {
	out := filepath.Join(s.f.dir, s.name, "out", r.title)
	start := time.Now()
	s.submit(r.title, s.f.clip, out)
	deadline := time.Now().Add(5 * time.Minute)
	seen := false
	var seenAt time.Time
	for time.Now().Before(deadline) {
		names, status := s.pending(r.title)
		if status != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && status != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
			break
		}
		if !seen && slices.Contains(names, r.target) {
			seen, seenAt = true, time.Now()
		}
		if seen && time.Since(seenAt) >= delay {
			// Kill only in an activity whose loss is noticed by heartbeat.
			var hb []string
			for _, n := range names {
				if slices.Contains(heartbeating, n) {
					hb = append(hb, n)
				}
			}
			if len(hb) > 0 {
				w.kill()
				r.killedIn = hb
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
	}
	if r.killedIn != nil {
		w = s.worker(nil)
	}
	_, r.err = s.wait(r.title, 10*time.Minute)
	r.seconds = time.Since(start).Seconds()
	if r.err == nil {
		got, err := hashTree(out)
		if err != nil {
			r.err = err
		}
		r.diff, r.leftovers = splitLeftovers(diffHashes(s.f.ref, got))
	}
	return w
}

// faultsServerKill runs the embedded server and a worker on every queue in
// one `reel worker` process, SIGKILLs it while chunks encode, starts it
// again on the same state directory: the title resumes and completes, and
// no activity that had completed runs again.
func faultsServerKill(t *testing.T, f *faultsFixture, refHashes map[string]string, refCompleted map[string]int) {
	all := strings.Join(workflows.AllQueues, ",")
	s := newStack(t, f, "srvkill", all)
	out := filepath.Join(f.dir, "srvkill", "out")
	start := time.Now()
	s.submit("srv", f.clip, out)
	var killedIn []string
	waitFor(t, 5*time.Minute, func() bool {
		names, _ := s.pending("srv")
		if slices.Contains(names, workflows.ActivityEncodeChunk) {
			killedIn = names
			return true
		}
		return false
	}, "chunk encodes of the title")
	before, _ := activityCounts(t, s.c, workflows.WorkflowID("srv"))
	s.server.kill()
	time.Sleep(time.Second)
	s.startServer(all)
	_, err := s.wait("srv", 10*time.Minute)
	completed, started := activityCounts(t, s.c, workflows.WorkflowID("srv"))
	var redone []string
	for k, n := range completed {
		if n > refCompleted[k] {
			redone = append(redone, fmt.Sprintf("%s %d>%d", k, n, refCompleted[k]))
		}
	}
	retried := map[string]int{}
	for k, n := range started {
		if n > completed[k] {
			retried[k] = n - completed[k]
		}
	}
	diff := []string{"not compared: the title failed"}
	var left []string
	if err == nil {
		diff, left = splitLeftovers(diffHashes(refHashes, treeHashes(t, out)))
	}
	yes := map[bool]string{true: "yes", false: "no"}
	figure("server SIGKILL mid-title: title resumed and completed", "%s (%.0f s; killed during %s, after %s)",
		yes[err == nil], time.Since(start).Seconds(), strings.Join(killedIn, ","), fmtCounts(before))
	figure("server SIGKILL: finished activities run again", "%d (activities completed: %s; undisturbed: %s)", len(redone), fmtCounts(completed), fmtCounts(refCompleted))
	figure("server SIGKILL: attempts retried (in flight at the kill)", "%s", fmtCounts(retried))
	figure("server SIGKILL: outputs byte-identical to the undisturbed run", "%s (temporary files of killed attempts left: %d)", yes[len(diff) == 0], len(left))
	if err != nil {
		t.Errorf("title after a server kill: %v", err)
	}
	if len(redone) > 0 {
		t.Errorf("activities completed more often than in the undisturbed run: %v", redone)
	}
	if len(diff) > 0 {
		t.Errorf("outputs differ: %v", diff)
	}
}

// s3Env is the worker environment for the S3 test server.
func s3Env(f *faultsFixture, access, secret string) []string {
	return []string{"AWS_ACCESS_KEY_ID=" + access, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_SESSION_TOKEN=",
		"AWS_REGION=us-east-1", "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(f.dir, "no-credentials"),
		"AWS_CONFIG_FILE=" + filepath.Join(f.dir, "no-config")}
}

// faultsS3 encodes a title from S3 to S3 through the fault proxy, once
// without faults and once with 5% 5xx, 5% connection resets and 5% stalls
// on every read and every write, and checks every object of the second
// run against the first.
func faultsS3(t *testing.T, f *faultsFixture) {
	srv, err := s3test.Start(filepath.Join(f.dir, "s3"))
	if err != nil {
		t.Skipf("no S3 test server: %v", err)
	}
	t.Cleanup(srv.Stop)
	ctx := context.Background()
	mz, err := srv.NewBucket(ctx, "mezz")
	if err != nil {
		t.Fatal(err)
	}
	outB, err := srv.NewBucket(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(f.clip)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := src.Stat()
	if err := mz.Put(ctx, "bbb.mp4", src, fi.Size()); err != nil {
		t.Fatal(err)
	}
	src.Close()
	px, err := faultproxy.New(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })

	s := newStack(t, f, "s3", workflows.QueueWorkflow)
	s.worker(s3Env(f, s3test.AccessKey, s3test.SecretKey), "--s3-endpoint", px.URL, "--s3-path-style")
	run := func(title string) (float64, error) {
		start := time.Now()
		s.submit(title, "s3://mezz/bbb.mp4", "s3://out/"+title+"/")
		_, err := s.wait(title, 15*time.Minute)
		return time.Since(start).Seconds(), err
	}
	clean, err := run("clean")
	if err != nil {
		t.Fatalf("S3 title without faults: %v", err)
	}

	var mu sync.Mutex
	counts := map[string]int{}
	rng := rand.New(rand.NewPCG(5, 5))
	pick := func(r *http.Request, write bool) faultproxy.Fault {
		mu.Lock()
		defer mu.Unlock()
		kind := "GET"
		if write {
			kind = "PUT/POST/HEAD"
		}
		counts[kind+" requests"]++
		x := rng.Float64()
		switch {
		case x < 0.05:
			counts[kind+" 5xx"]++
			return faultproxy.Fault{Status: []int{500, 503}[rng.IntN(2)]}
		case x < 0.10:
			counts[kind+" reset"]++
			return faultproxy.Fault{Reset: true, ResetAfter: rng.Int64N(64 << 10)}
		case x < 0.15:
			counts[kind+" stall"]++
			if write {
				return faultproxy.Fault{Delay: 3 * time.Second}
			}
			return faultproxy.Fault{StallAfter: rng.Int64N(64 << 10), StallFor: 3 * time.Second}
		}
		return faultproxy.Fault{}
	}
	px.SetPlan(func(r *http.Request, _ int) faultproxy.Fault { return pick(r, false) })
	px.SetWritePlan(func(r *http.Request, _ int) faultproxy.Fault { return pick(r, true) })
	faulty, err := run("faulty")
	px.Reset()
	mu.Lock()
	figure("S3 faults injected", "%s", fmtCounts(counts))
	mu.Unlock()
	if err != nil {
		figure("S3 with faults: title completed", "no: %v", err)
		t.Fatalf("S3 title with faults: %v", err)
	}
	figure("S3 with faults: title completed", "yes")

	hashes := func(prefix string) map[string]string {
		objs, err := outB.List(ctx, prefix)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, o := range objs {
			rel := strings.TrimPrefix(o.Key, prefix)
			if slices.Contains(excludedFromIdentity, rel) {
				continue
			}
			b := getObject(t, outB, o.Key)
			if int64(len(b)) != o.Size {
				m[rel] = "short"
				continue
			}
			m[rel] = contentHash(rel, b, "s3://out/"+prefix)
		}
		return m
	}
	ref, got := hashes("clean/"), hashes("faulty/")
	diff := diffHashes(ref, got)
	// Every manifest parses and names only objects that exist.
	var bad []string
	for rel := range got {
		switch {
		case strings.HasSuffix(rel, ".m3u8"):
			body := string(getObject(t, outB, "faulty/"+rel))
			if !strings.HasPrefix(body, "#EXTM3U") {
				bad = append(bad, rel+": not a playlist")
			}
			for _, line := range strings.Split(body, "\n") {
				uri := strings.TrimSpace(line)
				if _, after, ok := strings.Cut(line, `URI="`); ok {
					uri, _, _ = strings.Cut(after, `"`)
				} else if strings.HasPrefix(uri, "#") {
					continue
				}
				if uri == "" {
					continue
				}
				if _, ok := got[filepath.ToSlash(filepath.Join(filepath.Dir(rel), uri))]; !ok {
					bad = append(bad, rel+" names missing "+uri)
				}
			}
		case strings.HasSuffix(rel, ".mpd"):
			var v struct {
				XMLName xml.Name
			}
			if err := xml.Unmarshal(getObject(t, outB, "faulty/"+rel), &v); err != nil || v.XMLName.Local != "MPD" {
				bad = append(bad, fmt.Sprintf("%s: %v", rel, err))
			}
		}
	}
	figure("S3 with faults: corrupt, partial, missing or extra objects", "%d of %d (%s; report.json parsed)", len(diff), len(ref), identityNote)
	figure("S3 with faults: manifests that do not parse or name a missing object", "%d", len(bad))
	figure("S3 with faults: time overhead", "%.2fx (%.0f s with faults, %.0f s without, both through the proxy)", faulty/clean, faulty, clean)
	if len(diff) > 0 {
		t.Errorf("objects differ from the run without faults: %v", diff)
	}
	if len(bad) > 0 {
		t.Errorf("manifests: %v", bad)
	}
	if _, err := report.Read(bytes.NewReader(getObject(t, outB, "faulty/report.json"))); err != nil {
		t.Errorf("report.json of the run with faults: %v", err)
	}
}

// faultsDiskFull gives a worker a 64 KiB tmpfs as its scratch directory
// (TMPDIR: where activities write outputs bound for S3 before uploading
// them): an activity fails with a retryable error that says the disk is
// full, naming the scratch directory and its free bytes
// (activities.ErrDiskFull); once the tmpfs is enlarged (remounted, 1 GiB)
// the title completes.
func faultsDiskFull(t *testing.T, f *faultsFixture) {
	scratch := filepath.Join(f.dir, "scratch")
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", scratch).CombinedOutput(); err != nil {
		figure("scratch disk full", "not run: cannot mount a tmpfs (%v: %s)", err, strings.TrimSpace(string(out)))
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", scratch).Run() })
	srv, err := s3test.Start(filepath.Join(f.dir, "s3full"))
	if err != nil {
		t.Skipf("no S3 test server: %v", err)
	}
	t.Cleanup(srv.Stop)
	ctx := context.Background()
	mz, err := srv.NewBucket(ctx, "mezz")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.NewBucket(ctx, "out"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(f.clip)
	if err != nil {
		t.Fatal(err)
	}
	if err := mz.Put(ctx, "bbb.mp4", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	s := newStack(t, f, "full", workflows.QueueWorkflow)
	s.worker(append(s3Env(f, s3test.AccessKey, s3test.SecretKey), "TMPDIR="+scratch), "--s3-endpoint", srv.Endpoint, "--s3-path-style")
	start := time.Now()
	s.submit("full", "s3://mezz/bbb.mp4", "s3://out/full/")
	var (
		msg, activity string
		nonRetryable  bool
		attempt       int32
	)
	deadline := time.Now().Add(5 * time.Minute)
	for msg == "" && time.Now().Before(deadline) {
		d, err := s.c.DescribeWorkflowExecution(ctx, workflows.WorkflowID("full"), "")
		if err != nil {
			t.Fatal(err)
		}
		if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			break
		}
		for _, pa := range d.GetPendingActivities() {
			lf := pa.GetLastFailure()
			if lf == nil {
				continue
			}
			msg, activity, attempt = lf.GetMessage(), pa.GetActivityType().GetName(), pa.GetAttempt()
			nonRetryable = lf.GetApplicationFailureInfo().GetNonRetryable()
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out, err := exec.Command("mount", "-o", "remount,size=1g", scratch).CombinedOutput(); err != nil {
		t.Fatalf("remount: %v: %s", err, out)
	}
	_, werr := s.wait("full", 10*time.Minute)
	yes := map[bool]string{true: "yes", false: "no"}
	if msg == "" {
		figure("scratch disk full: error", "none seen (title %s)", map[bool]string{true: "completed", false: "failed"}[werr == nil])
		t.Errorf("no activity failed on a 64 KiB scratch disk (title: %v)", werr)
	} else {
		figure("scratch disk full: error", "%s attempt %d: %q", activity, attempt, msg)
		figure("scratch disk full: retryable", "%s", yes[!nonRetryable])
		if nonRetryable || !strings.Contains(strings.ToLower(msg), "no space left") || !strings.Contains(msg, "scratch directory "+scratch) {
			t.Errorf("disk full: %s (non-retryable %v)", msg, nonRetryable)
		}
	}
	figure("scratch disk full: title completed once space was back", "%s (%.0f s)", yes[werr == nil], time.Since(start).Seconds())
	if werr != nil {
		t.Errorf("title after space came back: %v", werr)
	}
}

// listTree lists every file and directory under root, relative, skipping
// the directories named in skip (Temporal's and the workers' state).
func listTree(t *testing.T, root string, skip ...string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() && slices.Contains(skip, rel) {
			return filepath.SkipDir
		}
		out[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// faultsHostileIDs submits titles whose ids hold "../", slashes, escape
// sequences, NUL or 1,000 characters: each is rejected with a one-line
// error or completes inside its output directory, and nothing is written
// anywhere else (the whole test tree, the worker's scratch directory
// included, is listed before and after).
func faultsHostileIDs(t *testing.T, f *faultsFixture) {
	base := filepath.Join(f.dir, "hostile")
	root := filepath.Join(base, "root") // the submitting command's working directory
	scratch := filepath.Join(base, "tmp")
	for _, d := range []string{root, scratch} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := newStack(t, f, "hostile", workflows.QueueWorkflow)
	s.worker([]string{"TMPDIR=" + scratch})
	skip := []string{"state", "w1"}
	before := listTree(t, base, skip...)

	long := strings.Repeat("a", 1000)
	tests := []struct {
		name, id, out string // out "": the default, out/<title> under root
		allowed       string // the only directory new files may be in ("" : none)
	}{
		{"dotdot with --out", "../x", filepath.Join(root, "out", "given"), "root/out/given"},
		{"dotdot, default out", "../../x", "", "root/out/x"},
		{"slashes, default out", "a/b", "", "root/out/a-b"},
		{"absolute path, default out", "/tmp/reel-evil", "", "root/out/tmp-reel-evil"},
		{"escape sequence", "\x1b[31m", "", ""},
		{"newline", "a\nb", "", ""},
		{"1,000 characters", long, "", ""},
	}
	var outcomes []string
	allowed := []string{}
	for _, tt := range tests {
		args := []string{"submit", f.clip, "--title", tt.id, "--temporal", s.hostPort, "--profile", f.profile, "--wait"}
		if tt.out != "" {
			args = append(args, "--out", tt.out)
		}
		cmd := exec.Command(f.bin, args...)
		cmd.Dir = root
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		code := cmd.ProcessState.ExitCode()
		line := strings.TrimSpace(stderr.String())
		switch {
		case tt.allowed == "":
			if code == 0 || strings.Count(line, "\n") != 0 || !strings.Contains(line, "bad title id") || strings.ContainsAny(line, "\x1b\x00") {
				t.Errorf("%s: exit %d, stderr %q, want a one-line rejection", tt.name, code, line)
			}
			outcomes = append(outcomes, fmt.Sprintf("%s: rejected (exit %d: %.90s)", tt.name, code, line))
		default:
			allowed = append(allowed, tt.allowed)
			if code != 0 {
				t.Errorf("%s: exit %d: %s", tt.name, code, line)
			}
			outcomes = append(outcomes, fmt.Sprintf("%s: exit %d, out %s", tt.name, code, tt.allowed))
		}
	}

	// NUL cannot be in a command's argument: a client that calls submit.Title
	// gets ErrBadTitleID, and one that starts the workflow itself sees it
	// fail, not retried.
	p, err := loadProfile(f.profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x\x00y", "a\u0085b", long} {
		req := workflows.TitleRequest{TitleID: id, Source: f.clip, Out: filepath.Join(root, "out", "api"), Profile: p}
		rq := request.Identity{}
		req.Request = &rq
		_, err := submit.Title(context.Background(), s.c, req, submit.Options{})
		if !errors.Is(err, request.ErrBadTitleID) {
			t.Errorf("submit.Title(%.20q): %v, want ErrBadTitleID", id, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		run, err := s.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.WorkflowID(id), TaskQueue: workflows.QueueWorkflow},
			workflows.EncodeTitleName, req)
		if err == nil {
			err = run.Get(ctx, nil)
		}
		cancel()
		var app *temporal.ApplicationError
		switch {
		case errors.As(err, &app) && app.Type() == workflows.ErrTypeInvalidRequest && app.NonRetryable():
			outcomes = append(outcomes, fmt.Sprintf("%.10q started directly: workflow failed, not retried (%.60s)", id, app.Error()))
		case err != nil && app == nil:
			outcomes = append(outcomes, fmt.Sprintf("%.10q started directly: refused by Temporal (%.80s)", id, err.Error()))
		default:
			t.Errorf("workflow with title id %.20q: %v, want it refused", id, err)
		}
	}

	after := listTree(t, base, skip...)
	var outside []string
	for p := range after {
		if before[p] {
			continue
		}
		ok := false
		for _, a := range allowed {
			if p == a || strings.HasPrefix(p, a+"/") || strings.HasPrefix(a, p+"/") {
				ok = true // in it, or one of its parents
			}
		}
		if !ok {
			outside = append(outside, p)
		}
	}
	sort.Strings(outside)
	for _, o := range outcomes {
		figure("hostile title id", "%s", o)
	}
	figure("hostile title ids: files written outside their output directory", "%d (%d paths listed, scratch included)", len(outside), len(after))
	if len(outside) > 0 {
		t.Errorf("written outside the outputs: %v", outside)
	}
}
