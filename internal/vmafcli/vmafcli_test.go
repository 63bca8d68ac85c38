package vmafcli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf"
)

var netflix = filepath.Join("..", "..", "testdata", "vmaf")

// runTool runs reel-vmaf with args; exit code, stdout, stderr.
func runTool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestMatchesLibvmaf scores the in-repo Netflix 160x90 pair (raw yuv, xz)
// and compares the pooled VMAF with the number libvmaf gives for it.
func TestMatchesLibvmaf(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(netflix, "expected_pooled_160x90.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Pooled map[string]float64 `json:"pooled_mean"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	want, ok := exp.Pooled["vmaf"]
	if !ok {
		t.Fatalf("expected file has no pooled vmaf: %s", b)
	}
	out := filepath.Join(t.TempDir(), "v.json")
	code, stdout, stderr := runTool(t, "--reference", filepath.Join(netflix, "netflix_160x90_ref.yuv.xz"),
		"--distorted", filepath.Join(netflix, "netflix_160x90_dis.yuv.xz"), "--width", "160", "--height", "90",
		"--feature", "psnr", "--threads", "2", "--json", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "frames: 48") || !strings.Contains(stdout, "psnr_y") {
		t.Fatalf("summary: %s", stdout)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := vmaf.ReadJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Frames) != 48 || got.Frames[47].Num != 47 {
		t.Fatalf("%d frames in the JSON", len(got.Frames))
	}
	if d := got.Pooled["vmaf"].Mean - want; math.Abs(d) > 1e-6 {
		t.Fatalf("pooled vmaf %v, libvmaf %v", got.Pooled["vmaf"].Mean, want)
	}
}

// writeY4M writes the Netflix raw yuv as y4m (xz-compressed when the name
// ends in .xz), optionally only its first n frames (n > 0).
func writeY4M(t *testing.T, src, dst string, n int) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	xr, err := xz.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := frame.NewRawReader(xr, 160, 90, "yuv420p")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := frame.NewY4MWriter(&buf, frame.Y4MHeader{Width: 160, Height: 90, RateNum: 25, RateDen: 1, Chroma: frame.Chroma420, BitDepth: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; n <= 0 || i < n; i++ {
		fr, err := rr.ReadFrame()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(fr); err != nil {
			t.Fatal(err)
		}
	}
	data := buf.Bytes()
	if strings.HasSuffix(dst, ".xz") {
		var z bytes.Buffer
		zw, err := xz.NewWriter(&z)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data = z.Bytes()
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestY4MSameAsScoreY4M: y4m inputs (one plain, one xz) score exactly as
// vmaf.ScoreY4M scores the same streams, with several models at once, and
// --json - writes the JSON alone to stdout.
func TestY4MSameAsScoreY4M(t *testing.T) {
	dir := t.TempDir()
	ref, dis := filepath.Join(dir, "ref.y4m"), filepath.Join(dir, "dis.y4m.xz")
	writeY4M(t, filepath.Join(netflix, "netflix_160x90_ref.yuv.xz"), ref, 0)
	writeY4M(t, filepath.Join(netflix, "netflix_160x90_dis.yuv.xz"), dis, 0)
	code, stdout, stderr := runTool(t, "--reference", ref, "--distorted", dis, "--model", "vmaf_v0.6.1,vmaf_v0.6.1neg", "--json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Pooled map[string]map[string]float64 `json:"pooled_metrics"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not the JSON alone: %v\n%s", err, stdout)
	}
	disPlain := filepath.Join(dir, "dis.y4m")
	writeY4M(t, filepath.Join(netflix, "netflix_160x90_dis.yuv.xz"), disPlain, 0)
	rf, _ := os.Open(ref)
	defer rf.Close()
	df, _ := os.Open(disPlain)
	defer df.Close()
	for _, m := range []string{"vmaf_v0.6.1", "vmaf_v0.6.1neg"} {
		rf.Seek(0, io.SeekStart)
		df.Seek(0, io.SeekStart)
		want, err := vmaf.ScoreY4M(rf, df, vmaf.Config{Model: m})
		if err != nil {
			t.Fatal(err)
		}
		// The JSON has libvmaf's 6 decimals.
		if g, w := got.Pooled[m]["mean"], want.Pooled["vmaf"].Mean; math.Abs(g-w) > 5e-7 {
			t.Errorf("%s: reel-vmaf %v, vmaf.ScoreY4M %v", m, g, w)
		}
	}
}

// TestErrors: bad command lines exit 2 and bad inputs 1, each with one
// line naming the problem.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(netflix, "netflix_160x90_ref.yuv.xz")
	short := filepath.Join(dir, "short.yuv")
	if err := os.WriteFile(short, make([]byte, 160*90*3/2*2), 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small.yuv")
	if err := os.WriteFile(small, make([]byte, 80*46*3/2*48), 0o644); err != nil {
		t.Fatal(err)
	}
	y4mRef := filepath.Join(dir, "ref.y4m")
	writeY4M(t, ref, y4mRef, 3)
	sz := []string{"--width", "160", "--height", "90"}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no distorted", []string{"--reference", ref}, 2, "--reference and --distorted are required"},
		{"stray argument", []string{"--reference", ref, "--distorted", ref, "extra"}, 2, "unknown command"},
		{"media file", append([]string{"--reference", ref, "--distorted", "dis.mp4"}, sz...), 2, "reel vmaf decodes other media"},
		{"raw without size", []string{"--reference", ref, "--distorted", short}, 2, "--width and --height"},
		{"missing file", append([]string{"--reference", ref, "--distorted", "nope.y4m"}, sz...), 1, "nope.y4m"},
		{"frame count", append([]string{"--reference", ref, "--distorted", short}, sz...), 1, "frame count mismatch"},
		{"bad pixfmt", append([]string{"--reference", ref, "--distorted", short, "--pixfmt", "nv12"}, sz...), 1, "unsupported raw pixel format"},
		{"bad model", append([]string{"--reference", ref, "--distorted", ref, "--model", "vmaf_v9"}, sz...), 1, "vmaf_v9"},
		{"size mismatch", []string{"--reference", y4mRef, "--distorted", small, "--width", "80", "--height", "46"}, 1, "size mismatch: reference is 160x90, distorted 80x46"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runTool(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q; want exit %d and one line mentioning %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}
