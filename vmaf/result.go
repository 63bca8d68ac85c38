package vmaf

import "math"

// Metrics is an ordered set of named values (feature scores of one frame).
// The zero value is empty and ready to use.
type Metrics struct {
	keys []string
	vals map[string]float64
}

// Set sets name to v, appending name to the order if it is new.
func (m *Metrics) Set(name string, v float64) {
	if m.vals == nil {
		m.vals = make(map[string]float64)
	}
	if _, ok := m.vals[name]; !ok {
		m.keys = append(m.keys, name)
	}
	m.vals[name] = v
}

// Get returns the value of name and whether it is present.
func (m *Metrics) Get(name string) (float64, bool) {
	v, ok := m.vals[name]
	return v, ok
}

// Keys returns the names in insertion order.
func (m *Metrics) Keys() []string { return append([]string(nil), m.keys...) }

// Len returns the number of metrics.
func (m *Metrics) Len() int { return len(m.keys) }

// Map returns a copy of the metrics as a map.
func (m *Metrics) Map() map[string]float64 {
	out := make(map[string]float64, len(m.vals))
	for k, v := range m.vals {
		out[k] = v
	}
	return out
}

// FrameResult holds the metrics of one frame.
type FrameResult struct {
	// Num is the frame's index, from 0 (libvmaf "frameNum").
	Num     int
	Metrics Metrics
}

// Result is the outcome of scoring a sequence, laid out like libvmaf's JSON
// report.
type Result struct {
	// Version is the libvmaf version the numbers correspond to.
	Version string
	// FPS is the scoring speed in frames per second; NaN when unknown.
	FPS float64
	// Frames holds per-frame metrics in frame order.
	Frames []FrameResult
	// PooledOrder lists the keys of Pooled in report order.
	PooledOrder []string
	// Pooled holds each metric pooled over all frames.
	Pooled map[string]Pooled
	// Aggregate holds sequence-level metrics (empty for the features
	// implemented here), in the order of AggregateOrder.
	Aggregate      map[string]float64
	AggregateOrder []string
}

// LibvmafVersion is the libvmaf version whose output this package
// reproduces; it is written as the JSON "version".
const LibvmafVersion = "3.2.0"

// Series returns the per-frame values of metric name, in frame order, and
// whether every frame has it.
func (r *Result) Series(name string) ([]float64, bool) {
	out := make([]float64, 0, len(r.Frames))
	all := true
	for i := range r.Frames {
		v, ok := r.Frames[i].Metrics.Get(name)
		if !ok {
			all = false
			continue
		}
		out = append(out, v)
	}
	return out, all
}

// Percentile returns the p-th percentile of metric name over frames (see
// the package-level Percentile for the interpolation rule); NaN when the
// metric is absent.
func (r *Result) Percentile(name string, p float64) float64 {
	s, _ := r.Series(name)
	if len(s) == 0 {
		return math.NaN()
	}
	return Percentile(s, p)
}

// Score returns the pooled mean of the "vmaf" metric (or NaN).
func (r *Result) Score() float64 {
	if p, ok := r.Pooled["vmaf"]; ok {
		return p.Mean
	}
	return math.NaN()
}

// pool recomputes Pooled from the frames, keeping first-seen metric order.
func (r *Result) pool() {
	r.Pooled = make(map[string]Pooled)
	r.PooledOrder = r.PooledOrder[:0]
	seen := map[string]bool{}
	for i := range r.Frames {
		for _, k := range r.Frames[i].Metrics.keys {
			if !seen[k] {
				seen[k] = true
				r.PooledOrder = append(r.PooledOrder, k)
			}
		}
	}
	for _, k := range r.PooledOrder {
		s, _ := r.Series(k)
		r.Pooled[k] = Pool(s)
	}
}

// Merge joins results of consecutive windows of one sequence (scored by
// successive Scorers, see Scorer.Prime) into one Result: frames renumbered
// in order, metrics pooled again over all frames.
func Merge(parts ...*Result) *Result {
	out := &Result{Version: LibvmafVersion, FPS: math.NaN(), Aggregate: map[string]float64{}}
	for _, p := range parts {
		if p == nil {
			continue
		}
		if p.Version != "" {
			out.Version = p.Version
		}
		for _, f := range p.Frames {
			f.Num = len(out.Frames)
			out.Frames = append(out.Frames, f)
		}
	}
	out.pool()
	return out
}
