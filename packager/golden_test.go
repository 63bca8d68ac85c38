package packager

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden manifests in testdata/golden")

// syntheticTracks is a planned ladder without media: two H.264 rungs and
// an HEVC rung with 2 s segments, English AAC and Opus audio.
func syntheticTracks() []*track {
	video := func(id, codecs, fourcc string, w, h int, bytes ...int) *track {
		t := &track{r: Rendition{ID: id, Kind: Video}, timescale: 12800, codecs: codecs, fourcc: fourcc,
			width: w, height: h, sarW: 1, sarH: 1, fpsNum: 25, fpsDen: 1, lang: "und"}
		for k, b := range bytes {
			t.segments = append(t.segments, segment{start: uint64(k) * 25600, dur: 25600, bytes: b, iframeLen: b / 8})
		}
		t.samples = []sample{{dts: 0}}
		t.end = uint64(len(bytes)) * 25600
		return t
	}
	audio := func(id, codecs, fourcc, group string, bytes ...int) *track {
		t := &track{r: Rendition{ID: id, Kind: Audio, GroupID: group}, timescale: 48000, codecs: codecs, fourcc: fourcc,
			sampleRate: 48000, channels: 2, lang: "en"}
		durs := []uint64{96256, 95232, 96256}
		var start uint64
		for k, b := range bytes {
			t.segments = append(t.segments, segment{start: start, dur: durs[k%3], bytes: b})
			start += durs[k%3]
		}
		t.samples = []sample{{dts: 0}}
		t.end = start
		return t
	}
	return []*track{
		video("h264-360", "avc1.64001E", "avc1", 640, 360, 100000, 120000, 90000),
		video("h264-720", "avc1.64001F", "avc1", 1280, 720, 400000, 450000, 380000),
		video("hevc-720", "hvc1.1.6.L93.B0", "hvc1", 1280, 720, 250000, 260000, 240000),
		audio("aac", "mp4a.40.2", "mp4a", "aac", 32000, 32000, 32000),
		audio("opus", "opus", "Opus", "opus", 24000, 24000, 24000),
	}
}

// TestGoldenManifests pins the manifests' text for a known ladder.
// go test ./packager -run TestGoldenManifests -update rewrites them.
func TestGoldenManifests(t *testing.T) {
	tracks := syntheticTracks()
	opts, err := Options{IFrames: true}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	files, err := hlsPlaylists(tracks, opts)
	if err != nil {
		t.Fatal(err)
	}
	mpdData, err := dashManifest(tracks, opts)
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, file{mpdName, mpdData})
	for _, f := range files {
		golden := filepath.Join("testdata", "golden", strings.ReplaceAll(f.rel, "/", "-"))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if !bytes.Equal(f.data, want) {
			t.Errorf("%s differs from %s:\n%s", f.rel, golden, f.data)
		}
	}
}
