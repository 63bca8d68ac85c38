// Package browsertest plays packages in a real browser for tests: a
// headless Chromium (Debian's chromium package, which scripts/deps.sh
// installs) driven through the DevTools protocol with chromedp, a
// loopback HTTP server that serves a package directory beside player
// pages, and the players themselves, hls.js and Shaka Player at the
// versions pinned in package webasset (their dist files and licenses are
// vendored there, so tests run offline).
//
// A test starts the browser, serves a package and opens a player page on
// a manifest:
//
//	b := browsertest.Start(t)                   // skips when chromium is missing
//	srv := browsertest.Serve(t, pkgDir)
//	p := b.Open(t, browsertest.URL(srv, browsertest.HLSjs, "master.m3u8"))
//	st := p.WaitFor("ready", 20*time.Second, func(s browsertest.State) bool { return s.Ready })
//	p.Select(2); p.Seek(4); p.Play()
//
// State is what the page reports: the player's levels (HLS variants or
// DASH variants, sorted by bandwidth), the active level, the decoded
// video size, media seconds played per decoded size, frames presented per
// size, errors, and whether playback ended. It is imported only by tests.
package browsertest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reel-video/reel/webasset"
)

//go:embed web/harness.js web/hls.html web/shaka.html
var webFS embed.FS

// Page is a player page.
type Page string

// The player pages, each loading its player from webasset under vendor/.
const (
	HLSjs Page = "hls.html"   // hls.js on an HLS multivariant playlist
	Shaka Page = "shaka.html" // Shaka Player on a DASH MPD
)

// Chromium returns the path of the Chromium binary: $REEL_CHROMIUM when
// set, else chromium (Debian's package) or chromium-browser on PATH.
func Chromium() (string, error) {
	if p := os.Getenv("REEL_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("chromium not installed (scripts/deps.sh installs Debian's chromium)")
}

// Browser is a running headless Chromium.
type Browser struct {
	ctx    context.Context // the browser's chromedp context
	cancel context.CancelFunc
}

// Start launches a headless Chromium for tb and closes it when tb ends;
// it skips tb when Chromium is missing.
func Start(tb testing.TB) *Browser {
	tb.Helper()
	b, err := Launch()
	if err != nil {
		if _, lookErr := Chromium(); lookErr != nil {
			tb.Skip(lookErr)
		}
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	return b
}

// Launch launches a headless Chromium: no sandbox (tests run as root in
// containers), autoplay without a user gesture, audio muted. Close it.
func Launch() (*Browser, error) {
	exe, err := Chromium()
	if err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(800, 480),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// The first action starts the browser, which lives as long as ctx (so
	// no timeout here: it would stop the browser).
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		return nil, fmt.Errorf("browsertest: start %s: %w", exe, err)
	}
	return &Browser{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}, nil
}

// Close stops the browser.
func (b *Browser) Close() { b.cancel() }

// Version returns the browser's product string, e.g. "Chrome/156.0.8078.129".
func (b *Browser) Version() (string, error) {
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	return chromedp.Run(tab, chromedp.Evaluate[string](`navigator.userAgent`))
}

// Serve serves dir (a package) under /media/ and the player pages and
// vendored players at the root, on a loopback port, until tb ends.
func Serve(tb testing.TB, dir string) *httptest.Server {
	tb.Helper()
	web, err := fs.Sub(webFS, "web")
	if err != nil {
		tb.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/media/", http.StripPrefix("/media/", http.FileServer(http.Dir(dir))))
	mux.Handle("/vendor/", http.StripPrefix("/vendor/", http.FileServerFS(webasset.FS())))
	mux.Handle("/", http.FileServerFS(web))
	srv := httptest.NewServer(withTypes(logFailures(tb, mux)))
	tb.Cleanup(srv.Close)
	return srv
}

// mediaTypes are the types of the package's files, which Go's mime table
// does not know.
var mediaTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".mpd":  "application/dash+xml",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".js":   "text/javascript; charset=utf-8",
}

// logFailures logs every request answered with a status of 400 or more.
func logFailures(tb testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if sw.status >= 400 {
			tb.Logf("browsertest: %s %s: %d %s", r.Method, r.URL, sw.status, http.StatusText(sw.status))
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

func withTypes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := mediaTypes[path.Ext(r.URL.Path)]; ok {
			w.Header().Set("Content-Type", t)
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// URL is the address of page playing manifest (relative to the served
// package directory) on srv.
func URL(srv *httptest.Server, page Page, manifest string) string {
	return srv.URL + "/" + string(page) + "?src=" + url.QueryEscape("/media/"+manifest)
}

// Level is one rendition as the player lists it.
type Level struct {
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bandwidth int64  `json:"bandwidth"`
	Codecs    string `json:"codecs"`
}

// Size is the level's "WxH".
func (l Level) Size() string { return fmt.Sprintf("%dx%d", l.Width, l.Height) }

// PlayerError is an error the player or the media element reported.
type PlayerError struct {
	Fatal   bool   `json:"fatal"`
	Type    string `json:"type"`
	Details string `json:"details"`
	Message string `json:"message"`
}

func (e PlayerError) String() string {
	kind := "non-fatal"
	if e.Fatal {
		kind = "fatal"
	}
	return fmt.Sprintf("%s %s %s %s", kind, e.Type, e.Details, e.Message)
}

// State is the page's report (harness.js, reel.state()).
type State struct {
	Ready       bool               `json:"ready"`
	Player      string             `json:"player"`
	Version     string             `json:"version"`
	Errors      []PlayerError      `json:"errors"`
	Levels      []Level            `json:"levels"`  // by bandwidth
	Current     int                `json:"current"` // the player's active level, -1 when none
	Played      map[string]float64 `json:"played"`  // "WxH" → media seconds played at that decoded size
	Frames      map[string]int     `json:"frames"`  // "WxH" → frames presented (requestVideoFrameCallback)
	Switches    []string           `json:"switches"`
	VideoWidth  int                `json:"videoWidth"`
	VideoHeight int                `json:"videoHeight"`
	CurrentTime float64            `json:"currentTime"`
	Duration    float64            `json:"duration"`
	Ended       bool               `json:"ended"`
	Paused      bool               `json:"paused"`
	Seeking     bool               `json:"seeking"`
	Buffered    [][2]float64       `json:"buffered"` // the media element's buffered ranges, seconds
	ReadyState  int                `json:"readyState"`
	TotalFrames int                `json:"totalFrames"` // getVideoPlaybackQuality
	Dropped     int                `json:"droppedFrames"`
	AudioBytes  int64              `json:"audioBytes"` // webkitAudioDecodedByteCount
	VideoBytes  int64              `json:"videoBytes"` // webkitVideoDecodedByteCount
}

// Size is the decoded video size, "WxH".
func (s State) Size() string { return fmt.Sprintf("%dx%d", s.VideoWidth, s.VideoHeight) }

// Fatal returns the fatal errors.
func (s State) Fatal() []PlayerError {
	var out []PlayerError
	for _, e := range s.Errors {
		if e.Fatal {
			out = append(out, e)
		}
	}
	return out
}

// Player is a page in its own tab: a player page, or any page a test
// opens (page.go has the helpers for pages other than players).
type Player struct {
	tb  testing.TB
	ctx context.Context

	mu       sync.Mutex
	console  []string // console messages and exceptions, for failures
	requests []string // URLs the page requested, in order
	dialogs  []string // alert/confirm/prompt messages (all dismissed)
}

// Open opens pageURL in a new tab, closed when tb ends.
func (b *Browser) Open(tb testing.TB, pageURL string) *Player {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb.Cleanup(cancel)
	p := &Player{tb: tb, ctx: ctx}
	// Subscribed before the page loads, so no message is lost.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.logf("%s", m)
		}
	}()
	if err := p.watch(); err != nil {
		tb.Fatalf("open %s: %v", pageURL, err)
	}
	if err := p.do(10*time.Second, chromedp.Navigate(pageURL)); err != nil {
		tb.Fatalf("open %s: %v", pageURL, err)
	}
	return p
}

func (p *Player) logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.console = append(p.console, fmt.Sprintf(format, args...))
}

// Console returns the page's console messages and uncaught exceptions so far.
func (p *Player) Console() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

func (p *Player) do(timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// Eval evaluates the JavaScript expression js in the page and stores its
// (JSON) result in out, which may be nil; it fails the test on an error.
func (p *Player) Eval(js string, out any) {
	p.tb.Helper()
	if err := p.eval(js, out); err != nil {
		p.tb.Fatalf("evaluate %s: %v", js, err)
	}
}

func (p *Player) eval(js string, out any) error {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

// State returns the page's state.
func (p *Player) State() State {
	p.tb.Helper()
	var s State
	p.Eval(`reel.state()`, &s)
	return s
}

// Supported reports MediaSource.isTypeSupported(mime) in the page, e.g.
// `video/mp4; codecs="avc1.64001e"`.
func (p *Player) Supported(mime string) bool {
	p.tb.Helper()
	var ok bool
	js, _ := json.Marshal(mime)
	p.Eval(fmt.Sprintf(`MediaSource.isTypeSupported(%s)`, js), &ok)
	return ok
}

// Select forces level i (an index into State.Levels): the player stops
// adapting and switches at once, dropping what it buffered.
func (p *Player) Select(i int) { p.tb.Helper(); p.Eval(fmt.Sprintf(`reel.select(%d)`, i), nil) }

// Seek sets the media element's currentTime.
func (p *Player) Seek(seconds float64) {
	p.tb.Helper()
	p.Eval(fmt.Sprintf(`reel.seek(%g)`, seconds), nil)
}

// Play starts playback (a rejected play() is reported as a fatal error).
func (p *Player) Play() { p.tb.Helper(); p.Eval(`reel.play()`, nil) }

// Pause pauses playback.
func (p *Player) Pause() { p.tb.Helper(); p.Eval(`reel.pause()`, nil) }

// Rate sets the playback rate.
func (p *Player) Rate(r float64) { p.tb.Helper(); p.Eval(fmt.Sprintf(`reel.rate(%g)`, r), nil) }

// WaitFor polls the state every 50 ms until done returns true, and
// returns that state. It fails the test, with the last state and the
// console, when timeout passes first or the player reports a fatal error.
func (p *Player) WaitFor(what string, timeout time.Duration, done func(State) bool) State {
	p.tb.Helper()
	s, ok := p.Poll(timeout, done)
	if fatal := s.Fatal(); len(fatal) > 0 {
		p.tb.Fatalf("waiting for %s: player error %v\nstate %+v\nconsole:\n%s", what, fatal, s, strings.Join(p.Console(), "\n"))
	}
	if !ok {
		p.tb.Fatalf("waiting for %s: not after %v\nstate %+v\nconsole:\n%s", what, timeout, s, strings.Join(p.Console(), "\n"))
	}
	return s
}

// Poll polls the state every 50 ms until done returns true (it returns
// that state and true), the player reports a fatal error or timeout
// passes (the last state and false).
func (p *Player) Poll(timeout time.Duration, done func(State) bool) (State, bool) {
	p.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := p.State()
		if len(s.Fatal()) > 0 {
			return s, false
		}
		if done(s) {
			return s, true
		}
		if time.Now().After(deadline) {
			return s, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Screenshot writes a PNG of the video element to path.
func (p *Player) Screenshot(path string) error {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("video")))
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
