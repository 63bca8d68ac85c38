package mezzfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/reel-video/reel/store/wholefile"
)

// LocalStore is a Store over a directory: keys are slash-separated paths
// under Root. Its ETag is derived from size, modification time and inode,
// so a file replaced by rename or rewritten in place reads as changed.
type LocalStore struct {
	// Root is the absolute directory holding the objects.
	Root string
}

// NewLocalStore returns a store rooted at dir.
func NewLocalStore(dir string) *LocalStore { return &LocalStore{Root: dir} }

var _ Store = (*LocalStore)(nil)

func (s *LocalStore) String() string { return "file://" + filepath.ToSlash(s.Root) }

func (s *LocalStore) path(key string) (string, error) {
	clean := path.Clean("/" + key)
	if key == "" || clean == "/" {
		return "", fmt.Errorf("%w: %s: empty key", ErrNotFound, s)
	}
	return filepath.Join(s.Root, filepath.FromSlash(clean[1:])), nil
}

func localErr(op, name string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR), errors.Is(err, syscall.EISDIR):
		return objectError(op, name, fmt.Errorf("%w: %w", ErrNotFound, err))
	case errors.Is(err, fs.ErrPermission):
		return objectError(op, name, fmt.Errorf("%w: %w", ErrAccessDenied, err))
	}
	return objectError(op, name, err)
}

func localInfo(key string, fi fs.FileInfo) ObjectInfo {
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	return ObjectInfo{
		Key:     key,
		Size:    fi.Size(),
		ETag:    fmt.Sprintf("%x-%x-%x", fi.Size(), fi.ModTime().UnixNano(), ino),
		ModTime: fi.ModTime(),
	}
}

// Stat implements Store.
func (s *LocalStore) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := s.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	fi, err := os.Stat(p)
	if err == nil && fi.IsDir() {
		err = syscall.EISDIR
	}
	if err != nil {
		return ObjectInfo{}, localErr("stat", s.name(key), err)
	}
	return localInfo(key, fi), nil
}

func (s *LocalStore) name(key string) string { return s.String() + "/" + key }

// ReadRange implements Store.
func (s *LocalStore) ReadRange(ctx context.Context, key string, off, n int64, etag string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, localErr("read", s.name(key), err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, localErr("read", s.name(key), err)
	}
	if etag != "" && localInfo(key, fi).ETag != etag {
		f.Close()
		return nil, objectError("read", s.name(key), ErrChanged)
	}
	return &sectionCloser{SectionReader: io.NewSectionReader(f, off, n), f: f}, nil
}

type sectionCloser struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionCloser) Close() error { return s.f.Close() }

// List implements Store. Keys are relative to Root; prefix is a plain
// string prefix, not a directory.
func (s *LocalStore) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	// Walk from the deepest directory the prefix names.
	dir := prefix
	if i := strings.LastIndex(dir, "/"); i >= 0 {
		dir = dir[:i]
	} else {
		dir = ""
	}
	start := filepath.Join(s.Root, filepath.FromSlash(dir))
	var out []ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(s.Root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasPrefix(key, prefix) || isTempName(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // vanished while listing
		}
		out = append(out, localInfo(key, fi))
		return nil
	})
	if err != nil {
		return nil, localErr("list", s.name(prefix), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// legacyTempPrefix began the temporary files of Puts before they were
// written with wholefile; a crash may have left some.
const legacyTempPrefix = ".mezzfs-tmp-"

// isTempName reports whether name is a temporary file of a Put (in flight
// or left by a crash), which List skips.
func isTempName(name string) bool {
	return wholefile.IsTemp(name) || strings.HasPrefix(name, legacyTempPrefix)
}

// Put implements Store: the bytes go to a temporary file beside the
// target, are synced, then renamed over it, so readers see the old object
// or the whole new one. Files are created with mode 0666 and directories
// with 0777, less the process umask, as any tool creates them.
func (s *LocalStore) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	f, err := wholefile.Create(p)
	if err != nil {
		return localErr("put", s.name(key), err)
	}
	defer f.Abort()
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return objectError("put", s.name(key), err)
	}
	if size >= 0 && n != size {
		return objectError("put", s.name(key), fmt.Errorf("%w: wrote %d bytes, expected %d", ErrShortResponse, n, size))
	}
	if err := f.Commit(); err != nil {
		return objectError("put", s.name(key), err)
	}
	return nil
}

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
