package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/reel-video/reel/internal/tserver"
	"github.com/reel-video/reel/submit/titles"
)

// connOptions are the flags every command that talks to Temporal takes.
type connOptions struct {
	// Temporal is a cluster's frontend host:port; empty runs the embedded
	// server. Env: REEL_TEMPORAL.
	Temporal string
	// Namespace on the cluster. Default "default".
	Namespace string
	// StateDir holds the embedded server's SQLite state and reel's log.
	StateDir string
	// EmbeddedPort is the embedded server's frontend port (it also uses the
	// next three); 0: free ports chosen at the first start and recorded in
	// the state directory.
	EmbeddedPort int
	// Verbose sends Temporal's logs to stderr instead of the log file.
	Verbose bool
	// metrics receives the SDK's metrics (reel worker --metrics); nil:
	// none.
	metrics client.MetricsHandler
}

func (o *connOptions) register(fs *pflag.FlagSet, env *Env) {
	fs.StringVar(&o.Temporal, "temporal", env.Getenv("REEL_TEMPORAL"), "Temporal frontend `host:port`; empty starts the embedded server (env REEL_TEMPORAL)")
	fs.StringVar(&o.Namespace, "namespace", "default", "Temporal namespace")
	fs.StringVar(&o.StateDir, "state-dir", "", "embedded server state directory (default $REEL_STATE_DIR, $XDG_STATE_HOME/reel or ~/.local/state/reel)")
	fs.IntVar(&o.EmbeddedPort, "embedded-port", 0, "embedded server frontend port (uses the next 3 too); 0: free ports chosen at the first start and recorded in the state directory")
	fs.BoolVar(&o.Verbose, "verbose", false, "print Temporal's logs on stderr")
}

// conn is a client, and the embedded server when reel started one.
type conn struct {
	Client   client.Client
	server   *tserver.Server
	logFile  *os.File
	logger   *slog.Logger
	HostPort string
	Embedded bool
}

func (c *conn) Close() {
	if c.Client != nil {
		c.Client.Close()
	}
	if c.server != nil {
		_ = c.server.Stop()
	}
	if c.logFile != nil {
		_ = c.logFile.Close()
	}
}

// connect dials the cluster, or starts the embedded server. When another
// reel process already runs the embedded server on the same state directory,
// it connects to that one, at the address recorded in the directory.
func (o *connOptions) connect(ctx context.Context, env *Env) (*conn, error) {
	c := &conn{}
	stateDir := o.StateDir
	if stateDir == "" {
		stateDir = tserver.DefaultStateDir()
	}
	var logW io.Writer = env.Stderr
	if !o.Verbose {
		if err := os.MkdirAll(stateDir, 0o755); err != nil {
			return nil, fmt.Errorf("state dir: %w", err)
		}
		f, err := os.OpenFile(filepath.Join(stateDir, "reel.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
		c.logFile, logW = f, f
	}
	c.logger = slog.New(slog.NewTextHandler(logW, &slog.HandlerOptions{Level: slog.LevelWarn}))

	c.HostPort = o.Temporal
	// shared: another reel serves this state directory; use its server.
	shared := false
	if c.HostPort == "" {
		srv, err := tserver.Start(ctx, tserver.Config{StateDir: stateDir, Port: o.EmbeddedPort, Namespace: o.Namespace, Logger: c.logger})
		switch {
		case err == nil:
			c.server, c.HostPort, c.Embedded = srv, srv.HostPort(), true
		case errors.Is(err, tserver.ErrStateDirLocked):
			shared = true
		default:
			c.Close()
			return nil, err
		}
	}
	dial := func() (client.Client, error) {
		if shared {
			// Read again on every attempt: the other reel may not have
			// recorded its ports yet.
			hp, err := tserver.RecordedHostPort(stateDir)
			if err != nil {
				return nil, err
			}
			c.HostPort = hp
		}
		return client.DialContext(ctx, client.Options{
			HostPort:       c.HostPort,
			Namespace:      o.Namespace,
			Logger:         sdklog.NewStructuredLogger(c.logger),
			MetricsHandler: o.metrics,
		})
	}
	cl, err := dial()
	// Another reel that holds the state directory may still be starting
	// its server: give it the time a start takes.
	for deadline := time.Now().Add(30 * time.Second); err != nil && shared && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(500 * time.Millisecond)
		cl, err = dial()
	}
	if err != nil {
		c.Close()
		if shared {
			at := ""
			if c.HostPort != "" {
				at = " at " + c.HostPort
			}
			return nil, fmt.Errorf("connect to the embedded Temporal server of %s%s (held by another reel): %w", stateDir, at, err)
		}
		return nil, fmt.Errorf("connect to Temporal at %s: %w", c.HostPort, err)
	}
	c.Client = cl
	return c, nil
}

// describeErr renders an error chain as one line (titles.DescribeError).
func describeErr(err error) string { return titles.DescribeError(err) }

// waitCtx bounds a client call.
func waitCtx(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
