package reporthtml

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/browsertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/packager"
	"github.com/reel-video/reel/report"
)

var (
	browserOnce sync.Once
	browser     *browsertest.Browser
	browserErr  error
)

// chromium returns the package's shared headless Chromium, or skips.
func chromium(t *testing.T) *browsertest.Browser {
	t.Helper()
	if _, err := browsertest.Chromium(); err != nil {
		t.Skip(err)
	}
	browserOnce.Do(func() { browser, browserErr = browsertest.Launch() })
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browser
}

func TestMain(m *testing.M) {
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	os.Exit(code)
}

// packaged makes a real title's output directory: two H.264 rungs of a
// 10 s clip at 25 fps packaged as HLS under package/, and the report's
// files (scores, thumbnails) beside them; it returns the report.
func packaged(t *testing.T, f fixture) (string, *report.Report) {
	t.Helper()
	mediatest.Need(t)
	dir := t.TempDir()
	src := t.TempDir()
	var rs []packager.Rendition
	for _, g := range f.rungs {
		p := filepath.Join(src, g.id+".mp4")
		mediatest.Clip(t, p, mediatest.ClipOptions{Size: fmt.Sprintf("%dx%d", g.w, g.h), Rate: "25", Frames: f.frames,
			Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p",
			Extra: mediatest.Args{"x264-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0", "tag:v": "avc1"}})
		rs = append(rs, packager.Rendition{ID: g.id, Path: p, Kind: packager.Video})
	}
	res, err := packager.Package(context.Background(), packager.DirSink(filepath.Join(dir, "package")), rs,
		packager.Options{SegmentSeconds: 2, Formats: []packager.Format{packager.HLS}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.build(t, dir)
	r.Package = &report.Package{Master: "package/" + res.Master, SegmentSeconds: 2, DurationSec: res.Duration}
	return dir, r
}

func writePage(t *testing.T, dir, name string, r *report.Report) {
	t.Helper()
	out, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := Write(context.Background(), out, r, DirFiles(dir), Options{}); err != nil {
		t.Fatal(err)
	}
}

// wantSeries is what each plot should draw for r read with its files:
// the rate–quality plot one series per trial resolution, the hull, the
// rungs predicted and measured and the reference (measured only for a
// fixed ladder); a rung plot VMAF, PSNR when it has a scores file and
// the chunk CRFs when the ladder has them.
func wantSeries(r *report.Report) map[string]int {
	want := map[string]int{}
	l := r.Ladder
	if l != nil && l.Trials != nil {
		res := map[string]bool{}
		for _, g := range l.Trials.Grid {
			res[fmt.Sprint(g.Width, g.Height)] = true
		}
		want["rd-plot"] = len(res) + 3
		if l.Reference != nil {
			want["rd-plot"]++
		}
	} else {
		want["rd-plot"] = 1
	}
	for i, g := range r.Rungs {
		n := 1
		if g.ScoresPath != "" {
			n++
		}
		if l != nil && slices.ContainsFunc(l.Rungs, func(lr report.LadderRung) bool { return lr.ID == g.ID && len(lr.ChunkCRFs) > 0 }) {
			n++
		}
		want[fmt.Sprintf("rung-plot-%d", i)] = n
	}
	return want
}

type plotInfo struct {
	ID     string `json:"id"`
	Series int    `json:"series"`
	Drawn  int    `json:"drawn"`
	Points int    `json:"points"`
	Full   bool   `json:"full"`
	Canvas bool   `json:"canvas"`
}

func plots(p *browsertest.Player) []plotInfo {
	var out []plotInfo
	p.Eval(`reelReport.plots.map(e => ({id: e.id, series: e.series, drawn: e.plot.series.length - 1, points: e.plot.data[0].length,
		full: !!e.full, canvas: !!document.querySelector('#' + e.id + ' canvas')}))`, &out)
	return out
}

func allEvents(r *report.Report) []report.QCEvent {
	var out []report.QCEvent
	if r.QC == nil {
		return nil
	}
	if r.QC.Source != nil {
		out = append(out, r.QC.Source.Events...)
	}
	for _, q := range r.QC.Rungs {
		out = append(out, q.Events...)
	}
	return out
}

// TestReportInBrowser opens a real title's report.html in Chromium: every
// section is drawn with the series the report implies, the events table
// sorts, filters and seeks the player, images have alt text, and nothing
// is fetched from anywhere but the page's server.
func TestReportInBrowser(t *testing.T) {
	b := chromium(t)
	f := small()
	dir, r := packaged(t, f)
	writePage(t, dir, FileName, r)
	srv := browsertest.Serve(t, dir)
	start := time.Now()
	p := b.Open(t, srv.URL+"/media/"+FileName)
	p.WaitTrue("the page drawn", `window.reelReport && reelReport.ready`, 15*time.Second)
	t.Logf("drawn in %v (page's own count %v)", time.Since(start).Round(time.Millisecond), evalFloat(p, `reelReport.drawnMs`))

	// Every plot is on a canvas with the series the report implies.
	want := wantSeries(r)
	got := plots(p)
	if len(got) != len(want) {
		t.Fatalf("%d plots %+v, want %d", len(got), got, len(want))
	}
	for _, pl := range got {
		if !pl.Canvas || pl.Series != want[pl.ID] || pl.Drawn != want[pl.ID] || pl.Points == 0 {
			t.Errorf("plot %+v, want %d series drawn on a canvas", pl, want[pl.ID])
		}
	}
	for _, sec := range []string{"#summary", "#rd-plot canvas", "#rung-list canvas", "#events tbody tr", "#player"} {
		var n int
		p.Eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, sec), &n)
		if n == 0 {
			t.Errorf("no %s", sec)
		}
	}

	// The events table: exactly the report's events.
	events := allEvents(r)
	rows := func() []int {
		var idx []int
		p.Eval(`[...document.querySelectorAll('#events tbody tr')].map(tr => +tr.dataset.index)`, &idx)
		return idx
	}
	if n := len(rows()); n != len(events) {
		t.Fatalf("%d event rows, want %d", n, len(events))
	}
	var checks []string
	p.Eval(`[...document.querySelectorAll('#events tbody tr td:first-child')].map(td => td.textContent)`, &checks)
	for _, e := range events {
		if !slices.Contains(checks, e.Check) {
			t.Errorf("event %s not in the table (%q)", e.Check, checks)
		}
	}
	// Sorting: by check (click), then descending (Enter on the header).
	// The player above the table changes height when its metadata loads:
	// click once the layout is settled, or the click lands elsewhere.
	p.WaitTrue("the player's metadata", `document.getElementById('player').readyState >= 1`, 20*time.Second)
	p.Click(`#events th button[data-key="check"]`)
	p.WaitTrue("sorted ascending", `document.querySelector('#events th button[data-key="check"]').getAttribute('aria-sort') === 'ascending'`, 5*time.Second)
	p.Eval(`[...document.querySelectorAll('#events tbody tr td:first-child')].map(td => td.textContent)`, &checks)
	if !slices.IsSorted(checks) {
		t.Errorf("sorted by check: %q", checks)
	}
	p.Eval(`document.querySelector('#events th button[data-key="check"]').focus()`, nil)
	p.Press(browsertest.KeyEnter)
	p.WaitTrue("sorted descending", `document.querySelector('#events th button[data-key="check"]').getAttribute('aria-sort') === 'descending'`, 5*time.Second)
	p.Eval(`[...document.querySelectorAll('#events tbody tr td:first-child')].map(td => td.textContent)`, &checks)
	if !slices.IsSortedFunc(checks, func(a, b string) int { return -cmp.Compare(a, b) }) {
		t.Errorf("sorted by check, descending: %q", checks)
	}
	// Filtering by severity.
	for _, sev := range []string{"warning", "blocker", ""} {
		n := 0
		for _, e := range events {
			if sev == "" || e.Severity == sev {
				n++
			}
		}
		p.Eval(fmt.Sprintf(`(s => { s.value = %q; s.dispatchEvent(new Event('change')); })(document.getElementById('severity-filter'))`, sev), nil)
		var sevs []string
		p.Eval(`[...document.querySelectorAll('#events tbody td.severity')].map(td => td.textContent)`, &sevs)
		if len(sevs) != n || (sev != "" && slices.ContainsFunc(sevs, func(s string) bool { return s != sev })) {
			t.Errorf("filter %q: rows %q, want %d", sev, sevs, n)
		}
	}

	// Seeking: the player has the title; a click on an event row and Enter
	// on a focused row move it to the event's start.
	p.WaitTrue("the player's metadata", `document.getElementById('player').readyState >= 1`, 20*time.Second)
	frame := 1 / f.fps
	seekTo := func(how string, do func(i int), i int) {
		t.Helper()
		var start float64
		p.Eval(fmt.Sprintf(`reelReport.data.events[%d].start`, i), &start)
		do(i)
		p.WaitTrue(how+" seeks", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %g) <= %g`, start, 2*frame), 10*time.Second)
		var shown string
		p.Eval(`document.getElementById('player-time').textContent`, &shown)
		if !strings.Contains(shown, timecode(int(math.Round(start*f.fps)), f.fps)) {
			t.Errorf("%s: the player shows %q, want the event's timecode", how, shown)
		}
	}
	seekTo("a click on an event", func(i int) { p.Click(fmt.Sprintf(`#events tbody tr[data-index="%d"]`, i)) }, 1)
	seekTo("Enter on a focused event", func(i int) {
		p.Eval(fmt.Sprintf(`document.querySelector('#events tbody tr[data-index="%d"]').focus()`, i), nil)
		p.Press(browsertest.KeyEnter)
	}, 3)
	// A worst moment seeks too.
	m := r.Rungs[0].Worst[0]
	p.Click(`#rung-0 .moment`)
	p.WaitTrue("a worst moment seeks", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %g) <= %g`, m.Seconds, 2*frame), 10*time.Second)

	// Enter on a focused moment of the second rung seeks too.
	m = r.Rungs[1].Worst[1]
	p.Eval(`document.querySelectorAll('#rung-1 .moment')[1].focus()`, nil)
	p.Press(browsertest.KeyEnter)
	p.WaitTrue("Enter on a worst moment seeks", fmt.Sprintf(`Math.abs(document.getElementById('player').currentTime - %g) <= %g`, m.Seconds, 2*frame), 10*time.Second)

	// Images: every one has alt text and loaded (real JPEGs).
	var imgs []struct {
		Alt    string `json:"alt"`
		Src    string `json:"src"`
		Loaded bool   `json:"loaded"`
	}
	p.Eval(`[...document.images].map(i => ({alt: i.alt, src: i.src, loaded: i.complete && i.naturalWidth > 0}))`, &imgs)
	wantImgs := 2*len(r.Rungs[0].Worst) + 2*len(r.Rungs[1].Worst)
	for _, e := range events {
		if e.Thumbnail != "" {
			wantImgs++
		}
	}
	if len(imgs) != wantImgs {
		t.Errorf("%d images, want %d", len(imgs), wantImgs)
	}
	p.Eval(`document.querySelectorAll('img').forEach(i => i.loading = 'eager')`, nil)
	p.WaitTrue("the thumbnails loaded", `[...document.images].every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second)
	for _, im := range imgs {
		if strings.TrimSpace(im.Alt) == "" {
			t.Errorf("image %s has no alt text", im.Src)
		}
	}

	// Full resolution: the button fetches the scores file and redraws.
	p.Click(`#full-res-0`)
	p.WaitTrue("every frame drawn", `reelReport.plots.find(e => e.id === 'rung-plot-0').full`, 10*time.Second)
	for _, pl := range plots(p) {
		if pl.ID == "rung-plot-0" && (pl.Points != f.frames || pl.Drawn != want[pl.ID]) {
			t.Errorf("full resolution: %+v, want %d points", pl, f.frames)
		}
	}

	if err := p.FullScreenshot(filepath.Join(t.ArtifactDir(), "report.png")); err != nil {
		t.Error(err)
	}
	checkOffline(t, p, srv.URL)
}

// checkOffline fails t when the page asked anything of another server,
// logged an error or opened a dialog.
func checkOffline(t *testing.T, p *browsertest.Player, origin string) {
	t.Helper()
	for _, u := range p.Requests() {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "blob:"+origin+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("request to %s: not the page's server", u)
		}
	}
	for _, m := range p.Console() {
		if strings.HasPrefix(m, "error") || strings.HasPrefix(m, "exception") {
			t.Errorf("console: %s", m)
		}
	}
	var errs []string
	p.Eval(`reelReport.errors`, &errs)
	if len(errs) > 0 {
		t.Errorf("page errors: %q", errs)
	}
	if d := p.Dialogs(); len(d) > 0 {
		t.Errorf("dialogs: %q", d)
	}
}

func evalFloat(p *browsertest.Player, js string) float64 {
	var v float64
	p.Eval(js, &v)
	return v
}

// TestReportXSSInBrowser: hostile strings in the title id, the source's
// metadata, QC details and the gate's review are shown as text; nothing
// they hold runs.
func TestReportXSSInBrowser(t *testing.T) {
	b := chromium(t)
	f := small()
	f.hostile = hostileAll
	dir := t.TempDir()
	r, _ := f.build(t, dir)
	// A thumbnail path that reads as a javascript: URL stays a relative
	// path: the file by that name is shown.
	r.Rungs[0].Worst[0].SourceThumbnail = "javascript:window.__xss=3"
	if err := os.WriteFile(filepath.Join(dir, "javascript:window.__xss=3"), jpegOf(t, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	writePage(t, dir, FileName, r)
	srv := browsertest.Serve(t, dir)
	p := b.Open(t, srv.URL+"/media/"+FileName)
	p.WaitTrue("the page drawn", `window.reelReport && reelReport.ready`, 15*time.Second)
	var xss string
	p.Eval(`typeof window.__xss`, &xss)
	if xss != "undefined" {
		t.Errorf("window.__xss is %s: a payload ran", xss)
	}
	var injected int
	p.Eval(`document.querySelectorAll('svg, img[src="x"], img[src$="/x"]').length`, &injected)
	if injected != 0 {
		t.Errorf("%d injected elements in the page", injected)
	}
	for _, c := range []struct{ css, want string }{
		{"#title-id", "title-" + hostileAll},
		{"#source-path", "/media/src/" + hostileAll + ".mov"},
		{"#gate-decision q", "intended freeze" + hostileAll},
		{"#rung-0 h3", "h264" + hostileAll},
		{"#events tbody", "detail of black" + hostileAll},
		{"#events tbody", "black" + hostileAll},
	} {
		var text string
		p.Eval(fmt.Sprintf(`document.querySelector(%q).textContent`, c.css), &text)
		if !strings.Contains(text, c.want) {
			t.Errorf("%s shows %q, want it to hold %q literally", c.css, text, c.want)
		}
	}
	p.Eval(`document.querySelectorAll('img').forEach(i => i.loading = 'eager')`, nil)
	p.WaitTrue("the thumbnails loaded", `[...document.images].every(i => i.complete && i.naturalWidth > 0)`, 10*time.Second)
	// Clicks on the hostile rows and moments run nothing either.
	p.Click(`#events tbody tr`)
	p.Click(`#rung-0 .moment`)
	p.Eval(`typeof window.__xss`, &xss)
	if xss != "undefined" || len(p.Dialogs()) > 0 {
		t.Errorf("after clicks: window.__xss %s, dialogs %q", xss, p.Dialogs())
	}
	checkOffline(t, p, srv.URL)
}

var (
	twoHoursOnce  sync.Once
	twoHoursRep   *report.Report
	twoHoursFiles memFiles
)

// twoHoursShared is twoHours, built once for the package's tests.
func twoHoursShared(t testing.TB) (*report.Report, memFiles) {
	twoHoursOnce.Do(func() { twoHoursRep, twoHoursFiles = twoHours(t) })
	return twoHoursRep, twoHoursFiles
}

// drawTwoHours serves the two-hour page and returns how long Chromium
// took from navigation to every plot drawn, and the plots.
func drawTwoHours(t testing.TB, b *browsertest.Browser, dir string) (time.Duration, []plotInfo) {
	p := b.Open(t, "about:blank")
	start := time.Now()
	p.Navigate(dir + "/" + FileName)
	p.WaitTrue("the two-hour page drawn", `window.reelReport && reelReport.ready`, 60*time.Second)
	took := time.Since(start)
	return took, plots(p)
}

// TestTwoHoursInBrowser: the two-hour, six-rung page draws every plot
// with a bounded number of points.
func TestTwoHoursInBrowser(t *testing.T) {
	b := chromium(t)
	r, files := twoHoursShared(t)
	dir := t.TempDir()
	var buf strings.Builder
	if err := Write(context.Background(), &buf, r, files, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(buf.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := browsertest.Serve(t, dir)
	took, got := drawTwoHours(t, b, srv.URL+"/media")
	t.Logf("two hours × %d rungs (%d bytes): drawn in %v", len(r.Rungs), buf.Len(), took.Round(time.Millisecond))
	want := wantSeries(r)
	if len(got) != len(want) {
		t.Fatalf("%d plots, want %d", len(got), len(want))
	}
	for _, pl := range got {
		if !pl.Canvas || pl.Drawn != want[pl.ID] {
			t.Errorf("plot %+v, want %d series", pl, want[pl.ID])
		}
		if strings.HasPrefix(pl.ID, "rung-plot-") && pl.Points > 2+4*DefaultBuckets+len(r.Chunks.Plan) {
			t.Errorf("plot %s has %d points", pl.ID, pl.Points)
		}
	}
}

// BenchmarkDrawTwoHours reports the ms Chromium takes to load and draw the
// two-hour, six-rung report.html (bench/report.sh runs it).
func BenchmarkDrawTwoHours(b *testing.B) {
	if _, err := browsertest.Chromium(); err != nil {
		b.Skip(err)
	}
	br, err := browsertest.Launch()
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	r, files := twoHoursShared(b)
	dir := b.TempDir()
	var buf strings.Builder
	if err := Write(context.Background(), &buf, r, files, Options{}); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(buf.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	srv := browsertest.Serve(b, dir)
	b.ResetTimer()
	var total time.Duration
	for range b.N {
		took, _ := drawTwoHours(b, br, srv.URL+"/media")
		total += took
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/draw")
	b.ReportMetric(float64(buf.Len()), "page-bytes")
}

// TestCompareInBrowser: the comparison page draws both ladders and the
// dropped points on one plot.
func TestCompareInBrowser(t *testing.T) {
	b := chromium(t)
	a := ladder.CompareCurve{Path: "a.json", Points: []ladder.ComparePoint{{BitrateKbps: 145, VMAF: 35}, {BitrateKbps: 730, VMAF: 64}, {BitrateKbps: 2000, VMAF: 80}, {BitrateKbps: 6000, VMAF: 94}}}
	bb := ladder.CompareCurve{Path: "b.json", Points: []ladder.ComparePoint{{BitrateKbps: 120, VMAF: 35}, {BitrateKbps: 600, VMAF: 64}, {BitrateKbps: 900, VMAF: 60}, {BitrateKbps: 1700, VMAF: 80}, {BitrateKbps: 5000, VMAF: 94}}}
	bb.MakeMonotone()
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "compare.html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCompare(out, ladder.Compare(a, bb), Options{}); err != nil {
		t.Fatal(err)
	}
	out.Close()
	srv := browsertest.Serve(t, dir)
	p := b.Open(t, srv.URL+"/media/compare.html")
	p.WaitTrue("the page drawn", `window.reelReport && reelReport.ready`, 10*time.Second)
	got := plots(p)
	// A, B and B's dropped point (A dropped none).
	if len(got) != 1 || got[0].Drawn != 3 || !got[0].Canvas || got[0].Points != 9 {
		t.Errorf("plots %+v, want one of 3 series over 9 bitrates", got)
	}
	checkOffline(t, p, srv.URL)
	if err := p.FullScreenshot(filepath.Join(t.ArtifactDir(), "compare.png")); err != nil {
		t.Error(err)
	}
}

// TestMinimalReportInBrowser: a report with nothing but a title (no
// rungs, QC, ladder or package) still makes a page that says so, without
// script errors.
func TestMinimalReportInBrowser(t *testing.T) {
	b := chromium(t)
	dir := t.TempDir()
	writePage(t, dir, FileName, &report.Report{SchemaVersion: report.SchemaVersion, Title: report.Title{ID: "empty"}})
	srv := browsertest.Serve(t, dir)
	p := b.Open(t, srv.URL+"/media/"+FileName)
	p.WaitTrue("the page drawn", `window.reelReport && reelReport.ready`, 10*time.Second)
	var text string
	p.Eval(`document.body.textContent`, &text)
	for _, want := range []string{"not packaged", "No rate–quality points", "No rungs in this report", "0 of 0 events", "No QC gate"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	checkOffline(t, p, srv.URL)
}
