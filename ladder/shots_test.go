package ladder

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// synthShots makes n shots with k options each: a concave-ish curve per
// shot (different complexity per shot) plus some points below it.
func synthShots(seed uint64, n, k int) []Shot {
	rng := rand.New(rand.NewPCG(seed, 7))
	shots := make([]Shot, n)
	for s := range shots {
		complexity := 0.5 + 2*rng.Float64()
		sh := Shot{Frames: 24 + rng.IntN(100)}
		for o := range k {
			bits := 1e5 * complexity * math.Exp2(float64(o)*0.7+rng.Float64()*0.3)
			q := 100 * (1 - math.Exp(-bits/(3e5*complexity)))
			if rng.IntN(4) == 0 {
				q -= 5 * rng.Float64() // off the hull
			}
			sh.Options = append(sh.Options, ShotOption{Width: 1920, Height: 1080, CRF: float64(40 - 3*o), Bits: math.Round(bits), Quality: q})
		}
		shots[s] = sh
	}
	return shots
}

type combo struct{ bits, q float64 } // q: frame-weighted sum

// allCombos enumerates every choice of one option per shot.
func allCombos(shots []Shot) []combo {
	out := []combo{{}}
	for _, sh := range shots {
		var next []combo
		for _, c := range out {
			for _, o := range sh.Options {
				next = append(next, combo{c.bits + o.Bits, c.q + float64(sh.Frames)*o.Quality})
			}
		}
		out = next
	}
	return out
}

func totalFrames(shots []Shot) float64 {
	var f float64
	for _, s := range shots {
		f += float64(s.Frames)
	}
	return f
}

// dominated reports whether some combo beats (bits, q) by more than tol.
func dominated(all []combo, bits, q float64) bool {
	const tol = 1e-6
	for _, c := range all {
		if c.bits <= bits+tol && c.q >= q-tol && (c.bits < bits-tol || c.q > q+tol) {
			return true
		}
	}
	return false
}

func checkPlan(t *testing.T, shots []Shot, p Plan) {
	t.Helper()
	if len(p.Choices) != len(shots) {
		t.Fatalf("%d choices for %d shots", len(p.Choices), len(shots))
	}
	var bits, q float64
	for s, c := range p.Choices {
		if c.Shot != s || c.ShotOption != shots[s].Options[c.Option] {
			t.Fatalf("choice %d = %+v", s, c)
		}
		bits += c.Bits
		q += float64(shots[s].Frames) * c.Quality
	}
	if math.Abs(bits-p.Bits) > 1e-6 || math.Abs(q/totalFrames(shots)-p.Quality) > 1e-9 {
		t.Fatalf("totals %v/%v, plan says %v/%v", bits, q/totalFrames(shots), p.Bits, p.Quality)
	}
}

func TestMinBitsForQualityBruteForce(t *testing.T) {
	for seed := range uint64(12) {
		shots := synthShots(seed, 2+int(seed%4), 3+int(seed%3))
		all := allCombos(shots)
		frames := totalFrames(shots)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, c := range all {
			lo, hi = math.Min(lo, c.q/frames), math.Max(hi, c.q/frames)
		}
		for i := range 9 {
			target := lo + (hi-lo)*float64(i)/8
			p, err := MinBitsForQuality(shots, target)
			if err != nil {
				t.Fatalf("seed %d target %v: %v", seed, target, err)
			}
			checkPlan(t, shots, p)
			want := math.Inf(1)
			for _, c := range all {
				if c.q >= target*frames {
					want = math.Min(want, c.bits)
				}
			}
			if !p.Exact || p.Quality < target || math.Abs(p.Bits-want) > 1e-6 {
				t.Fatalf("seed %d target %v: plan %v bits, quality %v (exact %v); brute force %v bits",
					seed, target, p.Bits, p.Quality, p.Exact, want)
			}
			if dominated(all, p.Bits, p.Quality*frames) {
				t.Fatalf("seed %d: plan not on the Pareto front", seed)
			}
		}
		if _, err := MinBitsForQuality(shots, hi+1); !errors.Is(err, ErrInfeasible) {
			t.Fatalf("above best: err = %v", err)
		}
	}
}

func TestMaxQualityForBitsBruteForce(t *testing.T) {
	for seed := range uint64(12) {
		shots := synthShots(seed+100, 2+int(seed%4), 3+int(seed%3))
		all := allCombos(shots)
		frames := totalFrames(shots)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, c := range all {
			lo, hi = math.Min(lo, c.bits), math.Max(hi, c.bits)
		}
		for i := range 9 {
			budget := lo + (hi-lo)*float64(i)/8
			p, err := MaxQualityForBits(shots, budget)
			if err != nil {
				t.Fatalf("seed %d budget %v: %v", seed, budget, err)
			}
			checkPlan(t, shots, p)
			want := math.Inf(-1)
			for _, c := range all {
				if c.bits <= budget {
					want = math.Max(want, c.q/frames)
				}
			}
			if !p.Exact || p.Bits > budget || math.Abs(p.Quality-want) > 1e-9 {
				t.Fatalf("seed %d budget %v: plan %v bits, quality %v; brute force quality %v", seed, budget, p.Bits, p.Quality, want)
			}
		}
		if _, err := MaxQualityForBits(shots, lo-1); !errors.Is(err, ErrInfeasible) {
			t.Fatalf("below cheapest: err = %v", err)
		}
	}
}

func TestShotsHullOnParetoFront(t *testing.T) {
	for seed := range uint64(8) {
		shots := synthShots(seed+200, 3+int(seed%3), 4)
		all := allCombos(shots)
		frames := totalFrames(shots)
		steps, err := ShotsHull(shots)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range steps {
			if dominated(all, st.Bits, st.Quality*frames) {
				t.Fatalf("seed %d: Lagrangian step %d (%v bits, %v) is dominated", seed, i, st.Bits, st.Quality)
			}
			if i > 0 {
				if !(st.Bits > steps[i-1].Bits && st.Quality > steps[i-1].Quality) {
					t.Fatalf("steps not increasing at %d", i)
				}
				if i > 1 && st.Lambda > steps[i-1].Lambda {
					t.Fatalf("λ increasing at %d", i)
				}
			}
		}
		if steps[0].Lambda != 0 {
			t.Fatalf("first λ %v", steps[0].Lambda)
		}
	}
}

func TestPerShotFallback(t *testing.T) {
	old := searchStates
	searchStates = 0 // every layer is "too big": force the fallback
	defer func() { searchStates = old }()
	for seed := range uint64(6) {
		shots := synthShots(seed+300, 4, 5)
		all := allCombos(shots)
		frames := totalFrames(shots)
		steps, _ := ShotsHull(shots)
		target := (steps[0].Quality + steps[len(steps)-1].Quality) / 2
		p, err := MinBitsForQuality(shots, target)
		if err != nil {
			t.Fatal(err)
		}
		checkPlan(t, shots, p)
		if p.Exact || p.Quality < target {
			t.Fatalf("fallback plan %+v", p)
		}
		// Never worse than the Lagrangian solution (the first hull step
		// meeting the target).
		for _, st := range steps {
			if st.Quality >= target {
				if p.Bits > st.Bits+1e-9 {
					t.Fatalf("fallback %v bits > Lagrangian %v", p.Bits, st.Bits)
				}
				break
			}
		}
		_ = all
		_ = frames
		q, err := MaxQualityForBits(shots, p.Bits)
		if err != nil || q.Exact || q.Bits > p.Bits || q.Quality < p.Quality-1e-9 {
			t.Fatalf("fallback max quality %+v, %v", q, err)
		}
	}
}

func TestPerShotDeterministicAndErrors(t *testing.T) {
	shots := synthShots(42, 5, 5)
	a, _ := MinBitsForQuality(shots, 80)
	b, _ := MinBitsForQuality(shots, 80)
	if a.Bits != b.Bits || a.Quality != b.Quality || a.Lambda != b.Lambda {
		t.Fatal("not deterministic")
	}
	for _, tc := range []struct {
		name  string
		shots []Shot
		want  error
	}{
		{"no shots", nil, ErrNoPoints},
		{"no options", []Shot{{Frames: 1}}, ErrNoPoints},
		{"no frames", []Shot{{Options: []ShotOption{{Bits: 1, Quality: 1}}}}, ErrBadPoint},
		{"negative bits", []Shot{{Frames: 1, Options: []ShotOption{{Bits: -1, Quality: 1}}}}, ErrBadPoint},
		{"NaN quality", []Shot{{Frames: 1, Options: []ShotOption{{Bits: 1, Quality: math.NaN()}}}}, ErrBadPoint},
	} {
		if _, err := MinBitsForQuality(tc.shots, 50); !errors.Is(err, tc.want) {
			t.Fatalf("%s: MinBits err = %v", tc.name, err)
		}
		if _, err := MaxQualityForBits(tc.shots, 50); !errors.Is(err, tc.want) {
			t.Fatalf("%s: MaxQuality err = %v", tc.name, err)
		}
		if _, err := ShotsHull(tc.shots); !errors.Is(err, tc.want) {
			t.Fatalf("%s: ShotsHull err = %v", tc.name, err)
		}
	}
	if _, err := MinBitsForQuality(shots, math.NaN()); !errors.Is(err, ErrBadConstraints) {
		t.Fatalf("NaN target: %v", err)
	}
	// One option per shot: the only plan, λ 0.
	single := []Shot{{Frames: 10, Options: []ShotOption{{Bits: 5, Quality: 60}}}, {Frames: 30, Options: []ShotOption{{Bits: 7, Quality: 80}}}}
	p, err := MinBitsForQuality(single, 70)
	if err != nil || p.Bits != 12 || p.Quality != 75 || p.Lambda != 0 {
		t.Fatalf("single options: %+v, %v", p, err)
	}
}

func TestPerShotLargeTitle(t *testing.T) {
	// 300 shots × 8 options: must finish quickly either way and meet the
	// target; the plan can only beat the Lagrangian solution.
	shots := synthShots(7, 300, 8)
	steps, err := ShotsHull(shots)
	if err != nil {
		t.Fatal(err)
	}
	target := (steps[0].Quality + 3*steps[len(steps)-1].Quality) / 4
	p, err := MinBitsForQuality(shots, target)
	if err != nil {
		t.Fatal(err)
	}
	checkPlan(t, shots, p)
	if p.Quality < target {
		t.Fatalf("quality %v < target %v", p.Quality, target)
	}
	for _, st := range steps {
		if st.Quality >= target {
			if p.Bits > st.Bits {
				t.Fatalf("plan %v bits > Lagrangian %v", p.Bits, st.Bits)
			}
			t.Logf("plan %v bits (exact %v), Lagrangian %v bits, λ %g", p.Bits, p.Exact, st.Bits, p.Lambda)
			break
		}
	}
	// The LP-bounded search is expected to finish here, and local search
	// cannot beat a proven optimum.
	if !p.Exact {
		t.Fatal("300-shot search did not finish")
	}
	old := searchStates
	searchStates = 0
	defer func() { searchStates = old }()
	ls, err := MinBitsForQuality(shots, target)
	if err != nil || ls.Exact || ls.Bits < p.Bits || ls.Quality < target {
		t.Fatalf("local search %v bits (exact %v, quality %v), exact %v: %v", ls.Bits, ls.Exact, ls.Quality, p.Bits, err)
	}
}

func BenchmarkMinBitsForQuality(b *testing.B) {
	for _, n := range []int{30, 300, 1000} {
		shots := synthShots(9, n, 10)
		steps, _ := ShotsHull(shots)
		target := (steps[0].Quality + 3*steps[len(steps)-1].Quality) / 4
		b.Run(fmt.Sprint(n, "shots"), func(b *testing.B) {
			for b.Loop() {
				if _, err := MinBitsForQuality(shots, target); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
