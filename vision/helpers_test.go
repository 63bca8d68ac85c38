package vision

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/mediatest"
)

// corpusDir is the shared real-clip corpus beside the checkout.
const corpusDir = "../../shared/corpus"

// corpusClip returns the path of a corpus file or skips the test.
func corpusClip(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(corpusDir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus clip %s not present (see ../shared/corpus/SOURCES.md): %v", name, err)
	}
	return p
}

var (
	fixtureMu  sync.Mutex
	fixtureDir string
)

// TestMain removes the fixture directory (shared by all tests of the
// binary, so that clips are made once) when the tests are done.
func TestMain(m *testing.M) {
	code := m.Run()
	fixtureMu.Lock()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	fixtureMu.Unlock()
	os.Exit(code)
}

// fixture makes the clip that o describes once per test binary and
// returns its path; ext names the output format. Files live in one
// temporary directory that TestMain removes.
func fixture(t testing.TB, ext string, o mediatest.ClipOptions) string {
	t.Helper()
	mediatest.Need(t)
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if fixtureDir == "" {
		d, err := os.MkdirTemp("", "reel-vision-test-")
		if err != nil {
			t.Fatal(err)
		}
		fixtureDir = d
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%#v", o) + ext))
	out := filepath.Join(fixtureDir, hex.EncodeToString(h[:8])+"."+ext)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	mediatest.Clip(t, out, o)
	return out
}

// lavfiY4M makes a y4m clip from a lavfi graph and optional -vf filters.
func lavfiY4M(t testing.TB, graph, vf string) string {
	return fixture(t, "y4m", mediatest.ClipOptions{Source: graph, VF: vf, PixFmt: "yuv420p", Format: "yuv4mpegpipe"})
}

// decodeY4M decodes a media file to y4m (all frames, native 8-bit 4:2:0);
// in holds input options (Args{"t": "4"}), nil for none.
func decodeY4M(t testing.TB, file string, in mediatest.Args) string {
	return fixture(t, "y4m", mediatest.ClipOptions{File: file, Input: in, Extra: mediatest.Args{"an": ""},
		PixFmt: "yuv420p", Format: "yuv4mpegpipe"})
}

// y4mInfo reads a y4m header.
func y4mInfo(t testing.TB, path string) VideoInfo {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := frame.NewY4MReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	return VideoInfo{Width: h.Width, Height: h.Height, FrameRateNum: h.RateNum, FrameRateDen: h.RateDen}
}

// analyzeY4M runs an Analyzer with cfg over a y4m file.
func analyzeY4M(t testing.TB, path string, cfg Config) *Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := frame.NewY4MReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	a, err := NewAnalyzer(cfg, VideoInfo{Width: h.Width, Height: h.Height, FrameRateNum: h.RateNum, FrameRateDen: h.RateDen})
	if err != nil {
		t.Fatal(err)
	}
	fr, err := frame.New(h.Width, h.Height, h.BitDepth, h.Chroma)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if err := r.ReadFrameInto(fr); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatal(err)
		}
		if err := a.Push(fr); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := a.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// only returns a config with just the given checks enabled and no thumbnails.
func only(checks ...string) Config {
	cfg := DefaultConfig()
	cfg.ThumbnailWidth = 0
	on := map[string]bool{}
	for _, c := range checks {
		on[c] = true
	}
	for _, c := range []string{CheckBlack, CheckFreeze, CheckBorders, CheckShots, CheckInterlace, CheckLevels,
		CheckBlockiness, CheckBlur, CheckHeadTail, CheckLoudness, CheckSilence, CheckTruePeak} {
		if !on[c] {
			cfg.Disabled = append(cfg.Disabled, c)
		}
	}
	return cfg
}

// span is an event boundary pair in seconds (end < 0: open at EOF).
type span struct{ start, end float64 }

var numRe = `(-?[0-9.]+(?:e[-+]?[0-9]+)?)`

// parsePairs extracts (start, end) pairs from ffmpeg log lines: startKey
// and endKey are regexps with one capture group each. An unmatched start
// gets end −1.
func parsePairs(log, startKey, endKey string) []span {
	re := regexp.MustCompile(startKey + `|` + endKey)
	sre, ere := regexp.MustCompile(startKey), regexp.MustCompile(endKey)
	var out []span
	open := false
	for _, m := range re.FindAllString(log, -1) {
		if sm := sre.FindStringSubmatch(m); sm != nil {
			v, _ := strconv.ParseFloat(sm[1], 64)
			out = append(out, span{v, -1})
			open = true
		} else if em := ere.FindStringSubmatch(m); em != nil && open {
			v, _ := strconv.ParseFloat(em[1], 64)
			out[len(out)-1].end = v
			open = false
		}
	}
	return out
}

// assertSpans compares ffmpeg's spans with reel's events within tol frames.
// eofEnd is what an open ffmpeg span ends at (reel closes it at the end).
func assertSpans(t *testing.T, what string, ff []span, got []Event, fps float64, tol int, eofEnd float64) {
	t.Helper()
	if len(ff) != len(got) {
		t.Fatalf("%s: ffmpeg found %d events %v, reel %d %v", what, len(ff), ff, len(got), got)
	}
	for i, s := range ff {
		end := s.end
		if end < 0 {
			end = eofEnd
		}
		ds := math.Abs(s.start-got[i].Start) * fps
		de := math.Abs(end-got[i].End) * fps
		if ds > float64(tol)+0.01 || de > float64(tol)+0.01 {
			t.Errorf("%s event %d: ffmpeg %.4f–%.4f, reel %.4f–%.4f (frames %d–%d)", what, i, s.start, end, got[i].Start, got[i].End, got[i].StartFrame, got[i].EndFrame)
		} else {
			t.Logf("%s event %d: ffmpeg %.4f–%.4f, reel %.4f–%.4f (%s–%s)", what, i, s.start, end, got[i].Start, got[i].End, got[i].StartTC, got[i].EndTC)
		}
	}
}

// pcmSource serves interleaved float32 PCM as planar blocks.
type pcmSource struct {
	sr, ch int
	data   []float32
	block  int
	pos    int
}

func (p *pcmSource) SampleRate() int { return p.sr }
func (p *pcmSource) Channels() int   { return p.ch }
func (p *pcmSource) Next() ([][]float32, error) {
	n := len(p.data)/p.ch - p.pos
	if n <= 0 {
		return nil, io.EOF
	}
	if n > p.block {
		n = p.block
	}
	out := make([][]float32, p.ch)
	for c := range out {
		out[c] = make([]float32, n)
		for i := 0; i < n; i++ {
			out[c][i] = p.data[(p.pos+i)*p.ch+c]
		}
	}
	p.pos += n
	return out, nil
}

// pcmFile decodes audio to interleaved f32le with ffmpeg and returns a
// source over it.
func pcmFile(t testing.TB, path string, sr, ch int) *pcmSource {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]float32, len(b)/4)
	for i := range data {
		data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return &pcmSource{sr: sr, ch: ch, data: data, block: 1024}
}
