package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/workflows"
)

// Locations. Every input and output an activity takes is a location: a
// plain local path, a file:///path URI (the same local file) or an object
// store URI (s3://bucket/key), parsed by store.ParseLocation. A title's Out
// and chunk Cache are locations of directories; for s3:// they are key
// prefixes.
//
// Local outputs are written in place (whole or not at all, as before). For
// an object-store output an activity writes into its own scratch directory,
// laid out like the output, and uploads each finished file with store.Put
// (a multipart upload completed only at the end: readers see the whole
// object or none) under <prefix>/<the same relative path>. Keys are
// deterministic, so a retried activity overwrites the objects of the
// attempt before it instead of adding others.
//
// S3 settings (endpoint, region, credentials) are the worker's: the
// Activities' Store options, whose zero value reads the standard AWS_*
// environment and credentials file.

// isURL reports whether s is spelled as a URI (scheme://…, file:// too)
// rather than a plain path.
func isURL(s string) bool { return strings.Contains(s, "://") }

// localPath returns the local file path of loc (a plain path or a
// file:///path URI), or false for an object-store URI or an invalid
// location.
func localPath(loc string) (string, bool) {
	l, err := store.ParseLocation(loc)
	if err != nil || !l.IsLocal() {
		return "", false
	}
	return l.Path(), true
}

// joinLoc joins slash-separated elements to a location (so "s3://b/t/" and
// "s3://b/t" give the same keys and "//" collapses). An invalid location
// stays one: using the result fails with the reason.
func joinLoc(base string, elem ...string) string {
	l, err := store.ParseLocation(base)
	if err != nil {
		return base + "/" + path.Join(elem...)
	}
	return l.Join(elem...).String()
}

// relLoc returns p relative to the location base, as reports record
// paths; p itself when it is not under base.
func relLoc(base, p string) string {
	b, err := store.ParseLocation(base)
	if err != nil {
		return p
	}
	q, err := store.ParseLocation(p)
	if err != nil {
		return p
	}
	if rel, ok := b.Rel(q); ok {
		return rel
	}
	return p
}

// files is the store the activities read and write through, with the
// worker's S3 settings and the S3 stores kept per bucket in a.stores.
func (a *Activities) files() *store.Store {
	return &store.Store{Options: a.Store, Bucket: a.bucketStore}
}

// bucketStore returns the mezzfs store of an S3 bucket. S3 stores are made
// once per bucket and reused, so their connections are too.
func (a *Activities) bucketStore(ctx context.Context, bucket string) (mezzfs.Store, error) {
	a.storeMu.Lock()
	defer a.storeMu.Unlock()
	if s, ok := a.stores[bucket]; ok {
		return s, nil
	}
	s, err := mezzfs.NewS3Store(ctx, bucket, a.Store.S3)
	if err != nil {
		return nil, err
	}
	if a.stores == nil {
		a.stores = map[string]mezzfs.Store{}
	}
	a.stores[bucket] = s
	return s, nil
}

// withIO gives the encoder calls made with ctx the worker's store settings
// (unless the caller already set some) and logs their read stats.
func (a *Activities) withIO(ctx context.Context) context.Context {
	io := encoder.IOFromContext(ctx)
	if io.Store == (mezzfs.Options{}) && io.Stats == nil {
		io.Store = a.Store
		log, m := a.logger(), a.meter()
		io.Stats = func(input string, st mezzfs.Stats) {
			m.StoreRead(st)
			log.Debug("mezzfs read stats", "input", input, "requests", st.Requests, "bytes_fetched", st.BytesFetched,
				"bytes_served", st.BytesServed, "read_amplification", st.ReadAmplification)
		}
		return encoder.WithIO(ctx, io)
	}
	return ctx
}

// statLoc returns the size of the file or object at loc. A missing one
// wraps store.ErrNotFound and fs.ErrNotExist (local) or mezzfs.ErrNotFound.
func (a *Activities) statLoc(ctx context.Context, loc string) (int64, error) {
	l, err := store.ParseLocation(loc)
	if err != nil {
		return 0, err
	}
	info, err := a.files().Stat(ctx, l)
	if err != nil {
		return 0, err
	}
	return info.Size, nil
}

// readLoc reads the (small) file or object at loc whole, through a
// mezzfs.Reader for objects.
func (a *Activities) readLoc(ctx context.Context, loc string) ([]byte, error) {
	l, err := store.ParseLocation(loc)
	if err != nil {
		return nil, err
	}
	return a.files().ReadFile(ctx, l)
}

// fetchLoc copies the object at loc into the local file dst (for tools
// that need a file, such as the stitcher), whole or not at all.
func (a *Activities) fetchLoc(ctx context.Context, loc, dst string) error {
	src, err := store.ParseLocation(loc)
	if err != nil {
		return err
	}
	to, err := store.LocalPath(dst)
	if err != nil {
		return err
	}
	files := a.files()
	r, err := files.Open(ctx, src)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := files.Put(ctx, to, r, r.Size()); err != nil {
		return fmt.Errorf("download %s: %w", loc, err)
	}
	return nil
}

// sourceIdentity is SourceIdentityOf for any location: a local file (plain
// path or file://) is read directly; an object is stat'ed (size and
// modification time) and its first and last MiB read with ranged GETs
// pinned to the ETag seen.
func (a *Activities) sourceIdentity(ctx context.Context, src string) (workflows.SourceID, error) {
	if p, ok := localPath(src); ok {
		return SourceIdentityOf(p)
	}
	fail := func(err error) (workflows.SourceID, error) {
		return workflows.SourceID{}, fmt.Errorf("source identity %s: %w", src, err)
	}
	l, err := store.ParseLocation(src)
	if err != nil {
		return fail(err)
	}
	if l.Key() == "" || strings.HasSuffix(src, "/") {
		return fail(fmt.Errorf("%w: %q names no object", mezzfs.ErrInvalidURI, src))
	}
	s, key, err := a.files().Object(ctx, l)
	if err != nil {
		return fail(err)
	}
	info, err := s.Stat(ctx, key)
	if err != nil {
		return fail(err)
	}
	if info.Size == 0 {
		return fail(fmt.Errorf("%w: object has zero bytes", encoder.ErrEmpty))
	}
	hash := func(off int64) (string, error) {
		n := min(int64(identityBytes), info.Size-off)
		body, err := s.ReadRange(ctx, key, off, n, info.ETag)
		if err != nil {
			return "", err
		}
		defer body.Close()
		h := sha256.New()
		got, err := io.Copy(h, body)
		if err == nil && got != n {
			err = fmt.Errorf("%w: got %d of %d bytes", mezzfs.ErrShortResponse, got, n)
		}
		if err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	id := workflows.SourceID{Size: info.Size, ModTimeUnixNano: info.ModTime.UnixNano(), ETag: info.ETag}
	if id.HeadSHA256, err = hash(0); err != nil {
		return fail(err)
	}
	if id.TailSHA256, err = hash(max(0, info.Size-identityBytes)); err != nil {
		return fail(err)
	}
	return id, nil
}

// outDir is where one activity writes outputs under a location (a title's
// Out or the chunk cache).
type outDir struct {
	files *store.Store
	base  store.Location
	// dir is where files are written: the local directory itself, or a
	// scratch directory laid out like the output.
	dir string
	// uploaded holds the relative paths uploaded so far.
	uploaded map[string]bool
	meter    Meter
}

// openOut prepares writing under the location base. Call close when done.
func (a *Activities) openOut(ctx context.Context, base string) (*outDir, error) {
	l, err := store.ParseLocation(base)
	if err != nil {
		return nil, err
	}
	o := &outDir{files: a.files(), base: l, dir: l.Path(), meter: a.meter()}
	if l.IsLocal() {
		return o, nil
	}
	if _, err := a.bucketStore(ctx, l.Bucket()); err != nil {
		return nil, err
	}
	if o.dir, err = a.scratchDir(); err != nil {
		return nil, err
	}
	return o, nil
}

// scratchDir makes a new directory for an activity's local files.
func (a *Activities) scratchDir() (string, error) {
	d, err := os.MkdirTemp(a.ScratchDir, "reel-scratch-*")
	if err != nil {
		return "", fmt.Errorf("scratch directory: %w", err)
	}
	return d, nil
}

func (o *outDir) remote() bool { return !o.base.IsLocal() }

// file is the local path to write rel (slash-separated) at; its directory
// exists (made, like any output directory, with mode 0777 less the
// umask).
func (o *outDir) file(rel string) string {
	p := filepath.Join(o.dir, filepath.FromSlash(rel))
	_ = os.MkdirAll(filepath.Dir(p), 0o777)
	return p
}

// loc is rel's location under the output, as results and reports name it.
func (o *outDir) loc(rel string) string { return o.base.Join(rel).String() }

// relOf returns the output-relative path of a local path under o.dir.
func (o *outDir) relOf(p string) string {
	rel, err := filepath.Rel(o.dir, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(rel)
}

// commit uploads finished files (for a local output they are already in
// place), in order: the last one is the last to appear.
func (o *outDir) commit(ctx context.Context, rels ...string) error {
	if !o.remote() {
		return nil
	}
	for _, rel := range rels {
		if err := o.put(ctx, rel); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes data to rel, whole or not at all: in place for a local
// output, uploaded at once (no scratch file) for an object store.
func (o *outDir) writeFile(ctx context.Context, rel string, data []byte) error {
	if err := o.files.WriteFile(ctx, o.base.Join(rel), data); err != nil {
		return fmt.Errorf("write %s: %w", o.loc(rel), err)
	}
	o.meter.StoreWrite(int64(len(data)))
	return nil
}

func (o *outDir) put(ctx context.Context, rel string) error {
	f, err := os.Open(o.file(rel))
	if err != nil {
		return fmt.Errorf("upload %s: %w", o.loc(rel), err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("upload %s: %w", o.loc(rel), err)
	}
	if err := o.files.Put(ctx, o.base.Join(rel), f, st.Size()); err != nil {
		return fmt.Errorf("upload %s: %w", o.loc(rel), err)
	}
	o.meter.StoreWrite(st.Size())
	if o.uploaded == nil {
		o.uploaded = map[string]bool{}
	}
	o.uploaded[rel] = true
	return nil
}

// commitTree uploads every file under the relative directory rel that
// this activity wrote (temporary files excepted).
func (o *outDir) commitTree(ctx context.Context, rel string) error {
	if !o.remote() {
		return nil
	}
	root := filepath.Join(o.dir, filepath.FromSlash(rel))
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == root {
			return nil
		}
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || o.uploaded[o.relOf(p)] {
			return err
		}
		return o.put(ctx, o.relOf(p))
	})
}

// read reads rel back: from this activity's own file when there is one,
// else from the output location (an earlier attempt's).
func (o *outDir) read(ctx context.Context, rel string) ([]byte, error) {
	if o.remote() {
		if b, err := os.ReadFile(filepath.Join(o.dir, filepath.FromSlash(rel))); err == nil {
			return b, nil
		}
	}
	return o.files.ReadFile(ctx, o.base.Join(rel))
}

// close removes the scratch directory.
func (o *outDir) close() {
	if o.remote() {
		os.RemoveAll(o.dir)
	}
}
