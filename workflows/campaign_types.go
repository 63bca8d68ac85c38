package workflows

import (
	"strings"
	"time"

	"github.com/reel-video/reel/profile"
)

// CampaignName is the registered name of the Campaign workflow.
const CampaignName = "Campaign"

// CampaignWorkflowIDPrefix starts a campaign's workflow id.
const CampaignWorkflowIDPrefix = "reel-campaign/"

// CampaignWorkflowID is the workflow id of the campaign called name: one
// campaign of a name runs at a time.
func CampaignWorkflowID(name string) string { return CampaignWorkflowIDPrefix + name }

// CampaignNameFromWorkflowID is the inverse of CampaignWorkflowID; ok is
// false for ids that are not a campaign's.
func CampaignNameFromWorkflowID(id string) (string, bool) {
	return strings.CutPrefix(id, CampaignWorkflowIDPrefix)
}

// MemoCampaign is the memo key under which a title started by a campaign
// records the campaign's name (a string), beside MemoRequest.
const MemoCampaign = "campaign"

// CampaignProgressQuery is the query that returns a campaign's
// CampaignProgress.
const CampaignProgressQuery = "campaign-progress"

// Campaign signals. Pause, resume and cancel carry a CampaignSignal;
// retry-failed a CampaignRetry.
const (
	// SignalCampaignPause stops starting titles; titles in flight go on
	// and are still recorded.
	SignalCampaignPause = "campaign-pause"
	// SignalCampaignResume starts titles again after a pause.
	SignalCampaignResume = "campaign-resume"
	// SignalCampaignCancel ends the campaign: no title is started any
	// more, titles in flight are left running (they are not the
	// campaign's to kill: an ingest may have joined them) and the
	// campaign returns once the report is written.
	SignalCampaignCancel = "campaign-cancel"
	// SignalCampaignRetryFailed puts failed titles back in the queue.
	SignalCampaignRetryFailed = "campaign-retry-failed"
)

// CampaignSignal is the payload of pause, resume and cancel.
type CampaignSignal struct {
	// Reason is recorded in the progress (PauseReason, for a pause);
	// optional.
	Reason string `json:"reason,omitempty"`
}

// CampaignRetry is the payload of SignalCampaignRetryFailed.
type CampaignRetry struct {
	// TitleIDs are the failed titles to retry; empty: every failed title.
	TitleIDs []string `json:"title_ids,omitempty"`
}

// Campaign defaults.
const (
	// DefaultCampaignMaxInFlight is CampaignInput.MaxInFlight's default.
	DefaultCampaignMaxInFlight = 4
	// DefaultCampaignTitlesPerRun is CampaignInput.TitlesPerRun's default:
	// the campaign continues as new after starting this many titles, so
	// a run's history stays bounded whatever the catalog's size.
	DefaultCampaignTitlesPerRun = 500
	// DefaultCampaignPollEvery is CampaignInput.PollEvery's default.
	DefaultCampaignPollEvery = 30 * time.Second
	// DefaultCampaignPriorityKey is CampaignInput.PriorityKey's default:
	// Temporal's priority keys run from 1 (first) to 5 (last) and an
	// unset key means 3, the priority of `reel submit` and `reel run`;
	// campaign titles come after ingest.
	DefaultCampaignPriorityKey = 5
)

// CampaignEntry is one title of a campaign's catalog.
type CampaignEntry struct {
	TitleID string `json:"title_id"`
	Source  string `json:"source"`
	// Out is the title's output; empty: CampaignInput.OutTemplate with
	// {title} replaced by the title id.
	Out string `json:"out,omitempty"`
	// OldOut is the previous encode's output (its report.json is compared
	// with the new one); empty: CampaignInput.CompareWith expanded, or no
	// comparison when that is empty too.
	OldOut string `json:"old_out,omitempty"`
}

// ExpandTemplate replaces {title} in tmpl by titleID.
func ExpandTemplate(tmpl, titleID string) string { return strings.ReplaceAll(tmpl, "{title}", titleID) }

// Resolve fills in Out and OldOut from the campaign's templates.
func (e CampaignEntry) Resolve(in CampaignInput) CampaignEntry {
	if e.Out == "" {
		e.Out = ExpandTemplate(in.OutTemplate, e.TitleID)
	}
	if e.OldOut == "" && in.CompareWith != "" {
		e.OldOut = ExpandTemplate(in.CompareWith, e.TitleID)
	}
	return e
}

// CampaignInput is the input of the Campaign workflow.
type CampaignInput struct {
	// Name names the campaign (its workflow id is CampaignWorkflowID).
	Name string `json:"name"`
	// Catalog lists the titles, in the order they are started. A catalog
	// of more than a few thousand titles goes in CatalogLocation instead
	// (a workflow's input is limited to 2 MB).
	Catalog []CampaignEntry `json:"catalog,omitempty"`
	// CatalogLocation is a JSON-lines file (one CampaignEntry a line) the
	// workflow reads in pages by activity; used when Catalog is empty.
	CatalogLocation string `json:"catalog_location,omitempty"`
	// Total is the number of titles in the catalog, for the progress (0:
	// len(Catalog)).
	Total int `json:"total,omitempty"`
	// Profile is the new encode profile, already validated.
	Profile profile.Profile `json:"profile"`
	// OutTemplate is each title's output, {title} replaced by its id,
	// e.g. s3://out/{title}/v2/.
	OutTemplate string `json:"out_template"`
	// CompareWith is the previous outputs' template; a title's savings
	// compare its new report.json with the one under it.
	CompareWith string `json:"compare_with,omitempty"`
	// Report is where campaign.json, campaign.csv and campaign.html are
	// written (a directory: path, file:// or s3://).
	Report string `json:"report"`
	// MaxInFlight caps the titles running at once. Default
	// DefaultCampaignMaxInFlight.
	MaxInFlight int `json:"max_in_flight,omitempty"`
	// TitlesPerRun: the campaign continues as new after starting this
	// many titles. Default DefaultCampaignTitlesPerRun.
	TitlesPerRun int `json:"titles_per_run,omitempty"`
	// PollEvery is how often the titles in flight are looked at. Default
	// DefaultCampaignPollEvery.
	PollEvery time.Duration `json:"poll_every,omitempty"`
	// PriorityKey is the Temporal priority of the titles the campaign
	// starts (1 first … 5 last). Default DefaultCampaignPriorityKey.
	PriorityKey int `json:"priority_key,omitempty"`
	// HeldCountsFor is how long a title held at the QC gate keeps its
	// place under MaxInFlight; after that it is listed as held and no
	// longer counted (it is still watched and recorded when a review
	// releases it). Default 0: a held title stops counting at once.
	HeldCountsFor time.Duration `json:"held_counts_for,omitempty"`

	// State is the campaign's state carried over continue-as-new; nil
	// for a new campaign.
	State *CampaignState `json:"state,omitempty"`
}

// CampaignRun is a title's run that the campaign watches.
type CampaignRun struct {
	TitleID string `json:"title_id"`
	RunID   string `json:"run_id"`
	// Entry is the catalog entry (resolved), for the savings and the
	// record.
	Entry CampaignEntry `json:"entry"`
	// Action is how the campaign got the run: CampaignStarted or
	// CampaignJoined.
	Action string `json:"action"`
	// Started is when the campaign started or joined it (workflow time);
	// HeldSince when it was first seen held (zero: not held).
	Started   time.Time `json:"started"`
	HeldSince time.Time `json:"held_since,omitzero"`
}

// CampaignCounts are cumulative over a campaign's runs.
type CampaignCounts struct {
	Done    int `json:"done"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
	// Started counts titles started or joined (each retry again).
	Started int `json:"started"`
	// Held counts held titles the campaign no longer watches (beyond the
	// most it watches); held titles it watches are in InFlight.
	Held int `json:"held,omitempty"`
}

// CampaignState is what a campaign carries over continue-as-new.
type CampaignState struct {
	// Cursor is the index in the catalog of the next title to start.
	Cursor int `json:"cursor"`
	// CatalogBase is the index in the whole catalog of CampaignInput.Catalog's
	// first entry: a run continues as new with the titles not yet taken.
	CatalogBase int `json:"catalog_base,omitempty"`
	// InFlight are titles running (held ones included: Held says which).
	InFlight []CampaignRun `json:"in_flight,omitempty"`
	// Failed are the failed titles' entries, for retry-failed (the first
	// 5,000; Counts.Failed counts them all).
	Failed []CampaignEntry `json:"failed,omitempty"`
	// Retry are entries queued again by retry-failed, started before the
	// catalog's next title.
	Retry  []CampaignEntry `json:"retry,omitempty"`
	Counts CampaignCounts  `json:"counts"`
	// Started is when the campaign's first run started.
	Started time.Time `json:"started"`
	Paused  bool      `json:"paused,omitempty"`
	// PauseReason is the pause signal's reason.
	PauseReason string `json:"pause_reason,omitempty"`
	// Runs counts the campaign's runs so far (continue-as-new).
	Runs int `json:"runs"`
}

// How a campaign got a title's run.
const (
	CampaignStarted = "started"
	CampaignJoined  = "joined"
	// CampaignAnswered: the same request had finished; nothing started.
	CampaignAnswered = "answered"
	// CampaignRefused: a different request of the title is in flight.
	CampaignRefused = "refused"
)

// Title states in a campaign (CampaignTitle.State).
const (
	CampaignTitleDone     = "done"
	CampaignTitleSkipped  = "skipped"
	CampaignTitleFailed   = "failed"
	CampaignTitleHeld     = "held"
	CampaignTitleInFlight = "in_flight"
	CampaignTitlePending  = "pending"
)

// ErrTypeTitleInFlight is a campaign title's ErrorType when a different
// request of the title was in flight (request.ErrInFlight): the campaign
// does not replace an ingest's run; retry-failed tries again.
const ErrTypeTitleInFlight = "TitleInFlight"

// CampaignTitle is one title's row in campaign.json and campaign.csv.
type CampaignTitle struct {
	TitleID string `json:"title_id"`
	Source  string `json:"source"`
	Out     string `json:"out"`
	OldOut  string `json:"old_out,omitempty"`
	State   string `json:"state"`
	// Action says how the campaign got the title (CampaignStarted, …).
	Action string `json:"action,omitempty"`
	RunID  string `json:"run_id,omitempty"`
	// Error and ErrorType are a failed title's (ErrorType: an ErrType…
	// or the Temporal failure's type, e.g. "timeout").
	Error     string `json:"error,omitempty"`
	ErrorType string `json:"error_type,omitempty"`
	// ReportPath is the new report.json.
	ReportPath string    `json:"report_path,omitempty"`
	Started    time.Time `json:"started,omitzero"`
	Finished   time.Time `json:"finished,omitzero"`
	// Savings are the new ladder against the old (nil: no comparison
	// was asked for, or the title did not finish).
	Savings *Savings `json:"savings,omitempty"`
}

// Savings compare a title's new ladder with its previous encode. BD
// figures are fractions as in ladder.Comparison with the old report as A
// and the new as B (BDRate −0.2: the new ladder needs 20% fewer bits at
// equal VMAF; BDVMAF +1.5: 1.5 VMAF more at equal bitrate).
type Savings struct {
	BDRate      *float64 `json:"bd_rate"`
	BDRateError string   `json:"bd_rate_error,omitempty"`
	BDVMAF      *float64 `json:"bd_vmaf"`
	BDVMAFError string   `json:"bd_vmaf_error,omitempty"`
	// OldBytes and NewBytes are the ladders' total sizes (every rung).
	OldBytes int64 `json:"old_bytes"`
	NewBytes int64 `json:"new_bytes"`
	// OldTopVMAF and NewTopVMAF are the top rung's mean VMAF.
	OldTopVMAF float64 `json:"old_top_vmaf"`
	NewTopVMAF float64 `json:"new_top_vmaf"`
	// Reason says why there are no figures (the old report is missing or
	// unreadable, …); empty when they were computed.
	Reason string `json:"reason,omitempty"`
}

// CampaignProgress is the answer to CampaignProgressQuery and the
// Campaign workflow's result.
type CampaignProgress struct {
	Name string `json:"name"`
	// Total is the catalog's size.
	Total    int `json:"total"`
	Done     int `json:"done"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	Held     int `json:"held"`
	InFlight int `json:"in_flight"` // held ones excluded
	// Remaining are titles not started yet (retries queued included).
	Remaining int  `json:"remaining"`
	Paused    bool `json:"paused,omitempty"`
	// PauseReason is the pause's reason, while paused.
	PauseReason string `json:"pause_reason,omitempty"`
	// Cancelled: cancel was signalled; Finished: the campaign has ended.
	Cancelled bool `json:"cancelled,omitempty"`
	Finished  bool `json:"finished,omitempty"`
	// Started is when the campaign started; Now the workflow's clock when
	// the query was answered.
	Started time.Time `json:"started"`
	Now     time.Time `json:"now"`
	// TitlesPerHour is (done+skipped+failed) over the time since Started.
	TitlesPerHour float64 `json:"titles_per_hour"`
	// Runs counts the campaign's runs (continue-as-new) so far.
	Runs int `json:"runs"`
	// InFlightTitles, HeldTitles and FailedTitles name them (failed ones
	// from this campaign's start, retried ones removed).
	InFlightTitles []string `json:"in_flight_titles,omitempty"`
	HeldTitles     []string `json:"held_titles,omitempty"`
	FailedTitles   []string `json:"failed_titles,omitempty"`
	// MaxInFlight is the cap.
	MaxInFlight int `json:"max_in_flight"`
}

// CampaignReport is campaign.json: the campaign's progress and one row
// per title seen so far (pending titles have no row).
type CampaignReport struct {
	Name        string           `json:"name"`
	Profile     string           `json:"profile"`
	OutTemplate string           `json:"out_template"`
	CompareWith string           `json:"compare_with,omitempty"`
	Progress    CampaignProgress `json:"progress"`
	Titles      []CampaignTitle  `json:"titles"`
}

// CampaignCSVHeader is campaign.csv's header: one row per CampaignTitle,
// BD figures as fractions, empty when missing.
var CampaignCSVHeader = []string{
	"title_id", "state", "action", "source", "out", "old_out", "error_type", "error",
	"bd_rate", "bd_vmaf", "old_bytes", "new_bytes", "bytes_saved", "old_top_vmaf", "new_top_vmaf", "savings_reason",
	"report_path", "started", "finished",
}

// Campaign activities.
const (
	// ActivityCampaignStart decides what a title's request does (as
	// submit.Title: start, join, answer, refuse) and starts its
	// EncodeTitle with the campaign's memo and priority.
	ActivityCampaignStart = "CampaignStart"
	// ActivityCampaignPoll looks at titles in flight: running, held at
	// the gate, done or failed.
	ActivityCampaignPoll = "CampaignPoll"
	// ActivityTitleSavings compares a finished title's report with the
	// old one.
	ActivityTitleSavings = "TitleSavings"
	// ActivityWriteCampaignReport merges rows into campaign.json and
	// rewrites campaign.csv (and campaign.html) whole.
	ActivityWriteCampaignReport = "WriteCampaignReport"
	// ActivityCampaignCatalog reads a page of CatalogLocation.
	ActivityCampaignCatalog = "CampaignCatalog"
)

// CampaignStartInput is the input of CampaignStart.
type CampaignStartInput struct {
	Campaign string          `json:"campaign"`
	Entry    CampaignEntry   `json:"entry"` // resolved
	Profile  profile.Profile `json:"profile"`
	// PriorityKey is the started run's priority.
	PriorityKey int `json:"priority_key,omitempty"`
}

// CampaignStartOutput is the output of CampaignStart.
type CampaignStartOutput struct {
	// Action is CampaignStarted, CampaignJoined, CampaignAnswered or
	// CampaignRefused.
	Action string `json:"action"`
	RunID  string `json:"run_id,omitempty"`
	// Reason is request.Decision's reason.
	Reason string `json:"reason,omitempty"`
	// ReportPath is an answered title's report.json.
	ReportPath string `json:"report_path,omitempty"`
}

// CampaignPollInput is the input of CampaignPoll.
type CampaignPollInput struct {
	Runs []CampaignRun `json:"runs"`
	// Every is how often the activity looks at the runs while it waits.
	Every time.Duration `json:"every,omitempty"`
	// Wait: the activity returns as soon as a run's state differs from
	// what Runs say (finished, failed, newly held or released), else after
	// Wait (0: look once). One long poll instead of many short ones keeps
	// the campaign's history short.
	Wait time.Duration `json:"wait,omitempty"`
}

// CampaignRunState is one run's state as CampaignPoll found it.
type CampaignRunState struct {
	TitleID string `json:"title_id"`
	RunID   string `json:"run_id"`
	// State is CampaignTitleInFlight, CampaignTitleHeld, CampaignTitleDone
	// or CampaignTitleFailed.
	State      string `json:"state"`
	Error      string `json:"error,omitempty"`
	ErrorType  string `json:"error_type,omitempty"`
	ReportPath string `json:"report_path,omitempty"`
}

// CampaignPollOutput is the output of CampaignPoll, in the input's order.
type CampaignPollOutput struct {
	Runs []CampaignRunState `json:"runs"`
}

// TitleSavingsInput is the input of TitleSavings.
type TitleSavingsInput struct {
	TitleID string `json:"title_id"`
	// NewReport is the new report.json; empty: <Out>/report.json.
	NewReport string `json:"new_report,omitempty"`
	Out       string `json:"out"`
	// OldOut holds the old report.json.
	OldOut string `json:"old_out"`
}

// WriteCampaignReportInput is the input of WriteCampaignReport.
type WriteCampaignReportInput struct {
	// Report is the campaign's report directory.
	Report string `json:"report"`
	// Head is everything but the rows; Rows replace the rows of the same
	// title in campaign.json (others are kept, new ones appended).
	Head CampaignReport  `json:"head"`
	Rows []CampaignTitle `json:"rows,omitempty"`
}

// WriteCampaignReportOutput is the output of WriteCampaignReport.
type WriteCampaignReportOutput struct {
	JSON string `json:"json"`
	CSV  string `json:"csv"`
	// HTML is campaign.html (empty when it was not rendered).
	HTML string `json:"html,omitempty"`
}

// CampaignCatalogInput is the input of CampaignCatalog.
type CampaignCatalogInput struct {
	Location string `json:"location"`
	Offset   int    `json:"offset"`
	Limit    int    `json:"limit"`
}

// CampaignCatalogOutput is a page of a catalog; More is false after the
// last.
type CampaignCatalogOutput struct {
	Entries []CampaignEntry `json:"entries"`
	More    bool            `json:"more"`
}
