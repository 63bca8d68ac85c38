package browsertest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPageHelpers: a page's requests and dialogs are recorded (the alert is
// dismissed, so the page goes on), clicks and keys reach it, and a
// full-page screenshot is a PNG.
func TestPageHelpers(t *testing.T) {
	b := Start(t)
	dir := t.TempDir()
	html := `<!doctype html><title>t</title>
<button id=a onclick="document.body.dataset.clicked='yes'">a</button>
<button id=b>b</button><img src="pic.png" alt="a picture">
<script>alert("hello"); document.body.dataset.after = "alert";</script>`
	if err := os.WriteFile(filepath.Join(dir, "p.html"), []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := Serve(t, dir)
	p := b.Open(t, srv.URL+"/media/p.html")
	p.WaitTrue("script after the alert", `document.body.dataset.after === "alert"`, 5*time.Second)
	if d := p.Dialogs(); len(d) != 1 || !strings.Contains(d[0], "hello") {
		t.Errorf("dialogs %q, want the alert", d)
	}
	if r := p.Requests(); !slices.Contains(r, srv.URL+"/media/pic.png") {
		t.Errorf("requests %q, want pic.png", r)
	}
	p.Click("#a")
	p.WaitTrue("click", `document.body.dataset.clicked === "yes"`, 2*time.Second)
	p.Press(KeyTab)
	var focused string
	p.Eval(`document.activeElement.id`, &focused)
	if focused != "b" {
		t.Errorf("after Tab from #a the focus is on %q, want #b", focused)
	}
	shot := filepath.Join(t.TempDir(), "p.png")
	if err := p.FullScreenshot(shot); err != nil {
		t.Fatal(err)
	}
	if png, err := os.ReadFile(shot); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("screenshot: %v, %d bytes", err, len(png))
	}
}
