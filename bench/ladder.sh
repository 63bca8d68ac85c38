#!/usr/bin/env bash
# 5-rung H.264 ladder from a 6 s 1080p24 FFV1 mezzanine, three ways, with the
# same x264 settings (preset, per-rung CRF, 48-frame closed GOP without
# scene-cut keyframes, bicubic scaling, yuv420p, default threads):
#   reel   reel's decode-once multi-rung encode: encoder.EncodeLadder, run by
#          BenchmarkLadder1080p5Rungs (encoder/bench_test.go) on this mezzanine
#   sep    the ffmpeg CLI once per rung (5 processes, one after another)
#   split  one ffmpeg process, split=5, five outputs
# Each is timed as a whole process (wall clock, startup included); every
# iteration runs all three, rotating their order so that load from other
# processes hits each alike; the figures printed are medians. Goal (issue 6):
# reel <= split (measured there: split = 0.71 x sep).
#
#   bench/ladder.sh                         # 3 iterations, preset veryfast
#   RUNS=5 REEL_BENCH_PRESET=medium bench/ladder.sh
#   LADDER_SOURCE=testsrc2 bench/ladder.sh  # synthetic source even with ../shared
#
# The source is ../shared/corpus/VID_1920x1080_cabac_temporal_direct.264 (54
# frames, looped to 144 at 24 fps) when present, else lavfi testsrc2.
# Before timing, one chunk is encoded by `reel encode` and by ffmpeg and the
# x264 option strings the two streams carry (x264's SEI) are compared, and
# so are the CPU kernel sets libx264 reports (reel avoids AVX-512; so does
# the ffmpeg CLI here, through x264's asm= option): a drift between this
# script and reel shows up as "differ". A first untimed reel run warms up.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-3}"
PRESET="${REEL_BENCH_PRESET:-veryfast}"
FPS=24
FRAMES=$((${LADDER_SECONDS:-6} * FPS)) # LADDER_SECONDS: shorter for a smoke test
GOP=48 # as BenchmarkLadder1080p5Rungs: 2 s at 24 fps
# id width height crf — must match BenchmarkLadder1080p5Rungs.
RUNGS=(
  "1080p 1920 1080 22"
  "720p 1280 720 23"
  "540p 960 540 24"
  "360p 640 360 25"
  "234p 416 234 26"
)
X264P="keyint=$GOP:min-keyint=$GOP:scenecut=0:open-gop=0:stitchable=1" # as encoder.rungConfig
# reel keeps libx264 off its AVX-512 kernels (encoder/internal/av/x264cpu.go);
# give the ffmpeg CLI the same CPU set: what libx264 detects minus AVX512*.
x264caps() { grep -a -m1 'using cpu capabilities' | sed 's/.*using cpu capabilities: //'; }
X264ASM="$(ffmpeg -v info -nostdin -f lavfi -i testsrc2=size=64x64 -frames:v 1 -c:v libx264 -f null - 2>&1 | x264caps |
  tr ' ' '\n' | grep -v '^AVX512' | paste -sd, -)" || true
[ -n "$X264ASM" ] && X264P+=":asm=$X264ASM"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mezz="$work/mezz1080p.mkv"
corpus=../shared/corpus/VID_1920x1080_cabac_temporal_direct.264

echo "making the mezzanine ($FRAMES frames, 1920x1080, FFV1)..." >&2
if [ -f "$corpus" ] && [ "${LADDER_SOURCE:-}" != testsrc2 ]; then
  src="$(basename "$corpus") looped"
  ffmpeg -v error -nostdin -y -framerate $FPS -i "$corpus" \
    -vf "loop=loop=-1:size=32767,setpts=N/($FPS*TB),scale=1920:1080,format=yuv420p" \
    -r $FPS -frames:v $FRAMES -c:v ffv1 "$mezz"
else
  src="lavfi testsrc2"
  ffmpeg -v error -nostdin -y -f lavfi -i "testsrc2=size=1920x1080:rate=$FPS" \
    -frames:v $FRAMES -pix_fmt yuv420p -c:v ffv1 "$mezz"
fi

echo "building the encoder benchmark and reel..." >&2
go test -c -o "$work/encoder.test" ./encoder
go build -o "$work/reel" ./cmd/reel

# x264 writes its full option string into the stream; compare reel's with
# ffmpeg's for one rung (the 360p one, first GOP).
x264opts() { grep -aoE 'options: [^[:cntrl:]]*' "$1" | head -1; }
"$work/reel" encode "$mezz" --start 0 --frames $((FRAMES < GOP ? FRAMES : GOP)) --rung 640x360 --crf 25 --preset "$PRESET" --gop $GOP \
  --out "$work/check-reel.mp4" >/dev/null
ffmpeg -v error -nostdin -y -i "$mezz" -frames:v $((FRAMES < GOP ? FRAMES : GOP)) -an -vf "scale=640:360:flags=bicubic,format=yuv420p" \
  -c:v libx264 -preset "$PRESET" -crf 25 -x264-params "$X264P" "$work/check-ffmpeg.mp4"
if [ "$(x264opts "$work/check-reel.mp4")" = "$(x264opts "$work/check-ffmpeg.mp4")" ]; then
  settings="identical"
else
  settings="differ"
  echo "x264 options differ:" >&2
  echo "  reel:   $(x264opts "$work/check-reel.mp4")" >&2
  echo "  ffmpeg: $(x264opts "$work/check-ffmpeg.mp4")" >&2
fi

run_reel() {
  REEL_BENCH_INPUT="$mezz" REEL_BENCH_PRESET="$PRESET" "$work/encoder.test" \
    -test.run '^$' -test.bench '^BenchmarkLadder1080p5Rungs$' -test.benchtime 1x >"$work/reel.out" 2>&1 || { cat "$work/reel.out" >&2; return 1; }
  grep -q '^BenchmarkLadder1080p5Rungs' "$work/reel.out" || { cat "$work/reel.out" >&2; return 1; }
}
run_sep() {
  local r id w h crf
  for r in "${RUNGS[@]}"; do
    read -r id w h crf <<<"$r"
    ffmpeg -v error -nostdin -y -i "$mezz" -an -vf "scale=$w:$h:flags=bicubic,format=yuv420p" \
      -c:v libx264 -preset "$PRESET" -crf "$crf" -x264-params "$X264P" "$work/sep-$id.mp4"
  done
}
run_split() {
  local n=${#RUNGS[@]} graph="[0:v]split=${#RUNGS[@]}" outs=() i id w h crf
  for ((i = 0; i < n; i++)); do graph+="[s$i]"; done
  for ((i = 0; i < n; i++)); do
    read -r id w h crf <<<"${RUNGS[$i]}"
    graph+=";[s$i]scale=$w:$h:flags=bicubic,format=yuv420p[o$i]"
    outs+=(-map "[o$i]" -c:v libx264 -preset "$PRESET" -crf "$crf" -x264-params "$X264P" "$work/split-$id.mp4")
  done
  ffmpeg -v error -nostdin -y -i "$mezz" -filter_complex "$graph" "${outs[@]}"
}
timed() { # timed NAME: runs run_NAME, appends its wall seconds to $work/NAME.times
  local t0 t1
  t0=$(date +%s.%N)
  "run_$1"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' | tee -a "$work/$1.times" >/dev/null
  echo "  $1: $(tail -1 "$work/$1.times") s" >&2
}

run_reel
cpu_reel="$(x264caps <"$work/reel.out")" || true
cpu_ffmpeg="$(ffmpeg -v info -nostdin -i "$work/check-ffmpeg.mp4" -c:v libx264 -x264-params "$X264P" -f null - 2>&1 | x264caps)" || true
if [ "$cpu_reel" = "$cpu_ffmpeg" ]; then cpus="identical ($cpu_reel)"; else cpus="differ: reel $cpu_reel, ffmpeg $cpu_ffmpeg"; fi

order=(reel sep split)
for ((it = 0; it < RUNS; it++)); do
  echo "iteration $((it + 1))/$RUNS" >&2
  for ((k = 0; k < 3; k++)); do timed "${order[$(((it + k) % 3))]}"; done
done

median() { sort -g "$work/$1.times" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
reel=$(median reel) sep=$(median sep) split=$(median split)
echo
echo "== 5-rung H.264 ladder, ${FRAMES} frames 1080p${FPS} FFV1 ($src), x264 preset $PRESET, median of $RUNS =="
echo "x264 settings reel vs ffmpeg CLI: $settings; x264 CPU kernels: $cpus"
awk -v r="$reel" -v s="$sep" -v p="$split" -v n="$FRAMES" 'BEGIN {
  printf "%-34s %8s %9s\n", "", "wall s", "frames/s"
  printf "%-34s %8.2f %9.1f\n", "reel EncodeLadder (decode once)", r, n / r
  printf "%-34s %8.2f %9.1f\n", "ffmpeg CLI, once per rung (5 runs)", s, n / s
  printf "%-34s %8.2f %9.1f\n", "ffmpeg CLI, split=5 (1 run)", p, n / p
  printf "reel/sep   %.2f\n", r / s
  printf "split/sep  %.2f\n", p / s
  printf "reel/split %.2f  (goal <= 1.00)\n", r / p
}'
