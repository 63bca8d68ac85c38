package ladder

import (
	"errors"
	"reflect"
	"testing"
)

// spans builds back-to-back shots of the given lengths.
func spans(lengths ...int) []ShotSpan {
	var out []ShotSpan
	start := 0
	for _, l := range lengths {
		out = append(out, ShotSpan{Start: start, Frames: l})
		start += l
	}
	return out
}

func TestSampleShots(t *testing.T) {
	withComplexity := spans(100, 100, 100, 100, 100, 100)
	for i, c := range []float64{5, 1, 6, 2, 4, 3} {
		withComplexity[i].Complexity = c
	}
	tests := []struct {
		name  string
		shots []ShotSpan
		opt   SampleOptions
		want  Sample
	}{
		{
			name:  "zero options sample every shot whole",
			shots: spans(10, 20, 30),
			want: Sample{Shots: []ShotSample{{0, 0, 10, 10}, {1, 10, 20, 20}, {2, 30, 30, 30}},
				Of: []int{0, 1, 2}},
		},
		{
			name:  "one shot, cut to the budget around its middle",
			shots: spans(1000),
			opt:   SampleOptions{FPS: 25, MaxSeconds: 4},
			want:  Sample{Shots: []ShotSample{{0, 450, 100, 1000}}, Of: []int{0}},
		},
		{
			name:  "max shots by length: strata of equal screen time",
			shots: spans(50, 400, 60, 300, 70, 250), // order by length: 50 60 70 250 300 400
			opt:   SampleOptions{MaxShots: 3},
			// total 1130; cuts at 376.7 and 753.3 by middle frame:
			// 50(25) 60(80) 70(145) 250(305) → 0; 300(580) → 1; 400(930) → 2
			want: Sample{Shots: []ShotSample{{1, 50, 400, 400}, {3, 510, 300, 300}, {5, 880, 250, 430}},
				Of: []int{2, 0, 2, 1, 2, 2}},
		},
		{
			name:  "complexity strata",
			shots: withComplexity, // by complexity: 1 3 5 4 0 2
			opt:   SampleOptions{MaxShots: 2},
			want: Sample{Shots: []ShotSample{{0, 0, 100, 300}, {3, 300, 100, 300}},
				Of: []int{0, 1, 0, 1, 0, 1}},
		},
		{
			name:  "budget limits shots and window length",
			shots: spans(100, 100, 100, 100),
			opt:   SampleOptions{FPS: 10, MaxSeconds: 12, MinShotSeconds: 5}, // 120 frames, ≥ 50 each → 2 samples of ≤ 60
			want: Sample{Shots: []ShotSample{{0, 20, 60, 200}, {2, 220, 60, 200}},
				Of: []int{0, 0, 1, 1}},
		},
		{
			name:  "short shots are represented, not picked",
			shots: spans(5, 5, 5, 200, 5),
			opt:   SampleOptions{FPS: 25, MaxShots: 1},
			want:  Sample{Shots: []ShotSample{{3, 15, 200, 220}}, Of: []int{0, 0, 0, 0, 0}},
		},
		{
			name:  "a dominant shot leaves strata empty; finer cuts fill them",
			shots: spans(1000, 10, 10, 10),
			opt:   SampleOptions{MaxShots: 3},
			want: Sample{Shots: []ShotSample{{0, 0, 1000, 1000}, {1, 1000, 10, 20}, {3, 1020, 10, 10}},
				Of: []int{0, 1, 1, 2}},
		},
		{
			name:  "max shot seconds",
			shots: spans(300, 40),
			opt:   SampleOptions{FPS: 10, MaxShotSeconds: 10},
			want:  Sample{Shots: []ShotSample{{0, 100, 100, 300}, {1, 300, 40, 40}}, Of: []int{0, 1}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SampleShots(tc.shots, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
			checkSample(t, tc.shots, tc.opt, got)
		})
	}
}

func TestSampleShotsErrors(t *testing.T) {
	tests := []struct {
		shots []ShotSpan
		opt   SampleOptions
		want  error
	}{
		{nil, SampleOptions{}, ErrNoPoints},
		{[]ShotSpan{{Frames: 0}}, SampleOptions{}, ErrBadPoint},
		{[]ShotSpan{{Start: -1, Frames: 3}}, SampleOptions{}, ErrBadPoint},
		{[]ShotSpan{{Frames: 3, Complexity: -1}}, SampleOptions{}, ErrBadPoint},
		{spans(3), SampleOptions{MaxSeconds: 1}, ErrBadConstraints},
		{spans(3), SampleOptions{FPS: 25, MaxSeconds: 0.01}, ErrBadConstraints},
		{spans(3), SampleOptions{MaxShots: -1}, ErrBadConstraints},
		{spans(3), SampleOptions{FPS: -25}, ErrBadConstraints},
	}
	for i, tc := range tests {
		if _, err := SampleShots(tc.shots, tc.opt); !errors.Is(err, tc.want) {
			t.Errorf("%d: err %v, want %v", i, err, tc.want)
		}
	}
}

// checkSample checks the properties every sample has.
func checkSample(t *testing.T, shots []ShotSpan, opt SampleOptions, s Sample) {
	t.Helper()
	if len(s.Shots) == 0 || len(s.Of) != len(shots) {
		t.Fatalf("sample %+v of %d shots", s, len(shots))
	}
	if opt.MaxShots > 0 && len(s.Shots) > opt.MaxShots {
		t.Fatalf("%d samples, max %d", len(s.Shots), opt.MaxShots)
	}
	total, weights, sampled := 0, 0, 0
	for _, sh := range shots {
		total += sh.Frames
	}
	seen := map[int]bool{}
	for i, w := range s.Shots {
		sh := shots[w.Shot]
		if seen[w.Shot] || w.Frames < 1 || w.Start < sh.Start || w.Start+w.Frames > sh.Start+sh.Frames || w.Weight < sh.Frames {
			t.Fatalf("sample %d %+v of shot %+v", i, w, sh)
		}
		if i > 0 && w.Start < s.Shots[i-1].Start {
			t.Fatalf("samples out of order: %+v", s.Shots)
		}
		if s.Of[w.Shot] != i {
			t.Fatalf("shot %d sampled as %d but represented by %d", w.Shot, i, s.Of[w.Shot])
		}
		seen[w.Shot] = true
		weights += w.Weight
		sampled += w.Frames
	}
	if weights != total {
		t.Fatalf("weights %d, title frames %d", weights, total)
	}
	rep := make([]int, len(s.Shots))
	for i, o := range s.Of {
		if o < 0 || o >= len(s.Shots) {
			t.Fatalf("shot %d represented by %d", i, o)
		}
		rep[o] += shots[i].Frames
	}
	for i, w := range s.Shots {
		if rep[i] != w.Weight {
			t.Fatalf("sample %d weight %d, represents %d frames", i, w.Weight, rep[i])
		}
	}
	if opt.MaxSeconds > 0 && float64(sampled) > opt.MaxSeconds*opt.FPS+1e-6 {
		t.Fatalf("sampled %d frames, budget %v s at %v fps", sampled, opt.MaxSeconds, opt.FPS)
	}
	if opt.MaxShotSeconds > 0 {
		for _, w := range s.Shots {
			if float64(w.Frames) > max(1, opt.MaxShotSeconds*opt.FPS)+1e-6 {
				t.Fatalf("sample %+v longer than %v s", w, opt.MaxShotSeconds)
			}
		}
	}
}

// FuzzSampleShots checks the sample's properties and determinism on shots
// and options built from the input.
func FuzzSampleShots(f *testing.F) {
	f.Add([]byte{10, 0, 20, 5, 30, 1}, uint8(2), uint16(40), uint8(0), uint8(1))
	f.Add([]byte{200, 0, 1, 0, 1, 0, 1, 0}, uint8(3), uint16(0), uint8(0), uint8(0))
	f.Add([]byte{255, 9, 255, 9, 255, 9, 3, 1}, uint8(0), uint16(100), uint8(2), uint8(1))
	f.Add([]byte{1, 1}, uint8(1), uint16(1), uint8(1), uint8(3))
	f.Add([]byte{7, 3, 7, 3, 7, 3, 7, 3, 7, 3}, uint8(4), uint16(9), uint8(0), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, maxShots uint8, maxFrames uint16, shotSec, minSec uint8) {
		var shots []ShotSpan
		start := 0
		for i := 0; i+1 < len(data) && len(shots) < 200; i += 2 {
			l := int(data[i]) + 1
			shots = append(shots, ShotSpan{Start: start, Frames: l, Complexity: float64(data[i+1] % 8)})
			start += l
			if len(data) > 2 && data[0]%2 == 0 { // sometimes gaps between shots
				start += int(data[i+1] % 5)
			}
		}
		opt := SampleOptions{FPS: 10, MaxShots: int(maxShots % 10), MaxSeconds: float64(maxFrames) / 10,
			MaxShotSeconds: float64(shotSec % 20), MinShotSeconds: float64(minSec % 5)}
		a, err := SampleShots(shots, opt)
		if len(shots) == 0 {
			if !errors.Is(err, ErrNoPoints) {
				t.Fatalf("no shots: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkSample(t, shots, opt, a)
		b, _ := SampleShots(shots, opt)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("not deterministic: %+v vs %+v", a, b)
		}
	})
}

// splitShotsCases double as FuzzSplitShots' seeds.
var splitShotsCases = []struct {
	name       string
	shots      []ShotSpan
	maxFrames  int
	wantParts  []ShotSpan
	wantParent []int
}{
	{"short shots pass through", spans(10, 20), 20, spans(10, 20), []int{0, 1}},
	{"no bound", spans(1000), 0, spans(1000), []int{0}},
	{"exact multiple", spans(300), 100, spans(100, 100, 100), []int{0, 0, 0}},
	{"remainder goes to the first parts", spans(10, 302), 100, spans(10, 101, 101, 100), []int{0, 1, 1, 1}},
	{"under twice the bound stays whole", []ShotSpan{{Start: 7, Frames: 199, Complexity: 2}}, 100,
		[]ShotSpan{{Start: 7, Frames: 199, Complexity: 2}}, []int{0}},
	{"twice the bound", []ShotSpan{{Start: 7, Frames: 200, Complexity: 2}}, 100,
		[]ShotSpan{{Start: 7, Frames: 100, Complexity: 2}, {Start: 107, Frames: 100, Complexity: 2}}, []int{0, 0}},
}

func TestSplitShots(t *testing.T) {
	for _, tc := range splitShotsCases {
		t.Run(tc.name, func(t *testing.T) {
			parts, parent := SplitShots(tc.shots, tc.maxFrames)
			if !reflect.DeepEqual(parts, tc.wantParts) || !reflect.DeepEqual(parent, tc.wantParent) {
				t.Fatalf("got %+v %v\nwant %+v %v", parts, parent, tc.wantParts, tc.wantParent)
			}
			checkSplit(t, tc.shots, tc.maxFrames, parts, parent)
		})
	}
	// A one-shot title sampled after splitting: windows spread over the
	// whole shot, within the same budget as the middle alone.
	parts, parent := SplitShots(spans(750), 125)
	s, err := SampleShots(parts, SampleOptions{FPS: 25, MaxSeconds: 20, MaxShots: 8, MaxShotSeconds: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Shots) != 6 {
		t.Fatalf("%d windows over a 30 s shot in 5 s parts, want 6: %+v", len(s.Shots), s.Shots)
	}
	frames := 0
	for i, w := range s.Shots {
		frames += w.Frames
		if parent[w.Shot] != 0 || w.Start < i*125 || w.Start+w.Frames > (i+1)*125 {
			t.Errorf("window %d %+v is not inside part %d", i, w, i)
		}
	}
	if frames > 500 {
		t.Errorf("%d frames sampled, over the 20 s budget", frames)
	}
}

// checkSplit checks SplitShots' properties: parts tile each shot in
// order, of lengths within one frame of each other, as many as fit with
// none shorter than maxFrames (when ≥ 1; a shorter shot stays whole).
func checkSplit(t *testing.T, shots []ShotSpan, maxFrames int, parts []ShotSpan, parent []int) {
	t.Helper()
	if len(parts) != len(parent) {
		t.Fatalf("%d parts, %d parents", len(parts), len(parent))
	}
	k := 0
	for i, s := range shots {
		start, lo, hi, n := s.Start, s.Frames, 0, 0
		for ; k < len(parts) && parent[k] == i; k++ {
			p := parts[k]
			if p.Start != start || p.Frames < 1 || p.Complexity != s.Complexity || (maxFrames >= 1 && p.Frames < maxFrames && p.Frames != s.Frames) {
				t.Fatalf("shot %d %+v: part %+v (next start %d, max %d)", i, s, p, start, maxFrames)
			}
			start += p.Frames
			lo, hi, n = min(lo, p.Frames), max(hi, p.Frames), n+1
		}
		if start != s.Start+s.Frames || hi-lo > 1 {
			t.Fatalf("shot %d %+v: parts end at %d, lengths %d–%d", i, s, start, lo, hi)
		}
		if maxFrames >= 1 && n != max(1, s.Frames/maxFrames) {
			t.Fatalf("shot %d %+v: %d parts of at least %d", i, s, n, maxFrames)
		}
		if maxFrames >= 1 && n > 1 && hi >= 2*maxFrames {
			t.Fatalf("shot %d %+v: a part of %d frames has room for two of %d", i, s, hi, maxFrames)
		}
	}
	if k != len(parts) {
		t.Fatalf("parents %v out of order", parent)
	}
}

func FuzzSplitShots(f *testing.F) {
	for _, tc := range splitShotsCases {
		var data []byte
		for _, s := range tc.shots {
			data = append(data, byte(s.Frames>>8), byte(s.Frames))
		}
		f.Add(data, uint16(tc.maxFrames))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxFrames uint16) {
		var lengths []int
		for i := 0; i+1 < len(data) && len(lengths) < 100; i += 2 {
			lengths = append(lengths, (int(data[i])<<8|int(data[i+1]))%5000+1)
		}
		shots := spans(lengths...)
		parts, parent := SplitShots(shots, int(maxFrames))
		checkSplit(t, shots, int(maxFrames), parts, parent)
	})
}
