package vmaf

import (
	"errors"

	"github.com/reel-video/reel/frame"
)

// admScores mirrors the integer ADM extractor's output.
type admScores struct {
	adm2, aim, adm3 float64
	scale           [4]float64
}

// errADMUnavailable is returned while the ADM extractor is not built in.
var errADMUnavailable = errors.New("vmaf: integer ADM extractor not available")

// computeADM runs the integer ADM extractor; egl is the enhancement gain
// limit (0 for the default).
func computeADM(ref, dis *frame.Plane, bpc int, egl float64) (admScores, error) {
	return admScores{}, errADMUnavailable
}
