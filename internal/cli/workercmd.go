package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/reel-video/reel/metrics"
	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
)

// defaultDrainTimeout is --drain-timeout's default.
const defaultDrainTimeout = 5 * time.Minute

type workerCmdOptions struct {
	conn   connOptions
	worker workerOptions
	// store configures the s3:// inputs and outputs the activities open.
	store storeOptions
	// Metrics is the host:port serving Prometheus metrics (/metrics) and
	// the /healthz and /readyz probes; empty: none.
	Metrics string
}

func newWorkerCmd(env *Env) *cobra.Command {
	var o workerCmdOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "serve task queues for a Temporal server",
		Long: `Serve reel's task queues (workflows, I/O, scoring and encodes) for a
Temporal server until SIGTERM or SIGINT. Without --temporal it runs the
embedded server of --state-dir, or joins the reel that already runs it.

--max-activities caps the activities each queue runs at once on this
process. Its defaults follow the core count (cores: Go's GOMAXPROCS, the
machine's CPUs or the container's CPU limit):
reel-encode max(1, cores/4) and reel-cpu max(1, cores/4) (an encode or a
VMAF scoring already uses every core), reel-io max(8, 2×cores) (probes,
stitches, packaging, reports and one long poll per running campaign);
the workflow queue reel runs the SDK's default of workflow tasks.

On SIGTERM or SIGINT the worker drains: it stops polling every queue at
once, lets the activities it runs finish for up to --drain-timeout, then
cancels the rest and exits 0. A cancelled activity is retried by another
worker (its failure, or, if the process is killed first, its heartbeat
timeout of 30 s tells the server it is gone). Give the orchestrator's grace period (Kubernetes
terminationGracePeriodSeconds, systemd TimeoutStopSec) the drain timeout
plus half a minute.

With --metrics it serves Prometheus metrics on /metrics (the Temporal
SDK's temporal_… and reel's reel_…) and two probes beside them:
/readyz (readiness) 200 "ok" while the workers poll and the Temporal server
answers, 503 with the reason while starting, draining or when the server
is unreachable; /healthz (liveness) 200 while the process serves, draining
included, so that it is not killed before its activities finish, and 503
only after a worker stopped on a fatal error (the process then exits 1).

The identity (--identity, shown by Temporal as each activity's and poller's
worker) defaults to PID@HOSTNAME, Temporal's own form: unique on one host,
and in a container (PID 1, hostname = the pod or container name) the same
across restarts of the container. The deployment files in deploy/ set it
from the unit or pod name.`,
		Example: `  reel worker --temporal temporal:7233 --queues reel-encode --max-activities reel-encode=2
  reel worker --temporal temporal:7233 --max-activities reel-encode=2,reel-cpu=2,reel-io=8 --metrics :9090
  reel worker --temporal temporal:7233 --queues reel-encode --drain-timeout 30m --identity encoder-1`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runWorker(ctx, env, &o) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	o.worker.register(fs)
	o.worker.registerWorkerCmd(fs, env)
	o.store.register(fs)
	fs.StringVar(&o.Metrics, "metrics", "", "serve Prometheus metrics and probes on `host:port` (/metrics, /healthz, /readyz); empty: none")
	return cmd
}

func runWorker(ctx context.Context, env *Env, o *workerCmdOptions) int {
	if err := o.worker.validate(); err != nil {
		printErr(env, "worker", err)
		return exitUsage
	}
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
	fatal := make(chan error, len(workflows.AllQueues))
	o.worker.onFatal = func(err error) {
		select {
		case fatal <- err:
		default:
		}
	}
	w, err := startWorkerSet(c, o.worker, o.store)
	if err != nil {
		printErr(env, "worker", err)
		return exitFailed
	}
	ms.running()
	where := c.HostPort
	if c.Embedded {
		where += " (embedded server)"
	}
	fmt.Fprintf(env.Stderr, "reel worker: %s serving %s on %s; SIGTERM or Ctrl-C drains\n",
		w.identity, w.describeQueues(), where)
	select {
	case <-ctx.Done():
	case err := <-fatal:
		ms.failed(err)
		printErr(env, "worker", fmt.Errorf("worker stopped: %w", err))
		w.stop()
		return exitFailed
	}
	ms.draining()
	began := time.Now()
	if n := w.running(); n > 0 || o.worker.DrainTimeout > 0 {
		fmt.Fprintf(env.Stderr, "reel worker: draining: polling stopped; %d running activities have up to %v to finish\n", n, o.worker.DrainTimeout)
	}
	cut := w.stop()
	if cut > 0 {
		fmt.Fprintf(env.Stderr, "reel worker: drain timeout: cancelled %d running activities; another worker retries them\n", cut)
	}
	fmt.Fprintf(env.Stderr, "reel worker: stopped (drained in %v)\n", time.Since(began).Round(100*time.Millisecond))
	return exitOK
}

// workerOptions configure the workers a process runs.
type workerOptions struct {
	Queues listFlag
	// MaxActivities caps the activities (on the workflow queue: workflow
	// tasks) each queue runs at once on this process; a queue not listed
	// gets defaultMaxActivities.
	MaxActivities activityCaps
	// DrainTimeout is how long running activities may take to finish once
	// the workers stop (worker.Options.WorkerStopTimeout); 0: cancelled at
	// once. reel worker: --drain-timeout, default 5 min.
	DrainTimeout time.Duration
	// Identity names this process's workers in Temporal; empty:
	// PID@HOSTNAME (defaultIdentity).
	Identity string
	// metrics counts the activities' work and failures (reel worker
	// --metrics); nil: none.
	metrics *metrics.Metrics
	// onFatal hears a worker that stopped on a fatal error (e.g. its
	// namespace is gone); nil: only logged by the SDK.
	onFatal func(error)
}

func (w *workerOptions) register(fs *pflag.FlagSet) {
	fs.Var(&w.Queues, "queues", "task queues to serve, comma-separated (default all: "+strings.Join(workflows.AllQueues, ",")+")")
	fs.Var(&w.MaxActivities, "max-activities", "run at most N activities of a queue at once on this process, as `queue=N,...` (default reel-encode and reel-cpu max(1, cores/4), reel-io max(8, 2×cores); reel: workflow tasks, the SDK's default)")
	fs.Var(queueCap{&w.MaxActivities, workflows.QueueEncode}, "encode-concurrency", "same as --max-activities reel-encode=`N`")
	fs.Var(queueCap{&w.MaxActivities, workflows.QueueCPU}, "cpu-concurrency", "same as --max-activities reel-cpu=`N`")
}

// registerWorkerCmd adds the flags of a long-lived worker (reel worker).
func (w *workerOptions) registerWorkerCmd(fs *pflag.FlagSet, env *Env) {
	fs.DurationVar(&w.DrainTimeout, "drain-timeout", defaultDrainTimeout, "on SIGTERM or SIGINT, how long running activities may take to finish before they are cancelled (and retried by another worker)")
	fs.StringVar(&w.Identity, "identity", env.Getenv("REEL_WORKER_IDENTITY"), "worker identity Temporal shows (env REEL_WORKER_IDENTITY; default PID@HOSTNAME)")
}

// validate checks the queues before anything starts.
func (w *workerOptions) validate() error {
	for _, q := range w.Queues {
		if !slices.Contains(workflows.AllQueues, q) {
			return fmt.Errorf("--queues: unknown task queue %q (known: %s)", q, strings.Join(workflows.AllQueues, ", "))
		}
	}
	if w.DrainTimeout < 0 {
		return fmt.Errorf("--drain-timeout %v: must not be negative", w.DrainTimeout)
	}
	return nil
}

// activityCaps is --max-activities: queue → the most activities (workflow
// tasks on the workflow queue) it runs at once.
type activityCaps map[string]int

func (c *activityCaps) String() string {
	if c == nil || len(*c) == 0 {
		return "" // the defaults depend on the machine: the help names the formula
	}
	var parts []string
	for _, q := range sortedKeys(*c) {
		parts = append(parts, q+"="+strconv.Itoa((*c)[q]))
	}
	return strings.Join(parts, ",")
}

func (c *activityCaps) Type() string { return "queue=N,..." }

// Set adds queue=N pairs, comma-separated; a queue given twice takes the
// last value; an empty value changes nothing (an unset variable in a
// unit's command line).
func (c *activityCaps) Set(v string) error {
	caps := map[string]int{}
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		q, n, ok := strings.Cut(part, "=")
		q = strings.TrimSpace(q)
		if !ok || q == "" {
			return fmt.Errorf("%q: want queue=N (e.g. reel-encode=2)", part)
		}
		if !slices.Contains(workflows.AllQueues, q) {
			return fmt.Errorf("unknown task queue %q (known: %s)", q, strings.Join(workflows.AllQueues, ", "))
		}
		if err := setCap(caps, q, strings.TrimSpace(n)); err != nil {
			return err
		}
	}
	if *c == nil {
		*c = activityCaps{}
	}
	for q, n := range caps {
		(*c)[q] = n
	}
	return nil
}

func setCap(caps map[string]int, q, n string) error {
	v, err := strconv.Atoi(n)
	if err != nil {
		return fmt.Errorf("%s=%s: N must be a whole number", q, n)
	}
	if v < 1 {
		return fmt.Errorf("%s=%d: N must be at least 1", q, v)
	}
	caps[q] = v
	return nil
}

// queueCap is one queue's entry of an activityCaps as its own flag
// (--encode-concurrency, --cpu-concurrency).
type queueCap struct {
	caps  *activityCaps
	queue string
}

func (f queueCap) String() string {
	if f.caps == nil || *f.caps == nil {
		return ""
	}
	if n, ok := (*f.caps)[f.queue]; ok {
		return strconv.Itoa(n)
	}
	return ""
}

func (f queueCap) Type() string { return "int" }

func (f queueCap) Set(v string) error {
	caps := map[string]int{}
	if err := setCap(caps, f.queue, strings.TrimSpace(v)); err != nil {
		return err
	}
	if *f.caps == nil {
		*f.caps = activityCaps{}
	}
	(*f.caps)[f.queue] = caps[f.queue]
	return nil
}

// defaultMaxActivities is a queue's cap on a machine of cores CPUs when
// --max-activities does not name it; 0: the SDK's default.
func defaultMaxActivities(queue string, cores int) int {
	switch queue {
	case workflows.QueueEncode, workflows.QueueCPU:
		return max(1, cores/4)
	case workflows.QueueIO:
		return max(8, 2*cores)
	}
	return 0
}

// maxActivities is the cap queue runs with on this machine.
func (w *workerOptions) maxActivities(queue string) int {
	if n, ok := w.MaxActivities[queue]; ok {
		return n
	}
	// GOMAXPROCS: the CPUs, or fewer under a container's CPU limit.
	return defaultMaxActivities(queue, runtime.GOMAXPROCS(0))
}

// defaultIdentity is PID@HOSTNAME, the form of Temporal's own default
// without its trailing "@".
func defaultIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return strconv.Itoa(os.Getpid()) + "@" + host
}

// heartbeatInterval is how often activities' heartbeats (progress) reach
// the server, and how long each heartbeat RPC may take.
const heartbeatInterval = 5 * time.Second

// startWorkers starts one worker per queue, with the real activities
// (libav, and store for s3:// inputs and outputs); stop them with the
// returned func.
func startWorkers(c *conn, opts workerOptions, store storeOptions) (func(), error) {
	ws, err := startWorkerSet(c, opts, store)
	if err != nil {
		return nil, err
	}
	return func() { ws.stop() }, nil
}

// workerSet is the workers of one process.
type workerSet struct {
	identity string
	queues   []string
	caps     map[string]int
	workers  []worker.Worker
	drain    time.Duration
	// inflight counts the activities running now.
	inflight atomic.Int64
}

func startWorkerSet(c *conn, opts workerOptions, store storeOptions) (*workerSet, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	acts := activities.New(activities.Libav(), c.logger)
	acts.Store = store.mezzfs()
	acts.Temporal = c.Client // the campaign activities start and watch titles
	ws := &workerSet{identity: opts.Identity, queues: opts.Queues, caps: map[string]int{}, drain: opts.DrainTimeout}
	if ws.identity == "" {
		ws.identity = defaultIdentity()
	}
	if len(ws.queues) == 0 {
		ws.queues = workflows.AllQueues
	}
	interceptors := []interceptor.WorkerInterceptor{&inflightInterceptor{n: &ws.inflight}}
	if opts.metrics != nil {
		acts.Meter = opts.metrics
		interceptors = append(interceptors, opts.metrics.Interceptor())
	}
	for _, q := range ws.queues {
		// Heartbeats carry the progress the bars draw: send them every 5 s
		// instead of the SDK's 80%-of-timeout default. Not less: the SDK
		// gives each heartbeat RPC max(interval, 1 s) to answer and cancels
		// the activity when it does not, and an embedded server on a busy
		// machine can take more than a second (with a 1 s interval, scoring
		// attempts were cancelled on a loaded 2-core box).
		wo := worker.Options{MaxHeartbeatThrottleInterval: heartbeatInterval, DefaultHeartbeatThrottleInterval: heartbeatInterval,
			Interceptors: interceptors, Identity: ws.identity, WorkerStopTimeout: opts.DrainTimeout, OnFatalError: opts.onFatal}
		n := opts.maxActivities(q)
		if q == workflows.QueueWorkflow {
			wo.MaxConcurrentWorkflowTaskExecutionSize = n
		} else {
			wo.MaxConcurrentActivityExecutionSize = n
		}
		ws.caps[q] = n
		w := worker.New(c.Client, q, wo)
		if q == workflows.QueueWorkflow {
			workflows.Register(w)
		} else {
			w.RegisterActivity(acts)
		}
		if err := w.Start(); err != nil {
			ws.stop()
			return nil, fmt.Errorf("start worker on %s: %w", q, err)
		}
		ws.workers = append(ws.workers, w)
	}
	return ws, nil
}

// describeQueues lists the queues with their caps: "reel-encode (2 at
// once),reel-io (8 at once)".
func (ws *workerSet) describeQueues() string {
	parts := make([]string, len(ws.queues))
	for i, q := range ws.queues {
		parts[i] = q
		if n := ws.caps[q]; n > 0 {
			parts[i] += fmt.Sprintf(" (%d at once)", n)
		}
	}
	return strings.Join(parts, ", ")
}

// running is the number of activities running now.
func (ws *workerSet) running() int { return int(ws.inflight.Load()) }

// stop stops every worker at once: each stops polling, waits up to the
// drain timeout for its running activities, then cancels them. It returns
// how many activities were still running at the drain timeout.
func (ws *workerSet) stop() (cut int) {
	var once sync.Once
	timer := time.AfterFunc(ws.drain, func() { once.Do(func() { cut = ws.running() }) })
	var wg sync.WaitGroup
	for _, w := range ws.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.Stop()
		}()
	}
	wg.Wait()
	timer.Stop()
	ws.workers = nil
	// Drained in time: the timer counts nothing after this. Timed out:
	// this waits for its count.
	once.Do(func() {})
	return cut
}

// inflightInterceptor counts the activities running on a worker set.
type inflightInterceptor struct {
	interceptor.WorkerInterceptorBase
	n *atomic.Int64
}

func (i *inflightInterceptor) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	a := &inflightActivity{n: i.n}
	a.Next = next
	return a
}

type inflightActivity struct {
	interceptor.ActivityInboundInterceptorBase
	n *atomic.Int64
}

func (a *inflightActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	a.n.Add(1)
	defer a.n.Add(-1)
	return a.Next.ExecuteActivity(ctx, in)
}
