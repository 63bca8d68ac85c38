package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/mezzfstest"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

// startS3 runs a real S3 server (versitygw on loopback) for one test, or
// skips the test with the reason it cannot. The process's AWS_* environment
// points at it, as a worker's would.
func startS3(t *testing.T) *mezzfstest.Server {
	t.Helper()
	s, err := mezzfstest.Start(t.TempDir())
	if err != nil {
		t.Skipf("skipping: no S3 server (versitygw): %v", err)
	}
	t.Cleanup(s.Stop)
	t.Setenv("AWS_ACCESS_KEY_ID", mezzfstest.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", mezzfstest.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", s.Endpoint)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return s
}

func getObject(t *testing.T, st mezzfs.Store, key string) []byte {
	t.Helper()
	r, err := mezzfs.NewReader(context.Background(), st, key, mezzfs.ReaderOptions{})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	return b
}

// TestRunS3EndToEnd encodes a title whose source and outputs are both in
// S3: reel run s3://mezz/bbb.mp4 --out s3://out/bbb/.
func TestRunS3EndToEnd(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	s := startS3(t)
	ctx := context.Background()
	mezz, err := s.NewBucket(ctx, "mezz")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.NewBucket(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(clip)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	err = mezz.Put(ctx, "bbb.mp4", f, fi.Size())
	f.Close()
	if err != nil {
		t.Fatal(err)
	}

	// reel probe reads the object through mezzfs and prints its stats.
	code, stdout, stderr := reel(ctx, "probe", "s3://mezz/bbb.mp4", "--stats", "--s3-endpoint", s.Endpoint)
	if code != 0 || !strings.Contains(stdout, `"width": 1280`) {
		t.Fatalf("probe: exit %d\n%s%s", code, stdout, stderr)
	}
	checkStats(t, stderr, "s3://mezz/bbb.mp4", fi.Size())

	dir := t.TempDir()
	port := strconv.Itoa(freePorts(t))
	base := []string{"--state-dir", filepath.Join(dir, "state"), "--embedded-port", port, "--s3-endpoint", s.Endpoint, "--s3-path-style", "--profile", writeFixedProfile(t, dir)}
	code, stdout, stderr = reel(ctx, append([]string{"run", "s3://mezz/bbb.mp4", "--out", "s3://out/bbb/", "--json", "--quiet"}, base...)...)
	if code != 0 {
		t.Fatalf("reel run: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr+stdout, mezzfstest.SecretKey) {
		t.Fatal("the secret key was printed")
	}
	var res workflows.TitleResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("result: %v\n%s", err, stdout)
	}
	if res.ReportPath != "s3://out/bbb/report.json" || len(res.Rungs) != 2 {
		t.Fatalf("result: report %q, %d rungs", res.ReportPath, len(res.Rungs))
	}

	// Everything is in the output bucket, under the prefix.
	objs, err := out.List(ctx, "bbb/")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]int64{}
	for _, o := range objs {
		have[o.Key] = o.Size
	}
	for _, k := range []string{"bbb/rungs/720p.mp4", "bbb/rungs/360p.mp4", "bbb/vmaf/720p.json", "bbb/vmaf/360p.json",
		"bbb/qc/source.json", "bbb/qc/720p.json", "bbb/report.json"} {
		if have[k] == 0 {
			t.Errorf("no object %s (have %v)", k, have)
		}
	}
	chunks := 0
	for k := range have {
		if strings.HasPrefix(k, "bbb/.chunks/") && strings.HasSuffix(k, "/manifest.json") {
			chunks++
		}
	}
	if chunks == 0 || chunks != res.Chunks {
		t.Errorf("%d chunk manifests in the S3 cache, result says %d chunks", chunks, res.Chunks)
	}

	rep, err := report.Read(strings.NewReader(string(getObject(t, out, "bbb/report.json"))))
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if rep.Title.Source != "s3://mezz/bbb.mp4" || rep.QC == nil || rep.QC.Source == nil || rep.QC.Source.Frames != 132 ||
		rep.QC.Source.Path != "qc/source.json" {
		t.Errorf("report title %+v QC %+v", rep.Title, rep.QC)
	}
	for _, r := range rep.Rungs {
		if r.Path != "rungs/"+r.ID+".mp4" || r.ScoresPath != "vmaf/"+r.ID+".json" || r.Frames != 132 ||
			len(r.VMAF.PerFrame) != 132 || r.VMAF.Mean < 50 || r.PSNRY < 30 {
			t.Errorf("report rung %s: path %q scores %q frames %d VMAF %.2f (%d per frame) PSNR %.2f",
				r.ID, r.Path, r.ScoresPath, r.Frames, r.VMAF.Mean, len(r.VMAF.PerFrame), r.PSNRY)
		}
	}

	// A rung downloaded from the bucket is a whole, playable file.
	local := filepath.Join(dir, "360p.mp4")
	if err := os.WriteFile(local, getObject(t, out, "bbb/rungs/360p.mp4"), 0o644); err != nil {
		t.Fatal(err)
	}
	if w, h, n := ffprobeVideo(t, local); w != 640 || h != 360 || n != 132 {
		t.Errorf("downloaded 360p rung: %dx%d %d frames, want 640x360 132", w, h, n)
	}

	// A missing key fails at once, on one line, not retryable.
	code, _, stderr = reel(ctx, append([]string{"run", "s3://mezz/missing.mp4", "--out", "s3://out/missing/", "--quiet"}, base...)...)
	line := strings.TrimSpace(stderr)
	t.Logf("missing key: %s", line)
	if code != exitFailed || strings.Count(line, "\n") != 0 || !strings.Contains(line, workflows.ErrTypeNotFound+", not retryable") ||
		!strings.Contains(line, "missing.mp4") {
		t.Errorf("missing key: exit %d, stderr:\n%s", code, stderr)
	}

	// Wrong credentials: AccessDenied, not retryable, the secret not shown.
	t.Setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-0123456789")
	code, _, stderr = reel(ctx, append([]string{"run", "s3://mezz/bbb.mp4", "--title", "bbb-denied", "--out", "s3://out/denied/", "--quiet"}, base...)...)
	line = strings.TrimSpace(stderr)
	t.Logf("wrong credentials: %s", line)
	if code != exitFailed || strings.Count(line, "\n") != 0 || !strings.Contains(line, workflows.ErrTypeAccessDenied+", not retryable") ||
		strings.Contains(line, "wrong-secret") {
		t.Errorf("wrong credentials: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestTitleRequestLocations(t *testing.T) {
	abs, _ := filepath.Abs("clip.mov")
	tests := []struct {
		input, out, wantSrc, wantOut, wantTitle, wantErr string
	}{
		{"s3://mezz/dir/t.mov", "s3://out/t/", "s3://mezz/dir/t.mov", "s3://out/t", "t", ""},
		{"s3://mezz/t.mov", "s3://out", "s3://mezz/t.mov", "s3://out", "t", ""},
		{"file:///m/a b.mxf", "file:///o/x/", "/m/a b.mxf", "/o/x", "a-b", ""},
		{"clip.mov", "/o/c", abs, "/o/c", "clip", ""},
		{"s3:///t.mov", "", "", "", "", "no bucket"},
		{"s3://mezz/", "", "", "", "", "names no object"},
		{"http://host/t.mov", "", "", "", "", "unsupported scheme"},
		{"s3://mezz/t.mov", "gs://b/x", "", "", "", "unsupported scheme"},
	}
	for _, tt := range tests {
		o := titleOptions{Out: tt.out}
		req, err := o.request(tt.input)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s --out %s: err %v, want %q", tt.input, tt.out, err, tt.wantErr)
			}
			continue
		}
		if err != nil || req.Source != tt.wantSrc || req.Out != tt.wantOut || req.TitleID != tt.wantTitle {
			t.Errorf("%s --out %s: %q %q %q, %v", tt.input, tt.out, req.Source, req.Out, req.TitleID, err)
		}
	}
}

// checkStats checks --stats output: one JSON line with the reads of input,
// which fetched something but not more than the whole file's size twice.
func checkStats(t *testing.T, stderr, input string, size int64) {
	t.Helper()
	var v ioStatsView
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr)), &v); err != nil {
		t.Fatalf("--stats: %v\n%s", err, stderr)
	}
	in, ok := v.Inputs[input]
	if !ok || in.Requests == 0 || in.BytesFetched == 0 || in.BytesFetched > 2*size || v.BytesFetched != in.BytesFetched {
		t.Errorf("--stats: %s", stderr)
	}
}

func TestProbeStatsLocal(t *testing.T) {
	fi, err := os.Stat(clip)
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := reel(context.Background(), "probe", clip, "--stats")
	if code != 0 {
		t.Fatalf("probe: exit %d\n%s", code, stderr)
	}
	checkStats(t, stderr, clip, fi.Size())
}
