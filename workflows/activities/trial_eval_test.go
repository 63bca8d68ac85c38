package activities

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/ladder"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/profile"
	"github.com/reel-video/reel/workflows"
)

// TestPerTitleAnalysisEval measures the per-title analysis of every chunk
// on a real title against today's full-preset trials (bench/pertitle.sh's
// catalog title; minutes to hours): REEL_PERTITLE_EVAL is the mezzanine,
// REEL_PERTITLE_EVAL_SHOTS its shots.tsv (index, first frame, frames),
// REEL_PERTITLE_EVAL_CACHE the trial cache (reused by reruns), and
// REEL_PERTITLE_EVAL_TRUTH the number of chunks (besides the calibration
// ones) also trial-encoded on the full grid at the final preset and
// scored on every frame (default 4), against which the mapped predictions
// are measured. It runs the default profile's analysis as the workflow
// does (AnalysisGrid, ChunkWindows, CalibrationChunks, MapAnalysis), one
// activity after the other, timing each stage, then encodes the whole
// title once at the six rungs of a typical ladder with the final preset
// (one decode, as the encode stage's chunks do together) for the cost
// ratio. Results go to the log and to $REEL_PERTITLE_EVAL_OUT (JSON).
func TestPerTitleAnalysisEval(t *testing.T) {
	src := os.Getenv("REEL_PERTITLE_EVAL")
	if src == "" {
		t.Skip("REEL_PERTITLE_EVAL not set: the title to measure the per-title analysis on")
	}
	cache := os.Getenv("REEL_PERTITLE_EVAL_CACHE")
	if cache == "" {
		cache = t.TempDir()
	}
	nTruth := 4
	if v := os.Getenv("REEL_PERTITLE_EVAL_TRUTH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		nTruth = n
	}
	want := func(stage string) bool {
		v := os.Getenv("REEL_PERTITLE_EVAL_STAGES")
		return v == "" || slices.Contains(strings.Split(v, ","), stage)
	}
	_, m := trialEnv(t)
	info, err := m.Probe(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	video := info.Video()
	var shots []workflows.Shot
	if f := os.Getenv("REEL_PERTITLE_EVAL_SHOTS"); f != "" {
		shots = readShotsTSV(t, f)
	}
	prof := profile.Default()
	if fp := os.Getenv("REEL_PERTITLE_EVAL_PRESET"); fp != "" {
		prof.Ladder.Defaults.Preset = fp
	}
	an := prof.Ladder.PerTitle.Analysis
	req := workflows.TitleRequest{Source: src, Profile: prof}
	chunks := workflows.PlanChunks(req, video, shots)
	spans := make([]ladder.ShotSpan, len(chunks))
	for i, c := range chunks {
		spans[i] = ladder.ShotSpan{Start: c.StartFrame, Frames: c.Frames}
	}
	full, err := workflows.TrialGrid(prof, video)
	if err != nil {
		t.Fatal(err)
	}
	preset := profile.AnalysisPreset(an.Preset, full[0].Preset)
	fastGrid := workflows.AnalysisGrid(full, an.CRFs, preset)
	window := int(math.Floor(an.ChunkSeconds*video.FPS + 1e-9))
	ranges := workflows.ChunkWindows(spans, window)
	calChunks := workflows.CalibrationChunks(len(ranges), an.Calibrate)
	t.Logf("%s: %d frames at %g fps, %d shots, %d chunks; full grid %d points (preset %s), fast grid %d (preset %s, every %d frames), windows of %d frames, calibration chunks %v",
		src, video.FrameCount, video.FPS, len(shots), len(chunks), len(full), full[0].Preset, len(fastGrid), preset, an.VMAFEvery, window, calChunks)

	truthChunks := evalTruthChunks(len(ranges), calChunks, nTruth)
	if v := os.Getenv("REEL_PERTITLE_EVAL_TRUTH_CHUNKS"); v != "" {
		truthChunks = nil
		for _, f := range strings.Split(v, ",") {
			c, err := strconv.Atoi(f)
			if err != nil || c < 0 || c >= len(ranges) {
				t.Fatalf("REEL_PERTITLE_EVAL_TRUTH_CHUNKS: %q", f)
			}
			truthChunks = append(truthChunks, c)
		}
	}
	// The chunks measured: by default the calibration and truth chunks
	// alone (the fast stage's and the encode's costs are extrapolated
	// from them to the title by frames and chunks); every chunk with
	// REEL_PERTITLE_EVAL_ALL.
	sub := slices.Sorted(slices.Values(slices.Concat(calChunks, truthChunks)))
	sub = slices.Compact(sub)
	if os.Getenv("REEL_PERTITLE_EVAL_ALL") != "" {
		sub = nil
		for c := range ranges {
			sub = append(sub, c)
		}
	}
	subFrames := 0
	for _, c := range sub {
		subFrames += chunks[c].Frames
	}
	t.Logf("chunks measured %v (%d frames of %d), truth chunks %v", sub, subFrames, video.FrameCount, truthChunks)

	// The final encode's cost: the measured chunks at six rungs of a
	// typical ladder, final preset, one decode per chunk as EncodeChunk
	// does; scaled to the title by frames.
	var encodeSeconds, encodeCPU float64
	if want("encode") {
		c0, t0 := cpuSeconds(), time.Now()
		dir := t.TempDir()
		var rungs []media.RungSpec
		for i, h := range []int{234, 360, 432, 540, 720, 720} {
			w := (h*16/9 + 1) &^ 1
			rungs = append(rungs, media.RungSpec{ID: "r" + strconv.Itoa(i), Width: w, Height: h, Codec: "h264", CRF: float64(20 + 3*(5-i)), Preset: full[0].Preset, GOPFrames: full[0].GOPFrames})
		}
		for _, c := range sub {
			_, err := m.EncodeChunk(context.Background(), src, encoder.ChunkOptions{StartFrame: chunks[c].StartFrame, Frames: chunks[c].Frames, Rungs: rungs,
				OutputPath: func(r media.RungSpec) string { return filepath.Join(dir, r.ID+".mp4") }})
			if err != nil {
				t.Fatal(err)
			}
		}
		scale := float64(video.FrameCount) / float64(subFrames)
		encodeSeconds, encodeCPU = time.Since(t0).Seconds()*scale, (cpuSeconds()-c0)*scale
		t.Logf("final encode proxy: %d frames × 6 rungs at %s, scaled ×%.2f to the title: %.1f s wall, %.1f CPU s", subFrames, full[0].Preset, scale, encodeSeconds, encodeCPU)
	}
	// Called directly, not through the test environment, whose activities
	// time out after 10 minutes (a calibration range on a loaded machine
	// takes longer); heartbeats are then skipped.
	acts := New(m, nil)
	run := func(in workflows.TrialEncodeInput) workflows.TrialEncodeOutput {
		t.Helper()
		out, err := acts.TrialEncode(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var stages []evalStage
	timed := func(name string, ins []workflows.TrialEncodeInput, scale float64) []workflows.TrialEncodeOutput {
		if !want(name) {
			return nil
		}
		t0, c0 := time.Now(), cpuSeconds()
		var outs []workflows.TrialEncodeOutput
		st := evalStage{Name: name, Scale: scale}
		for _, in := range ins {
			o := run(in)
			outs = append(outs, o)
			st.Ranges += len(in.Ranges)
			for _, r := range in.Ranges {
				st.Frames += r.Frames
			}
			st.Points = len(in.Grid)
			st.Reused += o.Reused
		}
		st.Seconds, st.CPUSeconds = time.Since(t0).Seconds(), cpuSeconds()-c0
		stages = append(stages, st)
		t.Logf("stage %s: %.1f s wall, %.1f CPU s, %d ranges, %d frames, %d grid points (%d results reused from the cache); ×%.2f for the title",
			name, st.Seconds, st.CPUSeconds, st.Ranges, st.Frames, st.Points, st.Reused, scale)
		return outs
	}
	// The calibration, then the fast trials (as the workflow orders them).
	pos := map[int]int{} // chunk → its place in sub
	for i, c := range sub {
		pos[c] = i
	}
	// REEL_PERTITLE_EVAL_CAL and _FAST restrict the calibration and fast
	// stages to listed chunks, to spread them over processes (a loaded
	// machine shares its CPUs per process); a last run with all stages
	// cached then measures the accuracy.
	only := func(env string, all []int) []int {
		v := os.Getenv(env)
		if v == "" {
			return all
		}
		var out []int
		for _, f := range strings.Split(v, ",") {
			c, err := strconv.Atoi(f)
			if err != nil || !slices.Contains(all, c) {
				t.Fatalf("%s: %q is not one of %v", env, f, all)
			}
			out = append(out, c)
		}
		return out
	}
	var calIns []workflows.TrialEncodeInput
	for _, c := range only("REEL_PERTITLE_EVAL_CAL", calChunks) {
		calIns = append(calIns, workflows.TrialEncodeInput{Source: src, Ranges: ranges[c : c+1], Grid: full, Cache: cache, VMAFEvery: an.VMAFEvery})
	}
	calOuts := timed("calibration", calIns, 1)
	var subRanges []workflows.TrialRange
	for _, c := range only("REEL_PERTITLE_EVAL_FAST", sub) {
		subRanges = append(subRanges, ranges[c])
	}
	var fastIns []workflows.TrialEncodeInput
	for lo := 0; lo < len(subRanges); lo += 4 {
		fastIns = append(fastIns, workflows.TrialEncodeInput{Source: src, Ranges: subRanges[lo:min(lo+4, len(subRanges))], Grid: fastGrid, Cache: cache, VMAFEvery: an.VMAFEvery})
	}
	fastOuts := timed("fast", fastIns, float64(len(ranges))/float64(len(sub)))
	var truthIns []workflows.TrialEncodeInput
	for _, c := range truthChunks {
		truthIns = append(truthIns, workflows.TrialEncodeInput{Source: src, Ranges: ranges[c : c+1], Grid: full, Cache: cache})
	}
	truthOuts := timed("truth", truthIns, 0)
	cplx, cplxCPU := reportCost(t, stages, encodeSeconds, encodeCPU)
	if len(calOuts) != len(calChunks) || len(subRanges) != len(sub) || len(truthOuts) == 0 {
		t.Log("a stage left out: no accuracy")
		return
	}
	var cal []workflows.Calibrated
	for k, c := range calChunks {
		cal = append(cal, workflows.Calibrated{Chunk: pos[c], Out: calOuts[k]})
	}
	fast := workflows.MergeTrials(fastOuts)
	mapped, points, err := workflows.MapAnalysis(fast, cal, full)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range points {
		t.Logf("calibration %dx%d CRF %g: log bits %+.3f, VMAF %+.2f; |dVMAF| raw %.2f fit %.2f", p.Width, p.Height, p.CRF, p.LogBits, p.VMAF, p.RawVMAFError, p.FitVMAFError)
	}

	// Accuracy per (chunk, grid point): mapped and raw (the fast curve
	// alone) against the truth.
	type acc struct {
		N                              int
		MappedVMAF, RawVMAF            float64 // mean |predicted − measured|
		MappedBits, RawBits            float64 // mean |ln(predicted/measured)|
		MappedVMAFBias, MappedBitsBias float64
		BDRateMean, BDRateAbs          float64 // per chunk and size, mapped curve against the measured one
		BDN                            int
		HullBDRate                     float64 // the truth chunks' title hull, mapped against measured
	}
	var a acc
	var hullTruth, hullMapped []workflows.TrialResult
	for k, c := range truthChunks {
		tr := truthOuts[k]
		for g, p := range full {
			ts := tr.Results[g].Shots[0]
			ms := mapped.Results[g].Shots[pos[c]]
			var fastSamples []ladder.CRFSample
			for _, r := range fast.Results {
				if r.Width == p.Width && r.Height == p.Height {
					fastSamples = append(fastSamples, ladder.CRFSample{CRF: r.CRF, Bits: r.Shots[pos[c]].Bits, VMAF: r.Shots[pos[c]].VMAF})
				}
			}
			curve, err := ladder.NewCRFCurve(fastSamples)
			if err != nil {
				t.Fatal(err)
			}
			rb, rv := curve.At(p.CRF)
			a.N++
			a.MappedVMAF += math.Abs(ms.VMAF - ts.VMAF)
			a.MappedVMAFBias += ms.VMAF - ts.VMAF
			a.RawVMAF += math.Abs(rv - ts.VMAF)
			a.MappedBits += math.Abs(math.Log(ms.Bits / ts.Bits))
			a.MappedBitsBias += math.Log(ms.Bits / ts.Bits)
			a.RawBits += math.Abs(math.Log(rb / ts.Bits))
		}
		// BD-rate per size over the CRF points.
		for _, sz := range tr.Sizes("h264", 1<<30) {
			var rt, rm []ladder.RDPoint
			for g, p := range full {
				if p.Width == sz.Width && p.Height == sz.Height {
					rt = append(rt, ladder.RDPoint{Rate: tr.Results[g].Shots[0].Bits, Quality: tr.Results[g].Shots[0].VMAF})
					rm = append(rm, ladder.RDPoint{Rate: mapped.Results[g].Shots[pos[c]].Bits, Quality: mapped.Results[g].Shots[pos[c]].VMAF})
				}
			}
			bd, err := ladder.BDRate(rt, rm)
			if err != nil {
				t.Logf("chunk %d %dx%d: BD-rate: %v", c, sz.Width, sz.Height, err)
				continue
			}
			a.BDRateMean += bd
			a.BDRateAbs += math.Abs(bd)
			a.BDN++
		}
		if k == 0 {
			hullTruth = make([]workflows.TrialResult, len(full))
			hullMapped = make([]workflows.TrialResult, len(full))
			for g, p := range full {
				hullTruth[g].TrialPoint, hullMapped[g].TrialPoint = p, p
			}
		}
		for g := range full {
			hullTruth[g].Shots = append(hullTruth[g].Shots, tr.Results[g].Shots[0])
			hullMapped[g].Shots = append(hullMapped[g].Shots, mapped.Results[g].Shots[pos[c]])
		}
	}
	if a.N > 0 {
		n := float64(a.N)
		a.MappedVMAF /= n
		a.RawVMAF /= n
		a.MappedBits /= n
		a.RawBits /= n
		a.MappedVMAFBias /= n
		a.MappedBitsBias /= n
	}
	if a.BDN > 0 {
		a.BDRateMean /= float64(a.BDN)
		a.BDRateAbs /= float64(a.BDN)
	}
	if len(hullTruth) > 0 {
		ot := workflows.TrialEncodeOutput{FPS: video.FPS, Results: hullTruth}
		om := workflows.TrialEncodeOutput{FPS: video.FPS, Results: hullMapped}
		for i := range ot.Results {
			ot.Results[i].Estimate(video.FPS)
			om.Results[i].Estimate(video.FPS)
		}
		ht, err1 := ladder.Hull(ot.Points())
		hm, err2 := ladder.Hull(om.Points())
		if err1 == nil && err2 == nil {
			if bd, err := ladder.BDRate(ladder.RD(ht), ladder.RD(hm)); err == nil {
				a.HullBDRate = bd
			} else {
				t.Logf("hull BD-rate: %v", err)
			}
		}
	}
	t.Logf("accuracy over %d (chunk, grid point) pairs of chunks %v: mean |predicted − measured| VMAF %.3f mapped (bias %+.3f), %.3f fast curve alone; mean |ln bits ratio| %.3f mapped (bias %+.3f), %.3f fast alone; BD-rate of the mapped curves per chunk and size: mean %+.2f%%, mean |.| %.2f%% (%d curves); truth chunks' hull: %+.2f%%",
		a.N, truthChunks, a.MappedVMAF, a.MappedVMAFBias, a.RawVMAF, a.MappedBits, a.MappedBitsBias, a.RawBits, 100*a.BDRateMean, 100*a.BDRateAbs, a.BDN, 100*a.HullBDRate)

	if out := os.Getenv("REEL_PERTITLE_EVAL_OUT"); out != "" {
		b, _ := json.MarshalIndent(map[string]any{"stages": stages, "accuracy": a, "calibration": points, "truth_chunks": truthChunks,
			"calibration_chunks": calChunks, "chunks": len(chunks), "encode_seconds": encodeSeconds, "complexity_seconds": cplx, "encode_cpu_seconds": encodeCPU, "complexity_cpu_seconds": cplxCPU,
			"fast_preset": preset, "final_preset": full[0].Preset}, "", "  ")
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readShotsTSV reads bench/pertitle.sh's NAME.shots.tsv: a header, then
// index, first frame, frames, … per shot.
func readShotsTSV(t *testing.T, path string) []workflows.Shot {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []workflows.Shot
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		if line == 0 {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) < 3 {
			continue
		}
		first, err1 := strconv.Atoi(fs[1])
		frames, err2 := strconv.Atoi(fs[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s line %d: %q", path, line+1, sc.Text())
		}
		out = append(out, workflows.Shot{Start: first, End: first + frames, Confidence: 1})
	}
	return out
}

// evalStage is one timed stage of TestPerTitleAnalysisEval.
type evalStage struct {
	Name                   string
	Seconds, CPUSeconds    float64
	Scale                  float64 // to the whole title (0: not part of the complexity stage)
	Ranges, Frames, Points int
	Reused                 int
}

// reportCost logs the complexity stage's cost (calibration and fast)
// against the final encode's, in wall and in CPU seconds (the process's,
// which other processes on a loaded machine do not inflate).
func reportCost(t *testing.T, stages []evalStage, encodeSeconds, encodeCPU float64) (wall, cpu float64) {
	t.Helper()
	for _, s := range stages {
		wall += s.Seconds * s.Scale
		cpu += s.CPUSeconds * s.Scale
	}
	if encodeSeconds > 0 && wall > 0 {
		t.Logf("complexity stage for the title (calibration + fast, scaled) %.1f s wall, %.1f CPU s; final encode %.1f s wall, %.1f CPU s: %.2fx wall, %.2fx CPU",
			wall, cpu, encodeSeconds, encodeCPU, wall/encodeSeconds, cpu/encodeCPU)
	}
	return wall, cpu
}

// evalTruthChunks picks n chunks of total, not calibration ones, spread
// over the title.
func evalTruthChunks(total int, cal []int, n int) []int {
	var out []int
	for _, c := range workflows.CalibrationChunks(total, n+len(cal)+1) {
		if !slices.Contains(cal, c) && len(out) < n {
			out = append(out, c)
		}
	}
	return out
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
