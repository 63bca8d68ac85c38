// Package cli is the reel command line on cobra: one options struct and
// one run function per command, flags anywhere on the line, errors printed
// as one line, exit codes 0 (done), 1 (failed), 2 (usage), 3 (held at the
// QC gate; reel qc: events at --fail-on) and 130 (interrupted).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/internal/vmafcli"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// Env is what a command sees of the world; tests substitute it.
type Env struct {
	Stdout, Stderr io.Writer
	// Getenv reads environment variables. Default os.Getenv.
	Getenv func(string) string
	// Environ lists the environment, for variables read by prefix
	// (TEMPORAL_GRPC_META_*). nil: none, or os.Environ when Getenv is nil.
	Environ func() []string
}

// Main runs reel with the process's arguments and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	level := "quiet"
	if v := os.Getenv("REEL_LIBAV_LOG"); v != "" {
		level = v
	}
	if err := encoder.SetLibavLogLevel(level); err != nil {
		fmt.Fprintln(os.Stderr, "reel: REEL_LIBAV_LOG:", err)
	}
	return Run(ctx, &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ}, os.Args[1:])
}

// Run runs one reel command line and returns its exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	root := newRootCmd(env)
	if len(args) == 0 { // the help, and a usage error
		_ = root.Help()
		return exitUsage
	}
	root.SetArgs(twoDashes(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var code exitCode
	if errors.As(err, &code) {
		return int(code) // the command has said why
	}
	// Cobra's and pflag's own errors: unknown commands and flags, bad flag
	// values, positional arguments.
	name := ""
	if cmd != nil {
		name = commandName(cmd)
	}
	help := strings.Join(strings.Fields("reel "+name+" --help"), " ")
	printErr(env, name, fmt.Errorf("%s (see %s)", oneLine(err.Error()), help))
	return exitUsage
}

// newRootCmd builds the command tree for one command line.
func newRootCmd(env *Env) *cobra.Command {
	if env.Getenv == nil {
		env.Getenv, env.Environ = os.Getenv, os.Environ
	}
	root := &cobra.Command{
		Use:   "reel",
		Short: "encode, score and check video titles on Temporal",
		Long: `reel: encode, score and check video titles on Temporal.

Exit status: 0 done, 1 failed, 2 usage error, 3 held at the QC gate
(reel review decides; reel qc: events at --fail-on), 130 interrupted (run
the same command again to resume).`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return err })
	root.AddCommand(
		newRunCmd(env),
		newSubmitCmd(env),
		newCampaignCmd(env),
		newStatusCmd(env),
		newReviewCmd(env),
		newServeCmd(env),
		newServerCmd(env),
		newPackageCmd(env),
		newReportCmd(env),
		newWorkerCmd(env),
		newProbeCmd(env),
		newEncodeCmd(env),
		newVMAFCmd(env),
		newMountCmd(env),
		newMezzfsCmd(env),
		newQCCmd(env),
		newLadderCmd(env),
		newProfileCmd(env),
		newVersionCmd(env),
	)
	return root
}

// exitCode is the error a command's RunE returns for a non-zero exit: the
// command has printed its message already.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// runE adapts a command's run function, which returns the exit code, to
// cobra.
func runE(run func(ctx context.Context, args []string) int) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if code := run(cmd.Context(), args); code != exitOK {
			return exitCode(code)
		}
		return nil
	}
}

// positional checks the number of positional arguments (max < 0: any
// number from min); names is what the command expects, e.g. "INPUT".
func positional(min, max int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) >= min && (max < 0 || len(args) <= max) {
			return nil
		}
		if names == "" {
			return fmt.Errorf("expected no arguments, got %q", strings.Join(args, " "))
		}
		return fmt.Errorf("expected %s", names)
	}
}

// groupCmd is a command that only holds subcommands: alone it is a usage
// error.
func groupCmd(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			names := make([]string, 0, len(subs))
			for _, s := range subs {
				names = append(names, s.Name())
			}
			return fmt.Errorf("expected a subcommand: %s", strings.Join(names, ", "))
		},
	}
	cmd.AddCommand(subs...)
	return cmd
}

// commandName is a command's path without "reel", e.g. "ladder compare".
func commandName(cmd *cobra.Command) string {
	return strings.TrimSpace(strings.TrimPrefix(cmd.CommandPath(), "reel"))
}

// twoDashes turns Go-flag style long flags with one dash (-out DIR,
// -json=true), which reel accepted before it moved to cobra, into
// --out/--json. Only names of reel's flags are rewritten, and nothing
// after "--".
func twoDashes(root *cobra.Command, args []string) []string {
	names := map[string]bool{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if names[name] {
			out[i] = "-" + a
		}
	}
	return out
}

// oneLine joins a multi-line message (cobra's suggestions) into one line.
func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag = vmafcli.ListFlag

// printErr prints err as one line: the command, then the cause chain with
// Temporal's wrapping removed.
func printErr(env *Env, cmd string, err error) {
	if cmd == "" {
		fmt.Fprintf(env.Stderr, "reel: %s\n", describeErr(err))
		return
	}
	fmt.Fprintf(env.Stderr, "reel %s: %s\n", cmd, describeErr(err))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var errInterrupted = errors.New("interrupted")
