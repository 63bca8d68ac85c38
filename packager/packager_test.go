package packager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/hls-m3u8/m3u8"

	"github.com/reel-video/reel/internal/mediatest"
)

// Fixtures: 6 s at 25 fps with closed 2 s GOPs (key frames at 0, 2 and
// 4 s), the codecs reel encodes, and AAC and Opus audio.
const (
	fixtureSeconds = 6
	fixtureFrames  = 150
	gop            = "50"
)

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// closedGOP are the per-encoder options of fixed, closed 2 s GOPs.
var videoFixtures = []struct {
	id   string
	size string
	opts mediatest.ClipOptions
}{
	{"h264", "320x240", mediatest.ClipOptions{Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p",
		Extra: mediatest.Args{"x264-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0", "tag:v": "avc1"}}},
	{"hevc", "256x192", mediatest.ClipOptions{Codec: "libx265", Preset: "ultrafast", PixFmt: "yuv420p",
		Extra: mediatest.Args{"x265-params": "keyint=50:min-keyint=50:scenecut=0:open-gop=0:log-level=error", "tag:v": "hvc1"}}},
	{"vp9", "320x240", mediatest.ClipOptions{Codec: "libvpx-vp9", GOP: 50,
		Extra: mediatest.Args{"keyint_min": gop, "deadline": "realtime", "cpu-used": "8", "b:v": "300k"}}},
	{"av1", "320x240", mediatest.ClipOptions{Codec: "libsvtav1", GOP: 50, Preset: "12", PixFmt: "yuv420p",
		Extra: mediatest.Args{"svtav1-params": "irefresh-type=2"}}},
}

// fixtures makes the ladder's files once for the package's tests.
func fixtures(t *testing.T) (string, []Rendition) {
	t.Helper()
	mediatest.Need(t)
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "packager-test-")
		if err != nil {
			fixtureErr = err
			return
		}
		fixtureDir = dir
		for _, v := range videoFixtures {
			o := v.opts
			o.Size, o.Rate, o.Duration = v.size, "25", fixtureSeconds
			mediatest.Clip(t, filepath.Join(dir, v.id+".mp4"), o)
		}
		mediatest.Clip(t, filepath.Join(dir, "aac.mp4"), mediatest.ClipOptions{Audio: mediatest.Tone, AudioOnly: true,
			Duration: fixtureSeconds, AudioCodec: "aac", Extra: mediatest.Args{"b:a": "96k", "ac": "2"}})
		mediatest.Clip(t, filepath.Join(dir, "opus.mp4"), mediatest.ClipOptions{Audio: mediatest.Tone, AudioOnly: true,
			Duration: fixtureSeconds, AudioCodec: "libopus", Extra: mediatest.Args{"b:a": "64k", "ac": "2"}})
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	var rs []Rendition
	for _, v := range videoFixtures {
		rs = append(rs, Rendition{ID: v.id, Path: filepath.Join(fixtureDir, v.id+".mp4"), Kind: Video})
	}
	rs = append(rs,
		Rendition{ID: "aac", Path: filepath.Join(fixtureDir, "aac.mp4"), Kind: Audio, GroupID: "aac", Language: "en"},
		Rendition{ID: "opus", Path: filepath.Join(fixtureDir, "opus.mp4"), Kind: Audio, GroupID: "opus", Language: "en"},
	)
	return fixtureDir, rs
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// probeStream is what the tests read of a stream from ffprobe.
type probeStream struct {
	Index          int    `json:"index"`
	CodecType      string `json:"codec_type"`
	CodecTagString string `json:"codec_tag_string"`
	Profile        string `json:"profile"`
	Level          int    `json:"level"`
	PixFmt         string `json:"pix_fmt"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	NbReadFrames   string `json:"nb_read_frames"`
	NbReadPackets  string `json:"nb_read_packets"`
}

func probeStreams(t *testing.T, path string, args mediatest.Args) []probeStream {
	t.Helper()
	var doc struct {
		Streams []probeStream `json:"streams"`
	}
	out := mediatest.ProbeJSON(t, path, args)
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("ffprobe %s: %v: %s", path, err, out)
	}
	return doc.Streams
}

// wantCodecs checks an RFC 6381 string against what ffprobe reads of
// the same stream: the sample entry, profile, level and bit depth.
func wantCodecs(t *testing.T, id, codecs string, s probeStream) {
	t.Helper()
	tag := s.CodecTagString
	ok := true
	switch tag {
	case "avc1", "avc3":
		idc := map[string]int{"Constrained Baseline": 0x42, "Baseline": 0x42, "Main": 0x4D, "High": 0x64, "High 10": 0x6E}[s.Profile]
		ok = strings.HasPrefix(codecs, fmt.Sprintf("%s.%02X", tag, idc)) && strings.HasSuffix(codecs, fmt.Sprintf("%02X", s.Level)) && len(codecs) == 11
	case "hvc1", "hev1":
		idc := map[string]int{"Main": 1, "Main 10": 2}[s.Profile]
		ok = strings.HasPrefix(codecs, fmt.Sprintf("%s.%d.", tag, idc)) && strings.Contains(codecs, fmt.Sprintf(".L%d", s.Level))
	case "vp09":
		p, _ := strconv.Atoi(strings.TrimPrefix(s.Profile, "Profile "))
		ok = strings.HasPrefix(codecs, fmt.Sprintf("vp09.%02d.", p)) && len(codecs) > 13 && codecs[10:13] == ".08"
	case "av01":
		p := map[string]int{"Main": 0, "High": 1, "Professional": 2}[s.Profile]
		ok = strings.HasPrefix(codecs, fmt.Sprintf("av01.%d.", p)) && strings.HasSuffix(codecs, ".08")
	case "mp4a":
		ok = s.Profile == "LC" && codecs == "mp4a.40.2"
	case "Opus":
		ok = codecs == "opus"
	default:
		ok = false
	}
	if !ok {
		t.Errorf("%s: codecs %q does not match ffprobe's %s %s level %d %s", id, codecs, tag, s.Profile, s.Level, s.PixFmt)
	}
}

// readHLS decodes a playlist of the package, of type want.
func readHLS[P m3u8.Playlist](t *testing.T, path string, want m3u8.ListType) P {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, typ, err := m3u8.DecodeFrom(f, true)
	if err != nil || typ != want {
		t.Fatalf("%s: %v (type %v)", path, err, typ)
	}
	return p.(P)
}

func readPlaylist(t *testing.T, path string) *m3u8.MediaPlaylist {
	t.Helper()
	return readHLS[*m3u8.MediaPlaylist](t, path, m3u8.MEDIA)
}

func readMaster(t *testing.T, path string) *m3u8.MasterPlaylist {
	t.Helper()
	return readHLS[*m3u8.MasterPlaylist](t, path, m3u8.MASTER)
}

// measured is a rendition's bitrates from its files on disk and its
// playlist's durations.
type measured struct{ peak, avg float64 }

func measure(t *testing.T, pkg, id string) (measured, *m3u8.MediaPlaylist) {
	t.Helper()
	pl := readPlaylist(t, filepath.Join(pkg, id, playlistName))
	var m measured
	var bytes, secs float64
	for _, s := range pl.GetAllSegments() {
		fi, err := os.Stat(filepath.Join(pkg, id, s.URI))
		if err != nil {
			t.Fatalf("%s names a missing segment: %v", id, err)
		}
		m.peak = max(m.peak, float64(fi.Size())*8/s.Duration)
		bytes += float64(fi.Size())
		secs += s.Duration
	}
	m.avg = bytes * 8 / secs
	return m, pl
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*want }

// TestPackageLadder packages H.264, HEVC, VP9 and AV1 rungs with AAC and
// Opus audio, then reads the package back with ffmpeg through
// master.m3u8 and manifest.mpd.
func TestPackageLadder(t *testing.T) {
	_, rs := fixtures(t)
	pkg := t.TempDir()
	res, err := Package(context.Background(), DirSink(pkg), rs, Options{IFrames: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Master != masterName || res.MPD != mpdName || len(res.Renditions) != len(rs) {
		t.Fatalf("result %+v", res)
	}
	byID := map[string]RenditionResult{}
	for i, r := range res.Renditions {
		byID[r.ID] = r
		src := probeStreams(t, rs[i].Path, mediatest.Args{"show_entries": "stream=index,codec_type,codec_tag_string,profile,level,pix_fmt,width,height"})[0]
		if r.SampleEntry != src.CodecTagString {
			t.Errorf("%s: sample entry %s, ffprobe %s", r.ID, r.SampleEntry, src.CodecTagString)
		}
		wantCodecs(t, r.ID, r.Codecs, src)
		if r.Kind == Video {
			if r.Width != src.Width || r.Height != src.Height || r.FrameRate != 25 {
				t.Errorf("%s: %dx%d@%g, source %dx%d@25", r.ID, r.Width, r.Height, r.FrameRate, src.Width, src.Height)
			}
			if r.Samples != fixtureFrames || r.Segments != 3 {
				t.Errorf("%s: %d frames in %d segments, want %d in 3", r.ID, r.Samples, r.Segments, fixtureFrames)
			}
			for k, d := range r.SegmentSeconds {
				if math.Abs(d-2) > 1e-9 {
					t.Errorf("%s: segment %d lasts %g s, want 2", r.ID, k+1, d)
				}
			}
		}
	}

	// Every video segment starts with a key frame; the segments hold
	// every frame, once.
	for _, r := range res.Renditions {
		init, err := os.ReadFile(filepath.Join(pkg, r.Init))
		if err != nil {
			t.Fatal(err)
		}
		packets := 0
		for k := 1; k <= r.Segments; k++ {
			seg, err := os.ReadFile(filepath.Join(pkg, segmentName(r.ID, k)))
			if err != nil {
				t.Fatal(err)
			}
			joined := filepath.Join(t.TempDir(), "seg.mp4")
			if err := os.WriteFile(joined, append(append([]byte{}, init...), seg...), 0o644); err != nil {
				t.Fatal(err)
			}
			ps := mediatest.Packets(t, joined, string(r.Kind[0])+":0")
			if len(ps) == 0 || !ps[0].Key() {
				t.Errorf("%s segment %d does not start with a key frame", r.ID, k)
			}
			packets += len(ps)
		}
		if packets != r.Samples {
			t.Errorf("%s: segments hold %d packets, the rendition %d", r.ID, packets, r.Samples)
		}
		src := probeStreams(t, rs[indexOf(rs, r.ID)].Path, mediatest.Args{"count_packets": "", "show_entries": "stream=nb_read_packets"})[0]
		if strconv.Itoa(r.Samples) != src.NbReadPackets {
			t.Errorf("%s: packaged %d samples, ffprobe reads %s packets in the source", r.ID, r.Samples, src.NbReadPackets)
		}
	}

	// HLS: media playlists within their target duration, declared
	// bitrates within 10% of the files', CODECS as the result says.
	meas := map[string]measured{}
	for _, r := range res.Renditions {
		m, pl := measure(t, pkg, r.ID)
		meas[r.ID] = m
		if pl.Map == nil || pl.Map.URI != "init.mp4" || !pl.Closed || pl.MediaType != m3u8.VOD {
			t.Errorf("%s: playlist map %+v, closed %v, type %v", r.ID, pl.Map, pl.Closed, pl.MediaType)
		}
		for _, s := range pl.GetAllSegments() {
			if math.Round(s.Duration) > float64(pl.TargetDuration) {
				t.Errorf("%s: %s lasts %g s, target %d", r.ID, s.URI, s.Duration, pl.TargetDuration)
			}
		}
		if !within(float64(r.PeakBitrate), m.peak, 0.10) || !within(float64(r.AverageBitrate), m.avg, 0.10) {
			t.Errorf("%s: declared peak %d average %d, measured %.0f %.0f", r.ID, r.PeakBitrate, r.AverageBitrate, m.peak, m.avg)
		}
	}
	master := readMaster(t, filepath.Join(pkg, masterName))
	if master.Version() != 7 || !master.IndependentSegments() {
		t.Errorf("master: version %d, independent segments %v", master.Version(), master.IndependentSegments())
	}
	variants, iframes := 0, 0
	for _, v := range master.Variants {
		id := strings.Split(v.URI, "/")[0]
		r := byID[id]
		if v.Iframe {
			iframes++
			if v.Codecs != r.Codecs {
				t.Errorf("I-frame variant %s: CODECS %q, want %q", id, v.Codecs, r.Codecs)
			}
			continue
		}
		variants++
		a := byID[v.Audio]
		if want := r.Codecs + "," + a.Codecs; v.Codecs != want {
			t.Errorf("variant %s+%s: CODECS %q, want %q", id, v.Audio, v.Codecs, want)
		}
		if v.Resolution != fmt.Sprintf("%dx%d", r.Width, r.Height) || v.FrameRate != 25 {
			t.Errorf("variant %s: RESOLUTION %s FRAME-RATE %g", id, v.Resolution, v.FrameRate)
		}
		peak, avg := meas[id].peak+meas[v.Audio].peak, meas[id].avg+meas[v.Audio].avg
		if !within(float64(v.Bandwidth), peak, 0.10) || !within(float64(v.AverageBandwidth), avg, 0.10) {
			t.Errorf("variant %s+%s: BANDWIDTH %d AVERAGE-BANDWIDTH %d, measured %.0f %.0f", id, v.Audio, v.Bandwidth, v.AverageBandwidth, peak, avg)
		}
	}
	if variants != 8 || iframes != 4 {
		t.Errorf("%d variants and %d I-frame variants, want 8 and 4", variants, iframes)
	}
	mf, err := os.ReadFile(filepath.Join(pkg, masterName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(mf, []byte("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\"")) {
		t.Errorf("master.m3u8 has no AAC audio group:\n%s", mf)
	}

	// ffmpeg plays every variant of master.m3u8: every frame of each.
	playsEveryStream(t, filepath.Join(pkg, masterName), byID, variants)

	// Each I-frame playlist entry is a segment's start up to the end of its
	// key frame: with the init segment, one key frame.
	for _, r := range res.Renditions {
		if r.Kind != Video {
			continue
		}
		pl := readPlaylist(t, filepath.Join(pkg, r.IFramePlaylist))
		init, _ := os.ReadFile(filepath.Join(pkg, r.Init))
		if !pl.Iframe || len(pl.GetAllSegments()) != r.Segments {
			t.Errorf("%s: I-frames only %v, %d entries, want %d", r.IFramePlaylist, pl.Iframe, len(pl.GetAllSegments()), r.Segments)
		}
		for _, s := range pl.GetAllSegments() {
			seg, err := os.ReadFile(filepath.Join(pkg, r.ID, s.URI))
			if err != nil || s.Offset != 0 || s.Limit <= 0 || s.Limit > int64(len(seg)) {
				t.Fatalf("%s: %s@%d of %s (%d bytes, %v)", r.IFramePlaylist, strconv.FormatInt(s.Limit, 10), s.Offset, s.URI, len(seg), err)
			}
			// The range is a whole moof and the key frame: cut the mdat to it.
			part := append(append([]byte{}, init...), seg[:s.Limit]...)
			iframe := filepath.Join(t.TempDir(), "iframe.mp4")
			if err := os.WriteFile(iframe, part, 0o644); err != nil {
				t.Fatal(err)
			}
			ps := mediatest.Packets(t, iframe, "v:0")
			if len(ps) == 0 || !ps[0].Key() {
				t.Errorf("%s: %s's range does not start with a key frame (%d packets)", r.IFramePlaylist, s.URI, len(ps))
			}
		}
	}

	// DASH: the MPD's Representations say what the result says, and
	// ffmpeg decodes every frame of each.
	m, err := mpd.ReadFromFile(filepath.Join(pkg, mpdName))
	if err != nil {
		t.Fatal(err)
	}
	if m.GetType() != "static" || len(m.Periods) != 1 {
		t.Fatalf("MPD type %s, %d periods", m.GetType(), len(m.Periods))
	}
	sets := m.Periods[0].AdaptationSets
	if len(sets) != 6 { // avc, hevc, vp9, av1; aac, opus
		t.Errorf("%d AdaptationSets, want 6", len(sets))
	}
	for _, as := range sets {
		if as.StartWithSAP != 1 || !as.SegmentAlignment {
			t.Errorf("AdaptationSet %d: startWithSAP %d segmentAlignment %v", *as.Id, as.StartWithSAP, as.SegmentAlignment)
		}
		for _, rep := range as.Representations {
			r := byID[rep.Id]
			if rep.GetCodecs() != r.Codecs || int64(rep.Bandwidth) != r.PeakBitrate {
				t.Errorf("Representation %s: codecs %q bandwidth %d, want %q %d", rep.Id, rep.GetCodecs(), rep.Bandwidth, r.Codecs, r.PeakBitrate)
			}
			if r.Kind == Video && (as.FrameRate != "25" || rep.Sar != "1:1") {
				t.Errorf("Representation %s: frameRate %q sar %q", rep.Id, as.FrameRate, rep.Sar)
			}
		}
	}
	playsEveryStream(t, filepath.Join(pkg, mpdName), byID, 4)
}

// playsEveryStream has ffprobe read each stream of manifest, one at a
// time (ffmpeg's DASH demuxer reading every stream at once stops some
// before their end): every video stream decodes the fixtures' frames,
// every audio stream has its rendition's packets, and there are videos
// video streams.
func playsEveryStream(t *testing.T, manifest string, byID map[string]RenditionResult, videos int) {
	t.Helper()
	name := filepath.Base(manifest)
	found := 0
	for _, s := range probeStreams(t, manifest, mediatest.Args{"show_entries": "stream=index,codec_type,codec_tag_string"}) {
		got := probeStreams(t, manifest, mediatest.Args{"select_streams": strconv.Itoa(s.Index), "count_frames": "", "count_packets": "",
			"show_entries": "stream=codec_tag_string,nb_read_frames,nb_read_packets"})
		if len(got) != 1 {
			t.Fatalf("%s stream %d: %+v", name, s.Index, got)
		}
		switch s.CodecType {
		case "video":
			found++
			if got[0].NbReadFrames != strconv.Itoa(fixtureFrames) {
				t.Errorf("%s stream %d (%s): %s frames, want %d", name, s.Index, s.CodecTagString, got[0].NbReadFrames, fixtureFrames)
			}
		case "audio":
			r := byID[map[string]string{"mp4a": "aac", "Opus": "opus"}[s.CodecTagString]]
			if got[0].NbReadPackets != strconv.Itoa(r.Samples) {
				t.Errorf("%s stream %d (%s): %s packets, want %d", name, s.Index, s.CodecTagString, got[0].NbReadPackets, r.Samples)
			}
		}
	}
	if found != videos {
		t.Errorf("ffprobe finds %d video streams in %s, want %d", found, name, videos)
	}
}

func indexOf(rs []Rendition, id string) int {
	for i, r := range rs {
		if r.ID == id {
			return i
		}
	}
	return -1
}

// TestRerunSameBytes: a second run writes the same files, byte for byte.
func TestRerunSameBytes(t *testing.T) {
	_, rs := fixtures(t)
	rs = []Rendition{rs[0], rs[4]}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := Package(context.Background(), DirSink(dir), rs, Options{IFrames: true}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	err := filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs (%v)", rel, err)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walk: %v, %d files", err, n)
	}
}

// recordingSink records the order of writes.
type recordingSink struct {
	DirSink
	order []string
}

func (s *recordingSink) Put(ctx context.Context, rel string, data []byte) error {
	s.order = append(s.order, rel)
	return s.DirSink.Put(ctx, rel, data)
}

// TestManifestsLast: segments and init segments come before every
// playlist, and the manifests that name playlists come last.
func TestManifestsLast(t *testing.T) {
	_, rs := fixtures(t)
	sink := &recordingSink{DirSink: DirSink(t.TempDir())}
	if _, err := Package(context.Background(), sink, []Rendition{rs[0], rs[1], rs[4]}, Options{IFrames: true}); err != nil {
		t.Fatal(err)
	}
	n := len(sink.order)
	if n < 3 || sink.order[n-2] != masterName || sink.order[n-1] != mpdName {
		t.Fatalf("writes end with %v", sink.order[max(0, n-3):])
	}
	seenPlaylist := false
	for _, rel := range sink.order {
		isMedia := strings.HasSuffix(rel, ".m4s") || strings.HasSuffix(rel, ".mp4")
		if strings.HasSuffix(rel, ".m3u8") || strings.HasSuffix(rel, ".mpd") {
			seenPlaylist = true
		} else if isMedia && seenPlaylist {
			t.Errorf("%s written after a playlist: %v", rel, sink.order)
		}
	}
}

// TestBadInput: each bad input fails with its sentinel, names the
// rendition, and writes nothing.
func TestBadInput(t *testing.T) {
	dir, rs := fixtures(t)
	longGOP := filepath.Join(dir, "gop4s.mp4")
	mediatest.Clip(t, longGOP, mediatest.ClipOptions{Size: "160x120", Rate: "25", Duration: fixtureSeconds, Codec: "libx264", Preset: "ultrafast",
		PixFmt: "yuv420p", Extra: mediatest.Args{"x264-params": "keyint=100:min-keyint=100:scenecut=0:open-gop=0"}})
	mpeg4 := filepath.Join(dir, "mpeg4.mp4")
	mediatest.Clip(t, mpeg4, mediatest.ClipOptions{Size: "160x120", Rate: "25", Duration: 2, Codec: "mpeg4", GOP: 50})
	cases := []struct {
		name string
		r    Rendition
		opts Options
		want error
		text string
	}{
		{"gop longer than segment", Rendition{ID: "long-gop", Path: longGOP, Kind: Video}, Options{}, ErrUnalignedKeyFrame, `"long-gop": no key frame at 2.000 s`},
		{"missing file", Rendition{ID: "gone", Path: filepath.Join(dir, "missing.mp4"), Kind: Video}, Options{}, ErrMissingRendition, `"gone"`},
		{"unsupported codec", Rendition{ID: "mp4v", Path: mpeg4, Kind: Video}, Options{}, ErrUnsupportedCodec, `"mp4v": sample entry "mp4v"`},
		{"audio file as video", Rendition{ID: "notvideo", Path: rs[4].Path, Kind: Video}, Options{}, ErrInvalidInput, `"notvideo"`},
		{"bad segment duration", Rendition{ID: "h264", Path: rs[0].Path, Kind: Video}, Options{SegmentSeconds: -1}, ErrInvalidInput, "segment_seconds"},
		{"unknown format", Rendition{ID: "h264", Path: rs[0].Path, Kind: Video}, Options{Formats: []Format{"smooth"}}, ErrInvalidInput, `"smooth"`},
		{"unknown audio group", Rendition{ID: "h264-b", Path: rs[0].Path, Kind: Video, GroupID: "nope"}, Options{}, ErrInvalidInput, `"nope"`},
		{"duplicate id", Rendition{ID: "h264", Path: rs[1].Path, Kind: Video}, Options{}, ErrInvalidInput, `"h264" twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			// A good rendition before the bad one: nothing of it is written either.
			_, err := Package(context.Background(), DirSink(out), []Rendition{rs[0], c.r}, c.opts)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
				t.Fatalf("error %v, want %v containing %s", err, c.want, c.text)
			}
			t.Log(err)
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("wrote %d entries before failing", len(entries))
			}
		})
	}
}

// TestChangingPictureSize packages rungs whose chunks change picture
// size, as per-shot resolution makes them: 2 s chunks at 320x240,
// 256x192 and 320x240, each with its own parameter sets in band, joined
// into one H.264 track with sample entry avc3, one HEVC track with hev1,
// and one VP9 track.
func TestChangingPictureSize(t *testing.T) {
	dir, rs := fixtures(t)
	const closed = "keyint=50:min-keyint=50:scenecut=0:open-gop=0:repeat-headers=1:log-level=error"
	for _, c := range []struct {
		id, codec, format, entry string
		extra                    mediatest.Args
	}{
		{"avc3", "libx264", "mpegts", "avc3", mediatest.Args{"x264-params": closed}},
		{"hev1", "libx265", "mpegts", "hev1", mediatest.Args{"x265-params": closed}},
		// VP9 key frames carry their size: the sample entry stays vp09.
		{"vp9-sizes", "libvpx-vp9", "webm", "vp09", mediatest.Args{"g": gop, "keyint_min": gop, "deadline": "realtime", "cpu-used": "8", "b:v": "300k"}},
	} {
		t.Run(c.id, func(t *testing.T) {
			var list strings.Builder
			for i, size := range []string{"320x240", "256x192", "320x240"} {
				p := filepath.Join(dir, fmt.Sprintf("%s-chunk%d.%s", c.id, i, c.format))
				o := mediatest.ClipOptions{Size: size, Rate: "25", Duration: 2, Codec: c.codec, PixFmt: "yuv420p", Format: c.format, Extra: c.extra}
				if c.format == "mpegts" {
					o.Preset = "ultrafast"
				}
				mediatest.Clip(t, p, o)
				fmt.Fprintf(&list, "file '%s'\n", p)
			}
			listPath := filepath.Join(dir, c.id+"-chunks.txt")
			if err := os.WriteFile(listPath, []byte(list.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			rung := filepath.Join(dir, c.id+".mp4")
			mediatest.Clip(t, rung, mediatest.ClipOptions{File: listPath, Input: mediatest.Args{"f": "concat", "safe": "0"},
				Extra: mediatest.Args{"c": "copy", "tag:v": c.entry}})

			pkg := t.TempDir()
			res, err := Package(context.Background(), DirSink(pkg), []Rendition{{ID: c.id, Path: rung, Kind: Video}, rs[4]}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Renditions[0]
			if r.SampleEntry != c.entry || !strings.HasPrefix(r.Codecs, c.entry+".") || r.Segments != 3 || r.Width != 320 || r.Height != 240 {
				t.Errorf("rung: %+v", r)
			}
			for _, manifest := range []string{masterName, mpdName} {
				frames := mediatest.Frames(t, filepath.Join(pkg, manifest), "v:0")
				sizes := map[string]int{}
				for _, f := range frames {
					sizes[fmt.Sprintf("%dx%d", f.Width, f.Height)]++
				}
				if len(frames) != fixtureFrames || sizes["320x240"] != 100 || sizes["256x192"] != 50 {
					t.Errorf("%s: %d frames, sizes %v; want 150: 100 at 320x240, 50 at 256x192", manifest, len(frames), sizes)
				}
			}
		})
	}
}
