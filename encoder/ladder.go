package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/reel-video/reel/encoder/internal/av"
)

// progressEvery is how many decoded frames pass between Progress calls.
const progressEvery = 8

// evenSize fills a zero dimension from the source's display aspect ratio,
// rounded to an even number.
func evenSize(r RungSpec, src StreamInfo) (int, int) {
	w, h := r.Width, r.Height
	dar := float64(src.Width) / float64(src.Height)
	var n, d int
	if _, err := fmt.Sscanf(src.SampleAspect, "%d:%d", &n, &d); err == nil && n > 0 && d > 0 {
		dar *= float64(n) / float64(d)
	}
	if w == 0 {
		w = 2 * int(float64(h)*dar/2+0.5)
	}
	if h == 0 {
		h = 2 * int(float64(w)/dar/2+0.5)
	}
	return max(w, 2), max(h, 2)
}

// EncodeLadder decodes input once and encodes every rung of opts from the
// same decoded frames: each frame is scaled (swscale, bicubic) to each
// rung, converted to yuv420p (or yuv420p10le for 10-bit rungs), encoded
// with the rung's codec (libx264, libx265, libvpx-vp9 or libsvtav1) and
// muxed to MP4. Output
// frames are timed at the source's constant frame rate (25 fps when the
// source does not say) and their count equals the source's; the display
// aspect ratio is kept through the sample aspect ratio, and color tags
// (primaries, transfer, matrix, range) are copied from the source. Audio is
// not encoded.
//
// Each file is written under a temporary name beside opts.OutputPath(rung)
// and renamed when complete; on error no output exists. A rung's Width or
// Height may be 0 to derive it from the source's display aspect ratio.
// EncodeSeconds is the time spent scaling, encoding and muxing that rung
// (the shared decode excluded).
//
// input is a path or an s3:// or file:// URI (see IOOptions).
//
// Errors wrap the sentinels of ErrNotFound … ErrInvalidSettings, or are
// ctx.Err() when ctx is done.
func EncodeLadder(ctx context.Context, input string, opts LadderOptions) (_ []RungOutput, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	paths, err := checkRungs(input, opts.Rungs, opts.OutputPath)
	if err != nil {
		return nil, err
	}
	in, err := openSource(ctx, input, readAll)
	if err != nil {
		return nil, fmt.Errorf("encoder: encode %w", err)
	}
	defer in.close()
	fail := func(err error) error { return fmt.Errorf("encoder: encode %w", in.mapErr(err)) }

	dec, err := av.OpenDecoder(in.in, av.DecoderConfig{})
	if err != nil {
		return nil, fail(err)
	}
	defer dec.Close()
	src := streamInfo(dec.Info())

	set, err := openRungs(input, dec, opts.Rungs, paths)
	defer set.close()
	if err != nil {
		return nil, err
	}
	rungs := set.rungs

	total := src.FrameCount
	progress := func(done int) {
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	progress(0)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := dec.Read(); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fail(err)
		}
		for _, r := range rungs {
			t := time.Now()
			if err := r.enc.Encode(dec); err != nil {
				return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, r.spec.ID, mapErr(r.path, err))
			}
			r.busy += time.Since(t)
		}
		if n := dec.Frames(); n%progressEvery == 0 {
			progress(n)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	frames := dec.Frames()
	out, err := set.finish(frames, src.FPS, func() { progress(frames) })
	if err != nil {
		return nil, err
	}
	// Everything is complete: publish the files.
	if err := set.publish(); err != nil {
		return nil, err
	}
	progress(frames)
	return out, nil
}
