// Package wholefile writes files whole or not at all, with the permissions
// ordinary tools give them.
//
// Data goes to a temporary file beside the target, named
// "."+base+".tmp-<random>", which is synced and renamed over the target
// when complete: a reader sees the old file or the whole new one, never a
// part, and a crash leaves at worst a hidden temporary file. Two writers
// of one path each get a temporary file of their own; the last rename
// wins.
//
// Files are created with mode 0666 and directories with 0777, less the
// process umask (and as a directory's default ACL says), as open(2) and
// mkdir(2) make them for any tool: with the usual umask 022 outputs are
// 0644 and their directories 0755, so a web server or a reviewer in
// another account can read them. os.CreateTemp and os.MkdirTemp, by
// contrast, make private 0600 files and 0700 directories whatever the
// umask, which suits scratch space but not outputs.
//
// The package imports nothing but the standard library.
package wholefile

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

const (
	// fileMode and dirMode are what the umask is applied to.
	fileMode = 0o666
	dirMode  = 0o777

	// tmpMark separates a temporary file's target name from its random
	// suffix of randLen lowercase hex digits.
	tmpMark = ".tmp-"
	randLen = 16

	// tries bounds the attempts at a name nobody holds.
	tries = 10000
)

// File is a temporary file that becomes its target on Commit. Its methods
// are not safe for concurrent use.
type File struct {
	f    *os.File
	path string
	done bool // committed or aborted
}

// Create starts writing path: it makes path's directory (and its parents)
// if needed and opens a new temporary file beside it. Write the data, then
// call Commit to put it in place, or Abort to discard it; deferring Abort
// right after Create is safe, as Abort after Commit does nothing.
func Create(path string) (*File, error) {
	if err := checkPath(path); err != nil {
		return nil, fmt.Errorf("wholefile: create %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return nil, fmt.Errorf("wholefile: create %s: %w", path, err)
	}
	f, err := createTemp(path)
	if err != nil {
		return nil, fmt.Errorf("wholefile: create %s: %w", path, err)
	}
	return &File{f: f, path: path}, nil
}

// Write writes p to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("wholefile: write %s: %w", f.path, fs.ErrClosed)
	}
	return f.f.Write(p)
}

// WriteString writes s to the temporary file.
func (f *File) WriteString(s string) (int, error) {
	if f.done {
		return 0, fmt.Errorf("wholefile: write %s: %w", f.path, fs.ErrClosed)
	}
	return f.f.WriteString(s)
}

// Name returns the temporary file's name (the data is there until Commit).
func (f *File) Name() string { return f.f.Name() }

// Path returns the target path given to Create.
func (f *File) Path() string { return f.path }

// Commit syncs the data to disk, closes the temporary file and renames it
// to the target, replacing any file there. On error the temporary file is
// removed and the target is left as it was. The directory itself is not
// synced: after a crash the target holds the old file or the new one,
// whole.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("wholefile: commit %s: %w", f.path, fs.ErrClosed)
	}
	f.done = true
	tmp := f.f.Name()
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("wholefile: commit %s: %w", f.path, err)
	}
	return nil
}

// Abort discards what was written: it closes and removes the temporary
// file. It does nothing after Commit or another Abort.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// WriteFile writes data to path whole or not at all (see Create).
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("wholefile: write %s: %w", path, err)
	}
	return f.Commit()
}

// TempPath is for writers that open the file themselves (a muxer given a
// file name): it makes path's directory if needed, creates a new empty
// temporary file beside path with Create's name and mode, and returns its
// name. The caller writes it, then renames it to path (os.Rename) when
// complete, or removes it on failure.
func TempPath(path string) (string, error) {
	if err := checkPath(path); err != nil {
		return "", fmt.Errorf("wholefile: temp for %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), dirMode); err != nil {
		return "", fmt.Errorf("wholefile: temp for %s: %w", path, err)
	}
	f, err := createTemp(path)
	if err != nil {
		return "", fmt.Errorf("wholefile: temp for %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("wholefile: temp for %s: %w", path, err)
	}
	return f.Name(), nil
}

// MkdirTemp is os.MkdirTemp with the mode of an ordinary directory: it
// creates a new directory in dir (os.TempDir() when dir is empty; dir
// must exist) named pattern with its last "*" replaced by a random string
// (or with the string appended when pattern has no "*"), with mode 0777
// less the umask, and returns its name. It is for directories that become
// outputs, say by a rename; private scratch space is better made with
// os.MkdirTemp.
func MkdirTemp(dir, pattern string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if strings.ContainsRune(pattern, os.PathSeparator) || strings.ContainsRune(pattern, '/') {
		return "", fmt.Errorf("wholefile: mkdir temp %s: pattern %q: %w", dir, pattern, fs.ErrInvalid)
	}
	prefix, suffix := pattern, ""
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		prefix, suffix = pattern[:i], pattern[i+1:]
	}
	for try := 1; ; try++ {
		name := filepath.Join(dir, prefix+random()+suffix)
		err := os.Mkdir(name, dirMode)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == tries {
			return "", fmt.Errorf("wholefile: mkdir temp %s: %w", dir, err)
		}
	}
}

// IsTemp reports whether name (a base name) is a temporary file of this
// package's, in flight or left by a crash: listings of an output
// directory can skip such names.
func IsTemp(name string) bool {
	if !strings.HasPrefix(name, ".") || len(name) < 1+len(tmpMark)+randLen {
		return false
	}
	i := len(name) - randLen - len(tmpMark)
	if name[i:i+len(tmpMark)] != tmpMark {
		return false
	}
	for _, c := range name[i+len(tmpMark):] {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkPath rejects paths that name no file: empty, a directory by
// spelling ("dir/", "/", ".", "..").
func checkPath(path string) error {
	base := filepath.Base(path)
	if path == "" || base == "." || base == ".." || base == string(filepath.Separator) ||
		os.IsPathSeparator(path[len(path)-1]) {
		return fmt.Errorf("%w: names no file", fs.ErrInvalid)
	}
	return nil
}

// createTemp creates and opens a new temporary file for path, in path's
// directory, with mode 0666 less the umask.
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	for try := 1; ; try++ {
		name := filepath.Join(dir, "."+base+tmpMark+random())
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, fileMode)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == tries {
			return nil, err
		}
	}
}

// random returns randLen random lowercase hex digits.
func random() string {
	return fmt.Sprintf("%0*x", randLen, rand.Uint64())
}
