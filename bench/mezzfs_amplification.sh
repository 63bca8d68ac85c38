#!/usr/bin/env bash
# Read amplification of libav decoding through mezzfs: for chunk k of N of a
# 1080p mezzanine on a loopback versitygw, the bytes the mezzfs.Reader
# fetched while the encoder seeked to and decoded that chunk's frames,
# over the bytes of the chunk's span in the file (first to last video
# packet, from ffprobe -show_packets). Opening the input (index, stream
# info) is reported separately as open_bytes. Goal: ratio <= 1.15.
#
#   bench/mezzfs_amplification.sh                 # 30 s 1080p25 H.264, GOP 1 s, N=10, k=0,3,5,8,9
#   REEL_AMP_CODEC=intra bench/mezzfs_amplification.sh   # all-intra H.264 instead
#   REEL_AMP_INPUT=/path/mezz.mov bench/mezzfs_amplification.sh
# Knobs: REEL_AMP_SECONDS (30), REEL_AMP_N (10), REEL_AMP_K ("0,3,5,8,9"),
# reader options REEL_AMP_BLOCK_KB, REEL_AMP_READAHEAD_KB, REEL_AMP_FETCH_KB
# (default: encoder.ChunkReaderOptions), REEL_BENCH_DIR for the generated
# mezzanine (cached; default ${TMPDIR:-/tmp}/reel-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/versitygw.sh >/dev/null

if [[ -z "${REEL_AMP_INPUT:-}" ]]; then
  secs="${REEL_AMP_SECONDS:-30}"
  codec="${REEL_AMP_CODEC:-gop25}"
  dir="${REEL_BENCH_DIR:-${TMPDIR:-/tmp}/reel-bench}"
  mkdir -p "$dir"
  case "$codec" in
    gop25) vopts=(-c:v libx264 -preset ultrafast -crf 8 -g 25 -keyint_min 25 -x264-params scenecut=0) ;;
    intra) vopts=(-c:v libx264 -preset ultrafast -crf 12 -g 1) ;;
    *) echo "REEL_AMP_CODEC: gop25 or intra" >&2; exit 2 ;;
  esac
  REEL_AMP_INPUT="$dir/mezz1080-x264-$codec-${secs}s.mp4"
  if [[ ! -s "$REEL_AMP_INPUT" ]]; then
    echo "generating $REEL_AMP_INPUT ..." >&2
    ffmpeg -v error -nostdin -y -f lavfi -i testsrc2=size=1920x1080:rate=25 -f lavfi -i sine=frequency=440 \
      -t "$secs" -pix_fmt yuv420p "${vopts[@]}" -c:a aac -b:a 192k -shortest "$REEL_AMP_INPUT.tmp.mp4"
    mv "$REEL_AMP_INPUT.tmp.mp4" "$REEL_AMP_INPUT"
  fi
fi
export REEL_AMP_INPUT

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
status=0
go test ./encoder/ -run '^TestReadAmplification$' -count=1 -v >"$out" 2>&1 || status=$?
echo "== read amplification through mezzfs (loopback versitygw) =="
grep -E '^(input |chunk |mean ratio)|^ +[0-9]+ ' "$out" || true
if [[ $status -ne 0 ]]; then
  grep -E -- '--- (FAIL|SKIP)|amplification_test.go' "$out" >&2 || tail -20 "$out" >&2
fi
exit $status
