package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/workflows"
)

func TestHelpListsEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		code, stdout, stderr := reel(context.Background(), args...)
		if code != exitOK || stderr != "" {
			t.Fatalf("reel %v: exit %d, stderr %q", args, code, stderr)
		}
		for _, c := range newRootCmd(&Env{}).Commands() {
			if !strings.Contains(stdout, "\n  "+c.Name()+" ") {
				t.Errorf("reel %v does not list %s:\n%s", args, c.Name(), stdout)
			}
		}
		if !strings.Contains(stdout, "completion") {
			t.Errorf("reel %v does not list completion:\n%s", args, stdout)
		}
	}
	// No command at all: the same help, as a usage error.
	code, stdout, _ := reel(context.Background())
	if code != exitUsage || !strings.Contains(stdout, "Available Commands") {
		t.Fatalf("reel: exit %d\n%s", code, stdout)
	}
}

func TestRunHelpListsFlags(t *testing.T) {
	code, stdout, stderr := reel(context.Background(), "run", "--help")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"reel run INPUT [flags]", "--out location", "--profile file", "--force", "--temporal host:port",
		"--no-worker", "--quiet", "--json", "--queues", "--s3-endpoint", "--state-dir", "--embedded-port"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("reel run --help does not mention %q:\n%s", want, stdout)
		}
	}
	// Every command has its help.
	for _, c := range newRootCmd(&Env{}).Commands() {
		args := []string{c.Name(), "--help"}
		if code, stdout, _ := reel(context.Background(), args...); code != exitOK || !strings.Contains(stdout, "Usage:") {
			t.Errorf("reel %v: exit %d\n%s", args, code, stdout)
		}
	}
	// REEL_TEMPORAL is a default of --temporal, named but not shown: help
	// prints nothing from the environment (it could be an API key).
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string {
		switch k {
		case "REEL_TEMPORAL":
			return "temporal.example:7233"
		case "TEMPORAL_API_KEY":
			return "help-must-not-show-this-key"
		}
		return ""
	}}
	if code := Run(context.Background(), env, []string{"status", "--help"}); code != exitOK || !strings.Contains(out.String(), "$REEL_TEMPORAL") ||
		strings.Contains(out.String(), "temporal.example") || strings.Contains(out.String(), "help-must-not-show") {
		t.Errorf("status --help with REEL_TEMPORAL and TEMPORAL_API_KEY: exit %d\n%s", code, out.String())
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "bash completion", "zsh": "#compdef reel", "fish": "complete -c reel"} {
		code, stdout, stderr := reel(context.Background(), "completion", shell)
		if code != exitOK || stderr != "" || !strings.Contains(stdout, want) || len(stdout) < 1000 {
			t.Errorf("reel completion %s: exit %d, stderr %q, %d bytes, want %q", shell, code, stderr, len(stdout), want)
		}
	}
}

func TestUsageErrorsAreOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"nope"}, `reel: unknown command "nope"`},
		{[]string{"run", "in.mov", "--no-such-flag"}, "reel run: unknown flag: --no-such-flag"},
		{[]string{"run"}, "reel run: expected INPUT"},
		{[]string{"run", "a.mov", "b.mov"}, "reel run: expected INPUT"},
		{[]string{"run", "a.mov", "--out"}, "reel run: flag needs an argument: --out"},
		{[]string{"encode", "a.mov", "--start", "x"}, `reel encode: invalid argument "x" for "--start"`},
		{[]string{"worker", "extra"}, "reel worker: expected no arguments"},
		{[]string{"ladder"}, "reel ladder: expected a subcommand: compare"},
		{[]string{"ladder", "compare", "a.json"}, "reel ladder compare: expected A B"},
		{[]string{"mezzfs", "replay"}, "reel mezzfs replay: expected TRACE"},
		{[]string{"mount", "s3://b/"}, "reel mount: expected URI MOUNTPOINT"},
		{[]string{"qc"}, "reel qc: expected INPUT"},
		{[]string{"wroker"}, "worker"}, // a suggestion, still on one line
	}
	for _, tt := range tests {
		code, stdout, stderr := reel(context.Background(), tt.args...)
		if code != exitUsage || !strings.HasPrefix(stderr, tt.want) && !strings.Contains(stderr, tt.want) {
			t.Errorf("reel %v: exit %d, stderr %q; want exit 2 and %q", tt.args, code, stderr, tt.want)
		}
		if strings.Count(stderr, "\n") != 1 || stdout != "" {
			t.Errorf("reel %v: not one line on stderr: stdout %q, stderr %q", tt.args, stdout, stderr)
		}
	}
}

func TestFlagsAnywhereOnTheLine(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("ladder:\n  rungs:\n    - {id: 360p, height: 360, crf: 25}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Flags before, between and after the positionals, with one dash (as
	// Go's flag package took them) or two, --flag=value, and "--".
	a, b := writeLadderCSV(t, dir, "a.csv", 1), writeLadderCSV(t, dir, "b.csv", 0.8)
	for _, args := range [][]string{
		{"ladder", "compare", a, b, "--json"},
		{"ladder", "compare", "--json", a, b},
		{"ladder", "compare", a, "--json", b},
		{"ladder", "compare", a, b, "-json"},
		{"ladder", "compare", a, b, "--json=true"},
		{"ladder", "compare", "--json", "--", a, b},
	} {
		code, stdout, stderr := reel(context.Background(), args...)
		if code != exitOK || !strings.Contains(stdout, `"bd_rate"`) {
			t.Errorf("reel %v: exit %d\nstdout %s\nstderr %s", args, code, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"profile", "--check", good}, {"profile", "-check", good}, {"profile", "-check=" + good}} {
		if code, stdout, stderr := reel(context.Background(), args...); code != exitOK || !strings.Contains(stdout, "valid") {
			t.Errorf("reel %v: exit %d\nstdout %s\nstderr %s", args, code, stdout, stderr)
		}
	}
	// qc takes no INPUT with --defaults, wherever it stands.
	for _, args := range [][]string{{"qc", "--defaults"}, {"qc", "-defaults"}} {
		if code, stdout, stderr := reel(context.Background(), args...); code != exitOK || !strings.Contains(stdout, "qc:") {
			t.Errorf("reel %v: exit %d\nstderr %s", args, code, stderr)
		}
	}
}

// writeLadderCSV writes a 5-rung ladder whose bitrates are scaled by f.
func writeLadderCSV(t *testing.T, dir, name string, f float64) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("kbps,vmaf\n")
	for i, k := range []float64{300, 600, 1200, 2400, 4800} {
		sb.WriteString(strings.Join([]string{ftoa(k * f), ftoa(50 + 10*float64(i))}, ",") + "\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgressLines(t *testing.T) {
	var out bytes.Buffer
	v := newProgressView(&out) // a buffer: not a terminal, a line per change
	stage := func(name, state string, done, total int) stageView {
		return stageView{Stage: workflows.Stage{Name: name, State: state}, done: done, total: total}
	}
	v.draw([]stageView{stage("probe", workflows.StateRunning, 0, 0), stage("encode", workflows.StatePending, 0, 0)})
	v.draw([]stageView{stage("probe", workflows.StateDone, 0, 0), stage("encode", workflows.StateRunning, 3, 40)})
	v.draw([]stageView{stage("probe", workflows.StateDone, 0, 0), stage("encode", workflows.StateRunning, 9, 40)})
	v.finish()
	want := "reel: probe      running\nreel: encode     pending\nreel: probe      done\nreel: encode     running\n"
	if out.String() != want {
		t.Fatalf("lines:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestProgressBars(t *testing.T) {
	var out bytes.Buffer
	v := newProgressViewTTY(&out, true)
	stage := func(name, state string, done, total int) stageView {
		return stageView{Stage: workflows.Stage{Name: name, State: state, Seconds: 1.5, Error: "boom"}, done: done, total: total}
	}
	v.draw([]stageView{stage("probe", workflows.StateRunning, 0, 0), stage("encode", workflows.StatePending, 0, 0), stage("qc", workflows.StatePending, 0, 0)})
	v.draw([]stageView{stage("probe", workflows.StateDone, 0, 0), stage("encode", workflows.StateRunning, 3, 40), stage("qc", workflows.StateFailed, 0, 0)})
	v.draw([]stageView{stage("probe", workflows.StateDone, 0, 0), stage("encode", workflows.StateRunning, 12, 40), stage("qc", workflows.StateFailed, 0, 0)})
	v.finish()
	v.finish() // twice is fine
	got := out.String()
	for _, want := range []string{"probe", "done 1.5s", "encode", "12/40", "running  30%", "/s", "ETA", "qc", "failed: boom"} {
		if !strings.Contains(got, want) {
			t.Errorf("bars do not show %q:\n%s", want, got)
		}
	}
}
