package adm

import (
	"fmt"
	"math"
	"testing"
)

var featNames = []string{"integer_adm2", "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3", "integer_aim", "integer_adm3"}

func featVals(s Scores) []float64 {
	return []float64{s.ADM2, s.Scale[0], s.Scale[1], s.Scale[2], s.Scale[3], s.AIM, s.ADM3}
}

type maxErr [7]float64

func (m *maxErr) add(got []float64, want map[string]float64, suffix string, t testing.TB, ctx string) {
	for i, n := range featNames {
		wv, ok := want[n+suffix]
		if !ok {
			t.Fatalf("%s: key %s missing", ctx, n+suffix)
		}
		d := math.Abs(got[i] - wv)
		if d > m[i] {
			m[i] = d
		}
	}
}

func (m *maxErr) String() string {
	s := ""
	for i, n := range featNames {
		s += fmt.Sprintf(" %s=%.3g", n[8:], m[i])
	}
	return s
}

func (m *maxErr) check(t testing.TB, ctx string) {
	for i, n := range featNames {
		tol := 1e-4
		if m[i] > tol {
			t.Errorf("%s: %s max abs error %g > %g", ctx, n, m[i], tol)
		}
	}
}
