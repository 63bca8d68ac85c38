package wholefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// entries lists dir's names.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "f.json")
	for _, data := range []string{"first, longer", "second"} {
		if err := WriteFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("got %q, %v; want %q", got, err, data)
		}
	}
	if names := entries(t, filepath.Dir(path)); len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestTargetUnchangedUntilCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	if f.Path() != path || filepath.Dir(f.Name()) != filepath.Dir(path) || !IsTemp(filepath.Base(f.Name())) {
		t.Fatalf("temporary file %q for %q", f.Name(), f.Path())
	}
	if !strings.HasPrefix(filepath.Base(f.Name()), ".f.tmp-") {
		t.Fatalf("temporary name %q", f.Name())
	}
	if _, err := f.WriteString("new"); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("before commit the target holds %q", got)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("after commit the target holds %q", got)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("second commit: %v", err)
	}
	if _, err := f.Write([]byte("x")); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("write after commit: %v", err)
	}
	f.Abort() // after Commit: nothing
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("abort after commit left %q", got)
	}
}

func TestAbortLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("partial"); err != nil {
		t.Fatal(err)
	}
	f.Abort()
	f.Abort()
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("abort left %v", names)
	}
	if err := f.Commit(); !errors.Is(err, fs.ErrClosed) {
		t.Fatalf("commit after abort: %v", err)
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Fatalf("commit after abort left %v", names)
	}
}

func TestFailedCommitLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d")
	// A non-empty directory at the target: the rename fails.
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("data")); err == nil {
		t.Fatal("commit over a directory succeeded")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "d" {
		t.Fatalf("failed commit left %v", names)
	}
}

func TestConcurrentCreatesOfOnePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out", "report.json")
	const n = 16
	want := map[string]bool{}
	for i := range n {
		want[strings.Repeat(fmt.Sprint(i%10), 1000+i)] = true
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for data := range want {
		wg.Go(func() {
			f, err := Create(path)
			if err != nil {
				errs <- err
				return
			}
			defer f.Abort()
			for i := 0; i < len(data); i += 100 {
				if _, err := f.WriteString(data[i:min(i+100, len(data))]); err != nil {
					errs <- err
					return
				}
			}
			errs <- f.Commit()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || !want[string(got)] {
		t.Fatalf("target holds %d bytes (%v), not one writer's whole data", len(got), err)
	}
	if names := entries(t, filepath.Dir(path)); len(names) != 1 {
		t.Fatalf("temporary files left: %v", names)
	}
}

func TestTempPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "rung.mp4")
	tmp, err := TempPath(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tmp) != filepath.Dir(path) || !IsTemp(filepath.Base(tmp)) {
		t.Fatalf("temporary path %q for %q", tmp, path)
	}
	st, err := os.Stat(tmp)
	if err != nil || st.Size() != 0 || !st.Mode().IsRegular() {
		t.Fatalf("temporary file: %v, %v", st, err)
	}
	other, err := TempPath(path)
	if err != nil || other == tmp {
		t.Fatalf("second temporary path %q, %v", other, err)
	}
}

func TestMkdirTemp(t *testing.T) {
	dir := t.TempDir()
	a, err := MkdirTemp(dir, ".scratch-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	b, err := MkdirTemp(dir, ".scratch-*.tmp")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{a, b} {
		base := filepath.Base(d)
		if filepath.Dir(d) != dir || !strings.HasPrefix(base, ".scratch-") || !strings.HasSuffix(base, ".tmp") {
			t.Fatalf("directory %q", d)
		}
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Fatalf("%s: %v", d, err)
		}
	}
	if a == b {
		t.Fatalf("two directories named %q", a)
	}
	if d, err := MkdirTemp(dir, "plain"); err != nil || !strings.HasPrefix(filepath.Base(d), "plain") {
		t.Fatalf("pattern without *: %q, %v", d, err)
	}
	if _, err := MkdirTemp(dir, "a/b*"); !errors.Is(err, fs.ErrInvalid) {
		t.Fatalf("pattern with a separator: %v", err)
	}
	if _, err := MkdirTemp(filepath.Join(dir, "missing"), "x*"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("in a missing directory: %v", err)
	}
}

func TestPathsNamingNoFile(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"", "/", ".", "..", dir + "/", dir + "/.."} {
		if _, err := Create(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Create(%q): %v", p, err)
		}
		if _, err := TempPath(p); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("TempPath(%q): %v", p, err)
		}
	}
}

func TestIsTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".report.json.tmp-0123456789abcdef": true,
		"..tmp-0123456789abcdef":            true,
		"report.json.tmp-0123456789abcdef":  false, // not hidden
		".report.json.tmp-0123456789abcde":  false, // short
		".report.json.tmp-0123456789ABCDEF": false,
		".report.json.tmp-0123456789abcdeg": false,
		".report.json":                      false,
		".mezzfs-tmp-123":                   false,
		"":                                  false,
	} {
		if got := IsTemp(name); got != want {
			t.Errorf("IsTemp(%q) = %v", name, got)
		}
	}
}
