package activities

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/mezzfs/mezzfstest"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/workflows"
)

func TestLocations(t *testing.T) {
	// store's TestJoinRel has the spellings; these are the activities'
	// own paths and an invalid base, which stays invalid.
	joins := []struct{ base, rel, want string }{
		{"s3://out/t//.chunks", "k/" + manifestName, "s3://out/t/.chunks/k/manifest.json"},
		{"file:///o/t/", reportRel, "file:///o/t/report.json"},
		{"gs://b/t", reportRel, "gs://b/t/report.json"},
	}
	for _, j := range joins {
		if got := joinLoc(j.base, j.rel); got != j.want {
			t.Errorf("joinLoc(%q, %q) = %q, want %q", j.base, j.rel, got, j.want)
		}
	}
	rels := []struct{ base, p, want string }{
		{"/o/t", "/o/t/rungs/a.mp4", "rungs/a.mp4"},
		{"s3://out/t/", "s3://out/t/rungs/a.mp4", "rungs/a.mp4"},
		{"s3://out/t", "s3://out/other/a.mp4", "s3://out/other/a.mp4"},
	}
	for _, r := range rels {
		if got := relLoc(r.base, r.p); got != r.want {
			t.Errorf("relLoc(%q, %q) = %q, want %q", r.base, r.p, got, r.want)
		}
	}
	for in, want := range map[string]string{"/a/b": "/a/b", "file:///a/b": "/a/b", "s3://b/k": ""} {
		got, ok := localPath(in)
		if got != want || ok != (want != "") {
			t.Errorf("localPath(%q) = %q, %v", in, got, ok)
		}
	}
}

func TestClassifyStoreErrors(t *testing.T) {
	for err, typ := range map[error]string{
		mezzfs.ErrNotFound:     workflows.ErrTypeNotFound,
		mezzfs.ErrAccessDenied: workflows.ErrTypeAccessDenied,
		mezzfs.ErrChanged:      workflows.ErrTypeSourceChanged,
		mezzfs.ErrInvalidURI:   workflows.ErrTypeInvalidRequest,
	} {
		var app *temporal.ApplicationError
		if got := classify(errors.Join(errors.New("x"), err)); !errors.As(got, &app) || app.Type() != typ || !app.NonRetryable() {
			t.Errorf("classify(%v) = %v, want non-retryable %s", err, got, typ)
		}
	}
	if got := classify(mezzfs.ErrRetriesExhausted); got != mezzfs.ErrRetriesExhausted {
		t.Errorf("retries exhausted classified as %v", got)
	}
}

// TestOutDirS3 writes outputs to a real S3 server (versitygw) the way the
// activities do, reads them back, and takes an object's identity.
func TestOutDirS3(t *testing.T) {
	s, bucket := s3Bucket(t, "out")
	ctx := context.Background()
	a := &Activities{Store: mezzfs.Options{S3: s.Options()}, ScratchDir: t.TempDir()}
	o, err := a.openOut(ctx, "s3://out/title/")
	if err != nil {
		t.Fatal(err)
	}
	if !o.remote() {
		t.Fatal("s3 output not remote")
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(o.file("vmaf/a.json"), []byte(`{"a":1}`), 0o644))
	must(os.WriteFile(o.file(thumbRel+"/x.jpg"), []byte("jpeg"), 0o644))
	must(o.commit(ctx, "vmaf/a.json"))
	must(o.commitTree(ctx, thumbRel))
	scratch := o.dir
	o.close()
	if _, err := os.Stat(scratch); !os.IsNotExist(err) {
		t.Errorf("scratch %s left behind", scratch)
	}
	if got := o.loc("vmaf/a.json"); got != "s3://out/title/vmaf/a.json" {
		t.Errorf("loc %q", got)
	}
	b, err := a.readLoc(ctx, "s3://out/title/vmaf/a.json")
	if err != nil || string(b) != `{"a":1}` {
		t.Fatalf("read back %q, %v", b, err)
	}
	if n, err := a.statLoc(ctx, "s3://out/title/qc/thumbs/x.jpg"); err != nil || n != 4 {
		t.Fatalf("thumbnail: %d, %v", n, err)
	}
	if _, err := a.statLoc(ctx, "s3://out/title/nope"); !errors.Is(err, mezzfs.ErrNotFound) {
		t.Fatalf("missing object: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "a.json")
	must(a.fetchLoc(ctx, "s3://out/title/vmaf/a.json", dst))

	// The identity of an object matches the local file's hashes.
	data := make([]byte, 3<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	local := filepath.Join(t.TempDir(), "src.bin")
	must(os.WriteFile(local, data, 0o644))
	f, _ := os.Open(local)
	must(bucket.Put(ctx, "src.bin", f, int64(len(data))))
	f.Close()
	id, err := a.sourceIdentity(ctx, "s3://out/src.bin")
	must(err)
	lid, err := SourceIdentityOf(local)
	must(err)
	if id.Size != lid.Size || id.HeadSHA256 != lid.HeadSHA256 || id.TailSHA256 != lid.TailSHA256 || id.ModTimeUnixNano == 0 {
		t.Errorf("object identity %v, local %v", id, lid)
	}
	_, err = a.SourceIdentity(ctx, workflows.SourceIdentityInput{Source: "s3://out/missing.mp4"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeNotFound {
		t.Errorf("missing source: %v", err)
	}
	_, err = (&Activities{Store: mezzfs.Options{S3: func() mezzfs.S3Options { o := s.Options(); o.SecretKey = "wrong-secret-key"; return o }()}}).
		SourceIdentity(ctx, workflows.SourceIdentityInput{Source: "s3://out/src.bin"})
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeAccessDenied {
		t.Errorf("wrong credentials: %v", err)
	}
}

// TestEncodeLadderAndReportToS3 runs the one-pass ladder encode and the
// report with the title's output in S3.
func TestEncodeLadderAndReportToS3(t *testing.T) {
	s, bucket := s3Bucket(t, "out")
	ctx := context.Background()
	env, a := actEnv(t)
	a.Store = mezzfs.Options{S3: s.Options()}
	a.ScratchDir = t.TempDir()
	enc := encodeClip(t, env, "s3://out/t")
	for i, r := range enc.Rungs {
		info, err := bucket.Stat(ctx, "t/rungs/"+rungs[i].ID+".mp4")
		if r.Path != "s3://out/t/rungs/"+rungs[i].ID+".mp4" || err != nil || info.Size != r.Bytes || r.Frames != 132 {
			t.Errorf("rung %+v: object %+v, %v", r, info, err)
		}
	}
	v, err := env.ExecuteActivity(workflows.ActivityWriteReport, workflows.WriteReportInput{TitleID: "t", Out: "s3://out/t", Rungs: enc.Rungs})
	if err != nil {
		t.Fatal(err)
	}
	var wr workflows.WriteReportOutput
	if err := v.Get(&wr); err != nil || wr.Path != "s3://out/t/report.json" {
		t.Fatalf("report %+v, %v", wr, err)
	}
	b, err := a.readLoc(ctx, wr.Path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := report.Read(bytes.NewReader(b))
	if err != nil || len(rep.Rungs) != 2 || rep.Rungs[0].Path != "rungs/small.mp4" {
		t.Fatalf("report %+v, %v", rep, err)
	}
	entries, _ := os.ReadDir(a.ScratchDir)
	if len(entries) != 0 {
		t.Errorf("scratch directories left: %v", entries)
	}
	// A missing output bucket is a non-retryable NotFound.
	_, err = env.ExecuteActivity(workflows.ActivityWriteReport, workflows.WriteReportInput{TitleID: "t", Out: "s3://nobucket/t"})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeNotFound || !app.NonRetryable() {
		t.Errorf("missing bucket: %v", err)
	}
}

// TestTrialEncodeS3 runs the complexity analysis on a mezzanine in S3 with
// the trial cache in S3 too: the same results as from the local file, and
// a second call reuses every cached result without encoding.
func TestTrialEncodeS3(t *testing.T) {
	s, bucket := s3Bucket(t, "mezz")
	ctx := context.Background()
	f, err := os.Open(clip)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if err := bucket.Put(ctx, "bbb.mp4", f, fi.Size()); err != nil {
		t.Fatal(err)
	}
	f.Close()
	env, a := actEnv(t)
	a.Store = mezzfs.Options{S3: s.Options()}
	a.ScratchDir = t.TempDir()
	id, err := a.sourceIdentity(ctx, "s3://mezz/bbb.mp4")
	if err != nil {
		t.Fatal(err)
	}
	ranges := []workflows.TrialRange{{Shot: 0, StartFrame: 20, Frames: 5}}
	in := workflows.TrialEncodeInput{Source: "s3://mezz/bbb.mp4", SourceID: id, Cache: "s3://mezz/cache", Grid: trialGrid[:2],
		ScoreWidth: 320, ScoreHeight: 180, Ranges: ranges}
	remote, err := trialEncode(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	local, err := trialEncode(t, env, workflows.TrialEncodeInput{Source: clip, Cache: t.TempDir(), Grid: trialGrid[:2],
		ScoreWidth: 320, ScoreHeight: 180, Ranges: ranges})
	if err != nil {
		t.Fatal(err)
	}
	if remote.Encoded != 2 || len(remote.Results) != 2 {
		t.Fatalf("S3 trial output %+v", remote)
	}
	for i, r := range remote.Results {
		l := local.Results[i]
		// The same frames and settings: the same encode (single-threaded
		// trials are deterministic) and score.
		if r.Bits != l.Bits || math.Abs(r.VMAF-l.VMAF) > 1e-9 {
			t.Errorf("grid point %d: S3 source %v bits VMAF %v, local file %v bits VMAF %v", i, r.Bits, r.VMAF, l.Bits, l.VMAF)
		}
		if _, err := a.statLoc(ctx, TrialPath("s3://mezz/cache", r.Shots[0].Key)); err != nil {
			t.Errorf("grid point %d: cached result not in S3: %v", i, err)
		}
	}
	again, err := trialEncode(t, env, in)
	if err != nil || again.Encoded != 0 || again.Reused != 2 {
		t.Fatalf("second call: %+v, %v", again, err)
	}
}

// s3Bucket starts the S3 test server (versitygw) for the test, skipping
// it when there is none, and makes a bucket on it.
func s3Bucket(t *testing.T, name string) (*mezzfstest.Server, *mezzfs.S3Store) {
	t.Helper()
	s, err := mezzfstest.Start(t.TempDir())
	if err != nil {
		t.Skipf("skipping: no S3 server (versitygw): %v", err)
	}
	t.Cleanup(s.Stop)
	bucket, err := s.NewBucket(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s, bucket
}
