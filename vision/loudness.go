package vision

import "math"

// Loudness per ITU-R BS.1770-4 and EBU R128/Tech 3341-3342, arranged as
// ffmpeg's ebur128 filter does it so the two agree: K-weighting (a high
// shelf and a high-pass, from their analog prototypes by the bilinear
// transform at the stream's rate), 400 ms blocks every 100 ms for the
// integrated loudness and 3 s windows every 100 ms for the loudness range,
// the absolute gate at −70 LUFS and relative gates at −10 LU (integrated)
// and −20 LU (range), with block powers kept in 0.01 LU histograms. The
// true peak is the largest magnitude after 4× oversampling.

const (
	absGate   = -70.0
	absUpper  = 10.0
	histGrain = 100
	histSize  = int((absUpper-absGate)*histGrain) + 1
)

func loudnessOf(power float64) float64 { return 10*math.Log10(power) - 0.691 }

// biquad is a direct-form-I second-order section.
type biquad struct {
	b0, b1, b2, a1, a2 float64
}

// kWeighting returns the two K-weighting stages for sample rate sr.
func kWeighting(sr float64) (shelf, hp biquad) {
	{
		f0, g, q := 1681.974450955533, 3.999843853973347, 0.7071752369554196
		k := math.Tan(math.Pi * f0 / sr)
		vh := math.Pow(10, g/20)
		vb := math.Pow(vh, 0.4996667741545416)
		a0 := 1 + k/q + k*k
		shelf = biquad{
			b0: (vh + vb*k/q + k*k) / a0,
			b1: 2 * (k*k - vh) / a0,
			b2: (vh - vb*k/q + k*k) / a0,
			a1: 2 * (k*k - 1) / a0,
			a2: (1 - k/q + k*k) / a0,
		}
	}
	{
		f0, q := 38.13547087602444, 0.5003270373238773
		k := math.Tan(math.Pi * f0 / sr)
		a0 := 1 + k/q + k*k
		hp = biquad{b0: 1, b1: -2, b2: 1, a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	}
	return shelf, hp
}

// integrator is a sliding window of squared K-weighted samples per channel
// plus the gating histogram of its loudness, as ebur128 keeps them.
type integrator struct {
	cache   [][]float64
	sum     []float64
	pos     int
	filled  bool
	hist    [histSize]int
	sumPow  float64
	nPow    int
	relGate float64
}

func newIntegrator(nch, size int) *integrator {
	in := &integrator{cache: make([][]float64, nch), sum: make([]float64, nch)}
	for i := range in.cache {
		in.cache[i] = make([]float64, size)
	}
	return in
}

func histPos(l float64) int {
	i := int(math.RoundToEven(histGrain * (l - absGate)))
	if i < 0 {
		return 0
	}
	if i > histSize-1 {
		return histSize - 1
	}
	return i
}

// gate adds a block of the given power and returns the histogram index of
// the relative gate.
func (in *integrator) gate(power, loudness, rel float64) int {
	in.hist[histPos(loudness)]++
	in.sumPow += power
	in.nPow++
	r := in.sumPow / float64(in.nPow)
	if r == 0 {
		r = 1e-12
	}
	in.relGate = loudnessOf(r) + rel
	return histPos(in.relGate)
}

func histEnergy(i int) float64 {
	return math.Pow(10, (float64(i)/histGrain+absGate+0.691)/10)
}

func histLoudness(i int) float64 { return float64(i)/histGrain + absGate }

// loudnessMeter measures integrated loudness, loudness range and true peak.
type loudnessMeter struct {
	sr      int
	weights []float64
	shelf   biquad
	hp      biquad
	state   [][4]float64 // per channel: shelf x1 x2 y1 y2 folded into two stages below
	st2     [][4]float64
	i400    *integrator
	i3000   *integrator
	count   int
	step    int

	integrated, integratedThreshold float64
	lra, lraLow, lraHigh            float64
	blocks                          int

	os         *oversampler
	truePeak   float64
	truePeakAt int64
	samplePeak float64
	pos        int64
}

func newLoudnessMeter(sr int, weights []float64) *loudnessMeter {
	m := &loudnessMeter{sr: sr, weights: weights, step: sr / 10,
		integrated: absGate, integratedThreshold: absGate, lraLow: absGate, lraHigh: absGate}
	m.shelf, m.hp = kWeighting(float64(sr))
	n := len(weights)
	m.state = make([][4]float64, n)
	m.st2 = make([][4]float64, n)
	m.i400 = newIntegrator(n, sr*4/10)
	m.i3000 = newIntegrator(n, sr*3)
	m.os = newOversampler(n)
	return m
}

func (bq *biquad) run(x float64, s *[4]float64) float64 {
	y := bq.b0*x + bq.b1*s[0] + bq.b2*s[1] - bq.a1*s[2] - bq.a2*s[3]
	s[1], s[0] = s[0], x
	s[3], s[2] = s[2], y
	return y
}

func (m *loudnessMeter) add(planes [][]float32) {
	n := len(planes[0])
	nch := len(planes)
	// True peak first, per channel (independent of the gating).
	for ch := 0; ch < nch; ch++ {
		p, at := m.os.peak(ch, planes[ch])
		if p > m.truePeak {
			m.truePeak, m.truePeakAt = p, m.pos+int64(at)
		}
		for _, v := range planes[ch] {
			if a := math.Abs(float64(v)); a > m.samplePeak {
				m.samplePeak = a
			}
		}
	}
	i4, i3 := m.i400, m.i3000
	for i := 0; i < n; i++ {
		for ch := 0; ch < nch; ch++ {
			y := m.hp.run(m.shelf.run(float64(planes[ch][i]), &m.state[ch]), &m.st2[ch])
			e := y * y
			c4 := i4.cache[ch]
			i4.sum[ch] += e - c4[i4.pos]
			c4[i4.pos] = e
			c3 := i3.cache[ch]
			i3.sum[ch] += e - c3[i3.pos]
			c3[i3.pos] = e
		}
		i4.pos++
		if i4.pos == len(i4.cache[0]) {
			i4.pos, i4.filled = 0, true
		}
		i3.pos++
		if i3.pos == len(i3.cache[0]) {
			i3.pos, i3.filled = 0, true
		}
		m.count++
		if m.count == m.step {
			m.count = 0
			m.update()
		}
	}
	m.pos += int64(n)
}

// power returns the channel-weighted mean square over an integrator's window.
func (m *loudnessMeter) power(in *integrator) float64 {
	p := 1e-12
	if in.filled {
		for ch, w := range m.weights {
			p += w * in.sum[ch]
		}
		p /= float64(len(in.cache[0]))
	}
	return p
}

// update runs every 100 ms.
func (m *loudnessMeter) update() {
	p400, p3000 := m.power(m.i400), m.power(m.i3000)
	l400, l3000 := loudnessOf(p400), loudnessOf(p3000)
	if l400 >= absGate {
		m.blocks++
		g := m.i400.gate(p400, l400, -10)
		var sum float64
		var cnt int
		for i := g; i < histSize; i++ {
			if c := m.i400.hist[i]; c > 0 {
				cnt += c
				sum += float64(c) * histEnergy(i)
			}
		}
		if cnt > 0 {
			m.integrated = loudnessOf(sum / float64(cnt))
			m.integratedThreshold = m.i400.relGate
		}
	}
	if l3000 >= absGate {
		g := m.i3000.gate(p3000, l3000, -20)
		total := 0
		for i := g; i < histSize; i++ {
			total += m.i3000.hist[i]
		}
		if total > 0 {
			lowN := int(10*float64(total)*0.01 + 0.5)
			n := 0
			for i := g; i < histSize; i++ {
				n += m.i3000.hist[i]
				if n >= lowN {
					m.lraLow = histLoudness(i)
					break
				}
			}
			highN := int(95*float64(total)*0.01 + 0.5)
			n = total
			for i := histSize - 1; i >= 0; i-- {
				n -= m.i3000.hist[i]
				if n < highN {
					m.lraHigh = histLoudness(i)
					break
				}
			}
			m.lra = m.lraHigh - m.lraLow
		}
	}
}

type loudnessResult struct {
	integrated, integratedThreshold float64
	lra, lraLow, lraHigh            float64
	truePeakDB, samplePeakDB        float64
	truePeakAt                      int64
	blocks                          int
}

// SilenceDB is the peak level, in dBFS or dBTP, that the audio report
// gives digital silence (no sample other than zero), whose level is −∞:
// JSON has no infinity, and a report of a silent track must still be
// written. No peak reads lower.
const SilenceDB = -200.0

func dbfs(v float64) float64 {
	if v <= 0 {
		return SilenceDB
	}
	return max(20*math.Log10(v), SilenceDB)
}

func (m *loudnessMeter) result() loudnessResult {
	tp := m.truePeak
	if m.samplePeak > tp {
		tp = m.samplePeak
	}
	return loudnessResult{
		integrated: m.integrated, integratedThreshold: m.integratedThreshold,
		lra: m.lra, lraLow: m.lraLow, lraHigh: m.lraHigh,
		truePeakDB: dbfs(tp), samplePeakDB: dbfs(m.samplePeak), truePeakAt: m.truePeakAt,
		blocks: m.blocks,
	}
}

// oversampler interpolates 4× the way libswresample's default resampler
// does for ffmpeg's ebur128 (32 taps, sinc at the input Nyquist, its Kaiser
// weighting with β 9, each phase normalised to unity gain), so true peaks
// agree with ffmpeg's, and tracks the peak.
type oversampler struct {
	phases [4][]float64
	hist   [][]float64 // per channel, the last osTaps-1 input samples
	begun  []bool
}

const osTaps = 32

func newOversampler(nch int) *oversampler {
	o := &oversampler{hist: make([][]float64, nch), begun: make([]bool, nch)}
	for i := range o.hist {
		o.hist[i] = make([]float64, osTaps-1)
	}
	const beta = 9.0
	center := (osTaps - 1) / 2
	for p := 0; p < 4; p++ {
		taps := make([]float64, osTaps)
		var norm float64
		for i := range taps {
			x := math.Pi * (float64(i-center) - float64(p)/4)
			y := 1.0
			if x != 0 {
				y = math.Sin(x) / x
			}
			w := 2 * x / (osTaps * math.Pi)
			y *= besselI0(beta * math.Sqrt(math.Max(1-w*w, 0)))
			taps[i] = y
			norm += y
		}
		for i := range taps {
			taps[i] /= norm
		}
		o.phases[p] = taps
	}
	return o
}

func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2) / float64(k)
		sum += term * term
		if term*term < 1e-17*sum {
			break
		}
	}
	return sum
}

// peak filters one channel's block and returns its largest interpolated
// magnitude and the input sample index where it occurred.
func (o *oversampler) peak(ch int, in []float32) (float64, int) {
	h := o.hist[ch]
	skip := 0
	if !o.begun[ch] && len(in) > 0 {
		// Like swresample, start from a mirror image of the first samples
		// (x[-k] = x[k]) and output nothing before time 0.
		o.begun[ch] = true
		for k := 1; k <= len(h); k++ {
			v := 0.0
			if k <= osTaps/2 && k < len(in) {
				v = float64(in[k])
			}
			h[len(h)-k] = v
		}
		skip = osTaps / 2
	}
	buf := make([]float64, len(h)+len(in))
	copy(buf, h)
	for i, v := range in {
		buf[len(h)+i] = float64(v)
	}
	best, at := 0.0, 0
	for i := skip; i < len(in); i++ {
		win := buf[i : i+osTaps]
		for p := 0; p < 4; p++ {
			c := o.phases[p]
			var acc float64
			for k, t := range c {
				acc += t * win[k]
			}
			if a := math.Abs(acc); a > best {
				best, at = a, i-osTaps/2
			}
		}
	}
	copy(h, buf[len(buf)-len(h):])
	if at < 0 {
		at = 0
	}
	return best, at
}
