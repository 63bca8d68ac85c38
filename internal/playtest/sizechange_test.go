package playtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/internal/browsertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/packager"
)

// chunkSizes are the picture sizes of a size-changing rung's 2 s chunks,
// as reel's per-shot optimizer stitches them.
var chunkSizes = []string{"320x240", "256x192", "320x240"}

// sizeChanging is one codec whose rung changes picture size mid-stream.
type sizeChanging struct {
	name, codec, format, entry, audio string
	extra                             mediatest.Args
}

var (
	avc3Sizes = sizeChanging{"avc3-sizes", "libx264", "mpegts", "avc3", "aac",
		mediatest.Args{"x264-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0:repeat-headers=1:log-level=error"}}
	vp9Sizes = sizeChanging{"vp9-sizes", "libvpx-vp9", "webm", "vp09", "opus",
		mediatest.Args{"g": gop, "keyint_min": gop, "deadline": "realtime", "cpu-used": "8", "b:v": "300k"}}
)

// pkgSizes encodes c's chunks (each with its own parameter sets), joins
// them into one rung without re-encoding, and packages it with audio
// (HLS and DASH), once.
func pkgSizes(t *testing.T, c sizeChanging) (string, *packager.Result) {
	t.Helper()
	return buildOnce(t, c.name, func(src string) ([]packager.Rendition, error) {
		var list strings.Builder
		for i, size := range chunkSizes {
			p := filepath.Join(src, fmt.Sprintf("chunk%d.%s", i, c.format))
			o := mediatest.ClipOptions{Size: size, Rate: "25", Duration: segmentSeconds, Codec: c.codec, PixFmt: "yuv420p", Format: c.format, Extra: c.extra}
			if c.format == "mpegts" {
				o.Preset = "ultrafast"
			}
			mediatest.Clip(t, p, o)
			fmt.Fprintf(&list, "file '%s'\n", p)
		}
		listPath := filepath.Join(src, "chunks.txt")
		if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
			return nil, err
		}
		rung := filepath.Join(src, "rung.mp4")
		mediatest.Clip(t, rung, mediatest.ClipOptions{File: listPath, Input: mediatest.Args{"f": "concat", "safe": "0"},
			Extra: mediatest.Args{"c": "copy", "tag:v": c.entry}})
		return []packager.Rendition{
			{ID: "v", Path: rung, Kind: packager.Video},
			audioRendition(t, src, c.audio, float64(segmentSeconds*len(chunkSizes))),
		}, nil
	})
}

// TestSizeChangingRung plays a rung whose 2 s chunks are 320x240,
// 256x192 and 320x240 (H.264 as avc3 with parameter sets in band; VP9)
// from start to end at real time: playback ends, no player error, and
// the decoded size follows the chunks.
func TestSizeChangingRung(t *testing.T) {
	for _, tc := range []struct {
		page     browsertest.Page
		manifest string
		c        sizeChanging
	}{
		{browsertest.HLSjs, "master.m3u8", avc3Sizes},
		{browsertest.HLSjs, "master.m3u8", vp9Sizes},
		{browsertest.Shaka, "manifest.mpd", avc3Sizes},
		{browsertest.Shaka, "manifest.mpd", vp9Sizes},
	} {
		player := strings.TrimSuffix(string(tc.page), ".html")
		t.Run(player+"/"+tc.c.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("plays in a browser")
			}
			br := chromium(t)
			dir, res := pkgSizes(t, tc.c)
			for _, r := range res.Renditions {
				t.Logf("rendition %s: %s %s %dx%d", r.ID, r.SampleEntry, r.Codecs, r.Width, r.Height)
				if r.Kind == packager.Video && r.SampleEntry != tc.c.entry {
					t.Fatalf("rung packaged with sample entry %s, want %s", r.SampleEntry, tc.c.entry)
				}
			}
			srv := browsertest.Serve(t, dir)
			p := br.Open(t, browsertest.URL(srv, tc.page, tc.manifest))
			s := p.WaitFor("the manifest", 15*time.Second, func(s browsertest.State) bool { return s.Ready })
			t.Logf("%s %s: levels %+v", s.Player, s.Version, s.Levels)
			start := time.Now()
			p.Play()
			s = p.WaitFor("the end", 30*time.Second, func(s browsertest.State) bool {
				return s.Duration > 0 && s.CurrentTime >= s.Duration-0.5
			})
			if end, ok := p.Poll(5*time.Second, func(s browsertest.State) bool { return s.Ended }); ok {
				s = end
			} else {
				t.Logf("no ended event; playhead at %.3f of %.3f s", end.CurrentTime, end.Duration)
				s = end
			}
			t.Logf("ended %v at %.2f/%.2f s after %v; played %v; frames %v (%d decoded, %d dropped); sizes in order %v; errors %v",
				s.Ended, s.CurrentTime, s.Duration, time.Since(start).Round(time.Millisecond), s.Played, s.Frames, s.TotalFrames, s.Dropped, s.Switches, s.Errors)
			want := float64(segmentSeconds * len(chunkSizes))
			if s.Duration < want-0.1 || s.Duration > want+0.5 {
				t.Errorf("duration %.3f s, want %.0f s", s.Duration, want)
			}
			for _, e := range s.Errors {
				t.Errorf("player error: %s", e)
			}
			if !slices.Equal(slices.Compact(slices.Clone(s.Switches)), chunkSizes) {
				t.Errorf("decoded sizes in order %v, want %v", s.Switches, chunkSizes)
			}
			for size, sec := range map[string]float64{"320x240": 3, "256x192": 1.5} {
				if s.Played[size] < sec {
					t.Errorf("played %.2f s at %s, want at least %.1f s", s.Played[size], size, sec)
				}
			}
			for size, sec := range s.Played {
				if !slices.Contains(chunkSizes, size) {
					t.Errorf("played %.2f s at %s, no chunk's size", sec, size)
				}
			}
			for size, n := range s.Frames {
				if !slices.Contains(chunkSizes, size) {
					t.Errorf("presented %d frames at %s, no chunk's size", n, size)
				}
			}
			if len(s.Frames) > 0 && (s.Frames["320x240"] == 0 || s.Frames["256x192"] == 0) {
				t.Errorf("frames presented %v, want some at each chunk's size", s.Frames)
			}
			if s.AudioBytes == 0 {
				t.Errorf("no audio decoded")
			}
		})
	}
}
