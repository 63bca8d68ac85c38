package av

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/asticode/go-astiav"
)

// RungConfig is one video rendition written to an MP4 (or WebM) file.
type RungConfig struct {
	Path string // output file
	// Container is the muxer: "mp4" (default) or "webm".
	Container string
	// Encoder is the libav encoder name, e.g. "libx264" (default).
	Encoder       string
	Width, Height int
	BitDepth      int // 8 (default) or 10; output is 4:2:0
	// Chroma444 makes the output 8-bit 4:4:4 (any size, odd included).
	Chroma444 bool
	// BitrateKbps with the optional VBV cap MaxrateKbps/BufsizeKbps; the
	// encoder's own options select CRF.
	BitrateKbps, MaxrateKbps, BufsizeKbps int
	// ConstantQuality sets the bitrate to 0 explicitly (libvpx's
	// constant-quality mode).
	ConstantQuality bool
	// GOP is the keyframe interval in frames (0: the encoder's default).
	GOP, Threads int
	// Options are the encoder's private options, in order.
	Options [][2]string
}

// RungEncoder scales the frames of a Decoder to one rung, encodes them and
// muxes them. Frames are timed at the source's constant frame rate (PTS =
// frame index, or the index passed to EncodeFrame), so the output has
// exactly one frame per frame handed in.
type RungEncoder struct {
	cfg     RungConfig
	fc      *astiav.FormatContext
	pb      *astiav.IOContext
	st      *astiav.Stream
	cc      *astiav.CodecContext
	pkt     *astiav.Packet
	frm     *astiav.Frame
	pixFmt  astiav.PixelFormat
	sc      scaler
	packets int
	flushed bool
}

// NewRungEncoder prepares an encoder for cfg fed by d, and writes the
// container header to cfg.Path.
func NewRungEncoder(d *Decoder, cfg RungConfig) (_ *RungEncoder, err error) {
	flags, err := ScaleFlags("bicubic")
	if err != nil {
		return nil, err
	}
	if cfg.Encoder == "" {
		cfg.Encoder = "libx264"
	}
	if cfg.Container == "" {
		cfg.Container = "mp4"
	}
	e := &RungEncoder{cfg: cfg, sc: scaler{flags: flags}}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	codec := astiav.FindEncoderByName(cfg.Encoder)
	if codec == nil {
		return nil, fmt.Errorf("%w: libavcodec was built without %s", ErrUnsupported, cfg.Encoder)
	}
	switch {
	case cfg.Chroma444 && cfg.BitDepth <= 8:
		e.pixFmt = astiav.PixelFormatYuv444P
	case cfg.Chroma444:
		return nil, fmt.Errorf("%w: 4:4:4 at bit depth %d", ErrSettings, cfg.BitDepth)
	case cfg.BitDepth == 0 || cfg.BitDepth == 8:
		e.pixFmt = astiav.PixelFormatYuv420P
	case cfg.BitDepth == 10:
		e.pixFmt = astiav.PixelFormatYuv420P10Le
	default:
		return nil, fmt.Errorf("%w: bit depth %d", ErrSettings, cfg.BitDepth)
	}
	if e.cc = astiav.AllocCodecContext(codec); e.cc == nil {
		return nil, errors.New("allocating encoder context failed")
	}
	frNum, frDen := d.info.FrameRateNum, d.info.FrameRateDen
	if frNum <= 0 || frDen <= 0 {
		frNum, frDen = 25, 1
	}
	tb := astiav.NewRational(frDen, frNum)
	e.cc.SetWidth(cfg.Width)
	e.cc.SetHeight(cfg.Height)
	e.cc.SetPixelFormat(e.pixFmt)
	e.cc.SetTimeBase(tb)
	e.cc.SetFramerate(astiav.NewRational(frNum, frDen))
	sarN, sarD := rungSAR(d, cfg.Width, cfg.Height)
	e.cc.SetSampleAspectRatio(astiav.NewRational(sarN, sarD))
	cp := d.st.CodecParameters()
	rng := cp.ColorRange()
	if d.srcFull {
		rng = astiav.ColorRangeJpeg
	}
	setCodecColor(e.cc, cp.ColorPrimaries(), cp.ColorTransferCharacteristic(), cp.ColorSpace(), rng)
	e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagClosedGop))
	if cfg.GOP > 0 {
		e.cc.SetGopSize(cfg.GOP)
	}
	if cfg.Threads > 0 {
		e.cc.SetThreadCount(cfg.Threads)
	}
	opts := astiav.NewDictionary()
	defer opts.Free()
	set := func(k, v string) {
		if err == nil {
			err = opts.Set(k, v, 0)
		}
	}
	options := cfg.Options
	if cfg.Encoder == "libx264" {
		options = x264Options(options)
	}
	for _, kv := range options {
		set(kv[0], kv[1])
	}
	if cfg.BitrateKbps > 0 {
		e.cc.SetBitRate(int64(cfg.BitrateKbps) * 1000)
	} else if cfg.ConstantQuality {
		set("b", "0")
	}
	if cfg.MaxrateKbps > 0 {
		set("maxrate", strconv.Itoa(cfg.MaxrateKbps*1000))
	}
	if cfg.BufsizeKbps > 0 {
		set("bufsize", strconv.Itoa(cfg.BufsizeKbps*1000))
	}
	if err != nil {
		return nil, fmt.Errorf("setting encoder options: %w", err)
	}

	if e.fc, err = astiav.AllocOutputFormatContext(nil, cfg.Container, cfg.Path); err != nil {
		return nil, classify("allocating "+cfg.Container+" muxer", err)
	}
	if e.fc == nil {
		return nil, errors.New("allocating " + cfg.Container + " muxer failed")
	}
	if e.fc.OutputFormat().Flags().Has(astiav.IOFormatFlagGlobalheader) {
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	if err = e.cc.Open(codec, opts); err != nil {
		if isErrno(err, 22) || errors.Is(err, astiav.ErrExternal) || errors.Is(err, astiav.ErrUnknown) { // the encoder rejected a setting
			return nil, fmt.Errorf("%w: opening %s (%dx%d %d-bit, options %v): %w", ErrSettings, cfg.Encoder, cfg.Width, cfg.Height, max(cfg.BitDepth, 8), cfg.Options, err)
		}
		return nil, classify("opening "+cfg.Encoder, err)
	}
	if left := unusedOptions(opts); left != "" {
		return nil, fmt.Errorf("%w: %s ignored options %s", ErrSettings, cfg.Encoder, left)
	}
	if e.st = e.fc.NewStream(nil); e.st == nil {
		return nil, errors.New("adding output stream failed")
	}
	if err = e.st.CodecParameters().FromCodecContext(e.cc); err != nil {
		return nil, classify("setting stream parameters", err)
	}
	e.st.SetTimeBase(tb)
	e.st.SetAvgFrameRate(astiav.NewRational(frNum, frDen))
	e.st.SetSampleAspectRatio(astiav.NewRational(sarN, sarD))
	if e.pb, err = astiav.OpenIOContext(cfg.Path, astiav.NewIOContextFlags(astiav.IOContextFlagWrite)); err != nil {
		return nil, classify("creating "+cfg.Path, err)
	}
	e.fc.SetPb(e.pb)
	if err = e.fc.WriteHeader(nil); err != nil {
		return nil, classify("writing "+cfg.Container+" header", err)
	}
	if e.pkt = astiav.AllocPacket(); e.pkt == nil {
		return nil, errors.New("allocating packet failed")
	}
	if e.frm = astiav.AllocFrame(); e.frm == nil {
		return nil, errors.New("allocating frame failed")
	}
	return e, nil
}

// rungSAR keeps the source's display aspect ratio at the rung's size.
func rungSAR(d *Decoder, w, h int) (int, int) {
	sn, sd := d.info.SARNum, d.info.SARDen
	if sn <= 0 || sd <= 0 {
		sn, sd = 1, 1
	}
	sw, sh := d.info.Width, d.info.Height
	n, m := int64(sn)*int64(sw)*int64(h), int64(sd)*int64(sh)*int64(w)
	if n <= 0 || m <= 0 {
		return 1, 1
	}
	if r := float64(n) / float64(m); r > 0.99 && r < 1.01 {
		return 1, 1
	}
	for n > 65535 || m > 65535 {
		n, m = (n+1)/2, (m+1)/2
	}
	a, b := reduce(int(n), int(m))
	return a, b
}

func unusedOptions(d *astiav.Dictionary) string {
	var keys []string
	var prev *astiav.DictionaryEntry
	for {
		e := d.Get("", prev, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix))
		if e == nil {
			break
		}
		keys = append(keys, e.Key()+"="+e.Value())
		prev = e
	}
	return strings.Join(keys, ",")
}

// Encode scales the decoder's current frame to the rung and encodes it
// with PTS = its decode index.
func (e *RungEncoder) Encode(d *Decoder) error {
	return e.encodeFrame(d.cur, int64(d.frames-1), false)
}

// encodeFrame scales src to the rung and encodes it with the given PTS (in
// frames); key forces a keyframe. A source already in the rung's size and
// format is passed on without a copy.
func (e *RungEncoder) encodeFrame(src *astiav.Frame, pts int64, key bool) error {
	if layoutFormat(src.PixelFormat()) == e.pixFmt && src.Width() == e.cfg.Width && src.Height() == e.cfg.Height {
		e.frm.Unref()
		if err := e.frm.Ref(src); err != nil {
			return fmt.Errorf("referencing frame: %w", err)
		}
		e.frm.SetPixelFormat(e.pixFmt)
	} else if err := e.sc.scale(src, e.frm, e.cfg.Width, e.cfg.Height, e.pixFmt); err != nil {
		return err
	}
	e.frm.SetPts(pts)
	if key {
		e.frm.SetPictureType(astiav.PictureTypeI)
	} else {
		e.frm.SetPictureType(astiav.PictureTypeNone)
	}
	if err := e.cc.SendFrame(e.frm); err != nil {
		return classify("encoding", err)
	}
	return e.drain()
}

func (e *RungEncoder) drain() error {
	for {
		err := e.cc.ReceivePacket(e.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return classify("encoding", err)
		}
		e.pkt.RescaleTs(e.cc.TimeBase(), e.st.TimeBase())
		e.pkt.SetStreamIndex(e.st.Index())
		e.packets++
		if err := e.fc.WriteInterleavedFrame(e.pkt); err != nil {
			return classify("writing packet", err)
		}
	}
}

// Finish flushes the encoder, writes the MP4 trailer and closes the file.
func (e *RungEncoder) Finish() error {
	if e.flushed {
		return nil
	}
	e.flushed = true
	if err := e.cc.SendFrame(nil); err != nil {
		return classify("flushing encoder", err)
	}
	if err := e.drain(); err != nil {
		return err
	}
	if err := e.fc.WriteTrailer(); err != nil {
		return classify("writing "+e.cfg.Container+" trailer", err)
	}
	pb := e.pb
	e.pb = nil
	if err := pb.Close(); err != nil {
		return classify("closing "+e.cfg.Path, err)
	}
	return nil
}

// Frames is the number of packets (frames) written so far.
func (e *RungEncoder) Frames() int { return e.packets }

// Close frees everything; it does not remove the file. Safe to call twice.
func (e *RungEncoder) Close() {
	e.sc.free()
	if e.pb != nil {
		_ = e.pb.Close()
		e.pb = nil
	}
	if e.fc != nil {
		e.fc.Free()
		e.fc = nil
	}
	if e.cc != nil {
		e.cc.Free()
		e.cc = nil
	}
	if e.pkt != nil {
		e.pkt.Free()
		e.pkt = nil
	}
	if e.frm != nil {
		e.frm.Free()
		e.frm = nil
	}
}
