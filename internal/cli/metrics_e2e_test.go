package cli

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWorkerServesMetrics: `reel worker --metrics 127.0.0.1:0` on the
// embedded server serves the SDK's temporal_ metrics and reel's on
// /metrics, and /healthz answers 200 once the workers run.
func TestWorkerServesMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, &Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }},
			[]string{"worker", "--state-dir", filepath.Join(t.TempDir(), "state"), "--embedded-port", strconv.Itoa(freePorts(t)),
				"--metrics", "127.0.0.1:0"})
	}()
	addrRE := regexp.MustCompile(`metrics on http://([^/\s]+)/metrics`)
	waitFor(t, 90*time.Second, func() bool { return strings.Contains(stderr.String(), "serving") }, "worker start: "+stderr.String())
	m := addrRE.FindStringSubmatch(stderr.String())
	if m == nil {
		t.Fatalf("no metrics address in %q", stderr.String())
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + m[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// The SDK counts worker starts at once; poll requests as they go.
	var body string
	waitFor(t, 30*time.Second, func() bool {
		_, body = get("/metrics")
		return strings.Contains(body, "temporal_request_total{")
	}, "SDK request metrics")
	for _, want := range []string{"temporal_worker_start_total{", `task_queue="reel-encode"`, "# TYPE temporal_request_latency histogram",
		"reel_frames_decoded_total 0", "reel_vmaf_frames_scored_total 0", "go_goroutines "} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("worker exit %d: %s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("worker did not stop")
	}
}
