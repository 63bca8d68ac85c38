#!/usr/bin/env bash
# What one title costs, measured (issue 23, docs/scale.md): a real clip
# encoded end to end at the built-in profile by `reel run` on the embedded
# server, source and outputs in S3 (versitygw on loopback behind a counting
# proxy). Prints "name: value" lines: activities by type (count, total and
# mean duration), history events and bytes by event type and the largest
# payloads, S3 requests by kind and bytes each way, CPU seconds attributed to
# activity types, each also per minute of source. The test is
# internal/cli/scale_test.go (TestScaleFigures, run only with REEL_SCALE=1);
# TestScaleReportPayload adds the size of WriteReport's input, built with the
# real types, for 4 to 3,600 chunks of a 1080p title.
#
#   bash bench/scale.sh
#   REEL_SCALE_CLIP=/path/to/clip.mp4 REEL_SCALE_PROFILE=p.yaml bash bench/scale.sh
#
# Knobs: REEL_SCALE_CLIP (default: testdata/media/bigbuckbunny.mp4 played 4
# times, 21 s at 640x360 with its audio), REEL_SCALE_PROFILE (default: the
# built-in profile), REEL_SCALE_OUT
# (where the history JSON is kept; default /tmp/reel-scale). The full go
# test output is kept in ${REEL_SCALE_LOG:-/tmp/reel-scale.log}.
set -uo pipefail
cd "$(dirname "$0")/.."
log=${REEL_SCALE_LOG:-/tmp/reel-scale.log}
export REEL_SCALE_OUT=${REEL_SCALE_OUT:-/tmp/reel-scale}
[ -n "${REEL_SCALE_CLIP:-}" ] && export REEL_SCALE_CLIP=$(realpath "$REEL_SCALE_CLIP")
[ -n "${REEL_SCALE_PROFILE:-}" ] && export REEL_SCALE_PROFILE=$(realpath "$REEL_SCALE_PROFILE")
REEL_SCALE=1 go test ./internal/cli -run '^TestScale(Figures|ReportPayload)$' -count 1 -v -timeout 60m >"$log" 2>&1
status=$?
sed -n 's/^FIGURE //p' "$log"
if [ "$status" -ne 0 ]; then
  echo "scale measurement: FAILED (exit $status); see $log" >&2
  grep -E -e '^\s+\w+_test.go:[0-9]+:' -e '^--- (FAIL|SKIP)' -e '^panic:' "$log" | head -40 >&2
fi
exit "$status"
