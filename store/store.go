package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store/wholefile"
)

// Store opens, creates, stats, lists and removes files at Locations. The
// zero value works (S3 settings from the standard AWS environment); a
// Store is safe for concurrent use and must not be copied after first
// use. It keeps one mezzfs store per S3 bucket, so connections are
// reused.
type Store struct {
	// Options configures s3:// locations (endpoint, region, credentials).
	Options mezzfs.Options
	// ReaderOptions configures the mezzfs.Readers Open returns for objects.
	ReaderOptions mezzfs.ReaderOptions
	// Bucket, when set, returns the object store of an s3:// bucket in
	// place of the Store's own (made from Options, one per bucket): for a
	// caller that keeps the buckets' stores itself, or a test injecting
	// faults.
	Bucket func(ctx context.Context, bucket string) (mezzfs.Store, error)

	mu      sync.Mutex
	buckets map[string]mezzfs.Store
}

// New returns a Store with S3 settings opts.
func New(opts mezzfs.Options) *Store { return &Store{Options: opts} }

// Info describes a file or object.
type Info struct {
	// Location is where it is.
	Location Location
	// Size in bytes.
	Size int64
	// ModTime is its last modification time.
	ModTime time.Time
	// ETag identifies an object's content version (S3's ETag; for a local
	// file one derived from size, modification time and inode).
	ETag string
}

// backend returns the mezzfs store of an s3 location's bucket.
func (s *Store) backend(ctx context.Context, l Location) (mezzfs.Store, error) {
	if s.Bucket != nil {
		return s.Bucket(ctx, l.bucket)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.buckets[l.bucket]; ok {
		return b, nil
	}
	b, err := mezzfs.NewS3Store(ctx, l.bucket, s.Options.S3)
	if err != nil {
		return nil, err
	}
	if s.buckets == nil {
		s.buckets = map[string]mezzfs.Store{}
	}
	s.buckets[l.bucket] = b
	return b, nil
}

// Object returns the mezzfs store holding the object at l and its key, for
// callers that need mezzfs's own calls (ranged reads pinned to an ETag).
func (s *Store) Object(ctx context.Context, l Location) (mezzfs.Store, string, error) {
	if err := needFile("open", l); err != nil {
		return nil, "", err
	}
	if l.IsLocal() {
		return mezzfs.NewLocalStore(filepath.Dir(l.key)), filepath.Base(l.key), nil
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return nil, "", err
	}
	return b, l.key, nil
}

// needFile checks that l can name a file: a valid location that is not
// an S3 bucket's root.
func needFile(op string, l Location) error {
	switch {
	case l.IsZero():
		return fmt.Errorf("%s: %w: no location", op, ErrInvalidLocation)
	case !l.IsLocal() && l.key == "":
		return fmt.Errorf("%s %s: %w: a bucket names no object (want s3://bucket/key)", op, l, ErrInvalidLocation)
	}
	return nil
}

// bothErr is an error that keeps its cause's message and also is (errors.Is)
// a sentinel of this package.
type bothErr struct {
	err, also error
}

func (e *bothErr) Error() string   { return e.err.Error() }
func (e *bothErr) Unwrap() []error { return []error{e.err, e.also} }

// mapErr makes a backend's not-found error (fs.ErrNotExist, ENOTDIR,
// mezzfs.ErrNotFound) also ErrNotFound, keeping its message and causes.
func mapErr(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, mezzfs.ErrNotFound) {
		return &bothErr{err, ErrNotFound}
	}
	return err
}

// statLocal returns the info of the regular file at p; a directory or
// another kind of file is ErrNotFound.
func statLocal(l Location, fi fs.FileInfo) (Info, error) {
	if !fi.Mode().IsRegular() {
		return Info{}, fmt.Errorf("stat %s: %w: not a regular file (%v)", l, ErrNotFound, fi.Mode().Type())
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return Info{Location: l, Size: fi.Size(), ModTime: fi.ModTime(),
		ETag: fmt.Sprintf("%x-%x-%x", fi.Size(), fi.ModTime().UnixNano(), ino)}, nil // as mezzfs.LocalStore derives it
}

// Stat returns the size, modification time and ETag of the file or object
// at l. Nothing there (a local directory included) is ErrNotFound.
func (s *Store) Stat(ctx context.Context, l Location) (Info, error) {
	if err := needFile("stat", l); err != nil {
		return Info{}, err
	}
	if l.IsLocal() {
		fi, err := os.Stat(l.key)
		if err != nil {
			return Info{}, mapErr(err)
		}
		return statLocal(l, fi)
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return Info{}, err
	}
	oi, err := b.Stat(ctx, l.key)
	if err != nil {
		return Info{}, mapErr(err)
	}
	return Info{Location: l, Size: oi.Size, ModTime: oi.ModTime, ETag: oi.ETag}, nil
}

// Reader reads a file or object: sequentially, at offsets, or after a
// seek. Close it when done.
type Reader interface {
	io.ReadSeekCloser
	io.ReaderAt
	// Size is the file's size when it was opened.
	Size() int64
}

// localReader is an open local file and its size.
type localReader struct {
	*os.File
	size int64
}

func (r *localReader) Size() int64 { return r.size }

// Open opens the file or object at l for reading. An object is read
// through a mezzfs.Reader: ranged GETs pinned to the ETag seen at open (a
// replaced object fails with mezzfs.ErrChanged, never mixing versions),
// with retries and read-ahead. Nothing there is ErrNotFound.
func (s *Store) Open(ctx context.Context, l Location) (Reader, error) {
	if err := needFile("open", l); err != nil {
		return nil, err
	}
	if l.IsLocal() {
		f, err := os.Open(l.key)
		if err != nil {
			return nil, mapErr(err)
		}
		fi, err := f.Stat()
		if err == nil {
			_, err = statLocal(l, fi)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		return &localReader{File: f, size: fi.Size()}, nil
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return nil, err
	}
	r, err := mezzfs.NewReader(ctx, b, l.key, s.ReaderOptions)
	if err != nil {
		return nil, mapErr(err)
	}
	return r, nil
}

// ReadFile reads the (small) file or object at l whole.
func (s *Store) ReadFile(ctx context.Context, l Location) ([]byte, error) {
	if l.IsLocal() && !l.IsZero() {
		b, err := os.ReadFile(l.key)
		return b, mapErr(err)
	}
	r, err := s.Open(ctx, l)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b := make([]byte, r.Size())
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("read %s: %w", l, err)
	}
	return b, nil
}

// Put writes size bytes from r to l, whole or not at all (see Create);
// size may be -1 when unknown. On S3, a known size lets a large object go
// up in parallel parts.
func (s *Store) Put(ctx context.Context, l Location, r io.Reader, size int64) error {
	if err := needFile("put", l); err != nil {
		return err
	}
	if l.IsLocal() {
		w, err := s.Create(ctx, l)
		if err != nil {
			return err
		}
		defer w.Abort()
		n, err := io.Copy(w, r)
		if err == nil && size >= 0 && n != size {
			err = fmt.Errorf("wrote %d bytes, expected %d", n, size)
		}
		if err != nil {
			return fmt.Errorf("put %s: %w", l, err)
		}
		return w.Commit()
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return err
	}
	return b.Put(ctx, l.key, r, size)
}

// WriteFile writes data to l whole or not at all.
func (s *Store) WriteFile(ctx context.Context, l Location, data []byte) error {
	if l.IsLocal() && !l.IsZero() {
		return wholefile.WriteFile(l.key, data)
	}
	return s.Put(ctx, l, bytes.NewReader(data), int64(len(data)))
}

// List returns every file or object below the directory or key prefix l
// (at any depth, in key order), as a prefix walk: an S3 listing is read
// page by page, a local directory walked. Temporary files of writes in
// flight are left out. A directory or prefix with nothing below it (or
// none at all) lists empty.
func (s *Store) List(ctx context.Context, l Location) ([]Info, error) {
	if l.IsZero() {
		return nil, fmt.Errorf("list: %w: no location", ErrInvalidLocation)
	}
	var b mezzfs.Store
	prefix := ""
	if l.IsLocal() {
		fi, err := os.Stat(l.key)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
			return nil, nil
		}
		b = mezzfs.NewLocalStore(l.key)
	} else {
		var err error
		if b, err = s.backend(ctx, l); err != nil {
			return nil, err
		}
		if l.key != "" {
			prefix = l.key + "/"
		}
	}
	objs, err := b.List(ctx, prefix)
	if err != nil {
		return nil, mapErr(err)
	}
	out := make([]Info, 0, len(objs))
	for _, o := range objs {
		rel := o.Key[len(prefix):]
		out = append(out, Info{Location: l.Join(rel), Size: o.Size, ModTime: o.ModTime, ETag: o.ETag})
	}
	return out, nil
}

// remover is a mezzfs store that can delete (mezzfs.S3Store).
type remover interface {
	Remove(ctx context.Context, key string) error
}

// Remove deletes the file or object at l. Removing what is not there
// succeeds (as S3's DELETE does), so a retried clean-up is harmless; a
// local directory is not removed (an error).
func (s *Store) Remove(ctx context.Context, l Location) error {
	if err := needFile("remove", l); err != nil {
		return err
	}
	if l.IsLocal() {
		fi, err := os.Lstat(l.key)
		switch {
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			return nil
		case err != nil:
			return err
		case fi.IsDir():
			return fmt.Errorf("remove %s: %w", l, syscall.EISDIR)
		}
		if err := os.Remove(l.key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := s.backend(ctx, l)
	if err != nil {
		return err
	}
	r, ok := b.(remover)
	if !ok {
		return fmt.Errorf("remove %s: %s cannot delete: %w", l, b, errors.ErrUnsupported)
	}
	return r.Remove(ctx, l.key)
}
