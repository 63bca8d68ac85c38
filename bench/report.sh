#!/usr/bin/env bash
# Time for headless Chromium to load and draw report.html of a two-hour
# title (172,800 frames at 24 fps, 6 rungs with per-frame VMAF and PSNR,
# QC events, shots and chunks): ms from navigation until every plot is
# drawn, and the page's size. The definition is in
# reporthtml/browser_test.go (BenchmarkDrawTwoHours).
#
#   bench/report.sh
#   REEL_BENCH_RUNS=10 bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./reporthtml -run '^$' -bench '^BenchmarkDrawTwoHours$' -benchtime "${REEL_BENCH_RUNS:-5}x" -count 1 |
  awk '/^BenchmarkDrawTwoHours/ { for (i = 1; i < NF; i++) { if ($(i+1) == "ms/draw") ms = $i; if ($(i+1) == "page-bytes") bytes = $i }
         printf "report.html, two hours x 6 rungs: %s ms to draw in Chromium, %d bytes\n", ms, bytes; found = 1 }
       /^(FAIL|---|panic)/ { print } END { if (!found) exit 1 }'
