package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/workflows"
)

// startS3With runs versitygw on loopback accepting only the given
// credentials, or skips the test.
func startS3With(t *testing.T, access, secret string) mezzfs.S3Options {
	t.Helper()
	bin, err := s3test.Binary()
	if err != nil {
		t.Skipf("skipping: no S3 server (versitygw): %v", err)
	}
	port, err := s3test.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr, "posix", t.TempDir())
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("versitygw: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitFor(t, 20*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, "versitygw on "+addr+": "+out.String())
	return mezzfs.S3Options{Endpoint: "http://" + addr, Region: "us-east-1", PathStyle: true, AccessKey: access, SecretKey: secret}
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// TestSecretsNeverLeak gives the worker known, random S3 credentials (in
// its environment, as in production), encodes a small title from S3 to S3
// and fails another (a missing key), then looks for the secret key and the
// access key id everywhere reel writes: the worker's and the CLI's stdout
// and stderr (Temporal's logs included, --verbose), every file of the
// state directory (reel.log, the server's SQLite database), every event of
// every workflow's history (as the protobuf bytes, so payloads are
// searched verbatim, and as JSON), every output object (report.json,
// report.html, QC files, manifests, the chunk cache) and `reel status` of
// both titles. Both must appear 0 times. The access key id is treated as
// a secret too: no S3 error reel reports for these titles names it.
//
// A Temporal API key is not covered: reel has no option to give one yet
// (it connects to --temporal without credentials). When one is added,
// give a known key here and search for it the same way.
func TestSecretsNeverLeak(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	access, secret := "RA"+strings.ToUpper(randomHex(t, 9)), randomHex(t, 20)
	s3 := startS3With(t, access, secret)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bucket := func(name string) *mezzfs.S3Store {
		st, err := mezzfs.NewS3Store(ctx, name, s3)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MakeBucket(ctx); err != nil {
			t.Fatal(err)
		}
		return st
	}
	mezz, out := bucket("mezz"), bucket("out")
	dir := t.TempDir()
	small := filepath.Join(dir, "small.mp4")
	mediatest.Clip(t, small, mediatest.ClipOptions{File: clip, VF: "scale=320:180", Duration: 2, Codec: "libx264", AudioCodec: "aac"})
	data, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	if err := mezz.Put(ctx, "small.mp4", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	prof := writeProfile(t, dir, "p.yaml", `ladder:
  defaults: {preset: ultrafast}
  rungs:
    - {id: 180p, height: 180, crf: 30}
chunking: {mode: fixed, min_seconds: 2, max_seconds: 2}
`)

	// The worker's credentials come from its environment only.
	t.Setenv("AWS_ACCESS_KEY_ID", access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))

	state := filepath.Join(dir, "state")
	port := strconv.Itoa(freePorts(t))
	hostPort := "127.0.0.1:" + port
	wctx, wcancel := context.WithCancel(context.Background())
	var wout, werr syncBuffer
	workerDone := make(chan int, 1)
	go func() {
		workerDone <- Run(wctx, &Env{Stdout: &wout, Stderr: &werr, Getenv: func(string) string { return "" }},
			[]string{"worker", "--state-dir", state, "--embedded-port", port, "--s3-endpoint", s3.Endpoint, "--s3-path-style", "--verbose"})
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			wcancel()
			<-workerDone
		}
	}
	defer stop()
	waitFor(t, 90*time.Second, func() bool { return strings.Contains(werr.String(), "serving") }, "worker start")

	// Everything the CLI prints, as (what, text).
	var seen [][2]string
	cli := func(what string, args ...string) int {
		code, stdout, stderr := reel(ctx, args...)
		seen = append(seen, [2]string{what, stdout + stderr})
		return code
	}
	base := []string{"--temporal", hostPort, "--profile", prof}
	if code := cli("submit ok", append([]string{"submit", "s3://mezz/small.mp4", "--title", "secret-ok", "--out", "s3://out/ok/", "--wait"}, base...)...); code != 0 {
		t.Fatalf("title from S3 to S3: exit %d: %v", code, seen[len(seen)-1][1])
	}
	if code := cli("submit missing", append([]string{"submit", "s3://mezz/missing.mp4", "--title", "secret-missing", "--out", "s3://out/missing/", "--wait"}, base...)...); code != exitFailed ||
		!strings.Contains(seen[len(seen)-1][1], workflows.ErrTypeNotFound) {
		t.Fatalf("missing key: exit %d: %v", code, seen[len(seen)-1][1])
	}
	cli("status ok", "status", "secret-ok", "--temporal", hostPort)
	cli("status missing", "status", "secret-missing", "--temporal", hostPort)

	// Every history event of every workflow on the server.
	c, err := client.Dial(client.Options{HostPort: hostPort, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var events, workflowsSeen int
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range resp.GetExecutions() {
			workflowsSeen++
			id, run := e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()
			it := c.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				events++
				raw, err := proto.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				js, err := protojson.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, [2]string{fmt.Sprintf("history %s event %d", id, ev.GetEventId()), string(raw) + string(js)})
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	if workflowsSeen < 2 || events < 20 {
		t.Fatalf("only %d workflows, %d events listed", workflowsSeen, events)
	}

	// Every output object.
	objs, err := out.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var reports int
	for _, o := range objs {
		seen = append(seen, [2]string{"object " + o.Key, string(getObject(t, out, o.Key))})
		if strings.HasSuffix(o.Key, "report.json") || strings.HasSuffix(o.Key, "report.html") || strings.Contains(o.Key, "/qc/") {
			reports++
		}
	}
	if reports < 3 {
		t.Fatalf("only %d report and QC objects among %d", reports, len(objs))
	}

	// The worker's output and every file of the state directory, once the
	// worker (and the server in it) has stopped and flushed.
	stop()
	seen = append(seen, [2]string{"worker stdout/stderr", wout.String() + werr.String()})
	var files int
	err = filepath.WalkDir(state, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		seen = append(seen, [2]string{"state file " + p, string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(werr.String()+wout.String(), "serving") || files == 0 {
		t.Fatalf("nothing captured: %d state files", files)
	}

	// The search sees payloads verbatim: the source location, in the
	// workflows' input payloads, is found there.
	var inPayloads int
	for _, s := range seen {
		if strings.HasPrefix(s[0], "history ") {
			inPayloads += strings.Count(s[1], "s3://mezz/small.mp4")
		}
	}
	if inPayloads == 0 {
		t.Fatal("the source location is not found in any history event: payloads are not searched")
	}
	var hits []string
	for _, s := range seen {
		for name, v := range map[string]string{"secret key": secret, "access key id": access} {
			if n := strings.Count(s[1], v); n > 0 {
				hits = append(hits, fmt.Sprintf("%s: %s ×%d", s[0], name, n))
			}
		}
	}
	t.Logf("searched %d texts: %d workflows, %d history events, %d objects, %d state files, CLI and worker output", len(seen), workflowsSeen, events, len(objs), files)
	if len(hits) > 0 {
		t.Errorf("secrets found (%d places):\n%s", len(hits), strings.Join(hits, "\n"))
	}
}
