package vmaf

import (
	"errors"
	"fmt"

	"github.com/reel-video/reel/frame"
	"github.com/reel-video/reel/vmaf/internal/adm"
)

// admScores mirrors the integer ADM extractor's output.
type admScores struct {
	adm2, aim, adm3 float64
	scale           [4]float64
}

// errADMUnavailable is returned when the ADM extractor is not built in
// (kept so tests can tell a missing extractor from a wrong number).
var errADMUnavailable = errors.New("vmaf: integer ADM extractor not available")

// MinSize is the smallest width and height VMAF scores: the integer ADM
// extractor's four-scale pyramid needs it. Smaller frames are refused
// with ErrTooSmall.
const MinSize = adm.MinSize

// computeADM runs the integer ADM extractor with ws's buffers; egl is the
// enhancement gain limit (0 for the default).
func computeADM(ws *adm.Workspace, ref, dis *frame.Plane, bpc int, egl float64) (admScores, error) {
	opt := adm.DefaultOptions()
	if egl != 0 {
		opt.EnhnGainLimit = egl
	}
	s, err := ws.Compute(ref, dis, bpc, opt)
	if errors.Is(err, adm.ErrSize) {
		return admScores{}, fmt.Errorf("%w: VMAF needs at least %dx%d: %w", ErrTooSmall, MinSize, MinSize, err)
	}
	if err != nil {
		return admScores{}, err
	}
	return admScores{adm2: s.ADM2, aim: s.AIM, adm3: s.ADM3, scale: s.Scale}, nil
}
