// Package webui is `reel serve`: the reviewers' web UI over Temporal's
// visibility and the titles' output locations.
//
// Pages:
//
//	/                               the titles: running (stage, progress, refreshed
//	                                live from /api/titles), held at the QC gate
//	                                (blockers, since), completed, failed (error);
//	                                a search box on the title id
//	/titles/{id}                    a title: state, request, stage timeline (from
//	                                the workflow history), its report (report.html
//	                                in a frame, report.json), its HLS package played
//	                                with hls.js, and Approve / Reject when it is held
//	/titles/{id}/files/{path...}    the title's output files, read-only
//	POST /titles/{id}/review        a reviewer's decision (approve|reject, note, by)
//	/api/titles, /api/titles/{id}   the same as JSON
//	/static/...                     the UI's script and style, hls.js (package webasset)
//
// Output files are read from the output location the title's run
// recorded (its request's Out), local or s3://, through Config.Stores. A
// file path is checked before anything is opened: no "..", ".", empty or
// absolute elements, no backslash, NUL, control characters or percent
// signs once decoded, no encoded slash; a local output's symbolic links
// must resolve inside the output. Media types are set from the file name
// (never sniffed) and ranges are served.
//
// State-changing requests (the review) need the per-server CSRF token of
// the form, which is an HMAC of a SameSite=Strict cookie under a secret
// drawn when the server starts, and are refused from another origin
// (http.CrossOriginProtection: Sec-Fetch-Site, Origin). Config.ReadOnly
// refuses them all (403) and hides the buttons.
//
// Every page is sent with a Content-Security-Policy that allows scripts
// and styles from the server only (no inline script, no other origin),
// frames from the server only and framing by the server only; a title's
// HTML files (report.html is self-contained: inline script and style)
// get a policy that allows their inline code and nothing remote. Every
// response has X-Content-Type-Options: nosniff. Values from titles,
// requests and media are escaped by html/template; the script reads the
// page's data from a JSON block and builds the DOM with textContent.
package webui

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/store"
)

// Opener opens files at output locations; *store.Store is one.
type Opener interface {
	Open(ctx context.Context, l store.Location) (store.Reader, error)
}

// Lister lists the files below a location (*store.Store is one). When
// Config.Stores is a Lister too, the page of a held title offers its
// rungs to watch.
type Lister interface {
	List(ctx context.Context, l store.Location) ([]store.Info, error)
}

// Config configures a Server. Client is required.
type Config struct {
	// Client talks to Temporal (titles, progress, history, reviews).
	Client client.Client
	// ReadOnly refuses every state-changing request (403) and hides the
	// review forms.
	ReadOnly bool
	// Reviewer is the reviewer name the review form starts with (the
	// reviewer may change it). Default: none.
	Reviewer string
	// Stores opens the titles' output files. Default: a zero store.Store
	// (S3 settings from the standard AWS environment).
	Stores Opener
	// Logger logs failed requests. Default: discard.
	Logger *slog.Logger
	// ListLimit is how many titles the list shows at most. Default 200.
	ListLimit int
	// ProgressWait bounds each running title's progress query on the
	// list. Default 2 s.
	ProgressWait time.Duration
	// Secret keys the CSRF tokens. Default: 32 random bytes drawn by New.
	Secret []byte
	// Hosts, when set, are the only host names (the Host header without
	// its port) the UI answers; others get 421. A UI on loopback lists
	// its loopback names so that a web page whose name is rebound to
	// 127.0.0.1 (DNS rebinding) cannot read it or post to it. Default:
	// any host.
	Hosts []string
}

// Server is the reviewers' UI; it is an http.Handler.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	pages  *pages
	secret []byte
	cop    *http.CrossOriginProtection

	// outs caches the titles' output locations (a workflow describe per
	// media segment would be wasteful).
	mu   sync.Mutex
	outs map[string]cachedOut
}

type cachedOut struct {
	out string
	at  time.Time
}

// ErrNoClient: New without Config.Client.
var ErrNoClient = errors.New("webui: no Temporal client")

//go:embed static
var staticFS embed.FS

// New returns the UI's handler.
func New(cfg Config) (*Server, error) {
	if cfg.Client == nil {
		return nil, ErrNoClient
	}
	if cfg.Stores == nil {
		cfg.Stores = &store.Store{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ListLimit <= 0 {
		cfg.ListLimit = 200
	}
	if cfg.ProgressWait <= 0 {
		cfg.ProgressWait = 2 * time.Second
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), outs: map[string]cachedOut{}, cop: http.NewCrossOriginProtection()}
	s.secret = cfg.Secret
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, s.secret); err != nil {
			return nil, fmt.Errorf("webui: secret: %w", err)
		}
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/app/", http.StripPrefix("/static/app/", http.FileServerFS(static)))
	s.mux.Handle("GET /static/vendor/", http.StripPrefix("/static/vendor/", vendorHandler()))
	s.mux.HandleFunc("GET /{$}", s.handleList)
	s.mux.HandleFunc("GET /api/titles", s.handleListJSON)
	s.mux.HandleFunc("GET /api/titles/{id}", s.handleTitleJSON)
	s.mux.HandleFunc("GET /titles/{id}", s.handleTitle)
	s.mux.HandleFunc("GET /titles/{id}/files/{path...}", s.handleFile)
	s.mux.HandleFunc("POST /titles/{id}/review", s.handleReview)
	return s, nil
}

// ServeHTTP serves the UI. Every response carries nosniff and a default
// Content-Security-Policy that a handler may replace; every request
// other than GET and HEAD is refused in read-only mode and from another
// origin.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	if !s.hostOK(r.Host) {
		s.fail(w, r, http.StatusMisdirectedRequest, "unknown host name")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if s.cfg.ReadOnly {
			s.fail(w, r, http.StatusForbidden, "this reel serve is read-only")
			return
		}
		if err := s.cop.Check(r); err != nil {
			s.fail(w, r, http.StatusForbidden, "cross-origin request refused")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// hostOK reports whether the UI answers requests for host (a Host
// header: name or address, with or without a port).
func (s *Server) hostOK(host string) bool {
	if len(s.cfg.Hosts) == 0 {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	for _, h := range s.cfg.Hosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// LoopbackHosts are the names of the local machine's loopback addresses,
// for Config.Hosts of a UI that listens on loopback.
var LoopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// pageCSP is the UI pages' policy: everything from this server, no
// inline script or style, no plugin, framed only by this server.
// hls.js needs blob: for its media source and worker.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; frame-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

// htmlFileCSP is a title's HTML files' policy (report.html is
// self-contained: its script and style are inline): inline code allowed,
// nothing from another origin, no form posts, framed only by this server.
const htmlFileCSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// fileCSP is the policy of every other output file: nothing runs.
const fileCSP = "default-src 'none'; frame-ancestors 'self'; sandbox"

// fail answers with an error page (or text for the API).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if code >= 500 {
		s.cfg.Logger.Warn("reel serve", "method", r.Method, "path", r.URL.EscapedPath(), "status", code, "error", msg)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.pages.error(w, code, msg)
}
