package cli

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/reel-video/reel/metrics"
	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
)

type workerCmdOptions struct {
	conn   connOptions
	worker workerOptions
	// store configures the s3:// inputs and outputs the activities open.
	store storeOptions
	// Metrics is the host:port serving Prometheus metrics (/metrics) and
	// /healthz; empty: none.
	Metrics string
}

func newWorkerCmd(env *Env) *cobra.Command {
	var o workerCmdOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "serve task queues for a Temporal server",
		Long: `Serve reel's task queues (workflows, I/O, scoring and encodes) for a
Temporal server until interrupted. Without --temporal it runs the embedded
server of --state-dir, or joins the reel that already runs it.

With --metrics it serves Prometheus metrics on /metrics (the Temporal
SDK's temporal_… and reel's reel_…) and /healthz: 200 "ok" while the
workers run and the Temporal server answers, 503 with the reason
otherwise (starting, draining, server unreachable).`,
		Example: `  reel worker --temporal temporal:7233 --queues reel-encode --encode-concurrency 2
  reel worker --temporal temporal:7233 --metrics :9090`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runWorker(ctx, env, &o) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.worker.register(fs)
	o.store.register(fs)
	fs.StringVar(&o.Metrics, "metrics", "", "serve Prometheus metrics on `host:port` (/metrics, /healthz); empty: none")
	return cmd
}

func runWorker(ctx context.Context, env *Env, o *workerCmdOptions) int {
	var ms *metricsServer
	var ln net.Listener
	if o.Metrics != "" {
		m := metrics.New()
		var err error
		if ms, ln, err = listenMetrics(o.Metrics, m); err != nil {
			printErr(env, "worker", err)
			return exitFailed
		}
		defer ms.Close()
		o.conn.metrics, o.worker.metrics = m.SDKHandler(), m
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		printErr(env, "worker", err)
		return exitFailed
	}
	defer c.Close()
	if ms != nil {
		ms.serve(ln, c.Client)
		fmt.Fprintf(env.Stderr, "reel worker: metrics on http://%s/metrics\n", ms.Addr)
	}
	stop, err := startWorkers(c, o.worker, o.store)
	if err != nil {
		printErr(env, "worker", err)
		return exitFailed
	}
	ms.running()
	queues := o.worker.Queues
	if len(queues) == 0 {
		queues = workflows.AllQueues
	}
	where := c.HostPort
	if c.Embedded {
		where += " (embedded server)"
	}
	fmt.Fprintf(env.Stderr, "reel worker: serving %s on %s; Ctrl-C stops\n", strings.Join(queues, ","), where)
	<-ctx.Done()
	ms.draining()
	stop()
	fmt.Fprintln(env.Stderr, "reel worker: stopped")
	return exitOK
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
