package reporthtml

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// Files reads a title's output files by a path relative to the output
// location (the report's relative paths). ReadFile of a missing file
// returns an error wrapping fs.ErrNotExist.
type Files interface {
	ReadFile(ctx context.Context, rel string) ([]byte, error)
}

// ErrEscapes is returned by DirFiles' ReadFile for a path that is absolute
// or leads out of the directory.
var ErrEscapes = errors.New("reporthtml: path escapes the output directory")

// DirFiles returns the Files of a local output directory. It refuses
// absolute paths and paths that lead out of dir (ErrEscapes).
func DirFiles(dir string) Files { return dirFiles{root: dir} }

type dirFiles struct{ root string }

func (d dirFiles) ReadFile(ctx context.Context, rel string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !fs.ValidPath(rel) || strings.Contains(rel, `\`) {
		return nil, fmt.Errorf("%w: %q", ErrEscapes, rel)
	}
	root, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	b, err := root.ReadFile(path.Clean(rel))
	if err != nil {
		return nil, fmt.Errorf("reporthtml: %w", err)
	}
	return b, nil
}
