package tserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	testTaskQueue = "tserver-test"
	helperEnvDir  = "REEL_TSERVER_TEST_HELPER_DIR"
	helperEnvPort = "REEL_TSERVER_TEST_HELPER_PORT"
)

// --- workflows used by the tests -------------------------------------------

func upperActivity(_ context.Context, s string) (string, error) {
	return strings.ToUpper(s), nil
}

func upperWorkflow(ctx workflow.Context, s string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, upperActivity, s).Get(ctx, &out)
	return out, err
}

// waitWorkflow blocks on signal "go" and then upper-cases prefix+signal.
func waitWorkflow(ctx workflow.Context, prefix string) (string, error) {
	var sig string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &sig)
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var out string
	err := workflow.ExecuteActivity(ctx, upperActivity, prefix+sig).Get(ctx, &out)
	return out, err
}

// --- helpers ----------------------------------------------------------------

func testLogger() *slog.Logger {
	// Not t.Log: server goroutines may still log briefly after a test ends.
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// freeBasePort finds a port p such that p .. p+NumPorts-1 are all free.
func freeBasePort(t *testing.T) int {
	t.Helper()
	for range 200 {
		base := 20000 + rand.IntN(40000)
		ok := true
		for i := range NumPorts {
			ln, err := net.Listen("tcp", net.JoinHostPort(DefaultHost, strconv.Itoa(base+i)))
			if err != nil {
				ok = false
				break
			}
			_ = ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port block found")
	return 0
}

func dial(t *testing.T, s interface{ HostPort() string }, ns string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  s.HostPort(),
		Namespace: ns,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.HostPort(), err)
	}
	return c
}

func startWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflow(upperWorkflow)
	w.RegisterWorkflow(waitWorkflow)
	w.RegisterActivity(upperActivity)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	return w
}

// waitFirstWorkflowTask waits until the workflow's first workflow task has
// completed, i.e. the workflow is durably parked waiting for its signal.
func waitFirstWorkflowTask(ctx context.Context, t *testing.T, c client.Client, id string) {
	t.Helper()
	for {
		it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				break
			}
			if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("workflow %s never completed its first workflow task", id)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func historyHas(ctx context.Context, t *testing.T, c client.Client, id string, want enumspb.EventType) bool {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if ev.GetEventType() == want {
			return true
		}
	}
	return false
}

func mustStart(ctx context.Context, t *testing.T, cfg Config) *Server {
	t.Helper()
	begin := time.Now()
	s, err := Start(ctx, cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("server up at %s in %s", s.HostPort(), time.Since(begin).Round(time.Millisecond))
	return s
}

// --- tests ------------------------------------------------------------------

// TestRestartKeepsState runs workflows, stops the server, starts it again on
// the same state dir and checks that completed histories are still there and
// that a workflow left waiting on a signal resumes.
func TestRestartKeepsState(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cfg := Config{StateDir: t.TempDir(), Port: freeBasePort(t), Logger: testLogger()}

	s1 := mustStart(ctx, t, cfg)
	if want := net.JoinHostPort(DefaultHost, strconv.Itoa(cfg.Port)); s1.HostPort() != want {
		t.Errorf("HostPort = %q, want %q", s1.HostPort(), want)
	}
	if s1.Namespace() != DefaultNamespace {
		t.Errorf("Namespace = %q, want %q", s1.Namespace(), DefaultNamespace)
	}

	c1 := dial(t, s1, s1.Namespace())
	w1 := startWorker(t, c1)
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "done-before-restart", TaskQueue: testTaskQueue}, upperWorkflow, "hello")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "HELLO" {
		t.Fatalf("upperWorkflow = %q, %v; want HELLO", got, err)
	}
	if _, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "waiting-across-restart", TaskQueue: testTaskQueue}, waitWorkflow, "resumed-"); err != nil {
		t.Fatalf("start waiting workflow: %v", err)
	}
	waitFirstWorkflowTask(ctx, t, c1, "waiting-across-restart")
	w1.Stop()
	c1.Close()
	if err := s1.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := s1.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	s2 := mustStart(ctx, t, cfg)
	defer s2.Stop()
	c2 := dial(t, s2, s2.Namespace())
	defer c2.Close()

	desc, err := c2.DescribeWorkflowExecution(ctx, "done-before-restart", "")
	if err != nil {
		t.Fatalf("describe after restart: %v", err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("status after restart = %v, want COMPLETED", st)
	}
	if !historyHas(ctx, t, c2, "done-before-restart", enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
		t.Fatal("history after restart lacks ActivityTaskCompleted")
	}

	w2 := startWorker(t, c2)
	defer w2.Stop()
	if err := c2.SignalWorkflow(ctx, "waiting-across-restart", "", "go", "again"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	if err := c2.GetWorkflow(ctx, "waiting-across-restart", "").Get(ctx, &got); err != nil || got != "RESUMED-AGAIN" {
		t.Fatalf("waitWorkflow after restart = %q, %v; want RESUMED-AGAIN", got, err)
	}
}

// TestResumeAfterSIGKILL starts the server in a child process, parks a
// workflow on a signal, SIGKILLs the child, and resumes the workflow on a
// server started in this process on the same state dir.
func TestResumeAfterSIGKILL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir, port := t.TempDir(), freeBasePort(t)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperServerProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), helperEnvDir+"="+dir, helperEnvPort+"="+strconv.Itoa(port))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if hp, ok := strings.CutPrefix(sc.Text(), "READY "); ok {
				ready <- hp
			}
		}
	}()
	var hostPort string
	select {
	case hostPort = <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("helper server did not become ready")
	}

	c1, err := client.Dial(client.Options{HostPort: hostPort, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	w1 := startWorker(t, c1)
	if _, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "survives-sigkill", TaskQueue: testTaskQueue}, waitWorkflow, "killed-"); err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	waitFirstWorkflowTask(ctx, t, c1, "survives-sigkill")
	w1.Stop()
	c1.Close()

	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed = true

	s := mustStart(ctx, t, Config{StateDir: dir, Port: port, Logger: testLogger()})
	defer s.Stop()
	c2 := dial(t, s, s.Namespace())
	defer c2.Close()
	w2 := startWorker(t, c2)
	defer w2.Stop()
	if err := c2.SignalWorkflow(ctx, "survives-sigkill", "", "go", "ok"); err != nil {
		t.Fatalf("signal after SIGKILL: %v", err)
	}
	var got string
	if err := c2.GetWorkflow(ctx, "survives-sigkill", "").Get(ctx, &got); err != nil || got != "KILLED-OK" {
		t.Fatalf("workflow after SIGKILL = %q, %v; want KILLED-OK", got, err)
	}
}

// TestHelperServerProcess is the child side of TestResumeAfterSIGKILL.
func TestHelperServerProcess(t *testing.T) {
	dir := os.Getenv(helperEnvDir)
	if dir == "" {
		t.Skip("helper process for TestResumeAfterSIGKILL")
	}
	port, _ := strconv.Atoi(os.Getenv(helperEnvPort))
	s, err := Start(context.Background(), Config{StateDir: dir, Port: port, Logger: testLogger()})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: Start:", err)
		os.Exit(1)
	}
	fmt.Println("READY " + s.HostPort())
	select {} // until SIGKILLed
}

// TestStartErrors checks the clear failures for a held state dir and for
// ports that are already taken.
func TestStartErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// A port of the block taken by some other program: fails before any
	// server is built, naming the port.
	{
		base := freeBasePort(t)
		ln, err := net.Listen("tcp", net.JoinHostPort(DefaultHost, strconv.Itoa(base+2)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Start(ctx, Config{StateDir: t.TempDir(), Port: base})
		_ = ln.Close()
		if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), fmt.Sprintf("port %d", base+2)) {
			t.Fatalf("Start with taken port: err = %v, want ErrPortInUse naming port %d", err, base+2)
		}
		t.Logf("taken service port: %v", err)
	}

	dir, port := t.TempDir(), freeBasePort(t)
	s := mustStart(ctx, t, Config{StateDir: dir, Port: port, Logger: testLogger()})
	defer s.Stop()

	// Same state dir, other port: the lock must refuse it.
	_, err := Start(ctx, Config{StateDir: dir, Port: freeBasePort(t)})
	if !errors.Is(err, ErrStateDirLocked) || !strings.Contains(err.Error(), "another reel") {
		t.Fatalf("Start on held state dir: err = %v, want ErrStateDirLocked", err)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Errorf("lock error does not name the holder pid: %v", err)
	}
	t.Logf("held state dir: %v", err)
	// The explicit port is recorded for the other process.
	if hp, err := RecordedHostPort(dir); err != nil || hp != s.HostPort() {
		t.Errorf("RecordedHostPort = %q, %v; want %q", hp, err, s.HostPort())
	}

	// Other state dir, same port as the running server.
	_, err = Start(ctx, Config{StateDir: t.TempDir(), Port: port})
	want := fmt.Sprintf("port %d in use: is another reel already running? use --temporal host:port or --embedded-port", port)
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Start on used port: err = %v, want it to contain %q", err, want)
	}
	t.Logf("used frontend port: %v", err)

	// Non-loopback hosts are refused.
	if _, err := Start(ctx, Config{StateDir: t.TempDir(), Host: "0.0.0.0", Port: freeBasePort(t)}); err == nil {
		t.Fatal("Start on 0.0.0.0 succeeded, want error")
	}

	// The running server is unaffected by the failed attempts.
	c := dial(t, s, s.Namespace())
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("server unhealthy after failed starts: %v", err)
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("REEL_STATE_DIR", "/x/reel-state")
	t.Setenv("XDG_STATE_HOME", "/y/state")
	if got := DefaultStateDir(); got != "/x/reel-state" {
		t.Errorf("with REEL_STATE_DIR: %q", got)
	}
	t.Setenv("REEL_STATE_DIR", "")
	if got := DefaultStateDir(); got != "/y/state/reel" {
		t.Errorf("with XDG_STATE_HOME: %q", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if got := DefaultStateDir(); got != "/home/someone/.local/state/reel" {
		t.Errorf("fallback: %q", got)
	}
}

// TestInterruptedSetupAndNamespace simulates a first start that died during
// schema setup (database file present, no completion marker), and checks that
// the next start rebuilds the schema and registers a custom namespace with
// the default retention.
func TestInterruptedSetupAndNamespace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, dbFileName), []byte("half-written"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := mustStart(ctx, t, Config{StateDir: dir, Port: freeBasePort(t), Namespace: "reel-test", Logger: testLogger()})
	defer s.Stop()
	if s.Namespace() != "reel-test" {
		t.Fatalf("Namespace = %q", s.Namespace())
	}
	if _, err := os.Stat(filepath.Join(dir, schemaDoneName)); err != nil {
		t.Fatalf("schema marker: %v", err)
	}
	c := dial(t, s, s.Namespace())
	defer c.Close()
	resp, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "reel-test"})
	if err != nil {
		t.Fatalf("DescribeNamespace: %v", err)
	}
	if got := resp.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != DefaultRetention {
		t.Errorf("retention = %s, want %s", got, DefaultRetention)
	}
}

// TestIndependentStateDirs starts two servers at the same time on two state
// dirs, both with automatic ports: both come up, on different ports, and
// answer.
func TestIndependentStateDirs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	dirs := [2]string{t.TempDir(), t.TempDir()}
	var servers [2]*Server
	errs := make(chan error, len(dirs))
	for i, dir := range dirs {
		go func() {
			s, err := Start(ctx, Config{StateDir: dir, Logger: testLogger()})
			servers[i] = s
			errs <- err
		}()
	}
	var failed []error
	for range dirs {
		if err := <-errs; err != nil {
			failed = append(failed, err)
		}
	}
	for _, s := range servers {
		if s != nil {
			defer s.Stop()
		}
	}
	if len(failed) > 0 {
		t.Fatalf("Start on independent state dirs: %v", errors.Join(failed...))
	}
	if servers[0].HostPort() == servers[1].HostPort() {
		t.Fatalf("both servers on %s", servers[0].HostPort())
	}
	seen := map[int]string{}
	for i, s := range servers {
		rec, err := readPorts(dirs[i])
		if err != nil {
			t.Fatalf("ports of server %d: %v", i, err)
		}
		for _, p := range rec.ports() {
			if other, ok := seen[p]; ok {
				t.Fatalf("port %d used by %s and %s", p, other, s.HostPort())
			}
			seen[p] = s.HostPort()
		}
		if hp, err := RecordedHostPort(dirs[i]); err != nil || hp != s.HostPort() {
			t.Errorf("RecordedHostPort(%s) = %q, %v; want %q", dirs[i], hp, err, s.HostPort())
		}
		c := dial(t, s, s.Namespace())
		if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			t.Errorf("server %s unhealthy: %v", s.HostPort(), err)
		}
		c.Close()
		t.Logf("server %d at %s, ports %v", i, s.HostPort(), rec.ports())
	}
}

// TestRestartReusesRecordedPorts restarts a server with automatic ports on
// the same state dir: it comes back on the ports recorded at its first start.
func TestRestartReusesRecordedPorts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	dir := t.TempDir()
	if _, err := RecordedHostPort(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("RecordedHostPort before any start: err = %v, want os.ErrNotExist", err)
	}

	s1 := mustStart(ctx, t, Config{StateDir: dir, Logger: testLogger()})
	first, err := readPorts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}

	s2 := mustStart(ctx, t, Config{StateDir: dir, Logger: testLogger()})
	defer s2.Stop()
	if s2.HostPort() != s1.HostPort() {
		t.Errorf("after restart HostPort = %s, want %s", s2.HostPort(), s1.HostPort())
	}
	second, err := readPorts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Errorf("recorded ports after restart = %+v, want %+v", second, first)
	}
	c := dial(t, s2, s2.Namespace())
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("restarted server unhealthy: %v", err)
	}
}

// TestSecondStartFindsRunningServer checks what a second reel on the same
// state dir does: its Start fails with ErrStateDirLocked, and the address
// recorded in the dir reaches the running server.
func TestSecondStartFindsRunningServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	s := mustStart(ctx, t, Config{StateDir: dir, Logger: testLogger()})
	defer s.Stop()

	if _, err := Start(ctx, Config{StateDir: dir}); !errors.Is(err, ErrStateDirLocked) {
		t.Fatalf("second Start on the same state dir: err = %v, want ErrStateDirLocked", err)
	}
	hp, err := RecordedHostPort(dir)
	if err != nil {
		t.Fatalf("RecordedHostPort: %v", err)
	}
	if hp != s.HostPort() {
		t.Fatalf("RecordedHostPort = %q, want %q", hp, s.HostPort())
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: hp, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatalf("dial recorded address %s: %v", hp, err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		t.Fatalf("server at recorded address unhealthy: %v", err)
	}
}

// TestResolvePorts covers the choice of ports without starting a server:
// recorded ports are reused while free, replaced when one is taken or the
// file is unusable, and an explicit port takes its block.
func TestResolvePorts(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Host: DefaultHost, Logger: testLogger()}
	distinct := func(ports [NumPorts]int) bool {
		seen := map[int]bool{}
		for _, p := range ports {
			if p < 1 || seen[p] {
				return false
			}
			seen[p] = true
		}
		return true
	}

	// Nothing recorded: free, distinct ports.
	first, err := resolvePorts(dir, cfg)
	if err != nil || !distinct(first) {
		t.Fatalf("resolvePorts on an empty dir = %v, %v", first, err)
	}
	if err := writePorts(dir, cfg.Host, first); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PortsFileName+".tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary ports file left behind: %v", err)
	}
	want := net.JoinHostPort(DefaultHost, strconv.Itoa(first[0]))
	if hp, err := RecordedHostPort(dir); err != nil || hp != want {
		t.Fatalf("RecordedHostPort = %q, %v; want %q", hp, err, want)
	}

	// Recorded and free: reused.
	if got, err := resolvePorts(dir, cfg); err != nil || got != first {
		t.Fatalf("resolvePorts with free recorded ports = %v, %v; want %v", got, err, first)
	}

	// One recorded port taken by another program: new ports.
	ln, err := net.Listen("tcp", net.JoinHostPort(DefaultHost, strconv.Itoa(first[2])))
	if err != nil {
		t.Fatal(err)
	}
	got, err := resolvePorts(dir, cfg)
	_ = ln.Close()
	if err != nil || !distinct(got) || got == first {
		t.Fatalf("resolvePorts with a taken recorded port = %v, %v; want new ports", got, err)
	}
	for _, p := range got {
		if p == first[2] {
			t.Fatalf("resolvePorts chose the taken port %d: %v", p, got)
		}
	}

	// An unusable file: new ports, and RecordedHostPort says why.
	if err := os.WriteFile(filepath.Join(dir, PortsFileName), []byte(`{"host":"127.0.0.1","frontend":7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := resolvePorts(dir, cfg); err != nil || !distinct(got) {
		t.Fatalf("resolvePorts with a bad ports file = %v, %v", got, err)
	}
	if _, err := RecordedHostPort(dir); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("RecordedHostPort with a bad ports file: err = %v", err)
	}

	// An explicit port: its block, whatever is recorded.
	base := freeBasePort(t)
	cfg.Port = base
	if got, err := resolvePorts(dir, cfg); err != nil || got != [NumPorts]int{base, base + 1, base + 2, base + 3} {
		t.Fatalf("resolvePorts with Port %d = %v, %v", base, got, err)
	}
}
