package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/reel-video/reel/internal/tserver"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/submit"
	"github.com/reel-video/reel/workflows"
	"github.com/reel-video/reel/workflows/activities"
)

// TestIngestOvertakesCampaign: on the embedded server, with one slot for
// EncodeTitle's first activity (Probe, on reel-io) and a queue of titles
// a campaign started (CampaignStart: priority key 5), an ingest title
// submitted later (submit.Title: the default priority) starts its first
// activity as soon as the slot frees, before every queued campaign title.
func TestIngestOvertakesCampaign(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := embeddedClient(ctx, t)

	// Probe stand-in: one at a time; records the order titles got the
	// slot and fails the title at once (nothing else of it matters here).
	var (
		mu      sync.Mutex
		order   []string
		started = make(chan string, 16)
	)
	dir := t.TempDir()
	probe := func(ctx context.Context, in workflows.ProbeInput) (media.SourceInfo, error) {
		title := strings.TrimSuffix(filepath.Base(in.Source), ".mov")
		mu.Lock()
		order = append(order, title)
		mu.Unlock()
		started <- title
		time.Sleep(400 * time.Millisecond)
		return media.SourceInfo{}, temporal.NewNonRetryableApplicationError("probe stand-in", workflows.ErrTypeInvalidMedia, nil)
	}
	wf := worker.New(c, workflows.QueueWorkflow, worker.Options{})
	workflows.Register(wf)
	io := worker.New(c, workflows.QueueIO, worker.Options{MaxConcurrentActivityExecutionSize: 1})
	io.RegisterActivityWithOptions(probe, activity.RegisterOptions{Name: workflows.ActivityProbe})
	for _, w := range []worker.Worker{wf, io} {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
	}

	source := func(title string) string {
		p := filepath.Join(dir, title+".mov")
		if err := os.WriteFile(p, []byte("not a movie: "+title), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	acts := activities.New(nil, nil)
	acts.Temporal = c
	prof := profile.Default()
	const campaignTitles = 6
	for i := range campaignTitles {
		title := fmt.Sprintf("camp-%d", i)
		out, err := acts.CampaignStart(ctx, workflows.CampaignStartInput{Campaign: "prio",
			Entry:   workflows.CampaignEntry{TitleID: title, Source: source(title), Out: filepath.Join(dir, "out", title)},
			Profile: prof, PriorityKey: workflows.DefaultCampaignPriorityKey})
		if err != nil || out.Action != workflows.CampaignStarted {
			t.Fatalf("campaign start %s: %+v, %v", title, out, err)
		}
	}
	// The slot is busy with a campaign title; the others wait in the
	// backlog. Give them time to be queued there, then ingest.
	select {
	case <-started:
	case <-ctx.Done():
		t.Fatal("no campaign title started")
	}
	time.Sleep(100 * time.Millisecond)
	req := workflows.TitleRequest{TitleID: "ingest", Source: source("ingest"), Out: filepath.Join(dir, "out", "ingest"), Profile: prof}
	if err := submit.Identify(ctx, c, &req, submit.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := submit.Title(ctx, c, req, submit.Options{}); err != nil {
		t.Fatal(err)
	}
	for range campaignTitles {
		select {
		case <-started:
		case <-ctx.Done():
			mu.Lock()
			t.Fatalf("only %v started", order)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("slot order: %v", order)
	if i := slices.Index(order, "ingest"); i != 1 {
		t.Errorf("the ingest title got the slot %d-th (order %v), want right after the campaign title that held it", i+1, order)
	}
}

// embeddedClient starts an embedded Temporal server in a temporary state
// directory and returns a quiet client of it; both stop when t ends.
func embeddedClient(ctx context.Context, t *testing.T) client.Client {
	t.Helper()
	srv, err := tserver.Start(ctx, tserver.Config{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	c, err := client.DialContext(ctx, client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
