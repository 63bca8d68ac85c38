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

// ErrNotRunning is the reason /healthz gives before the worker has started
// (SetRunning) when no other reason was set.
var ErrNotRunning = errors.New("worker not running")

// Health answers /healthz: 200 "ok" while the worker runs (SetRunning) and
// Check passes within Timeout; 503 with the reason otherwise. The zero
// Health is running and checks nothing; NewHealth starts down.
type Health struct {
	// Check asks the worker's Temporal client whether the server answers
	// (client.Client.CheckHealth); nil: not checked.
	Check func(ctx context.Context) error
	// Timeout bounds Check. Default: 2 s.
	Timeout time.Duration

	down atomic.Pointer[error] // nil: running
}

// NewHealth returns a Health that is down (ErrNotRunning) until SetRunning.
func NewHealth(check func(ctx context.Context) error) *Health {
	h := &Health{Check: check}
	h.SetDown(ErrNotRunning)
	return h
}

// SetRunning marks the worker running.
func (h *Health) SetRunning() { h.down.Store(nil) }

// SetDown marks the worker not running (starting, draining, stopped) for
// reason.
func (h *Health) SetDown(reason error) {
	if reason == nil {
		reason = ErrNotRunning
	}
	h.down.Store(&reason)
}

// Err is what /healthz reports: nil when healthy.
func (h *Health) Err(ctx context.Context) error {
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

// ServeHTTP writes 200 "ok" or 503 with the reason, as text.
func (h *Health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := h.Err(r.Context()); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, err)
		return
	}
	fmt.Fprintln(w, "ok")
}

// Handler serves /metrics (the registry, Prometheus text or protobuf as
// the scraper asks) and /healthz (health; always 200 when nil).
func (m *Metrics) Handler(health *Health) http.Handler {
	if health == nil {
		health = &Health{}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.Handle("GET /healthz", health)
	return mux
}
