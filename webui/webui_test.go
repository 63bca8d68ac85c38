package webui

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reel-video/reel/internal/s3test"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/workflows"
)

const secret = "TOPSECRET-outside-the-output"

// outputFiles are a title's output files and their content.
var outputFiles = map[string]string{
	"report.json":              `{"title_id":"done"}`,
	"report.html":              `<!DOCTYPE html><title>r</title><script>document.title="ok"</script>`,
	"package/master.m3u8":      "#EXTM3U\n",
	"package/manifest.mpd":     `<?xml version="1.0"?><MPD/>`,
	"package/v0/seg-1.m4s":     strings.Repeat("0123456789", 100),
	"package/v0/init.mp4":      "init",
	"qc/thumbs/180p-black.jpg": "\xff\xd8\xff\xe0jpeg",
	"rungs/180p.mp4":           "mp4",
	"notes.bin":                "<html><script>alert(1)</script>",
}

// writeOutput lays out an output directory beside files it must not
// reach: a secret next to it, a secret in a sibling whose name starts
// like it, links out of it and one inside it.
func writeOutput(t *testing.T) (dir, out string) {
	t.Helper()
	dir = t.TempDir()
	out = filepath.Join(dir, "out")
	for name, content := range outputFiles {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(dir, "secret.txt"), filepath.Join(dir, "out2", "secret.txt")} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(secret), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"escape":  "../secret.txt",
		"abs":     filepath.Join(dir, "secret.txt"),
		"dirlink": "../out2",
		"inside":  "report.json",
	} {
		if err := os.Symlink(target, filepath.Join(out, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir, out
}

const xssTitle = `x<script>alert(1)</script>"'><img src=x onerror=alert(2)>`

func newTestServer(t *testing.T, out string, cfg Config) (*Server, *fakeClient) {
	t.Helper()
	f := newFake()
	since := time.Date(2026, 12, 7, 0, 30, 0, 0, time.UTC)
	f.add(&fakeTitle{title: "done", status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, out: out})
	f.add(&fakeTitle{title: "held", status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, out: out,
		progress: workflows.Progress{TitleID: "held",
			Stages: []workflows.Stage{{Name: "probe", State: workflows.StateDone}, {Name: "gate", Activity: "GateCheck", State: workflows.StateRunning}},
			Gate: &workflows.GateState{Mode: "hold", State: workflows.GateHeld, HeldSince: &since,
				Blockers: []workflows.Blocker{{Check: "black", Stream: "source", StartTC: "00:00:02:00", EndTC: "00:00:04:24", Thumbnail: "qc/thumbs/180p-black.jpg", Detail: `<b>"bold"</b>`}}}}})
	f.add(&fakeTitle{title: xssTitle, status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, out: out,
		progress: workflows.Progress{TitleID: xssTitle, Stages: []workflows.Stage{{Name: "encode", Activity: "EncodeChunk", State: workflows.StateRunning, Done: 1, Total: 4}}}})
	f.add(&fakeTitle{title: "broken", status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, out: out, err: fmt.Errorf("probe: <script>alert(3)</script>")})
	cfg.Client = f
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

// get serves a raw request target (as a client sent it, unnormalised).
func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// traversalCases are request targets under a title "done" whose output
// holds outputFiles; want is the body for those that must be served, ""
// for those that must not (any status but 2xx, and no secret).
var traversalCases = []struct {
	target, want string
}{
	{"/titles/done/files/report.json", outputFiles["report.json"]},
	{"/titles/done/files/package/v0/seg-1.m4s", outputFiles["package/v0/seg-1.m4s"]},
	{"/titles/done/files/qc/thumbs/180p-black.jpg", outputFiles["qc/thumbs/180p-black.jpg"]},
	{"/titles/done/files/../secret.txt", ""},
	{"/titles/done/files/../../secret.txt", ""},
	{"/titles/done/files/..%2fsecret.txt", ""},
	{"/titles/done/files/..%2Fsecret.txt", ""},
	{"/titles/done/files/%2e%2e/secret.txt", ""},
	{"/titles/done/files/%2E%2E/secret.txt", ""},
	{"/titles/done/files/%2e%2e%2fsecret.txt", ""},
	{"/titles/done/files/%252e%252e/secret.txt", ""},
	{"/titles/done/files/%252e%252e%252fsecret.txt", ""},
	{"/titles/done/files/package/..%2f..%2fsecret.txt", ""},
	{"/titles/done/files/package/%2e%2e/%2e%2e/secret.txt", ""},
	{"/titles/done/files/..%5csecret.txt", ""},
	{`/titles/done/files/..\secret.txt`, ""},
	{"/titles/done/files/%2fetc%2fpasswd", ""},
	{"/titles/done/files//etc/passwd", ""},
	{"/titles/done/files/" + url.PathEscape(secretPathPlaceholder), ""},
	{"/titles/done/files/report.json%00", ""},
	{"/titles/done/files/report%00.json", ""},
	{"/titles/done/files/report%0a.json", ""},
	{"/titles/done/files/./report.json", ""},
	{"/titles/done/files/package//master.m3u8", ""},
	{"/titles/done/files/", ""},
	{"/titles/done/files/package", ""},
	{"/titles/done/files/escape", ""},
	{"/titles/done/files/abs", ""},
	{"/titles/done/files/dirlink/secret.txt", ""},
	{"/titles/..%2f..%2fout2/files/secret.txt", ""},
	{"/titles/nosuch/files/report.json", ""},
	{"/titles/done%2f..%2f..%2f/files/secret.txt", ""},
}

// secretPathPlaceholder is replaced by the absolute path of the secret.
const secretPathPlaceholder = "ABS-SECRET"

func checkTraversal(t *testing.T, h http.Handler, secretAbs string) {
	t.Helper()
	for _, c := range traversalCases {
		target := strings.ReplaceAll(c.target, url.PathEscape(secretPathPlaceholder), url.PathEscape(secretAbs))
		w := get(t, h, target)
		body := w.Body.String()
		if c.want != "" {
			if w.Code != http.StatusOK || body != c.want {
				t.Errorf("%s: %d %q, want 200 %q", target, w.Code, body, c.want)
			}
			continue
		}
		if w.Code < 300 || strings.Contains(body, secret) {
			t.Errorf("%s: %d %q, want refused", target, w.Code, body)
		}
		if loc := w.Header().Get("Location"); loc != "" {
			// A redirect (the mux cleaning a path) may lead to a file of
			// the output, never out of it.
			if w2 := get(t, h, loc); strings.Contains(w2.Body.String(), secret) {
				t.Errorf("%s → %s: %d %q", target, loc, w2.Code, w2.Body.String())
			}
		}
	}
}

func TestFilesStayInsideLocalOutput(t *testing.T) {
	t.Parallel()
	dir, out := writeOutput(t)
	s, _ := newTestServer(t, out, Config{})
	checkTraversal(t, s, filepath.Join(dir, "secret.txt"))
	// A link inside the output is served.
	if w := get(t, s, "/titles/done/files/inside"); w.Code != 200 || w.Body.String() != outputFiles["report.json"] {
		t.Errorf("link inside: %d %q", w.Code, w.Body.String())
	}
}

func TestFilesStayInsideS3Output(t *testing.T) {
	t.Parallel()
	srv, err := s3test.Start(t.TempDir())
	if err != nil {
		t.Skipf("no S3 server: %v", err)
	}
	t.Cleanup(srv.Stop)
	ctx := context.Background()
	b, err := srv.NewBucket(ctx, "outs")
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, content string) {
		if err := b.Put(ctx, key, strings.NewReader(content), int64(len(content))); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range outputFiles {
		put("titles/done/"+name, content)
	}
	put("titles/secret.txt", secret)
	put("titles/done2/secret.txt", secret)
	put("secret.txt", secret)
	s, _ := newTestServer(t, "s3://outs/titles/done", Config{Stores: store.New(mezzfs.Options{S3: srv.Options()})})
	checkTraversal(t, s, "/secret.txt")
	w := get(t, s, "/titles/done/files/package/v0/seg-1.m4s", "Range", "bytes=10-19")
	if w.Code != http.StatusPartialContent || w.Body.String() != "0123456789" || w.Header().Get("Content-Type") != "video/iso.segment" {
		t.Errorf("range of an object: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
}

func TestContentTypesAndHeaders(t *testing.T) {
	t.Parallel()
	_, out := writeOutput(t)
	s, _ := newTestServer(t, out, Config{})
	for _, c := range []struct{ file, ctype string }{
		{"package/master.m3u8", "application/vnd.apple.mpegurl"},
		{"package/manifest.mpd", "application/dash+xml"},
		{"package/v0/seg-1.m4s", "video/iso.segment"},
		{"package/v0/init.mp4", "video/mp4"},
		{"rungs/180p.mp4", "video/mp4"},
		{"report.json", "application/json"},
		{"qc/thumbs/180p-black.jpg", "image/jpeg"},
		{"report.html", "text/html; charset=utf-8"},
		{"notes.bin", "application/octet-stream"}, // HTML inside, never sniffed
	} {
		w := get(t, s, "/titles/done/files/"+c.file)
		h := w.Header()
		if w.Code != 200 || h.Get("Content-Type") != c.ctype || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d %q nosniff %q, want %q", c.file, w.Code, h.Get("Content-Type"), h.Get("X-Content-Type-Options"), c.ctype)
		}
		csp := h.Get("Content-Security-Policy")
		if c.ctype == "text/html; charset=utf-8" {
			if !strings.Contains(csp, "script-src 'self' 'unsafe-inline'") || strings.Contains(csp, "http") || !strings.Contains(csp, "frame-ancestors 'self'") {
				t.Errorf("%s: CSP %q", c.file, csp)
			}
		} else if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("%s: CSP %q", c.file, csp)
		}
	}
	w := get(t, s, "/titles/done/files/package/v0/seg-1.m4s", "Range", "bytes=990-")
	if w.Code != http.StatusPartialContent || w.Body.String() != "0123456789" || w.Header().Get("Content-Range") != "bytes 990-999/1000" {
		t.Errorf("range: %d %q %v", w.Code, w.Body.String(), w.Header())
	}
	// The pages: their own policy, no inline script.
	for _, p := range []string{"/", "/titles/held", "/titles/done"} {
		w := get(t, s, p)
		csp := w.Header().Get("Content-Security-Policy")
		if w.Code != 200 || csp != pageCSP || strings.Contains(csp, "unsafe-inline") || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d CSP %q", p, w.Code, csp)
		}
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(w.Body.String()) &&
			!regexp.MustCompile(`<script type="application/json" id="page-data">`).MatchString(w.Body.String()) {
			t.Errorf("%s: inline script", p)
		}
	}
	if w := get(t, s, "/static/vendor/hls.js/hls.min.js"); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "javascript") {
		t.Errorf("hls.js: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	if w := get(t, s, "/static/app/app.js"); w.Code != 200 || !strings.Contains(w.Body.String(), "page-data") {
		t.Errorf("app.js: %d", w.Code)
	}
}

func TestPagesEscapeTitleData(t *testing.T) {
	t.Parallel()
	_, out := writeOutput(t)
	s, _ := newTestServer(t, out, Config{})
	list := get(t, s, "/")
	body := list.Body.String()
	if list.Code != 200 {
		t.Fatalf("list: %d %s", list.Code, body)
	}
	for _, bad := range []string{"<script>alert", "<img src=x", `"'>`, "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("list holds %q unescaped", bad)
		}
	}
	for _, want := range []string{">done</a>", ">held</a>", "held at QC gate", "1 blockers", "x&lt;script&gt;alert(1)&lt;/script&gt;", "probe: &lt;script&gt;", `href="/titles/x%3Cscript%3Ealert%281%29%3C%2Fscript%3E%22%27%3E%3Cimg%20src=x%20onerror=alert%282%29%3E"`} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q:\n%s", want, body)
		}
	}
	// The XSS title's own page, reached by its link.
	w := get(t, s, "/titles/"+url.PathEscape(xssTitle))
	if w.Code != 200 || strings.Contains(w.Body.String(), "<script>alert") || !strings.Contains(w.Body.String(), "x&lt;script&gt;") {
		t.Errorf("xss title page: %d\n%s", w.Code, w.Body.String())
	}
	held := get(t, s, "/titles/held").Body.String()
	for _, want := range []string{`<video id="rung-player" controls muted playsinline preload="metadata" src="/titles/held/files/rungs/180p.mp4">`,
		`data-href="/titles/held/files/rungs/180p.mp4" data-name="180p">180p</button>`, `class="seek" data-seconds="2" data-stream="source"`} {
		if !strings.Contains(held, want) {
			t.Errorf("held page lacks %s", want)
		}
	}
	if strings.Contains(held, "<b>") || !strings.Contains(held, "&lt;b&gt;") || !strings.Contains(held, `src="/titles/held/files/qc/thumbs/180p-black.jpg"`) {
		t.Errorf("held page: blocker detail or thumbnail\n%s", held)
	}
	if w := get(t, s, "/api/titles?q=HEL"); !strings.Contains(w.Body.String(), `"title_id":"held"`) || strings.Contains(w.Body.String(), `"title_id":"done"`) {
		t.Errorf("search: %s", w.Body.String())
	}
	if w := get(t, s, "/titles/nosuch"); w.Code != 404 {
		t.Errorf("unknown title: %d", w.Code)
	}
}

// formOf fetches a title page and returns its cookie and CSRF token.
func formOf(t *testing.T, h http.Handler, path string) (*http.Cookie, string) {
	t.Helper()
	w := get(t, h, path)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("%s: no csrf token\n%s", path, w.Body.String())
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != csrfCookie || cs[0].SameSite != http.SameSiteStrictMode || !cs[0].HttpOnly {
		t.Fatalf("%s: cookies %v", path, cs)
	}
	return cs[0], m[1]
}

func post(h http.Handler, path string, form url.Values, cookie *http.Cookie, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewBufferString(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		r.AddCookie(cookie)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestReviewNeedsCSRFTokenAndSameOrigin(t *testing.T) {
	t.Parallel()
	_, out := writeOutput(t)
	s, f := newTestServer(t, out, Config{Reviewer: "ana"})
	cookie, token := formOf(t, s, "/titles/held")
	other, _ := newTestServer(t, out, Config{})
	_, otherToken := formOf(t, other, "/titles/held") // another server's secret
	form := func(tok string) url.Values {
		return url.Values{"csrf": {tok}, "decision": {"approve"}, "note": {"black is <intended>"}, "by": {"bo"}}
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		cookie *http.Cookie
		hdr    []string
	}{
		{"no token", url.Values{"decision": {"approve"}}, cookie, nil},
		{"wrong token", form("AAAA"), cookie, nil},
		{"another server's token", form(otherToken), cookie, nil},
		{"no cookie", form(token), nil, nil},
		{"another cookie", form(token), &http.Cookie{Name: csrfCookie, Value: strings.Repeat("ab", 16)}, nil},
		{"cross-origin", form(token), cookie, []string{"Origin", "http://evil.example"}},
		{"cross-site fetch", form(token), cookie, []string{"Sec-Fetch-Site", "cross-site"}},
	} {
		if w := post(s, "/titles/held/review", c.form, c.cookie, c.hdr...); w.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, w.Code)
		}
	}
	if len(f.signals) != 0 {
		t.Fatalf("refused reviews signalled: %+v", f.signals)
	}
	if w := post(s, "/titles/done/review", form(token), cookie); w.Code != http.StatusConflict {
		t.Errorf("review of a title not held: %d, want 409", w.Code)
	}
	bad := form(token)
	bad.Set("decision", "maybe")
	if w := post(s, "/titles/held/review", bad, cookie); w.Code != http.StatusBadRequest {
		t.Errorf("decision maybe: %d, want 400", w.Code)
	}
	w := post(s, "/titles/held/review", form(token), cookie, "Origin", "http://example.com", "Sec-Fetch-Site", "same-origin")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/titles/held?reviewed=approve" {
		t.Fatalf("review: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
	if len(f.signals) != 1 || f.signals[0].id != "reel-title/held" || f.signals[0].name != workflows.ReviewSignal ||
		f.signals[0].review != (workflows.Review{Decision: "approve", By: "bo", Note: "black is <intended>"}) {
		t.Fatalf("signals %+v", f.signals)
	}
	// The reviewer's name defaults to the server's.
	noBy := form(token)
	noBy.Del("by")
	if w := post(s, "/titles/held/review", noBy, cookie); w.Code != http.StatusSeeOther || f.signals[1].review.By != "ana" {
		t.Fatalf("review without a name: %d %+v", w.Code, f.signals)
	}
}

func TestReadOnlyRefusesReviews(t *testing.T) {
	t.Parallel()
	_, out := writeOutput(t)
	s, f := newTestServer(t, out, Config{ReadOnly: true})
	page := get(t, s, "/titles/held").Body.String()
	if strings.Contains(page, "Approve") || strings.Contains(page, `name="csrf"`) || !strings.Contains(page, "Read-only") {
		t.Errorf("read-only page shows the review form:\n%s", page)
	}
	rw, _ := newTestServer(t, out, Config{})
	cookie, token := formOf(t, rw, "/titles/held")
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := httptest.NewRequest(m, "/titles/held/review", strings.NewReader(url.Values{"csrf": {token}, "decision": {"approve"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden {
			t.Errorf("read-only %s: %d", m, w.Code)
		}
	}
	if len(f.signals) != 0 {
		t.Fatalf("read-only server signalled %+v", f.signals)
	}
	if w := get(t, s, "/titles/done/files/report.json"); w.Code != 200 {
		t.Errorf("read-only server does not serve files: %d", w.Code)
	}
}

func TestCleanRel(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"report.json", true}, {"package/v0/seg-1.m4s", true}, {"a b/ü.json", true},
		{"", false}, {"/etc/passwd", false}, {"..", false}, {"a/../b", false}, {"a/./b", false}, {"a//b", false},
		{"a/", false}, {`a\b`, false}, {"a%2fb", false}, {"a\x00b", false}, {"a\nb", false}, {"a\x7fb", false},
		{"\xff", false}, {strings.Repeat("a", 1025), false},
	} {
		if _, err := CleanRel(c.in); (err == nil) != c.ok {
			t.Errorf("CleanRel(%q): %v, want ok %v", c.in, err, c.ok)
		}
	}
}

func TestHostsGuardAgainstRebinding(t *testing.T) {
	t.Parallel()
	_, out := writeOutput(t)
	s, _ := newTestServer(t, out, Config{Hosts: LoopbackHosts})
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost": 200, "LOCALHOST:1": 200, "[::1]:8080": 200,
		"evil.example": http.StatusMisdirectedRequest, "evil.example:8080": http.StatusMisdirectedRequest, "127.0.0.2": http.StatusMisdirectedRequest,
	} {
		r := httptest.NewRequest(http.MethodGet, "/titles/done/files/report.json", nil)
		r.Host = host
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != want || (want != 200 && strings.Contains(w.Body.String(), "title_id")) {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}
