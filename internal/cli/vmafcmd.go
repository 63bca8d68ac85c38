package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/ulikunitz/xz"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf"
)

type vmafOptions struct {
	// Reference and Distorted: y4m (.y4m, .y4m.xz), raw yuv (.yuv with
	// Width/Height/PixFmt), or anything libav decodes.
	Reference, Distorted string
	// Models to evaluate (embedded versions); default vmaf_v0.6.1.
	Models listFlag
	// Features to add: psnr, float_ssim, float_ms_ssim.
	Features listFlag
	// Threads scoring in parallel; 0 = all CPUs.
	Threads int
	// JSON is where the libvmaf-format JSON goes ("-" for stdout).
	JSON string
	// Width, Height and PixFmt describe raw .yuv inputs.
	Width, Height int
	PixFmt        string
	// DisableClip turns off the model's score clipping.
	DisableClip bool
	io          ioOptions
}

func newVMAFCmd(env *Env) *cobra.Command {
	var o vmafOptions
	cmd := &cobra.Command{
		Use:   "vmaf --reference REF --distorted DIST",
		Short: "score a distorted video against a reference (VMAF, PSNR, SSIM, MS-SSIM)",
		Long: `Score a distorted video against its reference with reel's VMAF, a
reproduction of libvmaf 3.2, and optionally PSNR, SSIM and MS-SSIM; print
the pooled scores, or libvmaf's JSON with --json. Inputs: y4m (also
.y4m.xz), raw planar yuv (--width, --height, --pixfmt) or anything libav
decodes; a smaller distorted is upscaled (bicubic) to the reference size.`,
		Example: `  reel vmaf --reference ref.y4m --distorted dist.mp4 --feature psnr --feature float_ssim --json out.json
  reel vmaf --reference ref.yuv --distorted dis.yuv --width 576 --height 324 --pixfmt yuv420p10le`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runVMAF(ctx, env, &o) }),
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Reference, "reference", "", "reference `file` (y4m, y4m.xz, raw yuv or any media)")
	fs.StringVar(&o.Distorted, "distorted", "", "distorted `file`; upscaled (bicubic) to the reference size when smaller")
	fs.Var(&o.Models, "model", "model `name` ("+strings.Join(vmaf.ModelVersions(), ", ")+"); repeat for several (default "+vmaf.DefaultModel+")")
	fs.Var(&o.Features, "feature", "extra `feature`: psnr, float_ssim, float_ms_ssim (repeatable)")
	fs.IntVar(&o.Threads, "threads", 0, "scoring threads (0 = all CPUs)")
	fs.StringVar(&o.JSON, "json", "", "write libvmaf-format JSON to `file` (- for stdout)")
	fs.IntVar(&o.Width, "width", 0, "width of raw .yuv inputs")
	fs.IntVar(&o.Height, "height", 0, "height of raw .yuv inputs")
	fs.StringVar(&o.PixFmt, "pixfmt", "yuv420p", "pixel format of raw .yuv inputs (yuv420p, yuv420p10le, …)")
	fs.BoolVar(&o.DisableClip, "disable-clip", false, "do not clip scores to the model's range")
	o.io.register(fs)
	return cmd
}

func runVMAF(ctx context.Context, env *Env, o *vmafOptions) int {
	rd := &o.io
	ctx = rd.context(ctx)
	defer rd.print(env)
	if o.Reference == "" || o.Distorted == "" {
		fmt.Fprintln(env.Stderr, "reel vmaf: --reference and --distorted are required")
		return exitUsage
	}
	res, err := scoreFiles(ctx, o)
	if err != nil {
		printErr(env, "vmaf", err)
		return exitFailed
	}
	if o.JSON != "" {
		var w io.Writer = env.Stdout
		if o.JSON != "-" {
			f, err := os.Create(o.JSON)
			if err != nil {
				printErr(env, "vmaf", err)
				return exitFailed
			}
			defer f.Close()
			w = f
		}
		if err := vmaf.WriteJSON(w, res); err != nil {
			printErr(env, "vmaf", err)
			return exitFailed
		}
		if o.JSON == "-" {
			return exitOK
		}
	}
	fmt.Fprintf(env.Stdout, "frames: %d\n", len(res.Frames))
	for _, k := range res.PooledOrder {
		p := res.Pooled[k]
		line := fmt.Sprintf("%-40s mean %s  harmonic %s  min %s  max %s", k, vmaf.FormatNumber(p.Mean), vmaf.FormatNumber(p.HarmonicMean), vmaf.FormatNumber(p.Min), vmaf.FormatNumber(p.Max))
		if k == "vmaf" || strings.HasPrefix(k, "vmaf_") {
			line += fmt.Sprintf("  p1 %s  p5 %s", vmaf.FormatNumber(res.Percentile(k, 1)), vmaf.FormatNumber(res.Percentile(k, 5)))
		}
		fmt.Fprintln(env.Stdout, line)
	}
	return exitOK
}

// frameSource yields frames one at a time.
type frameSource interface {
	Next() (*frame.Frame, error)
	Close() error
}

type readerSource struct {
	next  func() (*frame.Frame, error)
	close func() error
	pool  *vmaf.FramePool // y4m: frames recycled once scored
}

func (r readerSource) Next() (*frame.Frame, error) { return r.next() }
func (r readerSource) Close() error                { return r.close() }

// openFrames opens a reference or distorted input. w, h > 0 asks for that
// size (the distorted is upscaled to the reference's).
func openFrames(ctx context.Context, o *vmafOptions, path string, w, h int) (frameSource, error) {
	lower := strings.ToLower(path)
	isY4M := strings.HasSuffix(lower, ".y4m") || strings.HasSuffix(lower, ".y4m.xz")
	isRaw := strings.HasSuffix(lower, ".yuv") || strings.HasSuffix(lower, ".yuv.xz")
	if !isY4M && !isRaw {
		d, err := encoder.OpenDecoder(ctx, path, encoder.DecoderOptions{Width: w, Height: h, ScaleAlgorithm: "bicubic"})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	f, err := openRaw(ctx, path)
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	if strings.HasSuffix(lower, ".xz") {
		if r, err = xz.NewReader(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	var next func() (*frame.Frame, error)
	var pool *vmaf.FramePool
	if isY4M {
		y, err := frame.NewY4MReader(r)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		h := y.Header()
		pool = vmaf.NewFramePool(h.Width, h.Height, h.BitDepth, h.Chroma)
		next = func() (*frame.Frame, error) { return pool.ReadY4M(y) }
	} else {
		if o.Width <= 0 || o.Height <= 0 {
			f.Close()
			return nil, fmt.Errorf("%s: raw yuv needs --width and --height", path)
		}
		rr, err := frame.NewRawReader(r, o.Width, o.Height, o.PixFmt)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		next = rr.ReadFrame
	}
	scaled := func() (*frame.Frame, error) {
		fr, err := next()
		if err != nil || w == 0 || (fr.Width == w && fr.Height == h) {
			return fr, err
		}
		return encoder.ScaleFrame(fr, w, h, "bicubic")
	}
	return readerSource{next: scaled, close: f.Close, pool: pool}, nil
}

func scoreFiles(ctx context.Context, o *vmafOptions) (*vmaf.Result, error) {
	cfg := vmaf.Config{Threads: o.Threads, Features: o.Features, DisableClip: o.DisableClip}
	switch len(o.Models) {
	case 0:
	case 1:
		cfg.Model = o.Models[0]
	default:
		for _, m := range o.Models {
			cfg.Models = append(cfg.Models, vmaf.ModelSpec{Version: m, Options: vmaf.ModelOptions{Name: m, DisableClip: o.DisableClip}})
		}
	}
	ref, err := openFrames(ctx, o, o.Reference, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("reference: %w", err)
	}
	defer ref.Close()
	first, err := ref.Next()
	if err != nil {
		return nil, fmt.Errorf("reference %s: first frame: %w", o.Reference, err)
	}
	dis, err := openFrames(ctx, o, o.Distorted, first.Width, first.Height)
	if err != nil {
		return nil, fmt.Errorf("distorted: %w", err)
	}
	defer dis.Close()
	rs, _ := ref.(readerSource)
	ds, _ := dis.(readerSource)
	if rs.pool != nil || ds.pool != nil {
		cfg.Release = func(r, d *frame.Frame) { rs.pool.Put(r); ds.pool.Put(d) }
	}
	s, err := vmaf.NewScorer(cfg)
	if err != nil {
		return nil, err
	}
	rf := first
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n > 0 {
			if rf, err = ref.Next(); err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("reference frame %d: %w", n, err)
			}
		}
		df, derr := dis.Next()
		if derr != nil && !errors.Is(derr, io.EOF) {
			return nil, fmt.Errorf("distorted frame %d: %w", n, derr)
		}
		refDone, disDone := errors.Is(err, io.EOF), errors.Is(derr, io.EOF)
		if refDone && disDone {
			break
		}
		if refDone != disDone {
			longer, shorter := "distorted", "reference"
			if disDone {
				longer, shorter = "reference", "distorted"
			}
			return nil, fmt.Errorf("frame count mismatch: the %s ends after %d frames, the %s has more", shorter, n, longer)
		}
		if df.BitDepth != rf.BitDepth {
			return nil, fmt.Errorf("bit depth mismatch: reference is %d-bit, distorted %d-bit", rf.BitDepth, df.BitDepth)
		}
		if err := s.Push(rf, df); err != nil {
			return nil, err
		}
	}
	return s.Close()
}
