#!/usr/bin/env bash
# Chunked, distributed encode of a 30 s title on 1 and then 2 `reel worker
# --queues reel-encode` processes beside one embedded server: wall-time
# ratio and orchestration overhead, from the workflow history. The
# definitions are in internal/cli/bench_chunked_test.go (TestBenchChunked):
#   encode   = first EncodeChunk scheduled -> last StitchRung completed
#   ideal    = sum of EncodeChunk run times / workers + longest StitchRung
#   overhead = encode / ideal                 (issue 6 goal: <= 1.15)
#
#   bench/chunked.sh
#   REEL_BENCH_RUNS=3 REEL_BENCH_WORKERS=1,2,4 bench/chunked.sh
# Knobs: REEL_BENCH_SECONDS (30), REEL_BENCH_SIZE (1280x720),
# REEL_BENCH_PRESET (veryfast), REEL_BENCH_WORKERS (1,2), REEL_BENCH_RUNS (1).
set -euo pipefail
cd "$(dirname "$0")/.."
REEL_BENCH_CHUNKED=1 go test ./internal/cli -run '^TestBenchChunked$' -count 1 -v -timeout 2h |
  grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS$' -e '^ok '
