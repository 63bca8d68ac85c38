// Package vmafcli is the scoring side of `reel vmaf` and the whole of
// `reel-vmaf`: the flags both commands share, local y4m and raw yuv inputs
// (optionally xz-compressed), the loop that feeds frame pairs to a
// vmaf.Scorer, and the pooled summary or libvmaf's JSON. It is pure Go
// and imports neither cgo nor Temporal, so reel-vmaf, built from it, is a
// small static binary that starts in milliseconds — the counterpart of
// libvmaf's own `vmaf` tool — while `reel vmaf` adds libav decoding,
// scaling and object-store inputs around the same code.
package vmafcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"github.com/ulikunitz/xz"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf"
)

// ErrUsage marks a command line that cannot be run (a missing input, a
// raw yuv without its size); commands exit 2 on it. Errors that match it
// (errors.Is) read as their own message alone.
var ErrUsage = errors.New("bad command line")

// usageError is an ErrUsage with its own message.
type usageError string

func (e usageError) Error() string        { return string(e) }
func (e usageError) Is(target error) bool { return target == ErrUsage }

// ErrNotLocal is returned by OpenLocal for an input that is not y4m or
// raw yuv: reel vmaf decodes those with libav, reel-vmaf cannot.
var ErrNotLocal = errors.New("not a y4m or raw yuv file")

// Options are the scoring options of both commands. The zero value scores
// the default model on all CPUs.
type Options struct {
	// Reference and Distorted are the inputs: y4m (.y4m, .y4m.xz) or raw
	// yuv (.yuv, .yuv.xz, with Width, Height and PixFmt); reel vmaf also
	// takes anything libav decodes and object-store locations.
	Reference, Distorted string
	// Models to evaluate (embedded versions); default vmaf.DefaultModel.
	Models []string
	// Features to add: psnr, float_ssim, float_ms_ssim.
	Features []string
	// Threads scoring in parallel; 0 = all CPUs.
	Threads int
	// JSON is where the libvmaf-format JSON goes ("-" for stdout, "" for
	// none).
	JSON string
	// Width, Height and PixFmt describe raw .yuv inputs (PixFmt default
	// yuv420p).
	Width, Height int
	PixFmt        string
	// DisableClip turns off the models' score clipping.
	DisableClip bool
}

// Register defines the shared flags on fs. inputs says what --reference
// takes and distorted is added to --distorted's help.
func (o *Options) Register(fs *pflag.FlagSet, inputs, distorted string) {
	fs.StringVar(&o.Reference, "reference", "", "reference `file` ("+inputs+")")
	fs.StringVar(&o.Distorted, "distorted", "", "distorted `file`"+distorted)
	fs.Var((*ListFlag)(&o.Models), "model", "model `name` ("+strings.Join(vmaf.ModelVersions(), ", ")+"); repeat for several (default "+vmaf.DefaultModel+")")
	fs.Var((*ListFlag)(&o.Features), "feature", "extra `feature`: psnr, float_ssim, float_ms_ssim (repeatable)")
	fs.IntVar(&o.Threads, "threads", 0, "scoring threads (0 = all CPUs)")
	fs.StringVar(&o.JSON, "json", "", "write libvmaf-format JSON to `file` (- for stdout)")
	fs.IntVar(&o.Width, "width", 0, "width of raw .yuv inputs")
	fs.IntVar(&o.Height, "height", 0, "height of raw .yuv inputs")
	fs.StringVar(&o.PixFmt, "pixfmt", "yuv420p", "pixel format of raw .yuv inputs (yuv420p, yuv420p10le, …)")
	fs.BoolVar(&o.DisableClip, "disable-clip", false, "do not clip scores to the model's range")
}

// Check reports a command line that names no reference or distorted.
func (o *Options) Check() error {
	if o.Reference == "" || o.Distorted == "" {
		return usageError("--reference and --distorted are required")
	}
	return nil
}

// Config is the vmaf.Config of o: one model as Model, several as Models
// named by their versions.
func (o *Options) Config() vmaf.Config {
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
	return cfg
}

// Source yields an input's frames in order, io.EOF after the last.
type Source interface {
	Next() (*frame.Frame, error)
	Close() error
}

// File is a y4m or raw yuv input. A y4m file's frames come from a
// vmaf.FramePool and go back to it once scored (Score passes Release to
// the Scorer), so reading allocates nothing per picture.
type File struct {
	next  func() (*frame.Frame, error)
	close func() error
	pool  *vmaf.FramePool
}

// Next returns the next frame, io.EOF after the last.
func (f *File) Next() (*frame.Frame, error) { return f.next() }

// Pool is the pool a y4m input's frames come from (nil for raw yuv).
func (f *File) Pool() *vmaf.FramePool { return f.pool }

// Close closes the underlying reader.
func (f *File) Close() error { return f.close() }

// IsLocal says whether OpenLocal reads path: a y4m or raw yuv name,
// optionally with .xz.
func IsLocal(path string) bool {
	lower := strings.TrimSuffix(strings.ToLower(path), ".xz")
	return strings.HasSuffix(lower, ".y4m") || strings.HasSuffix(lower, ".yuv")
}

// OpenLocal reads the input named path from rc (which it closes with the
// File): y4m, or raw yuv in o's size and pixel format; xz-compressed when
// the name ends in .xz.
func OpenLocal(rc io.ReadCloser, path string, o *Options) (*File, error) {
	if !IsLocal(path) {
		rc.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotLocal)
	}
	lower := strings.ToLower(path)
	var r io.Reader = rc
	if strings.HasSuffix(lower, ".xz") {
		xr, err := xz.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = xr
	}
	if strings.HasSuffix(strings.TrimSuffix(lower, ".xz"), ".y4m") {
		y, err := frame.NewY4MReader(r)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		h := y.Header()
		pool := vmaf.NewFramePool(h.Width, h.Height, h.BitDepth, h.Chroma)
		return &File{next: func() (*frame.Frame, error) { return pool.ReadY4M(y) }, close: rc.Close, pool: pool}, nil
	}
	if o.Width <= 0 || o.Height <= 0 {
		rc.Close()
		return nil, usageError(path + ": raw yuv needs --width and --height")
	}
	pixfmt := o.PixFmt
	if pixfmt == "" {
		pixfmt = "yuv420p"
	}
	rr, err := frame.NewRawReader(r, o.Width, o.Height, pixfmt)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{next: rr.ReadFrame, close: rc.Close}, nil
}

// Open opens a local file input (see OpenLocal).
func Open(path string, o *Options) (*File, error) {
	if !IsLocal(path) {
		return nil, fmt.Errorf("%s: %w (reel-vmaf reads .y4m and .yuv, optionally .xz; reel vmaf decodes other media)", path, ErrNotLocal)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return OpenLocal(f, path, o)
}

// Score scores ref against dis with o's configuration
// (vmaf.ScoreFrames) and returns the result. first, when not nil, is
// ref's first frame, already read. Frames of Files go back to their pools
// once scored. The inputs must have the same size, bit depth and number
// of frames.
func Score(ctx context.Context, o *Options, ref, dis Source, first *frame.Frame) (*vmaf.Result, error) {
	cfg := o.Config()
	rp, dp := poolOf(ref), poolOf(dis)
	if rp != nil || dp != nil {
		cfg.Release = func(r, d *frame.Frame) { rp.Put(r); dp.Put(d) }
	}
	var rs vmaf.FrameSource = ref
	if first != nil {
		rs = &withFirst{first: first, FrameSource: ref}
	}
	return vmaf.ScoreFrames(ctx, rs, dis, cfg)
}

// withFirst yields first, then its source's frames.
type withFirst struct {
	first *frame.Frame
	vmaf.FrameSource
}

func (w *withFirst) Next() (*frame.Frame, error) {
	if f := w.first; f != nil {
		w.first = nil
		return f, nil
	}
	return w.FrameSource.Next()
}

// poolOf is the frame pool of a source that has one (a File, or a
// wrapper embedding one).
func poolOf(s Source) *vmaf.FramePool {
	if p, ok := s.(interface{ Pool() *vmaf.FramePool }); ok {
		return p.Pool()
	}
	return nil
}

// Output writes res as o asks: libvmaf's JSON to o.JSON (stdout for
// "-", and then nothing else), and the pooled summary to stdout.
func Output(stdout io.Writer, o *Options, res *vmaf.Result) error {
	if o.JSON != "" {
		if o.JSON == "-" {
			return vmaf.WriteJSON(stdout, res)
		}
		f, err := os.Create(o.JSON)
		if err != nil {
			return err
		}
		if err := vmaf.WriteJSON(f, res); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return Summary(stdout, res)
}

// Summary prints the frame count and, per pooled metric, its mean,
// harmonic mean, min and max (with the 1st and 5th percentiles for VMAF
// scores), one line each.
func Summary(w io.Writer, res *vmaf.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "frames: %d\n", len(res.Frames))
	for _, k := range res.PooledOrder {
		p := res.Pooled[k]
		fmt.Fprintf(&b, "%-40s mean %s  harmonic %s  min %s  max %s", k, vmaf.FormatNumber(p.Mean), vmaf.FormatNumber(p.HarmonicMean), vmaf.FormatNumber(p.Min), vmaf.FormatNumber(p.Max))
		if k == "vmaf" || strings.HasPrefix(k, "vmaf_") {
			fmt.Fprintf(&b, "  p1 %s  p5 %s", vmaf.FormatNumber(res.Percentile(k, 1)), vmaf.FormatNumber(res.Percentile(k, 5)))
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ListFlag is a repeatable flag whose values may also be comma-separated
// (a pflag.Value).
type ListFlag []string

func (l *ListFlag) String() string { return strings.Join(*l, ",") }

// Type names the flag's kind in help ("list").
func (l *ListFlag) Type() string { return "list" }

// Set appends v's comma-separated values, blanks trimmed and empty ones
// dropped.
func (l *ListFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}
