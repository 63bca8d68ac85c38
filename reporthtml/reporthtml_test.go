package reporthtml

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/vmaf"
)

func TestKeepFrames(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		n       int
		buckets int
		series  [][]float64
		extra   []int
		want    []int
	}{
		{"empty", 0, 4, nil, nil, nil},
		{"short series kept whole", 5, 4, [][]float64{{1, 2, 3, 4, 5}}, nil, []int{0, 1, 2, 3, 4}},
		// 12 frames, 2 buckets of 6: bucket 0 min at 3, max at 1; bucket 1 min at 10, max at 7.
		{"min and max per bucket, first and last", 12, 2, [][]float64{{5, 9, 5, 1, 5, 5, 5, 8, 5, 5, 2, 5}}, nil, []int{0, 1, 3, 7, 10, 11}},
		// Two series: each one's extrema.
		{"every series' extrema", 12, 2, [][]float64{
			{5, 9, 5, 1, 5, 5, 5, 8, 5, 5, 2, 5},
			{0, 0, 7, 0, 0, -3, 0, 0, 0, 4, 0, -1},
		}, nil, []int{0, 1, 2, 3, 5, 7, 9, 10, 11}},
		{"NaN skipped", 12, 2, [][]float64{{nan, nan, nan, 4, nan, 6, nan, nan, nan, nan, nan, nan}}, nil, []int{0, 3, 5, 11}},
		{"extra frames in range kept", 12, 2, [][]float64{{5, 9, 5, 1, 5, 5, 5, 8, 5, 5, 2, 5}}, []int{-1, 4, 6, 40}, []int{0, 1, 3, 4, 6, 7, 10, 11}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := keepFrames(tc.n, tc.buckets, tc.series, tc.extra)
			if !slices.Equal(got, tc.want) {
				t.Errorf("keepFrames = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKeepFramesTwoHours: a two-hour title's series is reduced to a bounded
// number of frames that still holds every bucket's extrema and both ends.
func TestKeepFramesTwoHours(t *testing.T) {
	const n, buckets = 172800, 1500
	s := make([]float64, n)
	for i := range s {
		s[i] = 80 + 10*math.Sin(float64(i)*0.001) + 5*math.Sin(float64(i)*0.37)
	}
	s[12345] = -7 // an outlier must survive
	got := keepFrames(n, buckets, [][]float64{s}, nil)
	if len(got) > 2+2*buckets {
		t.Fatalf("%d frames kept, want at most %d", len(got), 2+2*buckets)
	}
	if got[0] != 0 || got[len(got)-1] != n-1 || !slices.Contains(got, 12345) {
		t.Fatalf("first %d, last %d, outlier kept %v", got[0], got[len(got)-1], slices.Contains(got, 12345))
	}
	// Every bucket's min and max are in.
	for b := range buckets {
		lo, hi := b*n/buckets, (b+1)*n/buckets
		minI, maxI := lo, lo
		for i := lo; i < hi; i++ {
			if s[i] < s[minI] {
				minI = i
			}
			if s[i] > s[maxI] {
				maxI = i
			}
		}
		if _, ok := slices.BinarySearch(got, minI); !ok {
			t.Fatalf("bucket %d: min frame %d not kept", b, minI)
		}
		if _, ok := slices.BinarySearch(got, maxI); !ok {
			t.Fatalf("bucket %d: max frame %d not kept", b, maxI)
		}
	}
}

func small() fixture {
	return fixture{frames: 250, fps: 25, perTitle: true, thumbs: true, rungs: []fixtureRung{
		{id: "v360", w: 640, h: 360, kbps: 800, base: 82, scores: true},
		{id: "v720", w: 1280, h: 720, kbps: 2500, base: 91, scores: true},
	}}
}

// hostile strings: each would run script or break out of an attribute or
// a script element if it reached the page unescaped.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(2)>`,
	`</script><script>window.__xss=1</script>`,
	`'><svg onload=window.__xss=2>`,
	`<!--`,
	"'",
}

const hostileAll = `<script>alert(1)</script>"><img src=x onerror=alert(2)></script><script>window.__xss=1</script>'><svg onload=window.__xss=2><!--'`

func TestWriteEscapes(t *testing.T) {
	f := small()
	f.hostile = hostileAll
	r, files := f.build(t, "")
	// Hostile paths too: they must not become links or image sources.
	r.Rungs[0].Worst[0].SourceThumbnail = "javascript:alert(3)"
	r.QC.Source.Events[0].Thumbnail = "../../etc/passwd"
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, r, files, Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, h := range hostile[:4] {
		if strings.Contains(page, h) {
			t.Errorf("the page holds %q raw", h)
		}
	}
	for _, raw := range []string{"<img src=x", "<svg", `"javascript:`, "etc/passwd", "window.__xss=1</script>"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q", raw)
		}
	}
	// The script elements are the data block and ours (uPlot, hls.js? no
	// package here, common.js, report.js): nothing injected adds one.
	if n := len(regexp.MustCompile(`(?i)<script`).FindAllString(page, -1)); n != 4 {
		t.Errorf("%d <script> elements, want 4 (data, uPlot, common.js, report.js)", n)
	}
	// The title id is shown, escaped.
	if !strings.Contains(page, `title-&lt;script&gt;alert(1)&lt;/script&gt;`) {
		t.Errorf("the title id is not shown escaped")
	}
}

func TestWriteWithoutFiles(t *testing.T) {
	r, _ := small().build(t, "")
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, r, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if !strings.Contains(page, "PSNR is not shown: the page was made without the title") {
		t.Error("the page does not say why PSNR is missing")
	}
	if strings.Contains(page, `"psnr":[`) {
		t.Error("PSNR series without files")
	}
	if !strings.Contains(page, `id="no-player"`) {
		t.Error("an unpackaged title's page does not say so")
	}
	if strings.Contains(page, "Hls.DefaultConfig") || strings.Contains(page, "hls.js/LICENSE") {
		t.Error("hls.js embedded without a package")
	}
	if !strings.Contains(page, "uplot/LICENSE") || !strings.Contains(page, "Copyright (c)") {
		t.Error("uPlot's license is not in the page")
	}
}

// TestWriteMissingScores: a scores file that is not there is said, not an
// error.
func TestWriteMissingScores(t *testing.T) {
	r, files := small().build(t, "")
	delete(files, r.Rungs[1].ScoresPath)
	var buf bytes.Buffer
	if err := Write(context.Background(), &buf, r, files, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "The scores file scores/v720.json is missing") {
		t.Error("the page does not say the scores file is missing")
	}
}

func TestDirFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", "b.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(dir), "outside.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := DirFiles(dir)
	ctx := context.Background()
	if b, err := f.ReadFile(ctx, "a/b.json"); err != nil || string(b) != "{}" {
		t.Fatalf("a/b.json: %q, %v", b, err)
	}
	if _, err := f.ReadFile(ctx, "a/nope.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	for _, bad := range []string{"../outside.json", "/etc/passwd", "a/../../outside.json", `a\..\..\outside.json`} {
		if _, err := f.ReadFile(ctx, bad); !errors.Is(err, ErrEscapes) {
			t.Errorf("%s: %v, want ErrEscapes", bad, err)
		}
	}
}

// TestWriteTwoHoursBounded: a two-hour title with 6 rungs makes a page of
// bounded size (the per-frame series are reduced).
func TestWriteTwoHoursBounded(t *testing.T) {
	r, files := twoHoursShared(t)
	var buf bytes.Buffer
	start := time.Now()
	if err := Write(context.Background(), &buf, r, files, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("Write of the two-hour report (6 scores files of %d frames read): %v", r.Rungs[0].Frames, time.Since(start).Round(time.Millisecond))
	// 6 rungs × ≤ 2+2·1500·2 frames (VMAF and PSNR extrema) + the chunk
	// starts, three numbers each: well under 3 MB with uPlot.
	const limit = 3 << 20
	if buf.Len() > limit {
		t.Fatalf("page is %d bytes, want at most %d", buf.Len(), limit)
	}
	t.Logf("two-hour page: %d bytes", buf.Len())
}

func twoHours(t testing.TB) (*report.Report, memFiles) {
	f := fixture{frames: 172800, fps: 24, perTitle: true}
	for i, h := range []int{234, 360, 540, 720, 1080, 2160} {
		f.rungs = append(f.rungs, fixtureRung{id: "v" + strconv.Itoa(h), w: h * 16 / 9, h: h, kbps: float64(300 * (i + 1) * (i + 1)), base: 70 + float64(4*i), scores: true})
	}
	return f.build(t, "")
}

func TestWriteCompare(t *testing.T) {
	a := ladder.CompareCurve{Path: "a.json", Points: []ladder.ComparePoint{{BitrateKbps: 145, VMAF: 35}, {BitrateKbps: 730, VMAF: 64}, {BitrateKbps: 2000, VMAF: 80}, {BitrateKbps: 6000, VMAF: 94}}}
	b := ladder.CompareCurve{Path: "<b>.json", Points: []ladder.ComparePoint{{BitrateKbps: 120, VMAF: 35}, {BitrateKbps: 600, VMAF: 64}, {BitrateKbps: 900, VMAF: 60}, {BitrateKbps: 1700, VMAF: 80}, {BitrateKbps: 5000, VMAF: 94}}}
	b.MakeMonotone()
	c := ladder.Compare(a, b)
	var buf bytes.Buffer
	if err := WriteCompare(&buf, c, Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`id="bd-rate">` + fmt.Sprintf("%+.1f%%", *c.BDRate*100), `<td>B</td><td></td><td>900</td><td>60</td>`, "&lt;b&gt;.json"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<b>.json") {
		t.Error("path not escaped")
	}
}

// TestRateQualitySeries: a per-title report plots its trials per
// resolution, the hull, the rungs predicted and measured and the
// reference; a fixed ladder its measured rungs only. Every series' points
// are on the shared bitrate axis.
func TestRateQualitySeries(t *testing.T) {
	perTitle, _ := small().build(t, "")
	fixed := small()
	fixed.perTitle = false
	fixedRep, _ := fixed.build(t, "")
	tests := []struct {
		name  string
		r     *report.Report
		kinds []string
	}{
		{"per-title", perTitle, []string{"grid", "grid", "grid", "hull", "predicted", "measured", "reference"}},
		{"fixed", fixedRep, []string{"measured"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rd := reportRD(tc.r)
			var kinds []string
			points := 0
			for _, s := range rd.Series {
				kinds = append(kinds, s.Kind)
				if len(s.Y) != len(rd.X) {
					t.Errorf("%s: %d values for %d bitrates", s.Label, len(s.Y), len(rd.X))
				}
				for _, y := range s.Y {
					if !math.IsNaN(y) {
						points++
					}
				}
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("series %q, want %q", kinds, tc.kinds)
			}
			if !slices.IsSorted(rd.X) {
				t.Errorf("bitrates not sorted: %v", rd.X)
			}
			// Every point of the report is drawn once.
			want := len(tc.r.Rungs)
			if l := tc.r.Ladder; l.Trials != nil {
				want = len(l.Trials.Grid) + len(l.Hull) + 2*len(l.Rungs) + 3 // 3 predicted reference rungs
			}
			if points != want {
				t.Errorf("%d points drawn, want %d", points, want)
			}
		})
	}
}

// TestReadScores reads what package vmaf writes: every frame's vmaf and
// psnr_y, null as NaN, a metric no frame has reported as missing.
func TestReadScores(t *testing.T) {
	res := &vmaf.Result{FPS: math.NaN()}
	for i, v := range []float64{90.5, math.NaN(), 70.25} {
		var m vmaf.Metrics
		m.Set("psnr_y", 40+float64(i))
		m.Set("vmaf", v)
		res.Frames = append(res.Frames, vmaf.FrameResult{Num: i, Metrics: m})
	}
	var buf bytes.Buffer
	if err := vmaf.WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	vm, psnr, hasVMAF, hasPSNR, err := readScores(buf.Bytes())
	if err != nil || !hasVMAF || !hasPSNR {
		t.Fatalf("readScores: %v, vmaf %v, psnr %v", err, hasVMAF, hasPSNR)
	}
	if len(vm) != 3 || vm[0] != 90.5 || !math.IsNaN(vm[1]) || vm[2] != 70.25 || !slices.Equal(psnr, []float64{40, 41, 42}) {
		t.Errorf("vmaf %v, psnr %v", vm, psnr)
	}
	if _, _, _, hasPSNR, err := readScores([]byte(`{"frames":[{"frameNum":0,"metrics":{"vmaf":50}}]}`)); err != nil || hasPSNR {
		t.Errorf("no psnr_y: has %v, err %v", hasPSNR, err)
	}
	for _, bad := range []string{`nope`, `{"frames":[{"frameNum":-1,"metrics":{}}]}`, `{"frames":{}}`} {
		if _, _, _, _, err := readScores([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
