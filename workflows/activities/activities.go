// Package activities holds reel's Temporal activities: every side effect of
// a workflow (probing, decoding, encoding, scoring, writing files) as methods
// on one Activities struct with injected dependencies.
//
// Errors are mapped once, here: bad input becomes a non-retryable
// application error with a stable type (see workflows.ErrType…); everything
// else stays retryable.
package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/mezzfs"
	"github.com/reel-video/reel/packager"
	"github.com/reel-video/reel/vision"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// Media is what the activities need from a media toolkit. Libav() is the
// real one; tests may wrap it to inject faults.
type Media interface {
	Probe(ctx context.Context, input string) (*media.SourceInfo, error)
	EncodeLadder(ctx context.Context, input string, rungs []media.RungSpec, outPath func(media.RungSpec) string, progress func(done, total int)) ([]media.RungOutput, error)
	// OpenFrames decodes input's first video stream.
	OpenFrames(ctx context.Context, input string, opts FrameOptions) (Frames, error)
	// GrabFrames decodes the pictures of input's first video stream at
	// the given frame indexes (encoder.GrabFrames): the report's worst
	// moments.
	GrabFrames(ctx context.Context, input string, frames []int, opts encoder.GrabOptions) ([]encoder.Grab, error)
}

// FrameOptions shape the decoded frames.
type FrameOptions struct {
	// Width and Height scale the frames (bicubic) when both are non-zero.
	Width, Height int
	// PixelFormat converts the frames, e.g. "yuv420p"; empty keeps the
	// source's (8- or 10-bit planar YUV).
	PixelFormat string
}

// Frames is a stream of decoded frames; Next returns io.EOF after the last.
type Frames interface {
	Next() (*frame.Frame, error)
	Close() error
}

// Activities are reel's activities. Register the struct with a worker; each
// exported method is one activity named after it.
type Activities struct {
	// Media does the probing, decoding and encoding. Default: Libav().
	Media Media
	// Logger receives activity logs. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// HeartbeatEvery throttles progress heartbeats. Default: 1 s.
	HeartbeatEvery time.Duration
	// ScoreWindow is how many frames ScoreRungs scores between saves (the
	// most work a retried attempt redoes). Default: 100.
	ScoreWindow int
	// ScoreThreads is the number of goroutines scoring VMAF. Default: the
	// number of CPUs.
	ScoreThreads int
	// Store configures s3:// inputs and outputs (endpoint, region,
	// credentials). The zero value reads the worker's standard AWS_*
	// environment and shared credentials file.
	Store mezzfs.Options
	// Worst configures the report's worst moments of each rung; the zero
	// value takes WorstOptions' defaults.
	Worst WorstOptions
	// ScratchDir holds the scratch directories in which activities write
	// files bound for an object store before uploading them. Default:
	// os.TempDir().
	ScratchDir string
	// Meter counts frames decoded, encoded and scored, mezzfs reads and
	// store writes for the worker's metrics. Default (nil): none.
	Meter Meter
	// Temporal is the worker's Temporal client, for the campaign
	// activities (they start and watch titles' runs). Default (nil):
	// those activities fail.
	Temporal TitleClient

	storeMu sync.Mutex
	stores  map[string]mezzfs.Store // S3 stores by bucket
}

// New returns Activities with defaults filled in.
func New(m Media, logger *slog.Logger) *Activities {
	a := &Activities{Media: m, Logger: logger}
	a.fill()
	return a
}

func (a *Activities) fill() {
	if a.Media == nil {
		a.Media = Libav()
	}
	if a.Logger == nil {
		a.Logger = slog.New(slog.DiscardHandler)
	}
	if a.Now == nil {
		a.Now = time.Now
	}
	if a.HeartbeatEvery == 0 {
		a.HeartbeatEvery = time.Second
	}
}

// badInput maps the sentinel errors of bad input (the encoder's, mezzfs's,
// the packager's, …) to their application error types. Order matters: the
// most specific first.
var badInput = []struct {
	err error
	typ string
}{
	{mezzfs.ErrInvalidURI, workflows.ErrTypeInvalidRequest},
	{encoder.ErrAccessDenied, workflows.ErrTypeAccessDenied},
	{mezzfs.ErrAccessDenied, workflows.ErrTypeAccessDenied},
	{encoder.ErrSourceChanged, workflows.ErrTypeSourceChanged},
	{mezzfs.ErrChanged, workflows.ErrTypeSourceChanged},
	{encoder.ErrNotFound, workflows.ErrTypeNotFound},
	{mezzfs.ErrNotFound, workflows.ErrTypeNotFound},
	{encoder.ErrEmpty, workflows.ErrTypeEmptyInput},
	{encoder.ErrTruncated, workflows.ErrTypeTruncatedMedia},
	{encoder.ErrCorrupt, workflows.ErrTypeCorruptMedia},
	{encoder.ErrNoVideo, workflows.ErrTypeNoVideo},
	{encoder.ErrInvalidData, workflows.ErrTypeInvalidMedia},
	{encoder.ErrUnsupported, workflows.ErrTypeUnsupported},
	{encoder.ErrInvalidSettings, workflows.ErrTypeInvalidSettings},
	{vision.ErrConfig, workflows.ErrTypeInvalidSettings},
	{frame.ErrInvalidSize, workflows.ErrTypeInvalidMedia},
	{frame.ErrBitDepth, workflows.ErrTypeUnsupported},
	{vmaf.ErrTooSmall, workflows.ErrTypeUnsupported},
	{packager.ErrMissingRendition, workflows.ErrTypeNotFound},
	{packager.ErrUnsupportedCodec, workflows.ErrTypeUnsupported},
	{packager.ErrUnalignedKeyFrame, workflows.ErrTypeInvalidMedia},
	{packager.ErrInvalidInput, workflows.ErrTypeInvalidMedia},
}

// classify turns err into what Temporal should see: a non-retryable
// application error for bad input, a full disk explained (ErrDiskFull,
// retryable), the error itself otherwise.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return err
	}
	for _, b := range badInput {
		if errors.Is(err, b.err) {
			return temporal.NewNonRetryableApplicationError(err.Error(), b.typ, err)
		}
	}
	return explainNoSpace(err, "")
}

// heartbeater records progress heartbeats at most every interval.
type heartbeater struct {
	ctx   context.Context
	every time.Duration
	now   func() time.Time
	last  time.Time
}

func (a *Activities) heartbeater(ctx context.Context) *heartbeater {
	every := a.HeartbeatEvery
	if every == 0 {
		every = time.Second
	}
	return &heartbeater{ctx: ctx, every: every, now: a.now}
}

// cpuTokens returns a new pool of ScoreThreads (default NumCPU) tokens
// that an activity's CPU-bound goroutines (VMAF scorers, QC checks) hold
// while they work on a frame: a Temporal worker's goroutines, and an
// embedded server's, share the Go scheduler with them, and dozens of
// runnable CPU-bound goroutines delay a heartbeat RPC past its deadline.
func (a *Activities) cpuTokens() chan struct{} {
	n := a.ScoreThreads
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return make(chan struct{}, n)
}

// now reads the injected clock, time.Now when none is set; the zero
// Activities (with Media set) is usable.
func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *Activities) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// beat records details when the interval has passed, or always when force.
// Details are one JSON object whose "done" and "total" fields are the
// progress clients draw (workflows.ActivityProgress); the rest is for
// resuming.
func (h *heartbeater) beat(force bool, details any) {
	if !activity.IsActivity(h.ctx) {
		return
	}
	if t := h.now(); force || t.Sub(h.last) >= h.every {
		h.last = t
		activity.RecordHeartbeat(h.ctx, details)
	}
}

// resume reads the previous attempt's heartbeat details into v; false when
// there are none.
func resume(ctx context.Context, v any) bool {
	if !activity.IsActivity(ctx) || !activity.HasHeartbeatDetails(ctx) {
		return false
	}
	return activity.GetHeartbeatDetails(ctx, v) == nil
}

// Probe inspects the source.
func (a *Activities) Probe(ctx context.Context, in workflows.ProbeInput) (media.SourceInfo, error) {
	ctx = a.withIO(ctx)
	info, err := a.Media.Probe(ctx, in.Source)
	if err != nil {
		return media.SourceInfo{}, classify(err)
	}
	v := info.Video()
	if v == nil {
		return media.SourceInfo{}, classify(fmt.Errorf("probe %s: %w", in.Source, encoder.ErrNoVideo))
	}
	// Every rung is scored at the source's size: refuse now what VMAF
	// cannot score rather than after the encode.
	if v.Width > 0 && v.Height > 0 && (v.Width < vmaf.MinSize || v.Height < vmaf.MinSize) {
		return media.SourceInfo{}, classify(fmt.Errorf("probe %s: %w: picture %dx%d, VMAF needs at least %dx%d", in.Source, vmaf.ErrTooSmall, v.Width, v.Height, vmaf.MinSize, vmaf.MinSize))
	}
	return *info, nil
}
