// Package reporthtml renders report.html, the reviewers' page of a title
// (summary, rate–quality plot, per-frame quality of every rung, QC events,
// a player on the package), and the ladder comparison page of `reel ladder
// compare --html`. Pages are self-contained: uPlot and hls.js (package
// webasset) are embedded inline with their licenses, the data travels as
// JSON in <script type="application/json"> blocks that html/template
// escapes, and the page's own script builds the DOM with textContent only.
// Thumbnails, scores files and the package are referenced by relative URL,
// so the page works when served from the title's output directory.
package reporthtml

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/webasset"
)

// FileName is the page's name beside report.json.
const FileName = "report.html"

// Options tune the pages. The zero value is the default.
type Options struct {
	// Buckets is the number of columns a per-frame series is reduced to
	// in the page: each column keeps its lowest and highest frame of
	// every series, so a rung embeds at most about 4·Buckets points
	// (default 1500; the full series is a click away).
	Buckets int
}

// DefaultBuckets is Options.Buckets' default.
const DefaultBuckets = 1500

func (o Options) withDefaults() Options {
	if o.Buckets <= 0 {
		o.Buckets = DefaultBuckets
	}
	return o
}

// ErrNoReport is returned by Write for a nil report and by WriteCompare
// for a nil comparison.
var ErrNoReport = errors.New("reporthtml: nothing to render")

//go:embed page.tmpl report.js compare.js common.js style.css
var assets embed.FS

var pageTmpl = template.Must(template.New("page.tmpl").Funcs(template.FuncMap{
	"num":     formatNum,
	"percent": func(f *float64) string { return fmt.Sprintf("%+.1f%%", *f*100) },
	"signed":  func(f *float64) string { return fmt.Sprintf("%+.2f", *f) },
}).ParseFS(assets, "page.tmpl"))

// Write renders r as one self-contained HTML page. files may be nil (then
// series that need the scores files, e.g. PSNR, are left out and the page
// says why).
func Write(ctx context.Context, w io.Writer, r *report.Report, files Files, opts Options) error {
	if r == nil {
		return ErrNoReport
	}
	opts = opts.withDefaults()
	data, err := buildReport(ctx, r, files, opts)
	if err != nil {
		return err
	}
	v := &view{Kind: "report", Title: "reel report: " + r.Title.ID, Report: r, Summary: summarize(r), Data: data}
	if r.Package != nil && r.Package.Master != "" && data.Player != nil {
		v.HLS = true
	}
	return render(w, v)
}

// WriteCompare renders the ladder comparison page (reel ladder compare
// --html): both ladders on one rate–quality plot, the BD-rate and BD-VMAF
// figures and the points left out.
func WriteCompare(w io.Writer, c *ladder.Comparison, opts Options) error {
	if c == nil {
		return ErrNoReport
	}
	v := &view{Kind: "compare", Title: "reel ladder compare: " + c.B.Path + " against " + c.A.Path, Compare: c,
		Data: &pageData{Kind: "compare", RD: compareRD(c)}}
	return render(w, v)
}

// view is what page.tmpl renders.
type view struct {
	Kind    string // "report" or "compare"
	Title   string
	Report  *report.Report
	Summary *summary
	Compare *ladder.Comparison
	Data    *pageData
	HLS     bool

	// Filled by render.
	CSS      template.CSS
	Scripts  []template.JS
	Licenses []license
}

type license struct{ Name, Text string }

func render(w io.Writer, v *view) error {
	css, err := assets.ReadFile("style.css")
	if err != nil {
		return err
	}
	ucss, err := webasset.ReadFile(webasset.UPlotCSS)
	if err != nil {
		return fmt.Errorf("reporthtml: %w", err)
	}
	v.CSS = template.CSS(string(ucss) + "\n" + string(css))
	libs := []string{webasset.UPlot}
	if v.HLS {
		libs = append(libs, webasset.HLSjs)
	}
	own := []string{"common.js", v.Kind + ".js"}
	for _, name := range libs {
		b, err := webasset.ReadFile(name)
		if err != nil {
			return fmt.Errorf("reporthtml: %w", err)
		}
		if err := inlineSafe(name, b); err != nil {
			return err
		}
		v.Scripts = append(v.Scripts, template.JS(b))
		for _, l := range webasset.Licenses(name) {
			text, err := webasset.ReadFile(l)
			if err != nil {
				return fmt.Errorf("reporthtml: %w", err)
			}
			v.Licenses = append(v.Licenses, license{Name: l, Text: string(text)})
		}
	}
	for _, name := range own {
		b, err := assets.ReadFile(name)
		if err != nil {
			return err
		}
		v.Scripts = append(v.Scripts, template.JS(b))
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, v); err != nil {
		return fmt.Errorf("reporthtml: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// ErrUnsafeScript: a script to inline holds a sequence that would end or
// confuse its <script> element.
var ErrUnsafeScript = errors.New("reporthtml: script cannot be inlined")

func inlineSafe(name string, b []byte) error {
	low := bytes.ToLower(b)
	for _, bad := range []string{"</script", "<!--", "<script"} {
		if bytes.Contains(low, []byte(bad)) {
			return fmt.Errorf("%w: %s holds %q", ErrUnsafeScript, name, bad)
		}
	}
	return nil
}

// pageData is the JSON the page's script reads (id "reel-data").
type pageData struct {
	Kind string  `json:"kind"`
	FPS  float64 `json:"fps"`
	// Frames is the source's frame count.
	Frames int     `json:"frames"`
	RD     *rdPlot `json:"rd,omitempty"`
	// Shots and Chunks are the first frames of the shots and chunks.
	Shots  []int       `json:"shots"`
	Chunks []int       `json:"chunks"`
	Rungs  []rungData  `json:"rungs"`
	Events []eventData `json:"events"`
	Player *playerData `json:"player,omitempty"`
	Notes  []string    `json:"notes"`
	Sev    []string    `json:"severities"`
}

// rdPlot is a rate–quality plot: series aligned on X (kbps), null where a
// series has no point.
type rdPlot struct {
	X      nums       `json:"x"`
	Series []rdSeries `json:"series"`
}

type rdSeries struct {
	Label string `json:"label"`
	// Kind: grid, hull, predicted, measured, reference, a, b, dropped.
	Kind string `json:"kind"`
	Line bool   `json:"line"`
	Y    nums   `json:"y"`
}

type rungData struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Total is the rung's frame count; Frames the frames kept for the
	// plot, VMAF and PSNR their values.
	Total  int   `json:"total"`
	Frames []int `json:"frames"`
	VMAF   nums  `json:"vmaf"`
	PSNR   nums  `json:"psnr,omitempty"`
	// CRFs is each chunk's CRF (Chunks order).
	CRFs   nums         `json:"crfs,omitempty"`
	Scores string       `json:"scores,omitempty"` // relative URL
	Notes  []string     `json:"notes"`
	Bands  []bandData   `json:"bands"`
	Worst  []momentData `json:"worst"`
}

type bandData struct {
	Start    float64 `json:"start"`
	End      float64 `json:"end"`
	Severity string  `json:"severity"`
	Label    string  `json:"label"`
}

type momentData struct {
	Start   int     `json:"start_frame"`
	End     int     `json:"end_frame"`
	Frame   int     `json:"frame"`
	VMAF    float64 `json:"vmaf"`
	Seconds float64 `json:"seconds"`
	TC      string  `json:"tc"`
	Source  string  `json:"source,omitempty"`
	Rung    string  `json:"rung,omitempty"`
}

type eventData struct {
	Check     string  `json:"check"`
	Stream    string  `json:"stream"`
	Severity  string  `json:"severity"`
	StartTC   string  `json:"start_tc"`
	EndTC     string  `json:"end_tc"`
	Start     float64 `json:"start"`
	End       float64 `json:"end"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Detail    string  `json:"detail"`
	Thumb     string  `json:"thumb,omitempty"`
}

type playerData struct {
	Master string `json:"master"`
}

// nums is a series of numbers in JSON: NaN and ±Inf as null, at most 4
// decimals.
type nums []float64

func (n nums) MarshalJSON() ([]byte, error) {
	if n == nil {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 8*len(n)+2)
	b = append(b, '[')
	for i, v := range n {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
			continue
		}
		b = strconv.AppendFloat(b, math.Round(v*1e4)/1e4, 'f', -1, 64)
	}
	return append(b, ']'), nil
}

func formatNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// relURL turns a path relative to the title's output location into a
// relative URL, or "" when it is not a plain relative path (absolute,
// leading out of the directory). A first segment with a colon gets "./"
// so that it is not read as a scheme.
func relURL(p string) string {
	if p == "" || !fs.ValidPath(p) || strings.Contains(p, `\`) {
		return ""
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	u := strings.Join(parts, "/")
	if strings.Contains(parts[0], ":") {
		u = "./" + u // not a scheme
	}
	return u
}

// fps is the title's frame rate: the source video's, else a rung's.
func fps(r *report.Report) float64 {
	for _, s := range r.Source.Streams {
		if s.Type == "video" && s.FPS > 0 {
			return s.FPS
		}
	}
	for _, g := range r.Rungs {
		if g.Frames > 0 && g.DurationSec > 0 {
			return float64(g.Frames) / g.DurationSec
		}
	}
	if r.Ladder != nil && r.Ladder.Trials != nil && r.Ladder.Trials.FPS > 0 {
		return r.Ladder.Trials.FPS
	}
	return 25
}

func buildReport(ctx context.Context, r *report.Report, files Files, opts Options) (*pageData, error) {
	d := &pageData{Kind: "report", FPS: fps(r), Shots: []int{}, Chunks: []int{}, Rungs: []rungData{}, Events: []eventData{}, Notes: []string{}}
	for _, s := range r.Source.Streams {
		if s.Type == "video" {
			d.Frames = s.FrameCount
			break
		}
	}
	for _, s := range r.Shots {
		d.Shots = append(d.Shots, s.Start)
	}
	if r.Chunks != nil {
		for _, c := range r.Chunks.Plan {
			d.Chunks = append(d.Chunks, c.Start)
		}
	}
	d.RD = reportRD(r)
	if r.Package != nil && r.Package.Master != "" {
		if u := relURL(r.Package.Master); u != "" {
			d.Player = &playerData{Master: u}
		}
	}
	// QC events, source first, then the rungs in report order.
	sevs := map[string]bool{}
	addEvents := func(stream string, q *report.QCStream) {
		if q == nil {
			return
		}
		for _, e := range q.Events {
			d.Events = append(d.Events, eventData{Check: e.Check, Stream: stream, Severity: e.Severity,
				StartTC: e.StartTC, EndTC: e.EndTC, Start: finite(e.Start), End: finite(e.End),
				Value: finite(e.Value), Threshold: finite(e.Threshold), Detail: e.Detail, Thumb: relURL(e.Thumbnail)})
			sevs[e.Severity] = true
		}
	}
	if r.QC != nil {
		addEvents("source", r.QC.Source)
		seen := map[string]bool{}
		for _, g := range r.Rungs {
			if q, ok := r.QC.Rungs[g.ID]; ok && !seen[g.ID] {
				seen[g.ID] = true
				addEvents(g.ID, q)
			}
		}
		for _, id := range slices.Sorted(maps.Keys(r.QC.Rungs)) {
			if !seen[id] {
				addEvents(id, r.QC.Rungs[id])
			}
		}
	}
	d.Sev = append([]string{}, slices.SortedFunc(maps.Keys(sevs), func(a, b string) int { return cmp.Compare(sevRank(a), sevRank(b)) })...)

	var ladderRungs map[string]report.LadderRung
	if r.Ladder != nil {
		ladderRungs = map[string]report.LadderRung{}
		for _, lr := range r.Ladder.Rungs {
			ladderRungs[lr.ID] = lr
		}
	}
	if files == nil && len(r.Rungs) > 0 {
		d.Notes = append(d.Notes, "PSNR is not shown: the page was made without the title's files (the per-frame scores files).")
	}
	for _, g := range r.Rungs {
		rd, err := buildRung(ctx, r, g, ladderRungs, files, d, opts)
		if err != nil {
			return nil, err
		}
		d.Rungs = append(d.Rungs, rd)
	}
	return d, nil
}

func sevRank(s string) int {
	switch s {
	case "blocker", "error":
		return 0
	case "warning":
		return 1
	case "info":
		return 2
	}
	return 3
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func buildRung(ctx context.Context, r *report.Report, g report.Rung, lrs map[string]report.LadderRung, files Files, d *pageData, opts Options) (rungData, error) {
	rd := rungData{ID: g.ID, Label: fmt.Sprintf("%s: %dx%d %s, %.0f kbps, VMAF %.2f", g.ID, g.Width, g.Height, g.Codec, g.BitrateKbps, g.VMAF.Mean),
		Scores: relURL(g.ScoresPath), Notes: []string{}, Bands: []bandData{}, Worst: []momentData{}}
	vm := g.VMAF.PerFrame
	var psnr []float64
	switch {
	case g.ScoresPath == "":
		rd.Notes = append(rd.Notes, "No scores file: PSNR is not shown.")
	case files == nil:
	default:
		b, err := files.ReadFile(ctx, g.ScoresPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rd.Notes = append(rd.Notes, "The scores file "+g.ScoresPath+" is missing: PSNR is not shown.")
		case err != nil:
			if ctx.Err() != nil {
				return rd, err
			}
			rd.Notes = append(rd.Notes, "The scores file could not be read ("+err.Error()+"): PSNR is not shown.")
		default:
			fvm, fpsnr, hasVMAF, hasPSNR, err := readScores(b)
			if err != nil {
				rd.Notes = append(rd.Notes, "The scores file "+g.ScoresPath+" could not be read ("+err.Error()+"): PSNR is not shown.")
				break
			}
			if hasPSNR {
				psnr = fpsnr
			} else {
				rd.Notes = append(rd.Notes, "The scores file has no psnr_y: PSNR is not shown.")
			}
			if len(vm) == 0 && hasVMAF {
				vm = fvm
			}
		}
	}
	n := max(len(vm), len(psnr))
	rd.Total = n
	series := [][]float64{vm}
	if psnr != nil {
		series = append(series, psnr)
	}
	if lr, ok := lrs[g.ID]; ok && len(lr.ChunkCRFs) > 0 && len(lr.ChunkCRFs) == len(d.Chunks) {
		rd.CRFs = lr.ChunkCRFs
	}
	var extra []int
	if rd.CRFs != nil {
		extra = d.Chunks
	}
	rd.Frames = keepFrames(n, opts.Buckets, series, extra)
	if rd.Frames == nil {
		rd.Frames = []int{}
	}
	rd.VMAF = pick(vm, rd.Frames)
	if psnr != nil {
		rd.PSNR = pick(psnr, rd.Frames)
	}
	if r.QC != nil {
		for _, s := range []struct {
			name string
			q    *report.QCStream
		}{{"source", r.QC.Source}, {g.ID, r.QC.Rungs[g.ID]}} {
			if s.q == nil {
				continue
			}
			for _, e := range s.q.Events {
				rd.Bands = append(rd.Bands, bandData{Start: finite(e.Start), End: finite(e.End), Severity: e.Severity, Label: s.name + ": " + e.Check})
			}
		}
	}
	for _, m := range g.Worst {
		rd.Worst = append(rd.Worst, momentData{Start: m.StartFrame, End: m.EndFrame, Frame: m.Frame, VMAF: finite(m.VMAF),
			Seconds: finite(m.Seconds), TC: m.TC, Source: relURL(m.SourceThumbnail), Rung: relURL(m.RungThumbnail)})
	}
	return rd, nil
}

// rdPoint is one point of a rate–quality series.
type rdPoint struct{ kbps, vmaf float64 }

type rdIn struct {
	label, kind string
	line        bool
	pts         []rdPoint
}

// alignRD puts series on one sorted x axis of every bitrate.
func alignRD(in []rdIn) *rdPlot {
	var xs []float64
	for _, s := range in {
		for _, p := range s.pts {
			if p.kbps > 0 && !math.IsNaN(p.vmaf) {
				xs = append(xs, p.kbps)
			}
		}
	}
	slices.Sort(xs)
	xs = slices.Compact(xs)
	out := &rdPlot{X: append(nums{}, xs...), Series: []rdSeries{}}
	for _, s := range in {
		if len(s.pts) == 0 {
			continue
		}
		y := make(nums, len(xs))
		for i := range y {
			y[i] = math.NaN()
		}
		any := false
		for _, p := range s.pts {
			if p.kbps <= 0 || math.IsNaN(p.vmaf) {
				continue
			}
			i, _ := slices.BinarySearch(xs, p.kbps)
			y[i] = p.vmaf
			any = true
		}
		if any {
			out.Series = append(out.Series, rdSeries{Label: s.label, Kind: s.kind, Line: s.line, Y: y})
		}
	}
	return out
}

func reportRD(r *report.Report) *rdPlot {
	var in []rdIn
	l := r.Ladder
	if l != nil && l.Trials != nil {
		byRes := map[string]*rdIn{}
		var order []string
		codecs := map[string]bool{}
		for _, g := range l.Trials.Grid {
			codecs[g.Codec] = true
		}
		for _, g := range l.Trials.Grid {
			key := fmt.Sprintf("%dx%d", g.Width, g.Height)
			if len(codecs) > 1 {
				key += " " + g.Codec
			}
			s := byRes[key]
			if s == nil {
				s = &rdIn{label: "trials " + key, kind: "grid"}
				byRes[key] = s
				order = append(order, key)
			}
			s.pts = append(s.pts, rdPoint{g.BitrateKbps, g.VMAF})
		}
		for _, k := range order {
			in = append(in, *byRes[k])
		}
		hull := rdIn{label: "hull", kind: "hull", line: true}
		for _, p := range l.Hull {
			hull.pts = append(hull.pts, rdPoint{p.BitrateKbps, p.VMAF})
		}
		pred := rdIn{label: "rungs predicted", kind: "predicted"}
		meas := rdIn{label: "rungs measured", kind: "measured", line: true}
		for _, g := range l.Rungs {
			pred.pts = append(pred.pts, rdPoint{g.PredictedKbps, g.PredictedVMAF})
			meas.pts = append(meas.pts, rdPoint{g.MeasuredKbps, g.MeasuredVMAF})
		}
		in = append(in, hull, pred, meas)
		if ref := l.Reference; ref != nil {
			s := rdIn{label: "reference: " + ref.Name, kind: "reference", line: true}
			for _, g := range ref.Rungs {
				if g.Predicted {
					s.pts = append(s.pts, rdPoint{g.BitrateKbps, g.PredictedVMAF})
				}
			}
			in = append(in, s)
		}
		return alignRD(in)
	}
	meas := rdIn{label: "rungs measured", kind: "measured", line: true}
	for _, g := range r.Rungs {
		meas.pts = append(meas.pts, rdPoint{g.BitrateKbps, g.VMAF.Mean})
	}
	return alignRD([]rdIn{meas})
}

func compareRD(c *ladder.Comparison) *rdPlot {
	conv := func(ps []ladder.ComparePoint) []rdPoint {
		out := make([]rdPoint, len(ps))
		for i, p := range ps {
			out[i] = rdPoint{p.BitrateKbps, p.VMAF}
		}
		return out
	}
	return alignRD([]rdIn{
		{label: "A: " + c.A.Path, kind: "a", line: true, pts: conv(c.A.Points)},
		{label: "B: " + c.B.Path, kind: "b", line: true, pts: conv(c.B.Points)},
		{label: "A dropped", kind: "dropped-a", pts: conv(c.A.Dropped)},
		{label: "B dropped", kind: "dropped-b", pts: conv(c.B.Dropped)},
	})
}
