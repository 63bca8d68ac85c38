package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/metrics"
)

// errDraining is /readyz's reason while the worker stops (/healthz
// answers 200 with it: a draining worker is alive).
var errDraining = errors.New("draining: the worker is stopping")

// metricsServer serves a worker's /metrics, /healthz and /readyz (reel
// worker --metrics). Its methods do nothing on a nil *metricsServer.
type metricsServer struct {
	metrics *metrics.Metrics
	health  *metrics.Health
	srv     *http.Server
	// Addr is the address it listens on (the port chosen for ":0").
	Addr string
}

// listenMetrics listens on addr for m's metrics and health; call serve
// once the client is dialed, Close when done.
func listenMetrics(addr string, m *metrics.Metrics) (*metricsServer, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--metrics: %w", err)
	}
	s := &metricsServer{metrics: m, health: metrics.NewHealth(nil), Addr: ln.Addr().String()}
	return s, ln, nil
}

// serve answers on ln; /readyz asks c whether the server answers.
func (s *metricsServer) serve(ln net.Listener, c client.Client) {
	s.health.Check = func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}
	s.srv = &http.Server{Handler: s.metrics.Handler(s.health), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
}

func (s *metricsServer) running() {
	if s != nil {
		s.health.SetRunning()
	}
}

func (s *metricsServer) draining() {
	if s != nil {
		s.health.SetDown(errDraining)
	}
}

// failed marks the worker stopped on a fatal error: /healthz and /readyz
// answer 503 with it.
func (s *metricsServer) failed(err error) {
	if s != nil {
		s.health.SetFailed(err)
	}
}

// Close stops serving.
func (s *metricsServer) Close() {
	if s != nil && s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	}
}
