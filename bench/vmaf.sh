#!/usr/bin/env bash
# VMAF speed: reel's pure-Go VMAF vs libvmaf's figures on this machine class
# (shared/vmaf/golden/SPEED_ANCHOR.md). Same pairs as the anchor: ffmpeg
# lavfi mandelbrot, 60 frames, x264 -preset medium -crf 30 as distorted;
# wall clock of the whole `reel vmaf` process (y4m parsing included), median
# of 3 runs, files in page cache. Usage: bench/vmaf.sh [frames]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/reel" ./cmd/reel

# libvmaf anchor, fps (1 thread AVX-512 / AVX2 / scalar C; 2 threads AVX-512)
declare -A A1=([1080]=24.1 [720]=58.5) A1avx2=([1080]=18.4 [720]=41.9) A1c=([1080]=5.2 [720]=11.7) A2=([1080]=44.2 [720]=103.7)

FF="ffmpeg -hide_banner -nostdin -v error -y"
printf "%-6s %-8s %8s %12s %12s %12s\n" res threads fps "vs C(1t)" "vs AVX2(1t)" "vs AVX512"
for res in 1080 720; do
  size=$([ $res = 1080 ] && echo 1920x1080 || echo 1280x720)
  $FF -f lavfi -i "mandelbrot=size=$size:rate=25" -frames:v "$N" -pix_fmt yuv420p -f yuv4mpegpipe "$work/ref$res.y4m"
  $FF -i "$work/ref$res.y4m" -c:v libx264 -preset medium -crf 30 "$work/dis$res.mp4"
  $FF -i "$work/dis$res.mp4" -pix_fmt yuv420p -f yuv4mpegpipe "$work/dis$res.y4m"
  for t in 1 2; do
    times=()
    for run in 1 2 3; do
      s=$(date +%s.%N)
      "$work/reel" vmaf --reference "$work/ref$res.y4m" --distorted "$work/dis$res.y4m" --threads $t >/dev/null
      e=$(date +%s.%N)
      times+=("$(echo "$e - $s" | bc -l)")
    done
    med=$(printf "%s\n" "${times[@]}" | sort -g | sed -n 2p)
    fps=$(echo "$N / $med" | bc -l)
    if [ $t = 1 ]; then anchor=${A1[$res]}; else anchor=${A2[$res]}; fi
    printf "%-6s %-8s %8.1f %11.2fx %11.2fx %11.2fx\n" "${res}p" "$t" "$fps" \
      "$(echo "$fps / ${A1c[$res]}" | bc -l)" "$(echo "$fps / ${A1avx2[$res]}" | bc -l)" "$(echo "$fps / $anchor" | bc -l)"
  done
done
echo "(ratios > 1 beat libvmaf; 'vs AVX512' compares like-for-like thread counts)"
