package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/mezzfs"
)

func TestSDKHandler(t *testing.T) {
	m := New()
	h := m.SDKHandler().WithTags(map[string]string{"namespace": "default"})
	q := h.WithTags(map[string]string{"task_queue": "reel-io", "worker-type": "ActivityWorker"})
	q.Counter("temporal_worker_start").Inc(1)
	q.Counter("temporal_worker_start").Inc(2)
	q.Counter("temporal_worker_start").Inc(-5) // ignored: counters only go up
	h.Counter("temporal_worker_start").Inc(1)  // fewer tags: the others read ""
	q.Gauge("temporal_num_pollers").Update(3)
	q.Gauge("temporal_num_pollers").Update(2)
	tm := h.WithTags(map[string]string{"operation": "PollActivityTaskQueue"}).Timer("temporal_request_latency")
	tm.Record(3 * time.Millisecond)                      // ≤ 0.005
	tm.Record(250 * time.Millisecond)                    // exactly on a bound: counted in it
	tm.Record(2 * time.Hour)                             // above every bound: +Inf only
	q.Timer("temporal_worker_start").Record(time.Second) // a counter's name with another kind: its own family

	want := `
# HELP temporal_worker_start_total Temporal SDK metric temporal_worker_start.
# TYPE temporal_worker_start_total counter
temporal_worker_start_total{namespace="default",task_queue="",worker_type=""} 1
temporal_worker_start_total{namespace="default",task_queue="reel-io",worker_type="ActivityWorker"} 3
# HELP temporal_num_pollers Temporal SDK metric temporal_num_pollers.
# TYPE temporal_num_pollers gauge
temporal_num_pollers{namespace="default",task_queue="reel-io",worker_type="ActivityWorker"} 2
# HELP temporal_request_latency Temporal SDK metric temporal_request_latency.
# TYPE temporal_request_latency histogram
`
	var b strings.Builder
	b.WriteString(want)
	cum := 0
	for _, le := range TimerBuckets {
		switch le {
		case 0.005, 0.25:
			cum++
		}
		fmt.Fprintf(&b, "temporal_request_latency_bucket{namespace=\"default\",operation=\"PollActivityTaskQueue\",le=\"%g\"} %d\n", le, cum)
	}
	fmt.Fprintf(&b, "temporal_request_latency_bucket{namespace=\"default\",operation=\"PollActivityTaskQueue\",le=\"+Inf\"} 3\n")
	fmt.Fprintf(&b, "temporal_request_latency_sum{namespace=\"default\",operation=\"PollActivityTaskQueue\"} %g\n", 0.003+0.25+7200)
	fmt.Fprintf(&b, "temporal_request_latency_count{namespace=\"default\",operation=\"PollActivityTaskQueue\"} 3\n")
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(b.String()),
		"temporal_worker_start_total", "temporal_num_pollers", "temporal_request_latency"); err != nil {
		t.Fatal(err)
	}
	if n, err := testutil.GatherAndCount(m.Registry(), "temporal_worker_start"); err != nil || n != 1 {
		t.Errorf("temporal_worker_start (timer) series: %d, %v; want 1", n, err)
	}
}

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"temporal_request", "temporal_request"},
		{"task-queue", "task_queue"},
		{"9lives", "_9lives"},
		{"a.b c", "a_b_c"},
		{"", "_"},
	} {
		if got := sanitize(tc.in); got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestReelMetrics(t *testing.T) {
	m := New()
	m.FramesDecoded(10)
	m.FramesDecoded(-1)
	m.FramesEncoded("libx264", 50, 2)
	m.FramesEncoded("libx264", 30, 3)
	m.FramesEncoded("", 4, 0)
	m.FramesScored(7)
	m.StoreWrite(100)
	m.StoreWrite(0)
	m.StoreRead(mezzfs.Stats{Reads: 3, Requests: 2, Retries: 1, BytesFetched: 4096, BytesServed: 1000, CacheHits: 5, CacheMisses: 2})
	m.ActivityFailed("EncodeChunk", "CorruptMedia", true)
	want := `
# HELP reel_frames_decoded_total Video frames decoded by activities (sources, chunks, rungs scored).
# TYPE reel_frames_decoded_total counter
reel_frames_decoded_total 10
# HELP reel_frames_encoded_total Video frames encoded, by codec (every rung's frames).
# TYPE reel_frames_encoded_total counter
reel_frames_encoded_total{codec="libx264"} 80
reel_frames_encoded_total{codec="unknown"} 4
# HELP reel_encode_seconds_total Wall-clock seconds of encodes, by codec (rungs encoded in one pass each count the pass's time).
# TYPE reel_encode_seconds_total counter
reel_encode_seconds_total{codec="libx264"} 5
# HELP reel_vmaf_frames_scored_total Frames scored with VMAF (one per rung or trial and frame).
# TYPE reel_vmaf_frames_scored_total counter
reel_vmaf_frames_scored_total 7
# HELP reel_store_writes_total Files written whole to output locations (object uploads and whole-file writes).
# TYPE reel_store_writes_total counter
reel_store_writes_total 2
# HELP reel_store_written_bytes_total Bytes of the files counted by reel_store_writes_total.
# TYPE reel_store_written_bytes_total counter
reel_store_written_bytes_total 100
# HELP reel_mezzfs_fetched_bytes_total Bytes mezzfs readers received from object stores.
# TYPE reel_mezzfs_fetched_bytes_total counter
reel_mezzfs_fetched_bytes_total 4096
# HELP reel_mezzfs_requests_total Ranged GET requests mezzfs readers issued, retries included.
# TYPE reel_mezzfs_requests_total counter
reel_mezzfs_requests_total 2
# HELP reel_activity_failures_total Failed activity executions by activity type, error type (the application error's type, canceled, or other) and whether the error is non-retryable.
# TYPE reel_activity_failures_total counter
reel_activity_failures_total{activity="EncodeChunk",error_type="CorruptMedia",non_retryable="true"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"reel_frames_decoded_total", "reel_frames_encoded_total", "reel_encode_seconds_total", "reel_vmaf_frames_scored_total",
		"reel_store_writes_total", "reel_store_written_bytes_total", "reel_mezzfs_fetched_bytes_total", "reel_mezzfs_requests_total",
		"reel_activity_failures_total"); err != nil {
		t.Fatal(err)
	}
	// 50 frames in 2 s and 30 in 3 s: one observation ≤ 10 fps, one ≤ 30.
	if n := testutil.CollectAndCount(m.encodeFPS); n != 1 {
		t.Errorf("reel_encode_fps series: %d, want 1", n)
	}
	if err := testutil.CollectAndCompare(m.encodeFPS, strings.NewReader(fpsText()), "reel_encode_fps"); err != nil {
		t.Error(err)
	}
}

func fpsText() string {
	var b strings.Builder
	b.WriteString("# HELP reel_encode_fps Frames per second of each encode (one rung of one chunk, trial or ladder), by codec.\n# TYPE reel_encode_fps histogram\n")
	for _, le := range FPSBuckets {
		n := 0
		if le >= 10 {
			n++
		}
		if le >= 25 {
			n++
		}
		fmt.Fprintf(&b, "reel_encode_fps_bucket{codec=\"libx264\",le=\"%g\"} %d\n", le, n)
	}
	b.WriteString("reel_encode_fps_bucket{codec=\"libx264\",le=\"+Inf\"} 2\nreel_encode_fps_sum{codec=\"libx264\"} 35\nreel_encode_fps_count{codec=\"libx264\"} 2\n")
	return b.String()
}

func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		name         string
		err          error
		typ          string
		nonRetryable bool
	}{
		{"non-retryable", temporal.NewNonRetryableApplicationError("bad", "InvalidMedia", nil), "InvalidMedia", true},
		{"wrapped retryable", fmt.Errorf("x: %w", temporal.NewApplicationError("busy", "Busy")), "Busy", false},
		{"untyped application error", temporal.NewApplicationError("x", ""), "other", false},
		{"canceled", fmt.Errorf("stop: %w", context.Canceled), "canceled", false},
		{"temporal canceled", temporal.NewCanceledError(), "canceled", false},
		{"plain", errors.New("boom"), "other", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			typ, nr := ErrorType(tc.err)
			if typ != tc.typ || nr != tc.nonRetryable {
				t.Errorf("ErrorType = %q, %v; want %q, %v", typ, nr, tc.typ, tc.nonRetryable)
			}
		})
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Result().Header
}

func TestHandler(t *testing.T) {
	m := New()
	m.FramesScored(12)
	m.SDKHandler().WithTags(map[string]string{"namespace": "default"}).Counter("temporal_worker_start").Inc(1)
	var checkErr error
	health := NewHealth(func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("health check without a deadline")
		}
		return checkErr
	})
	h := m.Handler(health)

	code, body, hdr := get(t, h, "/metrics")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %q", code, hdr.Get("Content-Type"))
	}
	for _, line := range []string{"reel_vmaf_frames_scored_total 12\n", `temporal_worker_start_total{namespace="default"} 1` + "\n", "# TYPE go_goroutines gauge\n"} {
		if !strings.Contains(body, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}

	// /readyz: routing; /healthz: liveness (a draining worker or a
	// Temporal outage is alive, only a failed worker is not).
	for _, tc := range []struct {
		name                string
		set                 func()
		ready, live         int
		readyBody, liveBody string
	}{
		{"starting", func() {}, 503, 200, ErrNotRunning.Error(), ErrNotRunning.Error()},
		{"running", health.SetRunning, 200, 200, "ok", "ok"},
		{"server down", func() { checkErr = errors.New("connection refused") }, 503, 200, "temporal: connection refused", "ok"},
		{"draining", func() { checkErr = nil; health.SetDown(errors.New("draining: worker stopping")) }, 503, 200, "draining: worker stopping", "draining: worker stopping"},
		{"running again", health.SetRunning, 200, 200, "ok", "ok"},
		{"failed", func() { health.SetFailed(errors.New("namespace not found")) }, 503, 503, "namespace not found", "namespace not found"},
		{"failed stays failed", health.SetRunning, 503, 503, "namespace not found", "namespace not found"},
	} {
		tc.set()
		if code, body, _ := get(t, h, "/readyz"); code != tc.ready || body != tc.readyBody+"\n" {
			t.Errorf("%s: /readyz = %d %q, want %d %q", tc.name, code, body, tc.ready, tc.readyBody)
		}
		if code, body, hdr := get(t, h, "/healthz"); code != tc.live || body != tc.liveBody+"\n" || hdr.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: /healthz = %d %q (Cache-Control %q), want %d %q", tc.name, code, body, hdr.Get("Cache-Control"), tc.live, tc.liveBody)
		}
	}
	if code, _, _ := get(t, h, "/nothing"); code != http.StatusNotFound {
		t.Errorf("/nothing: %d", code)
	}
}

func TestHealthTimeout(t *testing.T) {
	h := &Health{Timeout: 20 * time.Millisecond, Check: func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	}}
	start := time.Now()
	err := h.Ready(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ready = %v, want a deadline", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("check took %v", d)
	}
}
