package av

import (
	"errors"
	"fmt"
	"io"

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
	cur  *astiav.Frame // last decoded frame
	conv *astiav.Frame // cur converted for Frame
	sc   scaler

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
	done       error // sticky end-of-stream result

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
	d := &Decoder{in: in, sc: scaler{flags: flags}, threads: cfg.Threads}
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

// Read decodes the next frame. It returns io.EOF after the last frame, or
// an error wrapping ErrTruncated when the stream ends before the frames
// the container announces.
func (d *Decoder) Read() error {
	if d.pending {
		d.pending = false
		return nil
	}
	if d.done != nil {
		return d.done
	}
	for {
		err := d.cc.ReceiveFrame(d.cur)
		if err == nil {
			d.frames++
			return nil
		}
		switch {
		case errors.Is(err, astiav.ErrEof):
			d.done = d.endResult()
			return d.done
		case errors.Is(err, astiav.ErrEagain):
		default:
			if errors.Is(err, astiav.ErrInvaliddata) {
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
		err = d.cc.SendPacket(d.pkt)
		d.pkt.Unref()
		if err == nil {
			return nil
		}
		if errors.Is(err, astiav.ErrInvaliddata) {
			d.decodeErrs++
			d.lastDecErr = err
			continue
		}
		return classify("decoding", err)
	}
}

func (d *Decoder) endResult() error {
	short := d.expected > 0 && d.packets < d.expected
	switch {
	case d.readErr != nil && short:
		return fmt.Errorf("%w: read %d of %d video packets: %w", ErrTruncated, d.packets, d.expected, d.readErr)
	case d.readErr != nil:
		if c := classify("reading", d.readErr); errors.Is(c, ErrInvalidData) {
			return c
		}
		return fmt.Errorf("%w: reading: %w", ErrInvalidData, d.readErr)
	case short:
		return fmt.Errorf("%w: stream ends after %d of %d announced video frames", ErrTruncated, d.packets, d.expected)
	case d.frames == 0 && d.lastDecErr != nil:
		return fmt.Errorf("%w: no frame could be decoded (%d errors, last: %w)", ErrInvalidData, d.decodeErrs, d.lastDecErr)
	case d.frames == 0:
		return fmt.Errorf("%w: no frame could be decoded", ErrInvalidData)
	}
	return io.EOF
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
