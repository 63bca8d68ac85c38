package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/reel-video/reel/campaign"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/reporthtml"
	"github.com/reel-video/reel/workflows"
)

// campaignProfile is a small fixed ladder of 4 rungs (BD-rate needs 4
// points on each side) at CRF base, base+4, … with chunks of 2 s, no
// audio, no packaging and no QC gate.
func campaignProfile(base int) string {
	return fmt.Sprintf(`segment_seconds: 2
ladder:
  mode: fixed
  defaults: {preset: veryfast}
  rungs:
    - {id: r180, height: 180, crf: %d}
    - {id: r144, height: 144, crf: %d}
    - {id: r108, height: 108, crf: %d}
    - {id: r72, height: 72, crf: %d}
chunking: {mode: fixed, min_seconds: 2, max_seconds: 2}
encode: {max_parallel: 4}
audio: []
qc: {gate: off}
package: {formats: []}
`, base, base+4, base+8, base+12)
}

// TestCampaignEndToEnd: five real clips of the corpus (4 s each, 320x180)
// are encoded with one profile by reel submit (the old outputs); then
// `reel campaign start --wait` re-encodes them with a changed profile
// (CRF +3) and --compare-with the old outputs, on the embedded server with
// two `reel worker` processes for the encodes, one of which is SIGKILLed
// in the middle of a chunk and started again. The campaign ends with exit
// 0, and campaign.csv has a row per title, each done, with a BD-rate, a
// BD-VMAF and the bytes saved; campaign.json and campaign.html agree; each
// title run carries the campaign in its memo; reel campaign status and
// list show it.
func TestCampaignEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	needFFprobe(t)
	corpus := "../../../shared/corpus"
	clips := map[string]string{
		"bbb":    "bigbuckbunny.mp4",
		"car":    "car-detection.mp4",
		"city":   "cityCC0.mpg",
		"flower": "VID_1280x720_cabac_temporal_direct.264",
		"street": "VID_1920x1080_cabac_temporal_direct.264",
	}
	for _, f := range clips {
		if !fileExists(filepath.Join(corpus, f)) {
			t.Skipf("%s not found: the campaign test needs ../shared/corpus beside the checkout", filepath.Join(corpus, f))
		}
	}
	began := time.Now()
	dir := t.TempDir()
	bin := buildReel(t, dir)
	var catalog strings.Builder
	for _, id := range sortedKeys(clips) {
		mezz := filepath.Join(dir, "mezz", id+".mkv")
		if err := os.MkdirAll(filepath.Dir(mezz), 0o755); err != nil {
			t.Fatal(err)
		}
		// The street clip is 2.16 s: looped to 4 s like the others.
		mediatest.Clip(t, mezz, mediatest.ClipOptions{File: filepath.Join(corpus, clips[id]), Input: mediatest.Args{"stream_loop": "-1"},
			VF: "scale=320:180,setsar=1,fps=25", Duration: 4, Codec: "ffv1", PixFmt: "yuv420p", Extra: mediatest.Args{"an": ""}})
		catalog.WriteString(mezz + "\n")
	}
	catPath := filepath.Join(dir, "catalog.txt")
	oldProf, newProf := filepath.Join(dir, "old.yaml"), filepath.Join(dir, "new.yaml")
	for p, s := range map[string]string{catPath: catalog.String(), oldProf: campaignProfile(24), newProf: campaignProfile(27)} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	port := strconv.Itoa(freePorts(t))
	hostPort := "127.0.0.1:" + port
	start := func(name string, args ...string) *exec.Cmd { return startReel(t, bin, name, args...) }
	stderr := func(c *exec.Cmd) string { return c.Stderr.(*syncBuffer).String() }
	server := start("server", "worker", "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port, "--queues", "reel,reel-io,reel-cpu", "--cpu-concurrency", "2")
	waitFor(t, 90*time.Second, func() bool { return strings.Contains(stderr(server), "serving") }, "server start")
	encodeWorker := func(name string) *exec.Cmd {
		w := start(name, "worker", "--temporal", hostPort, "--queues", "reel-encode", "--state-dir", filepath.Join(dir, "s-"+name))
		waitFor(t, 60*time.Second, func() bool { return strings.Contains(stderr(w), "serving") }, name+" start")
		return w
	}
	w1 := encodeWorker("w1")
	encodeWorker("w2")
	c, err := client.Dial(client.Options{HostPort: hostPort, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// The old outputs: every title encoded with the old profile.
	var subs []*exec.Cmd
	for _, id := range sortedKeys(clips) {
		subs = append(subs, start("submit "+id, "submit", filepath.Join(dir, "mezz", id+".mkv"), "--temporal", hostPort, "--title", id,
			"--profile", oldProf, "--out", filepath.Join(dir, "old", id), "--wait"))
	}
	for i, s := range subs {
		if err := s.Wait(); err != nil {
			t.Fatalf("old encode of %s: %v\n%s", sortedKeys(clips)[i], err, stderr(s))
		}
	}
	t.Logf("old outputs in %s", time.Since(began).Round(time.Second))

	// The campaign, with worker 1 killed while it encodes a chunk.
	camp := start("campaign", "campaign", "start", "e2e", "--catalog", catPath, "--profile", newProf,
		"--out-template", filepath.Join(dir, "new", "{title}"), "--compare-with", filepath.Join(dir, "old", "{title}"),
		"--max-in-flight", "2", "--poll-every", "1s", "--temporal", hostPort, "--wait")
	ended := make(chan error, 1)
	go func() { ended <- camp.Wait() }()
	ident := strconv.Itoa(w1.Process.Pid) + "@"
	var campErr error
	campEnded := false
	killed := ""
	waitFor(t, 3*time.Minute, func() bool {
		select {
		case campErr = <-ended:
			campEnded = true
			return true
		default:
		}
		for _, id := range sortedKeys(clips) {
			d, err := c.DescribeWorkflowExecution(context.Background(), workflows.WorkflowID(id), "")
			if err != nil {
				continue
			}
			for _, pa := range d.GetPendingActivities() {
				if pa.GetActivityType().GetName() == workflows.ActivityEncodeChunk && pa.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED &&
					strings.HasPrefix(pa.GetLastWorkerIdentity(), ident) {
					killed = id
					return true
				}
			}
		}
		return false
	}, "worker 1 to start a chunk of a campaign title")
	if campEnded {
		t.Fatalf("the campaign ended (%v) before worker 1 took a chunk:\n%s", campErr, stderr(camp))
	}
	if err := w1.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t.Logf("worker 1 killed during a chunk of %s at %s", killed, time.Since(began).Round(time.Second))
	encodeWorker("w1-again")
	select {
	case campErr = <-ended:
	case <-time.After(4 * time.Minute):
		t.Fatalf("the campaign did not end in 4 minutes:\n%s", stderr(camp))
	}
	if campErr != nil {
		t.Fatalf("reel campaign start --wait: %v\nstdout:\n%s\nstderr:\n%s", campErr, camp.Stdout.(*syncBuffer).String(), stderr(camp))
	}
	t.Logf("campaign done at %s", time.Since(began).Round(time.Second))
	if out := camp.Stdout.(*syncBuffer).String(); !strings.Contains(out, "done       5") || !strings.Contains(out, "failed     0") {
		t.Errorf("final status:\n%s", out)
	}

	report := filepath.Join(dir, "new", "campaign-e2e")
	f, err := os.Open(filepath.Join(report, "campaign.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := campaign.ReadCSV(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(clips) {
		t.Fatalf("campaign.csv has %d rows, want %d: %+v", len(rows), len(clips), rows)
	}
	for _, r := range rows {
		bd, hasBD := r.BDRatePercent()
		saved, hasSaved := r.BytesSaved()
		switch {
		case r.State != campaign.StateDone:
			t.Errorf("%s: state %q (%s %s), want done", r.TitleID, r.State, r.ErrorType, r.Error)
		case !hasBD || r.Savings.BDVMAF == nil:
			t.Errorf("%s: no BD-rate or BD-VMAF: %s", r.TitleID, r.SavingsReason())
		case !hasSaved:
			t.Errorf("%s: no bytes saved (old %d, new %d)", r.TitleID, r.Savings.OldBytes, r.Savings.NewBytes)
		case saved <= 0 || r.Savings.NewTopVMAF >= r.Savings.OldTopVMAF:
			// CRF +3 on every rung: fewer bytes, a lower top rung.
			t.Errorf("%s: %d bytes saved, top VMAF %.2f → %.2f: want fewer bytes at a lower top VMAF", r.TitleID, saved, r.Savings.OldTopVMAF, r.Savings.NewTopVMAF)
		case r.Out != filepath.Join(dir, "new", r.TitleID) || r.OldOut != filepath.Join(dir, "old", r.TitleID):
			t.Errorf("%s: out %q old_out %q", r.TitleID, r.Out, r.OldOut)
		}
		t.Logf("%-6s BD-rate %+.1f%%, BD-VMAF %+.2f, %d → %d bytes", r.TitleID, bd, ptrVal(r.Savings.BDVMAF), r.Savings.OldBytes, r.Savings.NewBytes)
		if _, err := os.Stat(filepath.Join(dir, "new", r.TitleID, "report.json")); err != nil {
			t.Errorf("%s: %v", r.TitleID, err)
		}
	}
	jf, err := os.Open(filepath.Join(report, "campaign.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := campaign.ReadJSON(jf)
	jf.Close()
	if err != nil || rep.Name != "e2e" || len(rep.Titles) != len(clips) || rep.Summary.BDRate.N != len(clips) || rep.Summary.ByState[campaign.StateDone] != len(clips) {
		t.Errorf("campaign.json: %v, %+v", err, rep.Summary)
	}
	page, err := os.ReadFile(filepath.Join(report, reporthtml.CampaignFileName))
	if err != nil {
		t.Error(err)
	} else if !strings.Contains(string(page), `<dd id="titles-total">5</dd>`) || !strings.Contains(string(page), "over 5 titles") {
		t.Errorf("%s does not show the 5 titles and their BD-rates", reporthtml.CampaignFileName)
	}

	// Every title's run names the campaign in its memo.
	for _, id := range sortedKeys(clips) {
		d, err := c.DescribeWorkflowExecution(context.Background(), workflows.WorkflowID(id), "")
		if err != nil {
			t.Fatal(err)
		}
		var name string
		if p := d.GetWorkflowExecutionInfo().GetMemo().GetFields()[workflows.MemoCampaign]; p == nil {
			t.Errorf("%s: no %q memo", id, workflows.MemoCampaign)
		} else if err := converter.GetDefaultDataConverter().FromPayload(p, &name); err != nil || name != "e2e" {
			t.Errorf("%s: memo campaign = %q, %v", id, name, err)
		}
	}

	code, out, errOut := reel(context.Background(), "campaign", "status", "e2e", "--temporal", hostPort)
	if code != exitOK || !strings.Contains(out, "campaign e2e: finished") || !strings.Contains(out, "done       5") {
		t.Errorf("reel campaign status: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = reel(context.Background(), "campaign", "list", "--temporal", hostPort)
	if code != exitOK || !strings.Contains(out, "e2e ") {
		t.Errorf("reel campaign list: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = reel(context.Background(), "campaign", "pause", "e2e", "--temporal", hostPort)
	if code != exitFailed || !strings.Contains(errOut, "not running") {
		t.Errorf("reel campaign pause of an ended campaign: exit %d, %q", code, errOut)
	}
	t.Logf("took %s", time.Since(began).Round(time.Second))
}

func ptrVal(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}
