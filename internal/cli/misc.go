package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/request"
	"github.com/reel-video/reel/submit"
	"github.com/reel-video/reel/workflows"
)

type probeOptions struct {
	// Keyframes lists keyframe positions (reads every packet).
	Keyframes bool
}

func runProbe(ctx context.Context, env *Env, args []string) int {
	var o probeOptions
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.BoolVar(&o.Keyframes, "keyframes", false, "list keyframe positions")
	var rd ioOptions
	rd.register(fs)
	pos, ok := parse(fs, env, args, 1, 1, "INPUT")
	if !ok {
		return exitUsage
	}
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

func runProfile(ctx context.Context, env *Env, args []string) int {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	var check string
	fs.StringVar(&check, "check", "", "validate a profile `file` instead of printing the default")
	if _, ok := parse(fs, env, args, 0, 0, ""); !ok {
		return exitUsage
	}
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

func runVersion(ctx context.Context, env *Env, args []string) int {
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
	WorkflowID string            `json:"workflow_id"`
	RunID      string            `json:"run_id"`
	Status     string            `json:"status"`
	Started    time.Time         `json:"started"`
	Closed     *time.Time        `json:"closed,omitempty"`
	Stages     []workflows.Stage `json:"stages,omitempty"`
	// Request is what the run was asked to do, as recorded at its start.
	Request *request.Identity      `json:"request,omitempty"`
	Result  *workflows.TitleResult `json:"result,omitempty"`
	Error   string                 `json:"error,omitempty"`
}

func runStatus(ctx context.Context, env *Env, args []string) int {
	var o statusOptions
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	o.conn.register(fs, env)
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
	pos, ok := parse(fs, env, args, 1, 1, "WORKFLOW-ID|TITLE-ID")
	if !ok {
		return exitUsage
	}
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
	d, err := c.Client.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		printErr(env, "status", fmt.Errorf("workflow %s: %w", id, err))
		return exitFailed
	}
	info := d.GetWorkflowExecutionInfo()
	sv := statusView{
		WorkflowID: id, RunID: info.GetExecution().GetRunId(),
		Status:  strings.ToLower(strings.TrimPrefix(info.GetStatus().String(), "WORKFLOW_EXECUTION_STATUS_")),
		Started: info.GetStartTime().AsTime(),
	}
	if info.GetCloseTime() != nil {
		t := info.GetCloseTime().AsTime()
		sv.Closed = &t
	}
	if sv.Request, err = submit.RecordedRequest(info.GetMemo().GetFields()); err != nil {
		printErr(env, "status", err)
		return exitFailed
	}
	if stages, err := fetchProgress(ctx, c.Client, id, sv.RunID); err == nil {
		for _, s := range stages {
			sv.Stages = append(sv.Stages, s.Stage)
		}
		if !o.JSON && info.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			defer func() {
				for _, s := range stages {
					fmt.Fprintln(env.Stdout, renderStage(s, 30))
				}
			}()
		}
	}
	if info.GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		var res workflows.TitleResult
		gctx, cancel := waitCtx(ctx, 10*time.Second)
		err := c.Client.GetWorkflow(gctx, id, sv.RunID).Get(gctx, &res)
		cancel()
		if err != nil {
			sv.Error = describeErr(err)
		} else {
			sv.Result = &res
		}
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
	}
	if sv.Error != "" {
		return exitFailed
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
