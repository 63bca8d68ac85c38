package activities

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/reel-video/reel/internal/mediatest"
	"github.com/reel-video/reel/vmaf"
	"github.com/reel-video/reel/workflows"
)

// A source narrower or shorter than VMAF can score is refused at probe,
// non-retryable and naming the file (it used to encode, then fail
// scoring five times with the ADM extractor's error); a score that hits
// vmaf.ErrTooSmall anyway is Unsupported too.
func TestProbeTooSmallForVMAF(t *testing.T) {
	mediatest.Need(t)
	dir := t.TempDir()
	for _, size := range []string{"2000x16", "16x1200"} {
		src := filepath.Join(dir, "src-"+size+".mkv")
		mediatest.Clip(t, src, mediatest.ClipOptions{Size: size, Rate: "25", Frames: 3, Codec: "ffv1"})
		env, _ := actEnv(t)
		_, err := env.ExecuteActivity(workflows.ActivityProbe, workflows.ProbeInput{Source: src})
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != workflows.ErrTypeUnsupported || !app.NonRetryable() ||
			!strings.Contains(app.Message(), filepath.Base(src)) || !strings.Contains(app.Message(), size) {
			t.Errorf("%s: %v, want non-retryable Unsupported naming the file and its size", size, err)
		}
	}
	err := classify(fmt.Errorf("rung 180p frame 1: %w: adm: plane too small: 2000x16", vmaf.ErrTooSmall))
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != workflows.ErrTypeUnsupported || !app.NonRetryable() {
		t.Errorf("classify(ErrTooSmall) = %v, want non-retryable Unsupported", err)
	}
}
