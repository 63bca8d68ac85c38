package playtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/browsertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/packager"
)

// The ladder every codec is packaged as: 8 s at 25 fps, closed 2 s GOPs,
// 2 s segments, three rungs of distinct sizes (so a decoded size names
// its rung).
const (
	seconds        = 8
	frames         = seconds * 25
	gop            = "50"
	segmentSeconds = 2
)

var rungs = []string{"320x180", "480x270", "640x360"}

// codec is one video codec with the audio codec it is packaged with.
type codec struct {
	name  string // package name, e.g. "h264-aac"
	video mediatest.ClipOptions
	audio string // "aac" or "opus"
}

var (
	h264 = codec{"h264-aac", mediatest.ClipOptions{Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p",
		Extra: mediatest.Args{"x264-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0", "tag:v": "avc1"}}, "aac"}
	vp9 = codec{"vp9-opus", mediatest.ClipOptions{Codec: "libvpx-vp9", GOP: 50, PixFmt: "yuv420p",
		Extra: mediatest.Args{"keyint_min": gop, "deadline": "realtime", "cpu-used": "8", "b:v": "400k"}}, "opus"}
	av1 = codec{"av1-aac", mediatest.ClipOptions{Codec: "libsvtav1", GOP: 50, Preset: "12", PixFmt: "yuv420p",
		Extra: mediatest.Args{"svtav1-params": "irefresh-type=2"}}, "aac"}
	hevc = codec{"hevc-aac", mediatest.ClipOptions{Codec: "libx265", Preset: "ultrafast", PixFmt: "yuv420p",
		Extra: mediatest.Args{"x265-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0:log-level=error", "tag:v": "hvc1"}}, "aac"}
)

var audioOpts = map[string]mediatest.ClipOptions{
	"aac":  {AudioCodec: "aac", Extra: mediatest.Args{"b:a": "96k", "ac": "2"}},
	"opus": {AudioCodec: "libopus", Extra: mediatest.Args{"b:a": "64k", "ac": "2"}},
}

// built is a packaged ladder, made once per codec for the package's tests.
type built struct {
	once sync.Once
	dir  string
	res  *packager.Result
	err  error
}

var (
	buildsMu sync.Mutex
	builds   = map[string]*built{}
	tmpRoot  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if browser != nil {
		browser.Close()
	}
	if tmpRoot != "" {
		os.RemoveAll(tmpRoot)
	}
	os.Exit(code)
}

// pkg encodes c's ladder and audio with ffmpeg and packages them (HLS and
// DASH), once; it returns the package directory and the packager's result.
func pkg(t *testing.T, c codec) (string, *packager.Result) {
	t.Helper()
	return buildOnce(t, c.name, func(src string) ([]packager.Rendition, error) {
		var rs []packager.Rendition
		for _, size := range rungs {
			o := c.video
			o.Size, o.Rate, o.Duration = size, "25", seconds
			p := filepath.Join(src, size+".mp4")
			mediatest.Clip(t, p, o)
			rs = append(rs, packager.Rendition{ID: "v" + size, Path: p, Kind: packager.Video})
		}
		return append(rs, audioRendition(t, src, c.audio, seconds)), nil
	})
}

// buildOnce makes the package name's renditions with renditions, in a
// directory of its own under the tests' temporary root, and packages them
// (HLS and DASH), once for all the package's tests; it returns the
// package directory and the packager's result.
func buildOnce(t *testing.T, name string, renditions func(src string) ([]packager.Rendition, error)) (string, *packager.Result) {
	t.Helper()
	mediatest.Need(t)
	buildsMu.Lock()
	b := builds[name]
	if b == nil {
		b = &built{}
		builds[name] = b
	}
	if tmpRoot == "" {
		var err error
		if tmpRoot, err = os.MkdirTemp("", "playtest-"); err != nil {
			buildsMu.Unlock()
			t.Fatal(err)
		}
	}
	root := tmpRoot
	buildsMu.Unlock()
	b.once.Do(func() {
		start := time.Now()
		src := filepath.Join(root, name)
		if b.err = os.MkdirAll(src, 0o755); b.err != nil {
			return
		}
		var rs []packager.Rendition
		if rs, b.err = renditions(src); b.err != nil {
			return
		}
		b.dir = filepath.Join(src, "package")
		b.res, b.err = packager.Package(context.Background(), packager.DirSink(b.dir), rs,
			packager.Options{SegmentSeconds: segmentSeconds, Formats: []packager.Format{packager.HLS, packager.DASH}})
		t.Logf("%s: encoded and packaged in %v", name, time.Since(start).Round(time.Millisecond))
	})
	if b.err != nil {
		t.Fatalf("package %s: %v", name, b.err)
	}
	if b.res == nil {
		t.Fatalf("package %s failed in an earlier test", name)
	}
	return b.dir, b.res
}

// audioRendition encodes seconds of a tone in the audio codec ("aac",
// "opus") into src and returns it as the package's audio rendition.
func audioRendition(t *testing.T, src, audio string, seconds float64) packager.Rendition {
	a := audioOpts[audio]
	a.Audio, a.AudioOnly, a.Duration = mediatest.Tone, true, seconds
	ap := filepath.Join(src, audio+".mp4")
	mediatest.Clip(t, ap, a)
	return packager.Rendition{ID: audio, Path: ap, Kind: packager.Audio, GroupID: audio, Language: "en"}
}

var (
	browserOnce sync.Once
	browser     *browsertest.Browser
	browserErr  error
)

// chromium returns the package's shared headless Chromium, started once
// (closed when the test binary exits); it skips t when Chromium is missing.
func chromium(t *testing.T) *browsertest.Browser {
	t.Helper()
	if _, err := browsertest.Chromium(); err != nil {
		t.Skip(err)
	}
	browserOnce.Do(func() {
		browser, browserErr = browsertest.Launch()
		if browserErr == nil {
			if v, err := browser.Version(); err == nil {
				t.Logf("browser: %s", v)
			}
		}
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browser
}

// TestPlayback plays each codec's package on each player in Chromium:
// the player lists the three rungs at their sizes; each rung, forced in
// turn during one playback from start to end, plays at least a second
// decoded at exactly its size (and no other size is ever decoded);
// playback ends; no player error; audio decodes.
func TestPlayback(t *testing.T) {
	for _, tc := range []struct {
		page     browsertest.Page
		manifest string
		codec    codec
	}{
		{browsertest.HLSjs, "master.m3u8", h264},
		{browsertest.HLSjs, "master.m3u8", vp9},
		{browsertest.HLSjs, "master.m3u8", av1},
		{browsertest.Shaka, "manifest.mpd", h264},
		{browsertest.Shaka, "manifest.mpd", vp9},
		{browsertest.Shaka, "manifest.mpd", av1},
	} {
		player := strings.TrimSuffix(string(tc.page), ".html")
		t.Run(player+"/"+tc.codec.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("plays in a browser")
			}
			b := chromium(t)
			dir, res := pkg(t, tc.codec)
			start := time.Now()
			play(t, b, dir, res, tc.page, tc.manifest)
			t.Logf("played in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}

func play(t *testing.T, b *browsertest.Browser, dir string, res *packager.Result, page browsertest.Page, manifest string) {
	srv := browsertest.Serve(t, dir)
	p := b.Open(t, browsertest.URL(srv, page, manifest))

	// The rungs as packaged, and Chromium claiming every codec through MSE.
	var packaged []string
	for _, r := range res.Renditions {
		if r.Kind == packager.Video {
			packaged = append(packaged, fmt.Sprintf("%dx%d", r.Width, r.Height))
		}
	}
	if !slices.Equal(packaged, rungs) {
		t.Fatalf("packaged video renditions %v, want %v", packaged, rungs)
	}
	for _, r := range res.Renditions {
		mime := fmt.Sprintf(`%s/mp4; codecs="%s"`, r.Kind, r.Codecs)
		if !p.Supported(mime) {
			t.Fatalf("Chromium's MediaSource does not support %s (rendition %s)", mime, r.ID)
		}
	}

	s := p.WaitFor("the manifest", 15*time.Second, func(s browsertest.State) bool { return s.Ready })
	t.Logf("%s %s: levels %+v", s.Player, s.Version, s.Levels)
	var sizes []string
	for _, l := range s.Levels {
		sizes = append(sizes, l.Size())
	}
	if sorted := slices.Sorted(slices.Values(sizes)); !slices.Equal(sorted, rungs) {
		t.Fatalf("player lists levels %v, want the rungs %v", sizes, rungs)
	}

	// One run from the start to the end at twice real time, each rung
	// forced in turn while playing (hls.js: hls.currentLevel, an immediate
	// switch; Shaka: ABR off, selectVariantTrack clearing its buffer), the
	// next once the current one has played a second at its size. No seeks:
	// Shaka 5.2 can stall on a seek made while it clears its buffer.
	level := func(rung string) int { return slices.Index(sizes, rung) }
	p.Rate(2)
	p.Select(level(rungs[0]))
	p.WaitFor("the first rung buffered", 20*time.Second, func(s browsertest.State) bool {
		return s.Current == level(rungs[0]) && !s.Seeking && s.ReadyState >= 3
	})
	p.Play()
	for k, rung := range rungs {
		before := s.Played[rung]
		if k > 0 {
			p.Select(level(rung))
		}
		s = p.WaitFor(fmt.Sprintf("level %d (%s) to play", level(rung), rung), 20*time.Second, func(s browsertest.State) bool {
			return s.Current == level(rung) && s.Size() == rung && s.Played[rung] >= before+1
		})
		if k == len(rungs)-1 {
			shot := filepath.Join(t.ArtifactDir(), strings.TrimSuffix(string(page), ".html")+"-"+rung+".png")
			if err := p.Screenshot(shot); err != nil {
				t.Logf("screenshot: %v", err)
			} else {
				t.Logf("screenshot of %s playing %s: %s", s.Player, rung, shot)
			}
		}
	}
	// Through the end: the media element's ended, or (if a player leaves
	// it unset) the playhead within half a second of the duration.
	s = p.WaitFor("the end", 20*time.Second, func(s browsertest.State) bool {
		return s.Duration > 0 && s.CurrentTime >= s.Duration-0.5
	})
	if end, ok := p.Poll(5*time.Second, func(s browsertest.State) bool { return s.Ended }); ok {
		s = end
	} else {
		t.Logf("no ended event; playhead at %.3f of %.3f s", end.CurrentTime, end.Duration)
		s = end
	}

	if s.Duration < seconds-0.1 || s.Duration > seconds+0.5 {
		t.Errorf("duration %.3f s, want %d s", s.Duration, seconds)
	}
	for _, e := range s.Errors {
		if causedBySwitch(e) {
			t.Logf("player notice (a load the forced switch cancelled): %s", e)
			continue
		}
		t.Errorf("player error: %s", e)
	}
	for size, sec := range s.Played {
		if !slices.Contains(rungs, size) {
			t.Errorf("played %.2f s at %s, no rung's size", sec, size)
		}
	}
	for size, n := range s.Frames {
		if !slices.Contains(rungs, size) {
			t.Errorf("presented %d frames at %s, no rung's size", n, size)
		}
	}
	for _, rung := range rungs {
		if s.Played[rung] < 1 || (len(s.Frames) > 0 && s.Frames[rung] == 0) {
			t.Errorf("rung %s: played %.2f s, %d frames presented", rung, s.Played[rung], s.Frames[rung])
		}
	}
	if s.AudioBytes == 0 {
		t.Errorf("no audio decoded")
	}
	t.Logf("ended %v at %.2f/%.2f s; played %v; frames presented %v (%d decoded, %d dropped); sizes in order %v; audio %d bytes decoded",
		s.Ended, s.CurrentTime, s.Duration, s.Played, s.Frames, s.TotalFrames, s.Dropped, s.Switches, s.AudioBytes)
}

// TestHEVCWithFFmpeg: Debian 12's Chromium has no HEVC decoder behind
// Media Source Extensions, so no browser plays an HEVC package here; it
// is checked with ffprobe instead: every rung of master.m3u8 and of
// manifest.mpd decodes all its frames at its size.
func TestHEVCWithFFmpeg(t *testing.T) {
	dir, res := pkg(t, hevc)
	t.Log("HEVC is checked with ffmpeg only: Debian 12's Chromium does not decode HEVC through MSE, so hls.js and Shaka cannot play it here")
	if _, err := browsertest.Chromium(); err == nil && !testing.Short() {
		b := chromium(t)
		srv := browsertest.Serve(t, dir)
		p := b.Open(t, browsertest.URL(srv, browsertest.HLSjs, "master.m3u8"))
		for _, r := range res.Renditions {
			if r.Kind == packager.Video {
				mime := fmt.Sprintf(`video/mp4; codecs="%s"`, r.Codecs)
				t.Logf("Chromium: MediaSource.isTypeSupported(%s) = %v", mime, p.Supported(mime))
				break
			}
		}
	}
	for _, manifest := range []string{"master.m3u8", "manifest.mpd"} {
		path := filepath.Join(dir, manifest)
		var all mediatest.ProbeResult
		if err := json.Unmarshal(mediatest.ProbeJSON(t, path, mediatest.Args{"show_entries": "stream=index,codec_type"}), &all); err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, st := range all.Streams {
			if st.CodecType != "video" {
				continue
			}
			// One stream at a time: ffmpeg's DASH demuxer reading every
			// stream at once stops some before their end.
			var one mediatest.ProbeResult
			out := mediatest.ProbeJSON(t, path, mediatest.Args{"select_streams": strconv.Itoa(st.Index), "count_frames": "",
				"show_entries": "stream=codec_name,codec_tag_string,width,height,nb_read_frames"})
			if err := json.Unmarshal(out, &one); err != nil || len(one.Streams) != 1 {
				t.Fatalf("%s stream %d: %v %s", manifest, st.Index, err, out)
			}
			v := one.Streams[0]
			size := fmt.Sprintf("%dx%d", v.Width, v.Height)
			if v.CodecName != "hevc" || v.CodecTagString != "hvc1" || !slices.Contains(rungs, size) || v.ReadFrames() != frames {
				t.Errorf("%s stream %d: %s/%s %s, %d frames; want hevc/hvc1 at a rung's size, %d frames",
					manifest, st.Index, v.CodecName, v.CodecTagString, size, v.ReadFrames(), frames)
			}
			seen = append(seen, size)
		}
		slices.Sort(seen)
		seen = slices.Compact(seen)
		want := slices.Clone(rungs)
		slices.Sort(want)
		if !slices.Equal(seen, want) {
			t.Errorf("%s: ffprobe decodes video at %v, want every rung %v", manifest, seen, rungs)
		}
	}
}

// causedBySwitch reports whether e is hls.js's notice that a load was
// aborted (non-fatal networkError "aborted"): an immediate level switch
// (hls.currentLevel = i) cancels the old level's fragment and init loads
// in flight, and hls.js reports each. Any other error fails the test.
func causedBySwitch(e browsertest.PlayerError) bool {
	return !e.Fatal && e.Type == "networkError" && e.Details == "aborted"
}
