package activities

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/workflows"
)

// packageRungs are the fixture ladder: two H.264 rungs, 6 s at 25 fps
// with closed 2 s GOPs (key frames at 0, 2 and 4 s), and AAC audio.
var packageRungs = []struct{ id, size string }{{"h264-360", "320x180"}, {"h264-180", "160x90"}}

// closedGOP2s are libx264's options for closed 2 s GOPs at 25 fps.
var closedGOP2s = mediatest.Args{"x264-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0"}

// packageFixtures writes the ladder under dir as the encode stage lays it
// out (rungs/<id>.mp4, audio/aac.mp4) and returns the Package input's
// rungs and audio, with paths under dir.
func packageFixtures(t *testing.T, dir string) ([]media.RungOutput, []workflows.AudioOutput) {
	t.Helper()
	mediatest.Need(t)
	var rungs []media.RungOutput
	for _, r := range packageRungs {
		p := filepath.Join(dir, rungRel(r.id))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		mediatest.Clip(t, p, mediatest.ClipOptions{Size: r.size, Rate: "25", Duration: 6, Codec: "libx264", Preset: "ultrafast",
			PixFmt: "yuv420p", Extra: closedGOP2s})
		rungs = append(rungs, media.RungOutput{ID: r.id, Path: p, Codec: "h264"})
	}
	p := filepath.Join(dir, audioRel("aac"))
	if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
		t.Fatal(err)
	}
	mediatest.Clip(t, p, mediatest.ClipOptions{Audio: mediatest.Tone, AudioOnly: true, Duration: 6, AudioCodec: "aac",
		Extra: mediatest.Args{"b:a": "96k", "ac": "2"}})
	return rungs, []workflows.AudioOutput{{ID: "aac", Path: p, Codec: "aac"}}
}

func runPackage(t *testing.T, env *testsuite.TestActivityEnvironment, in workflows.PackageInput) (workflows.PackageOutput, error) {
	t.Helper()
	v, err := env.ExecuteActivity(workflows.ActivityPackage, in)
	if err != nil {
		return workflows.PackageOutput{}, err
	}
	var out workflows.PackageOutput
	if err := v.Get(&out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

// checkPackageOutput checks the result of packaging the fixtures: three
// 2 s segments per rung, the audio in segments too, relative paths,
// codec strings and bitrates.
func checkPackageOutput(t *testing.T, out workflows.PackageOutput, root string) {
	t.Helper()
	if out.Root != root || out.Master != "package/master.m3u8" || out.MPD != "package/manifest.mpd" ||
		len(out.Renditions) != len(packageRungs)+1 || out.DurationSec < 5.9 {
		t.Fatalf("output %+v", out)
	}
	for i, r := range out.Renditions {
		if r.Init != "package/"+r.ID+"/init.mp4" || r.Playlist != "package/"+r.ID+"/playlist.m3u8" ||
			r.Bytes <= 0 || r.PeakBitrate < r.AverageBitrate || r.AverageBitrate <= 0 {
			t.Errorf("rendition %+v", r)
		}
		if i < len(packageRungs) {
			if r.ID != packageRungs[i].id || r.Kind != "video" || r.Segments != 3 || r.Samples != 150 || r.MaxSegmentSec != 2 ||
				!strings.HasPrefix(r.Codecs, "avc1.") || r.SampleEntry != "avc1" || r.FrameRate != 25 ||
				r.IFramePlaylist != "package/"+r.ID+"/iframes.m3u8" {
				t.Errorf("rung %+v", r)
			}
			continue
		}
		if r.ID != "aac" || r.Kind != "audio" || r.Segments < 3 || r.Codecs != "mp4a.40.2" || r.Channels != 2 || r.IFramePlaylist != "" {
			t.Errorf("audio %+v", r)
		}
	}
}

// packageFiles are the files the fixtures' package holds, relative to its
// root.
func packageFiles(out workflows.PackageOutput) []string {
	files := []string{"manifest.mpd", "master.m3u8"}
	for _, r := range out.Renditions {
		files = append(files, r.ID+"/init.mp4", r.ID+"/playlist.m3u8")
		if r.IFramePlaylist != "" {
			files = append(files, r.ID+"/iframes.m3u8")
		}
		for k := 1; k <= r.Segments; k++ {
			files = append(files, fmt.Sprintf("%s/seg-%d.m4s", r.ID, k))
		}
	}
	slices.Sort(files)
	return files
}

// readTree reads every file below dir, by slash path relative to it.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		m[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPackageLocal packages the fixture ladder into a local output
// directory; a second run rewrites the same files with the same bytes.
func TestPackageLocal(t *testing.T) {
	out := t.TempDir()
	rungs, audio := packageFixtures(t, out)
	env, _ := actEnv(t)
	in := workflows.PackageInput{Out: out, Rungs: rungs, Audio: audio, SegmentSeconds: 2, IFrames: true}
	res, err := runPackage(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	checkPackageOutput(t, res, filepath.Join(out, "package"))
	for _, p := range []string{res.Master, res.MPD} {
		if st, err := os.Stat(filepath.Join(out, p)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	first := readTree(t, filepath.Join(out, "package"))
	if got := slices.Sorted(maps.Keys(first)); !slices.Equal(got, packageFiles(res)) {
		t.Errorf("package holds %v, want %v", got, packageFiles(res))
	}
	master := string(first["master.m3u8"])
	if !strings.Contains(master, `GROUP-ID="aac"`) || !strings.Contains(master, "h264-180/playlist.m3u8") {
		t.Errorf("master.m3u8:\n%s", master)
	}

	again, err := runPackage(t, env, in)
	if err != nil {
		t.Fatal(err)
	}
	second := readTree(t, filepath.Join(out, "package"))
	if len(second) != len(first) {
		t.Errorf("re-run: %d files, first run %d", len(second), len(first))
	}
	for rel, b := range first {
		if !bytes.Equal(b, second[rel]) {
			t.Errorf("re-run: %s differs", rel)
		}
	}
	if len(again.Renditions) != len(res.Renditions) || again.Renditions[0].Bytes != res.Renditions[0].Bytes {
		t.Errorf("re-run output %+v, first %+v", again, res)
	}

	// HLS only: no MPD in the output.
	hls, err := runPackage(t, env, workflows.PackageInput{Out: t.TempDir(), Rungs: rungs, Formats: []string{workflows.PackageHLS}})
	if err != nil || hls.Master == "" || hls.MPD != "" || len(hls.Renditions) != 2 {
		t.Errorf("hls only: %+v, %v", hls, err)
	}
}

// TestPackageS3 packages a ladder stored in S3 into <out>/package/ in
// the same bucket.
func TestPackageS3(t *testing.T) {
	s, bucket := s3Bucket(t, "out")
	ctx := context.Background()
	local := t.TempDir()
	rungs, audio := packageFixtures(t, local)
	upload := func(p string) string {
		t.Helper()
		rel, _ := filepath.Rel(local, p)
		key := "t/" + filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		st, _ := f.Stat()
		if err := bucket.Put(ctx, key, f, st.Size()); err != nil {
			t.Fatal(err)
		}
		return "s3://out/" + key
	}
	for i := range rungs {
		rungs[i].Path = upload(rungs[i].Path)
	}
	audio[0].Path = upload(audio[0].Path)

	env, a := actEnv(t)
	a.Store = mezzfs.Options{S3: s.Options()}
	a.ScratchDir = t.TempDir()
	res, err := runPackage(t, env, workflows.PackageInput{Out: "s3://out/t/", Rungs: rungs, Audio: audio, IFrames: true})
	if err != nil {
		t.Fatal(err)
	}
	checkPackageOutput(t, res, "s3://out/t/package")
	objs, err := bucket.List(ctx, "t/package/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, strings.TrimPrefix(o.Key, "t/package/"))
	}
	slices.Sort(keys)
	if !slices.Equal(keys, packageFiles(res)) {
		t.Errorf("keys under t/package/: %v, want %v", keys, packageFiles(res))
	}
	if b, err := a.readLoc(ctx, "s3://out/t/"+res.Master); err != nil || !bytes.HasPrefix(b, []byte("#EXTM3U")) {
		t.Errorf("master.m3u8: %q, %v", b, err)
	}
	if entries, _ := os.ReadDir(a.ScratchDir); len(entries) != 0 {
		t.Errorf("scratch directories left: %v", entries)
	}

	// A rung missing from the bucket is NotFound, naming it.
	gone := append(slices.Clone(rungs), media.RungOutput{ID: "gone", Path: "s3://out/t/rungs/gone.mp4"})
	_, err = runPackage(t, env, workflows.PackageInput{Out: "s3://out/t/", Rungs: gone})
	wantAppError(t, err, workflows.ErrTypeNotFound, `"gone"`)
}

// wantAppError fails t unless err is a non-retryable application error of
// type typ whose message contains text.
func wantAppError(t *testing.T, err error, typ, text string) {
	t.Helper()
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != typ || !app.NonRetryable() || !strings.Contains(app.Error(), text) {
		t.Errorf("error %v, want non-retryable %s naming %s", err, typ, text)
	}
}

// TestPackageBadInput: bad renditions fail non-retryable, naming the
// rendition, and write nothing; a wrong request is InvalidRequest.
func TestPackageBadInput(t *testing.T) {
	dir := t.TempDir()
	rungs, audio := packageFixtures(t, dir)
	longGOP := filepath.Join(dir, "rungs", "long-gop.mp4")
	mediatest.Clip(t, longGOP, mediatest.ClipOptions{Size: "160x90", Rate: "25", Duration: 6, Codec: "libx264", Preset: "ultrafast",
		PixFmt: "yuv420p", Extra: mediatest.Args{"x264-params": "keyint=100:min-keyint=100:scenecut=0:open-gop=0"}})
	mpeg4 := filepath.Join(dir, "rungs", "mpeg4.mp4")
	mediatest.Clip(t, mpeg4, mediatest.ClipOptions{Size: "160x90", Rate: "25", Duration: 2, Codec: "mpeg4", GOP: 50})
	env, _ := actEnv(t)
	with := func(r media.RungOutput) []media.RungOutput { return append(slices.Clone(rungs), r) }
	for _, c := range []struct {
		name      string
		in        workflows.PackageInput
		typ, text string
	}{
		{"gop longer than segment", workflows.PackageInput{Rungs: with(media.RungOutput{ID: "long-gop", Path: longGOP})},
			workflows.ErrTypeInvalidMedia, `"long-gop": no key frame at 2.000 s`},
		{"missing rung", workflows.PackageInput{Rungs: with(media.RungOutput{ID: "gone", Path: filepath.Join(dir, "rungs", "gone.mp4")})},
			workflows.ErrTypeNotFound, `"gone"`},
		{"unsupported codec", workflows.PackageInput{Rungs: with(media.RungOutput{ID: "mpeg4", Path: mpeg4})},
			workflows.ErrTypeUnsupported, `"mpeg4"`},
		{"audio file as a rung", workflows.PackageInput{Rungs: with(media.RungOutput{ID: "sound", Path: audio[0].Path})},
			workflows.ErrTypeInvalidMedia, `"sound"`},
		{"no rungs", workflows.PackageInput{Audio: audio}, workflows.ErrTypeInvalidRequest, "no rungs"},
		{"unknown format", workflows.PackageInput{Rungs: rungs, Formats: []string{"smooth"}}, workflows.ErrTypeInvalidRequest, `"smooth"`},
		{"segment too long", workflows.PackageInput{Rungs: rungs, SegmentSeconds: 90}, workflows.ErrTypeInvalidRequest, "segment_seconds 90"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			c.in.Out = out
			_, err := runPackage(t, env, c.in)
			wantAppError(t, err, c.typ, c.text)
			t.Log(err)
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("wrote %d entries before failing", len(entries))
			}
		})
	}
}
