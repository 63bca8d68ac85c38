package adm

import (
	"math"
	"sync"
)

// Fixed-point constants of libvmaf's integer ADM (integer_adm.h).
var (
	dwtLo = [4]int32{15826, 27411, 7345, -4240}
	dwtHi = [4]int32{-4240, -7345, 27411, -15826}
)

const (
	dwtLoSum = 46342
	dwtHiSum = 0

	oneBy15   = 8738      // (1/15) in Q17, scale 0
	i4OneBy15 = 286331153 // (1/15) in Q32, scales 1..3

	borderFactor = 0.1

	defaultNormViewDist     = 3.0
	defaultRefDisplayHeight = 1080
)

// divLookup[32768+i] = 2^30 / i, divLookup[32768-i] = -(2^30 / i).
var divLookup = func() *[65537]int32 {
	var t [65537]int32
	for i := 1; i <= 32768; i++ {
		r := int32(1073741824 / i)
		t[32768+i] = r
		t[32768-i] = -r
	}
	return &t
}()

// cos(1 degree)^2 as the float libvmaf stores.
var cos1degSq = float32(math.Cos(1.0*math.Pi/180.0) * math.Cos(1.0*math.Pi/180.0))

// Watson et al. 1997 wavelet visibility model (luma row of the table).
var (
	watsonA  = float32(0.495)
	watsonK  = float32(0.466)
	watsonF0 = float32(0.401)
	watsonG  = [4]float32{1.501, 1.0, 0.534, 1.0}
	basisAmp = [6][4]float32{
		{0.62171, 0.67234, 0.72709, 0.67234},
		{0.34537, 0.41317, 0.49428, 0.41317},
		{0.18004, 0.22727, 0.28688, 0.22727},
		{0.091401, 0.11792, 0.15214, 0.11792},
		{0.045943, 0.059758, 0.077727, 0.059758},
		{0.023013, 0.030018, 0.039156, 0.030018},
	}
)

// quantStep is libvmaf's dwt_quant_step: the float quantisation step of
// scale lambda, orientation theta.
func quantStep(lambda, theta int, nvd float64, rdh int) float32 {
	r := float32(nvd * float64(rdh) * math.Pi / 180.0)
	temp := float32(math.Log10(math.Pow(2.0, float64(lambda+1)) * float64(watsonF0) * float64(watsonG[theta]) / float64(r)))
	// k*temp*temp is evaluated in float (all three operands are float in
	// libvmaf); doing it in double changes the last bit of some factors.
	q := 2.0 * float64(watsonA) * math.Pow(10.0, float64(watsonK*temp*temp)) / float64(basisAmp[lambda][theta])
	return float32(q)
}

// csfParams holds the per-scale reciprocal CSF factors.
type csfParams struct {
	rf [4][3]float32 // rfactor{h,v,d} per scale, float
	i0 [3]int32      // scale-0 fixed-point rfactor (Q21, Q21, Q23)
	i4 [4][3]int64   // scales 1..3 fixed-point rfactor (Q32)
}

type csfKey struct {
	nvd float64
	rdh int
}

var csfCache sync.Map // csfKey -> *csfParams

func getCSF(nvd float64, rdh int) *csfParams {
	k := csfKey{nvd, rdh}
	if v, ok := csfCache.Load(k); ok {
		return v.(*csfParams)
	}
	p := &csfParams{}
	for s := 0; s < 4; s++ {
		f1 := float32(1.0) / quantStep(s, 1, nvd, rdh)
		f2 := float32(1.0) / quantStep(s, 2, nvd, rdh)
		p.rf[s] = [3]float32{f1, f1, f2}
		for t := 0; t < 3; t++ {
			p.i4[s][t] = int64(uint32(float64(p.rf[s][t]) * 4294967296.0))
		}
	}
	if math.Abs(nvd*float64(rdh)-defaultNormViewDist*defaultRefDisplayHeight) < 1.0e-8 {
		p.i0 = [3]int32{36453, 36453, 49417}
	} else {
		p.i0[0] = int32(uint16(float64(p.rf[0][0]) * 2097152.0))
		p.i0[1] = int32(uint16(float64(p.rf[0][1]) * 2097152.0))
		p.i0[2] = int32(uint16(float64(p.rf[0][2]) * 8388608.0))
	}
	v, _ := csfCache.LoadOrStore(k, p)
	return v.(*csfParams)
}
