package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVMAFCommandMatchesLibvmaf scores the in-repo Netflix 160x90 pair (raw
// yuv) and compares with the numbers libvmaf gives for it.
func TestVMAFCommandMatchesLibvmaf(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "vmaf")
	b, err := os.ReadFile(filepath.Join(dir, "expected_pooled_160x90.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Pooled map[string]float64 `json:"pooled_mean"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "v.json")
	code, stdout, stderr := reel(context.Background(), "vmaf",
		"--reference", filepath.Join(dir, "netflix_160x90_ref.yuv.xz"), "--distorted", filepath.Join(dir, "netflix_160x90_dis.yuv.xz"),
		"--width", "160", "--height", "90", "--feature", "psnr", "--json", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "frames: 48") {
		t.Fatalf("stdout: %s", stdout)
	}
	var got struct {
		Frames []struct {
			FrameNum int                `json:"frameNum"`
			Metrics  map[string]float64 `json:"metrics"`
		} `json:"frames"`
		Pooled map[string]map[string]float64 `json:"pooled_metrics"`
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Frames) != 48 || got.Frames[47].FrameNum != 47 {
		t.Fatalf("%d frames", len(got.Frames))
	}
	want, ok := exp.Pooled["vmaf"]
	if !ok {
		t.Fatalf("expected file has no pooled vmaf: %s", b)
	}
	if d := got.Pooled["vmaf"]["mean"] - want; d > 1e-6 || d < -1e-6 {
		t.Fatalf("pooled vmaf %v, libvmaf %v", got.Pooled["vmaf"]["mean"], want)
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
