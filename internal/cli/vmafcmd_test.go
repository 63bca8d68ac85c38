package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/vmafcli"
)

// TestVMAFCommandMatchesReelVMAF scores the in-repo Netflix 160x90 pair
// (raw yuv, xz) with reel vmaf and with reel-vmaf, whose own test checks
// it against libvmaf's numbers: the two commands write the same JSON, and
// the same summary.
func TestVMAFCommandMatchesReelVMAF(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "vmaf")
	tmp := t.TempDir()
	args := []string{"--reference", filepath.Join(dir, "netflix_160x90_ref.yuv.xz"), "--distorted", filepath.Join(dir, "netflix_160x90_dis.yuv.xz"),
		"--width", "160", "--height", "90", "--feature", "psnr"}
	code, stdout, stderr := reel(context.Background(), append([]string{"vmaf", "--json", filepath.Join(tmp, "reel.json")}, args...)...)
	if code != 0 {
		t.Fatalf("reel vmaf: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "frames: 48") {
		t.Fatalf("reel vmaf: stdout %s", stdout)
	}
	var toolOut, toolErr bytes.Buffer
	if code := vmafcli.Run(context.Background(), append([]string{"--json", filepath.Join(tmp, "tool.json")}, args...), &toolOut, &toolErr); code != 0 {
		t.Fatalf("reel-vmaf: exit %d: %s", code, toolErr.String())
	}
	a, err := os.ReadFile(filepath.Join(tmp, "reel.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(tmp, "tool.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The JSON's fps is each run's own speed.
	fps := regexp.MustCompile(`"fps": [0-9.e+-]+`)
	if !bytes.Equal(fps.ReplaceAll(a, nil), fps.ReplaceAll(b, nil)) || len(a) < 1000 {
		t.Errorf("reel vmaf and reel-vmaf wrote different JSON (%d and %d bytes)", len(a), len(b))
	}
	if stdout != toolOut.String() {
		t.Errorf("summaries differ:\nreel vmaf:\n%s\nreel-vmaf:\n%s", stdout, toolOut.String())
	}
}

func TestVMAFCommandErrors(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "vmaf")
	ref := filepath.Join(dir, "netflix_160x90_ref.yuv.xz")
	short := filepath.Join(t.TempDir(), "short.yuv")
	if err := os.WriteFile(short, make([]byte, 160*90*3/2*2), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"frame count", []string{"--reference", ref, "--distorted", short, "--width", "160", "--height", "90"}, "frame count mismatch"},
		{"raw without size", []string{"--reference", ref, "--distorted", short}, "--width and --height"},
		{"missing file", []string{"--reference", ref, "--distorted", "nope.y4m", "--width", "160", "--height", "90"}, "nope.y4m"},
		{"bad pixfmt", []string{"--reference", ref, "--distorted", short, "--width", "160", "--height", "90", "--pixfmt", "nv12"}, "unsupported raw pixel format"},
		{"bad model", []string{"--reference", ref, "--distorted", ref, "--width", "160", "--height", "90", "--model", "vmaf_v9"}, "vmaf_v9"},
		{"no distorted", []string{"--reference", ref}, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := reel(context.Background(), append([]string{"vmaf"}, tt.args...)...)
			if code == 0 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q, want it to mention %q", code, stderr, tt.want)
			}
		})
	}
}
