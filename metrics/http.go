package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrNotRunning is the reason /readyz gives before the worker has started
// (SetRunning) when no other reason was set.
var ErrNotRunning = errors.New("worker not running")

// Health answers a worker's two probes, the way orchestrators use them:
//
//   - /readyz (readiness: route work here?): 200 "ok" while the worker
//     runs (SetRunning) and Check passes within Timeout; 503 and the
//     reason while it starts, drains (SetDown), cannot reach Temporal or
//     has failed (SetFailed). Draining answers 503 at once, so that a load
//     balancer or a rollout stops counting the worker as serving.
//   - /healthz (liveness: restart the process?): 200 while the process
//     serves, whether starting, running or draining (the body is "ok", or
//     the reason it is not ready, e.g. "draining: …"); 503 only after
//     SetFailed. It does not ask Temporal: a Temporal outage must not get
//     every worker restarted, nor a draining worker killed before its
//     activities finish.
//
// The zero Health is running and checks nothing; NewHealth starts down.
type Health struct {
	// Check asks the worker's Temporal client whether the server answers
	// (client.Client.CheckHealth); nil: not checked.
	Check func(ctx context.Context) error
	// Timeout bounds Check. Default: 2 s.
	Timeout time.Duration

	down   atomic.Pointer[error] // nil: running
	failed atomic.Pointer[error] // nil: alive
}

// NewHealth returns a Health that is down (ErrNotRunning) until SetRunning.
func NewHealth(check func(ctx context.Context) error) *Health {
	h := &Health{Check: check}
	h.SetDown(ErrNotRunning)
	return h
}

// SetRunning marks the worker running (ready, unless Check fails).
func (h *Health) SetRunning() { h.down.Store(nil) }

// SetDown marks the worker alive but not ready (starting, draining) for
// reason.
func (h *Health) SetDown(reason error) {
	if reason == nil {
		reason = ErrNotRunning
	}
	h.down.Store(&reason)
}

// SetFailed marks the worker failed for reason (a worker that stopped on
// a fatal error): neither ready nor live. It is not undone.
func (h *Health) SetFailed(reason error) {
	if reason == nil {
		reason = errors.New("worker failed")
	}
	h.failed.Store(&reason)
}

// Ready is what /readyz reports: nil when the worker runs and Temporal
// answers.
func (h *Health) Ready(ctx context.Context) error {
	if e := h.failed.Load(); e != nil {
		return *e
	}
	if e := h.down.Load(); e != nil {
		return *e
	}
	if h.Check == nil {
		return nil
	}
	timeout := h.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := h.Check(ctx); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}

// Live is what /healthz reports: nil unless SetFailed.
func (h *Health) Live() error {
	if e := h.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// ReadyHandler serves /readyz: 200 "ok", or 503 and Ready's reason, as
// text.
func (h *Health) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProbe(w, h.Ready(r.Context()), "ok")
	})
}

// LiveHandler serves /healthz: 200 and "ok" (or the reason the worker is
// not ready: starting, draining), or 503 and Live's reason, as text.
func (h *Health) LiveHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := "ok"
		if e := h.down.Load(); e != nil {
			body = (*e).Error()
		}
		writeProbe(w, h.Live(), body)
	})
}

func writeProbe(w http.ResponseWriter, err error, ok string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintln(w, ok)
}

// Handler serves /metrics (the registry, Prometheus text or protobuf as
// the scraper asks), /healthz and /readyz (health's probes; always 200
// when health is nil).
func (m *Metrics) Handler(health *Health) http.Handler {
	if health == nil {
		health = &Health{}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.Handle("GET /healthz", health.LiveHandler())
	mux.Handle("GET /readyz", health.ReadyHandler())
	return mux
}
