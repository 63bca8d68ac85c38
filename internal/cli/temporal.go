package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/reel-video/reel/internal/tserver"
	"github.com/reel-video/reel/metrics"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
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

// workerOptions configure the workers a process runs.
type workerOptions struct {
	Queues listFlag
	// EncodeConcurrency caps concurrent encode activities on this process.
	EncodeConcurrency int
	// CPUConcurrency caps concurrent scoring/analysis activities.
	CPUConcurrency int
	// metrics counts the activities' work and failures (reel worker
	// --metrics); nil: none.
	metrics *metrics.Metrics
}

func (w *workerOptions) register(fs *pflag.FlagSet) {
	fs.Var(&w.Queues, "queues", "task queues to serve, comma-separated (default all: "+strings.Join(workflows.AllQueues, ",")+")")
	fs.IntVar(&w.EncodeConcurrency, "encode-concurrency", 1, "encode activities run at once on this process")
	fs.IntVar(&w.CPUConcurrency, "cpu-concurrency", 1, "scoring/analysis activities run at once on this process")
}

// startWorkers starts one worker per queue, with the real activities
// (libav, and store for s3:// inputs and outputs); stop them with the
// returned func.
// heartbeatInterval is how often activities' heartbeats (progress) reach
// the server, and how long each heartbeat RPC may take.
const heartbeatInterval = 5 * time.Second

func startWorkers(c *conn, opts workerOptions, store storeOptions) (func(), error) {
	acts := activities.New(activities.Libav(), c.logger)
	acts.Store = store.mezzfs()
	acts.Temporal = c.Client // the campaign activities start and watch titles
	var interceptors []interceptor.WorkerInterceptor
	if opts.metrics != nil {
		acts.Meter = opts.metrics
		interceptors = append(interceptors, opts.metrics.Interceptor())
	}
	queues := opts.Queues
	if len(queues) == 0 {
		queues = workflows.AllQueues
	}
	known := map[string]bool{}
	for _, q := range workflows.AllQueues {
		known[q] = true
	}
	var started []worker.Worker
	stop := func() {
		for _, w := range started {
			w.Stop()
		}
	}
	for _, q := range queues {
		if !known[q] {
			stop()
			return nil, fmt.Errorf("unknown task queue %q (known: %s)", q, strings.Join(workflows.AllQueues, ", "))
		}
		// Heartbeats carry the progress the bars draw: send them every 5 s
		// instead of the SDK's 80%-of-timeout default. Not less: the SDK
		// gives each heartbeat RPC max(interval, 1 s) to answer and cancels
		// the activity when it does not, and an embedded server on a busy
		// machine can take more than a second (with a 1 s interval, scoring
		// attempts were cancelled on a loaded 2-core box).
		wo := worker.Options{MaxHeartbeatThrottleInterval: heartbeatInterval, DefaultHeartbeatThrottleInterval: heartbeatInterval,
			Interceptors: interceptors}
		switch q {
		case workflows.QueueEncode:
			wo.MaxConcurrentActivityExecutionSize = max(1, opts.EncodeConcurrency)
		case workflows.QueueCPU:
			wo.MaxConcurrentActivityExecutionSize = max(1, opts.CPUConcurrency)
		}
		w := worker.New(c.Client, q, wo)
		if q == workflows.QueueWorkflow {
			workflows.Register(w)
		} else {
			w.RegisterActivity(acts)
		}
		if err := w.Start(); err != nil {
			stop()
			return nil, fmt.Errorf("start worker on %s: %w", q, err)
		}
		started = append(started, w)
	}
	return stop, nil
}

// describeErr renders an error chain as one line (titles.DescribeError).
func describeErr(err error) string { return titles.DescribeError(err) }

// waitCtx bounds a client call.
func waitCtx(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}
