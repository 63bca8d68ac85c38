package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reel-video/reel/internal/mediatest"
)

// probeVideo counts an output's frames and reads its size and codec with
// ffprobe.
func probeVideo(t *testing.T, path string) (frames, width, height int, codec string) {
	t.Helper()
	v := mediatest.Probe(t, path).Video()
	if v.CodecType != "video" {
		t.Fatalf("ffprobe %s: no video stream", path)
	}
	return v.ReadFrames(), v.Width, v.Height, v.CodecName
}

func TestEncodeCommand(t *testing.T) {
	needFFprobe(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		frames int
		w, h   int
		codec  string
	}{
		{"h264 crf", []string{"--start", "30", "--frames", "20", "--rung", "320x180", "--crf", "30", "--preset", "ultrafast", "--gop", "10"}, 20, 320, 180, "h264"},
		{"to the end, aspect kept", []string{"--start", "120", "--rung", "0x90", "--preset", "ultrafast"}, 12, 160, 90, "h264"},
		{"vp9 capped vbr", []string{"--start", "64", "--frames", "8", "--rung", "160x90", "--codec", "vp9", "--bitrate", "200", "--preset", "8"}, 8, 160, 90, "vp9"},
		{"hevc 10-bit", []string{"--frames", "6", "--rung", "160x90", "--codec", "hevc", "--bit-depth", "10", "--crf", "30", "--preset", "ultrafast"}, 6, 160, 90, "hevc"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, fmt.Sprintf("c%d.mp4", i))
			code, stdout, stderr := reel(context.Background(), append([]string{"encode", clip, "--out", out}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var sum encodeSummary
			if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
				t.Fatalf("summary %q: %v", stdout, err)
			}
			if sum.Frames != tt.frames || sum.Output != out || sum.Width != tt.w || sum.Height != tt.h || sum.Codec != tt.codec || sum.Bytes == 0 {
				t.Fatalf("summary %+v", sum)
			}
			n, w, h, codec := probeVideo(t, out)
			if n != tt.frames || w != tt.w || h != tt.h || codec != tt.codec {
				t.Fatalf("ffprobe: %d frames, %dx%d %s; want %d, %dx%d %s", n, w, h, codec, tt.frames, tt.w, tt.h, tt.codec)
			}
		})
	}
	if t.Failed() {
		return
	}
	var sum encodeSummary
	_, stdout, _ := reel(context.Background(), "encode", clip, "--out", filepath.Join(dir, "v.mp4"), "--frames", "4", "--rung", "160x90", "--bitrate", "300", "--preset", "ultrafast")
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil || sum.Settings.MaxrateKbps != 450 || sum.Settings.BufsizeKbps != 900 || sum.Settings.CRF != 0 {
		t.Fatalf("vbr defaults: %+v, %v", sum.Settings, err)
	}
}

func TestEncodeCommandErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.mp4")
	base := []string{"encode", clip, "--out", out, "--frames", "4", "--rung", "160x90"}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no input", []string{"encode", "--out", out, "--rung", "160x90"}, exitUsage, "expected INPUT"},
		{"no out", []string{"encode", clip, "--rung", "160x90"}, exitUsage, "--out is required"},
		{"no rung", []string{"encode", clip, "--out", out}, exitUsage, "--rung WIDTHxHEIGHT is required"},
		{"bad rung", append(base, "--rung", "big"), exitUsage, "--rung \"big\": want WIDTHxHEIGHT"},
		{"odd rung", append(base, "--rung", "161x90"), exitUsage, "must be even"},
		{"zero rung", append(base, "--rung", "0x0"), exitUsage, "must be positive"},
		{"crf and bitrate", append(base, "--crf", "20", "--bitrate", "500"), exitUsage, "--crf excludes --bitrate"},
		{"maxrate alone", append(base, "--maxrate", "500"), exitUsage, "--maxrate and --bufsize need --bitrate"},
		{"maxrate below bitrate", append(base, "--bitrate", "500", "--maxrate", "400"), exitUsage, "--maxrate 400 below --bitrate 500"},
		{"bit depth", append(base, "--bit-depth", "12"), exitUsage, "--bit-depth 12"},
		{"codec", append(base, "--codec", "mpeg2"), exitUsage, "--codec \"mpeg2\" (want h264, hevc, vp9, av1)"},
		{"negative start", append(base, "--start", "-1"), exitUsage, "--start -1 is negative"},
		{"unknown flag", append(base, "--qp", "3"), exitUsage, "unknown flag: --qp"},
		{"crf range from the codec table", append(base, "--codec", "av1", "--crf", "64"), exitFailed, "crf 64 outside 1–63 for av1"},
		{"preset", append(base, "--preset", "quick"), exitFailed, "preset \"quick\" for h264"},
		{"10-bit profile", append(base, "--bit-depth", "10", "--profile", "high"), exitFailed, "cannot carry 10-bit"},
		{"past the end", append(base, "--start", "130"), exitFailed, "past the input"},
		{"start past the end, to the end", []string{"encode", clip, "--out", out, "--rung", "160x90", "--start", "500"}, exitFailed, "past the input's 132 frames"},
		{"missing input", []string{"encode", "nope.mov", "--out", out, "--rung", "160x90", "--frames", "3"}, exitFailed, "nope.mov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := reel(context.Background(), tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", code, stderr, tt.code, tt.msg)
			}
			if tt.code == exitFailed && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("error is not one line: %q", stderr)
			}
		})
	}
}
