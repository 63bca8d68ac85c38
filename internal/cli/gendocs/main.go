// Command gendocs writes reel's command reference (Markdown) into the
// directory given as its argument, replacing the Markdown files there.
// Run by `go generate ./internal/cli`, which writes docs/cli.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/reel-video/reel/internal/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendocs DIR")
		os.Exit(2)
	}
	if err := gen(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func gen(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// Pages of commands that are gone go too.
	old, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return cli.GenMarkdownDocs(dir)
}
