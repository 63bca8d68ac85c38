package activities

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/report"
	"github.com/reel-video/reel/store"
	"github.com/reel-video/reel/vision"
	"github.com/reel-video/reel/workflows"
)

// Defaults of WorstOptions.
const (
	// DefaultWorstMoments is how many worst moments a rung keeps.
	DefaultWorstMoments = 10
	// DefaultWorstFraction is the share of a rung's frames, by lowest
	// VMAF, that its worst moments are made of (the lowest 1%).
	DefaultWorstFraction = 0.01
	// DefaultWorstGapSeconds: worst frames at most this far apart are one
	// moment.
	DefaultWorstGapSeconds = 0.5
	// DefaultThumbnailWidth is the width of the moments' JPEGs.
	DefaultThumbnailWidth = 320
	// DefaultWorstBudget bounds the time spent decoding the moments'
	// pictures (the report stage has 5 minutes in all).
	DefaultWorstBudget = 2 * time.Minute
	// worstDir is where the moments' JPEGs go, under the title's output.
	worstDir = "worst"
)

// WorstOptions configures the worst moments of the report's rungs
// (report.Rung.Worst): the runs of frames among a rung's lowest per-frame
// VMAF, each with a JPEG of its lowest frame in the source and in the rung.
type WorstOptions struct {
	// Moments is the most moments kept per rung, lowest VMAF first.
	// Default: DefaultWorstMoments; negative: none.
	Moments int
	// Fraction of a rung's frames (at least one frame) that are its
	// worst. Default: DefaultWorstFraction.
	Fraction float64
	// GapSeconds: worst frames at most this far apart (at the source's
	// frame rate, at least adjacent frames) join one moment. Default:
	// DefaultWorstGapSeconds.
	GapSeconds float64
	// ThumbnailWidth is the JPEGs' width (the source's, when narrower);
	// their height keeps the source's display aspect ratio. Default:
	// DefaultThumbnailWidth.
	ThumbnailWidth int
	// JPEGQuality is 1–100. Default: 85.
	JPEGQuality int
	// Budget bounds the time spent decoding pictures; the moments left
	// when it runs out have no thumbnails (and the report a warning).
	// Default: DefaultWorstBudget.
	Budget time.Duration
}

func (o WorstOptions) withDefaults() WorstOptions {
	if o.Moments == 0 {
		o.Moments = DefaultWorstMoments
	}
	if o.Fraction <= 0 || o.Fraction > 1 {
		o.Fraction = DefaultWorstFraction
	}
	if o.GapSeconds <= 0 {
		o.GapSeconds = DefaultWorstGapSeconds
	}
	if o.ThumbnailWidth <= 0 {
		o.ThumbnailWidth = DefaultThumbnailWidth
	}
	if o.JPEGQuality <= 0 || o.JPEGQuality > 100 {
		o.JPEGQuality = 85
	}
	if o.Budget <= 0 {
		o.Budget = DefaultWorstBudget
	}
	return o
}

// selectMoments returns the worst moments of a per-frame VMAF series: the
// ⌈fraction·n⌉ lowest-scoring frames (at least one; among equal scores the
// earlier frames), joined into runs where at most gap frames lie between
// two of them, each run's lowest frame (the earliest of equal ones) and
// score; the lowest limit runs, lowest VMAF first (ties: earlier first).
// Frames without a score (NaN) are never among the worst. Seconds, TC
// and the thumbnails are left to the caller.
func selectMoments(vmaf []float64, fraction float64, gap, limit int) []report.Moment {
	var idx []int
	for i, v := range vmaf {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 || limit <= 0 {
		return nil
	}
	k := int(math.Ceil(fraction * float64(len(vmaf))))
	k = max(1, min(len(idx), k))
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(vmaf[a], vmaf[b]) })
	worst := slices.Clone(idx[:k])
	slices.Sort(worst)
	gap = max(gap, 0)
	var out []report.Moment
	for i := 0; i < len(worst); {
		m := report.Moment{StartFrame: worst[i], Frame: worst[i], VMAF: vmaf[worst[i]]}
		j := i
		for j+1 < len(worst) && worst[j+1]-worst[j]-1 <= gap {
			j++
			if v := vmaf[worst[j]]; v < m.VMAF {
				m.Frame, m.VMAF = worst[j], v
			}
		}
		m.EndFrame = worst[j] + 1
		out = append(out, m)
		i = j + 1
	}
	slices.SortStableFunc(out, func(a, b report.Moment) int {
		return cmp.Or(cmp.Compare(a.VMAF, b.VMAF), cmp.Compare(a.Frame, b.Frame))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// frameRate is the source's frame rate as a fraction, from the probe's
// "num/den" (or its FPS); 0, 0 when unknown.
func frameRate(src media.SourceInfo) (num, den int) {
	v := src.Video()
	if v == nil {
		return 0, 0
	}
	if _, err := fmt.Sscanf(v.FrameRate, "%d/%d", &num, &den); err == nil && num > 0 && den > 0 {
		return num, den
	}
	if v.FPS > 0 {
		return int(math.Round(v.FPS * 1000)), 1000
	}
	return 0, 0
}

// thumbSize is the moments' JPEG size for the source: ThumbnailWidth (the
// source's width when narrower) by the height that keeps the source's
// display aspect ratio; 0 height when the source's size is unknown (then
// the source's first picture decides).
func thumbSize(src media.SourceInfo, width int) (int, int) {
	v := src.Video()
	if v == nil || v.Width <= 0 || v.Height <= 0 {
		return width, 0
	}
	dispW := float64(v.Width)
	var n, d int
	if _, err := fmt.Sscanf(v.SampleAspect, "%d:%d", &n, &d); err == nil && n > 0 && d > 0 {
		dispW = dispW * float64(n) / float64(d)
	}
	w := min(width, int(math.Round(dispW)))
	w = max(2, w&^1)
	h := max(2, 2*int(math.Round(float64(v.Height)*float64(w)/dispW/2)))
	return w, h
}

// thumbName is a rung's id as it goes into a file name: letters, digits,
// '.', '_' and '-' kept, anything else '_'.
func thumbName(id string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '_'
	}, id)
}

// worstMoments fills every rung's Worst from its per-frame VMAF, with JPEGs
// of each moment's frame in the source and the rung under <out>/worst/
// (reused when an earlier attempt wrote them after the rung). A picture that cannot be
// had leaves its thumbnail empty and adds a warning to the report; the
// error is for ctx being done or the output failing to take a file.
func (a *Activities) worstMoments(ctx context.Context, in workflows.WriteReportInput, r *report.Report) error {
	o := a.Worst.withDefaults()
	if o.Moments < 0 {
		return nil
	}
	num, den := frameRate(in.Source)
	gap := 1
	if num > 0 {
		gap = max(1, int(math.Round(o.GapSeconds*float64(num)/float64(den))))
	}
	type job struct {
		rung, moment     int
		source, rungJPEG string // relative paths
	}
	var jobs []job
	for i := range r.Rungs {
		rr := &r.Rungs[i]
		rr.Worst = selectMoments(rr.VMAF.PerFrame, o.Fraction, gap, o.Moments)
		for j := range rr.Worst {
			m := &rr.Worst[j]
			if num > 0 {
				m.Seconds = float64(m.Frame) * float64(den) / float64(num)
				m.TC = vision.Timecode(m.Frame, num, den)
			}
			base := fmt.Sprintf("%s/%s-%d-", worstDir, thumbName(rr.ID), m.Frame)
			jobs = append(jobs, job{rung: i, moment: j, source: base + "source.jpg", rungJPEG: base + "rung.jpg"})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	warn := func(format string, args ...any) { r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...)) }
	modTime := func(loc string) (time.Time, bool) {
		l, err := store.ParseLocation(loc)
		if err != nil {
			return time.Time{}, false
		}
		info, err := a.files().Stat(ctx, l)
		return info.ModTime, err == nil
	}
	// Thumbnails an earlier attempt wrote are kept, unless the rung was
	// written again since.
	rungTime := map[int]time.Time{}
	var todo []job
	for _, j := range jobs {
		m := &r.Rungs[j.rung].Worst[j.moment]
		if _, ok := rungTime[j.rung]; !ok && j.rung < len(in.Rungs) {
			rungTime[j.rung], _ = modTime(in.Rungs[j.rung].Path)
		}
		st, sok := modTime(joinLoc(in.Out, j.source))
		rt, rok := modTime(joinLoc(in.Out, j.rungJPEG))
		if sok && rok && !st.Before(rungTime[j.rung]) && !rt.Before(rungTime[j.rung]) {
			m.SourceThumbnail, m.RungThumbnail = j.source, j.rungJPEG
			continue
		}
		todo = append(todo, j)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	if in.Source.URI == "" {
		warn("worst moments: no thumbnails: the source's location is unknown")
		return nil
	}
	dst, err := a.openOut(ctx, in.Out)
	if err != nil {
		return fmt.Errorf("worst moments: %w", err)
	}
	defer dst.close()
	ctx = a.withIO(ctx)
	// Pictures are decoded under the budget; the files are written under
	// ctx.
	gctx, cancel := context.WithTimeout(ctx, o.Budget)
	defer cancel()
	outOfTime := false
	grab := func(input string, frames []int, opts encoder.GrabOptions) ([]encoder.Grab, error) {
		if outOfTime {
			return make([]encoder.Grab, len(frames)), nil // no pictures, warned once
		}
		g, err := a.Media.GrabFrames(gctx, input, frames, opts)
		if err != nil && ctx.Err() == nil && gctx.Err() != nil {
			outOfTime = true
			warn("worst moments: decoding their pictures took longer than %v: the rest have no thumbnails", o.Budget)
			return make([]encoder.Grab, len(frames)), nil
		}
		return g, err
	}
	hb := a.heartbeater(ctx)
	done, total := 0, len(r.Rungs)+1
	hb.beat(true, workflows.ActivityProgress{Done: done, Total: total})

	tw, th := thumbSize(in.Source, o.ThumbnailWidth)
	var frames []int
	for _, j := range todo {
		frames = append(frames, r.Rungs[j.rung].Worst[j.moment].Frame)
	}
	srcGrabs, err := grab(in.Source.URI, frames, encoder.GrabOptions{Width: tw, Height: th})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		warn("worst moments: no source thumbnails: %v", err)
		srcGrabs = make([]encoder.Grab, len(frames)) // no picture, warned once
	}
	if th == 0 {
		for _, g := range srcGrabs {
			if g.Frame != nil {
				tw, th = g.Frame.Width, g.Frame.Height
				break
			}
		}
	}
	hd := hdMatrix(in.Source)
	write := func(rel string, g encoder.Grab, what string, m *report.Moment, rungID string) (string, error) {
		if g.Err != nil || g.Frame == nil {
			if g.Err != nil {
				warn("worst moment of rung %s at frame %d: no %s thumbnail: %v", rungID, m.Frame, what, g.Err)
			}
			return "", nil
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, frameImage(g.Frame, hd), &jpeg.Options{Quality: o.JPEGQuality}); err != nil {
			warn("worst moment of rung %s at frame %d: %s thumbnail: %v", rungID, m.Frame, what, err)
			return "", nil
		}
		if err := dst.writeFile(ctx, rel, buf.Bytes()); err != nil {
			return "", fmt.Errorf("worst moments: %w", err)
		}
		return rel, nil
	}
	done++
	hb.beat(false, workflows.ActivityProgress{Done: done, Total: total})
	for i := range r.Rungs {
		rr := &r.Rungs[i]
		var mine []int // indexes into todo
		for k, j := range todo {
			if j.rung == i {
				mine = append(mine, k)
			}
		}
		if len(mine) > 0 {
			var fr []int
			for _, k := range mine {
				fr = append(fr, frames[k])
			}
			var rungGrabs []encoder.Grab
			var rerr error
			if in.Rungs != nil && i < len(in.Rungs) && in.Rungs[i].Path != "" {
				rungGrabs, rerr = grab(in.Rungs[i].Path, fr, encoder.GrabOptions{Width: tw, Height: th})
			} else {
				rerr = fmt.Errorf("the rung's location is unknown")
			}
			if rerr != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				warn("worst moments: no thumbnails of rung %s: %v", rr.ID, rerr)
				rungGrabs = make([]encoder.Grab, len(fr)) // no picture, warned once
			}
			for n, k := range mine {
				j := todo[k]
				m := &rr.Worst[j.moment]
				var werr error
				if m.SourceThumbnail, werr = write(j.source, srcGrabs[k], "source", m, rr.ID); werr != nil {
					return werr
				}
				if m.RungThumbnail, werr = write(j.rungJPEG, rungGrabs[n], "rung", m, rr.ID); werr != nil {
					return werr
				}
			}
		}
		done++
		hb.beat(false, workflows.ActivityProgress{Done: done, Total: total})
	}
	return ctx.Err()
}

// hdMatrix reports whether the source's pictures use BT.709 colours: as
// tagged, else by size (720 lines and more), as the QC thumbnails assume.
func hdMatrix(src media.SourceInfo) bool {
	v := src.Video()
	if v == nil {
		return false
	}
	switch m := v.ColorMatrix; {
	case strings.Contains(m, "709"):
		return true
	case m == "smpte170m" || m == "bt470bg" || m == "fcc" || m == "smpte240m":
		return false
	}
	return v.Height >= 720
}

// frameImage converts an 8-bit (or deeper: its top 8 bits) planar YCbCr
// frame to RGB, BT.709 or BT.601, in the frame's range (limited unless it
// says full).
func frameImage(f *frame.Frame, hd bool) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, f.Width, f.Height))
	shift := max(f.BitDepth-8, 0)
	full := f.Range == frame.RangeFull
	cw, ch := f.Chroma.ChromaSize(f.Width, f.Height)
	for y := range f.Height {
		for x := range f.Width {
			Y := float64(f.Planes[0].At(x, y) >> shift)
			U, V := 128.0, 128.0
			if f.Chroma != frame.ChromaMono && cw > 0 && ch > 0 {
				cx, cy := x*cw/f.Width, y*ch/f.Height
				U = float64(f.Planes[1].At(cx, cy) >> shift)
				V = float64(f.Planes[2].At(cx, cy) >> shift)
			}
			r, g, b := frame.YCbCrToRGB(Y, U, V, full, hd)
			img.SetRGBA(x, y, color.RGBA{r, g, b, 255})
		}
	}
	return img
}
