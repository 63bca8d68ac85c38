package av

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/asticode/go-astiav"
)

// RungConfig is one H.264 (libx264) rendition written to an MP4 file.
type RungConfig struct {
	Path          string // output file; the muxer is "mp4" whatever the name
	Width, Height int
	// CRF > 0 selects constant-quality; otherwise BitrateKbps with the
	// optional VBV cap MaxrateKbps/BufsizeKbps.
	CRF                                   float64
	BitrateKbps, MaxrateKbps, BufsizeKbps int
	Preset, Profile                       string
	GOP, Threads                          int
}

// RungEncoder scales the frames of a Decoder to one rung, encodes them with
// libx264 and muxes them to MP4. Frames are timed at the source's constant
// frame rate (PTS = frame index), so the output has exactly one frame per
// decoded source frame.
type RungEncoder struct {
	cfg     RungConfig
	fc      *astiav.FormatContext
	pb      *astiav.IOContext
	st      *astiav.Stream
	cc      *astiav.CodecContext
	pkt     *astiav.Packet
	frm     *astiav.Frame
	sc      scaler
	packets int
	flushed bool
}

// NewRungEncoder prepares an encoder for cfg fed by d, and writes the MP4
// header to cfg.Path.
func NewRungEncoder(d *Decoder, cfg RungConfig) (_ *RungEncoder, err error) {
	flags, err := ScaleFlags("bicubic")
	if err != nil {
		return nil, err
	}
	e := &RungEncoder{cfg: cfg, sc: scaler{flags: flags}}
	defer func() {
		if err != nil {
			e.Close()
		}
	}()
	codec := astiav.FindEncoderByName("libx264")
	if codec == nil {
		return nil, fmt.Errorf("%w: libavcodec was built without libx264", ErrUnsupported)
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
	e.cc.SetPixelFormat(astiav.PixelFormatYuv420P)
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
	preset := cfg.Preset
	if preset == "" {
		preset = "medium"
	}
	set("preset", preset)
	if cfg.Profile != "" {
		set("profile", cfg.Profile)
	}
	if cfg.CRF > 0 {
		set("crf", strconv.FormatFloat(cfg.CRF, 'f', -1, 64))
	} else {
		e.cc.SetBitRate(int64(cfg.BitrateKbps) * 1000)
		if cfg.MaxrateKbps > 0 {
			set("maxrate", strconv.Itoa(cfg.MaxrateKbps*1000))
		}
		if cfg.BufsizeKbps > 0 {
			set("bufsize", strconv.Itoa(cfg.BufsizeKbps*1000))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("setting encoder options: %w", err)
	}

	if e.fc, err = astiav.AllocOutputFormatContext(nil, "mp4", cfg.Path); err != nil {
		return nil, classify("allocating mp4 muxer", err)
	}
	if e.fc == nil {
		return nil, errors.New("allocating mp4 muxer failed")
	}
	if e.fc.OutputFormat().Flags().Has(astiav.IOFormatFlagGlobalheader) {
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	if err = e.cc.Open(codec, opts); err != nil {
		if isErrno(err, 22) || errors.Is(err, astiav.ErrExternal) { // EINVAL: x264 rejected a setting
			return nil, fmt.Errorf("%w: opening libx264 (%dx%d preset %s profile %q): %w", ErrSettings, cfg.Width, cfg.Height, preset, cfg.Profile, err)
		}
		return nil, classify("opening libx264", err)
	}
	if left := unusedOptions(opts); left != "" {
		return nil, fmt.Errorf("%w: libx264 ignored options %s", ErrSettings, left)
	}
	if e.st = e.fc.NewStream(nil); e.st == nil {
		return nil, errors.New("adding mp4 stream failed")
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
		return nil, classify("writing mp4 header", err)
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

// Encode scales the decoder's current frame to the rung and encodes it.
func (e *RungEncoder) Encode(d *Decoder) error {
	if err := e.sc.scale(d.cur, e.frm, e.cfg.Width, e.cfg.Height, astiav.PixelFormatYuv420P); err != nil {
		return err
	}
	e.frm.SetPts(int64(d.frames - 1))
	e.frm.SetPictureType(astiav.PictureTypeNone)
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
		return classify("writing mp4 trailer", err)
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
