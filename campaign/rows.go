package campaign

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A title's state in a campaign: the values of workflows'
// CampaignTitle.State (CampaignTitleDone, …), which this package mirrors
// without importing Temporal.
const (
	// StatePending: not started yet.
	StatePending = "pending"
	// StateInFlight: its EncodeTitle is running.
	StateInFlight = "in_flight"
	// StateDone: encoded by this campaign.
	StateDone = "done"
	// StateSkipped: a finished run of the same request (title, source
	// identity, profile, output) already answers it; not encoded again.
	StateSkipped = "skipped"
	// StateHeld: waiting at the QC gate for reel review.
	StateHeld = "held"
	// StateFailed: its EncodeTitle failed (ErrorType, Error say why).
	StateFailed = "failed"
)

// States lists the states in the order reports show them.
var States = []string{StateDone, StateSkipped, StateInFlight, StateHeld, StateFailed, StatePending}

// Finished reports whether a title in state s has its outputs (done or
// skipped): savings can be computed for it.
func Finished(s string) bool { return s == StateDone || s == StateSkipped }

// Row is one title of a campaign: a line of campaign.csv, an element of
// campaign.json's "titles". Its JSON is that of workflows.CampaignTitle,
// field for field, so the workflow's rows decode into it.
type Row struct {
	TitleID string `json:"title_id"`
	Source  string `json:"source"`
	// Out is the title's new output directory (the template expanded).
	Out string `json:"out"`
	// OldOut is the previous encode's output directory ("" when none).
	OldOut string `json:"old_out,omitempty"`
	State  string `json:"state"`
	// Action says how the campaign got the title: started, joined,
	// answered (the same request had finished) or refused.
	Action string `json:"action,omitempty"`
	RunID  string `json:"run_id,omitempty"`
	// Error and ErrorType are a failed title's: its message and its
	// application error type (InvalidMedia, NotFound, …, "" untyped).
	Error     string `json:"error,omitempty"`
	ErrorType string `json:"error_type,omitempty"`
	// ReportPath is the new report.json.
	ReportPath string `json:"report_path,omitempty"`
	// Started and Finished bound the title's encode (zero: not yet).
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Savings are the new ladder against the old one (nil: no comparison
	// asked for, or the title has not finished).
	Savings *Savings `json:"savings,omitempty"`
}

// Savings compare a title's new ladder with its previous encode (the
// `reel ladder compare` math with the old report as A, the new as B). BD
// figures are fractions: BDRate −0.2 means 20% fewer bits at equal VMAF,
// BDVMAF +1.5 means 1.5 VMAF more at equal bitrate. A nil figure could
// not be computed; its *Error, or Reason for all of them, says why.
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
	// Reason says why there are no figures at all (the old report is
	// missing or unreadable, …).
	Reason string `json:"reason,omitempty"`
}

// BDRatePercent is the row's BD-rate in percent, and whether it has a
// finite one.
func (r Row) BDRatePercent() (float64, bool) {
	if r.Savings == nil {
		return 0, false
	}
	f, ok := finite(r.Savings.BDRate)
	return 100 * f, ok
}

// BytesSaved is OldBytes − NewBytes, and whether both are known.
func (r Row) BytesSaved() (int64, bool) {
	if r.Savings == nil || r.Savings.OldBytes <= 0 || r.Savings.NewBytes <= 0 {
		return 0, false
	}
	return r.Savings.OldBytes - r.Savings.NewBytes, true
}

// SavingsReason is why the row has no BD-rate ("" when it has one, or
// when no comparison was made).
func (r Row) SavingsReason() string {
	s := r.Savings
	switch {
	case s == nil:
		return ""
	case s.Reason != "":
		return s.Reason
	case s.BDRate == nil:
		return s.BDRateError
	}
	return ""
}

// CSVHeader is campaign.csv's first line (workflows.CampaignCSVHeader):
// BD figures as fractions, empty when unknown.
var CSVHeader = []string{
	"title_id", "state", "action", "source", "out", "old_out", "error_type", "error",
	"bd_rate", "bd_vmaf", "old_bytes", "new_bytes", "bytes_saved", "old_top_vmaf", "new_top_vmaf", "savings_reason",
	"report_path", "started", "finished",
}

// ErrBadCSV: a campaign.csv that ReadCSV cannot read back.
var ErrBadCSV = errors.New("campaign: bad campaign.csv")

// WriteCSV writes campaign.csv: CSVHeader, then one line per row in the
// order given. Unknown numbers are empty fields; times are RFC 3339 UTC.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		var sv Savings
		if r.Savings != nil {
			sv = *r.Savings
		}
		saved := ""
		if n, ok := r.BytesSaved(); ok {
			saved = strconv.FormatInt(n, 10)
		}
		rec := []string{
			r.TitleID, r.State, r.Action, r.Source, r.Out, r.OldOut, r.ErrorType, oneLine(r.Error),
			fmtFloat(sv.BDRate), fmtFloat(sv.BDVMAF), fmtInt(sv.OldBytes), fmtInt(sv.NewBytes), saved,
			fmtVMAF(sv.OldTopVMAF), fmtVMAF(sv.NewTopVMAF), oneLine(r.SavingsReason()),
			r.ReportPath, fmtTime(r.Started), fmtTime(r.Finished),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadCSV reads campaign.csv as WriteCSV wrote it (columns by the
// header's names; bytes_saved is derived, so not read).
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadCSV, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, h := range []string{"title_id", "state"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%w: no %s column", ErrBadCSV, h)
		}
	}
	var rows []Row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadCSV, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return rec[i]
			}
			return ""
		}
		var perr error
		float := func(name string) *float64 {
			s := get(name)
			if s == "" {
				return nil
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				perr = cmpErr(perr, fmt.Errorf("%w: line %d: %s %q is not a number", ErrBadCSV, line, name, s))
				return nil
			}
			return &f
		}
		integer := func(name string) int64 {
			s := get(name)
			if s == "" {
				return 0
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				perr = cmpErr(perr, fmt.Errorf("%w: line %d: %s %q is not a byte count", ErrBadCSV, line, name, s))
			}
			return n
		}
		tm := func(name string) time.Time {
			s := get(name)
			if s == "" {
				return time.Time{}
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				perr = cmpErr(perr, fmt.Errorf("%w: line %d: %s %q is not an RFC 3339 time", ErrBadCSV, line, name, s))
			}
			return t
		}
		row := Row{
			TitleID: get("title_id"), State: get("state"), Action: get("action"), Source: get("source"),
			Out: get("out"), OldOut: get("old_out"), ErrorType: get("error_type"), Error: get("error"),
			ReportPath: get("report_path"), Started: tm("started"), Finished: tm("finished"),
		}
		sv := Savings{
			BDRate: float("bd_rate"), BDVMAF: float("bd_vmaf"),
			OldBytes: integer("old_bytes"), NewBytes: integer("new_bytes"),
			Reason: get("savings_reason"),
		}
		if f := float("old_top_vmaf"); f != nil {
			sv.OldTopVMAF = *f
		}
		if f := float("new_top_vmaf"); f != nil {
			sv.NewTopVMAF = *f
		}
		if sv != (Savings{}) {
			row.Savings = &sv
		}
		if perr != nil {
			return nil, perr
		}
		rows = append(rows, row)
	}
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// Report is campaign.json: the campaign, its summary and a row per title.
// It reads the campaign.json the Campaign workflow writes
// (workflows.CampaignReport: its progress is not read here; Summarize
// recomputes the totals from the rows).
type Report struct {
	// Name is the campaign's name (reel campaign start NAME).
	Name string `json:"name"`
	// Profile names the profile the titles are encoded with.
	Profile string `json:"profile,omitempty"`
	// OutTemplate and CompareWith are the templates of the new and old
	// outputs.
	OutTemplate string  `json:"out_template,omitempty"`
	CompareWith string  `json:"compare_with,omitempty"`
	Summary     Summary `json:"summary"`
	Titles      []Row   `json:"titles"`
}

// WriteJSON writes campaign.json, indented, with its Summary computed
// from its rows (opts as Summarize takes them).
func WriteJSON(w io.Writer, rep Report, opts SummaryOptions) error {
	rep.Summary = Summarize(rep.Titles, opts)
	// JSON has no NaN or infinity: such a number is unknown (null).
	rows := make([]Row, len(rep.Titles))
	for i, r := range rep.Titles {
		if r.Savings != nil {
			sv := *r.Savings
			for _, f := range []**float64{&sv.BDRate, &sv.BDVMAF} {
				if _, ok := finite(*f); !ok {
					*f = nil
				}
			}
			for _, f := range []*float64{&sv.OldTopVMAF, &sv.NewTopVMAF} {
				if _, ok := finite(f); !ok {
					*f = 0
				}
			}
			r.Savings = &sv
		}
		rows[i] = r
	}
	rep.Titles = rows
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// ReadJSON reads campaign.json.
func ReadJSON(r io.Reader) (Report, error) {
	var rep Report
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return Report{}, fmt.Errorf("campaign: campaign.json: %w", err)
	}
	return rep, nil
}

// SortRows orders rows by title id (the order campaign.csv is written
// in when the caller has none of its own).
func SortRows(rows []Row) {
	slices.SortStableFunc(rows, func(a, b Row) int { return strings.Compare(a.TitleID, b.TitleID) })
}

func fmtFloat(f *float64) string {
	if f == nil || math.IsNaN(*f) || math.IsInf(*f, 0) {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

// fmtVMAF writes a VMAF, empty when 0 (unknown).
func fmtVMAF(f float64) string {
	if f == 0 {
		return ""
	}
	return fmtFloat(&f)
}

func fmtInt(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// oneLine keeps a message on one CSV line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
