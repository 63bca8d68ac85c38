package tserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	"github.com/temporalio/ui-server/v2/server/server_options"
)

// UIConfig configures the Temporal Web UI served next to a server.
type UIConfig struct {
	// Addr is the UI's listen host:port, e.g. "127.0.0.1:8233"; port 0
	// picks a free one. The UI has no logins of its own: keep it on
	// loopback or behind an authenticating proxy.
	Addr string
	// ReadOnly hides and refuses the UI's write actions (terminate,
	// cancel, signal, reset, start, batch). Default false.
	ReadOnly bool
}

// UI is a running Temporal Web UI (github.com/temporalio/ui-server).
type UI struct {
	srv  *uiserver.Server
	url  string
	done chan struct{}
}

// URL returns the UI's address, e.g. "http://127.0.0.1:8233".
func (u *UI) URL() string { return u.url }

// Stop stops the UI.
func (u *UI) Stop() {
	u.srv.Stop()
	<-u.done
}

// uiReadyTimeout bounds how long StartUI waits for the UI to answer.
const uiReadyTimeout = 30 * time.Second

// StartUI serves the Temporal Web UI for this server on cfg.Addr, in this
// process: every namespace's workflows, their histories, pending
// activities and signals, as the Temporal CLI's UI shows them. When the
// server runs TLS the UI reaches the frontend with the internal client
// certificate (InternalClientTLS). It returns once the UI answers.
func (s *Server) StartUI(ctx context.Context, cfg UIConfig) (*UI, error) {
	host, portStr, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("web UI address %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "localhost" {
		host = DefaultHost
	}
	if net.ParseIP(host) == nil {
		return nil, fmt.Errorf("web UI address %q: host must be an IP address", cfg.Addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("web UI address %q: bad port", cfg.Addr)
	}
	// ui-server listens itself and exits the process when it cannot, so
	// check here that the address is free (and pick the port for 0).
	ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("web UI: cannot listen on %s: %w", cfg.Addr, err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()

	uc := &uiconfig.Config{
		TemporalGRPCAddress: s.hostPort,
		Host:                host,
		Port:                port,
		EnableUI:            true,
		DefaultNamespace:    s.namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		// Served over plain HTTP: a Secure CSRF cookie would never come
		// back and every write action would fail.
		CORS:                uiconfig.CORS{CookieInsecure: true},
		DisableWriteActions: cfg.ReadOnly,
		Distribution:        "server",
	}
	if s.pki != nil {
		uc.TLS = uiconfig.TLS{
			CaData:                 b64(s.pki.caPEM),
			CertData:               b64(s.pki.certPEM),
			KeyData:                b64(s.pki.keyPEM),
			ServerName:             InternalServerName,
			EnableHostVerification: true,
		}
	}
	if err := uc.Validate(); err != nil {
		return nil, fmt.Errorf("web UI: %w", err)
	}
	srv := uiserver.NewServer(server_options.WithConfigProvider(uc))
	u := &UI{srv: srv, done: make(chan struct{})}
	dialHost := hostsFor(host).dial
	u.url = "http://" + net.JoinHostPort(dialHost, strconv.Itoa(port))
	go func() {
		defer close(u.done)
		_ = srv.Start()
	}()
	if err := waitHTTP(ctx, u.url+"/healthz"); err != nil {
		u.Stop()
		return nil, fmt.Errorf("web UI at %s: %w", u.url, err)
	}
	return u, nil
}

func waitHTTP(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, uiReadyTimeout)
	defer cancel()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
