package cli

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/encoding/protojson"
)

var updateHistory = flag.Bool("update-history", false, "write the EncodeTitle history of TestRunEndToEnd to testdata/histories for the replay test")

// saveHistory exports a finished workflow's history as JSON for
// workflows' replay test.
func saveHistory(t *testing.T, stateDir, port, id string) {
	t.Helper()
	p, _ := strconv.Atoi(port)
	o := connOptions{StateDir: stateDir, EmbeddedPort: p, Namespace: "default"}
	var sink syncBuffer
	c, err := o.connect(context.Background(), &Env{Stdout: &sink, Stderr: &sink})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	it := c.Client.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	data, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "testdata", "histories", "encode_title_v11_gatepackage.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(h.Events))
}

func quietLogger() sdklog.Logger { return sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)) }
