#!/usr/bin/env bash
# mezzfs against plain GETs of the same object, on a loopback versitygw
# (started by the benchmarks), under two links:
#   - "latency 20 ms + 50 MB/s per connection": through mezzfstest.Shaper,
#     a proxy adding a first-byte latency to every request and capping
#     every connection's bandwidth, as an object store in the same region
#     does (goals: Reader >= 4x, FUSE >= 3x one plain GET stream);
#   - "plain loopback": no shaping (goals: both >= 0.9x).
# For each link:
#   - sequential read through a mezzfs.Reader (default options, 128 KiB
#     ReadAt calls: what the encoder's libav IO glue asks for) and through
#     the FUSE mount (mounted as `reel mount` does, 1 MiB reads, fresh
#     mount per pass), each against one plain GET stream of the object;
#   - a chunk from the middle of a 1080p mezzanine (frames 375-449 of a
#     30 s 1080p25 H.264, GOP 1 s) encoded by `reel encode s3://…` (libav
#     reading through mezzfs), against a plain GET of the whole object to
#     a local file followed by the same encode.
# Each iteration runs both passes, alternating their order, so load from
# other processes hits both; ratios are medians over iterations.
#
#   bench/mezzfs.sh                    # 128 MiB object, 10 iterations (chunk: 5)
#   MEZZFS_BENCH_MB=512 ITER=5 bench/mezzfs.sh
#   LATENCY_MS=50 MBPS=30 bench/mezzfs.sh   # another shaped link
# Reader tuning: MEZZFS_BENCH_CONCURRENCY, MEZZFS_BENCH_FETCH_MB,
# MEZZFS_BENCH_READAHEAD_MB, MEZZFS_BENCH_BLOCK_KB; FUSE:
# MEZZFS_BENCH_FUSE_DIRECT=0|1, MEZZFS_BENCH_FUSE_NOSTREAM=1.
# The mezzanine is cached in REEL_BENCH_DIR (default ${TMPDIR:-/tmp}/reel-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
ITER="${ITER:-10}"
CHUNK_ITER="${CHUNK_ITER:-5}"
LATENCY_MS="${LATENCY_MS:-20}"
MBPS="${MBPS:-50}"
export MEZZFS_BENCH_MB="${MEZZFS_BENCH_MB:-128}"

scripts/versitygw.sh >/dev/null

dir="${REEL_BENCH_DIR:-${TMPDIR:-/tmp}/reel-bench}"
mkdir -p "$dir"
export MEZZFS_BENCH_MEZZ="$dir/mezz1080-x264-gop25-30s.mp4"
if [[ ! -s "$MEZZFS_BENCH_MEZZ" ]]; then
  echo "generating $MEZZFS_BENCH_MEZZ ..." >&2
  ffmpeg -v error -nostdin -y -f lavfi -i testsrc2=size=1920x1080:rate=25 -f lavfi -i sine=frequency=440 \
    -t 30 -pix_fmt yuv420p -c:v libx264 -preset ultrafast -crf 8 -g 25 -keyint_min 25 -x264-params scenecut=0 \
    -c:a aac -b:a 192k -shortest "$MEZZFS_BENCH_MEZZ.tmp.mp4"
  mv "$MEZZFS_BENCH_MEZZ.tmp.mp4" "$MEZZFS_BENCH_MEZZ"
fi

out="$(mktemp)"
bin="$(mktemp -d)"
trap 'rm -rf "$out" "$bin"' EXIT
go build -o "$bin/reel" ./cmd/reel
export REEL_BIN="$bin/reel"

run() { # label, then env assignments for the link
  local label="$1"
  shift
  echo "## $label" >>"$out"
  env "$@" go test ./mezzfs/ -run '^$' -bench 'SequentialRatio' -benchtime "${ITER}x" | tee -a "$out"
  env "$@" go test ./mezzfs/fusefs/ -run '^$' -bench 'FUSESequentialRatio' -benchtime "${ITER}x" | tee -a "$out"
  env "$@" go test ./mezzfs/ -run '^$' -bench 'ChunkEncode' -benchtime "${CHUNK_ITER}x" -timeout 30m | tee -a "$out"
}
run "latency ${LATENCY_MS} ms + ${MBPS} MB/s per connection" MEZZFS_BENCH_LATENCY_MS="$LATENCY_MS" MEZZFS_BENCH_MBPS="$MBPS"
run "plain loopback" MEZZFS_BENCH_LATENCY_MS= MEZZFS_BENCH_MBPS=

echo
echo "== mezzfs vs plain GET, ${MEZZFS_BENCH_MB} MiB object on loopback versitygw =="
awk -v shaped="latency ${LATENCY_MS} ms" '
  /^## / { sub(/^## /, ""); link = $0; s = (index(link, shaped) == 1); print "-- " link; next }
  /^BenchmarkSequentialRatio/ || /^BenchmarkFUSESequentialRatio/ || /^BenchmarkChunkEncode/ {
    for (i = 1; i < NF; i++) m[$(i+1)] = $i
    if ($1 ~ /FUSE/)
      printf "FUSE mount: %7.1f MB/s vs plain GET %7.1f MB/s  ratio %.2f (goal >= %s)\n", m["fuse-MB/s"], m["plain-MB/s"], m["fuse/plain"], s ? "3" : "0.9"
    else if ($1 ~ /Sequential/)
      printf "Reader:     %7.1f MB/s vs plain GET %7.1f MB/s  ratio %.2f (goal >= %s)\n", m["reader-MB/s"], m["plain-MB/s"], m["reader/plain"], s ? "4" : "0.9"
    else
      printf "chunk 375+75 of a %.0f MB 1080p mezzanine: mezzfs %.2f s, %.1f MB fetched; whole GET + local encode %.2f s, %.0f MB; mezzfs %.2fx faster\n", m["whole-MB"], m["mezzfs-s"], m["mezzfs-MB"], m["whole-s"], m["whole-MB"], m["whole/mezzfs"]
    delete m
  }' "$out"
echo "(read amplification of chunk decodes: bench/mezzfs_amplification.sh, goal <= 1.15)"
