package plan

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/reel-video/reel/profile"
)

func cfg(mode string, min, max float64) profile.Chunking {
	return profile.Chunking{Mode: mode, MinSeconds: min, MaxSeconds: max}
}

func TestChunksTable(t *testing.T) {
	type c = Chunk
	tests := []struct {
		name   string
		frames int
		fps    float64
		shots  []Shot
		cfg    profile.Chunking
		seg    int
		want   []Chunk
	}{
		{"off", 1000, 25, []Shot{{StartFrame: 100, Confidence: 1}}, cfg("off", 2, 10), 50,
			[]c{{0, 0, 1000}}},
		{"fixed exact", 500, 25, nil, cfg("fixed", 2, 10), 50,
			[]c{{0, 0, 250}, {1, 250, 250}}},
		{"fixed partial tail", 520, 25, nil, cfg("fixed", 2, 10), 50,
			[]c{{0, 0, 250}, {1, 250, 250}, {2, 500, 20}}},
		{"fixed short tail balanced", 550, 25, nil, cfg("fixed", 4, 10), 50,
			// 11 segments of 2 s: 5+5+1 would leave a 1-segment tail below
			// min 4 s (2 segments).
			[]c{{0, 0, 250}, {1, 250, 200}, {2, 450, 100}}},
		{"shots nil falls back to fixed", 500, 25, nil, cfg("shots", 2, 10), 50,
			[]c{{0, 0, 250}, {1, 250, 250}}},
		{"shorter than a segment", 30, 25, nil, cfg("shots", 2, 10), 50,
			[]c{{0, 0, 30}}},
		{"shots snapped to segments", 1000, 25,
			[]Shot{{0, 1}, {140, 0.9}, {310, 0.8}, {620, 0.7}},
			cfg("shots", 2, 10), 50,
			// 2 s segments: 140→150 (2.8 segments → 3), 310→300, 620→600.
			// 300..600 and 600..1000 are longer than max 10 s (5 segments),
			// so each gets one cut off a shot boundary.
			[]c{{0, 0, 150}, {1, 150, 150}, {2, 300, 250}, {3, 550, 50}, {4, 600, 250}, {5, 850, 150}}},
		{"close shots merge keeping the more confident", 600, 25,
			[]Shot{{125, 0.3}, {150, 0.9}, {300, 1}},
			cfg("shots", 4, 12), 25,
			// 1 s segments; shots at 5 s and 6 s are closer than min 4 s:
			// the more confident one starts the chunk.
			[]c{{0, 0, 150}, {1, 150, 150}, {2, 300, 300}}},
		{"29.97 fps: 2.002 s segments fit 10 s", 1800, 30000.0 / 1001, nil, cfg("fixed", 2, 10), 60,
			[]c{{0, 0, 300}, {1, 300, 300}, {2, 600, 300}, {3, 900, 300}, {4, 1200, 300}, {5, 1500, 300}}},
		{"zero cfg takes defaults", 1000, 25, nil, profile.Chunking{}, 50,
			[]c{{0, 0, 250}, {1, 250, 250}, {2, 500, 250}, {3, 750, 250}}},
		{"no frames", 0, 25, nil, cfg("shots", 2, 10), 50, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Chunks(tt.frames, tt.fps, tt.shots, tt.cfg, tt.seg)
			checkPlan(t, tt.frames, tt.fps, tt.shots, tt.cfg, tt.seg, got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// checkPlan checks the invariants every plan has.
func checkPlan(t *testing.T, frames int, fps float64, shots []Shot, cf profile.Chunking, seg int, got []Chunk) {
	t.Helper()
	if frames <= 0 {
		if len(got) != 0 {
			t.Fatalf("chunks for %d frames: %v", frames, got)
		}
		return
	}
	if len(got) == 0 {
		t.Fatalf("no chunks for %d frames", frames)
	}
	seg = max(seg, 1)
	next := 0
	for i, c := range got {
		if c.Index != i || c.StartFrame != next || c.Frames <= 0 {
			t.Fatalf("chunk %d = %+v, want index %d start %d (plan %v)", i, c, i, next, got)
		}
		if c.StartFrame%seg != 0 {
			t.Fatalf("chunk %d starts at %d, not a multiple of %d", i, c.StartFrame, seg)
		}
		if i < len(got)-1 && c.Frames%seg != 0 {
			t.Fatalf("chunk %d holds %d frames, not whole segments of %d", i, c.Frames, seg)
		}
		next += c.Frames
	}
	if next != frames {
		t.Fatalf("plan covers %d frames, want %d", next, frames)
	}
	if cf.WithDefaults(0).Mode == profile.ChunkOff {
		if len(got) != 1 {
			t.Fatalf("mode off gave %d chunks", len(got))
		}
		return
	}
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = 25
	}
	minSegs, maxSegs := segmentRange(cf.WithDefaults(float64(seg)/fps), fps, seg)
	n := (frames + seg - 1) / seg
	for i, c := range got {
		segs := (c.Frames + seg - 1) / seg
		if segs > maxSegs {
			t.Fatalf("chunk %d has %d segments, max %d", i, segs, maxSegs)
		}
		if i < len(got)-1 && segs < minSegs {
			t.Fatalf("inner chunk %d has %d segments, min %d", i, segs, minSegs)
		}
	}
	// The last chunk is short only when no plan fits [min, max].
	if last := (got[len(got)-1].Frames + seg - 1) / seg; last < minSegs && fits(n, minSegs, maxSegs) {
		t.Fatalf("last chunk has %d segments though %d segments split into [%d, %d]: %v", last, n, minSegs, maxSegs, got)
	}
	// Chunk counts are bounded: no more than needed by shots and length.
	if len(got) > n {
		t.Fatalf("%d chunks for %d segments", len(got), n)
	}
}

// fits reports whether n segments split into pieces of [lo, hi].
func fits(n, lo, hi int) bool {
	for k := 1; k <= n; k++ {
		if k*lo <= n && n <= k*hi {
			return true
		}
	}
	return false
}

func TestChunksProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	modes := []string{"shots", "shots", "fixed", "off", ""}
	for i := 0; i < 3000; i++ {
		fps := []float64{24, 25, 30000.0 / 1001, 50, 60, 24000.0 / 1001, 0}[r.IntN(7)]
		seg := 1 + r.IntN(120)
		frames := r.IntN(5000)
		min := float64(r.IntN(8))
		max := min + float64(r.IntN(20))
		var shots []Shot
		for range r.IntN(40) {
			shots = append(shots, Shot{StartFrame: r.IntN(frames+10) - 5, Confidence: r.Float64()*1.4 - 0.2})
		}
		c := cfg(modes[r.IntN(len(modes))], min, max)
		got := Chunks(frames, fps, shots, c, seg)
		checkPlan(t, frames, fps, shots, c, seg, got)
		// Deterministic: the same inputs give the same plan.
		if again := Chunks(frames, fps, shots, c, seg); !reflect.DeepEqual(got, again) {
			t.Fatal("plan is not deterministic")
		}
	}
}

// TestChunksOptimal compares the plan's cost with every possible plan of
// small titles.
func TestChunksOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 400; i++ {
		seg := 10
		n := 1 + r.IntN(13)
		frames := n*seg - r.IntN(seg)
		c := cfg("shots", float64(1+r.IntN(4))*0.4, float64(1+r.IntN(7))*0.4) // at 25 fps a segment is 0.4 s
		if c.MaxSeconds < c.MinSeconds {
			c.MaxSeconds = c.MinSeconds
		}
		var shots []Shot
		for range r.IntN(8) {
			shots = append(shots, Shot{StartFrame: r.IntN(frames), Confidence: float64(r.IntN(5)) / 4})
		}
		got := Chunks(frames, 25, shots, c, seg)
		checkPlan(t, frames, 25, shots, c, seg, got)

		minSegs, maxSegs := segmentRange(c, 25, seg)
		isShot := make([]bool, n+1)
		reward := make([]int64, n+1)
		for _, s := range shots {
			if b := (2*s.StartFrame + seg) / (2 * seg); s.StartFrame > 0 && b > 0 && b < n {
				isShot[b] = true
				reward[b] = max(reward[b], int64(math.Round(s.Confidence*1000))+1)
			}
		}
		costOf := func(starts []int) cost {
			var k cost
			for j, p := range starts {
				end := n
				if j+1 < len(starts) {
					end = starts[j+1]
				}
				if p > 0 {
					if isShot[p] {
						k.reward += reward[p]
					} else {
						k.blind++
					}
				}
				if end-p < minSegs {
					if end == n {
						k.shortLast++
					} else {
						k.shortInner++
					}
				}
			}
			return k
		}
		var starts []int
		for _, ch := range got {
			starts = append(starts, ch.StartFrame/seg)
		}
		have := costOf(starts)
		// Enumerate every subset of boundaries 1..n-1 as chunk starts.
		for mask := 0; mask < 1<<(n-1); mask++ {
			s := []int{0}
			for b := 1; b < n; b++ {
				if mask&(1<<(b-1)) != 0 {
					s = append(s, b)
				}
			}
			ok := true
			for j := range s {
				end := n
				if j+1 < len(s) {
					end = s[j+1]
				}
				if end-s[j] > maxSegs {
					ok = false
				}
			}
			if ok && costOf(s).less(have) {
				t.Fatalf("n=%d min=%d max=%d shots=%v: plan %v (cost %+v) beaten by %v (cost %+v)",
					n, minSegs, maxSegs, shots, starts, have, s, costOf(s))
			}
		}
	}
}

func FuzzChunks(f *testing.F) {
	f.Add(1000, 25.0, 50, "shots", 2.0, 10.0, []byte{10, 200, 30, 100})
	f.Add(1, 0.0, 0, "fixed", 0.0, 0.0, []byte{})
	f.Add(12345, 29.97, 60, "off", 4.0, 6.0, []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, frames int, fps float64, seg int, mode string, lo, hi float64, raw []byte) {
		if frames > 200000 || frames < -10 || seg > 100000 || seg < -10 || !(fps < 1000) || lo < 0 || hi < 0 || lo > 1000 || hi > 1000 {
			t.Skip()
		}
		if fps > 0 && fps*hi/float64(segmentsOrOne(seg)) > 2000 {
			t.Skip() // keep the DP small
		}
		var shots []Shot
		for i := 0; i+1 < len(raw); i += 2 {
			shots = append(shots, Shot{StartFrame: int(raw[i]) * 97 % max(frames+1, 1), Confidence: float64(raw[i+1]) / 200})
		}
		c := cfg(mode, lo, hi)
		got := Chunks(frames, fps, shots, c, seg)
		switch c.WithDefaults(0).Mode {
		case "shots", "fixed", "off":
			checkPlan(t, frames, fps, shots, c, seg, got)
		default:
			// An unknown mode (rejected by profile validation) still gives
			// a plan covering every frame: treated as fixed.
			checkCover(t, frames, got)
		}
	})
}

func segmentsOrOne(seg int) int { return max(seg, 1) }

func checkCover(t *testing.T, frames int, got []Chunk) {
	t.Helper()
	next := 0
	for _, c := range got {
		if c.StartFrame != next || c.Frames <= 0 {
			t.Fatalf("plan %v", got)
		}
		next += c.Frames
	}
	if frames > 0 && next != frames {
		t.Fatalf("plan covers %d of %d frames", next, frames)
	}
}
