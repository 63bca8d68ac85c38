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
// The connection settings come from these flags, else the environment
// (TEMPORAL_* as the Temporal CLI reads them, REEL_TEMPORAL), else a
// temporal.toml profile; see resolve and docs/connect.md.
type connOptions struct {
	// Temporal is a cluster's frontend host:port; empty (and none in the
	// environment or profile): run the embedded server.
	Temporal string
	// Namespace on the cluster; empty: TEMPORAL_NAMESPACE, the profile's,
	// else "default".
	Namespace string
	// ProfileName is the temporal.toml profile; empty: TEMPORAL_PROFILE,
	// else "default" (when the file has one).
	ProfileName string
	// APIKey authenticates to the cluster (Temporal Cloud) and turns TLS
	// on. A secret: never printed or logged.
	APIKey string
	// TLSCert and TLSKey are the client certificate and its key (PEM
	// files) for mutual TLS; TLSCA the CA that signed the server's
	// certificate (default: the system's); TLSServerName the name the
	// server certificate must hold (default: the address's host). Any of
	// them turns TLS on.
	TLSCert, TLSKey, TLSCA, TLSServerName string
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

// register adds the flags. Their defaults are empty, never read from the
// environment here: help must not show an address, let alone a key, from
// the environment.
func (o *connOptions) register(fs *pflag.FlagSet, _ *Env) {
	fs.StringVar(&o.Temporal, "temporal", "", "Temporal frontend `host:port` (default $REEL_TEMPORAL, $TEMPORAL_ADDRESS or the profile's; none: start the embedded server)")
	fs.StringVar(&o.Namespace, "namespace", "", "Temporal `namespace` (default $TEMPORAL_NAMESPACE, the profile's, else \"default\")")
	fs.StringVar(&o.ProfileName, "profile-name", "", "temporal.toml `profile` (default $TEMPORAL_PROFILE, else \"default\"; file: $TEMPORAL_CONFIG_FILE or the Temporal CLI's)")
	fs.StringVar(&o.APIKey, "api-key", "", "Temporal API `key`; turns TLS on (default $TEMPORAL_API_KEY or the profile's; prefer those: a flag shows in the process list)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "client certificate `file` (PEM) for mutual TLS, with --tls-key (default $TEMPORAL_TLS_CLIENT_CERT_PATH or the profile's)")
	fs.StringVar(&o.TLSKey, "tls-key", "", "private key `file` (PEM) of --tls-cert (default $TEMPORAL_TLS_CLIENT_KEY_PATH or the profile's)")
	fs.StringVar(&o.TLSCA, "tls-ca", "", "CA certificate `file` (PEM) the server's certificate must be signed by (default $TEMPORAL_TLS_SERVER_CA_CERT_PATH, the profile's, else the system's CAs)")
	fs.StringVar(&o.TLSServerName, "tls-server-name", "", "`name` the server certificate must hold (default $TEMPORAL_TLS_SERVER_NAME, else the --temporal host)")
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
//
// For a cluster, the certificates and key are read and checked first, and
// with TLS one probe connection is made before the SDK dials, so that a
// TLS mistake (missing key, expired certificate, wrong CA, refused client
// certificate) is one clear error and is not retried.
func (o *connOptions) connect(ctx context.Context, env *Env) (*conn, error) {
	set, err := o.resolve(env)
	if err != nil {
		return nil, err
	}
	var remote client.Options
	if set.Address != "" {
		if remote, err = set.clientOptions(time.Now()); err != nil {
			return nil, err
		}
	}
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

	c.HostPort = set.Address
	// shared: another reel serves this state directory; use its server.
	shared := false
	if c.HostPort == "" {
		srv, err := tserver.Start(ctx, tserver.Config{StateDir: stateDir, Port: o.EmbeddedPort, Namespace: set.Namespace, Logger: c.logger})
		switch {
		case err == nil:
			c.server, c.HostPort, c.Embedded = srv, srv.HostPort(), true
		case errors.Is(err, tserver.ErrStateDirLocked):
			shared = true
		default:
			c.Close()
			return nil, err
		}
	} else if conf := remote.ConnectionOptions.TLS; conf != nil {
		if err := probeTLS(ctx, &set, conf); err != nil {
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
		opts := remote // the zero value for the embedded server
		opts.HostPort, opts.Namespace = c.HostPort, set.Namespace
		opts.Logger, opts.MetricsHandler = sdklog.NewStructuredLogger(c.logger), o.metrics
		return client.DialContext(ctx, opts)
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
		if c.Embedded {
			return nil, fmt.Errorf("connect to the embedded Temporal server at %s: %w", c.HostPort, err)
		}
		return nil, fmt.Errorf("connect to Temporal at %s: %w", set.describe(), err)
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
