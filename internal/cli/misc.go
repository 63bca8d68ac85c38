package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit/titles"
	"github.com/reel-video/reel/workflows"
)

type probeOptions struct {
	// Keyframes lists keyframe positions (reads every packet).
	Keyframes bool
	io        ioOptions
}

func newProbeCmd(env *Env) *cobra.Command {
	var o probeOptions
	cmd := &cobra.Command{
		Use:   "probe INPUT",
		Short: "print what a media file holds, as JSON",
		Long: `Print what a media file holds (container, streams, frame counts and
rates, and with --keyframes every keyframe's position) as JSON. INPUT is a
path, file:///path or s3://bucket/key.`,
		Args: positional(1, 1, "INPUT"),
		RunE: runE(func(ctx context.Context, args []string) int { return runProbe(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.Keyframes, "keyframes", false, "list keyframe positions")
	o.io.register(fs)
	return cmd
}

func runProbe(ctx context.Context, env *Env, o *probeOptions, pos []string) int {
	rd := &o.io
	ctx = rd.context(ctx)
	defer rd.print(env)
	info, err := encoder.Probe(ctx, pos[0], media.ProbeOptions{Keyframes: o.Keyframes})
	if err != nil {
		printErr(env, "probe", err)
		return exitFailed
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(info); err != nil {
		printErr(env, "probe", err)
		return exitFailed
	}
	return exitOK
}

type profileOptions struct {
	// Check validates a profile file instead of printing the default.
	Check string
}

func newProfileCmd(env *Env) *cobra.Command {
	var o profileOptions
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "print the built-in encode profile (YAML)",
		Long: `Print the built-in encode profile as YAML, every field documented, or
validate a profile file with --check (unknown fields and out-of-range
values are errors naming the field).`,
		Args: positional(0, 0, ""),
		RunE: runE(func(context.Context, []string) int { return runProfile(env, &o) }),
	}
	cmd.Flags().StringVar(&o.Check, "check", "", "validate a profile `file` instead of printing the default")
	return cmd
}

func runProfile(env *Env, o *profileOptions) int {
	check := o.Check
	if check != "" {
		if _, err := loadProfile(check); err != nil {
			printErr(env, "profile", err)
			return exitFailed
		}
		fmt.Fprintf(env.Stdout, "%s: valid\n", check)
		return exitOK
	}
	_, _ = env.Stdout.Write(profile.DefaultYAML())
	return exitOK
}

func newVersionCmd(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print reel's version",
		RunE:  runE(func(context.Context, []string) int { return runVersion(env) }),
	}
}

func runVersion(env *Env) int {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	fmt.Fprintf(env.Stdout, "reel %s\n", v)
	return exitOK
}

type statusOptions struct {
	conn connOptions
	// JSON prints the status as JSON.
	JSON bool
}

// statusView is what `reel status` prints.
type statusView struct {
	WorkflowID string     `json:"workflow_id"`
	RunID      string     `json:"run_id"`
	Status     string     `json:"status"`
	Started    time.Time  `json:"started"`
	Closed     *time.Time `json:"closed,omitempty"`
	// Gate is the QC gate's state of a running title that reached it
	// ("held" with the blockers while it waits for reel review).
	Gate   *workflows.GateState `json:"gate,omitempty"`
	Stages []workflows.Stage    `json:"stages,omitempty"`
	// Request is what the run was asked to do, as recorded at its start.
	Request *request.Identity      `json:"request,omitempty"`
	Result  *workflows.TitleResult `json:"result,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

func newStatusCmd(env *Env) *cobra.Command {
	var o statusOptions
	cmd := &cobra.Command{
		Use:   "status WORKFLOW-ID|TITLE-ID",
		Short: "show a workflow's progress and result",
		Long: `Show a title's workflow: its state, the request it was started for, its
stages while it runs, and its result or error once it has finished. The
argument is a workflow id (reel-title/ID) or a title id.`,
		Args: positional(1, 1, "WORKFLOW-ID|TITLE-ID"),
		RunE: runE(func(ctx context.Context, args []string) int { return runStatus(ctx, env, &o, args) }),
	}
	fs := cmd.Flags()
	o.conn.register(fs, env)
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
	return cmd
}

func runStatus(ctx context.Context, env *Env, o *statusOptions, pos []string) int {
	id := pos[0]
	if !strings.HasPrefix(id, "reel-title/") {
		id = workflows.WorkflowID(id)
	}
	c, err := o.conn.connect(ctx, env)
	if err != nil {
		printErr(env, "status", err)
		return exitFailed
	}
	defer c.Close()
	st, err := titles.Status(ctx, c.Client, id, titles.StatusOptions{})
	if err != nil {
		printErr(env, "status", err)
		return exitFailed
	}
	sv := statusView{
		WorkflowID: st.WorkflowID, RunID: st.RunID, Status: string(st.Status), Started: st.Started, Closed: st.Closed,
		Request: st.Request, Result: st.Result,
	}
	if st.Err != nil {
		sv.Error = describeErr(st.Err)
	}
	running := st.Status == request.Running
	if running {
		sv.Gate = st.Gate
	}
	for _, s := range st.Stages {
		sv.Stages = append(sv.Stages, s.Stage)
	}
	if !o.JSON && running && st.Stages != nil {
		defer func() {
			for _, s := range st.Stages {
				fmt.Fprintln(env.Stdout, renderStage(stageView{Stage: s.Stage, done: s.LiveDone, total: s.LiveTotal}, 30))
			}
		}()
	}
	if o.JSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(sv)
	} else {
		fmt.Fprintf(env.Stdout, "%s  %s  started %s\n", sv.WorkflowID, sv.Status, sv.Started.Local().Format(time.DateTime))
		if r := sv.Request; r != nil {
			fmt.Fprint(env.Stdout, requestLines(*r))
		}
		if sv.Result != nil {
			printResult(env, *sv.Result, false)
		}
		if sv.Error != "" {
			fmt.Fprintf(env.Stdout, "error: %s\n", sv.Error)
		}
		if held(sv.Gate) {
			printHeld(env.Stdout, sv.WorkflowID, sv.Gate)
		}
	}
	switch {
	case sv.Error != "":
		return exitFailed
	case held(sv.Gate):
		return exitHeld
	}
	return exitOK
}

// requestLines shows a recorded request: the source with its identity,
// the profile with its hash, the output.
func requestLines(r request.Identity) string {
	src := r.Source
	etag := ""
	if src.ETag != "" {
		etag = ", ETag " + src.ETag
	}
	return fmt.Sprintf("request: source %s (%s, modified %s%s, sha256 of ends %.12s…/%.12s…)\n         profile %s %s\n         output %s\n",
		src.Location, request.Bytes(src.Size), src.ModTime.Local().Format(time.DateTime), etag, src.HeadSHA256, src.TailSHA256,
		r.ProfileName, r.ProfileHash, r.Out)
}

// held reports whether a gate state is waiting for a review.
func held(g *workflows.GateState) bool { return g != nil && g.State == workflows.GateHeld }
