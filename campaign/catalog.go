// Package campaign holds what a re-encode campaign needs that is neither
// Temporal nor I/O: the catalog (a text file of source URIs, a CSV of
// title_id,source,old_out, or the URIs of an object-store listing) turned
// into entries, the output TEMPLATE expanded per title ("{title}"), the
// per-title rows of campaign.csv and campaign.json, and the summary over
// them (titles by state, storage old vs new, mean and median BD-rate, the
// worst titles, failures by error type, a histogram of BD-rate).
//
// The package is pure: no Temporal, no files, no clock. The workflow, its
// activities, the CLI and the report page all use it, so a catalog is read
// and a row written one way everywhere.
package campaign

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/reel-video/reel/request"
)

// Sentinel errors of catalog parsing; test with errors.Is.
var (
	// ErrBadCatalog: a catalog that cannot be read: a CSV without the
	// title_id and source columns, a row with another number of fields, a
	// title id CheckTitleID refuses, a line that is no URI.
	ErrBadCatalog = errors.New("campaign: bad catalog")
	// ErrEmptyCatalog: a catalog with no entry.
	ErrEmptyCatalog = errors.New("campaign: empty catalog")
	// ErrDuplicateTitle: two entries with the same title id (each title
	// is one workflow; which source would it encode?).
	ErrDuplicateTitle = errors.New("campaign: duplicate title id")
)

// Entry is one title of a catalog.
type Entry struct {
	// TitleID names the title (its workflow id is reel-title/<TitleID>).
	TitleID string `json:"title_id"`
	// Source is the source's location (a path, file:// or s3:// URI).
	Source string `json:"source"`
	// OldOut is the output directory of the title's previous encode
	// (its report.json is compared with the new one); empty: none given
	// (the campaign's --compare-with template may name it).
	OldOut string `json:"old_out,omitempty"`
}

// TitleIDOf returns the title id of a source URI: its file name without
// the extension ("s3://b/films/Big Buck.mov" → "Big Buck"). A name that
// is only an extension (".mov") keeps it. The result is checked with
// request.CheckTitleID.
func TitleIDOf(uri string) (string, error) {
	p := strings.TrimRight(uri, "/")
	if i := strings.Index(p, "://"); i >= 0 {
		host, rest, ok := strings.Cut(p[i+3:], "/")
		if !ok && host != "" && !strings.EqualFold(p[:i], "file") {
			return "", fmt.Errorf("%w: %q names a bucket, not a file", ErrBadCatalog, uri)
		}
		p = rest
	}
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	if ext := path.Ext(base); ext != "" && ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	if base == "." || base == "/" || base == "" {
		return "", fmt.Errorf("%w: %q has no file name", ErrBadCatalog, uri)
	}
	if err := request.CheckTitleID(base); err != nil {
		return "", fmt.Errorf("%w: title id of %q: %w", ErrBadCatalog, uri, err)
	}
	return base, nil
}

// csvHeader is the first line of a catalog CSV (columns in any order;
// old_out may be missing).
var csvHeader = []string{"title_id", "source", "old_out"}

// Parse reads a catalog from r. name is where it came from: one ending in
// .csv, or whose first line is a header naming title_id and source, is
// read as CSV (ParseCSV); anything else as a text file of source URIs
// (ParseText).
func Parse(name string, r io.Reader) ([]Entry, error) {
	br := bufio.NewReader(r)
	first, _ := br.Peek(4096)
	line, _, _ := bytes.Cut(first, []byte("\n"))
	line = bytes.TrimPrefix(line, []byte("\ufeff"))
	if strings.HasSuffix(strings.ToLower(name), ".csv") || looksLikeHeader(string(line)) {
		return ParseCSV(br)
	}
	return ParseText(br)
}

func looksLikeHeader(line string) bool {
	f := strings.Split(strings.TrimSpace(line), ",")
	return slices.Contains(f, "title_id") && slices.Contains(f, "source")
}

// ParseText reads a text file of source URIs, one a line; blank lines and
// lines starting with '#' are skipped, spaces around a URI trimmed. Each
// title id is the URI's file name without its extension (TitleIDOf).
func ParseText(r io.Reader) ([]Entry, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []Entry
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := TitleIDOf(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, Entry{TitleID: id, Source: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCatalog, err)
	}
	return checkEntries(out)
}

// ParseCSV reads a catalog CSV: a header naming its columns (title_id,
// source and optionally old_out, in any order; other columns are
// ignored), then one title a row. An empty title_id is the source's file
// name without extension.
func ParseCSV(r io.Reader) ([]Entry, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmptyCatalog
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrBadCatalog, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && slices.Contains(csvHeader, h) {
			return nil, fmt.Errorf("%w: header names %s twice", ErrBadCatalog, h)
		}
		col[h] = i
	}
	for _, need := range csvHeader[:2] {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%w: header %q has no %s column (want %s)", ErrBadCatalog, strings.Join(head, ","), need, strings.Join(csvHeader, ","))
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Entry
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadCatalog, err)
		}
		line, _ := cr.FieldPos(0)
		e := Entry{TitleID: get(rec, "title_id"), Source: get(rec, "source"), OldOut: get(rec, "old_out")}
		if e.Source == "" {
			return nil, fmt.Errorf("%w: line %d: no source", ErrBadCatalog, line)
		}
		if e.TitleID == "" {
			if e.TitleID, err = TitleIDOf(e.Source); err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
		} else if err := request.CheckTitleID(e.TitleID); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrBadCatalog, line, err)
		}
		out = append(out, e)
	}
	return checkEntries(out)
}

// VideoExtensions are the file extensions (lower case, with the dot) a
// listing's objects must have to be catalog entries.
var VideoExtensions = []string{".mp4", ".mov", ".mkv", ".mxf", ".webm", ".m4v", ".ts", ".m2ts", ".mts", ".avi", ".mpg", ".mpeg", ".y4m", ".flv", ".ogv"}

// FromListing makes a catalog of the URIs of an object-store listing (an
// s3://bucket/prefix/ read with store.List): objects whose extension is in
// VideoExtensions become entries (title id: the file name without
// extension), the rest (reports, sidecars) are left out. Order is kept.
func FromListing(uris []string) ([]Entry, error) {
	var out []Entry
	for _, u := range uris {
		if !slices.Contains(VideoExtensions, strings.ToLower(path.Ext(u))) {
			continue
		}
		id, err := TitleIDOf(u)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{TitleID: id, Source: u})
	}
	return checkEntries(out)
}

// checkEntries refuses an empty catalog and duplicate title ids.
func checkEntries(es []Entry) ([]Entry, error) {
	if len(es) == 0 {
		return nil, ErrEmptyCatalog
	}
	seen := make(map[string]string, len(es))
	for _, e := range es {
		if prev, ok := seen[e.TitleID]; ok {
			return nil, fmt.Errorf("%w: %q (%s and %s)", ErrDuplicateTitle, e.TitleID, prev, e.Source)
		}
		seen[e.TitleID] = e.Source
	}
	return es, nil
}
