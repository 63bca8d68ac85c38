package ladder

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// FuzzReadCompareCurve feeds `reel ladder compare` inputs (a CSV of
// kbps,vmaf or a report.json) to ReadCompareCurve: it never panics, a
// curve it returns has points sorted by bitrate, every one a finite
// bitrate and VMAF, and comparing it with itself does not panic. Seeds are
// TestReadCompareCurve's table.
func FuzzReadCompareCurve(f *testing.F) {
	report := `{"schema_version":2,"rungs":[
		{"id":"hi","codec":"h264","bitrate_kbps":3000,"vmaf":{"mean":90}},
		{"id":"lo","codec":"avc","bitrate_kbps":500,"vmaf":{"mean":60}},
		{"id":"x","codec":"hevc","bitrate_kbps":400,"vmaf":{"mean":61}}]}`
	for _, s := range []struct {
		csv         bool
		body, codec string
	}{
		{true, "kbps,vmaf\n# c\n\n2000, 80\n145,35\n", ""},
		{true, "145,35\nabc,def\n", ""},
		{true, "145\n", ""},
		{true, "# nothing\n", ""},
		{true, "145,NaN\n300,Inf\n", ""},
		{false, report, "h264"},
		{false, report, ""},
		{false, `{"foo":1}`, ""},
		{false, `nope`, ""},
	} {
		f.Add(s.csv, []byte(s.body), s.codec)
	}
	f.Fuzz(func(t *testing.T, csv bool, body []byte, codec string) {
		name := "curve.json"
		if csv {
			name = "curve.csv"
		}
		c, err := ReadCompareCurve(name, bytes.NewReader(body), codec)
		if err != nil {
			return
		}
		if len(c.Points) == 0 || c.Path != name {
			t.Fatalf("curve %+v", c)
		}
		if !slices.IsSortedFunc(c.Points, func(a, b ComparePoint) int {
			switch {
			case a.BitrateKbps < b.BitrateKbps:
				return -1
			case a.BitrateKbps > b.BitrateKbps:
				return 1
			}
			return 0
		}) {
			t.Fatalf("points not sorted by bitrate: %+v", c.Points)
		}
		for _, p := range c.Points {
			if math.IsNaN(p.BitrateKbps) || math.IsInf(p.BitrateKbps, 0) || math.IsNaN(p.VMAF) || math.IsInf(p.VMAF, 0) {
				t.Fatalf("%s: point %+v accepted", name, p)
			}
		}
		Compare(c, c)
		c.MakeMonotone()
	})
}
