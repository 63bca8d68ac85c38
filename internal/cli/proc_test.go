package cli

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// Helpers for tests that run reel binaries as subprocesses (startReel):
// waiting for workers to serve, reading their output, waiting for them to
// exit.

// stderrOf is what a process started by startReel has written to stderr so
// far.
func stderrOf(w *exec.Cmd) string { return w.Stderr.(*syncBuffer).String() }

// procName names a process started by startReel in failures: its
// --identity, or its binary and command.
func procName(w *exec.Cmd) string {
	if i := slices.Index(w.Args, "--identity"); i >= 0 && i+1 < len(w.Args) {
		return w.Args[i+1]
	}
	name := filepath.Base(w.Path)
	if len(w.Args) > 1 {
		name += " " + w.Args[1]
	}
	return name
}

// waitServing waits up to d for each process to say "serving" on stderr,
// as `reel worker` does once it polls.
func waitServing(t *testing.T, d time.Duration, ws ...*exec.Cmd) {
	t.Helper()
	for _, w := range ws {
		waitFor(t, d, func() bool { return strings.Contains(stderrOf(w), "serving") }, procName(w)+" start")
	}
}

// startServing starts bin with args (startReel) and waits up to d for it
// to serve.
func startServing(t *testing.T, bin, name string, d time.Duration, args ...string) *exec.Cmd {
	t.Helper()
	w := startReel(t, bin, name, args...)
	waitServing(t, d, w)
	return w
}

// startFlowServer starts `reel worker` with the embedded Temporal server on
// a free loopback port, serving every queue but the encode queue, with its
// state in stateDir. It returns the process, the frontend's host:port and a
// client of it, closed when the test ends.
func startFlowServer(t *testing.T, bin, stateDir string) (*exec.Cmd, string, client.Client) {
	t.Helper()
	port := strconv.Itoa(freePorts(t))
	server := startServing(t, bin, "server", 90*time.Second, "worker", "--state-dir", stateDir, "--embedded-port", port,
		"--queues", "reel,reel-io,reel-cpu")
	hostPort := "127.0.0.1:" + port
	c, err := client.Dial(client.Options{HostPort: hostPort, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return server, hostPort, c
}

// exitWithin waits up to d for a signalled worker to exit and returns its
// exit code and how long it took.
func exitWithin(t *testing.T, w *exec.Cmd, d time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- w.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return w.ProcessState.ExitCode(), time.Since(start)
	case <-time.After(d):
		t.Fatalf("%s still running %v after its signal:\n%s", procName(w), d, stderrOf(w))
	}
	return 0, 0
}
