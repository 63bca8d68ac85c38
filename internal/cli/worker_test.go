package cli

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/workflows"
)

// TestWorkerMaxActivities: --max-activities parses queue=N lists (merged
// over repeated flags, the old --encode-concurrency and --cpu-concurrency
// as aliases, the rest from the core count) and rejects a bad entry with
// one line naming it, before anything starts.
func TestWorkerMaxActivities(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want map[string]int
	}{
		{nil, map[string]int{}},
		{[]string{"--max-activities", "reel-encode=2,reel-cpu=3,reel-io=8"}, map[string]int{"reel-encode": 2, "reel-cpu": 3, "reel-io": 8}},
		{[]string{"--max-activities", "reel-encode=2", "--max-activities", " reel-io = 9 ,reel-encode=4"}, map[string]int{"reel-encode": 4, "reel-io": 9}},
		{[]string{"--max-activities", ""}, map[string]int{}},
		{[]string{"--encode-concurrency", "3", "--cpu-concurrency", "2"}, map[string]int{"reel-encode": 3, "reel-cpu": 2}},
		{[]string{"--max-activities", "reel-encode=2", "--encode-concurrency", "5"}, map[string]int{"reel-encode": 5}},
		{[]string{"--max-activities", "reel=50"}, map[string]int{"reel": 50}},
	} {
		cmd := newWorkerCmd(&Env{Getenv: func(string) string { return "" }})
		if err := cmd.ParseFlags(tc.args); err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		caps := cmd.Flags().Lookup("max-activities").Value.(*activityCaps)
		if !maps.Equal(*caps, activityCaps(tc.want)) {
			t.Errorf("%q: caps %v, want %v", tc.args, *caps, tc.want)
		}
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--max-activities", "reel-enc=2"}, `unknown task queue "reel-enc" (known: reel, reel-io, reel-cpu, reel-encode)`},
		{[]string{"--max-activities", "reel-encode=0"}, "reel-encode=0: N must be at least 1"},
		{[]string{"--max-activities", "reel-encode=-3"}, "reel-encode=-3: N must be at least 1"},
		{[]string{"--max-activities", "reel-encode=two"}, "reel-encode=two: N must be a whole number"},
		{[]string{"--max-activities", "reel-encode"}, `"reel-encode": want queue=N`},
		{[]string{"--max-activities", "=2"}, `"=2": want queue=N`},
		{[]string{"--encode-concurrency", "0"}, "reel-encode=0: N must be at least 1"},
		{[]string{"--queues", "reel-encode,bogus"}, `--queues: unknown task queue "bogus"`},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout -1s: must not be negative"},
		{[]string{"--drain-timeout", "5min"}, `invalid argument "5min" for "--drain-timeout"`},
	} {
		state := filepath.Join(t.TempDir(), "state")
		code, _, stderr := reel(context.Background(), append([]string{"worker", "--state-dir", state}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "reel worker: ") {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and one line with %q", tc.args, code, stderr, exitUsage, tc.want)
		}
		if _, err := os.Stat(state); err == nil {
			t.Errorf("%q: the state directory was made: the worker started before the check", tc.args)
		}
	}
}

// TestWorkerDefaultMaxActivities: the defaults the flag's help states.
func TestWorkerDefaultMaxActivities(t *testing.T) {
	for _, tc := range []struct{ cores, encode, cpu, io int }{
		{1, 1, 1, 8}, {2, 1, 1, 8}, {4, 1, 1, 8}, {8, 2, 2, 16}, {16, 4, 4, 32}, {64, 16, 16, 128},
	} {
		got := [3]int{defaultMaxActivities(workflows.QueueEncode, tc.cores), defaultMaxActivities(workflows.QueueCPU, tc.cores),
			defaultMaxActivities(workflows.QueueIO, tc.cores)}
		if got != [3]int{tc.encode, tc.cpu, tc.io} {
			t.Errorf("%d cores: encode, cpu, io = %v, want %d, %d, %d", tc.cores, got, tc.encode, tc.cpu, tc.io)
		}
		if n := defaultMaxActivities(workflows.QueueWorkflow, tc.cores); n != 0 {
			t.Errorf("%d cores: workflow queue cap %d, want the SDK's default (0)", tc.cores, n)
		}
	}
	o := workerOptions{MaxActivities: activityCaps{workflows.QueueEncode: 7}}
	if n := o.maxActivities(workflows.QueueEncode); n != 7 {
		t.Errorf("set cap: %d, want 7", n)
	}
	if n := o.maxActivities(workflows.QueueIO); n < 8 {
		t.Errorf("default io cap: %d, want at least 8", n)
	}
}

// TestWorkerIdentity: the default identity is PID@HOSTNAME; --identity
// and REEL_WORKER_IDENTITY set another.
func TestWorkerIdentity(t *testing.T) {
	host, _ := os.Hostname()
	if got, want := defaultIdentity(), strconv.Itoa(os.Getpid())+"@"+host; host != "" && got != want {
		t.Errorf("default identity %q, want %q", got, want)
	}
	cmd := newWorkerCmd(&Env{Getenv: func(k string) string {
		if k == "REEL_WORKER_IDENTITY" {
			return "pod-7"
		}
		return ""
	}})
	if v := cmd.Flags().Lookup("identity").Value.String(); v != "pod-7" {
		t.Errorf("identity from REEL_WORKER_IDENTITY: %q", v)
	}
	if err := cmd.ParseFlags([]string{"--identity", "encoder-1/reel-encode"}); err != nil {
		t.Fatal(err)
	}
	if v := cmd.Flags().Lookup("identity").Value.String(); v != "encoder-1/reel-encode" {
		t.Errorf("--identity: %q", v)
	}
}
