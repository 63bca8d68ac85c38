#!/usr/bin/env bash
# Sequential read throughput of mezzfs against one plain GET stream of the
# same object, on a loopback versitygw (started by the benchmarks):
#   - through a mezzfs.Reader (32 KiB reads, default options), goal ≥ 0.9×
#   - through the FUSE mount (1 MiB reads, cold page cache)
# Each iteration runs both passes, alternating their order, so load from
# other processes hits both; the ratio printed is the median over iterations.
#
#   bench/mezzfs.sh                    # 128 MiB object, 10 iterations
#   MEZZFS_BENCH_MB=512 ITER=5 bench/mezzfs.sh
# Reader tuning: MEZZFS_BENCH_CONCURRENCY, MEZZFS_BENCH_FETCH_MB,
# MEZZFS_BENCH_READAHEAD_MB, MEZZFS_BENCH_BLOCK_KB.
set -euo pipefail
cd "$(dirname "$0")/.."
ITER="${ITER:-10}"
export MEZZFS_BENCH_MB="${MEZZFS_BENCH_MB:-128}"

scripts/versitygw.sh >/dev/null

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
go test ./mezzfs/ -run '^$' -bench 'Sequential' -benchtime "${ITER}x" | tee -a "$out"
go test ./mezzfs/fusefs/ -run '^$' -bench 'FUSESequentialRatio' -benchtime "${ITER}x" | tee -a "$out"

echo
echo "== mezzfs sequential read, ${MEZZFS_BENCH_MB} MiB object on loopback versitygw =="
awk '
  /^BenchmarkSequentialRatio/ || /^BenchmarkFUSESequentialRatio/ {
    for (i = 1; i < NF; i++) m[$(i+1)] = $i
    if ($1 ~ /FUSE/) printf "FUSE mount: %7.1f MB/s vs plain GET %7.1f MB/s  ratio %.2f\n", m["fuse-MB/s"], m["plain-MB/s"], m["fuse/plain"]
    else             printf "Reader:     %7.1f MB/s vs plain GET %7.1f MB/s  ratio %.2f (goal >= 0.90)\n", m["reader-MB/s"], m["plain-MB/s"], m["reader/plain"]
    delete m
  }' "$out"
