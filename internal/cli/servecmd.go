package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/webui"
)

type serveOptions struct {
	conn   connOptions
	worker workerOptions
	// store configures s3:// outputs (the UI reads them; the workers
	// write them).
	store storeOptions
	// Addr is where the UI listens. Default 127.0.0.1:8080.
	Addr string
	// ReadOnly refuses reviews (and every other change) and hides the
	// buttons.
	ReadOnly bool
	// Reviewer is the review form's default reviewer name. Default $USER.
	Reviewer string
	// NoWorker starts no worker on the embedded server.
	NoWorker bool
}

func newServeCmd(env *Env) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "serve the reviewers' web UI (titles, reports, packages, QC gate)",
		Long: `Serve the reviewers' web UI until interrupted: the titles (running with
their stage and progress, held at the QC gate, completed, failed), each
title's request, stage timeline, report and package (played in the
browser), and Approve / Reject for a title held at the QC gate, as reel
review does. Output files are served read-only from each title's output
location (a directory or s3://).

Without --temporal it runs the embedded server of --state-dir (or joins
the reel that already runs it); on its own embedded server it also runs
workers, so that an approved title gets packaged, unless --no-worker.
--read-only refuses reviews. Listen on loopback unless the UI is behind
an authenticating proxy: it has no logins of its own.`,
		Example: `  reel serve
  reel serve --addr 127.0.0.1:9000 --temporal temporal:7233 --read-only`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runServe(ctx, env, &o) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.worker.register(fs)
	o.store.register(fs)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:8080", "listen `host:port` (port 0: a free one)")
	fs.BoolVar(&o.ReadOnly, "read-only", false, "refuse reviews; show titles, reports and packages only")
	fs.StringVar(&o.Reviewer, "reviewer", "", "reviewer `name` the review form starts with (default $USER)")
	fs.BoolVar(&o.NoWorker, "no-worker", false, "run no worker on the embedded server (another reel works)")
	return cmd
}

func runServe(ctx context.Context, env *Env, o *serveOptions) int {
	reviewer := o.Reviewer
	if reviewer == "" {
		reviewer = env.Getenv("USER")
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "serve", err)
		return exitFailed
	}
	defer c.Close()
	if c.Embedded && !o.NoWorker {
		stop, err := startWorkers(c, o.worker, o.store)
		if err != nil {
			printErr(env, "serve", err)
			return exitFailed
		}
		defer stop()
	}
	// On loopback, answer only loopback names: a page whose name is
	// rebound to 127.0.0.1 gets nothing.
	var hosts []string
	if h, _, err := net.SplitHostPort(o.Addr); err == nil {
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			hosts = webui.LoopbackHosts
		}
	}
	ui, err := webui.New(webui.Config{
		Hosts:    hosts,
		Client:   c.Client,
		ReadOnly: o.ReadOnly,
		Reviewer: reviewer,
		Stores:   store.New(o.store.mezzfs()),
		Logger:   c.logger,
	})
	if err != nil {
		printErr(env, "serve", err)
		return exitFailed
	}
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		printErr(env, "serve", err)
		return exitFailed
	}
	srv := &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	where := c.HostPort
	if c.Embedded {
		where += " (embedded server)"
	}
	mode := ""
	if o.ReadOnly {
		mode = ", read-only"
	}
	fmt.Fprintf(env.Stdout, "http://%s/\n", l.Addr())
	fmt.Fprintf(env.Stderr, "reel serve: http://%s/ for %s%s; Ctrl-C stops\n", l.Addr(), where, mode)
	select {
	case <-ctx.Done():
	case err := <-done:
		printErr(env, "serve", err)
		return exitFailed
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = srv.Close()
	}
	fmt.Fprintln(env.Stderr, "reel serve: stopped")
	return exitOK
}
