package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/internal/vmafcli"
	"github.com/reel-video/reel/vmaf"
)

type vmafOptions struct {
	// Scoring: the inputs, models, features, threads, JSON and raw yuv
	// format, shared with reel-vmaf (internal/vmafcli). Inputs here are
	// also anything libav decodes, and object-store locations.
	vmafcli.Options
	io ioOptions
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
decodes; a smaller distorted is upscaled (bicubic) to the reference size.
For y4m and yuv alone, reel-vmaf (cmd/reel-vmaf) is the same scoring in a
small pure-Go binary that starts in milliseconds.`,
		Example: `  reel vmaf --reference ref.y4m --distorted dist.mp4 --feature psnr --feature float_ssim --json out.json
  reel vmaf --reference ref.yuv --distorted dis.yuv --width 576 --height 324 --pixfmt yuv420p10le`,
		Args: positional(0, 0, ""),
		RunE: runE(func(ctx context.Context, _ []string) int { return runVMAF(ctx, env, &o) }),
	}
	o.Register(cmd.Flags(), "y4m, y4m.xz, raw yuv or any media", "; upscaled (bicubic) to the reference size when smaller")
	o.io.register(cmd.Flags())
	return cmd
}

func runVMAF(ctx context.Context, env *Env, o *vmafOptions) int {
	rd := &o.io
	ctx = rd.context(ctx)
	defer rd.print(env)
	if err := o.Check(); err != nil {
		fmt.Fprintln(env.Stderr, "reel vmaf:", err)
		return exitUsage
	}
	res, err := scoreFiles(ctx, o)
	if err != nil {
		printErr(env, "vmaf", err)
		return exitFailed
	}
	if err := vmafcli.Output(env.Stdout, &o.Options, res); err != nil {
		printErr(env, "vmaf", err)
		return exitFailed
	}
	return exitOK
}

// openFrames opens a reference or distorted input: y4m and raw yuv through
// vmafcli (from a local path or an object store), anything else through
// libav. w, h > 0 asks for that size (the distorted is upscaled to the
// reference's).
func openFrames(ctx context.Context, o *vmafOptions, path string, w, h int) (vmafcli.Source, error) {
	if !vmafcli.IsLocal(path) {
		d, err := encoder.OpenDecoder(ctx, path, encoder.DecoderOptions{Width: w, Height: h, ScaleAlgorithm: "bicubic"})
		if err != nil {
			return nil, err
		}
		return d, nil
	}
	rc, err := openRaw(ctx, path)
	if err != nil {
		return nil, err
	}
	f, err := vmafcli.OpenLocal(rc, path, &o.Options)
	if err != nil {
		return nil, err
	}
	if w == 0 {
		return f, nil
	}
	return &scaledSource{File: f, w: w, h: h}, nil
}

// scaledSource upscales a y4m or yuv input's frames of another size to
// w x h (bicubic), as the libav decoder does for other media.
type scaledSource struct {
	*vmafcli.File
	w, h int
}

func (s *scaledSource) Next() (*frame.Frame, error) {
	fr, err := s.File.Next()
	if err != nil || (fr.Width == s.w && fr.Height == s.h) {
		return fr, err
	}
	return encoder.ScaleFrame(fr, s.w, s.h, "bicubic")
}

func scoreFiles(ctx context.Context, o *vmafOptions) (*vmaf.Result, error) {
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
	return vmafcli.Score(ctx, &o.Options, ref, dis, first)
}
