package tserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// uiWorkflowIDs lists a namespace's workflows through the Web UI's HTTP API.
func uiWorkflowIDs(ctx context.Context, t *testing.T, uiURL, ns string) ([]string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uiURL+"/api/v1/namespaces/"+ns+"/workflows", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, &httpError{resp.Status, string(body)}
	}
	var list struct {
		Executions []struct {
			Execution struct {
				WorkflowID string `json:"workflowId"`
			} `json:"execution"`
		} `json:"executions"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range list.Executions {
		ids = append(ids, e.Execution.WorkflowID)
	}
	return ids, nil
}

type httpError struct{ status, body string }

func (e *httpError) Error() string { return e.status + ": " + e.body }

func waitUIListsWorkflow(ctx context.Context, t *testing.T, uiURL, ns, id string) {
	t.Helper()
	var ids []string
	var err error
	for {
		ids, err = uiWorkflowIDs(ctx, t, uiURL, ns)
		for _, got := range ids {
			if got == id {
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Web UI at %s never listed workflow %s (last: %v, %v)", uiURL, id, ids, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestWebUI serves the UI next to a plain embedded server and checks that
// its API lists a workflow started here, that its pages are served, and
// that a taken address is a clear error.
func TestWebUI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := mustStart(ctx, t, Config{StateDir: filepath.Join(t.TempDir(), "state"), Logger: testLogger()})
	defer s.Stop()
	c := dial(t, s, DefaultNamespace)
	defer c.Close()
	w := startWorker(t, c)
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "ui-upper", TaskQueue: testTaskQueue}, upperWorkflow, "ui")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}

	ui, err := s.StartUI(ctx, UIConfig{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("StartUI: %v", err)
	}
	defer ui.Stop()
	waitUIListsWorkflow(ctx, t, ui.URL(), DefaultNamespace, "ui-upper")

	resp, err := http.Get(ui.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(string(body)), "<html") {
		t.Errorf("UI page: %s: %.200s", resp.Status, body)
	}

	addr := strings.TrimPrefix(ui.URL(), "http://")
	if _, err := s.StartUI(ctx, UIConfig{Addr: addr}); err == nil || !strings.Contains(err.Error(), "cannot listen") {
		t.Errorf("second UI on %s: %v, want a cannot-listen error", addr, err)
	}
}
