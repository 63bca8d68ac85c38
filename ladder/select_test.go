package ladder

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// ladderScore is Select's objective.
func ladderScore(rs []Rung) float64 {
	var s float64
	for i := 0; i+1 < len(rs); i++ {
		s += rs[i].VMAF * math.Log(rs[i+1].BitrateKbps/rs[i].BitrateKbps)
	}
	return s
}

// checkLadder verifies bounds, spacing and order.
func checkLadder(t *testing.T, rs []Rung, c Constraints) {
	t.Helper()
	if len(rs) == 0 || len(rs) > c.Rungs || len(rs) < max(c.MinRungs, 1) {
		t.Fatalf("%d rungs for %+v", len(rs), c)
	}
	for i, r := range rs {
		if !c.inRange(r.Point) {
			t.Fatalf("rung %d %+v out of range", i, r)
		}
		if i > 0 {
			lo := rs[i-1]
			if !(r.BitrateKbps > lo.BitrateKbps && r.VMAF > lo.VMAF) {
				t.Fatalf("rungs not increasing: %+v then %+v", lo, r)
			}
			if !c.spaced(lo.Point, r.Point) {
				t.Fatalf("rungs too close: %+v then %+v", lo, r)
			}
		}
	}
}

// bruteForce returns the best objective over all spaced chains of exactly
// k candidates from the first to the last.
func bruteForce(cands []Rung, c Constraints, k int) float64 {
	n := len(cands)
	best := math.Inf(-1)
	var rec func(chain []Rung, next int)
	rec = func(chain []Rung, next int) {
		if len(chain) == k-1 {
			last := cands[n-1]
			if c.spaced(chain[len(chain)-1].Point, last.Point) {
				best = math.Max(best, ladderScore(append(chain, last)))
			}
			return
		}
		for i := next; i < n-1; i++ {
			if c.spaced(chain[len(chain)-1].Point, cands[i].Point) {
				rec(append(chain, cands[i]), i+1)
			}
		}
	}
	rec([]Rung{cands[0]}, 1)
	return best
}

func TestSelectVertices(t *testing.T) {
	pts := synthTitle()
	hull, _ := Hull(pts)
	tests := []struct {
		name string
		c    Constraints
		want int // rungs expected
	}{
		{"six rungs ratio 1.5", Constraints{Rungs: 6, MinRatio: 1.5}, 6},
		{"bounded", Constraints{Rungs: 5, MinKbps: 200, MaxKbps: 5000, MinVMAF: 40, MaxVMAF: 96}, 5},
		{"VMAF step", Constraints{Rungs: 8, MinVMAFStep: 6}, 8},
		{"wide spacing gives fewer", Constraints{Rungs: 10, MinRatio: 3}, 0},
		{"one rung", Constraints{Rungs: 1}, 1},
		{"all vertices", Constraints{Rungs: 100}, len(hull)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Select(pts, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			checkLadder(t, rs, tt.c)
			if tt.want > 0 && len(rs) != tt.want {
				t.Fatalf("%d rungs, want %d", len(rs), tt.want)
			}
			var cands []Rung
			for _, h := range hull {
				if tt.c.inRange(h) {
					cands = append(cands, Rung{Point: h})
				}
			}
			top := cands[len(cands)-1]
			if rs[len(rs)-1] != top {
				t.Fatalf("top rung %+v, want best candidate %+v", rs[len(rs)-1], top)
			}
			if len(rs) > 1 && rs[0] != cands[0] {
				t.Fatalf("bottom rung %+v, want cheapest candidate %+v", rs[0], cands[0])
			}
			for _, r := range rs {
				if r.Interpolated {
					t.Fatalf("interpolated rung %+v without Interpolate", r)
				}
			}
			// Exact: same objective as brute force, and no longer chain.
			if len(cands) <= 22 && len(rs) > 1 {
				if bf := bruteForce(cands, tt.c, len(rs)); math.Abs(bf-ladderScore(rs)) > 1e-9 {
					t.Fatalf("objective %v, brute force %v", ladderScore(rs), bf)
				}
				if len(rs) < tt.c.Rungs && !math.IsInf(bruteForce(cands, tt.c, len(rs)+1), -1) {
					t.Fatalf("a ladder with %d rungs fits", len(rs)+1)
				}
			}
		})
	}
}

// mustSelect is Select that fails the test on an error or a ladder that
// breaks c.
func mustSelect(t *testing.T, pts []Point, c Constraints) []Rung {
	t.Helper()
	rs, err := Select(pts, c)
	if err != nil {
		t.Fatal(err)
	}
	checkLadder(t, rs, c)
	return rs
}

func TestSelectInterpolated(t *testing.T) {
	pts := synthTitle()
	curves, _ := Curves(pts)
	onCurve := func(r Rung) bool {
		for _, cv := range curves {
			if cv.Width == r.Width && cv.Height == r.Height {
				v := hullAt(cv.Hull, r.BitrateKbps)
				return math.Abs(v-r.VMAF) < 1e-9 && r.BitrateKbps <= cv.Hull[len(cv.Hull)-1].BitrateKbps
			}
		}
		return false
	}
	t.Run("integer CRF", func(t *testing.T) {
		c := Constraints{Rungs: 7, MinRatio: 1.6, Interpolate: true, CRFStep: 1}
		rs := mustSelect(t, pts, c)
		interp := 0
		for _, r := range rs {
			if r.CRF != math.Round(r.CRF) {
				t.Fatalf("CRF %v not an integer", r.CRF)
			}
			if !onCurve(r) {
				t.Fatalf("rung %+v not on its resolution's curve", r)
			}
			if r.Interpolated {
				interp++
				if int(r.CRF)%2 == 0 {
					t.Fatalf("interpolated rung at trial CRF %v", r.CRF)
				}
			}
		}
		if interp == 0 {
			t.Fatalf("no interpolated rung in %+v", rs)
		}
		// Interpolation only adds candidates: never a worse objective than
		// vertices alone with the same rung count.
		cv := c
		cv.Interpolate = false
		vs, err := Select(pts, cv)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == len(rs) && ladderScore(rs) < ladderScore(vs)-1e-9 {
			t.Fatalf("interpolated objective %v < vertex objective %v", ladderScore(rs), ladderScore(vs))
		}
	})
	t.Run("continuous hits bounds", func(t *testing.T) {
		c := Constraints{Rungs: 6, MinRatio: 1.5, MinKbps: 300, MaxVMAF: 95, Interpolate: true}
		rs := mustSelect(t, pts, c)
		if rs[0].BitrateKbps != 300 {
			t.Fatalf("bottom rung at %v kbps, want exactly 300", rs[0].BitrateKbps)
		}
		if rs[len(rs)-1].VMAF != 95 {
			t.Fatalf("top rung at VMAF %v, want exactly 95", rs[len(rs)-1].VMAF)
		}
		for _, r := range rs {
			if !onCurve(r) {
				t.Fatalf("rung %+v not on its resolution's curve", r)
			}
		}
	})
}

// TestSelectQualityInCRF: with QualityInCRF, an interpolated rung's VMAF
// is linear in CRF between the trial encodes on either side of it at its
// resolution (its bitrate log-linear, as without), which is at or above the
// hull chord at that bitrate; trial rungs keep their measured values.
func TestSelectQualityInCRF(t *testing.T) {
	pts := synthTitle()
	curves, _ := Curves(pts)
	for _, c := range []Constraints{
		{Rungs: 7, MinRatio: 1.6, Interpolate: true, CRFStep: 1, Between: BetweenLinear},
		{Rungs: 6, MinRatio: 1.5, MinKbps: 300, MaxVMAF: 95, Interpolate: true, Between: BetweenLinear},
	} {
		rs := mustSelect(t, pts, c)
		interp := 0
		for _, r := range rs {
			var hull []Point
			for _, cv := range curves {
				if cv.Width == r.Width && cv.Height == r.Height {
					hull = cv.Hull
				}
			}
			if !r.Interpolated {
				if !slices.Contains(hull, r.Point) {
					t.Fatalf("trial rung %+v is not a vertex of its resolution's hull", r)
				}
				continue
			}
			interp++
			// The hull vertices around the rung's CRF.
			k := slices.IndexFunc(hull, func(p Point) bool { return p.CRF < r.CRF })
			if k < 1 {
				t.Fatalf("interpolated rung %+v outside its hull's CRFs", r)
			}
			a, b := hull[k-1], hull[k]
			tt := (a.CRF - r.CRF) / (a.CRF - b.CRF)
			if want := a.VMAF + tt*(b.VMAF-a.VMAF); math.Abs(r.VMAF-want) > 1e-6 {
				t.Errorf("rung %+v: VMAF %v, want %v (linear in CRF between %v and %v)", r, r.VMAF, want, a.CRF, b.CRF)
			}
			if want := a.BitrateKbps * math.Pow(b.BitrateKbps/a.BitrateKbps, tt); math.Abs(r.BitrateKbps-want) > 1e-6*want {
				t.Errorf("rung %+v: %v kbps, want %v (log-linear in CRF)", r, r.BitrateKbps, want)
			}
			if chord := hullAt(hull, r.BitrateKbps); r.VMAF < chord-1e-9 {
				t.Errorf("rung %+v: VMAF %v below the hull chord %v", r, r.VMAF, chord)
			}
		}
		if interp == 0 {
			t.Fatalf("%+v: no interpolated rung in %+v", c, rs)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	pts := synthTitle()
	tests := []struct {
		name string
		pts  []Point
		c    Constraints
		want error
	}{
		{"no points", nil, Constraints{Rungs: 3}, ErrNoPoints},
		{"no points interpolated", nil, Constraints{Rungs: 3, Interpolate: true}, ErrNoPoints},
		{"bad point", []Point{{BitrateKbps: -1}}, Constraints{Rungs: 3}, ErrBadPoint},
		{"zero rungs", pts, Constraints{}, ErrBadConstraints},
		{"min above max rungs", pts, Constraints{Rungs: 2, MinRungs: 3}, ErrBadConstraints},
		{"inverted bitrate range", pts, Constraints{Rungs: 2, MinKbps: 500, MaxKbps: 100}, ErrBadConstraints},
		{"inverted VMAF range", pts, Constraints{Rungs: 2, MinVMAF: 90, MaxVMAF: 80}, ErrBadConstraints},
		{"ratio below 1", pts, Constraints{Rungs: 2, MinRatio: 0.5}, ErrBadConstraints},
		{"NaN", pts, Constraints{Rungs: 2, MinVMAFStep: math.NaN()}, ErrBadConstraints},
		{"range excludes all", pts, Constraints{Rungs: 3, MinVMAF: 99}, ErrInfeasible},
		{"bitrate window too narrow", pts, Constraints{Rungs: 3, MinKbps: 1000, MaxKbps: 1001}, ErrInfeasible},
		{"too many required", pts, Constraints{Rungs: 6, MinRungs: 6, MinRatio: 4}, ErrInfeasible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Select(tt.pts, tt.c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSelectDegenerate(t *testing.T) {
	one := []Point{{Width: 640, Height: 360, CRF: 23, BitrateKbps: 500, VMAF: 70}}
	rs, err := Select(one, Constraints{Rungs: 4})
	if err != nil || len(rs) != 1 || rs[0].Point != one[0] {
		t.Fatalf("one point: %+v, %v", rs, err)
	}
	// Two points too close for the ratio: one rung, the better one.
	two := append(one, Point{Width: 640, Height: 360, CRF: 22, BitrateKbps: 600, VMAF: 72})
	rs, err = Select(two, Constraints{Rungs: 4, MinRatio: 1.5})
	if err != nil || len(rs) != 1 || rs[0].Point != two[1] {
		t.Fatalf("two close points: %+v, %v", rs, err)
	}
	// Interpolating a segment whose CRF does not fall adds nothing.
	flat := []Point{{CRF: 23, BitrateKbps: 500, VMAF: 70}, {CRF: 23, BitrateKbps: 1000, VMAF: 80}}
	rs, err = Select(flat, Constraints{Rungs: 4, Interpolate: true})
	if err != nil || len(rs) != 2 || rs[0].Interpolated || rs[1].Interpolated {
		t.Fatalf("flat CRF: %+v, %v", rs, err)
	}
}

// TestSelectCubicInCRF: on a title whose VMAF is concave in CRF (trial
// CRFs 5 apart), BetweenCubic predicts the points between trial CRFs
// closer to the encodes' true values than BetweenLinear's lines, which
// fall below them; its bitrates stay log-linear where the truth is; and
// each prediction lies between the trial encodes on either side. Select
// with CRFStep 0 still puts rungs exactly on the bounds a segment crosses.
func TestSelectCubicInCRF(t *testing.T) {
	pts := synthTitleEvery(5)
	curves, err := Curves(pts)
	if err != nil {
		t.Fatal(err)
	}
	errSum := map[Between]float64{}
	n := 0
	for _, cv := range curves {
		lin := interpolate(cv.Hull, Constraints{CRFStep: 1, Between: BetweenLinear})
		cub := interpolate(cv.Hull, Constraints{CRFStep: 1, Between: BetweenCubic})
		if len(lin) != len(cub) {
			t.Fatalf("%dp: %d linear candidates, %d cubic", cv.Height, len(lin), len(cub))
		}
		for k, r := range cub {
			if !r.Interpolated {
				continue
			}
			truth := synthPoint(r.Width, r.Height, r.CRF)
			errSum[BetweenLinear] += math.Abs(lin[k].VMAF - truth.VMAF)
			errSum[BetweenCubic] += math.Abs(r.VMAF - truth.VMAF)
			n++
			if math.Abs(r.BitrateKbps/truth.BitrateKbps-1) > 1e-9 {
				t.Errorf("cubic %+v: %v kbps, true %v (log-linear in CRF)", r, r.BitrateKbps, truth.BitrateKbps)
			}
			lo := synthPoint(r.Width, r.Height, 18+5*math.Ceil((r.CRF-18)/5))
			hi := synthPoint(r.Width, r.Height, 18+5*math.Floor((r.CRF-18)/5))
			if !(r.VMAF > lo.VMAF && r.VMAF < hi.VMAF && r.BitrateKbps > lo.BitrateKbps && r.BitrateKbps < hi.BitrateKbps) {
				t.Errorf("cubic %+v outside the trial encodes at CRF %v and %v", r, lo.CRF, hi.CRF)
			}
		}
	}
	if n == 0 {
		t.Fatal("no interpolated candidates")
	}
	lin, cub := errSum[BetweenLinear]/float64(n), errSum[BetweenCubic]/float64(n)
	t.Logf("mean |predicted - true VMAF| over %d points between trial CRFs: linear %.3f, cubic %.3f", n, lin, cub)
	if !(cub < lin) {
		t.Errorf("cubic's mean VMAF error %.3f not below linear's %.3f", cub, lin)
	}

	c := Constraints{Rungs: 6, MinRatio: 1.5, MinKbps: 300, MaxVMAF: 95, Interpolate: true, Between: BetweenCubic}
	rs := mustSelect(t, pts, c)
	if top := rs[len(rs)-1]; top.VMAF != 95 {
		t.Errorf("top rung %+v: want it on the 95 VMAF bound", top)
	}
	if rs[0].BitrateKbps != 300 {
		t.Errorf("bottom rung %+v: want it on the 300 kbps bound", rs[0])
	}
}

// FuzzInterpolateCubic: for any title of one resolution with trial CRFs
// falling in bitrate and VMAF as CRF rises (each step by a fuzzed
// amount), every cubic candidate between two hull vertices lies strictly
// between them in CRF, bitrate and VMAF: on whole CRF steps, and with
// CRFStep 0 on bitrate steps plus the bound crossings found by bisection.
func FuzzInterpolateCubic(f *testing.F) {
	f.Add(uint64(0x0102030405060708), 5, 18.0, 5.0, 30.0, 90.0)
	f.Add(uint64(0xdeadbeefcafebabe), 3, 20.0, 1.0, 0.0, 0.0)
	f.Add(uint64(0xffffffffffffffff), 8, 10.0, 4.0, 60.0, 75.0)
	f.Fuzz(func(t *testing.T, seed uint64, n int, crf0, step, minV, maxV float64) {
		if n < 2 || n > 10 || !(crf0 >= 0 && crf0 < 40) || !(step >= 0.5 && step <= 10) || !(minV >= 0 && maxV <= 100 && minV <= maxV) {
			return
		}
		// Points from the lowest CRF (dearest) up: bitrate and VMAF fall.
		r := seed
		next := func() float64 { r = r*6364136223846793005 + 1442695040888963407; return float64(r>>11) / (1 << 53) }
		pts := make([]Point, n)
		kbps, vmaf := 8000.0, 99.0
		for i := range pts {
			pts[i] = Point{Width: 1280, Height: 720, Codec: "h264", CRF: crf0 + float64(i)*step, BitrateKbps: kbps, VMAF: vmaf}
			kbps *= 0.3 + 0.6*next()
			vmaf -= 0.5 + 12*next()
		}
		curves, err := Curves(pts)
		if err != nil {
			t.Fatal(err)
		}
		hull := curves[0].Hull
		for _, c := range []Constraints{{CRFStep: 1, Between: BetweenCubic}, {MinKbps: 500, MinVMAF: minV, MaxVMAF: maxV, Between: BetweenCubic}} {
			k := 0 // the hull vertex at or below each candidate
			for _, p := range interpolate(hull, c) {
				if !p.Interpolated {
					k = slices.Index(hull, p.Point)
					if k < 0 {
						t.Fatalf("vertex %+v not on the hull", p)
					}
					continue
				}
				a, b := hull[k], hull[k+1]
				// Within rounding: a CRF step's multiple may sit a hair
				// inside a fractional vertex CRF.
				const eps = 1e-9
				if !(p.CRF < a.CRF && p.CRF > b.CRF && p.BitrateKbps >= a.BitrateKbps*(1-eps) && p.BitrateKbps <= b.BitrateKbps*(1+eps) &&
					p.VMAF >= a.VMAF-eps && p.VMAF <= b.VMAF+eps) {
					t.Fatalf("%+v: candidate %+v not between %+v and %+v", c, p, a, b)
				}
			}
		}
	})
}
