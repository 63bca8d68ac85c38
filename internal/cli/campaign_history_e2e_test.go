package cli

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/workflows"
)

// TestCampaignHistoryBounded runs the Campaign workflow on the embedded
// server (its activities stand-ins: every title finishes at its first
// poll) over 90 titles, 30 per run, and counts each run's history events:
// the campaign continues as new twice and no run's history grows with
// the catalog.
func TestCampaignHistoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c := embeddedClient(ctx, t)

	var (
		mu      sync.Mutex
		running = map[string]bool{}
		most    int
		rows    = map[string]workflows.CampaignTitle{}
	)
	start := func(_ context.Context, in workflows.CampaignStartInput) (workflows.CampaignStartOutput, error) {
		mu.Lock()
		defer mu.Unlock()
		running[in.Entry.TitleID] = true
		most = max(most, len(running))
		return workflows.CampaignStartOutput{Action: workflows.CampaignStarted, RunID: "run-" + in.Entry.TitleID}, nil
	}
	poll := func(_ context.Context, in workflows.CampaignPollInput) (workflows.CampaignPollOutput, error) {
		mu.Lock()
		defer mu.Unlock()
		var out workflows.CampaignPollOutput
		for _, r := range in.Runs {
			delete(running, r.TitleID)
			out.Runs = append(out.Runs, workflows.CampaignRunState{TitleID: r.TitleID, RunID: r.RunID, State: workflows.CampaignTitleDone,
				ReportPath: "/new/" + r.TitleID + "/report.json"})
		}
		return out, nil
	}
	savings := func(context.Context, workflows.TitleSavingsInput) (workflows.Savings, error) {
		bd := -0.1
		return workflows.Savings{BDRate: &bd, OldBytes: 10, NewBytes: 9}, nil
	}
	report := func(_ context.Context, in workflows.WriteCampaignReportInput) (workflows.WriteCampaignReportOutput, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range in.Rows {
			rows[r.TitleID] = r
		}
		return workflows.WriteCampaignReportOutput{}, nil
	}
	wf := worker.New(c, workflows.QueueWorkflow, worker.Options{})
	workflows.Register(wf)
	io := worker.New(c, workflows.QueueIO, worker.Options{})
	io.RegisterActivityWithOptions(start, activity.RegisterOptions{Name: workflows.ActivityCampaignStart})
	io.RegisterActivityWithOptions(poll, activity.RegisterOptions{Name: workflows.ActivityCampaignPoll})
	io.RegisterActivityWithOptions(savings, activity.RegisterOptions{Name: workflows.ActivityTitleSavings})
	io.RegisterActivityWithOptions(report, activity.RegisterOptions{Name: workflows.ActivityWriteCampaignReport})
	for _, w := range []worker.Worker{wf, io} {
		if err := w.Start(); err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
	}

	const titles, perRun, limit = 90, 30, 4
	in := workflows.CampaignInput{Name: "history", Profile: profile.Profile{Name: "v2"}, OutTemplate: "/out/{title}/v2",
		CompareWith: "/out/{title}/v1", Report: "/out/campaigns/history", MaxInFlight: limit, TitlesPerRun: perRun, PollEvery: 10 * time.Millisecond}
	for i := range titles {
		in.Catalog = append(in.Catalog, workflows.CampaignEntry{TitleID: fmt.Sprintf("t%03d", i), Source: fmt.Sprintf("/mezz/t%03d.mov", i)})
	}
	id := workflows.CampaignWorkflowID(in.Name)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.QueueWorkflow}, workflows.CampaignName, in)
	if err != nil {
		t.Fatal(err)
	}
	var p workflows.CampaignProgress
	if err := c.GetWorkflow(ctx, id, "").Get(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if p.Done != titles || !p.Finished || p.Runs != titles/perRun {
		t.Errorf("progress %+v", p)
	}
	// Follow the chain of runs and count each one's events.
	var counts []int
	for runID := run.GetRunID(); runID != ""; {
		it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n, next := 0, ""
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			n++
			if a := ev.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
				next = a.GetNewExecutionRunId()
			}
		}
		counts = append(counts, n)
		runID = next
	}
	t.Logf("events per run: %v", counts)
	if len(counts) != titles/perRun {
		t.Errorf("%d runs, want %d", len(counts), titles/perRun)
	}
	// Per title: its start, its poll and its savings (3 events each, and
	// their workflow tasks); a run of 30 titles stays far below the
	// 10,000-event mark at which a campaign continues as new anyway.
	for i, n := range counts {
		if n > 20*perRun {
			t.Errorf("run %d: %d events for %d titles", i+1, n, perRun)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if most > limit || most == 0 {
		t.Errorf("%d titles ran at once, cap %d", most, limit)
	}
	if len(rows) != titles {
		t.Errorf("%d rows reported, want %d", len(rows), titles)
	}
	for id, r := range rows {
		if r.State != workflows.CampaignTitleDone || r.Savings == nil {
			t.Errorf("%s: %+v", id, r)
		}
	}
}
