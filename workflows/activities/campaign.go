package activities

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/reporthtml"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

// TitleClient is what the campaign activities need of a Temporal client
// (client.Client has it): they start, describe and query titles' runs as
// package submit does on the client side.
type TitleClient interface {
	ExecuteWorkflow(ctx context.Context, options client.StartWorkflowOptions, workflow any, args ...any) (client.WorkflowRun, error)
	GetWorkflow(ctx context.Context, workflowID, runID string) client.WorkflowRun
	DescribeWorkflowExecution(ctx context.Context, workflowID, runID string) (*workflowservice.DescribeWorkflowExecutionResponse, error)
	QueryWorkflow(ctx context.Context, workflowID, runID, queryType string, args ...any) (converter.EncodedValue, error)
}

// ErrNoTemporalClient: a campaign activity ran on a worker whose
// Activities have no Temporal client (Activities.Temporal).
var ErrNoTemporalClient = errors.New("this worker has no Temporal client for the campaign activities")

// Campaign report files, under CampaignInput.Report.
const (
	CampaignJSON = "campaign.json"
	CampaignCSV  = "campaign.csv"
)

func (a *Activities) titleClient() (TitleClient, error) {
	if a.Temporal == nil {
		return nil, temporal.NewNonRetryableApplicationError(ErrNoTemporalClient.Error(), workflows.ErrTypeInvalidRequest, ErrNoTemporalClient)
	}
	return a.Temporal, nil
}

// CampaignStart decides what a campaign's title does, as submit.Title
// decides for `reel submit` (package request, never forced): the same
// request in flight is joined, the same request finished is answered
// (nothing started), a different request in flight is refused, and
// otherwise the title's EncodeTitle is started with the request identity
// and the campaign's name in its memo and the campaign's priority. A
// retried attempt after a successful start finds the run and joins it.
func (a *Activities) CampaignStart(ctx context.Context, in workflows.CampaignStartInput) (workflows.CampaignStartOutput, error) {
	c, err := a.titleClient()
	if err != nil {
		return workflows.CampaignStartOutput{}, err
	}
	e := in.Entry
	if err := request.CheckTitleID(e.TitleID); err != nil {
		return workflows.CampaignStartOutput{}, invalidRequest("%v", err)
	}
	if e.Source == "" || e.Out == "" {
		return workflows.CampaignStartOutput{}, invalidRequest("title %s: source and output are required", e.TitleID)
	}
	hash, err := in.Profile.Hash()
	if err != nil {
		return workflows.CampaignStartOutput{}, invalidRequest("profile: %v", err)
	}
	sid, err := a.sourceIdentity(ctx, e.Source)
	if err != nil {
		return workflows.CampaignStartOutput{}, classify(err)
	}
	id := request.Identity{
		TitleID: e.TitleID,
		Source: request.Source{
			Location: e.Source, Size: sid.Size, ModTime: time.Unix(0, sid.ModTimeUnixNano).UTC(), ETag: sid.ETag,
			HeadSHA256: sid.HeadSHA256, TailSHA256: sid.TailSHA256,
		},
		ProfileName: in.Profile.Name, ProfileHash: hash, Out: e.Out,
	}
	req := workflows.TitleRequest{TitleID: e.TitleID, Source: e.Source, Out: e.Out, Profile: in.Profile, Request: &id}
	wid := workflows.WorkflowID(e.TitleID)
	start := client.StartWorkflowOptions{
		ID:                                       wid,
		TaskQueue:                                workflows.QueueWorkflow,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		Memo:                                     map[string]any{workflows.MemoRequest: id, workflows.MemoCampaign: in.Campaign},
	}
	if in.PriorityKey > 0 {
		start.Priority = temporal.Priority{PriorityKey: in.PriorityKey}
	}
	for attempt := 0; ; attempt++ {
		prior, err := priorRun(ctx, c, wid)
		if err != nil {
			return workflows.CampaignStartOutput{}, err
		}
		d := request.Decide(prior, id, false)
		switch d.Action {
		case request.Join:
			return workflows.CampaignStartOutput{Action: workflows.CampaignJoined, RunID: prior.RunID, Reason: d.Reason}, nil
		case request.Answer:
			return workflows.CampaignStartOutput{Action: workflows.CampaignAnswered, RunID: prior.RunID, Reason: d.Reason,
				ReportPath: ReportPath(e.Out)}, nil
		case request.Refuse, request.Replace:
			return workflows.CampaignStartOutput{Action: workflows.CampaignRefused, RunID: prior.RunID, Reason: d.Reason}, nil
		}
		run, err := c.ExecuteWorkflow(ctx, start, workflows.EncodeTitleName, req)
		var already *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &already) && attempt < 3 {
			continue // started by someone else since we looked: decide again
		}
		if err != nil {
			return workflows.CampaignStartOutput{}, fmt.Errorf("start workflow %s: %w", wid, err)
		}
		return workflows.CampaignStartOutput{Action: workflows.CampaignStarted, RunID: run.GetRunID(), Reason: d.Reason}, nil
	}
}

// priorRun is the title's latest run as request.Decide wants it (nil:
// none), read as submit.Prior reads it.
func priorRun(ctx context.Context, c TitleClient, wid string) (*request.Prior, error) {
	d, err := c.DescribeWorkflowExecution(ctx, wid, "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe workflow %s: %w", wid, err)
	}
	info := d.GetWorkflowExecutionInfo()
	p := &request.Prior{RunID: info.GetExecution().GetRunId(), Status: titles.StatusOf(info.GetStatus()), Started: info.GetStartTime().AsTime()}
	if info.GetCloseTime() != nil {
		p.Closed = info.GetCloseTime().AsTime()
	}
	p.Request, err = titles.RecordedRequest(info.GetMemo().GetFields())
	if err != nil {
		return nil, fmt.Errorf("workflow %s: %w", wid, err)
	}
	return p, nil
}

// CampaignPoll looks at the campaign's titles in flight every in.Every
// until one's state differs from what in.Runs say (it finished, failed,
// was held at the QC gate or released) or in.Wait has passed, and returns
// every run's state. It heartbeats while it waits.
func (a *Activities) CampaignPoll(ctx context.Context, in workflows.CampaignPollInput) (workflows.CampaignPollOutput, error) {
	c, err := a.titleClient()
	if err != nil {
		return workflows.CampaignPollOutput{}, err
	}
	every := in.Every
	if every <= 0 {
		every = workflows.DefaultCampaignPollEvery
	}
	deadline := a.Now().Add(in.Wait)
	for {
		out := workflows.CampaignPollOutput{Runs: make([]workflows.CampaignRunState, len(in.Runs))}
		changed := false
		for i, r := range in.Runs {
			s, err := runState(ctx, c, r)
			if err != nil {
				return workflows.CampaignPollOutput{}, err
			}
			out.Runs[i] = s
			wasHeld := !r.HeldSince.IsZero()
			if s.State != workflows.CampaignTitleInFlight && s.State != workflows.CampaignTitleHeld ||
				(s.State == workflows.CampaignTitleHeld) != wasHeld {
				changed = true
			}
		}
		if changed || !a.Now().Add(every).Before(deadline) {
			return out, nil
		}
		activity.RecordHeartbeat(ctx)
		select {
		case <-ctx.Done():
			return workflows.CampaignPollOutput{}, ctx.Err()
		case <-time.After(every):
		}
	}
}

// runState is one title's run as the campaign sees it.
func runState(ctx context.Context, c TitleClient, r workflows.CampaignRun) (workflows.CampaignRunState, error) {
	s := workflows.CampaignRunState{TitleID: r.TitleID, RunID: r.RunID, State: workflows.CampaignTitleInFlight}
	wid := workflows.WorkflowID(r.TitleID)
	d, err := c.DescribeWorkflowExecution(ctx, wid, r.RunID)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		s.State, s.ErrorType, s.Error = workflows.CampaignTitleFailed, workflows.ErrTypeNotFound, "the title's run is gone (past the namespace's retention?)"
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("describe workflow %s: %w", wid, err)
	}
	switch st := d.GetWorkflowExecutionInfo().GetStatus(); st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		if r.HeldSince.IsZero() && len(d.GetPendingActivities()) > 0 {
			return s, nil // working: not waiting at the gate
		}
		v, err := c.QueryWorkflow(ctx, wid, r.RunID, workflows.ProgressQuery)
		if err != nil {
			// No worker answered: keep what the campaign knew.
			if !r.HeldSince.IsZero() {
				s.State = workflows.CampaignTitleHeld
			}
			return s, nil
		}
		var p workflows.Progress
		if err := v.Get(&p); err == nil && p.Gate != nil && p.Gate.State == workflows.GateHeld {
			s.State = workflows.CampaignTitleHeld
		}
		return s, nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		var res workflows.TitleResult
		if err := c.GetWorkflow(ctx, wid, r.RunID).Get(ctx, &res); err != nil {
			return s, fmt.Errorf("result of %s: %w", wid, err)
		}
		s.State, s.ReportPath = workflows.CampaignTitleDone, res.ReportPath
		return s, nil
	default:
		s.State = workflows.CampaignTitleFailed
		err := c.GetWorkflow(ctx, wid, r.RunID).Get(ctx, nil)
		s.Error, s.ErrorType = failureOf(err, st)
		return s, nil
	}
}

// failureOf is a closed run's error message and type.
func failureOf(err error, st enumspb.WorkflowExecutionStatus) (string, string) {
	var (
		app     *temporal.ApplicationError
		timeout *temporal.TimeoutError
	)
	typ := "Failed"
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		typ = "Canceled"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		typ = "Terminated"
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		typ = "Timeout"
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		typ = "ContinuedAsNew"
	}
	switch {
	case errors.As(err, &app) && app.Type() != "":
		typ = app.Type()
	case errors.As(err, &timeout):
		typ = "Timeout"
	}
	switch {
	case err == nil:
		return st.String(), typ
	case app != nil:
		return app.Message(), typ
	}
	msg := err.Error()
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		msg = u.Error()
	}
	return msg, typ
}

// TitleSavings compares a finished title's new report.json with the one
// under its old output, as `reel ladder compare old new --monotone` does
// (BD-rate and BD-VMAF of new against old), with both ladders' bytes and
// their top rungs' VMAF. A missing or unreadable old (or new) report is a
// Reason, not an error.
func (a *Activities) TitleSavings(ctx context.Context, in workflows.TitleSavingsInput) (workflows.Savings, error) {
	newLoc := in.NewReport
	if newLoc == "" {
		newLoc = ReportPath(in.Out)
	}
	oldLoc := ReportPath(in.OldOut)
	var s workflows.Savings
	oldR, oldC, err := a.readLadder(ctx, oldLoc)
	if err != nil {
		if retryable(err) {
			return s, err
		}
		s.Reason = "old report: " + err.Error()
		return s, nil
	}
	newR, newC, err := a.readLadder(ctx, newLoc)
	if err != nil {
		if retryable(err) {
			return s, err
		}
		s.Reason = "new report: " + err.Error()
		return s, nil
	}
	s.OldBytes, s.OldTopVMAF = ladderBytesTop(oldR)
	s.NewBytes, s.NewTopVMAF = ladderBytesTop(newR)
	oldC.MakeMonotone()
	newC.MakeMonotone()
	cmp := ladder.Compare(oldC, newC)
	s.BDRate, s.BDRateError, s.BDVMAF, s.BDVMAFError = cmp.BDRate, cmp.BDRateError, cmp.BDVMAF, cmp.BDVMAFErr
	return s, nil
}

// errUnreadable wraps a report that is missing or cannot be read as one.
var errUnreadable = errors.New("unreadable")

// retryable: a store failure other than a missing file (the store may
// come back); a missing or malformed report is final.
func retryable(err error) bool { return !errors.Is(err, errUnreadable) }

// readLadder reads a report.json as a report and as a comparison curve.
func (a *Activities) readLadder(ctx context.Context, loc string) (*report.Report, ladder.CompareCurve, error) {
	b, err := a.readLoc(ctx, loc)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ladder.CompareCurve{}, fmt.Errorf("%w: %s is missing", errUnreadable, loc)
	}
	if err != nil {
		if errors.Is(err, store.ErrInvalidLocation) {
			return nil, ladder.CompareCurve{}, fmt.Errorf("%w: %v", errUnreadable, err)
		}
		return nil, ladder.CompareCurve{}, fmt.Errorf("read %s: %w", loc, err)
	}
	r, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return nil, ladder.CompareCurve{}, fmt.Errorf("%w: %s: %v", errUnreadable, loc, err)
	}
	c, err := ladder.ReadCompareCurve(loc, bytes.NewReader(b), "")
	if err != nil {
		return nil, ladder.CompareCurve{}, fmt.Errorf("%w: %v", errUnreadable, err)
	}
	return r, c, nil
}

// ladderBytesTop is a report's total rung bytes and its top rung's (the
// highest bitrate's) mean VMAF.
func ladderBytesTop(r *report.Report) (int64, float64) {
	var bytes int64
	top, topKbps := 0.0, -1.0
	for _, rg := range r.Rungs {
		bytes += rg.Bytes
		if rg.BitrateKbps > topKbps {
			top, topKbps = rg.VMAF.Mean, rg.BitrateKbps
		}
	}
	return bytes, top
}

// WriteCampaignReport merges rows into the campaign's campaign.json (a
// row replaces the title's earlier one; new titles are appended) and
// writes campaign.json and campaign.csv whole, each all or nothing, then
// campaign.html (reporthtml.WriteCampaign).
func (a *Activities) WriteCampaignReport(ctx context.Context, in workflows.WriteCampaignReportInput) (workflows.WriteCampaignReportOutput, error) {
	o, err := a.openOut(ctx, in.Report)
	if err != nil {
		return workflows.WriteCampaignReportOutput{}, classify(err)
	}
	defer o.close()
	var prev workflows.CampaignReport
	b, err := o.read(ctx, CampaignJSON)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return workflows.WriteCampaignReportOutput{}, fmt.Errorf("read %s: %w", o.loc(CampaignJSON), err)
	default:
		if err := json.Unmarshal(b, &prev); err != nil {
			// A damaged report is rewritten from what this run knows
			// rather than failing the campaign.
			a.Logger.Warn("campaign.json unreadable; rewritten", "report", o.loc(CampaignJSON), "error", err)
			prev = workflows.CampaignReport{}
		}
	}
	rows := MergeCampaignRows(prev.Titles, in.Rows)
	rep, jsonDoc, csvDoc, err := encodeCampaign(in.Head, rows)
	if err != nil {
		return workflows.WriteCampaignReportOutput{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeInvalidRequest, err)
	}
	if err := o.writeFile(ctx, CampaignCSV, csvDoc); err != nil {
		return workflows.WriteCampaignReportOutput{}, classify(err)
	}
	if err := o.writeFile(ctx, CampaignJSON, jsonDoc); err != nil {
		return workflows.WriteCampaignReportOutput{}, classify(err)
	}
	res := workflows.WriteCampaignReportOutput{JSON: o.loc(CampaignJSON), CSV: o.loc(CampaignCSV)}
	// campaign.html follows; like report.html, a page that cannot be
	// rendered is a warning, not a failed campaign report.
	var page bytes.Buffer
	if err := reporthtml.WriteCampaign(&page, rep, reporthtml.CampaignOptions{}); err != nil {
		a.Logger.Warn("campaign.html not rendered", "report", in.Report, "error", err)
		return res, nil
	}
	if err := o.writeFile(ctx, reporthtml.CampaignFileName, page.Bytes()); err != nil {
		a.Logger.Warn("campaign.html not written", "report", in.Report, "error", err)
		return res, nil
	}
	res.HTML = o.loc(reporthtml.CampaignFileName)
	return res, nil
}

// MergeCampaignRows replaces the rows of prev whose title is in rows and
// appends the others, in their order (a title's last row wins).
func MergeCampaignRows(prev, rows []workflows.CampaignTitle) []workflows.CampaignTitle {
	out := slices.Clone(prev)
	at := make(map[string]int, len(out))
	for i, r := range out {
		at[r.TitleID] = i
	}
	for _, r := range rows {
		if i, ok := at[r.TitleID]; ok {
			out[i] = r
			continue
		}
		at[r.TitleID] = len(out)
		out = append(out, r)
	}
	return out
}

// encodeCampaign is the campaign's report (package campaign's), and its
// campaign.json (with the summary and the workflow's progress) and
// campaign.csv.
func encodeCampaign(head workflows.CampaignReport, titles []workflows.CampaignTitle) (campaign.Report, []byte, []byte, error) {
	raw, err := json.Marshal(titles)
	if err != nil {
		return campaign.Report{}, nil, nil, err
	}
	var rows []campaign.Row
	if err := json.Unmarshal(raw, &rows); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	var csvBuf bytes.Buffer
	w := bufio.NewWriter(&csvBuf)
	if err := campaign.WriteCSV(w, rows); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	if err := w.Flush(); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	var jsonBuf bytes.Buffer
	rep := campaign.Report{Name: head.Name, Profile: head.Profile, OutTemplate: head.OutTemplate, CompareWith: head.CompareWith, Titles: rows}
	if err := campaign.WriteJSON(&jsonBuf, rep, campaign.SummaryOptions{}); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	// The workflow's progress rides along under "progress".
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(jsonBuf.Bytes(), &doc); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	if doc["progress"], err = json.Marshal(head.Progress); err != nil {
		return campaign.Report{}, nil, nil, err
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return campaign.Report{}, nil, nil, err
	}
	return rep, append(out, '\n'), csvBuf.Bytes(), nil
}

// CampaignCatalog reads a page of a campaign's catalog: a JSON-lines file
// of workflows.CampaignEntry (written by reel campaign start for catalogs
// too large for the workflow's input).
func (a *Activities) CampaignCatalog(ctx context.Context, in workflows.CampaignCatalogInput) (workflows.CampaignCatalogOutput, error) {
	b, err := a.readLoc(ctx, in.Location)
	if err != nil {
		return workflows.CampaignCatalogOutput{}, classify(err)
	}
	limit := in.Limit
	if limit <= 0 {
		limit = 500
	}
	var out workflows.CampaignCatalogOutput
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if n < in.Offset {
			n++
			continue
		}
		if len(out.Entries) == limit {
			out.More = true
			break
		}
		var e workflows.CampaignEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return workflows.CampaignCatalogOutput{}, invalidRequest("catalog %s, entry %d: %v", in.Location, n+1, err)
		}
		out.Entries = append(out.Entries, e)
		n++
	}
	if err := sc.Err(); err != nil {
		return workflows.CampaignCatalogOutput{}, invalidRequest("catalog %s: %v", in.Location, err)
	}
	return out, nil
}
