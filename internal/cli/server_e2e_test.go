package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/reel-video/reel/internal/certtest"
	"github.com/reel-video/reel/internal/pgtest"
	"github.com/reel-video/reel/internal/tserver"
)

// serverGreetWorkflow waits for signal "name" and returns a greeting: a
// trivial workflow for reel server's end-to-end test.
func serverGreetWorkflow(ctx workflow.Context) (string, error) {
	var name string
	workflow.GetSignalChannel(ctx, "name").Receive(ctx, &name)
	return "hello " + name, nil
}

// runningServer is a `reel server` command line running in a goroutine.
type runningServer struct {
	stderr   *syncBuffer
	cancel   context.CancelFunc
	code     chan int
	frontend string // dial address printed
	uiURL    string
}

var (
	frontendLine = regexp.MustCompile(`Temporal frontend on \S+ \([^;]+; dial (\S+)\)`)
	uiLine       = regexp.MustCompile(`Temporal Web UI on (\S+)`)
)

func startServerCmd(t *testing.T, env map[string]string, args ...string) *runningServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rs := &runningServer{stderr: &syncBuffer{}, cancel: cancel, code: make(chan int, 1)}
	e := &Env{Stdout: io.Discard, Stderr: rs.stderr, Getenv: func(k string) string { return env[k] }}
	go func() { rs.code <- Run(ctx, e, append([]string{"server"}, args...)) }()
	deadline := time.After(3 * time.Minute)
	for {
		out := rs.stderr.String()
		m := frontendLine.FindStringSubmatch(out)
		u := uiLine.FindStringSubmatch(out)
		if m != nil && u != nil {
			rs.frontend, rs.uiURL = m[1], u[1]
			return rs
		}
		select {
		case code := <-rs.code:
			cancel()
			t.Fatalf("reel server exited %d before it was up: %s", code, out)
		case <-deadline:
			cancel()
			t.Fatalf("reel server not up after 3 minutes: %s", out)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop cancels the command (as SIGINT/SIGTERM do) and checks it exits 0.
func (rs *runningServer) stop(t *testing.T) {
	t.Helper()
	rs.cancel()
	select {
	case code := <-rs.code:
		if code != exitOK {
			t.Errorf("reel server exited %d after cancel, want 0: %s", code, rs.stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatalf("reel server did not stop within a minute: %s", rs.stderr.String())
	}
}

// uiWorkflowIDs lists workflows through the Web UI's HTTP API.
func uiWorkflowIDs(ctx context.Context, t *testing.T, uiURL, ns string) []string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uiURL+"/api/v1/namespaces/"+ns+"/workflows", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("UI API: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("UI API: %s: %s", resp.Status, body)
	}
	var list struct {
		Executions []struct {
			Execution struct {
				WorkflowID string `json:"workflowId"`
			} `json:"execution"`
		} `json:"executions"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("UI API: %v: %s", err, body)
	}
	var ids []string
	for _, e := range list.Executions {
		ids = append(ids, e.Execution.WorkflowID)
	}
	return ids
}

// waitUIList waits until the UI lists workflow id (visibility is
// eventually consistent).
func waitUIList(ctx context.Context, t *testing.T, uiURL, ns, id string) {
	t.Helper()
	for {
		ids := uiWorkflowIDs(ctx, t, uiURL, ns)
		for _, got := range ids {
			if got == id {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the Web UI never listed workflow %s (listed %v)", id, ids)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func quietClient(t *testing.T, hostPort, ns string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  hostPort,
		Namespace: ns,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", hostPort, err)
	}
	return c
}

// TestServerPostgresEndToEnd runs reel server on a PostgreSQL started here,
// with two namespaces and the Web UI; starts a workflow that waits for a
// signal; stops the server; starts it again on the same database but a new
// state directory (so nothing can come from SQLite); checks the schema is
// at Temporal's version, the history survived, the UI lists the workflow,
// and that the signal sent now completes it.
func TestServerPostgresEndToEnd(t *testing.T) {
	pg := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	dsn := pg.DSN("reeltemporal")
	env := map[string]string{"REEL_SERVER_DB": dsn}
	args := func(stateDir string) []string {
		return []string{"--addr", "127.0.0.1:0", "--ui-addr", "127.0.0.1:0", "--state-dir", stateDir,
			"--namespace", "default", "--namespace", "reel-qa", "--retention", "72h"}
	}

	rs := startServerCmd(t, env, args(t.TempDir())...)
	if strings.Contains(rs.stderr.String(), pg.Password()) {
		t.Fatalf("reel server printed the database password: %s", rs.stderr.String())
	}
	if !strings.Contains(rs.stderr.String(), "PostgreSQL postgres://reel:xxxxx@") {
		t.Errorf("stderr does not name the redacted database: %s", rs.stderr.String())
	}
	main, vis, err := tserver.SchemaVersion(dsn)
	if err != nil || main == "" || vis == "" || main == "0.0" || vis == "0.0" {
		t.Fatalf("schema versions after setup: %q, %q, %v", main, vis, err)
	}
	t.Logf("schema versions: main %s, visibility %s", main, vis)

	c := quietClient(t, rs.frontend, "reel-qa")
	w := worker.New(c, "server-e2e", worker.Options{})
	w.RegisterWorkflow(serverGreetWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "greet-1", TaskQueue: "server-e2e"}, serverGreetWorkflow)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	// Parked on its signal once its first workflow task completed.
	for !serverHistoryHas(ctx, t, c, run.GetID(), enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
		time.Sleep(100 * time.Millisecond)
	}
	waitUIList(ctx, t, rs.uiURL, "reel-qa", "greet-1")
	d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "reel-qa"})
	if err != nil || d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != 72*time.Hour {
		t.Errorf("reel-qa retention = %v, %v; want 72h", d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(), err)
	}
	w.Stop()
	c.Close()
	rs.stop(t)

	// Again, on the same database, from a fresh state directory.
	rs = startServerCmd(t, env, args(t.TempDir())...)
	defer rs.stop(t)
	main2, vis2, err := tserver.SchemaVersion(dsn)
	if err != nil || main2 != main || vis2 != vis {
		t.Errorf("schema versions after restart: %q, %q, %v; want %q, %q", main2, vis2, err, main, vis)
	}
	c = quietClient(t, rs.frontend, "reel-qa")
	defer c.Close()
	if !serverHistoryHas(ctx, t, c, "greet-1", enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
		t.Fatal("workflow greet-1's history did not survive the restart")
	}
	waitUIList(ctx, t, rs.uiURL, "reel-qa", "greet-1")
	// The UI shows the history too.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rs.uiURL+"/api/v1/namespaces/reel-qa/workflows/greet-1/history", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("UI history: %v", err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "WorkflowExecutionStarted") && !strings.Contains(string(body), "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED") {
			t.Errorf("UI history of greet-1: %s: %.300s", resp.Status, body)
		}
	}

	w = worker.New(c, "server-e2e", worker.Options{})
	w.RegisterWorkflow(serverGreetWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := c.SignalWorkflow(ctx, "greet-1", "", "name", "fleet"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var out string
	if err := c.GetWorkflow(ctx, "greet-1", "").Get(ctx, &out); err != nil || out != "hello fleet" {
		t.Fatalf("greet-1 after restart = %q, %v; want \"hello fleet\"", out, err)
	}
}

func serverHistoryHas(ctx context.Context, t *testing.T, c client.Client, id string, want enumspb.EventType) bool {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of %s: %v", id, err)
		}
		if ev.GetEventType() == want {
			return true
		}
	}
	return false
}

// TestServerMutualTLS runs reel server with --tls-cert, --tls-key and
// --tls-client-ca (SQLite, Web UI): a client with a certificate signed by
// the client CA runs a workflow, one without a certificate is refused, and
// the UI (which reaches the frontend with the server's internal
// certificate) lists the workflow.
func TestServerMutualTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	serverCA := certtest.NewCA(t, "server")
	clientCA := certtest.NewCA(t, "clients")
	scert, skey := serverCA.Server("frontend")
	ccert, ckey := clientCA.Client("worker")

	rs := startServerCmd(t, nil, "--addr", "127.0.0.1:0", "--ui-addr", "127.0.0.1:0", "--state-dir", t.TempDir(),
		"--tls-cert", scert, "--tls-key", skey, "--tls-client-ca", clientCA.File)
	defer rs.stop(t)
	if !strings.Contains(rs.stderr.String(), "(mutual TLS;") {
		t.Errorf("stderr does not say mutual TLS: %s", rs.stderr.String())
	}

	roots := serverCA.Pool()
	pair, err := tls.LoadX509KeyPair(ccert, ckey)
	if err != nil {
		t.Fatal(err)
	}
	dialTLS := func(tc *tls.Config) (client.Client, error) {
		dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
		defer dcancel()
		return client.DialContext(dctx, client.Options{
			HostPort:          rs.frontend,
			Logger:            sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
			ConnectionOptions: client.ConnectionOptions{TLS: tc},
		})
	}
	if bad, err := dialTLS(&tls.Config{RootCAs: roots}); err == nil {
		_, err = bad.CheckHealth(ctx, &client.CheckHealthRequest{})
		bad.Close()
		if err == nil {
			t.Error("a client without a certificate was accepted")
		}
	}
	c, err := dialTLS(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatalf("dial with a client certificate: %v", err)
	}
	defer c.Close()
	w := worker.New(c, "server-tls", worker.Options{})
	w.RegisterWorkflow(serverGreetWorkflow)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := c.SignalWithStartWorkflow(ctx, "greet-tls", "name", "mtls",
		client.StartWorkflowOptions{TaskQueue: "server-tls"}, serverGreetWorkflow)
	if err != nil {
		t.Fatalf("start over mTLS: %v", err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil || out != "hello mtls" {
		t.Fatalf("workflow over mTLS = %q, %v", out, err)
	}
	waitUIList(ctx, t, rs.uiURL, "default", "greet-tls")
}
