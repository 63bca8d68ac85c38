package cli

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/hls-m3u8/m3u8"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/workflows"
)

var updateMalformed = flag.Bool("update", false, "rewrite docs/malformed.md from TestMalformedInputs' outcomes")

// malformedGolden is the table of hostile inputs and what reel made of
// each; TestMalformedInputs writes it with -update and otherwise checks
// every input's kind of outcome (an error type, or "encoded") against it.
const malformedGolden = "../../docs/malformed.md"

// malformedTimeout bounds one input's run: exceeding it is a hang.
const malformedTimeout = 90 * time.Second

// malformedInput is one hostile input the test generates.
type malformedInput struct {
	name string // file name, also the title id's stem
	how  string // how it was made, for the table
	data []byte // the file's content (nil: written by make)
	make func(t *testing.T, path string)
}

// mp4Box finds the first box named typ at or below the top level of an
// ISO BMFF file (descending into the containers on the way to a track's
// sample description) and returns its start and end offsets.
func mp4Box(data []byte, typ string) (start, end int, ok bool) {
	containers := map[string]int{"moov": 0, "trak": 0, "mdia": 0, "minf": 0, "stbl": 0, "stsd": 8}
	var walk func(lo, hi int) (int, int, bool)
	walk = func(lo, hi int) (int, int, bool) {
		for p := lo; p+8 <= hi; {
			size := int(binary.BigEndian.Uint32(data[p:]))
			name := string(data[p+4 : p+8])
			if size < 8 || p+size > hi {
				return 0, 0, false
			}
			if name == typ {
				return p, p + size, true
			}
			if skip, ok := containers[name]; ok {
				if s, e, ok := walk(p+8+skip, p+size); ok {
					return s, e, true
				}
			}
			p += size
		}
		return 0, 0, false
	}
	return walk(0, len(data))
}

// flipBits returns a copy of data with n bits flipped in [lo, hi), at
// positions drawn from seed.
func flipBits(data []byte, lo, hi, n int, seed uint64) []byte {
	out := bytes.Clone(data)
	r := rand.New(rand.NewPCG(seed, 19))
	for range n {
		i := lo + r.IntN(hi-lo)
		out[i] ^= 1 << r.IntN(8)
	}
	return out
}

// makeMalformedInputs generates the hostile inputs from two clips made
// with ffmpeg: a 2 s 320x240 H.264+AAC mp4 (moov first) and a y4m.
func makeMalformedInputs(t *testing.T, dir string) (good string, inputs []malformedInput) {
	t.Helper()
	good = filepath.Join(dir, "good.mp4")
	mediatest.Clip(t, good, mediatest.ClipOptions{Size: "320x240", Rate: "25", Duration: 2, Codec: "libx264", Preset: "ultrafast",
		PixFmt: "yuv420p", Audio: mediatest.Tone, AudioCodec: "aac", Extra: mediatest.Args{"movflags": "+faststart"}})
	y4m := filepath.Join(dir, "good.y4m")
	mediatest.Clip(t, y4m, mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 10, PixFmt: "yuv420p"})
	mp4, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	yuv, err := os.ReadFile(y4m)
	if err != nil {
		t.Fatal(err)
	}
	_, moovEnd, ok1 := mp4Box(mp4, "moov")
	mdatStart, mdatEnd, ok2 := mp4Box(mp4, "mdat")
	if !ok1 || !ok2 || moovEnd > mdatStart {
		t.Fatalf("clip is not ftyp, moov, mdat (faststart)")
	}
	add := func(name, how string, data []byte) {
		inputs = append(inputs, malformedInput{name: name, how: how, data: data})
	}
	clip := func(name, how string, o mediatest.ClipOptions) {
		inputs = append(inputs, malformedInput{name: name, how: how, make: func(t *testing.T, path string) { mediatest.Clip(t, path, o) }})
	}
	for i := 1; i <= 10; i++ {
		n := len(mp4) * (2*i - 1) / 20 // 5%, 15%, …, 95%
		add(fmt.Sprintf("trunc-%02d.mp4", i), fmt.Sprintf("good.mp4 cut at byte %d of %d (%d%%)", n, len(mp4), (2*i-1)*5), mp4[:n])
	}
	for i := uint64(1); i <= 3; i++ {
		add(fmt.Sprintf("flip-header-%d.mp4", i), "8 random bits flipped in ftyp+moov, seed "+strconv.FormatUint(i, 10), flipBits(mp4, 0, moovEnd, 8, i))
		add(fmt.Sprintf("flip-payload-%d.mp4", i), "64 random bits flipped in mdat, seed "+strconv.FormatUint(i, 10), flipBits(mp4, mdatStart+8, mdatEnd, 64, i))
	}
	add("zeros.mp4", "64 KiB of zero bytes", make([]byte, 64<<10))
	add("empty.mp4", "0 bytes", []byte{})
	add("notes.mp4", "a text file", []byte("this is not a video\nbut a note about one\n"))
	add("mp4-named.mkv", "good.mp4 named .mkv", mp4)
	add("y4m-named.mp4", "a y4m named .mp4", yuv)
	add("huge-y4m.y4m", "y4m header patched to W100000 H100000", bytes.Replace(yuv, []byte("W320 H240"), []byte("W100000 H100000"), 1))
	{
		hdr, _, _ := bytes.Cut(yuv, []byte("\n"))
		add("zero-frames.y4m", "a y4m header and no frame (a 0-second stream)", append(bytes.Clone(hdr), '\n'))
		add("trunc-frame.y4m", "y4m cut in the middle of its 6th frame", yuv[:len(hdr)+1+5*(6+320*240*3/2)+1000])
	}
	{
		huge := bytes.Clone(mp4)
		if s, _, ok := mp4Box(huge, "tkhd"); ok && huge[s+8] == 0 {
			binary.BigEndian.PutUint32(huge[s+84:], 60000<<16)
			binary.BigEndian.PutUint32(huge[s+88:], 60000<<16)
		}
		if s, _, ok := mp4Box(huge, "avc1"); ok {
			binary.BigEndian.PutUint16(huge[s+32:], 65535)
			binary.BigEndian.PutUint16(huge[s+34:], 65535)
		}
		add("huge-mp4.mp4", "tkhd 60000x60000 and avc1 65535x65535 patched in good.mp4 (the SPS still says 320x240)", huge)
		rot := bytes.Clone(mp4)
		if s, _, ok := mp4Box(rot, "tkhd"); ok && rot[s+8] == 0 {
			m := rot[s+48 : s+84] // a b u / c d v / x y w: 90° clockwise
			for i, v := range []uint32{0, 1 << 16, 0, 0xffff0000, 0, 0, 0, 0, 1 << 30} {
				binary.BigEndian.PutUint32(m[4*i:], v)
			}
		}
		add("rotated.mp4", "good.mp4 with a 90° display matrix patched into tkhd", rot)
		fourcc := bytes.Clone(mp4)
		if s, _, ok := mp4Box(fourcc, "avc1"); ok {
			copy(fourcc[s+4:], "xv1d")
		}
		add("unknown-codec.mp4", "good.mp4 with its sample entry renamed avc1 → xv1d (no decoder)", fourcc)
	}
	x264 := func(size string, frames int, extra mediatest.Args) mediatest.ClipOptions {
		return mediatest.ClipOptions{Size: size, Rate: "25", Frames: frames, Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p", Extra: extra}
	}
	clip("one-frame.mp4", "H.264, 1 frame", x264("320x240", 1, nil))
	clip("vfr.mkv", "H.264, 40 frames, pts alternately 55 and 25 ms apart (-fps_mode vfr)",
		mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 40, Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p",
			VF: `setpts=(N/25+0.015*mod(N\,2))/TB`, Extra: mediatest.Args{"fps_mode": "vfr"}})
	clip("annexb.h264", "raw H.264 Annex B stream, no timestamps", mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 30, Codec: "libx264", Preset: "ultrafast", PixFmt: "yuv420p", Format: "h264"})
	clip("audio-only.m4a", "AAC only, 1 s", mediatest.ClipOptions{AudioOnly: true, Audio: mediatest.Tone, Duration: 1, AudioCodec: "aac"})
	inputs = append(inputs, malformedInput{name: "subtitles-only.mkv", how: "one SubRip stream, nothing else", make: func(t *testing.T, path string) {
		srt := path + ".srt"
		if err := os.WriteFile(srt, []byte("1\n00:00:00,000 --> 00:00:01,000\nhello\n\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mediatest.Clip(t, path, mediatest.ClipOptions{File: srt, Extra: mediatest.Args{"c:s": "srt"}})
	}})
	clip("yuv444p12.mkv", "HEVC 4:4:4 12-bit (libx265), 10 frames",
		mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 10, Codec: "libx265", PixFmt: "yuv444p12", Extra: mediatest.Args{"x265-params": "log-level=error"}})
	clip("interlaced.mp4", "H.264 interlaced, top field first, 20 frames", x264("320x240", 20, mediatest.Args{"flags": "+ilme+ildct", "top": "1", "field_order": "tt"}))
	clip("odd-321x241.mkv", "FFV1 4:2:0 321x241, 10 frames", mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 10, VF: "scale=321:241", Codec: "ffv1", PixFmt: "yuv420p"})
	clip("wide-2000x16.mp4", "H.264 2000x16, 10 frames", x264("2000x16", 10, nil))
	clip("tall-16x1200.mp4", "H.264 16x1200, 10 frames", x264("16x1200", 10, nil))
	clip("zero-seconds.mp4", "H.264 with -t 0 (ffmpeg writes no sample)", mediatest.ClipOptions{Size: "320x240", Rate: "25", Codec: "libx264", Extra: mediatest.Args{"t": "0"}})
	return good, inputs
}

// malformedOutcome is what reel made of one input.
type malformedOutcome struct {
	Kind   string // "encoded" or the error type
	Detail string // what was encoded, or the error message (paths shortened)
}

// TestMalformedInputs generates hostile inputs, runs each through `reel run
// --no-worker` against a reel worker subprocess (a crash in libav kills it,
// not the test) and checks that each ends as a correct encode or a one-line,
// non-retryable error naming the file, within malformedTimeout; that no
// activity was retried; that the worker is alive at the end and still
// encodes a good title.
func TestMalformedInputs(t *testing.T) {
	needFFprobe(t)
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	start := time.Now()
	dir := t.TempDir()
	good, inputs := makeMalformedInputs(t, dir)
	in := filepath.Join(dir, "in")
	if err := os.Mkdir(in, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range inputs {
		p := filepath.Join(in, m.name)
		if m.make != nil {
			m.make(t, p)
		} else if err := os.WriteFile(p, m.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(inputs) < 30 {
		t.Fatalf("%d inputs, the issue asks for at least 30", len(inputs))
	}
	t.Logf("%d inputs made in %s", len(inputs), time.Since(start).Round(time.Millisecond))

	bin := buildReel(t, dir)
	port := strconv.Itoa(freePorts(t))
	hostPort := "127.0.0.1:" + port
	// The worker is a subprocess so that a crash in libav kills it, not
	// the test; it is waited for here only, so that its exit is seen.
	worker := exec.Command(bin, "worker", "--state-dir", filepath.Join(dir, "state"), "--embedded-port", port,
		"--encode-concurrency", "2", "--cpu-concurrency", "2")
	wlog := &syncBuffer{}
	worker.Stdout, worker.Stderr = wlog, wlog
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = worker.Wait(); close(exited) }()
	t.Cleanup(func() { _ = worker.Process.Kill(); <-exited })
	deadline := time.Now().Add(90 * time.Second)
	for !strings.Contains(wlog.String(), "serving") {
		select {
		case <-exited:
			t.Fatalf("worker exited: %s", wlog.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker did not start: %s", wlog.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	c, err := client.Dial(client.Options{HostPort: hostPort, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	prof := writeProfile(t, dir, "tiny.yaml", tinyProfileYAML)
	ctx := context.Background()

	outcomes := make([]malformedOutcome, len(inputs))
	seconds := make([]float64, len(inputs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	for i, m := range inputs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t0 := time.Now()
			outcomes[i] = runMalformed(t, ctx, c, hostPort, prof, filepath.Join(in, m.name), filepath.Join(dir, "out", m.name))
			seconds[i] = time.Since(t0).Seconds()
		}()
	}
	wg.Wait()

	select {
	case <-exited:
		t.Fatalf("the worker crashed: %s", lastLines(wlog.String(), 30))
	default:
	}
	if o := runMalformed(t, ctx, c, hostPort, prof, good, filepath.Join(dir, "out", "good")); o.Kind != "encoded" {
		t.Fatalf("good title after the hostile ones: %s: %s", o.Kind, o.Detail)
	}
	select {
	case <-exited:
		t.Fatalf("the worker exited after the good title: %s", lastLines(wlog.String(), 30))
	default:
	}

	var md strings.Builder
	md.WriteString("# Hostile inputs\n\nGenerated by `go test ./internal/cli -run TestMalformedInputs -update -count=1` ")
	md.WriteString("(internal/cli/malformed_e2e_test.go) from a 2 s 320x240 H.264+AAC mp4 and a 10-frame y4m made with ffmpeg, ")
	md.WriteString("each run by `reel run --no-worker` against one `reel worker` subprocess with a one-rung profile, ")
	fmt.Fprintf(&md, "%s bound per input. Every input ended as an encode or a non-retryable error; no activity was retried; ", malformedTimeout)
	md.WriteString("the worker did not crash and encoded good.mp4 afterwards.\n\n")
	md.WriteString("| input | how it was made | outcome | detail |\n|---|---|---|---|\n")
	for i, m := range inputs {
		fmt.Fprintf(&md, "| `%s` | %s | %s | %s |\n", m.name, cell(m.how), outcomes[i].Kind, cell(outcomes[i].Detail))
		t.Logf("%-22s %5.1fs %s: %s", m.name, seconds[i], outcomes[i].Kind, outcomes[i].Detail)
	}
	if *updateMalformed {
		if err := os.MkdirAll(filepath.Dir(malformedGolden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(malformedGolden, []byte(md.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", malformedGolden)
	} else {
		want := goldenKinds(t)
		for i, m := range inputs {
			if w, ok := want[m.name]; !ok {
				t.Errorf("%s: not in %s (run with -update)", m.name, malformedGolden)
			} else if w != outcomes[i].Kind {
				t.Errorf("%s: %s, %s says %s (run with -update if the change is right)", m.name, outcomes[i].Kind, malformedGolden, w)
			}
		}
	}
	t.Logf("whole test %s", time.Since(start).Round(time.Second))
}

// runMalformed runs one title and checks the rules every outcome obeys.
func runMalformed(t *testing.T, ctx context.Context, c client.Client, hostPort, prof, input, out string) malformedOutcome {
	t.Helper()
	name := filepath.Base(input)
	title := "mal-" + strings.NewReplacer(".", "-").Replace(name)
	ctx, cancel := context.WithTimeout(ctx, malformedTimeout)
	defer cancel()
	code, stdout, stderr := reel(ctx, "run", input, "--temporal", hostPort, "--no-worker", "--profile", prof,
		"--out", out, "--title", title, "--json", "--quiet")
	if ctx.Err() != nil {
		t.Errorf("%s: no outcome within %s (a hang): exit %d\n%s", name, malformedTimeout, code, stderr)
		return malformedOutcome{Kind: "hang"}
	}
	if n := retriedActivities(t, c, workflows.WorkflowID(title)); n != "" {
		t.Errorf("%s: activities retried: %s", name, n)
	}
	shorten := func(s string) string {
		s = strings.ReplaceAll(s, filepath.Dir(input)+string(filepath.Separator), "")
		return strings.ReplaceAll(s, out, "OUT")
	}
	switch code {
	case 0:
		var res workflows.TitleResult
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Errorf("%s: exit 0 but no result: %v\n%s", name, err, stdout)
			return malformedOutcome{Kind: "no result"}
		}
		rep := readReport(t, res.ReportPath)
		src := rep.Source.Video()
		if src == nil {
			t.Errorf("%s: encoded, but the report has no source video", name)
			return malformedOutcome{Kind: "encoded without a source video"}
		}
		var parts []string
		// Rungs are upright: no display matrix, and the shape the source
		// displays at (its stored size turned by its matrix).
		srcRot := mediatest.DisplayRotation(t, input)
		sw, sh, _ := ffprobeVideo(t, input)
		if srcRot%180 != 0 {
			sw, sh = sh, sw
		}
		if srcRot != 0 {
			parts = append(parts, fmt.Sprintf("source displays at %d°, rungs encoded upright", srcRot))
		}
		for _, r := range rep.Rungs {
			w, h, n := ffprobeVideo(t, filepath.Join(out, r.Path))
			if rot := mediatest.DisplayRotation(t, filepath.Join(out, r.Path)); rot != 0 {
				t.Errorf("%s: rung %s carries a display matrix (%d°)", name, r.ID, rot)
			}
			if w != h && sw != sh && (w > h) != (sw > sh) {
				t.Errorf("%s: rung %s is %dx%d, the source displays at %dx%d: not upright", name, r.ID, w, h, sw, sh)
			}
			if n != r.Frames || w != r.Width || h != r.Height {
				t.Errorf("%s: rung %s is %dx%d with %d frames, report says %dx%d with %d", name, r.ID, w, h, n, r.Width, r.Height, r.Frames)
			}
			if src.FrameCount > 0 && n != src.FrameCount {
				t.Errorf("%s: rung %s has %d frames, the source %d", name, r.ID, n, src.FrameCount)
			}
			parts = append(parts, fmt.Sprintf("%s %dx%d, %d frames", r.ID, w, h, n))
		}
		if len(parts) == 0 {
			t.Errorf("%s: encoded without a rung", name)
		}
		if pkg := rep.Package; pkg != nil {
			parts = append(parts, checkPackage(t, name, out, pkg.Master, pkg.MPD))
		}
		d := fmt.Sprintf("source %dx%d %s, %d frames → %s", src.Width, src.Height, src.Codec, src.FrameCount, strings.Join(parts, "; "))
		if len(res.Warnings) > 0 {
			d += "; warnings: " + shorten(strings.Join(res.Warnings, "; "))
		}
		return malformedOutcome{Kind: "encoded", Detail: d}
	case exitFailed:
		line := strings.TrimSpace(stderr)
		typ := errType(line)
		switch {
		case strings.Contains(line, "\n"):
			t.Errorf("%s: error is not one line:\n%s", name, stderr)
		case !strings.Contains(line, "not retryable") || !slices.Contains(workflows.NonRetryableErrorTypes, typ):
			t.Errorf("%s: error is not a non-retryable type: %s", name, line)
		case !strings.Contains(line, name):
			t.Errorf("%s: error does not name the file: %s", name, line)
		}
		if typ == "" {
			typ = "untyped error"
		}
		return malformedOutcome{Kind: typ, Detail: shorten(line)}
	default:
		t.Errorf("%s: exit %d\n%s", name, code, stderr)
		return malformedOutcome{Kind: "exit " + strconv.Itoa(code), Detail: shorten(stderr)}
	}
}

var errTypeRE = regexp.MustCompile(`\[([A-Za-z]+), not retryable\]`)

// errType is the application error type in describeErr's "[Type, not
// retryable]".
func errType(line string) string {
	m := errTypeRE.FindStringSubmatch(line)
	if m == nil {
		return ""
	}
	return m[1]
}

// retriedActivities lists the activities of a workflow that started more
// than one attempt.
func retriedActivities(t *testing.T, c client.Client, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	attempts, err := activityAttempts(ctx, c, id)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return "" // refused before a workflow started (an empty file)
	}
	if err != nil {
		t.Errorf("history of %s: %v", id, err)
		return ""
	}
	var retried []string
	for _, a := range attempts {
		if a.Attempt > 1 {
			retried = append(retried, fmt.Sprintf("%s (attempt %d)", a.Type, a.Attempt))
		}
	}
	return strings.Join(retried, ", ")
}

// checkPackage parses a title's master.m3u8 (strictly) and manifest.mpd
// and says what they hold.
func checkPackage(t *testing.T, name, out, master, manifest string) string {
	t.Helper()
	var got []string
	if master != "" {
		f, err := os.Open(filepath.Join(out, master))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, typ, err := m3u8.DecodeFrom(f, true)
		if err != nil || typ != m3u8.MASTER {
			t.Errorf("%s: %s does not parse: %v", name, master, err)
			return "package: bad master.m3u8"
		}
		got = append(got, fmt.Sprintf("HLS %d variants", len(p.(*m3u8.MasterPlaylist).Variants)))
	}
	if manifest != "" {
		m, err := mpd.ReadFromFile(filepath.Join(out, manifest))
		if err != nil {
			t.Errorf("%s: %s does not parse: %v", name, manifest, err)
			return "package: bad manifest.mpd"
		}
		d := "?"
		if m.MediaPresentationDuration != nil {
			d = fmt.Sprintf("%gs", time.Duration(*m.MediaPresentationDuration).Seconds())
		}
		got = append(got, "DASH "+d)
	}
	return "packaged: " + strings.Join(got, ", ")
}

// goldenKinds reads each input's outcome kind from malformedGolden.
func goldenKinds(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile(malformedGolden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	kinds := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Split(line, " | ")
		if len(f) >= 3 && strings.HasPrefix(f[0], "| `") {
			kinds[strings.Trim(f[0], "| `")] = strings.TrimSpace(f[2])
		}
	}
	return kinds
}

// cell makes s safe in a markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
