// Package cli is the reel command line: one options struct per command,
// flags parsed anywhere on the line, errors printed as one line.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/reel-video/reel/encoder"
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
}

type command struct {
	name, summary string
	run           func(ctx context.Context, env *Env, args []string) int
}

func commands() []command {
	return []command{
		{"run", "encode a title end to end (embedded Temporal unless --temporal)", runRun},
		{"submit", "start an EncodeTitle workflow and print its id (for ingest systems)", runSubmit},
		{"status", "show a workflow's progress and result", runStatus},
		{"worker", "serve task queues for a Temporal server", runWorker},
		{"probe", "print what a media file holds, as JSON", runProbe},
		{"encode", "encode one chunk of a source to one rung, as the pipeline does (to reproduce it)", runEncode},
		{"vmaf", "score a distorted video against a reference (VMAF, PSNR, SSIM, MS-SSIM)", runVMAF},
		{"mount", "mount an object-store prefix read-only (FUSE) through mezzfs", runMount},
		{"mezzfs", "mezzfs tools: replay a recorded read trace", runMezzfs},
		{"qc", "run the QC checks (black, freeze, borders, shots, interlace, levels, loudness, …)", runQC},
		{"ladder", "compare two ladders of a title: BD-rate and BD-VMAF", runLadder},
		{"profile", "print the built-in encode profile (YAML)", runProfile},
		{"version", "print reel's version", runVersion},
	}
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
	return Run(ctx, &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
}

// Run runs one reel command line.
func Run(ctx context.Context, env *Env, args []string) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	fmt.Fprintf(env.Stderr, "reel: unknown command %q (see reel help)\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "reel: encode, score and check video titles on Temporal.")
	fmt.Fprintln(w, "\nUsage: reel COMMAND [ARGS] [FLAGS]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun reel COMMAND -h for a command's flags.")
}

// parse parses flags that may stand before, between or after positional
// arguments, and checks the number of positionals.
func parse(fs *flag.FlagSet, env *Env, args []string, minPos, maxPos int, posUsage string) ([]string, bool) {
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: reel %s %s [FLAGS]\n\nFlags:\n", fs.Name(), posUsage)
		fs.PrintDefaults()
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			pos = append(pos, rest[1:]...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) < minPos || (maxPos >= 0 && len(pos) > maxPos) {
		fmt.Fprintf(env.Stderr, "reel %s: expected %s\n", fs.Name(), posUsage)
		fs.Usage()
		return nil, false
	}
	return pos, true
}

// listFlag is a comma-separated or repeated string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// printErr prints err as one line: the command, then the cause chain with
// Temporal's wrapping removed.
func printErr(env *Env, cmd string, err error) {
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
