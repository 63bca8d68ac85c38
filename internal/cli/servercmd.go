package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/internal/tserver"
)

// serverOptions are reel server's flags.
type serverOptions struct {
	// Addr is the frontend's listen host:port; the history, matching and
	// worker services take the next three ports (on 127.0.0.1 when Addr's
	// host is not loopback). Port 0: free ports, recorded in StateDir and
	// reused. Default 127.0.0.1:7233.
	Addr string
	// StateDir holds the lock, ports.json and, without DB, the SQLite
	// database. Default tserver.DefaultStateDir().
	StateDir string
	// Namespaces to register; the first is the UI's default. Default
	// ["default"].
	Namespaces []string
	// Retention of the namespaces' closed workflows. 0: 7 days for new
	// namespaces, existing ones left alone.
	Retention time.Duration
	// DB: "" (SQLite in StateDir) or a postgres:// URL. Default
	// $REEL_SERVER_DB.
	DB string
	// HistoryShards of a new PostgreSQL store. 0: 4.
	HistoryShards int
	// UIAddr serves the Temporal Web UI when set.
	UIAddr string
	// UIReadOnly turns the UI's write actions off.
	UIReadOnly bool
	// TLSCert, TLSKey: the frontend's certificate; TLSClientCA: require
	// client certificates signed by it (mTLS).
	TLSCert, TLSKey, TLSClientCA string
	// Verbose prints Temporal's warnings and errors on stderr.
	Verbose bool
}

func newServerCmd(env *Env) *cobra.Command {
	var o serverOptions
	cmd := &cobra.Command{
		Use:   "server",
		Short: "run a standing Temporal server for a fleet (SQLite or PostgreSQL, Web UI, mTLS)",
		Long: `Run a Temporal server until interrupted, for workers and reel commands
on other machines to share: the same single-node server reel run embeds,
with a listen address of your choice, namespaces and their retention,
persistence in SQLite (default, in --state-dir) or PostgreSQL (--db), the
Temporal Web UI (--ui-addr) and TLS or mutual TLS on the frontend
(--tls-*).

With --db postgres://user:password@host:port/dbname?sslmode=disable the
databases dbname and dbname_visibility are created when missing, and
their schemas are set up on the first start and upgraded by later starts
with Temporal's own schema tool: upgrading reel upgrades the schema.
The password is never printed; prefer $REEL_SERVER_DB to the flag, which
other users see in the process list.

The frontend takes --addr's port and the history, matching and worker
services the next three; those three listen on 127.0.0.1 only. With
--tls-cert and --tls-key the frontend serves TLS; with --tls-client-ca
too, clients must present a certificate signed by that CA (reel's
--tls-cert/--tls-key/--tls-ca on the client side). The server's own
connections use an in-memory certificate of their own.

The Web UI has no logins: keep --ui-addr on loopback (or behind an
authenticating proxy), or --ui-read-only. reel server prints the
frontend's address and the UI's URL on stderr, and stops cleanly on
SIGINT or SIGTERM. See docs/server.md.`,
		Example: `  reel server --addr 0.0.0.0:7233 --ui-addr 127.0.0.1:8233
  REEL_SERVER_DB='postgres://temporal:secret@db:5432/temporal?sslmode=disable' \
    reel server --addr 0.0.0.0:7233 --namespace default --namespace reel-qa --retention 720h
  reel server --addr 0.0.0.0:7233 --tls-cert server.pem --tls-key server.key --tls-client-ca clients-ca.pem`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runServer(ctx, env, &o) }),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:7233", "frontend listen `host:port` (0.0.0.0 for every interface); the next 3 ports too, on loopback; port 0: free ports recorded in --state-dir")
	fs.StringVar(&o.StateDir, "state-dir", "", "state directory: lock, ports.json and the SQLite database (default $REEL_STATE_DIR, $XDG_STATE_HOME/reel or ~/.local/state/reel)")
	fs.StringArrayVar(&o.Namespaces, "namespace", nil, "`namespace` to register (repeatable; default \"default\"); the first is the UI's default")
	fs.DurationVar(&o.Retention, "retention", 0, "how long closed workflows are kept (e.g. 720h); applied to every --namespace, existing ones too (default 168h for new namespaces)")
	fs.StringVar(&o.DB, "db", "", "persistence: `URL` postgres://user:password@host:port/dbname?sslmode=disable (default $REEL_SERVER_DB, else SQLite in --state-dir)")
	fs.IntVar(&o.HistoryShards, "history-shards", 0, "history shards of a new PostgreSQL store, fixed at its first start (default 4)")
	fs.StringVar(&o.UIAddr, "ui-addr", "", "serve the Temporal Web UI on `host:port` (port 0: a free one; default: no UI)")
	fs.BoolVar(&o.UIReadOnly, "ui-read-only", false, "turn the Web UI's write actions (terminate, signal, reset, …) off")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "frontend certificate `file` (PEM), with --tls-key: serve TLS")
	fs.StringVar(&o.TLSKey, "tls-key", "", "private key `file` (PEM) of --tls-cert")
	fs.StringVar(&o.TLSClientCA, "tls-client-ca", "", "CA certificate `file` (PEM): require client certificates signed by it (mutual TLS)")
	fs.BoolVar(&o.Verbose, "verbose", false, "print Temporal's warnings and errors on stderr")
	return cmd
}

// config turns the flags into the server's configuration.
func (o *serverOptions) config(env *Env) (tserver.Config, error) {
	host, portStr, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return tserver.Config{}, fmt.Errorf("--addr %q: want host:port: %w", o.Addr, err)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535-(tserver.NumPorts-1) {
		return tserver.Config{}, fmt.Errorf("--addr %q: port must be 0..%d (the server takes it and the next %d)", o.Addr, 65535-(tserver.NumPorts-1), tserver.NumPorts-1)
	}
	db := o.DB
	if db == "" && env.Getenv != nil {
		db = env.Getenv("REEL_SERVER_DB")
	}
	if db != "" && !strings.HasPrefix(db, "postgres://") && !strings.HasPrefix(db, "postgresql://") {
		return tserver.Config{}, fmt.Errorf("--db %s: only postgres:// URLs are supported (leave it empty for SQLite in --state-dir)", tserver.RedactURL(db))
	}
	if o.HistoryShards != 0 && db == "" {
		return tserver.Config{}, errors.New("--history-shards needs --db (SQLite always uses 1)")
	}
	if o.Retention < 0 {
		return tserver.Config{}, fmt.Errorf("--retention %s: must be positive", o.Retention)
	}
	if o.Retention != 0 && o.Retention < 24*time.Hour {
		return tserver.Config{}, fmt.Errorf("--retention %s: Temporal's minimum is 24h", o.Retention)
	}
	for _, ns := range o.Namespaces {
		if strings.TrimSpace(ns) == "" {
			return tserver.Config{}, errors.New("--namespace: empty name")
		}
	}
	stateDir := o.StateDir
	if stateDir == "" {
		stateDir = tserver.DefaultStateDir()
	}
	cfg := tserver.Config{
		StateDir:      stateDir,
		Host:          host,
		Port:          port,
		AllowRemote:   true,
		Retention:     o.Retention,
		DB:            db,
		HistoryShards: o.HistoryShards,
		TLS:           tserver.TLS{CertFile: o.TLSCert, KeyFile: o.TLSKey, ClientCAFile: o.TLSClientCA},
	}
	if len(o.Namespaces) > 0 {
		cfg.Namespace = o.Namespaces[0]
		cfg.Namespaces = o.Namespaces[1:]
	}
	return cfg, nil
}

func runServer(ctx context.Context, env *Env, o *serverOptions) int {
	cfg, err := o.config(env)
	if err != nil {
		printErr(env, "server", err)
		return exitUsage
	}
	if o.Verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	srv, err := tserver.Start(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return exitInterrupted
		}
		var pe *tserver.PortInUseError
		if errors.As(err, &pe) {
			err = fmt.Errorf("port %d (%s) is in use: choose other ports with --addr (the server takes its port and the next %d), or stop what holds it", pe.Port, pe.Role, tserver.NumPorts-1)
		}
		printErr(env, "server", err)
		return exitFailed
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			printErr(env, "server", fmt.Errorf("stop: %w", err))
		}
	}()
	store := "SQLite in " + cfg.StateDir
	if cfg.DB != "" {
		store = "PostgreSQL " + tserver.RedactURL(cfg.DB)
	}
	security := "plain gRPC"
	switch {
	case cfg.TLS.ClientCAFile != "":
		security = "mutual TLS"
	case cfg.TLS.CertFile != "":
		security = "TLS"
	}
	fmt.Fprintf(env.Stderr, "reel server: Temporal frontend on %s (%s; dial %s), namespaces %s, %s\n",
		srv.ListenAddr(), security, srv.HostPort(), strings.Join(srv.Namespaces(), ", "), store)

	if o.UIAddr != "" {
		ui, err := srv.StartUI(ctx, tserver.UIConfig{Addr: o.UIAddr, ReadOnly: o.UIReadOnly})
		if err != nil {
			if ctx.Err() != nil {
				return exitInterrupted
			}
			printErr(env, "server", err)
			return exitFailed
		}
		defer ui.Stop()
		fmt.Fprintf(env.Stderr, "reel server: Temporal Web UI on %s\n", ui.URL())
	}

	<-ctx.Done()
	fmt.Fprintln(env.Stderr, "reel server: stopping")
	return exitOK
}
