package av

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/asticode/go-astiav"
)

// Container is what Probe finds in a file.
type Container struct {
	Name, LongName string
	// Duration in seconds; negative when the container does not say.
	Duration float64
	BitRate  int64
	Streams  []Stream
}

// Stream is one stream of a Container; see encoder.StreamInfo for the
// meaning of the fields.
type Stream struct {
	Index                                                  int
	Type, Codec, CodecLong, Profile                        string
	BitRate                                                int64
	Duration                                               float64 // seconds, negative when unknown
	StartTime                                              float64
	TimeBaseNum, TimeBaseDen                               int
	Width, Height                                          int
	SARNum, SARDen                                         int
	Rotation                                               int  // clockwise degrees the decoder turns stored pictures (see orientation.clockwise)
	Mirrored                                               bool // stored pictures are flipped left to right before Rotation
	PixelFormat                                            string
	BitDepth                                               int
	FrameRateNum, FrameRateDen                             int
	FrameCount                                             int
	FrameCountFromContainer                                bool
	FieldOrder                                             string
	ColorPrimaries, ColorTransfer, ColorMatrix, ColorRange string
	Channels, SampleRate                                   int
	ChannelLayout, SampleFormat                            string
	Keyframes                                              []Keyframe
}

// Keyframe is one keyframe position in a stream.
type Keyframe struct {
	Frame   int
	Seconds float64
	Pos     int64
}

// openInput opens in and reads stream info. The caller closes the result
// with closeInput(fc, cio); cio is nil unless in has a Reader.
func openInput(in Input) (_ *astiav.FormatContext, _ *customIO, err error) {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, nil, errors.New("allocating format context failed")
	}
	var cio *customIO
	if in.Reader != nil {
		if cio, err = newCustomIO(in.Reader, in.Size); err != nil {
			fc.Free()
			return nil, nil, err
		}
		fc.SetPb(cio.ioc) // avformat_open_input sets AVFMT_FLAG_CUSTOM_IO
	}
	if err := fc.OpenInput(in.Path, nil, nil); err != nil {
		fc.Free() // avformat_open_input already freed the context; Free tolerates NULL
		cio.free()
		return nil, nil, classifyOpen("opening input", err)
	}
	if err := fc.FindStreamInfo(nil); err != nil {
		closeInput(fc, cio)
		return nil, nil, classifyOpen("reading stream info", err)
	}
	return fc, cio, nil
}

// closeInput closes fc, then frees its custom AVIOContext (libav leaves a
// caller's AVIOContext alone).
func closeInput(fc *astiav.FormatContext, cio *customIO) {
	if fc != nil {
		fc.CloseInput()
		fc.Free()
	}
	cio.free()
}

func mediaTypeName(t astiav.MediaType) string {
	switch t {
	case astiav.MediaTypeVideo:
		return "video"
	case astiav.MediaTypeAudio:
		return "audio"
	case astiav.MediaTypeSubtitle:
		return "subtitle"
	case astiav.MediaTypeData:
		return "data"
	case astiav.MediaTypeAttachment:
		return "attachment"
	}
	return "unknown"
}

func tsSeconds(ts int64, tb astiav.Rational) float64 {
	if ts == astiav.NoPtsValue || tb.Den() == 0 {
		return -1
	}
	return float64(ts) * float64(tb.Num()) / float64(tb.Den())
}

// Probe opens in and describes its container and streams. When
// countFrames is set, streams whose container does not announce a frame
// count get one by reading every packet; keyframes lists the keyframes of
// video streams (also by reading every packet).
func Probe(ctx context.Context, in Input, countFrames, keyframes bool) (*Container, error) {
	fc, cio, err := openInput(in)
	if err != nil {
		return nil, err
	}
	defer closeInput(fc, cio)

	c := &Container{Duration: -1, BitRate: fc.BitRate()}
	if f := fc.InputFormat(); f != nil {
		c.Name, c.LongName = f.Name(), f.LongName()
	}
	if d := fc.Duration(); d != astiav.NoPtsValue && d > 0 {
		c.Duration = float64(d) / float64(astiav.TimeBase)
	}
	needScan := keyframes
	sawVideo := false
	for _, st := range fc.Streams() {
		s := describeStream(fc, st)
		if s.Type == "video" {
			// The first video stream is the one decoded: an orientation
			// the decoder cannot apply fails the probe. Others keep their
			// stored size when theirs is not supported.
			o, err := streamOrientation(st)
			if err != nil && !sawVideo {
				return nil, fmt.Errorf("video stream %d: %w", s.Index, err)
			}
			sawVideo = true
			orient(&s, o)
		}
		if s.FrameCount == 0 && countFrames {
			needScan = true
		}
		c.Streams = append(c.Streams, s)
	}
	if needScan {
		if err := scanPackets(ctx, fc, c, keyframes); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func describeStream(fc *astiav.FormatContext, st *astiav.Stream) Stream {
	cp := st.CodecParameters()
	tb := st.TimeBase()
	s := Stream{
		Index:       st.Index(),
		Type:        mediaTypeName(cp.MediaType()),
		Codec:       cp.CodecID().Name(),
		CodecLong:   codecLongName(cp.CodecID()),
		Profile:     profileName(cp.CodecID(), cp.Profile()),
		BitRate:     cp.BitRate(),
		Duration:    tsSeconds(st.Duration(), tb),
		StartTime:   tsSeconds(st.StartTime(), tb),
		TimeBaseNum: tb.Num(),
		TimeBaseDen: tb.Den(),
	}
	if s.StartTime < 0 {
		s.StartTime = 0
	}
	if n := st.NbFrames(); n > 0 {
		s.FrameCount = int(n)
		s.FrameCountFromContainer = true
	}
	switch cp.MediaType() {
	case astiav.MediaTypeVideo:
		s.Width, s.Height = cp.Width(), cp.Height()
		sar := fc.GuessSampleAspectRatio(st, nil)
		if sar.Num() > 0 && sar.Den() > 0 {
			s.SARNum, s.SARDen = reduce(sar.Num(), sar.Den())
		}
		pf := cp.PixelFormat()
		if pf != astiav.PixelFormatNone {
			s.PixelFormat = pf.Name()
			s.BitDepth = pixDepth(pf)
		}
		fr := fc.GuessFrameRate(st, nil)
		if fr.Num() > 0 && fr.Den() > 0 {
			s.FrameRateNum, s.FrameRateDen = reduce(fr.Num(), fr.Den())
		}
		s.FieldOrder = fieldOrder(cp)
		s.ColorPrimaries = primariesName(cp.ColorPrimaries())
		s.ColorTransfer = transferName(cp.ColorTransferCharacteristic())
		s.ColorMatrix = matrixName(cp.ColorSpace())
		s.ColorRange = rangeName(cp.ColorRange())
	case astiav.MediaTypeAudio:
		l := cp.ChannelLayout()
		s.Channels = l.NbChannels()
		if s.Channels == 0 {
			s.Channels = cp.Channels()
		}
		if l.Valid() {
			s.ChannelLayout = l.String()
		}
		s.SampleRate = cp.SampleRate()
		if sf := cp.SampleFormat(); sf != astiav.SampleFormatNone {
			s.SampleFormat = sf.Name()
		}
	}
	return s
}

type pktInfo struct {
	pts, dts, pos int64
	key           bool
	order         int
}

// scanPackets reads every packet to count frames and find keyframes.
func scanPackets(ctx context.Context, fc *astiav.FormatContext, c *Container, keyframes bool) error {
	pkt := astiav.AllocPacket()
	if pkt == nil {
		return errors.New("allocating packet failed")
	}
	defer pkt.Free()
	counts := make(map[int]int)
	infos := make(map[int][]pktInfo)
	video := make(map[int]bool)
	for _, s := range c.Streams {
		if s.Type == "video" {
			video[s.Index] = true
		}
	}
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		err := fc.ReadFrame(pkt)
		if err != nil {
			if err = classify("reading packet", err); err == io.EOF {
				break
			}
			return err
		}
		i := pkt.StreamIndex()
		counts[i]++
		if keyframes && video[i] {
			infos[i] = append(infos[i], pktInfo{
				pts: pkt.Pts(), dts: pkt.Dts(), pos: pkt.Pos(),
				key: pkt.Flags().Has(astiav.PacketFlagKey), order: len(infos[i]),
			})
		}
		pkt.Unref()
	}
	for k := range c.Streams {
		s := &c.Streams[k]
		if s.FrameCount == 0 {
			s.FrameCount = counts[s.Index]
		}
		if keyframes && video[s.Index] {
			s.Keyframes = keyframeList(infos[s.Index], fc.Streams()[s.Index].TimeBase())
		}
	}
	return nil
}

// keyframeList orders packets by presentation time and returns keyframes
// with their presentation index.
func keyframeList(ps []pktInfo, tb astiav.Rational) []Keyframe {
	ts := func(p pktInfo) int64 {
		if p.pts != astiav.NoPtsValue {
			return p.pts
		}
		return p.dts
	}
	hasTS := true
	for _, p := range ps {
		if ts(p) == astiav.NoPtsValue {
			hasTS = false
			break
		}
	}
	if hasTS {
		sort.SliceStable(ps, func(a, b int) bool { return ts(ps[a]) < ts(ps[b]) })
	}
	var out []Keyframe
	for i, p := range ps {
		if !p.key {
			continue
		}
		k := Keyframe{Frame: i, Pos: p.pos, Seconds: -1}
		if hasTS {
			k.Seconds = tsSeconds(ts(p), tb)
		}
		if k.Pos < 0 {
			k.Pos = 0
		}
		out = append(out, k)
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	if a < 0 {
		return -a
	}
	return a
}

func reduce(n, d int) (int, int) {
	if g := gcd(n, d); g > 1 {
		return n / g, d / g
	}
	return n, d
}

// String formats a rational as "num/den".
func ratString(n, d int) string { return fmt.Sprintf("%d/%d", n, d) }
