package encoder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/reel-video/reel/encoder/internal/av"
)

// progressEvery is how many decoded frames pass between Progress calls.
const progressEvery = 8

// validateRung checks one rung's settings.
func validateRung(r RungSpec) error {
	switch strings.ToLower(r.Codec) {
	case "", "h264", "libx264", "avc":
	default:
		return fmt.Errorf("%w: rung %q: codec %q (only h264 is supported)", ErrUnsupported, r.ID, r.Codec)
	}
	switch {
	case r.Width < 0 || r.Height < 0 || (r.Width == 0 && r.Height == 0):
		return fmt.Errorf("%w: rung %q: size %dx%d", ErrInvalidSettings, r.ID, r.Width, r.Height)
	case r.Width%2 != 0 || r.Height%2 != 0:
		return fmt.Errorf("%w: rung %q: size %dx%d is not even (yuv420p)", ErrInvalidSettings, r.ID, r.Width, r.Height)
	case r.CRF < 0 || r.CRF > 51:
		return fmt.Errorf("%w: rung %q: crf %g outside 0–51", ErrInvalidSettings, r.ID, r.CRF)
	case r.CRF == 0 && r.BitrateKbps <= 0:
		return fmt.Errorf("%w: rung %q: needs crf or bitrate_kbps", ErrInvalidSettings, r.ID)
	case r.MaxrateKbps < 0 || r.BufsizeKbps < 0 || r.GOPFrames < 0 || r.Threads < 0:
		return fmt.Errorf("%w: rung %q: negative maxrate, bufsize, gop or threads", ErrInvalidSettings, r.ID)
	case r.MaxrateKbps > 0 && r.BufsizeKbps == 0:
		return fmt.Errorf("%w: rung %q: maxrate_kbps needs bufsize_kbps", ErrInvalidSettings, r.ID)
	}
	return nil
}

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
// rung, converted to yuv420p, encoded with libx264 and muxed to MP4. Output
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
// Errors wrap the sentinels of ErrNotFound … ErrInvalidSettings, or are
// ctx.Err() when ctx is done.
func EncodeLadder(ctx context.Context, input string, opts LadderOptions) (_ []RungOutput, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(opts.Rungs) == 0 {
		return nil, fmt.Errorf("encoder: encode %s: %w: no rungs", input, ErrInvalidSettings)
	}
	if opts.OutputPath == nil {
		return nil, fmt.Errorf("encoder: encode %s: %w: no OutputPath", input, ErrInvalidSettings)
	}
	paths := make([]string, len(opts.Rungs))
	seen := map[string]bool{}
	for i, r := range opts.Rungs {
		if err := validateRung(r); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: %w", input, err)
		}
		paths[i] = opts.OutputPath(r)
		if paths[i] == "" || seen[paths[i]] {
			return nil, fmt.Errorf("encoder: encode %s: %w: rung %q: empty or duplicate output path %q", input, ErrInvalidSettings, r.ID, paths[i])
		}
		seen[paths[i]] = true
	}
	if err := checkInput(input); err != nil {
		return nil, fmt.Errorf("encoder: encode %w", err)
	}
	fail := func(err error) error { return fmt.Errorf("encoder: encode %w", mapErr(input, err)) }

	dec, err := av.OpenDecoder(input, av.DecoderConfig{})
	if err != nil {
		return nil, fail(err)
	}
	defer dec.Close()
	src := streamInfo(dec.Info())

	type rung struct {
		spec      RungSpec
		w, h      int
		path, tmp string
		enc       *av.RungEncoder
		busy      time.Duration
	}
	rungs := make([]*rung, len(opts.Rungs))
	defer func() {
		for _, r := range rungs {
			if r == nil {
				continue
			}
			if r.enc != nil {
				r.enc.Close()
			}
			if err != nil && r.tmp != "" {
				os.Remove(r.tmp)
			}
		}
	}()
	for i, spec := range opts.Rungs {
		r := &rung{spec: spec, path: paths[i]}
		rungs[i] = r
		r.w, r.h = evenSize(spec, src)
		if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, spec.ID, err)
		}
		f, err := os.CreateTemp(filepath.Dir(r.path), "."+filepath.Base(r.path)+".*.tmp")
		if err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, spec.ID, err)
		}
		r.tmp = f.Name()
		f.Close()
		r.enc, err = av.NewRungEncoder(dec, av.RungConfig{
			Path: r.tmp, Width: r.w, Height: r.h,
			CRF: spec.CRF, BitrateKbps: spec.BitrateKbps, MaxrateKbps: spec.MaxrateKbps, BufsizeKbps: spec.BufsizeKbps,
			Preset: spec.Preset, Profile: spec.Profile, GOP: spec.GOPFrames, Threads: spec.Threads,
		})
		if err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, spec.ID, mapErr(r.path, err))
		}
	}

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
	frames := dec.Frames()
	fps := src.FPS
	if fps <= 0 {
		fps = 25
	}
	out := make([]RungOutput, 0, len(rungs))
	for _, r := range rungs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t := time.Now()
		if err := r.enc.Finish(); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, r.spec.ID, mapErr(r.path, err))
		}
		r.busy += time.Since(t)
		if n := r.enc.Frames(); n != frames {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: wrote %d frames for %d decoded", input, r.spec.ID, n, frames)
		}
		fi, err := os.Stat(r.tmp)
		if err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, r.spec.ID, err)
		}
		dur := float64(frames) / fps
		out = append(out, RungOutput{
			ID: r.spec.ID, Path: r.path, Width: r.w, Height: r.h, Codec: "h264",
			Frames: frames, Bytes: fi.Size(), DurationSec: dur,
			BitrateKbps:   float64(fi.Size()) * 8 / dur / 1000,
			EncodeSeconds: r.busy.Seconds(),
		})
	}
	// Everything is complete: publish the files.
	for _, r := range rungs {
		if err := os.Chmod(r.tmp, 0o644); err != nil {
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, r.spec.ID, err)
		}
		if err := os.Rename(r.tmp, r.path); err != nil {
			for _, q := range rungs {
				os.Remove(q.path)
			}
			return nil, fmt.Errorf("encoder: encode %s: rung %q: %w", input, r.spec.ID, err)
		}
	}
	progress(frames)
	return out, nil
}
