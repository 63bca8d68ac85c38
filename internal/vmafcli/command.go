package vmafcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes of reel-vmaf, as reel's: 0 done, 1 failed, 2 usage.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// Main runs reel-vmaf with os.Args and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Run runs reel-vmaf with args (without the program name).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	code := exitOK
	cmd := NewCommand(stdout, stderr, &code)
	cmd.SetArgs(args)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "reel-vmaf: %v\n", err)
		return exitUsage
	}
	return code
}

// NewCommand is reel-vmaf's cobra command; its run sets *code.
func NewCommand(stdout, stderr io.Writer, code *int) *cobra.Command {
	var o Options
	cmd := &cobra.Command{
		Use:   "reel-vmaf --reference REF --distorted DIST",
		Short: "score a distorted video against a reference (VMAF, PSNR, SSIM, MS-SSIM)",
		Long: `reel-vmaf is reel's VMAF, a reproduction of libvmaf 3.2, as a small
pure-Go tool: no cgo, no libav, no Temporal, so it builds as a static
binary (CGO_ENABLED=0) and starts in milliseconds, like libvmaf's own
vmaf tool. It reads y4m and raw planar yuv, optionally xz-compressed, of
the same size; 'reel vmaf' takes the same flags and also decodes any media
with libav, upscales a smaller distorted and reads s3:// locations.`,
		Example: `  reel-vmaf --reference ref.y4m --distorted dis.y4m --threads 2 --json out.json
  reel-vmaf --reference ref.yuv --distorted dis.yuv --width 576 --height 324 --pixfmt yuv420p10le --feature psnr`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			*code = run(cmd.Context(), &o, stdout, stderr)
			return nil
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	o.Register(cmd.Flags(), "y4m, y4m.xz, yuv or yuv.xz", " of the reference's size and format")
	return cmd
}

func run(ctx context.Context, o *Options, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "reel-vmaf: %v\n", err)
		if errors.Is(err, ErrUsage) || errors.Is(err, ErrNotLocal) {
			return exitUsage
		}
		return exitFailed
	}
	if err := o.Check(); err != nil {
		return fail(err)
	}
	ref, err := Open(o.Reference, o)
	if err != nil {
		return fail(fmt.Errorf("reference: %w", err))
	}
	defer ref.Close()
	dis, err := Open(o.Distorted, o)
	if err != nil {
		return fail(fmt.Errorf("distorted: %w", err))
	}
	defer dis.Close()
	res, err := Score(ctx, o, ref, dis, nil)
	if err != nil {
		return fail(err)
	}
	if err := Output(stdout, o, res); err != nil {
		return fail(err)
	}
	return exitOK
}
