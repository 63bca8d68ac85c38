package vision

import "github.com/reel-video/reel/frame"

// blockDetector computes ffmpeg's blockdetect score (Muijs & Kirenko 2005,
// libavfilter/vf_blockdetect.c, planes=1: luma only) for a stream of frames.
//
// Per pixel, the gradient to the next pixel is divided by the sum of the six
// neighbouring gradients (at least 1); these normalised gradients are summed
// per column (horizontal pass) and per row (vertical pass), and for every
// period p in [PeriodMin, PeriodMax] the mean of the sums on the grid lines
// (the maximum of the line and its two neighbours) over the mean of the
// other lines is a candidate score; the frame's score is the largest.
//
// ffmpeg keeps the per-column and per-row sums in the first row and column
// of a buffer it never clears, so they accumulate over all frames seen so
// far: the score of frame n describes frames 0..n. blockDetector keeps the
// same running sums, in float32 and in ffmpeg's order of additions, so its
// scores are the same numbers ffmpeg prints.
type blockDetector struct {
	periodMin, periodMax int
	colAcc, rowAcc       []float32 // ffmpeg's grad[i] and grad[j*w]
	d                    []int32   // scratch: gradients of one row
	dv                   [][]int32 // scratch: 8 rows of vertical gradients
	win                  []int32   // scratch: column sums of 7 dv rows
	q                    []float32 // scratch: one row's normalised gradients
	row8                 []uint8   // scratch: top 8 bits of a deep row
}

func newBlockDetector(periodMin, periodMax int) *blockDetector {
	return &blockDetector{periodMin: periodMin, periodMax: periodMax}
}

// row8Of returns luma row y as 8-bit samples (deeper samples keep their top
// 8 bits: blockdetect itself accepts 8-bit formats only).
func row8Of(p *frame.Plane, y, shift int, buf []uint8) []uint8 {
	if p.Pix8 != nil {
		return p.Row8(y)
	}
	for x, v := range p.Row16(y) {
		buf[x] = uint8(v >> shift)
	}
	return buf
}

// absDiffRowGo is the portable absDiffRow.
func absDiffRowGo(dst []int32, a, b []uint8) {
	b = b[:len(a)]
	dst = dst[:len(a)]
	for i, v := range a {
		d := int32(v) - int32(b[i])
		m := d >> 31
		dst[i] = (d ^ m) - m
	}
}

// score returns blockdetect's value for f (after updating the running sums).
func (b *blockDetector) score(f *frame.Frame) float32 {
	p := &f.Planes[0]
	w, h := p.Width, p.Height
	if w < 8 || h < 8 {
		return 0
	}
	shift := f.BitDepth - 8
	if len(b.colAcc) != w || len(b.rowAcc) != h {
		b.colAcc = make([]float32, w)
		b.rowAcc = make([]float32, h)
		b.d = make([]int32, w)
		b.dv = make([][]int32, 8)
		for k := range b.dv {
			b.dv[k] = make([]int32, w)
		}
		b.win = make([]int32, w)
		b.q = make([]float32, w)
		b.row8 = make([]uint8, 2*w)
	}
	// Horizontal pass: rows 1..h-1, columns 3..w-5.
	d := b.d
	acc := b.colAcc
	for j := 1; j < h; j++ {
		r := row8Of(p, j, shift, b.row8[:w])
		absDiffRow(d[:w-1], r[:w-1], r[1:])
		blockHoriz(d[:w-1], acc, 3, w-4)
	}
	ret := periodScore(acc, 3, w-4, b.periodMin, b.periodMax, 0)

	// Vertical pass: rows 3..h-5, columns 1..w-1; dv[k%8] holds the
	// gradient between rows k and k+1.
	dv := b.dv
	rowAt := func(y int, buf []uint8) []uint8 { return row8Of(p, y, shift, buf) }
	fill := func(k int) {
		absDiffRow(dv[k&7], rowAt(k, b.row8[:w]), rowAt(k+1, b.row8[w:2*w]))
	}
	win := b.win
	for k := 0; k < 7; k++ { // rows 0..6: the window for j=3
		fill(k)
		for i, v := range dv[k&7] {
			if k == 0 {
				win[i] = v
			} else {
				win[i] += v
			}
		}
	}
	q := b.q
	for j := 3; j < h-4; j++ {
		if j > 3 {
			fill(j + 3)
			old, nw := dv[(j-4)&7], dv[(j+3)&7]
			for i := range win {
				win[i] += nw[i] - old[i]
			}
		}
		blockVert(dv[j&7], win, q)
		// ffmpeg sums the row in column order; a zero gradient adds +0.
		a := b.rowAcc[j]
		for _, v := range q[1:] {
			a += v
		}
		b.rowAcc[j] = a
	}
	return periodScore(b.rowAcc, 3, h-4, b.periodMin, b.periodMax, ret)
}

// blockHorizGo adds, for columns from ≤ i < to, g/max(1, t) to acc[i]
// where g = d[i] and t is the sum of d[i−3..i+3] without d[i].
func blockHorizGo(d []int32, acc []float32, from, to int) {
	for i := from; i < to; i++ {
		g := d[i]
		if g == 0 {
			continue // 0/t adds +0: the sum is unchanged
		}
		t := d[i-3] + d[i-2] + d[i-1] + d[i+1] + d[i+2] + d[i+3]
		acc[i] += float32(g) / float32(max(t, 1))
	}
}

// blockVertGo sets q[i] = cur[i] / max(1, win[i] − cur[i]).
func blockVertGo(cur, win []int32, q []float32) {
	for i := range q {
		q[i] = float32(cur[i]) / float32(max(win[i]-cur[i], 1))
	}
}

// periodScore is blockdetect's period search over acc[from:to]: for each
// period, (mean of max(acc[i-1..i+1]) on grid lines) / (mean of acc[i]
// elsewhere), maximised together with ret.
func periodScore(acc []float32, from, to, pmin, pmax int, ret float32) float32 {
	for period := pmin; period <= pmax; period++ {
		var block, nonblock float32
		var nb, nn int
		for i := from; i < to; i++ {
			if i%period == period-1 {
				block += max(acc[i], acc[i+1], acc[i-1])
				nb++
			} else {
				nonblock += acc[i]
				nn++
			}
		}
		if nb > 0 && nn > 0 {
			t := (block / float32(nb)) / (nonblock / float32(nn))
			if !(ret > t) { // FFMAX(ret, t), NaN included
				ret = t
			}
		}
	}
	return ret
}
