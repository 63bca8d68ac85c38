package packager

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/hls-m3u8/m3u8"
)

// FuzzManifestRoundTrip writes HLS and DASH manifests for a fuzzed video
// and audio rendition (picture size, frame rate, timescales, segment
// durations and sizes, language, channels) and parses them back with
// hls-m3u8 and dash-mpd: every playlist decodes strictly, and what was
// planned (segments and their durations, sizes, bandwidths, codecs,
// language, channels) reads back the same. Seeds are syntheticTracks'
// ladder and the shapes of TestPackageLadder.
func FuzzManifestRoundTrip(f *testing.F) {
	// w, h, fpsNum, fpsDen, video timescale, audio timescale, segment
	// duration pattern (one byte a segment), segment bytes, language,
	// channels, I-frame playlists.
	f.Add(uint16(640), uint16(360), uint16(25), uint16(1), uint32(12800), uint32(48000), []byte{2, 2, 2}, uint32(100000), "en", uint8(2), true)
	f.Add(uint16(1280), uint16(720), uint16(30000), uint16(1001), uint32(90000), uint32(44100), []byte{2, 2, 1}, uint32(450000), "und", uint8(6), false)
	f.Add(uint16(320), uint16(180), uint16(24), uint16(1), uint32(1000), uint32(48000), []byte{4}, uint32(1), "pt-BR", uint8(1), true)
	f.Add(uint16(2), uint16(2), uint16(1), uint16(1), uint32(1), uint32(8000), []byte{255, 1, 0, 7}, uint32(1<<31), "", uint8(8), true)
	f.Fuzz(func(t *testing.T, w, h, fpsNum, fpsDen uint16, vts, ats uint32, pattern []byte, segBytes uint32, lang string, channels uint8, iframes bool) {
		if w == 0 || h == 0 || fpsNum == 0 || fpsDen == 0 || vts == 0 || ats == 0 || len(pattern) == 0 || len(pattern) > 200 {
			t.Skip()
		}
		// Languages reach the manifests from the MP4 (three letters) or
		// a rendition's BCP 47 tag.
		if len(lang) > 16 || strings.Trim(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			t.Skip()
		}
		segBytes = max(1, segBytes%(1<<24)) // up to 16 MB a segment: BANDWIDTH is 32-bit
		video := &track{r: Rendition{ID: "v1", Kind: Video}, timescale: vts, codecs: "avc1.64001F", fourcc: "avc1",
			width: int(w), height: int(h), sarW: 1, sarH: 1, fpsNum: int(fpsNum), fpsDen: int(fpsDen), lang: "und"}
		audio := &track{r: Rendition{ID: "a1", Kind: Audio}, timescale: ats, codecs: "mp4a.40.2", fourcc: "mp4a",
			sampleRate: int(ats), channels: int(channels), lang: lang}
		for _, tr := range []*track{video, audio} {
			var start uint64
			for k, p := range pattern {
				// Segment durations of p/4+0.25 seconds (at least one tick).
				dur := max(1, uint64(float64(p)/4*float64(tr.timescale)+float64(tr.timescale)/4))
				tr.segments = append(tr.segments, segment{start: start, dur: dur, bytes: int(segBytes) + k, iframeLen: int(segBytes)/8 + 1})
				start += dur
			}
			tr.samples = []sample{{dts: 0}}
			tr.end = start
		}
		tracks := []*track{video, audio}
		opts, err := Options{IFrames: iframes}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		files, err := hlsPlaylists(tracks, opts)
		if err != nil {
			t.Fatalf("hlsPlaylists: %v", err)
		}
		got := map[string][]byte{}
		for _, fl := range files {
			got[fl.rel] = fl.data
		}
		for _, tr := range tracks {
			checkMediaPlaylist(t, tr, got[tr.r.ID+"/"+playlistName], false)
			if iframes && tr.r.Kind == Video {
				checkMediaPlaylist(t, tr, got[tr.r.ID+"/"+iframesName], true)
			}
		}
		checkMaster(t, video, audio, got[masterName], iframes)

		data, err := dashManifest(tracks, opts)
		if err != nil {
			t.Fatalf("dashManifest: %v", err)
		}
		m, err := mpd.MPDFromBytes(data)
		if err != nil {
			t.Fatalf("manifest.mpd does not parse: %v\n%s", err, data)
		}
		if len(m.Periods) != 1 {
			t.Fatalf("%d periods", len(m.Periods))
		}
		var longest float64
		for _, tr := range tracks {
			longest = max(longest, tr.duration())
		}
		if d := m.MediaPresentationDuration; d == nil || math.Abs(time.Duration(*d).Seconds()-longest) > 0.001 {
			t.Errorf("mediaPresentationDuration %v, want %gs", d, longest)
		}
		reps := map[string]*mpd.RepresentationType{}
		for _, as := range m.Periods[0].AdaptationSets {
			for _, r := range as.Representations {
				reps[r.Id] = r
			}
		}
		for _, tr := range tracks {
			r := reps[tr.r.ID]
			if r == nil {
				t.Fatalf("no Representation %s in\n%s", tr.r.ID, data)
			}
			peak, _ := tr.bitrates()
			if int64(r.Bandwidth) != peak {
				t.Errorf("%s: bandwidth %d, want %d", tr.r.ID, r.Bandwidth, peak)
			}
			if tr.r.Kind == Video && (int(r.Width) != tr.width || int(r.Height) != tr.height) {
				t.Errorf("%s: %dx%d, want %dx%d", tr.r.ID, r.Width, r.Height, tr.width, tr.height)
			}
			st := r.SegmentTemplate
			if st == nil || st.SegmentTimeline == nil || st.Timescale == nil || *st.Timescale != tr.timescale {
				t.Fatalf("%s: no SegmentTemplate with a timeline in the track's timescale:\n%s", tr.r.ID, data)
			}
			var starts, durs []uint64
			var next uint64
			for _, s := range st.SegmentTimeline.S {
				if s.T != nil {
					next = *s.T
				}
				for range s.R + 1 {
					starts, durs = append(starts, next), append(durs, s.D)
					next += s.D
				}
			}
			if len(durs) != len(tr.segments) {
				t.Fatalf("%s: %d segments in the timeline, want %d", tr.r.ID, len(durs), len(tr.segments))
			}
			for k, s := range tr.segments {
				if starts[k] != s.start || durs[k] != s.dur {
					t.Fatalf("%s: segment %d at %d for %d, want %d for %d", tr.r.ID, k+1, starts[k], durs[k], s.start, s.dur)
				}
			}
		}
	})
}

// checkMediaPlaylist decodes a media playlist strictly and compares its
// segments with tr's.
func checkMediaPlaylist(t *testing.T, tr *track, data []byte, iframe bool) {
	t.Helper()
	p, typ, err := m3u8.DecodeFrom(bytes.NewReader(data), true)
	if err != nil || typ != m3u8.MEDIA {
		t.Fatalf("%s playlist (iframe %v) does not decode: %v\n%s", tr.r.ID, iframe, err, data)
	}
	pl := p.(*m3u8.MediaPlaylist)
	var segs []*m3u8.MediaSegment
	for _, s := range pl.Segments {
		if s != nil {
			segs = append(segs, s)
		}
	}
	if len(segs) != len(tr.segments) || !pl.Closed || pl.Iframe != iframe || pl.Map == nil || pl.Map.URI != "init.mp4" {
		t.Fatalf("%s: %d segments (closed %v, iframe %v), want %d:\n%s", tr.r.ID, len(segs), pl.Closed, pl.Iframe, len(tr.segments), data)
	}
	var longest float64
	for k, s := range segs {
		want := tr.seconds(tr.segments[k].dur)
		longest = max(longest, want)
		if math.Abs(s.Duration-want) > 0.0005+want*1e-9 {
			t.Errorf("%s: segment %d lasts %g, want %g", tr.r.ID, k+1, s.Duration, want)
		}
		if s.URI != fmt.Sprintf("seg-%d.m4s", k+1) {
			t.Errorf("%s: segment %d is %q", tr.r.ID, k+1, s.URI)
		}
		if iframe && s.Limit != int64(tr.segments[k].iframeLen) {
			t.Errorf("%s: I-frame %d has %d bytes, want %d", tr.r.ID, k+1, s.Limit, tr.segments[k].iframeLen)
		}
	}
	// RFC 8216 §4.3.3.1: every EXTINF rounded to the nearest integer is
	// at most the target duration.
	if float64(pl.TargetDuration) < math.Round(longest) {
		t.Errorf("%s: target duration %d under the longest segment %g", tr.r.ID, pl.TargetDuration, longest)
	}
}

// checkMaster decodes master.m3u8 and checks its variant and audio
// rendition against the tracks.
func checkMaster(t *testing.T, video, audio *track, data []byte, iframes bool) {
	t.Helper()
	p, typ, err := m3u8.DecodeFrom(bytes.NewReader(data), true)
	if err != nil || typ != m3u8.MASTER {
		t.Fatalf("master does not decode: %v\n%s", err, data)
	}
	master := p.(*m3u8.MasterPlaylist)
	var normal, iframe []*m3u8.Variant
	for _, v := range master.Variants {
		if v.Iframe {
			iframe = append(iframe, v)
		} else {
			normal = append(normal, v)
		}
	}
	if len(normal) != 1 || (len(iframe) == 1) != iframes {
		t.Fatalf("%d variants and %d I-frame variants (iframes %v):\n%s", len(normal), len(iframe), iframes, data)
	}
	v := normal[0]
	vpeak, vavg := video.bitrates()
	apeak, aavg := audio.bitrates()
	if int64(v.Bandwidth) != vpeak+apeak || int64(v.AverageBandwidth) != vavg+aavg {
		t.Errorf("bandwidth %d/%d, want %d/%d", v.Bandwidth, v.AverageBandwidth, vpeak+apeak, vavg+aavg)
	}
	if want := fmt.Sprintf("%dx%d", video.width, video.height); v.Resolution != want {
		t.Errorf("resolution %q, want %q", v.Resolution, want)
	}
	if v.Codecs != video.codecs+","+audio.codecs || v.URI != video.r.ID+"/"+playlistName {
		t.Errorf("variant %q codecs %q", v.URI, v.Codecs)
	}
	if len(v.Alternatives) != 1 {
		t.Fatalf("%d audio alternatives:\n%s", len(v.Alternatives), data)
	}
	a := v.Alternatives[0]
	wantLang := audio.lang
	if wantLang == "und" {
		wantLang = ""
	}
	if a.Language != wantLang || a.GroupId != v.Audio || a.URI != audio.r.ID+"/"+playlistName {
		t.Errorf("audio alternative %+v, want language %q in group %q", a, wantLang, v.Audio)
	}
	if (a.Channels != nil && a.Channels.Amount != audio.channels) || (a.Channels == nil) != (audio.channels == 0) {
		t.Errorf("audio channels %+v, want %d", a.Channels, audio.channels)
	}
}

// A title shorter than a second (one frame) gets a manifest.mpd whose
// durations parse: dash-mpd v0.12 wrote "PT40000000\uFFFDS" for 0.04 s.
func TestDASHSubSecondTitle(t *testing.T) {
	tr := &track{r: Rendition{ID: "v", Kind: Video}, timescale: 12800, codecs: "avc1.64000D", fourcc: "avc1",
		width: 320, height: 240, sarW: 1, sarH: 1, fpsNum: 25, fpsDen: 1, lang: "und",
		segments: []segment{{start: 0, dur: 512, bytes: 900}}, samples: []sample{{dts: 0}}, end: 512}
	opts, err := Options{SegmentSeconds: 0.5}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	data, err := dashManifest([]*track{tr}, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mpd.MPDFromBytes(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	for name, d := range map[string]*mpd.Duration{"mediaPresentationDuration": m.MediaPresentationDuration,
		"maxSegmentDuration": m.MaxSegmentDuration, "minBufferTime": m.MinBufferTime} {
		want := 0.04
		if name == "minBufferTime" {
			want = 0.5
		}
		if d == nil || time.Duration(*d).Seconds() != want {
			t.Errorf("%s %v, want %gs", name, d, want)
		}
	}
	if !bytes.Contains(data, []byte(`mediaPresentationDuration="PT0.04S"`)) {
		t.Errorf("no PT0.04S:\n%s", data)
	}
}
