package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestDocsUpToDate regenerates the command reference and compares it with
// docs/cli.
func TestDocsUpToDate(t *testing.T) {
	dir := t.TempDir()
	if err := GenMarkdownDocs(dir); err != nil {
		t.Fatal(err)
	}
	const committed = "../../docs/cli"
	want, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	have, err := filepath.Glob(filepath.Join(committed, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	stale := func(format string, a ...any) {
		t.Helper()
		t.Errorf("docs/cli is out of date: "+format+"; run go generate ./internal/cli", a...)
	}
	if len(want) == 0 {
		t.Fatal("no docs generated")
	}
	names := map[string]bool{}
	for _, p := range have {
		names[filepath.Base(p)] = true
	}
	for _, p := range want {
		name := filepath.Base(p)
		delete(names, name)
		gen, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			stale("%s missing", name)
			continue
		}
		if !bytes.Equal(gen, cur) {
			stale("%s differs", name)
		}
	}
	for name := range names {
		stale("%s is for no command", name)
	}
}
