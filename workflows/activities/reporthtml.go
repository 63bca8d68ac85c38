package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/reporthtml"
	"github.com/reel-video/reel/store"
)

// HTMLPath returns where a title's report.html goes.
func HTMLPath(out string) string { return joinLoc(out, reporthtml.FileName) }

// outFiles is reporthtml.Files over a title's output location: local or
// an object store, read through the activities' store.
type outFiles struct {
	a   *Activities
	out string
}

// ReadFile reads rel, a slash-separated path under the output; a missing
// file wraps fs.ErrNotExist, a path leading out of the output
// fs.ErrInvalid.
func (f outFiles) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("read %q under %s: %w: not a path inside the output", rel, f.out, fs.ErrInvalid)
	}
	loc := joinLoc(f.out, rel)
	b, err := f.a.readLoc(ctx, loc)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && (errors.Is(err, store.ErrNotFound) || errors.Is(err, mezzfs.ErrNotFound)) {
			err = fmt.Errorf("%w: %w", fs.ErrNotExist, err)
		}
		return nil, fmt.Errorf("read %s: %w", loc, err)
	}
	return b, nil
}

// writeHTML renders r as report.html in dst (the output out) and returns
// its location. A failed render is logged as a warning and gives "", nil;
// only ctx being done is an error.
func (a *Activities) writeHTML(ctx context.Context, dst *outDir, out string, r *report.Report) (string, error) {
	var buf bytes.Buffer
	err := reporthtml.Write(ctx, &buf, r, outFiles{a: a, out: out}, reporthtml.Options{})
	if err == nil {
		err = dst.writeFile(ctx, reporthtml.FileName, buf.Bytes())
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", cerr
		}
		a.logger().Warn("report.html not written", "out", out, "err", err)
		return "", nil
	}
	return dst.loc(reporthtml.FileName), nil
}

// WriteHTML renders out's report.json as report.html beside it (reel
// report) and returns report.html's location. Unlike the report stage, a
// failed render is an error. A report.json that is missing or cannot be
// read wraps ErrNoReport (and the store's error: fs.ErrNotExist, …); one
// that is not a report, or of a schema version this reel does not read,
// wraps ErrBadReport.
func WriteHTML(ctx context.Context, a *Activities, out string) (string, error) {
	loc := joinLoc(out, reportRel)
	b, err := a.readLoc(ctx, loc)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return "", cerr
		}
		return "", fmt.Errorf("%w: %w", ErrNoReport, err)
	}
	rep, err := report.Read(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("%s: %w: %w", loc, ErrBadReport, err)
	}
	var buf bytes.Buffer
	if err := reporthtml.Write(ctx, &buf, rep, outFiles{a: a, out: out}, reporthtml.Options{}); err != nil {
		return "", fmt.Errorf("render %s: %w", HTMLPath(out), err)
	}
	dst, err := a.openOut(ctx, out)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", HTMLPath(out), err)
	}
	defer dst.close()
	if err := dst.writeFile(ctx, reporthtml.FileName, buf.Bytes()); err != nil {
		return "", err
	}
	return dst.loc(reporthtml.FileName), nil
}

// Errors of WriteHTML.
var (
	// ErrNoReport: the output's report.json is missing or cannot be read.
	ErrNoReport = errors.New("no readable report.json")
	// ErrBadReport: report.json is not a report, or of a schema version
	// this reel does not read.
	ErrBadReport = errors.New("not a report this reel reads")
)
