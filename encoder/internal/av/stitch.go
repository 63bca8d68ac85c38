package av

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/asticode/go-astiav"
)

// StitchResult describes a stitched file.
type StitchResult struct {
	Codec       string
	Frames      int
	ChunkFrames []int
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

// Stitch remuxes the video packets of chunks, in order, into one file at
// out (muxer container, "mp4" or "webm"), offsetting each chunk's
// timestamps so that it starts where the previous one ended. Every chunk
// must hold the same codec with the same headers.
func Stitch(chunks []string, out, container string, cancelled func() error) (res StitchResult, err error) {
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
	if err := fcp.Copy(ost.CodecParameters()); err != nil {
		return res, classify("copying codec parameters", err)
	}
	ost.CodecParameters().SetCodecTag(0)
	otb := first.st.TimeBase()
	ost.SetTimeBase(otb)
	ost.SetAvgFrameRate(first.st.AvgFrameRate())
	ost.SetSampleAspectRatio(first.st.SampleAspectRatio())
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
	var next int64               // where the next chunk starts, in otb
	lastDTS := astiav.NoPtsValue // last DTS written, in otb
	for i, path := range chunks {
		in := first
		if i > 0 {
			if in, err = openChunk(path); err != nil {
				return res, fmt.Errorf("chunk %d (%s): %w", i, path, err)
			}
		}
		n, end, err := stitchChunk(in, fcp, ofc, ost, otb, pkt, next, &lastDTS, cancelled)
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

// stitchChunk copies one chunk's packets, shifted to start at next (in
// otb), and returns the packet count and where the chunk ends.
func stitchChunk(in *stitchInput, fcp *astiav.CodecParameters, ofc *astiav.FormatContext, ost *astiav.Stream,
	otb astiav.Rational, pkt *astiav.Packet, next int64, lastDTS *int64, cancelled func() error) (int, int64, error) {
	if why := sameCodec(fcp, in.st.CodecParameters()); why != "" {
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
