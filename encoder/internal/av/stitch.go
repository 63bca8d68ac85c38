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
	// SizeChanges lets H.264 chunks differ in picture size and codec
	// headers (MP4 output only). The output stream takes the codec
	// parameters of the chunk with the largest picture and the sample
	// entry 'avc3', and the first packet of every chunk, which must be a
	// keyframe, gets that chunk's SPS and PPS in band, so that a decoder
	// picks up each chunk's size at its first IDR frame. Codec, pixel
	// format and NAL length size must still match.
	SizeChanges bool
}

// tagAVC3 is the MP4 sample entry of H.264 with parameter sets in band.
const tagAVC3 = astiav.CodecTag('a' | 'v'<<8 | 'c'<<16 | '3'<<24)

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
// a size-changing stitch whose first chunk has ref (same codec and pixel
// format, a valid avcC) and returns its avcC.
func sizeChangeHeaders(ref, cp *astiav.CodecParameters) (avcConfig, error) {
	if cp.CodecID() != ref.CodecID() {
		return avcConfig{}, fmt.Errorf("%w: codec %s, want %s", ErrSettings, cp.CodecID().Name(), ref.CodecID().Name())
	}
	// Before the pixel format: libav knows no pixel format for a stream
	// whose avcC it cannot parse.
	c, err := parseAVCC(cp.ExtraData())
	if err != nil {
		return c, fmt.Errorf("codec headers: %w", err)
	}
	if cp.PixelFormat() != ref.PixelFormat() {
		return c, fmt.Errorf("%w: pixel format %s, want %s", ErrSettings, cp.PixelFormat().Name(), ref.PixelFormat().Name())
	}
	return c, nil
}

// largestChunk checks every chunk for a size-changing stitch (same codec
// and pixel format as the first, a valid avcC with the first's NAL length
// size) and returns a copy of the
// codec parameters and the sample aspect ratio of the chunk with the
// largest picture (the first of equal ones). The caller frees the copy.
func largestChunk(chunks []string, first *stitchInput, cancelled func() error) (_ *astiav.CodecParameters, sar astiav.Rational, err error) {
	fcp := first.st.CodecParameters()
	best := astiav.AllocCodecParameters()
	if best == nil {
		return nil, sar, errors.New("allocating codec parameters failed")
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
				return nil, sar, err
			}
		}
		in := first
		if i > 0 {
			if in, err = openChunk(path); err != nil {
				return nil, sar, fmt.Errorf("chunk %d (%s): %w", i, path, err)
			}
		}
		cp := in.st.CodecParameters()
		err = func() error {
			c, err := sizeChangeHeaders(fcp, cp)
			if err != nil {
				return err
			}
			if i == 0 {
				lengthSize = c.lengthSize
			} else if c.lengthSize != lengthSize {
				return fmt.Errorf("%w: NAL length size %d, want %d", ErrSettings, c.lengthSize, lengthSize)
			}
			if a := cp.Width() * cp.Height(); a > bestArea {
				bestArea = a
				sar = in.st.SampleAspectRatio()
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
			return nil, sar, fmt.Errorf("chunk %d (%s): %w", i, path, err)
		}
	}
	return best, sar, nil
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
	lengthSize := 0
	if cfg.SizeChanges {
		if fcp.CodecID() != astiav.CodecIDH264 {
			return res, fmt.Errorf("%w: size changes within a stitched track need H.264 chunks, chunk 0 (%s) is %s", ErrSettings, chunks[0], res.Codec)
		}
		if container != "mp4" {
			return res, fmt.Errorf("%w: size changes within a stitched track need an MP4 output, not %s", ErrSettings, container)
		}
		largest, lsar, err := largestChunk(chunks, first, cancelled)
		if err != nil {
			return res, err
		}
		defer largest.Free()
		ocp, sar = largest, lsar
		c, err := parseAVCC(ocp.ExtraData())
		if err != nil { // checked by largestChunk
			return res, fmt.Errorf("codec headers: %w", err)
		}
		lengthSize = c.lengthSize
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
	ost.CodecParameters().SetCodecTag(0)
	if cfg.SizeChanges {
		ost.CodecParameters().SetCodecTag(tagAVC3)
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
		ref: fcp, sizeChanges: cfg.SizeChanges, lengthSize: lengthSize}
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
	// lengthSize is the output avcC's NAL length size (sizeChanges).
	lengthSize int
}

// chunk copies one chunk's packets, shifted to start at next (in otb), and
// returns the packet count and where the chunk ends. With sizeChanges the
// chunk's parameter sets are put in band, in its first packet.
func (j *joiner) chunk(in *stitchInput, next int64) (int, int64, error) {
	ofc, ost, otb, pkt, lastDTS, cancelled := j.ofc, j.ost, j.otb, j.pkt, &j.lastDTS, j.cancelled
	cp := in.st.CodecParameters()
	var params []byte // length-prefixed SPS and PPS for the first packet
	if j.sizeChanges {
		c, err := sizeChangeHeaders(j.ref, cp)
		if err != nil {
			return 0, 0, err
		}
		if c.lengthSize != j.lengthSize {
			return 0, 0, fmt.Errorf("%w: NAL length size %d, want %d", ErrSettings, c.lengthSize, j.lengthSize)
		}
		if params, err = c.inBand(); err != nil {
			return 0, 0, fmt.Errorf("codec headers: %w", err)
		}
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
			if err := insertIntoPacket(pkt, paramSetOffset(pkt.Data(), j.lengthSize), params); err != nil {
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
