package activities

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/encoder"
	"github.com/reel-video/reel/encoder/encodertest"
	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/media"
	"github.com/reel-video/reel/workflows"
)

// TestErrTypeMapping: every encoder sentinel maps to its application
// error type, non-retryable, whatever wraps it.
func TestErrTypeMapping(t *testing.T) {
	for _, tc := range []struct {
		err error
		typ string
	}{
		{encoder.ErrNotFound, workflows.ErrTypeNotFound},
		{encoder.ErrEmpty, workflows.ErrTypeEmptyInput},
		{encoder.ErrInvalidData, workflows.ErrTypeInvalidMedia},
		{encoder.ErrTruncated, workflows.ErrTypeTruncatedMedia},
		{encoder.ErrCorrupt, workflows.ErrTypeCorruptMedia},
		{encoder.ErrNoVideo, workflows.ErrTypeNoVideo},
		{encoder.ErrUnsupported, workflows.ErrTypeUnsupported},
		{encoder.ErrInvalidSettings, workflows.ErrTypeInvalidSettings},
	} {
		err := classify(fmt.Errorf("encoder: decode /x/src.avi: %w: frame 23 (presentation order) failed to decode", tc.err))
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != tc.typ || !app.NonRetryable() {
			t.Errorf("%v: %v, want non-retryable %s", tc.err, err, tc.typ)
		}
		if !slices.Contains(workflows.NonRetryableErrorTypes, tc.typ) {
			t.Errorf("%s is not in NonRetryableErrorTypes", tc.typ)
		}
	}
}

// TestEncodeLadderBadMediaErrTypes: a generated AVI with bytes flipped
// inside (its demuxer loses frame 23) fails EncodeLadder as CorruptMedia
// naming the frame, and the same AVI cut at half as TruncatedMedia
// (issue 15: both were TruncatedMedia).
func TestEncodeLadderBadMediaErrTypes(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.avi")
	mediatest.Clip(t, good, mediatest.ClipOptions{Size: "320x240", Rate: "25", Frames: 60, Codec: "mpeg4", GOP: 25,
		Extra: mediatest.Args{"bf": "0"}})
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	corrupt, truncated := filepath.Join(dir, "corrupt.avi"), filepath.Join(dir, "truncated.avi")
	if err := os.WriteFile(corrupt, b, 0o644); err != nil {
		t.Fatal(err)
	}
	encodertest.DamageAVIChunk(t, corrupt, 23, 300)
	if err := os.WriteFile(truncated, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, src, typ, msg string }{
		{"corrupt", corrupt, workflows.ErrTypeCorruptMedia, "frame 23 (presentation order) failed to decode"},
		{"truncated", truncated, workflows.ErrTypeTruncatedMedia, "of 60 announced video frames"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := actEnv(t)
			_, err := env.ExecuteActivity(workflows.ActivityEncodeLadder, workflows.EncodeLadderInput{
				Source: tc.src, Out: t.TempDir(), Frames: 60,
				Rungs: []media.RungSpec{{ID: "r", Width: 160, Height: 120, Codec: "h264", CRF: 30, Preset: "ultrafast"}},
			})
			var app *temporal.ApplicationError
			if !errors.As(err, &app) || app.Type() != tc.typ || !app.NonRetryable() || !strings.Contains(app.Message(), tc.msg) {
				t.Fatalf("err = %v, want non-retryable %s saying %q", err, tc.typ, tc.msg)
			}
			if msg := app.Message(); !strings.Contains(msg, tc.src) || strings.Count(msg, "encoder:") != 1 {
				t.Errorf("message %q: want the source named and the encoder prefix once", msg)
			}
		})
	}
}
