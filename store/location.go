// Package store is where reel reads and writes files: a Location names a
// local file or directory or an object-store key or prefix, parsed once
// from what a user typed, and a Store opens, creates, stats, lists and
// removes what is there on either backend alike.
//
// Writes are whole or not at all on every backend: a local file is written
// to a temporary file beside it, synced and renamed into place (package
// store/wholefile); an object is a multipart upload completed only when
// the writer commits. A reader sees the old content or the whole new one,
// never a part. Local files are created with mode 0666 and directories
// with 0777, less the process umask, as any tool makes them.
//
// Reads of objects go through mezzfs (ranged GETs pinned to the object's
// ETag, retries, read-ahead); local files are read directly.
//
// The package does not import Temporal or the encoder: the activities use
// it, and so can the packager, the report, reel serve and campaigns.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/reel-video/reel/mezzfs"
)

// sentinel is an error that is also another one: errors.Is(e, e.also)
// holds, while its message stays its own.
type sentinel struct {
	msg  string
	also error
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.also }

// Sentinel errors. Every error of this package with one of these causes
// wraps it; test with errors.Is.
var (
	// ErrInvalidLocation: a location that cannot be parsed (empty, an
	// unsupported scheme, file://host/…, s3:// without a bucket), or one
	// that names no file where a file is needed (an s3 bucket's root).
	// It wraps mezzfs.ErrInvalidURI, so callers that map mezzfs's errors
	// map it as well.
	ErrInvalidLocation error = &sentinel{"store: invalid location", mezzfs.ErrInvalidURI}
	// ErrNotFound: no file or object at the location (a local directory
	// is not a file). The error also wraps the backend's own cause:
	// fs.ErrNotExist for a local file, mezzfs.ErrNotFound for an object.
	ErrNotFound = errors.New("store: not found")
	// ErrClosed: a Writer used after Commit or Abort. It wraps
	// fs.ErrClosed.
	ErrClosed error = &sentinel{"store: writer closed", fs.ErrClosed}
)

// Location is a parsed location: a local path or a key (or key prefix)
// in an S3 bucket. The zero Location is invalid; make one with
// ParseLocation or LocalPath. Locations are comparable: two spellings of
// one place (s3://b/k/ and s3://b//k) parse to equal Locations.
type Location struct {
	// bucket is the S3 bucket; empty for a local location.
	bucket string
	// key is the S3 key without leading or trailing slashes ("" for the
	// bucket's root), or the absolute, clean local path.
	key string
	// fileURI: a local location spelled file:///…, which String keeps.
	fileURI bool
}

// ParseLocation parses s, once, into a Location:
//
//	/abs/path, rel/path        a local path, made absolute and clean
//	file:///abs/path           the same local path (String keeps the URI)
//	s3://bucket/key/or/prefix  a key in an S3 bucket; s3://bucket is its root
//
// Schemes are case-insensitive. Anything else fails with an error wrapping
// ErrInvalidLocation that says why: an empty string, another scheme, a
// file URI with a host (file://host/p) or a relative path, a query or a
// fragment in a file URI, s3:// without a bucket or with an invalid one,
// a NUL byte.
//
// A trailing slash does not matter (s3://b/t/ is s3://b/t): whether a
// location is a file or a directory (a key prefix) is up to its use.
func ParseLocation(s string) (Location, error) {
	fail := func(format string, a ...any) (Location, error) {
		return Location{}, fmt.Errorf("%w %q: %s", ErrInvalidLocation, s, fmt.Sprintf(format, a...))
	}
	if s == "" {
		return Location{}, fmt.Errorf("%w: empty", ErrInvalidLocation)
	}
	if strings.ContainsRune(s, 0) {
		return fail("contains a NUL byte")
	}
	scheme, rest, isURI := strings.Cut(s, "://")
	if !isURI {
		p, err := filepath.Abs(s)
		if err != nil {
			return fail("%v", err)
		}
		return Location{key: p}, nil
	}
	switch strings.ToLower(scheme) {
	case "s3":
		bucket, key, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return fail("no bucket (want s3://bucket/key)")
		}
		if err := checkBucket(bucket); err != nil {
			return fail("bucket %q: %v", bucket, err)
		}
		if !utf8.ValidString(key) {
			return fail("key is not UTF-8")
		}
		return Location{bucket: bucket, key: cleanKey(key)}, nil
	case "file":
		u, err := url.Parse(s)
		if err != nil {
			return fail("%v", errors.Unwrap(err))
		}
		switch {
		case u.Host != "" && u.Host != "localhost":
			return fail("file URIs must be local (file:///path), not on host %q", u.Host)
		case u.User != nil:
			return fail("file URIs take no user")
		case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
			return fail("file URIs take no query or fragment (escape ? and # as %%3F and %%23)")
		case !strings.HasPrefix(u.Path, "/"):
			return fail("file URIs need an absolute path (file:///path)")
		}
		return Location{key: filepath.Clean(u.Path), fileURI: true}, nil
	default:
		return fail("unsupported scheme %q (want a path, file:///path or s3://bucket/key)", scheme)
	}
}

// LocalPath returns the Location of the local path p, made absolute and
// clean. It fails only when the working directory cannot be read for a
// relative p, or p is empty or holds a NUL byte.
func LocalPath(p string) (Location, error) {
	if p == "" || strings.ContainsRune(p, 0) {
		return Location{}, fmt.Errorf("%w: local path %q: empty or holds a NUL byte", ErrInvalidLocation, p)
	}
	abs, err := filepath.Abs(p) // clean: "a://b" is the path a:/b, never a URI
	if err != nil {
		return Location{}, fmt.Errorf("%w: local path %q: %w", ErrInvalidLocation, p, err)
	}
	return Location{key: abs}, nil
}

// checkBucket accepts S3 bucket names: letters, digits, '.', '-' and '_'
// (upper case and '_' only in old buckets), at most 255 bytes.
func checkBucket(b string) error {
	if len(b) > 255 {
		return errors.New("longer than 255 bytes")
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("character %q (want letters, digits, '.', '-' or '_')", c)
		}
	}
	return nil
}

// cleanKey cleans a slash-separated key: no empty, "." or ".." elements,
// no leading or trailing slash ("" for the root).
func cleanKey(key string) string {
	return strings.TrimPrefix(path.Clean("/"+key), "/")
}

// IsZero reports whether l is the zero Location (no location at all).
func (l Location) IsZero() bool { return l == Location{} }

// IsLocal reports whether l is a local path.
func (l Location) IsLocal() bool { return l.bucket == "" }

// Path returns a local location's absolute path, "" for an object.
func (l Location) Path() string {
	if !l.IsLocal() {
		return ""
	}
	return l.key
}

// Bucket returns an S3 location's bucket, "" for a local one.
func (l Location) Bucket() string { return l.bucket }

// Key returns an S3 location's key (no leading or trailing slash; "" for
// the bucket's root), "" for a local one.
func (l Location) Key() string {
	if l.IsLocal() {
		return ""
	}
	return l.key
}

// String returns the location as ParseLocation reads it back: the
// absolute path, file:///path for a location spelled so, or
// s3://bucket/key.
func (l Location) String() string {
	switch {
	case l.IsZero():
		return ""
	case !l.IsLocal():
		if l.key == "" {
			return "s3://" + l.bucket
		}
		return "s3://" + l.bucket + "/" + l.key
	case l.fileURI:
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(l.key)}).String()
	}
	return l.key
}

// Join returns the location of the slash-separated elements under l: a
// file below a local directory, a key below an S3 prefix. ".." cannot
// climb above l's backend root ("/" or the bucket).
func (l Location) Join(elem ...string) Location {
	rel := path.Join(elem...)
	if l.IsLocal() {
		l.key = filepath.Join(l.key, filepath.FromSlash(rel))
		return l
	}
	l.key = cleanKey(l.key + "/" + rel)
	return l
}

// Rel returns the slash-separated path of target below l and true, or
// "" and false when target is not below l (another backend or bucket, or
// outside). l.Rel(l) is ".".
func (l Location) Rel(target Location) (string, bool) {
	if l.bucket != target.bucket || l.IsZero() || target.IsZero() {
		return "", false
	}
	if l.key == target.key {
		return ".", true
	}
	if l.IsLocal() {
		rel, err := filepath.Rel(l.key, target.key)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(rel), true
	}
	if l.key == "" {
		return target.key, true
	}
	if rel, ok := strings.CutPrefix(target.key, l.key+"/"); ok {
		return rel, true
	}
	return "", false
}
