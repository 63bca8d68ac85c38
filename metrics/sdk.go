package metrics

import (
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// SDKHandler returns the Temporal SDK's metrics handler over this
// registry: pass it as client.Options.MetricsHandler. The SDK's metrics
// are exported as Prometheus names them through the SDK's tally reporter:
// the SDK's name (temporal_…) with its tags as labels; counters get
// _total; timers are histograms in seconds (TimerBuckets). A metric that
// the SDK records with different tag sets is exported with the union of
// the labels, empty where a tag was not set.
func (m *Metrics) SDKHandler() client.MetricsHandler { return sdkHandler{m: m.sdk} }

// TimerBuckets are the histogram buckets (seconds) of the SDK's timers.
var TimerBuckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600}

type kind int

const (
	kindCounter kind = iota
	kindGauge
	kindTimer
)

// sdkMetrics holds the SDK's series and collects them; it is an unchecked
// collector (it describes nothing), since the SDK creates metrics as it
// goes.
type sdkMetrics struct {
	mu   sync.Mutex
	fams map[string]*sdkFamily // by exported name
}

type sdkFamily struct {
	name, sdkName string
	kind          kind
	series        map[string]*sdkSeries // by seriesKey of the tags
}

type sdkSeries struct {
	tags map[string]string // sanitized label names

	count atomic.Int64  // counter
	gauge atomic.Uint64 // gauge: float64 bits

	mu      sync.Mutex // timer
	buckets []uint64   // per TimerBuckets bound, not cumulative
	n       uint64
	sum     float64
}

func newSDKMetrics() *sdkMetrics { return &sdkMetrics{fams: map[string]*sdkFamily{}} }

// sanitize maps s to a valid Prometheus metric or label name: characters
// other than [a-zA-Z0-9_] become '_', and a leading digit gets a '_'.
func sanitize(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9':
			if i == 0 {
				b.WriteByte('_')
			}
		default:
			r = '_'
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func seriesKey(tags map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		b.WriteString(k)
		b.WriteByte(0)
		b.WriteString(tags[k])
		b.WriteByte(0)
	}
	return b.String()
}

// series returns the series of the SDK metric sdkName of kind k with
// tags, nil when that exported name is already taken by another kind.
func (s *sdkMetrics) series(sdkName string, k kind, tags map[string]string) *sdkSeries {
	name := sanitize(sdkName)
	if k == kindCounter && !strings.HasSuffix(name, "_total") {
		name += "_total"
	}
	key := seriesKey(tags)
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fams[name]
	if f == nil {
		f = &sdkFamily{name: name, sdkName: sdkName, kind: k, series: map[string]*sdkSeries{}}
		s.fams[name] = f
	}
	if f.kind != k {
		return nil
	}
	ser := f.series[key]
	if ser == nil {
		ser = &sdkSeries{tags: tags}
		if k == kindTimer {
			ser.buckets = make([]uint64, len(TimerBuckets))
		}
		f.series[key] = ser
	}
	return ser
}

func (s *sdkMetrics) Describe(chan<- *prometheus.Desc) {}

func (s *sdkMetrics) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	type snap struct {
		f      *sdkFamily
		series []*sdkSeries
	}
	var snaps []snap
	for _, f := range s.fams {
		snaps = append(snaps, snap{f, slices.Collect(maps.Values(f.series))})
	}
	s.mu.Unlock()
	for _, sn := range snaps {
		labelSet := map[string]bool{}
		for _, ser := range sn.series {
			for k := range ser.tags {
				labelSet[k] = true
			}
		}
		labels := slices.Sorted(maps.Keys(labelSet))
		desc := prometheus.NewDesc(sn.f.name, "Temporal SDK metric "+sn.f.sdkName+".", labels, nil)
		for _, ser := range sn.series {
			values := make([]string, len(labels))
			for i, l := range labels {
				values[i] = ser.tags[l]
			}
			var m prometheus.Metric
			var err error
			switch sn.f.kind {
			case kindCounter:
				m, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, float64(ser.count.Load()), values...)
			case kindGauge:
				m, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, math.Float64frombits(ser.gauge.Load()), values...)
			case kindTimer:
				ser.mu.Lock()
				cum := make(map[float64]uint64, len(TimerBuckets))
				var acc uint64
				for i, b := range TimerBuckets {
					acc += ser.buckets[i]
					cum[b] = acc
				}
				n, sum := ser.n, ser.sum
				ser.mu.Unlock()
				m, err = prometheus.NewConstHistogram(desc, n, sum, cum, values...)
			}
			if err != nil {
				m = prometheus.NewInvalidMetric(desc, err)
			}
			ch <- m
		}
	}
}

// sdkHandler implements the SDK's metrics handler; tags hold sanitized
// label names.
type sdkHandler struct {
	m    *sdkMetrics
	tags map[string]string
}

type nop struct{}

func (nop) Inc(int64)            {}
func (nop) Update(float64)       {}
func (nop) Record(time.Duration) {}

func (h sdkHandler) WithTags(tags map[string]string) client.MetricsHandler {
	t := make(map[string]string, len(h.tags)+len(tags))
	maps.Copy(t, h.tags)
	for k, v := range tags {
		t[sanitize(k)] = v
	}
	return sdkHandler{m: h.m, tags: t}
}

func (h sdkHandler) Counter(name string) client.MetricsCounter {
	s := h.m.series(name, kindCounter, h.tags)
	if s == nil {
		return nop{}
	}
	return counterFunc(func(d int64) {
		if d > 0 { // Prometheus counters only go up
			s.count.Add(d)
		}
	})
}

func (h sdkHandler) Gauge(name string) client.MetricsGauge {
	s := h.m.series(name, kindGauge, h.tags)
	if s == nil {
		return nop{}
	}
	return gaugeFunc(func(v float64) { s.gauge.Store(math.Float64bits(v)) })
}

func (h sdkHandler) Timer(name string) client.MetricsTimer {
	s := h.m.series(name, kindTimer, h.tags)
	if s == nil {
		return nop{}
	}
	return timerFunc(func(d time.Duration) {
		v := d.Seconds()
		i, _ := slices.BinarySearch(TimerBuckets, v)
		s.mu.Lock()
		if i < len(s.buckets) {
			s.buckets[i]++
		}
		s.n++
		s.sum += v
		s.mu.Unlock()
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }
