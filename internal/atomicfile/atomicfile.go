// Package atomicfile writes files whole or not at all: data goes to a
// temporary file beside the target, which is renamed into place on Commit,
// so readers see the old file or the new one, never a part.
package atomicfile

import (
	"os"
	"path/filepath"
)

// File is a temporary file that becomes its target on Commit.
type File struct {
	*os.File
	path string
}

// Create starts writing path (its directory is created if needed).
func Create(path string) (*File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, err
	}
	return &File{File: f, path: path}, nil
}

// Abort discards what was written.
func (f *File) Abort() {
	f.Close()
	os.Remove(f.Name())
}

// Commit syncs the data and renames it into place.
func (f *File) Commit() error {
	if err := f.Sync(); err != nil {
		f.Abort()
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), f.path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}
