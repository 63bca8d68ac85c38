package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/mediatest"
)

// TestMountAndReplay mounts a local directory through mezzfs, reads the
// clip through the mount (bytes and ffprobe), checks writes are refused,
// unmounts on cancel, and replays the recorded trace.
func TestMountAndReplay(t *testing.T) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skip("no /dev/fuse here")
	}
	if _, err := exec.LookPath("fusermount3"); err != nil {
		t.Skip("fusermount3 not installed (make test installs fuse3)")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	mnt := filepath.Join(dir, "mnt")
	for _, d := range []string{src, mnt} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "bbb.mp4"), want, 0o644); err != nil {
		t.Fatal(err)
	}
	trace := filepath.Join(dir, "trace.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errb syncBuffer
	go func() {
		done <- Run(ctx, &Env{Stdout: &errb, Stderr: &errb, Getenv: func(string) string { return "" }},
			[]string{"mount", src, mnt, "--record", trace, "--stats"})
	}()
	waitFor(t, 20*time.Second, func() bool {
		return strings.Contains(errb.String(), "Ctrl-C unmounts") || strings.Contains(errb.String(), "reel mount:")
	}, "mount")
	if !strings.Contains(errb.String(), "Ctrl-C unmounts") {
		cancel()
		<-done
		t.Fatalf("mount failed: %s", errb.String())
	}
	got, err := os.ReadFile(filepath.Join(mnt, "bbb.mp4"))
	if err != nil || !bytes.Equal(got, want) {
		cancel()
		<-done
		t.Fatalf("read through the mount: %v (equal %v)", err, bytes.Equal(got, want))
	}
	if mediatest.Have() {
		if p, err := mediatest.ProbeFile(filepath.Join(mnt, "bbb.mp4")); err != nil || p.Video().Width != 1280 {
			t.Errorf("ffprobe through the mount: %v %+v", err, p.Streams)
		}
	}
	if err := os.WriteFile(filepath.Join(mnt, "new.txt"), []byte("x"), 0o644); !errors.Is(err, syscall.EROFS) {
		t.Errorf("write: %v, want EROFS", err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("mount exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "unmounted") || !strings.Contains(errb.String(), `"bytes_served"`) {
		t.Fatalf("no unmount or stats: %s", errb.String())
	}
	if entries, _ := os.ReadDir(mnt); len(entries) != 0 {
		t.Fatalf("still mounted: %v", entries)
	}

	code, stdout, stderr := reel(context.Background(), "mezzfs", "replay", trace, "--from", filepath.Join(src, "bbb.mp4"))
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	var st struct {
		Requests    int64 `json:"requests"`
		BytesServed int64 `json:"bytes_served"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil || st.Requests == 0 || st.BytesServed < int64(len(want)) {
		t.Fatalf("replay stats %s (%v)", stdout, err)
	}
}
