package mezzfs

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// ObjectInfo describes one object in a Store.
type ObjectInfo struct {
	// Key is the object's key relative to the store (S3 key, or a
	// slash-separated path under a local store's root).
	Key string `json:"key"`
	// Size in bytes.
	Size int64 `json:"size"`
	// ETag identifies the object's content version. S3 returns it; a
	// local store derives it from size, modification time and inode.
	ETag string `json:"etag"`
	// ModTime is the last modification time.
	ModTime time.Time `json:"mod_time"`
}

// Store is the object storage a Reader reads from. Implementations are
// safe for concurrent use. Errors wrap ErrNotFound and ErrAccessDenied
// where those apply.
type Store interface {
	// Stat returns the object's size, ETag and modification time.
	Stat(ctx context.Context, key string) (ObjectInfo, error)
	// ReadRange returns exactly n bytes of the object from off. If etag
	// is not empty the store only serves that version and fails with
	// ErrChanged otherwise. The caller must check the byte count: a
	// connection can break mid-body.
	ReadRange(ctx context.Context, key string, off, n int64, etag string) (io.ReadCloser, error)
	// List returns every object whose key starts with prefix, in key
	// order.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Put stores size bytes from r under key, whole or not at all (a
	// multipart upload completed only at the end on S3, temp file and
	// rename locally). size may be -1 when unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// String names the store (s3://bucket, file:///dir) for errors and
	// logs; it never contains credentials.
	String() string
}

// Options configures Open. The zero value works: S3 settings come from
// the standard AWS environment variables and shared credentials file.
type Options struct {
	// S3 configures s3:// URIs.
	S3 S3Options
}

// Open parses uri and returns the store holding it and the key within
// that store.
//
//	s3://bucket/path/to/key   an S3Store on bucket, key "path/to/key"
//	file:///abs/path/name     a LocalStore on /abs/path, key "name"
//	/abs/path/name, rel/name  same as file://
//
// For a local path the store's root is the file's directory; to list or
// mount a directory, pass it with a trailing slash (key "").
func Open(ctx context.Context, uri string, opts Options) (Store, string, error) {
	if uri == "" {
		return nil, "", fmt.Errorf("%w: empty", ErrInvalidURI)
	}
	scheme, rest, hasScheme := strings.Cut(uri, "://")
	if !hasScheme {
		return openLocalPath(uri)
	}
	switch strings.ToLower(scheme) {
	case "s3":
		bucket, key, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, "", fmt.Errorf("%w: %q has no bucket", ErrInvalidURI, uri)
		}
		s, err := NewS3Store(ctx, bucket, opts.S3)
		if err != nil {
			return nil, "", err
		}
		return s, key, nil
	case "file":
		u, err := url.Parse(uri)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %q: %w", ErrInvalidURI, uri, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return nil, "", fmt.Errorf("%w: %q: file URIs must be local (file:///path)", ErrInvalidURI, uri)
		}
		if u.Path == "" {
			return nil, "", fmt.Errorf("%w: %q has no path", ErrInvalidURI, uri)
		}
		return openLocalPath(u.Path)
	default:
		return nil, "", fmt.Errorf("%w: %q: unsupported scheme %q (want s3, file or a path)", ErrInvalidURI, uri, scheme)
	}
}

func openLocalPath(p string) (Store, string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %q: %w", ErrInvalidURI, p, err)
	}
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		return NewLocalStore(abs), "", nil
	}
	return NewLocalStore(filepath.Dir(abs)), filepath.Base(abs), nil
}
