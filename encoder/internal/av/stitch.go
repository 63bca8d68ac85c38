package av

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/asticode/go-astiav"
)

// StitchConfig configures Stitch.
type StitchConfig struct {
	// SizeChanges lets H.264, HEVC or VP9 chunks differ in picture size
	// and codec headers. The output stream takes the codec parameters of
	// the chunk with the largest picture, and the first packet of every
	// chunk must be flagged a keyframe (and be an HEVC IDR or BLA
	// picture, a VP9 key frame). H.264 and HEVC need an MP4 output: the
	// sample entry is 'avc3' or 'hev1' and every chunk's first packet
	// gets the chunk's parameter sets (SPS and PPS; VPS, SPS and PPS) in
	// band, so that a decoder picks up each chunk's size there. VP9 key
	// frames carry their size, so VP9 chunks are joined as they are, in
	// MP4 or WebM. Codec, pixel format and NAL length size must still
	// match.
	SizeChanges bool
}

// MP4 sample entries with parameter sets in band.
const (
	tagAVC3 = astiav.CodecTag('a' | 'v'<<8 | 'c'<<16 | '3'<<24)
	tagHEV1 = astiav.CodecTag('h' | 'e'<<8 | 'v'<<16 | '1'<<24)
)

// sizeChangeCodec is how a size-changing stitch handles one codec.
type sizeChangeCodec struct {
	// tag is the output stream's codec tag; 0 lets the muxer choose.
	tag astiav.CodecTag
	// mp4Only: the codec's parameter sets can only go in band in MP4.
	mp4Only bool
	// headers parses a chunk's codec headers (its extradata); nil for a
	// codec without parameter sets.
	headers func(extradata []byte) (chunkHeaders, error)
	// first checks a chunk's first packet, flagged as a keyframe, and
	// returns the offset in it where the parameter sets go.
	first func(pkt []byte, lengthSize int) (int, error)
}

// chunkHeaders is what a size-changing stitch needs of a chunk's codec
// headers.
type chunkHeaders struct {
	// lengthSize is the NAL length size (0 for VP9).
	lengthSize int
	// inBand are the parameter sets for the chunk's first packet.
	inBand []byte
	// extradata, if not nil, replaces the chunk's extradata in the output
	// stream when the chunk is the largest (HEVC: the hvcC with no array
	// flagged complete).
	extradata []byte
}

// sizeChangeCodecs are the codecs a size-changing stitch can join.
var sizeChangeCodecs = map[astiav.CodecID]sizeChangeCodec{
	astiav.CodecIDH264: {tag: tagAVC3, mp4Only: true,
		headers: func(b []byte) (chunkHeaders, error) {
			c, err := parseAVCC(b)
			if err != nil {
				return chunkHeaders{}, err
			}
			ib, err := c.inBand()
			return chunkHeaders{lengthSize: c.lengthSize, inBand: ib}, err
		},
		first: func(au []byte, lengthSize int) (int, error) { return paramSetOffset(au, lengthSize), nil },
	},
	astiav.CodecIDHevc: {tag: tagHEV1, mp4Only: true,
		headers: func(b []byte) (chunkHeaders, error) {
			c, err := parseHVCC(b)
			if err != nil {
				return chunkHeaders{}, err
			}
			ib, err := c.inBand()
			return chunkHeaders{lengthSize: c.lengthSize, inBand: ib, extradata: c.incomplete(b)}, err
		},
		first: hevcFirstPacket,
	},
	astiav.CodecIDVp9: {first: func(b []byte, _ int) (int, error) { return 0, vp9KeyFrame(b) }},
}

// StitchResult describes a stitched file.
type StitchResult struct {
	Codec string
	// Width and Height of the output stream's codec parameters (with
	// SizeChanges, the largest chunk's).
	Width, Height int
	Frames        int
	ChunkFrames   []int
	// Duration in seconds: the end of the last frame.
	Duration float64
}

// stitchInput is one open chunk.
type stitchInput struct {
	fc *astiav.FormatContext
	st *astiav.Stream
}

func openChunk(path string) (*stitchInput, error) {
	fc, _, err := openInput(Input{Path: path})
	if err != nil {
		return nil, err
	}
	for _, st := range fc.Streams() {
		if st.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			return &stitchInput{fc: fc, st: st}, nil
		}
	}
	closeInput(fc, nil)
	return nil, ErrNoVideo
}

// sameCodec reports how b's video differs from a's, or "" when a decoder
// set up for a can decode b.
func sameCodec(a, b *astiav.CodecParameters) string {
	switch {
	case a.CodecID() != b.CodecID():
		return fmt.Sprintf("codec %s, want %s", b.CodecID().Name(), a.CodecID().Name())
	case a.Width() != b.Width() || a.Height() != b.Height():
		return fmt.Sprintf("size %dx%d, want %dx%d", b.Width(), b.Height(), a.Width(), a.Height())
	case a.PixelFormat() != b.PixelFormat():
		return fmt.Sprintf("pixel format %s, want %s", b.PixelFormat().Name(), a.PixelFormat().Name())
	case !bytes.Equal(a.ExtraData(), b.ExtraData()):
		return "different codec headers (encoded with other settings)"
	}
	return ""
}

// sizeChangeHeaders checks that a chunk with codec parameters cp can join
// a size-changing stitch of codec sc whose first chunk has ref (same codec
// and pixel format, valid codec headers) and returns its headers.
func sizeChangeHeaders(sc sizeChangeCodec, ref, cp *astiav.CodecParameters) (chunkHeaders, error) {
	var h chunkHeaders
	if cp.CodecID() != ref.CodecID() {
		return h, fmt.Errorf("%w: codec %s, want %s", ErrSettings, cp.CodecID().Name(), ref.CodecID().Name())
	}
	// Before the pixel format: libav knows no pixel format for a stream
	// whose avcC or hvcC it cannot parse.
	if sc.headers != nil {
		var err error
		if h, err = sc.headers(cp.ExtraData()); err != nil {
			return h, fmt.Errorf("codec headers: %w", err)
		}
	}
	if cp.PixelFormat() == astiav.PixelFormatNone {
		// E.g. VP9 whose first frames are not a key frame.
		return h, fmt.Errorf("%w: unknown pixel format: libav decoded no frame of the chunk (does it start with a keyframe?)", ErrInvalidData)
	}
	if cp.PixelFormat() != ref.PixelFormat() {
		return h, fmt.Errorf("%w: pixel format %s, want %s", ErrSettings, cp.PixelFormat().Name(), ref.PixelFormat().Name())
	}
	return h, nil
}

// largestChunk checks every chunk for a size-changing stitch of codec sc
// (same codec and pixel format as the first, valid codec headers with the
// first's NAL length size) and returns a copy of the codec parameters,
// the sample aspect ratio and the headers of the chunk with the largest
// picture (the first of equal ones). The caller frees the copy.
func largestChunk(sc sizeChangeCodec, chunks []string, first *stitchInput, cancelled func() error) (_ *astiav.CodecParameters, sar astiav.Rational, bestHeaders chunkHeaders, err error) {
	fcp := first.st.CodecParameters()
	best := astiav.AllocCodecParameters()
	if best == nil {
		return nil, sar, bestHeaders, errors.New("allocating codec parameters failed")
	}
	defer func() {
		if err != nil {
			best.Free()
		}
	}()
	bestArea, lengthSize := -1, 0
	for i, path := range chunks {
		if cancelled != nil {
			if err := cancelled(); err != nil {
				return nil, sar, bestHeaders, err
			}
		}
		in := first
		if i > 0 {
			if in, err = openChunk(path); err != nil {
				return nil, sar, bestHeaders, fmt.Errorf("chunk %d (%s): %w", i, path, err)
			}
		}
		cp := in.st.CodecParameters()
		err = func() error {
			h, err := sizeChangeHeaders(sc, fcp, cp)
			if err != nil {
				return err
			}
			if i == 0 {
				lengthSize = h.lengthSize
			} else if h.lengthSize != lengthSize {
				return fmt.Errorf("%w: NAL length size %d, want %d", ErrSettings, h.lengthSize, lengthSize)
			}
			if a := cp.Width() * cp.Height(); a > bestArea {
				bestArea = a
				sar = in.st.SampleAspectRatio()
				bestHeaders = h
				if err := cp.Copy(best); err != nil {
					return classify("copying codec parameters", err)
				}
			}
			return nil
		}()
		if i > 0 {
			closeInput(in.fc, nil)
		}
		if err != nil {
			return nil, sar, bestHeaders, fmt.Errorf("chunk %d (%s): %w", i, path, err)
		}
	}
	return best, sar, bestHeaders, nil
}

// Stitch remuxes the video packets of chunks, in order, into one file at
// out (muxer container, "mp4" or "webm"), offsetting each chunk's
// timestamps so that it starts where the previous one ended. Every chunk
// must hold the same codec with the same headers, unless cfg.SizeChanges.
func Stitch(chunks []string, out, container string, cfg StitchConfig, cancelled func() error) (res StitchResult, err error) {
	if len(chunks) == 0 {
		return res, fmt.Errorf("%w: no chunks", ErrSettings)
	}
	first, err := openChunk(chunks[0])
	if err != nil {
		return res, fmt.Errorf("chunk 0 (%s): %w", chunks[0], err)
	}
	defer closeInput(first.fc, nil)
	fcp := first.st.CodecParameters()
	res.Codec = fcp.CodecID().Name()
	// The output stream's codec parameters and sample aspect ratio.
	ocp, sar := fcp, first.st.SampleAspectRatio()
	var sc sizeChangeCodec
	var largestHeaders chunkHeaders
	if cfg.SizeChanges {
		var ok bool
		if sc, ok = sizeChangeCodecs[fcp.CodecID()]; !ok {
			return res, fmt.Errorf("%w: size changes within a stitched track need H.264, HEVC or VP9 chunks, chunk 0 (%s) is %s", ErrSettings, chunks[0], res.Codec)
		}
		if sc.mp4Only && container != "mp4" {
			return res, fmt.Errorf("%w: size changes within a stitched %s track need an MP4 output, not %s", ErrSettings, res.Codec, container)
		}
		largest, lsar, lh, err := largestChunk(sc, chunks, first, cancelled)
		if err != nil {
			return res, err
		}
		defer largest.Free()
		ocp, sar, largestHeaders = largest, lsar, lh
	}
	res.Width, res.Height = ocp.Width(), ocp.Height()

	ofc, err := astiav.AllocOutputFormatContext(nil, container, out)
	if err != nil {
		return res, classify("allocating "+container+" muxer", err)
	}
	if ofc == nil {
		return res, errors.New("allocating " + container + " muxer failed")
	}
	defer ofc.Free()
	ost := ofc.NewStream(nil)
	if ost == nil {
		return res, errors.New("adding output stream failed")
	}
	if err := ocp.Copy(ost.CodecParameters()); err != nil {
		return res, classify("copying codec parameters", err)
	}
	ost.CodecParameters().SetCodecTag(sc.tag) // 0 unless SizeChanges
	if largestHeaders.extradata != nil {
		if err := ost.CodecParameters().SetExtraData(largestHeaders.extradata); err != nil {
			return res, fmt.Errorf("setting codec headers: %w", err)
		}
	}
	otb := first.st.TimeBase()
	ost.SetTimeBase(otb)
	ost.SetAvgFrameRate(first.st.AvgFrameRate())
	ost.SetSampleAspectRatio(sar)
	pb, err := astiav.OpenIOContext(out, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		return res, classify("creating "+out, err)
	}
	defer func() {
		if pb != nil {
			_ = pb.Close()
		}
	}()
	ofc.SetPb(pb)
	if err := ofc.WriteHeader(nil); err != nil {
		return res, classify("writing "+container+" header", err)
	}
	// The muxer may have changed the stream's time base.
	otb = ost.TimeBase()

	pkt := astiav.AllocPacket()
	if pkt == nil {
		return res, errors.New("allocating packet failed")
	}
	defer pkt.Free()
	j := &joiner{ofc: ofc, ost: ost, otb: otb, pkt: pkt, lastDTS: astiav.NoPtsValue, cancelled: cancelled,
		ref: fcp, sizeChanges: cfg.SizeChanges, sc: sc, lengthSize: largestHeaders.lengthSize}
	var next int64 // where the next chunk starts, in otb
	for i, path := range chunks {
		in := first
		if i > 0 {
			if in, err = openChunk(path); err != nil {
				return res, fmt.Errorf("chunk %d (%s): %w", i, path, err)
			}
		}
		n, end, err := j.chunk(in, next)
		if i > 0 {
			closeInput(in.fc, nil)
		}
		if err != nil {
			return res, fmt.Errorf("chunk %d (%s): %w", i, path, err)
		}
		res.ChunkFrames = append(res.ChunkFrames, n)
		res.Frames += n
		next = end
	}
	if err := ofc.WriteTrailer(); err != nil {
		return res, classify("writing "+container+" trailer", err)
	}
	p := pb
	pb = nil
	if err := p.Close(); err != nil {
		return res, classify("closing "+out, err)
	}
	res.Duration = float64(next) * float64(otb.Num()) / float64(otb.Den())
	return res, nil
}

// joiner writes chunks' packets to the output stream.
type joiner struct {
	ofc       *astiav.FormatContext
	ost       *astiav.Stream
	otb       astiav.Rational // output time base
	pkt       *astiav.Packet
	lastDTS   int64 // last DTS written, in otb
	cancelled func() error
	// ref is the first chunk's codec parameters, which every chunk's
	// must match (sameCodec, or sizeChangeHeaders with sizeChanges).
	ref         *astiav.CodecParameters
	sizeChanges bool
	sc          sizeChangeCodec // with sizeChanges
	// lengthSize is the output's NAL length size (sizeChanges).
	lengthSize int
}

// chunk copies one chunk's packets, shifted to start at next (in otb), and
// returns the packet count and where the chunk ends. With sizeChanges the
// chunk's first packet is checked and gets the chunk's parameter sets (if
// its codec has any) in band.
func (j *joiner) chunk(in *stitchInput, next int64) (int, int64, error) {
	ofc, ost, otb, pkt, lastDTS, cancelled := j.ofc, j.ost, j.otb, j.pkt, &j.lastDTS, j.cancelled
	cp := in.st.CodecParameters()
	var params []byte // length-prefixed parameter sets for the first packet
	if j.sizeChanges {
		h, err := sizeChangeHeaders(j.sc, j.ref, cp)
		if err != nil {
			return 0, 0, err
		}
		if h.lengthSize != j.lengthSize {
			return 0, 0, fmt.Errorf("%w: NAL length size %d, want %d", ErrSettings, h.lengthSize, j.lengthSize)
		}
		params = h.inBand
	} else if why := sameCodec(j.ref, cp); why != "" {
		return 0, 0, fmt.Errorf("%w: %s", ErrSettings, why)
	}
	itb := in.st.TimeBase()
	start := in.st.StartTime()
	if start == astiav.NoPtsValue {
		start = 0
	}
	offset := next - astiav.RescaleQ(start, itb, otb)
	var frameDur int64 // for packets without a duration
	if fr := in.st.AvgFrameRate(); fr.Num() > 0 && fr.Den() > 0 {
		frameDur = astiav.RescaleQ(1, astiav.NewRational(fr.Den(), fr.Num()), otb)
	}
	end := next
	n := 0
	for {
		if cancelled != nil && n%64 == 0 {
			if err := cancelled(); err != nil {
				return n, end, err
			}
		}
		if err := in.fc.ReadFrame(pkt); err != nil {
			if err = classify("reading packet", err); err == io.EOF {
				break
			}
			return n, end, err
		}
		if pkt.StreamIndex() != in.st.Index() {
			pkt.Unref()
			continue
		}
		if n == 0 && j.sizeChanges {
			if !pkt.Flags().Has(astiav.PacketFlagKey) {
				pkt.Unref()
				return n, end, fmt.Errorf("%w: the first packet is not a keyframe", ErrInvalidData)
			}
			at, err := j.sc.first(pkt.Data(), j.lengthSize)
			if err != nil {
				pkt.Unref()
				return n, end, err
			}
			if err := insertIntoPacket(pkt, at, params); err != nil {
				pkt.Unref()
				return n, end, classify("putting parameter sets in band", err)
			}
		}
		pkt.RescaleTs(itb, otb)
		if pkt.Pts() == astiav.NoPtsValue || pkt.Dts() == astiav.NoPtsValue {
			pkt.Unref()
			return n, end, fmt.Errorf("%w: packet %d has no timestamp", ErrInvalidData, n)
		}
		pkt.SetPts(pkt.Pts() + offset)
		pkt.SetDts(pkt.Dts() + offset)
		if *lastDTS != astiav.NoPtsValue && pkt.Dts() <= *lastDTS {
			pkt.SetDts(*lastDTS + 1)
		}
		if pkt.Dts() > pkt.Pts() {
			pkt.Unref()
			return n, end, fmt.Errorf("%w: packet %d decodes after it is shown once joined (decode delay differs between chunks)", ErrInvalidData, n)
		}
		*lastDTS = pkt.Dts()
		if pkt.Duration() <= 0 {
			pkt.SetDuration(frameDur)
		}
		end = max(end, pkt.Pts()+pkt.Duration())
		pkt.SetStreamIndex(ost.Index())
		pkt.SetPos(-1)
		n++
		if err := ofc.WriteInterleavedFrame(pkt); err != nil {
			return n, end, classify("writing packet", err)
		}
	}
	if n == 0 {
		return 0, end, fmt.Errorf("%w: no video packets", ErrInvalidData)
	}
	return n, end, nil
}
