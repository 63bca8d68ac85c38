package cli

import (
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

//go:generate go run ./gendocs ../../docs/cli

// GenMarkdownDocs writes the reference of every reel command, one Markdown
// file each (reel.md, reel_run.md, …), into dir: docs/cli, made by
// `go generate ./internal/cli` and checked by TestDocsUpToDate. The text
// does not depend on the machine or the environment (no REEL_TEMPORAL, no
// date), so that it only changes when the commands do.
func GenMarkdownDocs(dir string) error {
	root := newRootCmd(&Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	root.InitDefaultCompletionCmd()
	var stable func(*cobra.Command)
	stable = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, s := range c.Commands() {
			stable(s)
		}
	}
	stable(root)
	return doc.GenMarkdownTree(root, dir)
}
