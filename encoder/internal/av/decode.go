package av

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/asticode/go-astiav"
	"github.com/reel-video/reel/frame"
)

// DecoderConfig configures OpenDecoder.
type DecoderConfig struct {
	// Width and Height of output frames; 0 keeps the source size.
	Width, Height int
	// Format of output frames; nil hands out the source's format when it
	// is 8- or 10-bit planar yuv, else yuv420p or yuv420p10le.
	Format *Format
	// Depth, when not 0 and Format is nil, replaces the bit depth of the
	// source's format (8 or 10).
	Depth int
	// ScaleAlg is the swscale algorithm (ScaleFlags); "" is bicubic.
	ScaleAlg string
	// Threads for the decoder; 0 lets libav pick.
	Threads int
}

// Decoder decodes the first video stream of a file, frame by frame, in
// presentation order. It is not safe for concurrent use.
type Decoder struct {
	in   Input
	fc   *astiav.FormatContext
	cio  *customIO
	st   *astiav.Stream
	cc   *astiav.CodecContext
	pkt  *astiav.Packet
	cur  *astiav.Frame // last decoded frame, upright
	conv *astiav.Frame // cur converted for Frame
	sc   scaler

	// raw is what the codec hands out: cur itself, or, when the stream
	// has a display orientation, the stored picture rot turns into cur.
	raw *astiav.Frame
	rot rotator

	info       Stream
	out        Format
	outW, outH int
	srcFull    bool

	expected   int // packets the container announces (0 = unknown)
	packets    int // video packets read
	frames     int // frames decoded
	demuxDone  bool
	readErr    error // demuxer error other than EOF
	decodeErrs int
	lastDecErr error
	end        demuxEnd // where the demuxer stopped
	// While the container announces a frame count, to name the first frame
	// a corrupt stream lost: the input positions of the video packets the
	// decoder took, the decode-order number of the first packet it
	// rejected and the output number of the first frame it flagged
	// damaged (-1: none).
	takenPos     []int64
	firstBad     int
	firstDamaged int
	done         error // sticky end-of-stream result

	threads int
	// pending: Read hands out cur again without decoding (set after the
	// frame that positioned the decoder was decoded).
	pending bool
	// usePTS: frame indexes come from timestamps (startPTS is frame 0's)
	// rather than from counting decoded frames.
	usePTS   bool
	startPTS int64
	lastIdx  int
}

// OpenDecoder opens in and its first video stream.
func OpenDecoder(in Input, cfg DecoderConfig) (_ *Decoder, err error) {
	flags, err := ScaleFlags(cfg.ScaleAlg)
	if err != nil {
		return nil, err
	}
	if cfg.Width < 0 || cfg.Height < 0 {
		return nil, fmt.Errorf("%w: output size %dx%d", ErrSettings, cfg.Width, cfg.Height)
	}
	d := &Decoder{in: in, sc: scaler{flags: flags}, threads: cfg.Threads, firstBad: -1, firstDamaged: -1}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if err = d.openStreams(); err != nil {
		return nil, err
	}
	cp := d.st.CodecParameters()
	if d.info.FrameCountFromContainer {
		d.expected = d.info.FrameCount
	}
	var native Format
	native, d.srcFull = nativeFormat(cp.PixelFormat())
	d.out = native
	if cfg.Format != nil {
		d.out = *cfg.Format
	} else if cfg.Depth != 0 {
		d.out.Depth = cfg.Depth
	}
	d.outW, d.outH = cfg.Width, cfg.Height
	if d.pkt = astiav.AllocPacket(); d.pkt == nil {
		return nil, errors.New("allocating packet failed")
	}
	if d.cur = astiav.AllocFrame(); d.cur == nil {
		return nil, errors.New("allocating frame failed")
	}
	d.raw = d.cur
	if !d.rot.o.identity() {
		if d.raw = astiav.AllocFrame(); d.raw == nil {
			return nil, errors.New("allocating frame failed")
		}
	}
	if d.conv = astiav.AllocFrame(); d.conv == nil {
		return nil, errors.New("allocating frame failed")
	}
	return d, nil
}

// openStreams opens the input, finds its first video stream and opens a
// decoder for it.
func (d *Decoder) openStreams() (err error) {
	if d.fc, d.cio, err = openInput(d.in); err != nil {
		return err
	}
	for _, st := range d.fc.Streams() {
		if st.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			d.st = st
			break
		}
	}
	if d.st == nil {
		return ErrNoVideo
	}
	cp := d.st.CodecParameters()
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return fmt.Errorf("%w: no decoder for codec %s", ErrUnsupported, cp.CodecID().Name())
	}
	if d.cc = astiav.AllocCodecContext(codec); d.cc == nil {
		return errors.New("allocating decoder context failed")
	}
	if err = cp.ToCodecContext(d.cc); err != nil {
		return classify("configuring decoder", err)
	}
	d.cc.SetThreadCount(d.threads)
	d.cc.SetTimeBase(d.st.TimeBase())
	d.cc.SetFramerate(d.fc.GuessFrameRate(d.st, nil))
	if err = d.cc.Open(codec, nil); err != nil {
		return classify("opening decoder "+codec.Name(), err)
	}
	d.info = describeStream(d.fc, d.st)
	if d.rot.o, err = streamOrientation(d.st); err != nil {
		return fmt.Errorf("video stream %d: %w", d.st.Index(), err)
	}
	orient(&d.info, d.rot.o)
	if cp.Width() <= 0 || cp.Height() <= 0 || cp.PixelFormat() == astiav.PixelFormatNone {
		return fmt.Errorf("%w: video stream %d has no size or pixel format", ErrInvalidData, d.st.Index())
	}
	return nil
}

// Info describes the decoded stream (from the container; FrameCount is
// the container's count or 0).
func (d *Decoder) Info() Stream { return d.info }

// OutputFormat is the format Frame hands out.
func (d *Decoder) OutputFormat() Format { return d.out }

// OutputSize is the size Frame hands out (0 = as decoded).
func (d *Decoder) OutputSize() (int, int) { return d.outW, d.outH }

// Frames is the number of frames decoded so far.
func (d *Decoder) Frames() int { return d.frames }

// Read decodes the next frame. It returns io.EOF after the last frame, or,
// when the stream ends before the frames the container announces, an
// error wrapping ErrTruncated (the input ends early) or ErrCorrupt (frames
// are lost inside it); see endResult.
func (d *Decoder) Read() error {
	if d.pending {
		d.pending = false
		return nil
	}
	if d.done != nil {
		return d.done
	}
	for {
		err := d.cc.ReceiveFrame(d.raw)
		if err == nil && d.raw != d.cur {
			err = d.rot.rotate(d.cur, d.raw)
			d.raw.Unref()
			if err != nil {
				d.done = err
				return err
			}
		}
		if err == nil {
			d.frames++
			if d.expected > 0 && d.firstDamaged < 0 && frameDamaged(d.cur) {
				d.firstDamaged = d.frames - 1
			}
			return nil
		}
		switch {
		case errors.Is(err, astiav.ErrEof):
			d.done = d.endResult()
			return d.done
		case errors.Is(err, astiav.ErrEagain):
		default:
			if damaged(err) {
				// A broken picture: skip it, as the ffmpeg CLI does.
				d.decodeErrs++
				d.lastDecErr = err
				continue
			}
			d.done = classify("decoding", err)
			return d.done
		}
		if err := d.feed(); err != nil {
			d.done = err
			return err
		}
	}
}

// feed sends the next video packet to the decoder, or the flush packet at
// the end of the input.
func (d *Decoder) feed() error {
	if d.demuxDone {
		// The decoder asked for more after being flushed; treat as end.
		return d.endResult()
	}
	for {
		err := d.fc.ReadFrame(d.pkt)
		if err != nil {
			if !errors.Is(err, astiav.ErrEof) {
				d.readErr = err
			}
			d.end = demuxStopped(d.fc)
			d.demuxDone = true
			if err := d.cc.SendPacket(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
				return classify("flushing decoder", err)
			}
			return nil
		}
		if d.pkt.StreamIndex() != d.st.Index() {
			d.pkt.Unref()
			continue
		}
		d.packets++
		pos := d.pkt.Pos()
		err = d.cc.SendPacket(d.pkt)
		d.pkt.Unref()
		if err == nil {
			if d.expected > 0 {
				d.takenPos = append(d.takenPos, pos)
			}
			return nil
		}
		if damaged(err) {
			if d.firstBad < 0 {
				d.firstBad = d.packets - 1
			}
			d.decodeErrs++
			d.lastDecErr = err
			continue
		}
		return classify("decoding", err)
	}
}

// endResult is Read's result once the decoder is drained: io.EOF, or why
// the stream is unusable. A stream with fewer packets than its container
// announces is truncated when the input's bytes ran out before them, and
// corrupt when packets inside the input were lost (the demuxer skipped
// damaged data, or stopped before the end); see shortResult.
func (d *Decoder) endResult() error {
	switch {
	case d.expected > 0 && d.packets < d.expected:
		return d.shortResult()
	case d.readErr != nil:
		if c := classify("reading", d.readErr); errors.Is(c, ErrInvalidData) {
			return c
		}
		return fmt.Errorf("%w: reading: %w", ErrInvalidData, d.readErr)
	case d.frames == 0 && d.lastDecErr != nil:
		return fmt.Errorf("%w: no frame could be decoded (%d errors, last: %w)", ErrInvalidData, d.decodeErrs, d.lastDecErr)
	case d.frames == 0:
		return fmt.Errorf("%w: no frame could be decoded", ErrInvalidData)
	}
	return io.EOF
}

// demuxEnd is where a demuxer stopped reading its input.
type demuxEnd struct {
	known     bool  // the input has an AVIOContext to ask
	pos, size int64 // byte position; the input's size (negative: unknown)
	eof       bool  // a read hit the end of the input
}

func demuxStopped(fc *astiav.FormatContext) demuxEnd {
	pos, size, eof, ok := inputPos(fc)
	return demuxEnd{known: ok, pos: pos, size: size, eof: eof}
}

// ranOut reports whether the demuxer stopped at the end of the input's
// bytes (or cannot tell).
func (e demuxEnd) ranOut() bool {
	return !e.known || e.eof || (e.size >= 0 && e.pos >= e.size)
}

// shortResult is the result of a stream whose demuxer delivered fewer
// video packets than the container announces.
//
// When the container's index lists every packet (MP4, AVI with idx1), the
// stream is truncated if the packets missing are no more than those whose
// data lies past the input's end, and corrupt otherwise: packets inside
// the input were lost (an AVI demuxer resyncing over damaged chunk
// headers drops them and renumbers the rest, so timestamps show no gap).
// Without such an index it is truncated when the demuxer ran out of
// bytes, corrupt when it stopped before the end.
//
// A corrupt stream's error names the first frame that failed: the first
// listed packet that did not reach the decoder or the first the decoder
// rejected, numbered in decode order, or, when the codec does not reorder
// frames (decode order is then presentation order), also the first frame
// the decoder flagged damaged, in presentation order; the message says
// which order.
func (d *Decoder) shortResult() error {
	idx, cut, listed := d.indexCut(d.expected)
	truncated := d.end.ranOut()
	if listed {
		truncated = d.expected-d.packets <= cut
	}
	if truncated {
		if d.readErr != nil {
			return fmt.Errorf("%w: read %d of %d video packets: %w", ErrTruncated, d.packets, d.expected, d.readErr)
		}
		return fmt.Errorf("%w: stream ends after %d of %d announced video frames", ErrTruncated, d.packets, d.expected)
	}
	n := d.packets // without an index: the demuxer stopped early, after n packets
	if listed {
		if i := firstUntaken(idx, d.takenPos); i >= 0 {
			n = i
		}
	}
	if d.firstBad >= 0 && d.firstBad < n {
		n = d.firstBad
	}
	order := "decode"
	if reorderDepth(d.st, d.cc) == 0 {
		order = "presentation"
		if d.firstDamaged >= 0 && d.firstDamaged < n {
			n = d.firstDamaged
		}
	}
	where := "to the end of the input"
	if !d.end.ranOut() {
		where = fmt.Sprintf("up to byte %d of %d", d.end.pos, d.end.size)
	}
	err := fmt.Errorf("%w: frame %d (%s order) failed to decode; %d of %d announced video frames read %s", ErrCorrupt, n, order, d.packets, d.expected, where)
	if d.readErr != nil {
		return fmt.Errorf("%w: %w", err, d.readErr)
	}
	return err
}

// indexCut returns the stream's index, whether it lists every one of
// the announced packets (and the input's size is known), and if so how
// many of the listed packets have data past the input's end.
func (d *Decoder) indexCut(announced int) (idx []indexEntry, cut int, listed bool) {
	idx = streamIndex(d.st)
	if len(idx) < announced || d.end.size <= 0 {
		return idx, 0, false
	}
	for _, e := range idx {
		if e.pos+int64(e.size) > d.end.size {
			cut++
		}
	}
	return idx, cut, true
}

// endsEarly reports, once the demuxer has stopped, whether the input's
// bytes ran out before the announced frames: some listed packet lies
// past the input's end, or, without a full index, the demuxer read to
// the end of the input.
func (d *Decoder) endsEarly(announced int) bool {
	if !d.demuxDone || !d.end.known {
		return false
	}
	if _, cut, listed := d.indexCut(announced); listed {
		return cut > 0
	}
	return d.end.ranOut()
}

// firstUntaken returns the position in idx (decode order) of the first
// entry no taken packet belongs to, or -1. A packet belongs to the entry
// whose position is the last at or before its own (entries may point at a
// container chunk header a few bytes before the packet's data).
func firstUntaken(idx []indexEntry, taken []int64) int {
	starts := make([]int64, 0, len(idx))
	for _, e := range idx {
		if e.pos >= 0 {
			starts = append(starts, e.pos)
		}
	}
	slices.Sort(starts)
	taken = slices.Clone(taken)
	slices.Sort(taken)
	for i, e := range idx {
		if e.pos < 0 {
			continue
		}
		next := int64(math.MaxInt64)
		if k, _ := slices.BinarySearch(starts, e.pos+1); k < len(starts) {
			next = starts[k]
		}
		if k, _ := slices.BinarySearch(taken, e.pos); k == len(taken) || taken[k] >= next {
			return i
		}
	}
	return -1
}

// Frame converts the last decoded frame into a new *frame.Frame in the
// configured format and size.
func (d *Decoder) Frame() (*frame.Frame, error) {
	pf, err := d.out.pixFmt()
	if err != nil {
		return nil, err
	}
	w, h := d.outW, d.outH
	if w == 0 {
		w = d.cur.Width()
	}
	if h == 0 {
		h = d.cur.Height()
	}
	src := d.cur
	if layoutFormat(d.cur.PixelFormat()) != pf || w != d.cur.Width() || h != d.cur.Height() {
		if err := d.sc.scale(d.cur, d.conv, w, h, pf); err != nil {
			return nil, err
		}
		src = d.conv
	}
	f, err := toFrame(src, d.out)
	if err != nil {
		return nil, err
	}
	if f.Range == frame.RangeUnknown && d.srcFull {
		f.Range = frame.RangeFull
	}
	f.Index = d.frames - 1
	tb := d.st.TimeBase()
	if ts := bestEffortTimestamp(d.cur); ts != astiav.NoPtsValue && tb.Num() > 0 && tb.Den() > 0 {
		f.PTS, f.TimeBaseNum, f.TimeBaseDen = ts, tb.Num(), tb.Den()
	} else if d.info.FrameRateNum > 0 {
		f.PTS, f.TimeBaseNum, f.TimeBaseDen = int64(f.Index), d.info.FrameRateDen, d.info.FrameRateNum
	}
	return f, nil
}

// Close frees everything the decoder holds. It is safe to call twice.
func (d *Decoder) Close() {
	d.sc.free()
	d.rot.free()
	if d.raw != nil && d.raw != d.cur {
		d.raw.Free()
	}
	d.raw = nil
	if d.conv != nil {
		d.conv.Free()
		d.conv = nil
	}
	if d.cur != nil {
		d.cur.Free()
		d.cur = nil
	}
	if d.pkt != nil {
		d.pkt.Free()
		d.pkt = nil
	}
	if d.cc != nil {
		d.cc.Free()
		d.cc = nil
	}
	closeInput(d.fc, d.cio)
	d.fc, d.cio = nil, nil
}
