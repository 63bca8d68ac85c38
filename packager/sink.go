package packager

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/store/wholefile"
)

// DirSink writes the package under a local directory, each file whole
// (a temporary file renamed into place).
type DirSink string

// Put writes data to rel under the directory.
func (d DirSink) Put(_ context.Context, rel string, data []byte) error {
	p, err := joinRel(string(d), rel)
	if err != nil {
		return err
	}
	return wholefile.WriteFile(filepath.FromSlash(p), data)
}

// StoreSink writes the package below Root through a store (a local
// directory, file:// or s3://), each file whole or not at all.
type StoreSink struct {
	Store *store.Store
	Root  store.Location
}

// Put writes data to rel below Root.
func (s StoreSink) Put(ctx context.Context, rel string, data []byte) error {
	if _, err := joinRel("", rel); err != nil {
		return err
	}
	return s.Store.WriteFile(ctx, s.Root.Join(rel), data)
}

// joinRel joins a clean relative slash path to root, refusing paths that
// leave it.
func joinRel(root, rel string) (string, error) {
	if rel == "" || path.IsAbs(rel) || path.Clean(rel) != rel || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("packager: bad relative path %q: %w", rel, ErrInvalidInput)
	}
	return path.Join(filepath.ToSlash(root), rel), nil
}
