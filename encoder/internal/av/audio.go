package av

import (
	"errors"
	"fmt"
	"io"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// ErrNoAudio: the input has no audio stream.
var ErrNoAudio = errors.New("no audio stream")

// AudioConfig selects the samples an AudioDecoder hands out: planar
// float32 at SampleRate (0: the source's) with Layout ("stereo", "5.1", …)
// or else the default layout of Channels (0: the source's layout).
type AudioConfig struct {
	SampleRate, Channels int
	Layout               string
}

// AudioDecoder decodes the first audio stream of a file to planar float32.
type AudioDecoder struct {
	cfg       AudioConfig
	fc        *astiav.FormatContext
	cio       *customIO
	st        *astiav.Stream
	cc        *astiav.CodecContext
	pkt       *astiav.Packet
	frm, out  *astiav.Frame
	rs        *resampler
	start     float64 // seconds, first decoded frame's timestamp
	started   bool
	demuxDone bool
	flushed   bool
	errs      int
}

// OpenAudioDecoder opens in's first audio stream.
func OpenAudioDecoder(in Input, cfg AudioConfig) (_ *AudioDecoder, err error) {
	if cfg.SampleRate < 0 || cfg.Channels < 0 {
		return nil, fmt.Errorf("%w: %d Hz, %d channels", ErrSettings, cfg.SampleRate, cfg.Channels)
	}
	d := &AudioDecoder{cfg: cfg}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if d.fc, d.cio, err = openInput(in); err != nil {
		return nil, err
	}
	for _, st := range d.fc.Streams() {
		if st.CodecParameters().MediaType() == astiav.MediaTypeAudio {
			d.st = st
			break
		}
	}
	if d.st == nil {
		return nil, ErrNoAudio
	}
	cp := d.st.CodecParameters()
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return nil, fmt.Errorf("%w: no decoder for codec %s", ErrUnsupported, cp.CodecID().Name())
	}
	if d.cc = astiav.AllocCodecContext(codec); d.cc == nil {
		return nil, errors.New("allocating decoder context failed")
	}
	if err = cp.ToCodecContext(d.cc); err != nil {
		return nil, classify("configuring decoder", err)
	}
	d.cc.SetTimeBase(d.st.TimeBase())
	if err = d.cc.Open(codec, nil); err != nil {
		return nil, classify("opening decoder "+codec.Name(), err)
	}
	if d.pkt = astiav.AllocPacket(); d.pkt == nil {
		return nil, errors.New("allocating packet failed")
	}
	if d.frm = astiav.AllocFrame(); d.frm == nil {
		return nil, errors.New("allocating frame failed")
	}
	if d.out = astiav.AllocFrame(); d.out == nil {
		return nil, errors.New("allocating frame failed")
	}
	// Decode the first frame now, to set up the resampler and report
	// the output format before the first Next.
	return d, d.prime()
}

func (d *AudioDecoder) prime() error {
	if err := d.decode(); err != nil {
		if err == io.EOF {
			return fmt.Errorf("%w: no audio frame could be decoded", ErrInvalidData)
		}
		return err
	}
	ts := bestEffortTimestamp(d.frm)
	if ts != astiav.NoPtsValue {
		d.start = tsSeconds(ts, d.st.TimeBase())
	}
	var err error
	d.rs, err = newResampler(d.frm, d.cfg.Layout, d.cfg.Channels, d.cfg.SampleRate)
	d.started = true
	return err
}

// decode receives the next decoded frame into d.frm, or io.EOF.
func (d *AudioDecoder) decode() error {
	for {
		err := d.cc.ReceiveFrame(d.frm)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, astiav.ErrEof):
			return io.EOF
		case damaged(err):
			d.errs++
			continue
		case !errors.Is(err, astiav.ErrEagain):
			return classify("decoding audio", err)
		}
		if d.demuxDone {
			return io.EOF
		}
		for {
			err := d.fc.ReadFrame(d.pkt)
			if err != nil {
				d.demuxDone = true
				if err := d.cc.SendPacket(nil); err != nil && !errors.Is(err, astiav.ErrEof) {
					return classify("flushing audio decoder", err)
				}
				break
			}
			if d.pkt.StreamIndex() != d.st.Index() {
				d.pkt.Unref()
				continue
			}
			err = d.cc.SendPacket(d.pkt)
			d.pkt.Unref()
			if err == nil {
				break
			}
			if damaged(err) {
				d.errs++
				continue
			}
			return classify("decoding audio", err)
		}
	}
}

// SampleRate and Channels of the samples handed out.
func (d *AudioDecoder) SampleRate() int { return d.rs.rate() }

// Channels is the number of planes Next returns.
func (d *AudioDecoder) Channels() int { return d.rs.channels() }

// StartSeconds is the timestamp of the first decoded sample.
func (d *AudioDecoder) StartSeconds() float64 { return d.start }

// Next returns the next block of samples, one slice per channel (all the
// same length, possibly 0), or io.EOF after the last.
func (d *AudioDecoder) Next() ([][]float32, error) {
	if d.started {
		d.started = false
		return d.rs.convert(d.frm, d.out)
	}
	if d.flushed {
		return nil, io.EOF
	}
	err := d.decode()
	if err == io.EOF {
		d.flushed = true
		return d.rs.convert(nil, d.out)
	}
	if err != nil {
		return nil, err
	}
	return d.rs.convert(d.frm, d.out)
}

// Close frees everything; safe to call twice.
func (d *AudioDecoder) Close() {
	d.rs.free()
	for _, f := range []**astiav.Frame{&d.frm, &d.out} {
		if *f != nil {
			(*f).Free()
			*f = nil
		}
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

// AudioEncodeConfig is one audio rendition.
type AudioEncodeConfig struct {
	Path      string
	Container string // "mp4" or "webm"
	Encoder   string // "aac" or "libopus"
	// BitrateKbps, Channels (default layout) and SampleRate of the output.
	BitrateKbps, Channels, SampleRate int
}

// AudioResult describes an encoded audio rendition.
type AudioResult struct {
	Samples       int64
	Start         float64 // seconds: the source's first sample time
	Channels      int
	SampleRate    int
	DecodeErrors  int
	SourceSamples int64 // samples decoded (at the output rate)
}

// EncodeAudio decodes the first audio stream of input, resamples and
// downmixes it to cfg and encodes it to cfg.Path. The output starts at the
// source's first sample time and holds every resampled sample.
func EncodeAudio(input Input, cfg AudioEncodeConfig, cancelled func() error) (res AudioResult, err error) {
	d, err := OpenAudioDecoder(input, AudioConfig{SampleRate: cfg.SampleRate, Channels: cfg.Channels})
	if err != nil {
		return res, err
	}
	defer d.Close()
	codec := astiav.FindEncoderByName(cfg.Encoder)
	if codec == nil {
		return res, fmt.Errorf("%w: libavcodec was built without %s", ErrUnsupported, cfg.Encoder)
	}
	cc := astiav.AllocCodecContext(codec)
	if cc == nil {
		return res, errors.New("allocating encoder context failed")
	}
	defer cc.Free()
	rate, channels := d.SampleRate(), d.Channels()
	planar := cfg.Encoder == "aac"
	if planar {
		cc.SetSampleFormat(astiav.SampleFormatFltp)
	} else {
		cc.SetSampleFormat(astiav.SampleFormatFlt)
	}
	cc.SetSampleRate(rate)
	setDefaultLayout(cc, channels)
	cc.SetTimeBase(astiav.NewRational(1, rate))
	cc.SetBitRate(int64(cfg.BitrateKbps) * 1000)
	fc, err := astiav.AllocOutputFormatContext(nil, cfg.Container, cfg.Path)
	if err != nil {
		return res, classify("allocating "+cfg.Container+" muxer", err)
	}
	if fc == nil {
		return res, errors.New("allocating muxer failed")
	}
	defer fc.Free()
	if fc.OutputFormat().Flags().Has(astiav.IOFormatFlagGlobalheader) {
		cc.SetFlags(cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	if err := cc.Open(codec, nil); err != nil {
		if isErrno(err, 22) {
			return res, fmt.Errorf("%w: opening %s (%d Hz, %d channels, %d kbit/s): %w", ErrSettings, cfg.Encoder, rate, channels, cfg.BitrateKbps, err)
		}
		return res, classify("opening "+cfg.Encoder, err)
	}
	st := fc.NewStream(nil)
	if st == nil {
		return res, errors.New("adding output stream failed")
	}
	if err := st.CodecParameters().FromCodecContext(cc); err != nil {
		return res, classify("setting stream parameters", err)
	}
	st.SetTimeBase(cc.TimeBase())
	pb, err := astiav.OpenIOContext(cfg.Path, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		return res, classify("creating "+cfg.Path, err)
	}
	defer func() {
		if pb != nil {
			_ = pb.Close()
		}
	}()
	fc.SetPb(pb)
	if err := fc.WriteHeader(nil); err != nil {
		return res, classify("writing "+cfg.Container+" header", err)
	}
	pkt := astiav.AllocPacket()
	if pkt == nil {
		return res, errors.New("allocating packet failed")
	}
	defer pkt.Free()
	frm := astiav.AllocFrame()
	if frm == nil {
		return res, errors.New("allocating frame failed")
	}
	defer frm.Free()

	drain := func() error {
		for {
			err := cc.ReceivePacket(pkt)
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return nil
			}
			if err != nil {
				return classify("encoding audio", err)
			}
			pkt.RescaleTs(cc.TimeBase(), st.TimeBase())
			pkt.SetStreamIndex(st.Index())
			if err := fc.WriteInterleavedFrame(pkt); err != nil {
				return classify("writing audio packet", err)
			}
		}
	}
	pts := int64(d.StartSeconds()*float64(rate) + 0.5)
	res.Start = float64(pts) / float64(rate)
	// send encodes the first n samples of buf.
	send := func(buf [][]float32, n int) error {
		frm.Unref()
		frm.SetNbSamples(n)
		frm.SetSampleFormat(cc.SampleFormat())
		frm.SetSampleRate(rate)
		if err := copyLayout(frm, cc); err != nil {
			return err
		}
		if err := frm.AllocBuffer(0); err != nil {
			return fmt.Errorf("allocating audio frame: %w", err)
		}
		if planar {
			for c := range buf {
				b := framePlane(frm, c, n*4)
				copy(unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n), buf[c][:n])
			}
		} else {
			b := framePlane(frm, 0, n*4*channels)
			dst := unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n*channels)
			for i := 0; i < n; i++ {
				for c := range buf {
					dst[i*channels+c] = buf[c][i]
				}
			}
		}
		frm.SetPts(pts)
		pts += int64(n)
		res.Samples += int64(n)
		if err := cc.SendFrame(frm); err != nil {
			return classify("encoding audio", err)
		}
		return drain()
	}
	frameSize := cc.FrameSize()
	if frameSize <= 0 {
		frameSize = 1024
	}
	fifo := make([][]float32, channels)
	for {
		if cancelled != nil {
			if err := cancelled(); err != nil {
				return res, err
			}
		}
		planes, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		for c := range fifo {
			fifo[c] = append(fifo[c], planes[c]...)
		}
		res.SourceSamples += int64(len(planes[0]))
		for len(fifo[0]) >= frameSize {
			if err := send(fifo, frameSize); err != nil {
				return res, err
			}
			for c := range fifo {
				fifo[c] = fifo[c][:copy(fifo[c], fifo[c][frameSize:])]
			}
		}
	}
	if n := len(fifo[0]); n > 0 {
		if err := send(fifo, n); err != nil {
			return res, err
		}
	}
	if err := cc.SendFrame(nil); err != nil {
		return res, classify("flushing audio encoder", err)
	}
	if err := drain(); err != nil {
		return res, err
	}
	if err := fc.WriteTrailer(); err != nil {
		return res, classify("writing "+cfg.Container+" trailer", err)
	}
	p := pb
	pb = nil
	if err := p.Close(); err != nil {
		return res, classify("closing "+cfg.Path, err)
	}
	res.Channels, res.SampleRate, res.DecodeErrors = channels, rate, d.errs
	return res, nil
}
