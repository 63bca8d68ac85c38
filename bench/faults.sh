#!/usr/bin/env bash
# The fault suite (issue 19) on real parts: the embedded Temporal server in
# a `reel worker` process, real worker processes, versitygw behind the fault
# proxy (internal/faultproxy), a tmpfs as a worker's scratch disk. The
# tests are internal/cli/faults_test.go (TestFaults, run only with
# REEL_FAULTS=1); this prints their figures, one per line, as
# "figure: value", and exits non-zero if any part failed.
#
#   bash bench/faults.sh                        # everything, about 11 min on 2 cores
#   bash bench/faults.sh 'TestFaults/S3'        # one part (the undisturbed reference run always runs first)
#
# Parts: WorkerKills (a worker SIGKILLed at 20 points of a title), ServerKill
# (the embedded server SIGKILLed mid-title), S3 (5% 5xx, resets and stalls
# on reads and writes), DiskFull (64 KiB tmpfs scratch; needs mount, i.e.
# root), HostileTitleIDs. The full go test output is kept in
# ${REEL_FAULTS_LOG:-/tmp/reel-faults.log}.
set -uo pipefail
cd "$(dirname "$0")/.."
log=${REEL_FAULTS_LOG:-/tmp/reel-faults.log}
REEL_FAULTS=1 go test ./internal/cli -run "${1:-^TestFaults$}" -count 1 -v -timeout 40m >"$log" 2>&1
status=$?
sed -n 's/^FIGURE //p' "$log"
if [ "$status" -ne 0 ]; then
  echo "fault suite: FAILED (exit $status); failures:" >&2
  grep -E -e '^\s+faults_test.go:[0-9]+:' -e '^--- FAIL' -e '^panic:' "$log" | head -40 >&2
  echo "full output: $log" >&2
fi
exit "$status"
