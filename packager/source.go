package packager

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"

	"github.com/Eyevinn/mp4ff/mp4"
)

// sample is one sample of the input track, in decode order.
type sample struct {
	dts    uint64
	dur    uint32
	cto    int32 // composition offset after the shift that starts presentation at the first dts
	size   uint32
	offset int64 // in the input file
	sync   bool
}

// segment is a planned media segment: samples [first, end) of the track.
type segment struct {
	first, end int
	start      uint64 // earliest presentation time, track timescale
	dur        uint64 // to the next segment's start (or the track's end)
	bytes      int    // encoded size (styp + moof + mdat), set when written
	iframeLen  int    // bytes from the segment's start to the end of its first sample
}

// track is one rendition read and planned.
type track struct {
	r         Rendition
	timescale uint32
	entry     mp4.Box // the input's sample entry, copied into init.mp4
	fourcc    string
	codecs    string
	lang      string

	width, height  int
	sarW, sarH     int
	fpsNum, fpsDen int
	sampleRate     int
	channels       int
	samples        []sample
	segments       []segment
	end            uint64 // presentation end (after the last sample)
	init           []byte
	hdlr           string
}

// seconds converts t in the track's timescale.
func (t *track) seconds(v uint64) float64 { return float64(v) / float64(t.timescale) }

// duration is the track's presentation duration in seconds.
func (t *track) duration() float64 {
	if len(t.samples) == 0 {
		return 0
	}
	return t.seconds(t.end - t.samples[0].dts)
}

// openTrack reads r's file: its moov, sample tables and sample entry.
func openTrack(r Rendition) (*track, error) {
	f, err := os.Open(r.Path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("packager: rendition %q: %s: %w", r.ID, r.Path, ErrMissingRendition)
		}
		return nil, fmt.Errorf("packager: rendition %q: %w", r.ID, err)
	}
	defer f.Close()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("packager: rendition %q: %s: %s: %w", r.ID, r.Path, fmt.Sprintf(format, a...), ErrInvalidInput)
	}
	mf, err := mp4.DecodeFile(f, mp4.WithDecodeMode(mp4.DecModeLazyMdat))
	if err != nil {
		return nil, bad("not an MP4 file (%v)", err)
	}
	if mf.IsFragmented() {
		return nil, bad("fragmented input; a progressive MP4 is expected")
	}
	if mf.Moov == nil {
		return nil, bad("no moov box")
	}
	want := "vide"
	if r.Kind == Audio {
		want = "soun"
	}
	var trak *mp4.TrakBox
	for _, tr := range mf.Moov.Traks {
		if tr.Mdia != nil && tr.Mdia.Hdlr != nil && tr.Mdia.Hdlr.HandlerType == want {
			if trak != nil {
				return nil, bad("more than one %s track", r.Kind)
			}
			trak = tr
		}
	}
	if trak == nil {
		return nil, bad("no %s track", r.Kind)
	}
	t := &track{r: r, timescale: trak.Mdia.Mdhd.Timescale, hdlr: want, lang: trak.Mdia.Mdhd.GetLanguage()}
	if trak.Mdia.Elng != nil {
		t.lang = trak.Mdia.Elng.Language
	}
	if r.Language != "" {
		t.lang = r.Language
	}
	if t.timescale == 0 {
		return nil, bad("timescale 0")
	}
	stbl := trak.Mdia.Minf.Stbl
	if err := t.readEntry(stbl.Stsd); err != nil {
		return nil, err
	}
	if err := t.readSamples(stbl); err != nil {
		return nil, bad("%v", err)
	}
	if len(t.samples) == 0 {
		return nil, bad("no samples")
	}
	if r.Kind == Video {
		if trak.Tkhd != nil {
			// The sample entry has the first chunk's size; tkhd the display size.
			if w, h := int(trak.Tkhd.Width>>16), int(trak.Tkhd.Height>>16); w*h > t.width*t.height {
				t.width, t.height = w, h
			}
		}
		t.frameRate()
	}
	return t, nil
}

// readEntry finds the sample entry and derives the codec string from it.
func (t *track) readEntry(stsd *mp4.StsdBox) error {
	if stsd == nil || len(stsd.Children) == 0 {
		return fmt.Errorf("packager: rendition %q: no sample entry: %w", t.r.ID, ErrInvalidInput)
	}
	if len(stsd.Children) > 1 {
		return fmt.Errorf("packager: rendition %q: %d sample entries, one expected: %w", t.r.ID, len(stsd.Children), ErrInvalidInput)
	}
	t.entry = stsd.Children[0]
	t.fourcc = t.entry.Type()
	codecs, err := codecString(t.entry)
	if err != nil {
		return fmt.Errorf("packager: rendition %q: sample entry %q: %v: %w", t.r.ID, t.fourcc, err, ErrUnsupportedCodec)
	}
	t.codecs = codecs
	switch e := t.entry.(type) {
	case *mp4.VisualSampleEntryBox:
		if t.r.Kind != Video {
			return fmt.Errorf("packager: rendition %q: video sample entry %q in an audio rendition: %w", t.r.ID, t.fourcc, ErrInvalidInput)
		}
		t.width, t.height = int(e.Width), int(e.Height)
		t.sarW, t.sarH = 1, 1
		if e.Pasp != nil && e.Pasp.HSpacing > 0 && e.Pasp.VSpacing > 0 {
			t.sarW, t.sarH = int(e.Pasp.HSpacing), int(e.Pasp.VSpacing)
		}
	case *mp4.AudioSampleEntryBox:
		if t.r.Kind != Audio {
			return fmt.Errorf("packager: rendition %q: audio sample entry %q in a video rendition: %w", t.r.ID, t.fourcc, ErrInvalidInput)
		}
		t.channels = int(e.ChannelCount)
		t.sampleRate = int(e.SampleRate)
		if e.Dops != nil && e.Dops.OutputChannelCount > 0 {
			t.channels = int(e.Dops.OutputChannelCount)
		}
		if t.sampleRate == 0 {
			t.sampleRate = int(t.timescale)
		}
	}
	return nil
}

// readSamples expands the sample tables into t.samples. Composition
// offsets are shifted so that presentation starts at the first decode
// time (CMAF: signed offsets in trun version 1, no edit list needed).
func (t *track) readSamples(stbl *mp4.StblBox) error {
	if stbl.Stts == nil || stbl.Stsz == nil || stbl.Stsc == nil || (stbl.Stco == nil && stbl.Co64 == nil) {
		return errors.New("incomplete sample tables")
	}
	n := int(stbl.Stsz.SampleNumber)
	t.samples = make([]sample, 0, n)
	var dts uint64
	for i, count := range stbl.Stts.SampleCount {
		for range count {
			t.samples = append(t.samples, sample{dts: dts, dur: stbl.Stts.SampleTimeDelta[i], sync: stbl.Stss == nil})
			dts += uint64(stbl.Stts.SampleTimeDelta[i])
		}
	}
	if len(t.samples) != n {
		return fmt.Errorf("stts lists %d samples, stsz %d", len(t.samples), n)
	}
	for i := range t.samples {
		t.samples[i].size = stbl.Stsz.GetSampleSize(i + 1)
	}
	if stbl.Stss != nil {
		for _, nr := range stbl.Stss.SampleNumber {
			if nr == 0 || int(nr) > n {
				return fmt.Errorf("stss names sample %d of %d", nr, n)
			}
			t.samples[nr-1].sync = true
		}
	}
	if stbl.Ctts != nil {
		for i := range t.samples {
			t.samples[i].cto = stbl.Ctts.GetCompositionTimeOffset(uint32(i + 1))
		}
	}
	// Chunk offsets: stsc maps chunks to runs of samples.
	chunkOffset := func(c int) (int64, bool) {
		if stbl.Stco != nil {
			if c < 1 || c > len(stbl.Stco.ChunkOffset) {
				return 0, false
			}
			return int64(stbl.Stco.ChunkOffset[c-1]), true
		}
		if c < 1 || c > len(stbl.Co64.ChunkOffset) {
			return 0, false
		}
		return int64(stbl.Co64.ChunkOffset[c-1]), true
	}
	var nChunks int
	if stbl.Stco != nil {
		nChunks = len(stbl.Stco.ChunkOffset)
	} else {
		nChunks = len(stbl.Co64.ChunkOffset)
	}
	s := 0
	for e, entry := range stbl.Stsc.Entries {
		last := nChunks
		if e+1 < len(stbl.Stsc.Entries) {
			last = int(stbl.Stsc.Entries[e+1].FirstChunk) - 1
		}
		for c := int(entry.FirstChunk); c <= last && s < n; c++ {
			off, ok := chunkOffset(c)
			if !ok {
				return fmt.Errorf("stsc names chunk %d of %d", c, nChunks)
			}
			for range entry.SamplesPerChunk {
				if s >= n {
					break
				}
				t.samples[s].offset = off
				off += int64(t.samples[s].size)
				s++
			}
		}
	}
	if s != n {
		return fmt.Errorf("chunks hold %d of %d samples", s, n)
	}
	// Shift composition so that the earliest presentation is the first dts.
	minPTS := int64(math.MaxInt64)
	var end int64
	for _, x := range t.samples {
		pts := int64(x.dts) + int64(x.cto)
		minPTS = min(minPTS, pts)
		end = max(end, pts+int64(x.dur))
	}
	shift := minPTS - int64(t.samples[0].dts)
	for i := range t.samples {
		t.samples[i].cto -= int32(shift)
	}
	t.end = uint64(end - shift)
	return nil
}

// frameRate is the most common sample duration's rate, as a fraction.
func (t *track) frameRate() {
	count := map[uint32]int{}
	for _, s := range t.samples {
		count[s.dur]++
	}
	var best uint32
	for d, c := range count {
		if c > count[best] || (c == count[best] && d < best) {
			best = d
		}
	}
	if best == 0 {
		return
	}
	g := gcd(int(t.timescale), int(best))
	t.fpsNum, t.fpsDen = int(t.timescale)/g, int(best)/g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pts is sample i's presentation time.
func (t *track) pts(i int) uint64 { return uint64(int64(t.samples[i].dts) + int64(t.samples[i].cto)) }

// plan cuts the track into segments of segDur seconds. Video segments
// start on a key frame within half a frame of each boundary (error if
// there is none); audio segments at the first sample at or after it.
func (t *track) plan(segDur float64) error {
	step := uint64(math.Round(segDur * float64(t.timescale)))
	base := t.samples[0].dts
	if t.r.Kind == Video && !t.samples[0].sync {
		return fmt.Errorf("packager: rendition %q: first frame is not a key frame: %w", t.r.ID, ErrUnalignedKeyFrame)
	}
	// Tolerance: half the shortest sample duration.
	minDur := uint64(math.MaxUint64)
	for _, s := range t.samples {
		if s.dur > 0 {
			minDur = min(minDur, uint64(s.dur))
		}
	}
	if minDur == math.MaxUint64 {
		minDur = 1
	}
	tol := max(minDur/2, 1)
	var cuts []int
	cuts = append(cuts, 0)
	n := len(t.samples)
	i := 1
	for k := uint64(1); ; k++ {
		target := base + k*step
		// A tail shorter than a quarter segment (audio priming and
		// padding, a rung's last frames) joins the segment before it.
		if target+max(tol, step/4) >= t.end {
			break
		}
		switch t.r.Kind {
		case Video:
			// The key frame closest to target among those after the last cut.
			j := -1
			for ; i < n; i++ {
				if !t.samples[i].sync {
					continue
				}
				p := t.pts(i)
				if p+tol < target {
					continue
				}
				if p <= target+tol {
					j = i
				}
				break
			}
			if j < 0 {
				before, after := t.keysAround(target)
				return fmt.Errorf("packager: rendition %q: no key frame at %.3f s (key frames at %s and %s); GOPs must divide the %.3g s segment: %w",
					t.r.ID, t.seconds(target-base), before, after, segDur, ErrUnalignedKeyFrame)
			}
			cuts = append(cuts, j)
			i = j + 1
		default:
			for i < n && t.pts(i)+tol <= target {
				i++
			}
			if i >= n {
				break
			}
			cuts = append(cuts, i)
			i++
		}
	}
	cuts = slices.Compact(cuts)
	t.segments = t.segments[:0]
	for c, first := range cuts {
		end := n
		if c+1 < len(cuts) {
			end = cuts[c+1]
		}
		start := uint64(math.MaxUint64)
		for s := first; s < end; s++ {
			start = min(start, t.pts(s))
		}
		t.segments = append(t.segments, segment{first: first, end: end, start: start})
	}
	for c := range t.segments {
		next := t.end
		if c+1 < len(t.segments) {
			next = t.segments[c+1].start
		}
		t.segments[c].dur = next - t.segments[c].start
	}
	return nil
}

// keysAround names the key frames just before and after target.
func (t *track) keysAround(target uint64) (before, after string) {
	before, after = "none", "none"
	base := t.samples[0].dts
	for i := range t.samples {
		if !t.samples[i].sync {
			continue
		}
		p := t.pts(i)
		if p <= target {
			before = fmt.Sprintf("%.3f s", t.seconds(p-base))
		} else {
			after = fmt.Sprintf("%.3f s", t.seconds(p-base))
			break
		}
	}
	return before, after
}

// readSegment reads the sample data of segment seg from r.
func (t *track) readSegment(r io.ReaderAt, seg segment) ([][]byte, error) {
	out := make([][]byte, 0, seg.end-seg.first)
	for _, s := range t.samples[seg.first:seg.end] {
		b := make([]byte, s.size)
		if _, err := r.ReadAt(b, s.offset); err != nil {
			return nil, fmt.Errorf("packager: rendition %q: read sample at %d: %v: %w", t.r.ID, s.offset, err, ErrInvalidInput)
		}
		out = append(out, b)
	}
	return out, nil
}
