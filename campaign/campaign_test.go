package campaign

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"path"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, file, in string
		want           []Entry
		err            error
	}{
		{name: "text", file: "titles.txt", in: "# films\n s3://src/films/Big Buck.mov \n\n/media/sintel.mp4\nfile:///m/tears.of.steel.mkv\n",
			want: []Entry{{"Big Buck", "s3://src/films/Big Buck.mov", ""}, {"sintel", "/media/sintel.mp4", ""}, {"tears.of.steel", "file:///m/tears.of.steel.mkv", ""}}},
		{name: "text without extension", file: "list", in: "s3://b/raw/title42\n",
			want: []Entry{{"title42", "s3://b/raw/title42", ""}}},
		{name: "csv by name", file: "cat.csv", in: "title_id,source,old_out\nt1,s3://b/a.mp4,s3://old/t1/\n,s3://b/b.mov,\n",
			want: []Entry{{"t1", "s3://b/a.mp4", "s3://old/t1/"}, {"b", "s3://b/b.mov", ""}}},
		{name: "csv by header, columns reordered, extra column", file: "-", in: "\ufeffsource,note,title_id\n\"/m/x, y.mp4\",hi,xy\n",
			want: []Entry{{"xy", "/m/x, y.mp4", ""}}},
		{name: "csv title id with slash kept", file: "c.csv", in: "title_id,source\nseries/s01e01,/m/e1.mp4\n",
			want: []Entry{{"series/s01e01", "/m/e1.mp4", ""}}},
		{name: "csv without source column", file: "c.csv", in: "title_id,old_out\nt,/o\n", err: ErrBadCatalog},
		{name: "csv row without source", file: "c.csv", in: "title_id,source\nt,\n", err: ErrBadCatalog},
		{name: "csv ragged row", file: "c.csv", in: "title_id,source\nt,/a.mp4,extra\n", err: ErrBadCatalog},
		{name: "csv control character in title", file: "c.csv", in: "title_id,source\n\"t\x1b[31m\",/a.mp4\n", err: ErrBadCatalog},
		{name: "csv header only", file: "c.csv", in: "title_id,source,old_out\n", err: ErrEmptyCatalog},
		{name: "empty text", file: "t.txt", in: "\n# nothing\n", err: ErrEmptyCatalog},
		{name: "empty csv", file: "c.csv", in: "", err: ErrEmptyCatalog},
		{name: "duplicate title", file: "t.txt", in: "/a/x.mp4\n/b/x.mov\n", err: ErrDuplicateTitle},
		{name: "uri without file name", file: "t.txt", in: "s3://bucket/\n", err: ErrBadCatalog},
		{name: "file uri", file: "t.txt", in: "file:///x.mp4\n", want: []Entry{{"x", "file:///x.mp4", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.file, strings.NewReader(tc.in))
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFromListing(t *testing.T) {
	got, err := FromListing([]string{"s3://b/in/a.MP4", "s3://b/in/a.json", "s3://b/in/sub/c.mov", "s3://b/in/readme"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"a", "s3://b/in/a.MP4", ""}, {"c", "s3://b/in/sub/c.mov", ""}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := FromListing([]string{"s3://b/in/x.json"}); !errors.Is(err, ErrEmptyCatalog) {
		t.Errorf("listing without media: err = %v, want ErrEmptyCatalog", err)
	}
	if _, err := FromListing([]string{"s3://b/1/a.mp4", "s3://b/2/a.mkv"}); !errors.Is(err, ErrDuplicateTitle) {
		t.Errorf("same name in two folders: err = %v, want ErrDuplicateTitle", err)
	}
}

func TestTemplate(t *testing.T) {
	for _, tc := range []struct {
		tmpl, title, want string
	}{
		{"s3://out/{title}/v2/", "bbb", "s3://out/bbb/v2/"},
		{"/out/{title}", "Big Buck.2", "/out/Big%20Buck.2"},
		{"/out/{title}", "../../etc", "/out/..%2F..%2Fetc"},
		{"/out/{title}", "..", "/out/%2E%2E"},
		{"/out/{title}", ".", "/out/%2E"},
		{"/out/{title}/{title}.x", "a/b", "/out/a%2Fb/a%2Fb.x"},
		{"/out/{title}", `50%\x`, "/out/50%25%5Cx"},
		{"/out/{title}", "été", "/out/%C3%A9t%C3%A9"},
	} {
		tm, err := ParseTemplate(tc.tmpl)
		if err != nil {
			t.Fatalf("ParseTemplate(%q): %v", tc.tmpl, err)
		}
		if got := tm.Expand(tc.title); got != tc.want {
			t.Errorf("%q.Expand(%q) = %q, want %q", tc.tmpl, tc.title, got, tc.want)
		}
	}
	for _, bad := range []string{"", "/out/v2", "/out/{name}/{title}", "s3://{title}/x", "{title}://x/", "/out/{title}}"} {
		if _, err := ParseTemplate(bad); !errors.Is(err, ErrBadTemplate) {
			t.Errorf("ParseTemplate(%q): err = %v, want ErrBadTemplate", bad, err)
		}
	}
}

func TestSafeNameLongAndInjective(t *testing.T) {
	long1 := strings.Repeat("é", 120) + "a"
	long2 := strings.Repeat("é", 120) + "b"
	a, b := SafeName(long1), SafeName(long2)
	if a == b {
		t.Errorf("two long ids map to one name %q", a)
	}
	for _, s := range []string{a, b} {
		if len(s) > maxSafeName {
			t.Errorf("SafeName is %d bytes, want at most %d", len(s), maxSafeName)
		}
		if i := strings.LastIndexByte(s, '~'); i < 0 || strings.Contains(s[max(0, i-2):i], "%") {
			t.Errorf("%q: cut inside an escape or without its hash", s)
		}
	}
	seen := map[string]string{}
	for _, id := range []string{"a b", "a%20b", "a_b", "a/b", "a%2Fb", ".", "..", "...", "%2E", "~", ""} {
		n := SafeName(id)
		if prev, ok := seen[n]; ok {
			t.Errorf("%q and %q both map to %q", prev, id, n)
		}
		seen[n] = id
	}
}

func f(v float64) *float64 { return &v }

func sampleRows() []Row {
	t0 := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	return []Row{
		{TitleID: "a", Source: "/m/a.mp4", Out: "/o/a", OldOut: "/old/a", State: StateDone, Action: "started", RunID: "r1",
			ReportPath: "/o/a/report.json", Started: t0, Finished: t0.Add(time.Minute),
			Savings: &Savings{BDRate: f(-0.20), BDVMAF: f(1.5), OldBytes: 1000, NewBytes: 800, OldTopVMAF: 95.5, NewTopVMAF: 96}},
		{TitleID: "b, \"quoted\"", Source: "/m/b.mp4", Out: "/o/b", State: StateSkipped, Action: "answered",
			Savings: &Savings{BDRate: f(0.10), BDVMAF: f(-0.5), OldBytes: 500, NewBytes: 550, OldTopVMAF: 90, NewTopVMAF: 89}},
		{TitleID: "c", Source: "/m/c.mp4", Out: "/o/c", State: StateDone,
			Savings: &Savings{BDRateError: "fewer than 4 rungs", OldBytes: 300, NewBytes: 200}},
		{TitleID: "d", Source: "/m/d.mp4", Out: "/o/d", State: StateDone, Savings: &Savings{Reason: "old report missing"}},
		{TitleID: "e", Source: "/m/e.mp4", Out: "/o/e", State: StateFailed, ErrorType: "InvalidMedia", Error: "encoder:\nbad frame"},
		{TitleID: "f", Source: "/m/f.mp4", Out: "/o/f", State: StateFailed, ErrorType: "InvalidMedia", Error: "bad"},
		{TitleID: "g", Source: "/m/g.mp4", Out: "/o/g", State: StateFailed, Error: "timeout"},
		{TitleID: "h", Source: "/m/h.mp4", Out: "/o/h", State: StateHeld},
		{TitleID: "i", Source: "/m/i.mp4", Out: "/o/i", State: StateInFlight},
		{TitleID: "j", Source: "/m/j.mp4", Out: "/o/j", State: StateDone, Savings: &Savings{BDRate: f(-0.40), OldBytes: 100, NewBytes: 50}},
	}
}

func TestCSVRoundTrip(t *testing.T) {
	rows := sampleRows()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != len(rows)+1 {
		t.Fatalf("%d lines, want header and %d rows:\n%s", len(lines), len(rows), buf.String())
	}
	if lines[0] != strings.Join(CSVHeader, ",") {
		t.Errorf("header %q", lines[0])
	}
	if !strings.Contains(lines[1], ",-0.2,1.5,1000,800,200,95.5,96,,") {
		t.Errorf("row a: %q", lines[1])
	}
	if !strings.Contains(lines[3], ",300,200,100,,,fewer than 4 rungs,") {
		t.Errorf("row c (no BD-rate, its reason): %q", lines[3])
	}
	got, err := ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// What the CSV does not keep: multi-line errors become one line, a
	// BD error is the savings reason when BD-rate is missing.
	want := sampleRows()
	want[4].Error = "encoder: bad frame"
	want[0].RunID = "" // not a column
	want[2].Savings = &Savings{OldBytes: 300, NewBytes: 200, Reason: "fewer than 4 rungs"}
	if !reflect.DeepEqual(got, want) {
		for i := range want {
			if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("row %d:\n got %+v %+v\nwant %+v %+v", i, got[i], got[i].Savings, want[i], want[i].Savings)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d rows, want %d", len(got), len(want))
		}
	}
}

func TestReadCSVRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		"title,source\nx,y\n",
		"title_id,state,bd_rate\nx,done,abc\n",
		"title_id,state,old_bytes\nx,done,-5\n",
		"title_id,state,bd_rate\nx,done,NaN\n",
		"title_id,state,started\nx,done,yesterday\n",
	} {
		if _, err := ReadCSV(strings.NewReader(in)); !errors.Is(err, ErrBadCSV) {
			t.Errorf("ReadCSV(%q): err = %v, want ErrBadCSV", in, err)
		}
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize(sampleRows(), SummaryOptions{Worst: 2, BinWidth: 10})
	if s.Titles != 10 {
		t.Errorf("Titles = %d", s.Titles)
	}
	wantStates := map[string]int{StateDone: 4, StateSkipped: 1, StateFailed: 3, StateHeld: 1, StateInFlight: 1, StatePending: 0}
	if !reflect.DeepEqual(s.ByState, wantStates) {
		t.Errorf("ByState = %v, want %v", s.ByState, wantStates)
	}
	if s.Compared != 4 || s.OldBytes != 1900 || s.NewBytes != 1600 || s.SavedBytes != 300 {
		t.Errorf("storage: compared %d, old %d, new %d, saved %d; want 4, 1900, 1600, 300", s.Compared, s.OldBytes, s.NewBytes, s.SavedBytes)
	}
	if math.Abs(s.SavedPercent-100*300.0/1900) > 1e-9 {
		t.Errorf("SavedPercent = %g", s.SavedPercent)
	}
	// BD-rates −20, +10, −40 (percent).
	if s.BDRate.N != 3 || math.Abs(s.BDRate.Mean-(-50.0/3)) > 1e-9 || math.Abs(s.BDRate.Median-(-20)) > 1e-9 || s.BDRate.Min != -40 || math.Abs(s.BDRate.Max-10) > 1e-9 {
		t.Errorf("BDRate = %+v", s.BDRate)
	}
	if s.BDVMAF.N != 2 || s.BDVMAF.Median != 0.5 {
		t.Errorf("BDVMAF = %+v", s.BDVMAF)
	}
	if s.NoSavings != 2 {
		t.Errorf("NoSavings = %d, want 2 (c, d)", s.NoSavings)
	}
	if len(s.Worst) != 2 || s.Worst[0].TitleID != `b, "quoted"` || s.Worst[1].TitleID != "a" {
		t.Errorf("Worst = %+v, want b then a", s.Worst)
	}
	wantFail := []Count{{"InvalidMedia", 2}, {"", 1}}
	if !reflect.DeepEqual(s.Failures, wantFail) {
		t.Errorf("Failures = %+v, want %+v", s.Failures, wantFail)
	}
	wantHist := []Bin{{-40, -30, 1}, {-30, -20, 0}, {-20, -10, 1}, {-10, 0, 0}, {0, 10, 0}, {10, 20, 1}}
	if len(s.Histogram) != len(wantHist) {
		t.Fatalf("Histogram = %+v, want %+v", s.Histogram, wantHist)
	}
	for i, b := range s.Histogram {
		w := wantHist[i]
		if math.Abs(b.Lo-w.Lo) > 1e-9 || math.Abs(b.Hi-w.Hi) > 1e-9 || b.N != w.N {
			t.Errorf("bin %d = %+v, want %+v", i, b, w)
		}
	}
}

func TestSummarizeEmpty(t *testing.T) {
	s := Summarize(nil, SummaryOptions{})
	if s.Titles != 0 || s.BDRate.N != 0 || len(s.Histogram) != 0 || s.Worst == nil || s.Failures == nil || len(s.ByState) != len(States) {
		t.Errorf("empty summary: %+v", s)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Error(err)
	}
}

func TestHistogram(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       []float64
		w       float64
		maxBins int
		wantN   int
		wantW   float64
	}{
		{"one value", []float64{-12}, 5, 40, 1, 5},
		{"edge goes up", []float64{0, 5}, 5, 40, 2, 5},
		{"widened", []float64{-100, 100}, 5, 10, 6, 40},
		{"huge values", []float64{-1e300, 1e300}, 5, 40, 2, 0},
		{"bad width", []float64{1, 2}, math.NaN(), 40, 1, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bins := Histogram(tc.v, tc.w, tc.maxBins)
			if len(bins) == 0 || len(bins) > tc.maxBins {
				t.Fatalf("%d bins", len(bins))
			}
			if tc.wantW > 0 && (bins[0].Hi-bins[0].Lo != tc.wantW || len(bins) != tc.wantN) {
				t.Errorf("bins %+v: want %d of width %g", bins, tc.wantN, tc.wantW)
			}
			total := 0
			for i, b := range bins {
				total += b.N
				if i > 0 && b.Lo != bins[i-1].Hi {
					t.Errorf("bin %d starts at %g, the previous ends at %g", i, b.Lo, bins[i-1].Hi)
				}
			}
			if total != len(tc.v) {
				t.Errorf("bins hold %d values, want %d", total, len(tc.v))
			}
		})
	}
}

func TestJSONRoundTripAndWorkflowShape(t *testing.T) {
	rows := sampleRows()
	rows = append(rows, Row{TitleID: "nan", State: StateDone, Savings: &Savings{BDRate: f(math.NaN()), OldTopVMAF: math.Inf(1)}})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Report{Name: "c1", Profile: "h264-v2", Titles: rows}, SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	// The workflow's campaign.json has "progress" and no summary: it
	// reads all the same.
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	m["progress"] = map[string]any{"total": 11}
	delete(m, "summary")
	b, _ := json.Marshal(m)
	rep, err := ReadJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "c1" || len(rep.Titles) != 11 {
		t.Fatalf("read back %+v", rep)
	}
	if !reflect.DeepEqual(rep.Titles[:10], sampleRows()) {
		t.Errorf("rows differ after JSON:\n%+v", rep.Titles[:10])
	}
	if last := rep.Titles[10].Savings; last.BDRate != nil || last.OldTopVMAF != 0 {
		t.Errorf("NaN and Inf not made unknown: %+v", last)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("c.csv", "title_id,source,old_out\nt1,s3://b/a.mp4,s3://old/t1/\n")
	f.Add("t.txt", "# x\n/m/a.mp4\ns3://b/c/d.mov\n")
	f.Add("x", "source,title_id\n\"a,b.mp4\",\n")
	f.Add("t.txt", "../..\n")
	f.Fuzz(func(t *testing.T, name, in string) {
		es, err := Parse(name, strings.NewReader(in))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, e := range es {
			if e.TitleID == "" || e.Source == "" || seen[e.TitleID] {
				t.Fatalf("bad entry %+v in %+v", e, es)
			}
			seen[e.TitleID] = true
		}
	})
}

func FuzzExpand(f *testing.F) {
	for _, s := range []string{"a", "..", ".", "a/../../b", "/abs", `\..\x`, "%2E%2E", "é/x", strings.Repeat("../", 90)} {
		f.Add(s)
	}
	tm, _ := ParseTemplate("s3://out/campaign/{title}/v2")
	f.Fuzz(func(t *testing.T, id string) {
		got := tm.Expand(id)
		key := strings.TrimPrefix(got, "s3://out/")
		if clean := path.Clean(key); clean != key || !strings.HasPrefix(key, "campaign/") || !strings.HasSuffix(key, "/v2") || strings.Count(key, "/") != 2 {
			t.Fatalf("Expand(%q) = %q: escapes or adds path elements", id, got)
		}
		if len(SafeName(id)) > maxSafeName {
			t.Fatalf("SafeName(%q) is %d bytes", id, len(SafeName(id)))
		}
	})
}

func FuzzCSVRoundTrip(f *testing.F) {
	f.Add("a", "done", "", 0.1, int64(10), int64(5))
	f.Add("b,\"c\"\n", "failed", "x\ny", -0.5, int64(0), int64(0))
	f.Fuzz(func(t *testing.T, id, state, errText string, bd float64, oldB, newB int64) {
		r := Row{TitleID: id, State: state, Error: errText, Savings: &Savings{BDRate: &bd, OldBytes: oldB, NewBytes: newB}}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, []Row{r}); err != nil {
			t.Fatal(err)
		}
		got, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("ReadCSV of WriteCSV: %v\n%s", err, buf.String())
		}
		if len(got) != 1 {
			t.Fatalf("%d rows", len(got))
		}
		g := got[0]
		// csv.Reader reads \r\n inside a quoted field as \n.
		crlf := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
		if g.State != crlf(state) || g.TitleID != crlf(id) {
			t.Fatalf("title %q state %q read back as %q %q", id, state, g.TitleID, g.State)
		}
		if _, ok := finite(&bd); ok {
			if gb, _ := g.BDRatePercent(); gb != 100*bd {
				t.Fatalf("bd_rate %v read back as %v%%", bd, gb)
			}
		}
	})
}
