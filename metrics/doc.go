// Package metrics serves a worker's Prometheus metrics (reel worker
// --metrics ADDR): the Temporal SDK's own, through SDKHandler (the SDK's
// client.MetricsHandler over client_golang, named as the SDK's Prometheus
// reporter names them: temporal_… with the tags as labels, counters with
// _total, timers as histograms in seconds); reel's; and the Go runtime's
// and the process's (go_…, process_…). Handler serves them on /metrics
// with /healthz and /readyz beside it (Health: /readyz 200 "ok" while the
// worker runs and Temporal answers, 503 and the reason while it starts,
// drains or cannot reach Temporal; /healthz 200 while the process serves,
// draining included, 503 only after a fatal worker error).
//
// reel's metrics:
//
//	reel_frames_decoded_total              video frames decoded by activities
//	reel_frames_encoded_total{codec}       frames encoded (h264, hevc, vp9, av1)
//	reel_encode_seconds_total{codec}       wall time of those encodes
//	reel_encode_fps{codec}                 histogram: frames per second of each encode
//	reel_vmaf_frames_scored_total          frames scored with VMAF, per rung or trial
//	reel_activity_failures_total{activity,error_type,non_retryable}
//	                                       failed activity executions (Interceptor)
//	reel_mezzfs_{reads,requests,retries}_total, reel_mezzfs_{fetched,served}_bytes_total,
//	reel_mezzfs_{cache_hits,cache_misses,disk_cache_hits}_total
//	                                       object-store reads (added as readers close)
//	reel_store_writes_total, reel_store_written_bytes_total
//	                                       files written whole to output locations
//
// Encode speed per codec: rate(reel_frames_encoded_total[5m]) /
// rate(reel_encode_seconds_total[5m]), or the reel_encode_fps histogram.
//
// An example Prometheus scrape configuration for workers started with
// --metrics :9090:
//
//	scrape_configs:
//	  - job_name: reel-workers
//	    metrics_path: /metrics
//	    static_configs:
//	      - targets: ["encoder-1:9090", "encoder-2:9090"]
//
// A Metrics is safe for concurrent use; make one with New. Nothing here is
// global: each Metrics has its own registry.
package metrics
