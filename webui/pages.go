package webui

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the parsed templates.
type pages struct {
	list, title, errPage *template.Template
}

func parsePages() (*pages, error) {
	parse := func(name string) (*template.Template, error) {
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("webui: template %s: %w", name, err)
		}
		return t, nil
	}
	var p pages
	var err error
	if p.list, err = parse("list.html"); err != nil {
		return nil, err
	}
	if p.title, err = parse("title.html"); err != nil {
		return nil, err
	}
	if p.errPage, err = parse("error.html"); err != nil {
		return nil, err
	}
	return &p, nil
}

// render executes t into a buffer first, so that a template error is a
// 500 and not half a page.
func render(w http.ResponseWriter, t *template.Template, code int, data any) error {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, err := w.Write(b.Bytes())
	return err
}

func (p *pages) error(w http.ResponseWriter, code int, msg string) {
	data := struct {
		Title   string
		Code    int
		Status  string
		Message string
	}{"Error", code, http.StatusText(code), msg}
	if err := render(w, p.errPage, code, data); err != nil {
		http.Error(w, msg, code)
	}
}

// titleHref is the page of a title.
func titleHref(id string) string { return "/titles/" + url.PathEscape(id) }

// fileHref is a file of a title's output (rel is slash-separated).
func fileHref(id, rel string) string {
	parts := strings.Split(rel, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return titleHref(id) + "/files/" + strings.Join(parts, "/")
}

const timeFormat = "2006-01-02 15:04:05 MST"

// row is a title in the list, as the page and /api/titles show it.
type row struct {
	titles.TitleSummary
	Href string `json:"href"`
	// State is "held" for a title held at the gate, else the run's
	// status; Label says it in words, Detail adds the blockers, the
	// stages or the error.
	State       string `json:"state"`
	Label       string `json:"label"`
	Detail      string `json:"detail,omitempty"`
	StartedText string `json:"started_text"`
}

func newRow(s titles.TitleSummary) row {
	r := row{TitleSummary: s, Href: titleHref(s.TitleID), State: string(s.Status), Label: string(s.Status),
		StartedText: s.Started.UTC().Format(timeFormat)}
	switch {
	case s.Held():
		r.State, r.Label = "held", "held at QC gate"
		r.Detail = fmt.Sprintf("%d blockers", len(s.Gate.Blockers))
		if s.Gate.HeldSince != nil {
			r.Detail += ", since " + s.Gate.HeldSince.UTC().Format(timeFormat)
		}
	case s.Status == request.Running && s.Stages > 0:
		r.Detail = fmt.Sprintf("%d of %d stages done", s.Done, s.Stages)
	case s.Error != "":
		r.Detail = s.Error
	}
	return r
}

// listParam is a list filter from the URL, trimmed, at most 200 bytes.
func listParam(r *http.Request, name string) string {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if len(v) > 200 {
		v = v[:200]
	}
	return v
}

func (s *Server) rows(r *http.Request) ([]row, string, error) {
	q := listParam(r, "q")
	list, err := titles.List(r.Context(), s.cfg.Client, titles.ListOptions{Query: q, Campaign: listParam(r, "campaign"),
		Limit: s.cfg.ListLimit, ProgressWait: s.cfg.ProgressWait})
	if err != nil {
		return nil, q, err
	}
	rows := make([]row, len(list))
	for i, t := range list {
		rows[i] = newRow(t)
	}
	return rows, q, nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	rows, q, err := s.rows(r)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err.Error())
		return
	}
	type pageData struct {
		Page     string `json:"page"`
		Query    string `json:"query"`
		Campaign string `json:"campaign,omitempty"`
	}
	camp := listParam(r, "campaign")
	data := struct {
		Title    string
		Query    string
		Campaign string
		Rows     []row
		Data     pageData
	}{"Titles", q, camp, rows, pageData{"list", q, camp}}
	w.Header().Set("Cache-Control", "no-store")
	if err := render(w, s.pages.list, http.StatusOK, data); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleListJSON(w http.ResponseWriter, r *http.Request) {
	rows, _, err := s.rows(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if rows == nil {
		rows = []row{}
	}
	writeJSON(w, rows)
}

// titleID returns the request's title id, or "" after answering 404 for
// one that cannot be a title's.
func (s *Server) titleID(w http.ResponseWriter, r *http.Request) string {
	id := r.PathValue("id")
	if id == "" || len(id) > 1000 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		s.fail(w, r, http.StatusNotFound, "no such title")
		return ""
	}
	return id
}

// status describes a title; it answers the error itself (404 for none).
func (s *Server) status(w http.ResponseWriter, r *http.Request, id string) (titles.TitleStatus, bool) {
	st, err := titles.Status(r.Context(), s.cfg.Client, workflows.WorkflowID(id), titles.StatusOptions{ProgressWait: s.cfg.ProgressWait})
	switch {
	case errors.Is(err, titles.ErrNoTitle):
		s.fail(w, r, http.StatusNotFound, "no title "+id)
		return st, false
	case err != nil:
		s.fail(w, r, http.StatusBadGateway, err.Error())
		return st, false
	}
	st.TitleID = id
	return st, true
}

func (s *Server) handleTitleJSON(w http.ResponseWriter, r *http.Request) {
	id := s.titleID(w, r)
	if id == "" {
		return
	}
	st, ok := s.status(w, r, id)
	if !ok {
		return
	}
	writeJSON(w, st)
}

// spanRow is a bar of the timeline (an SVG rectangle: no inline style).
type spanRow struct {
	titles.StageSpan
	Stage           string
	Y, X, W         float64
	StartAt, Length string
}

// timeline lays the spans out on a 600-unit wide chart.
func timeline(spans []titles.StageSpan, stages []titles.StageProgress, now time.Time) ([]spanRow, float64) {
	if len(spans) == 0 {
		return nil, 0
	}
	names := map[string]string{}
	for _, s := range stages {
		names[s.Activity] = s.Name
	}
	t0, t1 := spans[0].Start, spans[0].Start
	for _, sp := range spans {
		if sp.Start.Before(t0) {
			t0 = sp.Start
		}
		end := sp.Start.Add(time.Duration(sp.Seconds(now) * float64(time.Second)))
		if end.After(t1) {
			t1 = end
		}
	}
	total := max(t1.Sub(t0).Seconds(), 0.001)
	out := make([]spanRow, len(spans))
	for i, sp := range spans {
		x := sp.Start.Sub(t0).Seconds() / total * 600
		out[i] = spanRow{StageSpan: sp, Stage: names[sp.Activity], Y: float64(i * 22),
			X: x, W: max(2, min(600-x, sp.Seconds(now)/total*600)),
			StartAt: fmt.Sprintf("+%.1fs", sp.Start.Sub(t0).Seconds()), Length: fmt.Sprintf("%.1fs", sp.Seconds(now))}
	}
	return out, float64(len(spans) * 22)
}

// exists reports whether a title's output has the file rel.
func (s *Server) exists(r *http.Request, id, rel string) bool {
	f, err := s.openFile(r.Context(), id, rel)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

func (s *Server) handleTitle(w http.ResponseWriter, r *http.Request) {
	id := s.titleID(w, r)
	if id == "" {
		return
	}
	st, ok := s.status(w, r, id)
	if !ok {
		return
	}
	spans, err := titles.Timeline(r.Context(), s.cfg.Client, workflows.WorkflowID(id), st.RunID)
	timelineErr := ""
	if err != nil {
		timelineErr = err.Error()
	}
	rowsTL, height := timeline(spans, st.Stages, time.Now())

	type blocker struct {
		workflows.Blocker
		Thumb string
		// Seconds is where the blocker starts, to seek the rung player
		// to (-1: unknown).
		Seconds float64
	}
	var blockers []blocker
	if st.Gate != nil {
		for _, b := range st.Gate.Blockers {
			bb := blocker{Blocker: b, Seconds: -1}
			if b.Thumbnail != "" {
				bb.Thumb = fileHref(id, b.Thumbnail)
			}
			if sec, ok := tcSeconds(b.StartTC); ok {
				bb.Seconds = sec
			}
			blockers = append(blockers, bb)
		}
	}
	var rungs []rungLink
	if st.Held() {
		rungs = s.rungs(r.Context(), id)
	}
	type pageData struct {
		Page      string `json:"page"`
		StatusURL string `json:"status_url"`
		Status    string `json:"status"`
		Gate      string `json:"gate"`
		HLS       string `json:"hls,omitempty"`
	}
	pd := pageData{Page: "title", StatusURL: "/api/titles/" + url.PathEscape(id), Status: string(st.Status)}
	if st.Gate != nil {
		pd.Gate = st.Gate.State
	}
	hasPackage := s.exists(r, id, "package/master.m3u8")
	if hasPackage {
		pd.HLS = fileHref(id, "package/master.m3u8")
	}
	reviewed := r.URL.Query().Get("reviewed")
	if reviewed != workflows.ReviewApprove && reviewed != workflows.ReviewReject {
		reviewed = ""
	}
	data := struct {
		Title       string
		ID          string
		Href        string
		St          titles.TitleStatus
		Started     string
		Closed      string
		Timeline    []spanRow
		TLHeight    float64
		TimelineErr string
		ReportHTML  string
		ReportJSON  string
		Package     string
		Blockers    []blocker
		Rungs       []rungLink
		HeldSince   string
		CanReview   bool
		ReadOnly    bool
		Token       string
		Reviewer    string
		Reviewed    string
		Data        pageData
	}{
		Title: id, ID: id, Href: titleHref(id), St: st, Started: st.Started.UTC().Format(timeFormat),
		Timeline: rowsTL, TLHeight: height, TimelineErr: timelineErr,
		Blockers: blockers, Rungs: rungs, ReadOnly: s.cfg.ReadOnly, Reviewer: s.cfg.Reviewer, Reviewed: reviewed, Data: pd,
	}
	if st.Closed != nil {
		data.Closed = st.Closed.UTC().Format(timeFormat)
	}
	if st.Gate != nil && st.Gate.HeldSince != nil {
		data.HeldSince = st.Gate.HeldSince.UTC().Format(timeFormat)
	}
	if s.exists(r, id, "report.html") {
		data.ReportHTML = fileHref(id, "report.html")
	}
	if s.exists(r, id, "report.json") {
		data.ReportJSON = fileHref(id, "report.json")
	}
	if hasPackage {
		data.Package = pd.HLS
	}
	if st.Held() && !s.cfg.ReadOnly {
		data.CanReview = true
		data.Token = s.csrfToken(w, r)
	}
	w.Header().Set("Cache-Control", "no-store")
	if err := render(w, s.pages.title, http.StatusOK, data); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err.Error())
	}
}

// Limits of a review form's fields.
const (
	maxNote = 4000
	maxBy   = 200
)

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) {
	id := s.titleID(w, r)
	if id == "" {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "bad form: "+err.Error())
		return
	}
	if !s.csrfOK(r) {
		s.fail(w, r, http.StatusForbidden, "missing or wrong form token: reload the title's page and try again")
		return
	}
	decision := r.PostForm.Get("decision")
	note := strings.TrimSpace(r.PostForm.Get("note"))
	by := strings.TrimSpace(r.PostForm.Get("by"))
	if by == "" {
		by = s.cfg.Reviewer
	}
	if len(note) > maxNote || len(by) > maxBy {
		s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("note (at most %d bytes) or reviewer name (at most %d) too long", maxNote, maxBy))
		return
	}
	_, err := titles.Review(r.Context(), s.cfg.Client, workflows.WorkflowID(id), workflows.Review{Decision: decision, By: by, Note: note})
	switch {
	case errors.Is(err, titles.ErrBadDecision):
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	case errors.Is(err, titles.ErrNoTitle):
		s.fail(w, r, http.StatusNotFound, "no title "+id)
		return
	case errors.Is(err, titles.ErrNotHeld):
		s.fail(w, r, http.StatusConflict, err.Error())
		return
	case err != nil:
		s.fail(w, r, http.StatusBadGateway, err.Error())
		return
	}
	http.Redirect(w, r, titleHref(id)+"?reviewed="+url.QueryEscape(strings.ToLower(decision)), http.StatusSeeOther)
}

// tcSeconds reads the whole seconds of a timecode HH:MM:SS:FF (the
// frames are left out: the player seeks to the second).
func tcSeconds(tc string) (float64, bool) {
	var h, m, sec, f int
	if n, err := fmt.Sscanf(tc, "%d:%d:%d:%d", &h, &m, &sec, &f); err != nil || n != 4 {
		return 0, false
	}
	return float64(h*3600 + m*60 + sec), true
}

// rungLink is a rung's file, playable as it is (progressive MP4).
type rungLink struct {
	Name, Href string
}

// rungs lists the title's rungs (rungs/*.mp4) when Config.Stores can
// list, so that a reviewer can watch a held title before it is packaged.
func (s *Server) rungs(ctx context.Context, id string) []rungLink {
	l, ok := s.cfg.Stores.(Lister)
	if !ok {
		return nil
	}
	out, err := s.outOf(ctx, id)
	if err != nil {
		return nil
	}
	infos, err := l.List(ctx, out.Join("rungs"))
	if err != nil {
		return nil
	}
	var links []rungLink
	for _, in := range infos {
		rel, ok := out.Rel(in.Location)
		name, isRung := strings.CutPrefix(rel, "rungs/")
		if !ok || !isRung || strings.Contains(name, "/") || path.Ext(name) != ".mp4" {
			continue
		}
		if _, err := CleanRel(rel); err != nil {
			continue
		}
		links = append(links, rungLink{Name: strings.TrimSuffix(name, ".mp4"), Href: fileHref(id, rel)})
	}
	return links
}
