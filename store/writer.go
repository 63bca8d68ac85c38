package store

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/reel-video/reel/store/wholefile"
)

// Writer writes a new file or object that appears whole on Commit, or
// never after Abort. Its methods are not safe for concurrent use.
type Writer struct {
	loc  Location
	w    io.Writer
	done bool
	// commit and abort finish the write on the backend.
	commit func() error
	abort  func()
}

// Create starts writing the file or object at l, replacing any there
// when it commits. Locally the bytes go to a temporary file beside the
// target (mode 0666 less the umask, directories made 0777 less the
// umask), synced and renamed over it on Commit; on S3 they stream into a
// multipart upload that is completed only on Commit. Until then readers
// see the old content or nothing. Call Commit, or Abort; deferring Abort
// right after Create is safe, as Abort after Commit does nothing. On S3,
// ctx bounds the whole upload, Commit included; an S3 write always goes
// as a multipart upload, whatever its size (use Put when the size is
// known).
func (s *Store) Create(ctx context.Context, l Location) (*Writer, error) {
	if err := needFile("create", l); err != nil {
		return nil, err
	}
	if l.IsLocal() {
		f, err := wholefile.Create(l.key)
		if err != nil {
			return nil, err
		}
		return &Writer{loc: l, w: f, commit: f.Commit, abort: f.Abort}, nil
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return nil, err
	}
	// The upload reads what Write sends through a pipe. Abort closes the
	// pipe with an error, so the upload fails and nothing is completed;
	// Commit closes it with EOF, which completes the upload.
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := b.Put(ctx, l.key, pr, -1)
		pr.CloseWithError(errUploadEnded(err))
		done <- err
	}()
	w := &Writer{loc: l, w: pw}
	w.commit = func() error {
		defer cancel()
		pw.Close()
		return <-done
	}
	w.abort = func() {
		// The failed upload is aborted on the server with ctx: cancel
		// only after it is.
		pw.CloseWithError(errAborted)
		<-done
		cancel()
	}
	return w, nil
}

var errAborted = errors.New("store: write aborted")

// errUploadEnded is what Write returns once the upload has stopped.
func errUploadEnded(err error) error {
	if err == nil {
		return errors.New("store: upload ended")
	}
	return err
}

// Location returns where the Writer writes.
func (w *Writer) Location() Location { return w.loc }

// Write writes p.
func (w *Writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, fmt.Errorf("write %s: %w", w.loc, ErrClosed)
	}
	n, err := w.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", w.loc, mapErr(err))
	}
	return n, nil
}

// Commit makes what was written appear at the location, whole, replacing
// what was there. On error nothing new appears.
func (w *Writer) Commit() error {
	if w.done {
		return fmt.Errorf("commit %s: %w", w.loc, ErrClosed)
	}
	w.done = true
	if err := w.commit(); err != nil {
		return fmt.Errorf("commit %s: %w", w.loc, mapErr(err))
	}
	return nil
}

// Abort discards what was written; the location keeps what it had. It
// does nothing after Commit or another Abort.
func (w *Writer) Abort() {
	if w.done {
		return
	}
	w.done = true
	w.abort()
}
