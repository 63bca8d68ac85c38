package ladder

import (
	"errors"
	"math"
	"testing"
)

func TestCRFCurve(t *testing.T) {
	// Bits halve every 6 CRF (log-linear: the cubic is exact), VMAF is
	// concave; samples out of order.
	samples := []CRFSample{{CRF: 38, Bits: 1000 * math.Exp2(-20.0/6), VMAF: 60}, {CRF: 18, Bits: 1000, VMAF: 97}, {CRF: 28, Bits: 1000 * math.Exp2(-10.0/6), VMAF: 85}}
	c, err := NewCRFCurve(samples)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if b, v := c.At(s.CRF); math.Abs(b-s.Bits) > 1e-9*s.Bits || math.Abs(v-s.VMAF) > 1e-9 {
			t.Errorf("at CRF %g: %g bits, VMAF %g; want the sample's %+v", s.CRF, b, v, s)
		}
	}
	b, v := c.At(23)
	if want := 1000 * math.Exp2(-5.0/6); math.Abs(b-want) > 1e-6*want {
		t.Errorf("at CRF 23: %g bits, want %g (log-linear)", b, want)
	}
	if !(v > 85 && v < 97) || !(v > (97+85)/2) {
		t.Errorf("at CRF 23: VMAF %g, want between 85 and 97, above the chord (concave)", v)
	}
	bad := [][]CRFSample{
		{{CRF: 18, Bits: 1000, VMAF: 90}},
		{{CRF: 18, Bits: 1000, VMAF: 90}, {CRF: 18, Bits: 900, VMAF: 89}},
		{{CRF: 18, Bits: 0, VMAF: 90}, {CRF: 28, Bits: 900, VMAF: 89}},
		{{CRF: 18, Bits: 1000, VMAF: math.NaN()}, {CRF: 28, Bits: 900, VMAF: 89}},
	}
	for i, s := range bad {
		if _, err := NewCRFCurve(s); !errors.Is(err, ErrBadInterpolant) {
			t.Errorf("bad %d: error %v", i, err)
		}
	}
}

func TestFitCalibrationPoint(t *testing.T) {
	tests := []struct {
		name                   string
		pairs                  []CalibrationPair
		logBits, vmaf          float64
		rawV, fitV, rawB, fitB float64
	}{
		{"one stretch", []CalibrationPair{{Fast: CRFSample{Bits: 1200, VMAF: 88}, Final: CRFSample{Bits: 1000, VMAF: 90}}},
			math.Log(1000.0 / 1200), 2, 2, 0, math.Log(1.2), 0},
		{"two, equal weight", []CalibrationPair{
			{Fast: CRFSample{Bits: 100, VMAF: 80}, Final: CRFSample{Bits: 100, VMAF: 81}},
			{Fast: CRFSample{Bits: 100, VMAF: 80}, Final: CRFSample{Bits: 100 * math.E, VMAF: 83}}},
			0.5, 2, 2, 1, 0.5, 0.5},
		{"weighted by frames", []CalibrationPair{
			{Fast: CRFSample{Bits: 100, VMAF: 80}, Final: CRFSample{Bits: 100, VMAF: 80}, Weight: 3},
			{Fast: CRFSample{Bits: 100, VMAF: 80}, Final: CRFSample{Bits: 100, VMAF: 84}, Weight: 1}},
			0, 1, 1, 1.5, 0, 0},
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, c := range tests {
		p, err := FitCalibrationPoint(640, 360, 23, c.pairs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !near(p.LogBits, c.logBits) || !near(p.VMAF, c.vmaf) || !near(p.RawVMAFError, c.rawV) || !near(p.FitVMAFError, c.fitV) ||
			!near(p.RawBitsError, c.rawB) || !near(p.FitBitsError, c.fitB) || p.Stretches != len(c.pairs) || p.Width != 640 || p.CRF != 23 {
			t.Errorf("%s: %+v", c.name, p)
		}
	}
	if _, err := FitCalibrationPoint(640, 360, 23, nil); !errors.Is(err, ErrNoPoints) {
		t.Errorf("no pairs: error %v", err)
	}
	if _, err := FitCalibrationPoint(640, 360, 23, []CalibrationPair{{Fast: CRFSample{Bits: 0}, Final: CRFSample{Bits: 1}}}); err == nil {
		t.Error("zero bits: no error")
	}
}

func TestCalibrationApplyAndMonotone(t *testing.T) {
	p := CalibrationPoint{LogBits: math.Log(0.8), VMAF: 1.5}
	got := p.Apply(CRFSample{CRF: 23, Bits: 1000, VMAF: 90})
	if got.CRF != 23 || math.Abs(got.Bits-800) > 1e-9 || got.VMAF != 91.5 {
		t.Errorf("Apply: %+v", got)
	}
	if got := p.Apply(CRFSample{CRF: 18, Bits: 1000, VMAF: 99.5}); got.VMAF != 100 {
		t.Errorf("Apply near the top: VMAF %g, want clipped to 100", got.VMAF)
	}
	if got := (CalibrationPoint{VMAF: -3}).Apply(CRFSample{Bits: 1, VMAF: 2}); got.VMAF != 0 {
		t.Errorf("Apply near the bottom: VMAF %g, want 0", got.VMAF)
	}
	s := []CRFSample{{CRF: 18, Bits: 1000, VMAF: 95}, {CRF: 23, Bits: 1010, VMAF: 95.2}, {CRF: 28, Bits: 500, VMAF: 90}}
	MonotoneInCRF(s)
	if s[1].Bits != 1000 || s[1].VMAF != 95 || s[2].Bits != 500 || s[2].VMAF != 90 || s[0].Bits != 1000 {
		t.Errorf("MonotoneInCRF: %+v", s)
	}
}
