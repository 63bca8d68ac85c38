package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/qcrun"
)

// TestQCCommandFindsInsertedBlack makes a clip with 3 s of black (more than
// blackdetect's default 2 s minimum) between stretches of picture and checks that reel qc reports it at the right frames
// with a thumbnail, and that --fail-on turns it into exit status 3.
func TestQCCommandFindsInsertedBlack(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	clipPath := filepath.Join(dir, "black.mp4")
	// 25 fps: frames 0–49 picture, 50–124 black, 125–149 picture; a tone.
	mediatest.Clip(t, clipPath, mediatest.ClipOptions{Source: "testsrc2=size=320x240:rate=25:duration=6",
		Audio: "sine=frequency=440:duration=6", VF: "drawbox=enable='between(n,50,124)':color=black:t=fill",
		Codec: "libx264", PixFmt: "yuv420p", AudioCodec: "aac", Shortest: true, Extra: mediatest.Args{"qp": "0"}})
	jsonPath := filepath.Join(dir, "qc.json")
	thumbs := filepath.Join(dir, "thumbs")
	code, stdout, stderr := reel(context.Background(), "qc", clipPath, "--json", jsonPath, "--thumbnails", thumbs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out qcrun.Output
	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range out.Events {
		if e.Check != "black" {
			continue
		}
		found = true
		if e.StartFrame != 50 || e.EndFrame != 125 {
			t.Errorf("black event frames [%d, %d), want [50, 125)", e.StartFrame, e.EndFrame)
		}
		if e.Thumbnail == "" {
			t.Errorf("black event has no thumbnail")
		} else if _, err := os.Stat(filepath.Join(dir, e.Thumbnail)); err != nil {
			t.Errorf("thumbnail: %v", err)
		}
	}
	if !found {
		t.Fatalf("no black event:\n%s", stdout)
	}
	if out.Audio == nil || out.Frames != 150 {
		t.Fatalf("audio %+v frames %d", out.Audio, out.Frames)
	}
	if !strings.Contains(stdout, "black") {
		t.Fatalf("summary does not list the event:\n%s", stdout)
	}
	if code, _, _ := reel(context.Background(), "qc", clipPath, "--fail-on", "info"); code != exitQCFailed {
		t.Fatalf("--fail-on info: exit %d, want %d", code, exitQCFailed)
	}
	// Black is a warning by default and a blocker when the profile says so.
	if code, _, stderr := reel(context.Background(), "qc", clipPath, "--fail-on", "blocker"); code != exitOK {
		t.Fatalf("--fail-on blocker, default severities: exit %d, want 0\n%s", code, stderr)
	}
	blocker := writeProfile(t, dir, "blocker.yaml", "qc:\n  black: {severity: blocker}\n")
	if code, _, stderr := reel(context.Background(), "qc", clipPath, "--fail-on", "blocker", "--profile", blocker); code != exitQCFailed {
		t.Fatalf("--fail-on blocker, black a blocker: exit %d, want %d\n%s", code, exitQCFailed, stderr)
	}
	if code, _, _ := reel(context.Background(), "qc", clipPath, "--fail-on", "fatal"); code != exitUsage {
		t.Fatalf("--fail-on fatal: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := reel(context.Background(), "qc", filepath.Join(dir, "missing.mp4")); code != exitFailed {
		t.Fatalf("missing input: exit %d", code)
	}
}

// TestQCSettingsInProfile: the defaults reel prints are a valid qc section,
// and a profile with an unknown or out-of-range QC setting is refused with
// the setting named.
func TestQCSettingsInProfile(t *testing.T) {
	code, stdout, stderr := reel(context.Background(), "qc", "--defaults")
	if code != 0 || !strings.Contains(stdout, "pixel_threshold: 0.1") {
		t.Fatalf("--defaults: exit %d\n%s%s", code, stdout, stderr)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	if err := os.WriteFile(good, []byte("ladder:\n  rungs:\n    - height: 360\n"+stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := reel(context.Background(), "profile", "--check", good); code != 0 {
		t.Fatalf("profile with the printed defaults: exit %d: %s", code, stderr)
	}
	for name, qc := range map[string]string{
		"unknown key":  "qc:\n  black: {min_durationz: 1}\n",
		"out of range": "qc:\n  black: {picture_threshold: 7}\n",
	} {
		path := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(path, []byte("ladder:\n  rungs:\n    - height: 360\n"+qc), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := reel(context.Background(), "profile", "--check", path)
		if code == 0 || !strings.Contains(stderr, "qc") {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
}
