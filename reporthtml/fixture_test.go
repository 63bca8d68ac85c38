package reporthtml

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/vmaf"
)

// fixture describes a report to build: a title of frames at fps with
// rungs, per-frame scores, QC events, worst moments, shots and chunks.
type fixture struct {
	frames int
	fps    float64
	rungs  []fixtureRung
	// hostile, when set, goes into every string a reviewer sees: the
	// title id, the source path and metadata, QC details, warnings, the
	// gate's review.
	hostile string
	// thumbs writes JPEG thumbnails for events and worst moments.
	thumbs bool
	// perTitle adds a trial grid, a hull, predictions and a reference.
	perTitle bool
}

type fixtureRung struct {
	id     string
	w, h   int
	kbps   float64
	base   float64 // mean VMAF
	scores bool    // write a scores file with vmaf and psnr_y
}

// memFiles is Files over a map.
type memFiles map[string][]byte

func (m memFiles) ReadFile(_ context.Context, rel string) ([]byte, error) {
	b, ok := m[rel]
	if !ok {
		return nil, fmt.Errorf("%s: %w", rel, fs.ErrNotExist)
	}
	return b, nil
}

func (m memFiles) write(t testing.TB, dir, rel string, b []byte) {
	t.Helper()
	m[rel] = b
	if dir == "" {
		return
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// jpegOf is a small JPEG with a colour of its own per seed.
func jpegOf(t testing.TB, seed int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 54))
	for y := range 54 {
		for x := range 96 {
			img.Set(x, y, color.RGBA{uint8(seed * 40), uint8(x * 2), uint8(y * 4), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func timecode(frame int, fps float64) string {
	r := int(math.Round(fps))
	s := frame / r
	return fmt.Sprintf("%02d:%02d:%02d:%02d", s/3600, s/60%60, s%60, frame%r)
}

// build makes the report and its files (the scores files, thumbnails):
// under dir when dir is set, and always in the returned memFiles.
func (f fixture) build(t testing.TB, dir string) (*report.Report, memFiles) {
	t.Helper()
	files := memFiles{}
	h := f.hostile
	rng := rand.New(rand.NewPCG(1, 2))
	dur := float64(f.frames) / f.fps
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Title:         report.Title{ID: "title-" + h, Source: "/media/src/" + h + ".mov", Out: "/out/" + h, WorkflowID: "wf-" + h, RunID: "run"},
		Profile:       "default" + h,
		Source: media.SourceInfo{URI: "/media/src/" + h + ".mov", Container: "mov,mp4" + h, ContainerLong: "QuickTime / MOV" + h,
			DurationSeconds: dur, Streams: []media.StreamInfo{
				{Index: 0, Type: "video", Codec: "prores" + h, Profile: "HQ" + h, Width: 1920, Height: 1080, FrameRate: "25/1", FPS: f.fps,
					FrameCount: f.frames, FieldOrder: "tt", ColorTransfer: "smpte2084", PixelFormat: "yuv422p10le" + h},
				{Index: 1, Type: "audio", Codec: "pcm_s24le" + h, Channels: 2, ChannelLayout: "stereo" + h, SampleRate: 48000},
			}},
		Timings:   map[string]float64{"probe": 0.4, "encode": 120.5, "score": 60.25},
		Warnings:  []string{"source is interlaced" + h},
		CreatedAt: "2026-12-07T00:00:00Z",
	}
	// Shots every ~4 s, chunks every 2 shots.
	var chunkStarts []int
	for s := 0; s < f.frames; s += int(4 * f.fps) {
		end := min(f.frames, s+int(4*f.fps))
		r.Shots = append(r.Shots, report.Shot{Start: s, End: end, Confidence: 0.9, Kind: "cut"})
	}
	r.Chunks = &report.Chunks{}
	for i := 0; i < len(r.Shots); i += 2 {
		start := r.Shots[i].Start
		end := r.Shots[min(i+1, len(r.Shots)-1)].End
		r.Chunks.Plan = append(r.Chunks.Plan, report.ChunkSpan{Start: start, Frames: end - start})
		chunkStarts = append(chunkStarts, start)
	}
	r.Chunks.Count = len(r.Chunks.Plan)

	event := func(check, sev string, start, end int, thumb string) report.QCEvent {
		return report.QCEvent{Check: check, Severity: sev, StartFrame: start, EndFrame: end,
			StartTC: timecode(start, f.fps), EndTC: timecode(end, f.fps), Start: float64(start) / f.fps, End: float64(end) / f.fps,
			Value: float64(end-start) / f.fps, Threshold: 0.5, Detail: "detail of " + check + h, Thumbnail: thumb}
	}
	thumb := func(name string, seed int) string {
		if !f.thumbs {
			return ""
		}
		rel := "qc/thumbs/" + name + ".jpg"
		files.write(t, dir, rel, jpegOf(t, seed))
		return rel
	}
	at := func(frac float64) int { return int(frac * float64(f.frames)) }
	r.QC = &report.QC{Source: &report.QCStream{Path: "qc/source.json", Frames: f.frames, Events: []report.QCEvent{
		event("black"+h, "warning", at(0.05), at(0.1), thumb("black", 1)),
		event("freeze", "blocker", at(0.6), at(0.65), thumb("freeze", 2)),
		event("loudness", "info", 0, f.frames, ""),
	}, Audio: &report.QCAudio{Channels: 2, SampleRate: 48000, IntegratedLUFS: -23.1, LoudnessRangeLU: 7.5, TruePeakDBTP: -1.2}},
		Rungs: map[string]*report.QCStream{}, Summary: map[string]int{}}
	for i, g := range f.rungs {
		r.QC.Rungs[g.id] = &report.QCStream{Path: "qc/" + g.id + ".json", Frames: f.frames, Events: []report.QCEvent{
			event("blockiness", "warning", at(0.3+0.1*float64(i)), at(0.32+0.1*float64(i)), thumb("blocky-"+g.id, 3+i)),
		}}
	}
	for _, q := range append([]*report.QCStream{r.QC.Source}, mapValues(r.QC.Rungs)...) {
		for _, e := range q.Events {
			r.QC.Summary[e.Severity]++
		}
	}
	r.Gate = &report.Gate{Mode: "hold", State: "approved", HeldSince: "2026-12-06T23:00:00Z",
		Blockers: []report.GateBlocker{{Check: "freeze", Stream: "source", StartFrame: at(0.6), EndFrame: at(0.65),
			StartTC: timecode(at(0.6), f.fps), EndTC: timecode(at(0.65), f.fps), Value: 2, Threshold: 0.5, Detail: "frozen" + h}},
		Review: &report.GateReview{Decision: "approve", By: "ana" + h, Note: "intended freeze" + h, At: "2026-12-06T23:30:00Z"}}

	lad := &report.Ladder{Mode: "fixed"}
	if f.perTitle {
		lad.Mode, lad.PerShot = "per-title", true
		lad.Trials = &report.Trials{FPS: f.fps, ScoreWidth: 1920, ScoreHeight: 1080, Model: "vmaf_v0.6.1",
			Sample: []report.TrialRange{{Shot: 0, Start: 0, Frames: 50, Weight: float64(f.frames)}}}
		for _, res := range [][2]int{{640, 360}, {1280, 720}, {1920, 1080}} {
			for _, crf := range []float64{18, 24, 30, 36} {
				kbps := float64(res[0]*res[1]) / 400 * math.Pow(2, (30-crf)/6)
				q := 100 - 8*math.Log2(1+1e6/float64(res[0]*res[1]))*(crf/30)
				lad.Trials.Grid = append(lad.Trials.Grid, report.GridPoint{LadderPoint: report.LadderPoint{Width: res[0], Height: res[1], Codec: "h264", CRF: crf, BitrateKbps: kbps, VMAF: q}})
			}
		}
		// The hull: the best point at each bitrate, in order (the grid is
		// made so that every resolution's points are on it here).
		for _, g := range lad.Trials.Grid {
			if g.Width == 1280 || (g.Width == 640 && g.CRF >= 30) || (g.Width == 1920 && g.CRF <= 18) {
				lad.Hull = append(lad.Hull, g.LadderPoint)
			}
		}
		lad.Reference = &report.Reference{Name: "apple" + h, Rungs: []report.ReferenceRung{
			{Width: 640, Height: 360, BitrateKbps: 730, PredictedVMAF: 70, Predicted: true},
			{Width: 1280, Height: 720, BitrateKbps: 3000, PredictedVMAF: 88, Predicted: true},
			{Width: 1920, Height: 1080, BitrateKbps: 6000, PredictedVMAF: 93, Predicted: true},
			{Width: 1920, Height: 1080, BitrateKbps: 99000, Predicted: false},
		}}
		bd := -0.18
		lad.Reference.BDRatePredicted = &bd
		lad.Reference.BDRateMeasuredError = "too few points" + h
	}
	for i, g := range f.rungs {
		vm := make([]float64, f.frames)
		ps := make([]float64, f.frames)
		for k := range vm {
			v := g.base + 3*math.Sin(float64(k)/(3*f.fps)) + rng.NormFloat64()
			if k%(int(f.fps)*37) == 11 { // a dip now and then
				v -= 25
			}
			vm[k] = min(100, max(0, v))
			ps[k] = 30 + vm[k]/10 + rng.Float64()
		}
		rg := report.Rung{ID: g.id, Path: g.id + ".mp4", Width: g.w, Height: g.h, Codec: "h264" + h, BitrateKbps: g.kbps,
			Frames: f.frames, DurationSec: dur, VMAF: report.VMAF{Mean: mean(vm), PerFrame: vm}}
		if g.scores {
			rg.ScoresPath = "scores/" + g.id + ".json"
			res := &vmaf.Result{FPS: math.NaN()}
			for k := range vm {
				var m vmaf.Metrics
				m.Set("psnr_y", ps[k])
				m.Set("vmaf", vm[k])
				res.Frames = append(res.Frames, vmaf.FrameResult{Num: k, Metrics: m})
			}
			var buf bytes.Buffer
			if err := vmaf.WriteJSON(&buf, res); err != nil {
				t.Fatal(err)
			}
			files.write(t, dir, rg.ScoresPath, buf.Bytes())
		}
		// Worst moments: the three lowest frames.
		for n := range 3 {
			lo := -1
			for k := range vm {
				if (lo < 0 || vm[k] < vm[lo]) && !worstHas(rg.Worst, k) {
					lo = k
				}
			}
			m := report.Moment{StartFrame: max(0, lo-2), EndFrame: min(f.frames, lo+3), Frame: lo, VMAF: vm[lo],
				Seconds: float64(lo) / f.fps, TC: timecode(lo, f.fps)}
			if f.thumbs {
				m.SourceThumbnail = fmt.Sprintf("worst/%s-%d-source.jpg", g.id, n)
				m.RungThumbnail = fmt.Sprintf("worst/%s-%d-rung.jpg", g.id, n)
				files.write(t, dir, m.SourceThumbnail, jpegOf(t, n))
				files.write(t, dir, m.RungThumbnail, jpegOf(t, n+3))
			}
			rg.Worst = append(rg.Worst, m)
		}
		r.Rungs = append(r.Rungs, rg)
		lr := report.LadderRung{ID: g.id, Width: g.w, Height: g.h, Codec: "h264", CRF: 24 + float64(i),
			PredictedKbps: g.kbps * 1.05, PredictedVMAF: g.base + 1, MeasuredKbps: g.kbps, MeasuredVMAF: rg.VMAF.Mean}
		for c := range chunkStarts {
			lr.ChunkCRFs = append(lr.ChunkCRFs, lr.CRF+float64(c%5)-2)
		}
		lad.Rungs = append(lad.Rungs, lr)
	}
	r.Ladder = lad
	return r, files
}

func worstHas(ms []report.Moment, frame int) bool {
	for _, m := range ms {
		if m.Frame == frame {
			return true
		}
	}
	return false
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
