package vmaf

import (
	"fmt"
	"math"

	"github.com/reel-video/reel/frame"
)

// PSNRMax returns libvmaf's PSNR cap for a bit depth: 6·bpc + 12 dB
// (60 dB at 8 bits, 72 dB at 10 bits).
func PSNRMax(bpc int) float64 { return float64(6*bpc + 12) }

// PSNRPlane computes libvmaf's "psnr" feature for one plane: the integer
// sum of squared errors, MSE = SSE/(w·h), and
// min(10·log10(peak²/max(MSE, 1e-16)), 6·bpc+12) with peak = 2^bpc − 1.
func PSNRPlane(ref, dis *frame.Plane, bpc int) (float64, error) {
	if ref.Width != dis.Width || ref.Height != dis.Height {
		return 0, fmt.Errorf("%w: plane %dx%d vs %dx%d", ErrFormatMismatch, ref.Width, ref.Height, dis.Width, dis.Height)
	}
	if bpc < 8 || bpc > 16 {
		return 0, fmt.Errorf("%w: bit depth %d", ErrUnsupportedFormat, bpc)
	}
	var sse uint64
	w, h := ref.Width, ref.Height
	if bpc == 8 {
		if ref.Pix8 == nil || dis.Pix8 == nil {
			return 0, fmt.Errorf("%w: 8-bit plane without 8-bit samples", ErrUnsupportedFormat)
		}
		for y := 0; y < h; y++ {
			r := ref.Pix8[y*ref.Stride : y*ref.Stride+w]
			d := dis.Pix8[y*dis.Stride : y*dis.Stride+w]
			var row uint32
			for x := range r {
				e := int32(r[x]) - int32(d[x])
				row += uint32(e * e)
			}
			sse += uint64(row)
		}
	} else {
		if ref.Pix16 == nil || dis.Pix16 == nil {
			return 0, fmt.Errorf("%w: %d-bit plane without 16-bit samples", ErrUnsupportedFormat, bpc)
		}
		for y := 0; y < h; y++ {
			r := ref.Pix16[y*ref.Stride : y*ref.Stride+w]
			d := dis.Pix16[y*dis.Stride : y*dis.Stride+w]
			for x := range r {
				e := int64(r[x]) - int64(d[x])
				sse += uint64(e * e)
			}
		}
	}
	mse := float64(sse) / float64(w*h)
	peak := float64((uint64(1) << uint(bpc)) - 1)
	v := 10 * math.Log10(float64(peak*peak)/math.Max(mse, 1e-16))
	return math.Min(v, PSNRMax(bpc)), nil
}
