package av

// Small cgo helpers for fields that go-astiav v0.16.0 does not expose.

//#cgo pkg-config: libavcodec libavformat libavutil
//#include <libavcodec/avcodec.h>
//#include <libavformat/avformat.h>
//#include <libavutil/frame.h>
//#include <libavutil/pixdesc.h>
//#include <limits.h>
//#include <string.h>
//
//static int reel_field_order(AVCodecParameters *p) { return p ? (int)p->field_order : 0; }
//static int reel_codecpar_width(AVCodecParameters *p) { return p ? p->width : -1; }
//static const char *reel_codec_long_name(int id) {
//	const AVCodecDescriptor *d = avcodec_descriptor_get((enum AVCodecID)id);
//	return d && d->long_name ? d->long_name : "";
//}
//static const char *reel_profile_name(int id, int profile) {
//	const char *s = avcodec_profile_name((enum AVCodecID)id, profile);
//	return s ? s : "";
//}
//static const char *reel_primaries_name(int v) { const char *s = av_color_primaries_name((enum AVColorPrimaries)v); return s ? s : ""; }
//static const char *reel_transfer_name(int v) { const char *s = av_color_transfer_name((enum AVColorTransferCharacteristic)v); return s ? s : ""; }
//static const char *reel_space_name(int v) { const char *s = av_color_space_name((enum AVColorSpace)v); return s ? s : ""; }
//static int reel_pix_depth(int fmt) {
//	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)fmt);
//	return d && d->nb_components > 0 ? d->comp[0].depth : 0;
//}
//static uint8_t *reel_frame_data(AVFrame *f, int i) { return f->data[i]; }
//static int64_t reel_frame_best_effort_ts(AVFrame *f) { return f->best_effort_timestamp; }
//static void reel_flush_decoder(AVCodecContext *c) { avcodec_flush_buffers(c); }
//static int reel_frame_damaged(AVFrame *f) {
//	return (f->flags & AV_FRAME_FLAG_CORRUPT) != 0 || f->decode_error_flags != 0;
//}
//static int reel_packet_insert(AVPacket *pkt, const uint8_t *ins, int n, int at) {
//	AVBufferRef *buf;
//	if (n < 0 || at < 0 || at > pkt->size || pkt->size > INT_MAX - AV_INPUT_BUFFER_PADDING_SIZE - n)
//		return AVERROR(EINVAL);
//	buf = av_buffer_alloc((size_t)pkt->size + n + AV_INPUT_BUFFER_PADDING_SIZE);
//	if (!buf)
//		return AVERROR(ENOMEM);
//	if (at > 0)
//		memcpy(buf->data, pkt->data, at);
//	if (n > 0)
//		memcpy(buf->data + at, ins, n);
//	if (pkt->size > at)
//		memcpy(buf->data + at + n, pkt->data + at, pkt->size - at);
//	memset(buf->data + pkt->size + n, 0, AV_INPUT_BUFFER_PADDING_SIZE);
//	av_buffer_unref(&pkt->buf);
//	pkt->buf = buf;
//	pkt->data = buf->data;
//	pkt->size += n;
//	return 0;
//}
//static int reel_input_pos(AVFormatContext *fc, int64_t *pos, int64_t *size) {
//	AVIOContext *pb = fc ? fc->pb : NULL;
//	if (!pb)
//		return -1;
//	*pos = avio_tell(pb);
//	*size = avio_size(pb);
//	return pb->eof_reached;
//}
//static int reel_index_count(AVStream *st) { return avformat_index_get_entries_count(st); }
//static int64_t reel_index_entry(AVStream *st, int i, int *size) {
//	const AVIndexEntry *e = avformat_index_get_entry(st, i);
//	*size = e ? e->size : 0;
//	return e ? e->pos : -1;
//}
//static int reel_video_delay(AVCodecParameters *p) { return p ? p->video_delay : 0; }
//static int reel_has_b_frames(AVCodecContext *c) { return c ? c->has_b_frames : 0; }
//static void reel_set_color(AVCodecContext *c, int pri, int trc, int spc, int rng) {
//	c->color_primaries = (enum AVColorPrimaries)pri;
//	c->color_trc = (enum AVColorTransferCharacteristic)trc;
//	c->colorspace = (enum AVColorSpace)spc;
//	c->color_range = (enum AVColorRange)rng;
//}
import "C"

import (
	"unsafe"

	"github.com/asticode/go-astiav"
)

// cPointer returns the C pointer wrapped by a go-astiav object. Every
// go-astiav v0.16.0 wrapper (Stream, CodecParameters, CodecContext,
// FormatContext, Packet) is a struct whose first field is that pointer;
// TestCPointerLayout guards this assumption.
func cPointer[T any](p *T) unsafe.Pointer {
	if p == nil {
		return nil
	}
	return *(*unsafe.Pointer)(unsafe.Pointer(p))
}

func fieldOrder(cp *astiav.CodecParameters) string {
	switch C.reel_field_order((*C.AVCodecParameters)(cPointer(cp))) {
	case C.AV_FIELD_PROGRESSIVE:
		return "progressive"
	case C.AV_FIELD_TT:
		return "tt"
	case C.AV_FIELD_BB:
		return "bb"
	case C.AV_FIELD_TB:
		return "tb"
	case C.AV_FIELD_BT:
		return "bt"
	}
	return "unknown"
}

func codecparWidth(cp *astiav.CodecParameters) int {
	return int(C.reel_codecpar_width((*C.AVCodecParameters)(cPointer(cp))))
}

func codecLongName(id astiav.CodecID) string { return C.GoString(C.reel_codec_long_name(C.int(id))) }

func profileName(id astiav.CodecID, p astiav.Profile) string {
	return C.GoString(C.reel_profile_name(C.int(id), C.int(p)))
}

func primariesName(v astiav.ColorPrimaries) string {
	if v == astiav.ColorPrimariesUnspecified {
		return ""
	}
	return C.GoString(C.reel_primaries_name(C.int(v)))
}

func transferName(v astiav.ColorTransferCharacteristic) string {
	if v == astiav.ColorTransferCharacteristicUnspecified {
		return ""
	}
	return C.GoString(C.reel_transfer_name(C.int(v)))
}

func matrixName(v astiav.ColorSpace) string {
	if v == astiav.ColorSpaceUnspecified {
		return ""
	}
	return C.GoString(C.reel_space_name(C.int(v)))
}

func rangeName(v astiav.ColorRange) string {
	switch v {
	case astiav.ColorRangeMpeg:
		return "tv"
	case astiav.ColorRangeJpeg:
		return "pc"
	}
	return "unknown"
}

// pixDepth is the bit depth of a pixel format's first component (0 if unknown).
func pixDepth(f astiav.PixelFormat) int { return int(C.reel_pix_depth(C.int(f))) }

// planeData returns the first n bytes of plane i of an AVFrame.
func planeData(f *astiav.Frame, i, n int) []byte {
	p := C.reel_frame_data((*C.AVFrame)(f.UnsafePointer()), C.int(i))
	if p == nil || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
}

func bestEffortTimestamp(f *astiav.Frame) int64 {
	return int64(C.reel_frame_best_effort_ts((*C.AVFrame)(f.UnsafePointer())))
}

// inputPos reports where fc's demuxer is in its input: the byte position,
// the input's size (negative when unknown) and whether a read has hit the
// end of the input (AVIOContext.eof_reached, cleared by a seek). ok is
// false when fc has no AVIOContext.
func inputPos(fc *astiav.FormatContext) (pos, size int64, eof, ok bool) {
	var p, s C.int64_t
	r := C.reel_input_pos((*C.AVFormatContext)(cPointer(fc)), &p, &s)
	if r < 0 {
		return 0, -1, false, false
	}
	return int64(p), int64(s), r != 0, true
}

// indexEntry is one entry of a stream's index: where a packet's data
// starts in the input (or its container chunk does; -1 unknown) and its
// size.
type indexEntry struct {
	pos  int64
	size int
}

// streamIndex returns the entries of st's index in the demuxer's order
// (decode order): every packet for containers that list them (MP4 sample
// tables, an AVI idx1), keyframes only for some (Matroska cues), or those
// read so far for demuxers that build the index while reading.
func streamIndex(st *astiav.Stream) []indexEntry {
	p := (*C.AVStream)(cPointer(st))
	out := make([]indexEntry, int(C.reel_index_count(p)))
	for i := range out {
		var size C.int
		out[i].pos = int64(C.reel_index_entry(p, C.int(i), &size))
		out[i].size = int(size)
	}
	return out
}

// reorderDepth is how many frames the decoder may hold back to reorder
// them (0: decode order is presentation order).
func reorderDepth(st *astiav.Stream, cc *astiav.CodecContext) int {
	return max(int(C.reel_video_delay((*C.AVCodecParameters)(cPointer(st.CodecParameters())))),
		int(C.reel_has_b_frames((*C.AVCodecContext)(cPointer(cc)))))
}

func setCodecColor(cc *astiav.CodecContext, pri astiav.ColorPrimaries, trc astiav.ColorTransferCharacteristic, spc astiav.ColorSpace, rng astiav.ColorRange) {
	C.reel_set_color((*C.AVCodecContext)(cPointer(cc)), C.int(pri), C.int(trc), C.int(spc), C.int(rng))
}

// flushDecoder drops the decoder's buffered frames (after a seek).
func flushDecoder(cc *astiav.CodecContext) {
	C.reel_flush_decoder((*C.AVCodecContext)(cPointer(cc)))
}

// frameDamaged reports whether the decoder flagged a frame as corrupt or
// concealed errors in it.
func frameDamaged(f *astiav.Frame) bool {
	return C.reel_frame_damaged((*C.AVFrame)(f.UnsafePointer())) != 0
}

// insertIntoPacket replaces pkt's payload by a new, padded, reference
// counted buffer holding the payload with b inserted at byte offset at.
// pkt's old buffer reference is released; its timestamps, flags and side
// data are kept. (go-astiav's Packet.FromData does not fit: it allocates
// exactly len(data) bytes while av_packet_from_data takes the buffer to
// have 64 bytes of padding after them, so the padding has to be part of
// data and the buffer then claims 64 bytes more than were allocated.)
func insertIntoPacket(pkt *astiav.Packet, at int, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	ret := C.reel_packet_insert((*C.AVPacket)(cPointer(pkt)), (*C.uint8_t)(unsafe.Pointer(&b[0])), C.int(len(b)), C.int(at))
	if ret < 0 {
		return astiav.Error(ret)
	}
	return nil
}
