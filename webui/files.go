package webui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"

	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/webasset"
	"github.com/reel-video/reel/workflows"
)

// Errors of the output files.
var (
	// ErrBadPath: a file path that could leave the title's output or is
	// spelled ambiguously (see CleanRel).
	ErrBadPath = errors.New("webui: bad file path")
	// ErrNoOutput: the title's run recorded no output location.
	ErrNoOutput = errors.New("webui: the title recorded no output location")
)

// CleanRel checks a file path relative to a title's output, as decoded
// from the URL, and returns it. It refuses an empty path, an absolute
// one, empty, "." and ".." elements, backslashes, NUL and other control
// characters, percent signs (a second encoding), invalid UTF-8 and paths
// longer than 1024 bytes: there is one spelling of each file and none
// leads out.
func CleanRel(rel string) (string, error) {
	bad := func(why string) (string, error) { return "", fmt.Errorf("%w %q: %s", ErrBadPath, rel, why) }
	switch {
	case rel == "":
		return bad("empty")
	case len(rel) > 1024:
		return bad("too long")
	case !utf8.ValidString(rel):
		return bad("not UTF-8")
	case strings.HasPrefix(rel, "/"):
		return bad("absolute")
	case strings.ContainsAny(rel, `\%`):
		return bad("backslash or percent sign")
	case strings.ContainsFunc(rel, unicode.IsControl):
		return bad("control character")
	}
	for _, el := range strings.Split(rel, "/") {
		if el == "" || el == "." || el == ".." {
			return bad("empty, . or .. element")
		}
	}
	if path.Clean(rel) != rel {
		return bad("not clean")
	}
	return rel, nil
}

// rawRel checks the file path as the client encoded it: an encoded
// slash, backslash, percent sign or NUL would make two spellings of a
// path, or hide an element from the checks of the decoded one.
func rawRel(escaped string) error {
	parts := strings.SplitN(escaped, "/", 5) // "", titles, id, files, rest
	if len(parts) < 5 {
		return fmt.Errorf("%w: no file", ErrBadPath)
	}
	low := strings.ToLower(parts[4])
	for _, enc := range []string{"%2f", "%5c", "%25", "%00", "%2e"} {
		if strings.Contains(low, enc) {
			return fmt.Errorf("%w: encoded %s", ErrBadPath, enc)
		}
	}
	return nil
}

// outCacheTTL is how long a title's output location is remembered.
const outCacheTTL = 30 * time.Second

// outOf returns the output location a title's latest run recorded.
func (s *Server) outOf(ctx context.Context, id string) (store.Location, error) {
	s.mu.Lock()
	c, ok := s.outs[id]
	s.mu.Unlock()
	if !ok || time.Since(c.at) > outCacheTTL {
		wid := workflows.WorkflowID(id)
		d, err := s.cfg.Client.DescribeWorkflowExecution(ctx, wid, "")
		if err != nil {
			return store.Location{}, fmt.Errorf("workflow %s: %w", wid, err)
		}
		req, err := titles.RecordedRequest(d.GetWorkflowExecutionInfo().GetMemo().GetFields())
		if err != nil {
			return store.Location{}, err
		}
		if req == nil || req.Out == "" {
			return store.Location{}, ErrNoOutput
		}
		c = cachedOut{out: req.Out, at: time.Now()}
		s.mu.Lock()
		s.outs[id] = c
		s.mu.Unlock()
	}
	return store.ParseLocation(c.out)
}

// openFile opens rel (checked by CleanRel) under the title's output. A
// local output's file must resolve, symbolic links followed, inside the
// output's own resolved directory.
func (s *Server) openFile(ctx context.Context, id, rel string) (store.Reader, error) {
	if _, err := CleanRel(rel); err != nil {
		return nil, err
	}
	out, err := s.outOf(ctx, id)
	if err != nil {
		return nil, err
	}
	target := out.Join(rel)
	if r, ok := out.Rel(target); !ok || r == "." || r != rel {
		return nil, fmt.Errorf("%w %q: outside the output", ErrBadPath, rel)
	}
	if out.IsLocal() {
		root, err := filepath.EvalSymlinks(out.Path())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
		real, err := filepath.EvalSymlinks(target.Path())
		if err != nil {
			return nil, fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
		if in, err := filepath.Rel(root, real); err != nil || in == ".." || strings.HasPrefix(in, ".."+string(filepath.Separator)) || filepath.IsAbs(in) {
			return nil, fmt.Errorf("%w %q: a link out of the output", ErrBadPath, rel)
		}
		if target, err = store.LocalPath(real); err != nil {
			return nil, err
		}
	}
	return s.cfg.Stores.Open(ctx, target)
}

// mediaTypes are the output files' types by extension; anything else is
// served as application/octet-stream.
var mediaTypes = map[string]string{
	".m3u8": "application/vnd.apple.mpegurl",
	".mpd":  "application/dash+xml",
	".m4s":  "video/iso.segment",
	".mp4":  "video/mp4",
	".m4a":  "audio/mp4",
	".m4v":  "video/mp4",
	".aac":  "audio/aac",
	".ts":   "video/mp2t",
	".vtt":  "text/vtt; charset=utf-8",
	".json": "application/json",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".png":  "image/png",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".log":  "text/plain; charset=utf-8",
	".y4m":  "application/octet-stream",
}

// ContentType is the media type reel serve sends for an output file.
func ContentType(name string) string {
	if t, ok := mediaTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

func (s *Server) handleFile(w http.ResponseWriter, r *http.Request) {
	id := s.titleID(w, r)
	if id == "" {
		return
	}
	rel := r.PathValue("path")
	if err := rawRel(r.URL.EscapedPath()); err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if _, err := CleanRel(rel); err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	f, err := s.openFile(r.Context(), id, rel)
	switch {
	case errors.Is(err, ErrBadPath):
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	case errors.Is(err, store.ErrNotFound), errors.Is(err, fs.ErrNotExist), errors.Is(err, ErrNoOutput):
		s.fail(w, r, http.StatusNotFound, "no file "+rel)
		return
	case errors.As(err, new(*serviceerror.NotFound)):
		s.fail(w, r, http.StatusNotFound, "no title "+id)
		return
	case err != nil:
		s.fail(w, r, http.StatusBadGateway, err.Error())
		return
	}
	defer f.Close()
	ct := ContentType(rel)
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	if strings.HasPrefix(ct, "text/html") {
		h.Set("Content-Security-Policy", htmlFileCSP)
	} else {
		h.Set("Content-Security-Policy", fileCSP)
	}
	http.ServeContent(w, r, "", time.Time{}, f)
}

// vendorHandler serves the vendored web libraries (webasset), files
// only.
func vendorHandler() http.Handler {
	fsrv := http.FileServerFS(webasset.FS())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fsrv.ServeHTTP(w, r)
	})
}
