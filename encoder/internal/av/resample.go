package av

// swresample through cgo: go-astiav v0.16.0 does not wrap it.

//#cgo pkg-config: libswresample libavutil libavcodec
//#include <libavcodec/avcodec.h>
//#include <libavutil/channel_layout.h>
//#include <libavutil/frame.h>
//#include <libavutil/mem.h>
//#include <libswresample/swresample.h>
//#include <stdlib.h>
//
//typedef struct {
//	SwrContext *swr;
//	AVChannelLayout out;
//	int rate, fmt;
//} reel_resampler;
//
//static void reel_resampler_free(reel_resampler *r) {
//	if (!r) return;
//	swr_free(&r->swr);
//	av_channel_layout_uninit(&r->out);
//	av_free(r);
//}
//
//// reel_resampler_new converts frames like in to out_fmt at out_rate with
//// out_layout (a name like "stereo"), or else the default layout of
//// out_channels, or else in's layout.
//static reel_resampler *reel_resampler_new(AVFrame *in, const char *out_layout, int out_channels, int out_rate, int out_fmt, int *err) {
//	AVChannelLayout in_l = {0};
//	reel_resampler *r = av_mallocz(sizeof(*r));
//	if (!r) { *err = AVERROR(ENOMEM); return NULL; }
//	if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || !av_channel_layout_check(&in->ch_layout))
//		av_channel_layout_default(&in_l, in->ch_layout.nb_channels);
//	else if ((*err = av_channel_layout_copy(&in_l, &in->ch_layout)) < 0)
//		goto fail;
//	if (out_layout && out_layout[0]) {
//		if ((*err = av_channel_layout_from_string(&r->out, out_layout)) < 0) goto fail;
//	} else if (out_channels > 0) {
//		av_channel_layout_default(&r->out, out_channels);
//	} else if ((*err = av_channel_layout_copy(&r->out, &in_l)) < 0) {
//		goto fail;
//	}
//	r->rate = out_rate > 0 ? out_rate : in->sample_rate;
//	r->fmt = out_fmt;
//	if ((*err = swr_alloc_set_opts2(&r->swr, &r->out, out_fmt, r->rate, &in_l, in->format, in->sample_rate, 0, NULL)) < 0) goto fail;
//	if ((*err = swr_init(r->swr)) < 0) goto fail;
//	av_channel_layout_uninit(&in_l);
//	*err = 0;
//	return r;
//fail:
//	av_channel_layout_uninit(&in_l);
//	reel_resampler_free(r);
//	return NULL;
//}
//
//// reel_resample converts in (NULL flushes) into a fresh buffer in out.
//static int reel_resample(reel_resampler *r, AVFrame *out, AVFrame *in) {
//	int err;
//	if (in && in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
//		// As in reel_resampler_new: an unordered layout is taken as the
//		// default one for its channel count.
//		int n = in->ch_layout.nb_channels;
//		av_channel_layout_uninit(&in->ch_layout);
//		av_channel_layout_default(&in->ch_layout, n);
//	}
//	av_frame_unref(out);
//	if ((err = av_channel_layout_copy(&out->ch_layout, &r->out)) < 0) return err;
//	out->sample_rate = r->rate;
//	out->format = r->fmt;
//	return swr_convert_frame(r->swr, out, in);
//}
//
//static int reel_resampler_channels(reel_resampler *r) { return r->out.nb_channels; }
//static int reel_resampler_rate(reel_resampler *r) { return r->rate; }
//static uint8_t *reel_frame_plane(AVFrame *f, int i) { return f->extended_data[i]; }
//static int reel_cc_set_layout(AVCodecContext *c, int channels) {
//	av_channel_layout_uninit(&c->ch_layout);
//	av_channel_layout_default(&c->ch_layout, channels);
//	return 0;
//}
//static int reel_frame_set_layout(AVFrame *f, AVCodecContext *c) {
//	return av_channel_layout_copy(&f->ch_layout, &c->ch_layout);
//}
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// resampler converts decoded audio to planar float32 (swresample).
type resampler struct {
	r *C.reel_resampler
}

func newResampler(in *astiav.Frame, layout string, channels, rate int) (*resampler, error) {
	var cl *C.char
	if layout != "" {
		cl = C.CString(layout)
		defer C.free(unsafe.Pointer(cl))
	}
	var cerr C.int
	r := C.reel_resampler_new((*C.AVFrame)(in.UnsafePointer()), cl, C.int(channels), C.int(rate), C.int(astiav.SampleFormatFltp), &cerr)
	if r == nil {
		if layout != "" {
			return nil, fmt.Errorf("%w: resampling to layout %q, %d channels, %d Hz: %w", ErrSettings, layout, channels, rate, astiav.Error(cerr))
		}
		return nil, fmt.Errorf("%w: resampling to %d channels, %d Hz: %w", ErrUnsupported, channels, rate, astiav.Error(cerr))
	}
	return &resampler{r: r}, nil
}

func (r *resampler) channels() int { return int(C.reel_resampler_channels(r.r)) }
func (r *resampler) rate() int     { return int(C.reel_resampler_rate(r.r)) }

// convert resamples in (nil flushes) and returns the samples out, one
// slice per channel.
func (r *resampler) convert(in, out *astiav.Frame) ([][]float32, error) {
	var cin *C.AVFrame
	if in != nil {
		cin = (*C.AVFrame)(in.UnsafePointer())
	}
	cout := (*C.AVFrame)(out.UnsafePointer())
	if err := C.reel_resample(r.r, cout, cin); err < 0 {
		return nil, fmt.Errorf("resampling: %w", astiav.Error(err))
	}
	n := out.NbSamples()
	planes := make([][]float32, r.channels())
	for i := range planes {
		planes[i] = make([]float32, n)
		if n > 0 {
			p := C.reel_frame_plane(cout, C.int(i))
			copy(planes[i], unsafe.Slice((*float32)(unsafe.Pointer(p)), n))
		}
	}
	return planes, nil
}

func (r *resampler) free() {
	if r != nil && r.r != nil {
		C.reel_resampler_free(r.r)
		r.r = nil
	}
}

// framePlane returns the first n bytes of (extended) plane i of f.
func framePlane(f *astiav.Frame, i, n int) []byte {
	p := C.reel_frame_plane((*C.AVFrame)(f.UnsafePointer()), C.int(i))
	if p == nil || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
}

// setDefaultLayout gives an encoder the default layout for channels.
func setDefaultLayout(cc *astiav.CodecContext, channels int) {
	C.reel_cc_set_layout((*C.AVCodecContext)(cPointer(cc)), C.int(channels))
}

// copyLayout gives a frame the encoder's layout.
func copyLayout(f *astiav.Frame, cc *astiav.CodecContext) error {
	if err := C.reel_frame_set_layout((*C.AVFrame)(f.UnsafePointer()), (*C.AVCodecContext)(cPointer(cc))); err < 0 {
		return fmt.Errorf("setting channel layout: %w", astiav.Error(err))
	}
	return nil
}
