package reporthtml

import (
	"encoding/json"
	"fmt"
	"math"
)

// scoresFile is the part of a libvmaf-format JSON scores file the page
// draws (package vmaf writes it: frames[].frameNum and .metrics).
type scoresFile struct {
	Frames []struct {
		Num     int `json:"frameNum"`
		Metrics struct {
			VMAF  *float64 `json:"vmaf"`
			PSNRY *float64 `json:"psnr_y"`
		} `json:"metrics"`
	} `json:"frames"`
}

// readScores returns the per-frame vmaf and psnr_y of a scores file, in
// frame order, NaN where a frame lacks one (or has null); has tells which
// metric any frame has.
func readScores(b []byte) (vm, psnr []float64, hasVMAF, hasPSNR bool, err error) {
	var f scoresFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, false, false, fmt.Errorf("not a libvmaf JSON: %w", err)
	}
	n := 0
	for _, fr := range f.Frames {
		if fr.Num < 0 || fr.Num > 1<<26 {
			return nil, nil, false, false, fmt.Errorf("not a libvmaf JSON: frameNum %d", fr.Num)
		}
		n = max(n, fr.Num+1)
	}
	vm, psnr = make([]float64, n), make([]float64, n)
	for i := range n {
		vm[i], psnr[i] = math.NaN(), math.NaN()
	}
	for _, fr := range f.Frames {
		if v := fr.Metrics.VMAF; v != nil {
			vm[fr.Num], hasVMAF = *v, true
		}
		if v := fr.Metrics.PSNRY; v != nil {
			psnr[fr.Num], hasPSNR = *v, true
		}
	}
	return vm, psnr, hasVMAF, hasPSNR, nil
}
