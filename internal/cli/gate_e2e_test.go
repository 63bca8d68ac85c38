package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/workflows"
)

// The acceptance case: a clip with 3 s of black in the middle,
// under a profile that makes black a blocker, waits at the QC gate (reel
// run exits 3, reel status shows the blocker) until reel review approves
// it (then it is packaged) or rejects it (then nothing is packaged).
func TestHeldAtGateUntilReviewed(t *testing.T) {
	mediatest.Need(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	dir := t.TempDir()
	port := strconv.Itoa(freePorts(t))
	stopWorker := startWorkerOn(t, filepath.Join(dir, "state"), port)
	hostPort := "127.0.0.1:" + port
	ctx := context.Background()
	prof := writeProfile(t, dir, "gate.yaml", tinyProfileYAML+"qc:\n  black: {severity: blocker}\n")
	clipOf := func(name string) string {
		p := filepath.Join(dir, name+".mp4")
		mediatest.Clip(t, p, mediatest.ClipOptions{Source: "testsrc2=size=320x240:rate=25:duration=6",
			Audio: "sine=frequency=440:duration=6", VF: "drawbox=enable='between(n,50,124)':color=black:t=fill",
			Codec: "libx264", PixFmt: "yuv420p", AudioCodec: "aac", Shortest: true})
		return p
	}
	conn := []string{"--temporal", hostPort}
	run := func(src, out string) (int, string, string) {
		return reel(ctx, append([]string{"run", src, "--no-worker", "--profile", prof, "--out", out}, conn...)...)
	}

	// Approve: held, then packaged.
	src, out := clipOf("approved"), filepath.Join(dir, "o-approved")
	code, _, stderr := run(src, out)
	if code != exitHeld || !strings.Contains(stderr, "held at QC gate") || !strings.Contains(stderr, "blocker  black") || !strings.Contains(stderr, "00:00:02:00") {
		t.Fatalf("held title: exit %d, want %d\n%s", code, exitHeld, stderr)
	}
	code, stdout, _ := reel(ctx, append([]string{"status", "approved"}, conn...)...)
	if code != exitHeld || !strings.Contains(stdout, "held at QC gate") || !strings.Contains(stdout, "qc/thumbs/") {
		t.Fatalf("status of a held title: exit %d\n%s", code, stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "package")); err == nil {
		t.Fatal("a held title was packaged")
	}
	if code, _, stderr := reel(ctx, append([]string{"review", "approved", "maybe"}, conn...)...); code != exitUsage {
		t.Fatalf("review maybe: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := reel(ctx, append([]string{"review", "approved", "approve", "--by", "ana", "--note", "black is the director's"}, conn...)...); code != 0 {
		t.Fatalf("review approve: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = run(src, out) // the same request: joins the run and waits
	if code != 0 || !strings.Contains(stdout, "package: "+filepath.Join(out, "package", "master.m3u8")) || !strings.Contains(stdout, "QC gate: approved") {
		t.Fatalf("approved title: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, f := range []string{"master.m3u8", "manifest.mpd"} {
		if _, err := os.Stat(filepath.Join(out, "package", f)); err != nil {
			t.Errorf("approved title: %v", err)
		}
	}
	rep := readReport(t, filepath.Join(out, "report.json"))
	// Black is found in the source and again in the rung made from it.
	if g := rep.Gate; g == nil || g.State != workflows.GateApproved || g.Review == nil || g.Review.By != "ana" || len(g.Blockers) != 2 ||
		g.Blockers[0].Stream != "source" || g.Blockers[1].Thumbnail != "qc/thumbs/180p-black-50.jpg" || rep.Package == nil {
		t.Fatalf("report gate %+v package %+v", rep.Gate, rep.Package)
	}
	if n := mediatest.CountFrames(t, filepath.Join(out, "package", "master.m3u8")); n != 150 {
		t.Errorf("the package plays %d frames, want 150", n)
	}
	// reel package makes the same package again from the output alone; a
	// missing rung is an error naming it.
	master, err := os.ReadFile(filepath.Join(out, "package", "master.m3u8"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(out, "package")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = reel(ctx, "package", out)
	again, err := os.ReadFile(filepath.Join(out, "package", "master.m3u8"))
	if code != 0 || err != nil || string(again) != string(master) || !strings.Contains(stdout, "manifest.mpd") {
		t.Fatalf("reel package: exit %d (%v)\n%s\n%s", code, err, stdout, stderr)
	}
	if err := os.Remove(filepath.Join(out, "rungs", "180p.mp4")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := reel(ctx, "package", out); code != exitFailed || !strings.Contains(stderr, "180p") || !strings.Contains(stderr, workflows.ErrTypeNotFound) {
		t.Fatalf("reel package without a rung: exit %d\n%s", code, stderr)
	}

	// Reject: reported, not packaged, QCRejected.
	src, out = clipOf("rejected"), filepath.Join(dir, "o-rejected")
	if code, _, stderr := run(src, out); code != exitHeld {
		t.Fatalf("held title: exit %d\n%s", code, stderr)
	}
	// The hold survives the worker and the embedded server stopping.
	stopWorker()
	startWorkerOn(t, filepath.Join(dir, "state"), port)
	if code, stdout, _ := reel(ctx, append([]string{"status", "rejected"}, conn...)...); code != exitHeld {
		t.Fatalf("held title after a restart: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := reel(ctx, append([]string{"review", "rejected", "reject", "--by", "ana", "--note", "black in the middle"}, conn...)...); code != 0 {
		t.Fatalf("review reject: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(src, out)
	if code != exitFailed || !strings.Contains(stderr, workflows.ErrTypeQCRejected) || !strings.Contains(stderr, "black in the middle") {
		t.Fatalf("rejected title: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "package")); err == nil {
		t.Error("a rejected title was packaged")
	}
	if rep := readReport(t, filepath.Join(out, "report.json")); rep.Gate == nil || rep.Gate.State != workflows.GateRejected || rep.Package != nil {
		t.Fatalf("rejected report gate %+v package %+v", rep.Gate, rep.Package)
	}
	if code, _, stderr := reel(ctx, append([]string{"review", "rejected", "approve"}, conn...)...); code != exitFailed || !strings.Contains(stderr, "not held") {
		t.Fatalf("review of a finished title: exit %d\n%s", code, stderr)
	}
}
