package mediatest

import (
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestClipProbeFilter makes a clip with picture, black and a tone, and
// reads it back with every helper.
func TestClipProbeFilter(t *testing.T) {
	Need(t)
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	Clip(t, clip, ClipOptions{Size: "160x90", Rate: "25", Frames: 50, VF: "drawbox=enable='gte(n,25)':color=black:t=fill",
		Codec: "libx264", Preset: "ultrafast", GOP: 10, PixFmt: "yuv420p", Audio: Tone, AudioCodec: "aac", Shortest: true,
		Extra: Args{"x264-params": "scenecut=0"}})

	p := Probe(t, clip)
	v, a := p.Video(), p.Audio()
	if len(p.Streams) != 2 || v.CodecName != "h264" || v.Width != 160 || v.Height != 90 || v.PixFmt != "yuv420p" ||
		v.ReadFrames() != 50 || a.CodecName != "aac" || p.Format.Seconds() < 1.9 || p.Format.Seconds() > 2.2 {
		t.Fatalf("probe %+v", p)
	}
	if n := CountFrames(t, clip); n != 50 {
		t.Errorf("CountFrames %d, want 50", n)
	}

	pk := Packets(t, clip, "v")
	var keys []int
	for i, q := range pk {
		if q.Key() {
			keys = append(keys, i)
		}
		if q.Size <= 0 || q.Pos <= 0 || math.IsNaN(q.PTSTime) {
			t.Fatalf("packet %d: %+v", i, q)
		}
	}
	if len(pk) != 50 || len(keys) != 5 || keys[1] != 10 {
		t.Errorf("%d packets, keyframes %v; want 50, every 10th", len(pk), keys)
	}
	fr := Frames(t, clip, "v:0")
	if len(fr) != 50 || !fr[0].Key || fr[0].PTSTime != 0 || fr[49].Width != 160 || math.Abs(fr[49].PTSTime-49.0/25) > 1e-3 {
		t.Errorf("%d frames: first %+v, last %+v", len(fr), fr[0], fr[len(fr)-1])
	}

	log := Filter(t, clip, "blackdetect=d=0.5")
	if m := regexp.MustCompile(`black_start:([0-9.]+)`).FindStringSubmatch(log); m == nil || m[1] != "1" {
		t.Errorf("blackdetect log:\n%s", log)
	}

	// Audio only, then raw PCM through an audio filter.
	pcm := filepath.Join(dir, "tone.f32")
	Clip(t, pcm, ClipOptions{AudioOnly: true, Audio: Tone, Duration: 1, Format: "f32le", Extra: Args{"ar": "48000", "ac": "1"}})
	log = FilterAudio(t, pcm, "volumedetect", Args{"f": "f32le", "ar": "48000", "ac": "1"})
	if !strings.Contains(log, "n_samples: 48000") {
		t.Errorf("volumedetect log:\n%s", log)
	}

	// A conversion of the clip, and its raw frames.
	y4m := filepath.Join(dir, "clip.y4m")
	Clip(t, y4m, ClipOptions{File: clip, Input: Args{"t": "1"}, PixFmt: "yuv420p", Format: "yuv4mpegpipe", Extra: Args{"an": ""}})
	if raw := RawVideo(t, y4m, "gray", "scale=80:46"); len(raw) != 25*80*46 {
		t.Errorf("raw video %d bytes, want 25 frames of 80x46", len(raw))
	}
	if _, err := ProbeFile(filepath.Join(dir, "missing.mp4")); err == nil {
		t.Error("ProbeFile of a missing file: no error")
	}
	if !strings.Contains(string(ProbeJSON(t, clip, Args{"show_streams": "", "count_packets": ""})), `"nb_read_packets": "50"`) {
		t.Error("ProbeJSON lacks the packet count")
	}
}

func TestVideoSource(t *testing.T) {
	for _, c := range []struct {
		o    ClipOptions
		want string
	}{
		{ClipOptions{}, "testsrc2"},
		{ClipOptions{Source: "testsrc", Size: "321x181", Rate: "24"}, "testsrc=size=321x181:rate=24"},
		{ClipOptions{Source: "testsrc2=duration=6", Rate: "30000/1001"}, "testsrc2=duration=6:rate=30000/1001"},
	} {
		if got := c.o.videoSource(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
}
