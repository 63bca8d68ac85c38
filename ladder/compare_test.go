package ladder

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadCompareCurve(t *testing.T) {
	report := `{"schema_version":2,"rungs":[
		{"id":"hi","codec":"h264","bitrate_kbps":3000,"vmaf":{"mean":90}},
		{"id":"lo","codec":"avc","bitrate_kbps":500,"vmaf":{"mean":60}},
		{"id":"x","codec":"hevc","bitrate_kbps":400,"vmaf":{"mean":61}}]}`
	tests := []struct {
		name, file, body, codec string
		want                    []ComparePoint
		wantCodec               string
		err                     error
	}{
		{"csv with header and comments", "l.csv", "kbps,vmaf\n# c\n\n2000, 80\n145,35\n", "", []ComparePoint{{BitrateKbps: 145, VMAF: 35}, {BitrateKbps: 2000, VMAF: 80}}, "", nil},
		{"csv bad line", "l.CSV", "145,35\nabc,def\n", "", nil, "", ErrBadCSV},
		{"csv one field", "l.csv", "145\n", "", nil, "", ErrBadCSV},
		{"csv NaN", "l.csv", "145,NaN\n", "", nil, "", ErrBadCSV},
		{"csv infinite kbps", "l.csv", "kbps,vmaf\n+Inf,35\n", "", nil, "", ErrBadCSV},
		{"csv empty", "l.csv", "# nothing\n", "", nil, "", ErrNoRungs},
		{"report, codec picked, sorted", "r.json", report, "h264", []ComparePoint{{ID: "lo", BitrateKbps: 500, VMAF: 60}, {ID: "hi", BitrateKbps: 3000, VMAF: 90}}, "h264", nil},
		{"report, several codecs", "r.json", report, "", nil, "", ErrSeveralCodecs},
		{"not a report", "r.json", `{"foo":1}`, "", nil, "", ErrNotReport},
		{"not JSON", "r.json", `nope`, "", nil, "", ErrNotReport},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ReadCompareCurve(tc.file, strings.NewReader(tc.body), tc.codec)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.file) {
					t.Fatalf("err %v, want %v naming %s", err, tc.err, tc.file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Path != tc.file || c.Codec != tc.wantCodec || len(c.Points) != len(tc.want) {
				t.Fatalf("curve %+v", c)
			}
			for i := range tc.want {
				if c.Points[i] != tc.want[i] {
					t.Errorf("point %d: %+v, want %+v", i, c.Points[i], tc.want[i])
				}
			}
		})
	}
}

func TestCompare(t *testing.T) {
	kbps := []float64{145, 365, 730, 1100, 2000, 3000, 4500, 6000}
	vmaf := []float64{35, 52, 64, 71, 80, 86, 91, 94}
	curve := func(f float64) CompareCurve {
		var c CompareCurve
		for i := range kbps {
			c.Points = append(c.Points, ComparePoint{BitrateKbps: kbps[i] * f, VMAF: vmaf[i]})
		}
		return c
	}
	c := Compare(curve(1), curve(0.8))
	if c.BDRate == nil || math.Abs(*c.BDRate+0.2) > 1e-9 || math.Abs(*c.BDRatePercent+20) > 1e-7 {
		t.Fatalf("BD-rate %v, want -0.2", c.BDRate)
	}
	if c.BDVMAF == nil || *c.BDVMAF <= 0 || c.BDVMAFErr != "" {
		t.Fatalf("BD-VMAF %v (%s), want > 0", c.BDVMAF, c.BDVMAFErr)
	}
	if len(c.VMAFRange) != 2 || c.VMAFRange[0] != 35 || c.VMAFRange[1] != 94 || len(c.KbpsRange) != 2 || c.KbpsRange[0] != 145 || c.KbpsRange[1] != 4800 {
		t.Fatalf("ranges %v %v", c.VMAFRange, c.KbpsRange)
	}

	// Too few points and a dip: explained, not computed; MakeMonotone
	// drops the dip.
	few := CompareCurve{Points: curve(1).Points[:3]}
	if c := Compare(curve(1), few); c.BDRate != nil || !strings.Contains(c.BDRateError, "A has 8 rungs, B has 3") {
		t.Errorf("too few: %v %q", c.BDRate, c.BDRateError)
	}
	bumpy := CompareCurve{Points: []ComparePoint{{BitrateKbps: 200, VMAF: 40}, {BitrateKbps: 400, VMAF: 60}, {BitrateKbps: 800, VMAF: 58}, {BitrateKbps: 1600, VMAF: 80}, {BitrateKbps: 3200, VMAF: 90}}}
	if c := Compare(curve(1), bumpy); c.BDRate != nil || !strings.Contains(c.BDRateError, "--monotone") {
		t.Errorf("dip: %v %q", c.BDRate, c.BDRateError)
	}
	bumpy.MakeMonotone()
	if len(bumpy.Dropped) != 1 || bumpy.Dropped[0].BitrateKbps != 800 || len(bumpy.Points) != 4 {
		t.Fatalf("MakeMonotone: kept %v, dropped %v", bumpy.Points, bumpy.Dropped)
	}
	if c := Compare(curve(1), bumpy); c.BDRate == nil {
		t.Errorf("after MakeMonotone: %q", c.BDRateError)
	}
	// No overlap: no ranges.
	high := CompareCurve{Points: []ComparePoint{{BitrateKbps: 8000, VMAF: 95}, {BitrateKbps: 9000, VMAF: 96}, {BitrateKbps: 10000, VMAF: 97}, {BitrateKbps: 12000, VMAF: 98}}}
	if c := Compare(curve(1), high); c.BDRate != nil || c.BDVMAF != nil || c.VMAFRange != nil || c.KbpsRange != nil {
		t.Errorf("no overlap: %+v", c)
	}
}
