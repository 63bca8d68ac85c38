package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/browsertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/workflows"
)

// reel serve in a real browser: a finished title and one held at the QC
// gate (whose id tries to inject markup) are listed, the finished one's
// report and package are shown and play, the held one is approved from
// its page (keyboard-reachable) and its workflow then packages it with
// the reviewer's note in report.json; nothing injected runs.
func TestServeReviewersUI(t *testing.T) {
	mediatest.Need(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	b := browsertest.Start(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	port := strconv.Itoa(freePorts(t))
	startWorkerOn(t, state, port)
	hostPort := "127.0.0.1:" + port
	ctx := context.Background()
	prof := writeProfile(t, dir, "gate.yaml", tinyProfileYAML+"qc:\n  black: {severity: blocker}\n")
	clip := func(name, vf string) string {
		p := filepath.Join(dir, name+".mp4")
		mediatest.Clip(t, p, mediatest.ClipOptions{Source: "testsrc2=size=320x240:rate=25:duration=6",
			Audio: "sine=frequency=440:duration=6", VF: vf,
			Codec: "libx264", PixFmt: "yuv420p", AudioCodec: "aac", Shortest: true})
		return p
	}
	conn := []string{"--temporal", hostPort}
	run := func(title, src, out string) (int, string, string) {
		return reel(ctx, append([]string{"run", src, "--no-worker", "--profile", prof, "--out", out, "--title", title}, conn...)...)
	}
	const heldID = `held"'><img src=x onerror=alert(1)><script>alert(2)</script>`
	plainOut, heldOut := filepath.Join(dir, "o-plain"), filepath.Join(dir, "o-held")
	heldSrc := clip("held", "drawbox=enable='between(n,50,124)':color=black:t=fill")
	if code, stdout, stderr := run("plain", clip("plain", "null"), plainOut); code != 0 {
		t.Fatalf("plain title: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := run(heldID, heldSrc, heldOut); code != exitHeld {
		t.Fatalf("held title: exit %d\n%s", code, stderr)
	}

	// reel serve, in this process, on a free port.
	sctx, stopServe := context.WithCancel(ctx)
	var out, errb syncBuffer
	served := make(chan int, 1)
	go func() {
		served <- Run(sctx, &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }},
			append([]string{"serve", "--addr", "127.0.0.1:0", "--reviewer", "qa-bot"}, conn...))
	}()
	t.Cleanup(func() {
		stopServe()
		if code := <-served; code != 0 {
			t.Errorf("reel serve: exit %d\n%s", code, errb.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "\n") {
		if time.Now().After(deadline) {
			t.Fatalf("reel serve did not start: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	base := strings.TrimSuffix(strings.TrimSpace(out.String()), "/")
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("reel serve printed %q", out.String())
	}
	shot := func(p *browsertest.Player, name string) {
		t.Helper()
		if err := p.FullScreenshot(filepath.Join(t.ArtifactDir(), name)); err != nil {
			t.Error(err)
		}
	}
	// tabTo presses Tab until the focused element matches js, at most n
	// times.
	tabTo := func(p *browsertest.Player, what, js string, n int) {
		t.Helper()
		for range n {
			p.Press(browsertest.KeyTab)
			var ok bool
			p.Eval(`Boolean(document.activeElement && (`+js+`))`, &ok)
			if ok {
				return
			}
		}
		t.Fatalf("%s is not reached by Tab", what)
	}

	// The list: both titles, the held one marked, refreshed live.
	p := b.Open(t, base+"/")
	p.WaitTrue("both titles listed", `document.querySelectorAll("a.title-link").length === 2`, 20*time.Second)
	var rows [][]string
	p.Eval(`Array.from(document.querySelectorAll("tr.title")).map(r => [r.querySelector("a").textContent, r.dataset.state]).sort()`, &rows)
	if len(rows) != 2 || rows[0][0] != heldID || rows[0][1] != "held" || rows[1][0] != "plain" || rows[1][1] != "completed" {
		t.Fatalf("list rows %q", rows)
	}
	p.WaitTrue("the list refreshed", `document.getElementById("live").dataset.updated && document.querySelectorAll("a.title-link").length === 2`, 20*time.Second)
	tabTo(p, "a title link", `document.activeElement.classList.contains("title-link")`, 10)
	shot(p, "serve-list.png")

	// The finished title: its report and its package, playing.
	p.Navigate(base + "/titles/plain")
	if _, err := os.Stat(filepath.Join(plainOut, "report.html")); err != nil {
		t.Fatalf("the Report stage wrote no report.html: %v", err)
	}
	// The pipeline's own report.html, in its frame: all four sections drawn
	// (summary, rate–quality plot, a plot per rung, QC events) and its player.
	p.WaitTrue("the report drawn in its frame", `(() => { const f = document.getElementById("report-frame");
		const w = f && f.contentWindow; return w && w.reelReport && w.reelReport.ready && w.document.body.textContent.includes("plain") })()`, 30*time.Second)
	var sections struct {
		Errors          []string
		RD, Rungs       int
		Rows            int
		Player, Summary bool
	}
	p.Eval(`(() => { const w = document.getElementById("report-frame").contentWindow, d = w.document, R = w.reelReport;
		return {Errors: R.errors || [], RD: R.plots.filter(e => e.id === "rd-plot").length,
			Rungs: R.plots.filter(e => e.id.startsWith("rung-plot-")).length,
			Rows: d.querySelectorAll("#events tbody tr").length,
			Player: d.getElementById("player") !== null, Summary: d.getElementById("title-id") !== null} })()`, &sections)
	plainRep := readReport(t, filepath.Join(plainOut, "report.json"))
	events := 0
	if q := plainRep.QC; q != nil {
		if q.Source != nil {
			events += len(q.Source.Events)
		}
		for _, r := range q.Rungs {
			events += len(r.Events)
		}
	}
	if len(sections.Errors) > 0 || sections.RD != 1 || sections.Rungs != len(plainRep.Rungs) || sections.Rows != events || !sections.Player || !sections.Summary {
		t.Fatalf("report.html sections %+v; report has %d rungs, %d QC events", sections, len(plainRep.Rungs), events)
	}
	p.Eval(`(document.getElementById("player").play(), true)`, nil)
	p.WaitTrue("the package plays in hls.js", `window.reelHls && document.getElementById("player").currentTime > 1`, 30*time.Second)
	shot(p, "serve-title.png")

	// The held title: its blockers, and Approve reached by Tab.
	p.Navigate(base + "/titles/" + url.PathEscape(heldID))
	var h1 string
	p.Eval(`document.getElementById("title-id").textContent`, &h1)
	if h1 != heldID {
		t.Fatalf("held title's heading %q", h1)
	}
	p.WaitTrue("blockers listed", `document.querySelectorAll("#gate table.blockers tbody tr").length === 2`, 5*time.Second)
	// Its rung, before it is packaged: a blocker's Show seeks to it.
	p.Click("button.seek")
	p.WaitTrue("the rung at the blocker", `document.getElementById("rung-player").currentTime >= 2`, 20*time.Second)
	p.Eval(`document.getElementById("rung-player").pause(), document.body.focus(), window.scrollTo(0, 0), true`, nil)
	tabTo(p, "the Approve button", `document.activeElement.id === "approve"`, 40)
	shot(p, "serve-held.png")
	const note = `black is the director's cut <b>"ok"</b>`
	p.Type("#note", note)
	p.Click("#approve")
	p.WaitTrue("the decision sent", `location.search.includes("reviewed=approve") && document.getElementById("reviewed") !== null`, 20*time.Second)

	// The workflow goes on: packaged, the review in report.json.
	code, stdout, stderr := run(heldID, heldSrc, heldOut) // the same request: joins the run and waits
	if code != 0 || !strings.Contains(stdout, "QC gate: approved") {
		t.Fatalf("approved title: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(heldOut, "package", "master.m3u8")); err != nil {
		t.Errorf("approved title not packaged: %v", err)
	}
	rep := readReport(t, filepath.Join(heldOut, "report.json"))
	if g := rep.Gate; g == nil || g.State != workflows.GateApproved || g.Review == nil || g.Review.Note != note || g.Review.By != "qa-bot" {
		t.Fatalf("report gate %+v", rep.Gate)
	}
	// Its page once finished (report and package of the injecting id).
	p.Navigate(base + "/titles/" + url.PathEscape(heldID))
	p.WaitTrue("the finished held title", `document.getElementById("state").textContent === "completed"`, 10*time.Second)
	p.WaitTrue("its report drawn", `(() => { const f = document.getElementById("report-frame");
		const w = f && f.contentWindow; return w && w.reelReport && w.reelReport.ready })()`, 30*time.Second)
	time.Sleep(500 * time.Millisecond) // time for an injected handler to fire
	if d := p.Dialogs(); len(d) != 0 {
		t.Fatalf("injected script ran: dialogs %q", d)
	}
	for _, r := range p.Requests() {
		if !strings.HasPrefix(r, base) && !strings.HasPrefix(r, "blob:") && !strings.HasPrefix(r, "data:") {
			t.Errorf("request outside reel serve: %s", r)
		}
	}
}
