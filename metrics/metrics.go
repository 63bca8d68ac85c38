package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/reel-video/reel/mezzfs"
)

// Metrics is one process's registry with reel's collectors and the
// Temporal SDK's metrics.
type Metrics struct {
	reg *prometheus.Registry
	sdk *sdkMetrics

	decoded     prometheus.Counter
	encoded     *prometheus.CounterVec
	encodeSecs  *prometheus.CounterVec
	encodeFPS   *prometheus.HistogramVec
	scored      prometheus.Counter
	storeWrites prometheus.Counter
	storeBytes  prometheus.Counter
	failures    *prometheus.CounterVec

	mezzReads, mezzRequests, mezzRetries prometheus.Counter
	mezzFetched, mezzServed              prometheus.Counter
	mezzHits, mezzMisses, mezzDiskHits   prometheus.Counter
}

// FPSBuckets are the buckets of reel_encode_fps (frames per second of one
// encode).
var FPSBuckets = []float64{1, 2, 5, 10, 20, 30, 60, 120, 240, 500, 1000}

// New returns a Metrics with reel's collectors, the SDK's (empty until the
// SDK records something) and the Go runtime and process collectors
// registered.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), sdk: newSDKMetrics()}
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		m.reg.MustRegister(c)
		return c
	}
	m.decoded = counter("reel_frames_decoded_total", "Video frames decoded by activities (sources, chunks, rungs scored).")
	m.encoded = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reel_frames_encoded_total",
		Help: "Video frames encoded, by codec (every rung's frames)."}, []string{"codec"})
	m.encodeSecs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reel_encode_seconds_total",
		Help: "Wall-clock seconds of encodes, by codec (rungs encoded in one pass each count the pass's time)."}, []string{"codec"})
	m.encodeFPS = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "reel_encode_fps",
		Help: "Frames per second of each encode (one rung of one chunk, trial or ladder), by codec.", Buckets: FPSBuckets}, []string{"codec"})
	m.reg.MustRegister(m.encoded, m.encodeSecs, m.encodeFPS)
	m.scored = counter("reel_vmaf_frames_scored_total", "Frames scored with VMAF (one per rung or trial and frame).")
	m.storeWrites = counter("reel_store_writes_total", "Files written whole to output locations (object uploads and whole-file writes).")
	m.storeBytes = counter("reel_store_written_bytes_total", "Bytes of the files counted by reel_store_writes_total.")
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "reel_activity_failures_total",
		Help: "Failed activity executions by activity type, error type (the application error's type, canceled, or other) and whether the error is non-retryable."},
		[]string{"activity", "error_type", "non_retryable"})
	m.reg.MustRegister(m.failures)
	m.mezzReads = counter("reel_mezzfs_reads_total", "Reads served by mezzfs readers (counted when a reader closes).")
	m.mezzRequests = counter("reel_mezzfs_requests_total", "Ranged GET requests mezzfs readers issued, retries included.")
	m.mezzRetries = counter("reel_mezzfs_retries_total", "mezzfs requests that failed and were tried again.")
	m.mezzFetched = counter("reel_mezzfs_fetched_bytes_total", "Bytes mezzfs readers received from object stores.")
	m.mezzServed = counter("reel_mezzfs_served_bytes_total", "Bytes mezzfs readers returned to their callers.")
	m.mezzHits = counter("reel_mezzfs_cache_hits_total", "Blocks mezzfs reads found cached or already being fetched.")
	m.mezzMisses = counter("reel_mezzfs_cache_misses_total", "Blocks mezzfs reads had to fetch.")
	m.mezzDiskHits = counter("reel_mezzfs_disk_cache_hits_total", "Blocks mezzfs loaded from its disk cache.")
	m.reg.MustRegister(m.sdk, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry /metrics serves; register more collectors on
// it as needed.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// FramesDecoded counts n decoded video frames.
func (m *Metrics) FramesDecoded(n int) {
	if n > 0 {
		m.decoded.Add(float64(n))
	}
}

// FramesEncoded counts n frames encoded with codec in seconds of wall
// time, and observes their rate in reel_encode_fps when seconds > 0.
func (m *Metrics) FramesEncoded(codec string, n int, seconds float64) {
	if n <= 0 {
		return
	}
	if codec == "" {
		codec = "unknown"
	}
	m.encoded.WithLabelValues(codec).Add(float64(n))
	if seconds > 0 {
		m.encodeSecs.WithLabelValues(codec).Add(seconds)
		m.encodeFPS.WithLabelValues(codec).Observe(float64(n) / seconds)
	}
}

// FramesScored counts n frames scored with VMAF.
func (m *Metrics) FramesScored(n int) {
	if n > 0 {
		m.scored.Add(float64(n))
	}
}

// StoreWrite counts one file of bytes written whole to an output location.
func (m *Metrics) StoreWrite(bytes int64) {
	m.storeWrites.Inc()
	if bytes > 0 {
		m.storeBytes.Add(float64(bytes))
	}
}

// StoreRead adds a closed mezzfs reader's counters.
func (m *Metrics) StoreRead(st mezzfs.Stats) {
	add := func(c prometheus.Counter, v int64) {
		if v > 0 {
			c.Add(float64(v))
		}
	}
	add(m.mezzReads, st.Reads)
	add(m.mezzRequests, st.Requests)
	add(m.mezzRetries, st.Retries)
	add(m.mezzFetched, st.BytesFetched)
	add(m.mezzServed, st.BytesServed)
	add(m.mezzHits, st.CacheHits)
	add(m.mezzMisses, st.CacheMisses)
	add(m.mezzDiskHits, st.DiskCacheHits)
}

// ActivityFailed counts one failed execution of activity with errType.
func (m *Metrics) ActivityFailed(activity, errType string, nonRetryable bool) {
	m.failures.WithLabelValues(activity, errType, strconv.FormatBool(nonRetryable)).Inc()
}
