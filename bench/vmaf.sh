#!/usr/bin/env bash
# VMAF speed and memory, reel vs libvmaf side by side in one run.
#
# Pairs: ffmpeg lavfi mandelbrot (N frames, default 60) as reference, x264
# -preset medium -crf 30 of it as distorted, both as y4m, at 1080p and 720p.
# For 1 and 2 threads, `reel vmaf` and libvmaf's CLI
# (../shared/tools/libvmaf/vmaf, model vmaf_v0.6.1, see its README) run on
# the same y4m pair, alternating (which goes first alternates too), RUNS
# times each (default 5). Reported per (resolution, threads): the median
# wall time of the whole process (y4m parsing included, files in page
# cache) as fps, the median peak RSS (/usr/bin/time %M, else /proc), and
# the ratios reel/libvmaf: speed (> 1 means reel is faster) and memory
# (< 1 means reel uses less), the same for the peak anonymous RSS (what the
# process allocated, without its binary and shared libraries; reel's
# binary is the whole pipeline, ~220 MB, libvmaf's a few MB), and the
# median CPU time (user+sys) per frame of each with its ratio, which other
# load on a shared machine disturbs less than wall time. Also checks that the pooled VMAF of the two
# agrees to 4 decimals. Without ../shared/tools/libvmaf it prints reel's
# figures alone and says so.
#
#   bench/vmaf.sh            # 60 frames, 5 runs
#   RUNS=3 bench/vmaf.sh 30  # 30 frames, 3 runs
#   RES="1080" THREADS="1" bench/vmaf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-60}
RUNS=${RUNS:-5}
RES=${RES:-"1080 720"}
THREADS=${THREADS:-"1 2"}
LIBVMAF=${LIBVMAF:-../shared/tools/libvmaf/vmaf}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/reel" ./cmd/reel

have_lib=1
if [ ! -x "$LIBVMAF" ]; then
  have_lib=0
  echo "note: $LIBVMAF not found: reel's figures only, no side-by-side ratios"
fi

# run OUT_PREFIX CMD...: wall seconds to OUT_PREFIX.t, peak RSS KiB to OUT_PREFIX.m
if [ -x /usr/bin/time ]; then
  run() {
    local p=$1; shift
    local s e
    s=$(date +%s.%N)
    /usr/bin/time -f "%M %U %S" -o "$p.mc" "$@" >/dev/null 2>"$p.err" || { cat "$p.err" >&2; return 1; }
    e=$(date +%s.%N)
    echo "$e - $s" | bc -l >"$p.t"
    awk '{print $1}' "$p.mc" >"$p.m"
    awk '{print $2 + $3}' "$p.mc" >"$p.c"
  }
else
  # fallback: poll VmHWM from /proc while the process runs
  run() {
    local p=$1; shift
    local s e pid hwm=0 v
    s=$(date +%s.%N)
    "$@" >/dev/null 2>"$p.err" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
      sleep 0.02
    done
    wait "$pid" || { cat "$p.err" >&2; return 1; }
    e=$(date +%s.%N)
    echo "$e - $s" | bc -l >"$p.t"
    echo "$hwm" >"$p.m"
    echo 0 >"$p.c" # CPU time unknown without /usr/bin/time
  }
fi

# anon_peak PID: polls the process's anonymous resident memory (heap,
# stacks: what it allocated, without its binary and libraries) every 20 ms
# until it exits, then prints the largest value seen, in KiB.
anon_peak() {
  local pid=$1 max=0 k v _
  while [ -r "/proc/$pid/status" ]; do
    while read -r k v _; do
      if [ "$k" = RssAnon: ]; then [ "$v" -gt "$max" ] && max=$v; break; fi
    done <"/proc/$pid/status" 2>/dev/null || true
    sleep 0.02
  done
  echo "$max"
}

# run_anon OUT_PREFIX CMD...: run, plus CMD's anonymous peak in
# OUT_PREFIX.a (found by its command line, which starts with CMD's path).
run_anon() {
  local p=$1; shift
  run "$p" "$@" &
  local rp=$! child=""
  while [ -z "$child" ] && kill -0 "$rp" 2>/dev/null; do
    child=$(pgrep -n -f "^$1 " 2>/dev/null || true)
    [ -z "$child" ] && sleep 0.005
  done
  if [ -n "$child" ]; then anon_peak "$child" >"$p.a"; else echo 0 >"$p.a"; fi
  wait "$rp"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

FF="ffmpeg -hide_banner -nostdin -v error -y"
lines=()
cpulines=()
agree=()
for res in $RES; do
  size=$([ "$res" = 1080 ] && echo 1920x1080 || echo 1280x720)
  ref=$work/ref$res.y4m dis=$work/dis$res.y4m
  $FF -f lavfi -i "mandelbrot=size=$size:rate=25" -frames:v "$N" -pix_fmt yuv420p -f yuv4mpegpipe "$ref"
  $FF -i "$ref" -c:v libx264 -preset medium -crf 30 "$work/dis$res.mp4"
  $FF -i "$work/dis$res.mp4" -pix_fmt yuv420p -f yuv4mpegpipe "$dis"
  cat "$ref" "$dis" >/dev/null # page cache
  for t in $THREADS; do
    : >"$work/r.t"; : >"$work/r.m"; : >"$work/r.a"; : >"$work/r.c"; : >"$work/l.t"; : >"$work/l.m"; : >"$work/l.a"; : >"$work/l.c"
    for i in $(seq 1 "$RUNS"); do
      order="reel lib"
      [ $((i % 2)) = 0 ] && order="lib reel"
      for who in $order; do
        if [ "$who" = reel ]; then
          run_anon "$work/x" "$work/reel" vmaf --reference "$ref" --distorted "$dis" --threads "$t" --json "$work/reel.json"
          cat "$work/x.t" >>"$work/r.t"; cat "$work/x.m" >>"$work/r.m"; cat "$work/x.a" >>"$work/r.a"; cat "$work/x.c" >>"$work/r.c"
        elif [ $have_lib = 1 ]; then
          run_anon "$work/x" "$LIBVMAF" -q -r "$ref" -d "$dis" --model version=vmaf_v0.6.1 --threads "$t" --json -o "$work/lib.json"
          cat "$work/x.t" >>"$work/l.t"; cat "$work/x.m" >>"$work/l.m"; cat "$work/x.a" >>"$work/l.a"; cat "$work/x.c" >>"$work/l.c"
        fi
      done
    done
    rt=$(median <"$work/r.t"); rm_=$(median <"$work/r.m"); ra=$(median <"$work/r.a")
    ramib=$(echo "$ra / 1024" | bc -l)
    rfps=$(echo "$N / $rt" | bc -l); rmib=$(echo "$rm_ / 1024" | bc -l)
    rc=$(median <"$work/r.c"); rcpf=$(echo "1000 * $rc / $N" | bc -l)
    if [ $have_lib = 1 ]; then
      lt=$(median <"$work/l.t"); lm=$(median <"$work/l.m"); la=$(median <"$work/l.a")
      lamib=$(echo "$la / 1024" | bc -l)
      lfps=$(echo "$N / $lt" | bc -l); lmib=$(echo "$lm / 1024" | bc -l)
      lc=$(median <"$work/l.c"); lcpf=$(echo "1000 * $lc / $N" | bc -l)
      cratio=0
      [ "$(echo "$rcpf > 0" | bc -l)" = 1 ] && cratio=$(echo "$lcpf / $rcpf" | bc -l)
      cpulines+=("$(printf "%-6s %-7s %12.1f %14.1f %9.2fx" "${res}p" "$t" "$rcpf" "$lcpf" "$cratio")")
      lines+=("$(printf "%-6s %-7s %9.1f %11.1f %9.2fx %9.0f %11.0f %9.2fx %9.0f %11.0f %9.2fx" "${res}p" "$t" "$rfps" "$lfps" \
        "$(echo "$rfps / $lfps" | bc -l)" "$rmib" "$lmib" "$(echo "$rmib / $lmib" | bc -l)" \
        "$ramib" "$lamib" "$(echo "$ramib / $lamib" | bc -l)")")
      if [ "$t" = "$(echo $THREADS | awk '{print $1}')" ]; then
        rv=$(jq -r '.pooled_metrics.vmaf.mean' "$work/reel.json")
        lv=$(jq -r '.pooled_metrics.vmaf.mean' "$work/lib.json")
        r4=$(printf "%.4f" "$rv"); l4=$(printf "%.4f" "$lv")
        if [ "$r4" = "$l4" ]; then verdict="agree"; else verdict="DIFFER"; fi
        agree+=("$(printf "%-6s pooled VMAF reel %s  libvmaf %s  (4 decimals: %s)" "${res}p" "$r4" "$l4" "$verdict")")
      fi
    else
      lines+=("$(printf "%-6s %-7s %9.1f %11s %10s %9.0f %11s %10s %9.0f %11s %10s" "${res}p" "$t" "$rfps" - - "$rmib" - - "$ramib" - -)")
    fi
  done
done

echo
echo "== VMAF vmaf_v0.6.1, $N frames, median of $RUNS, whole process =="
printf "%-6s %-7s %9s %11s %10s %9s %11s %10s %9s %11s %10s\n" res threads "reel fps" "libvmaf fps" "speed" "reel MiB" "libvmaf MiB" "memory" "reel anon" "libvmaf anon" "anon"
printf "%s\n" "${lines[@]}"
if [ ${#cpulines[@]} -gt 0 ]; then
  echo "== CPU time (user+sys) per frame, median of $RUNS; less sensitive to other load on the machine than wall time =="
  printf "%-6s %-7s %12s %14s %10s\n" res threads "reel ms/fr" "libvmaf ms/fr" "cpu speed"
  printf "%s\n" "${cpulines[@]}"
fi
[ ${#agree[@]} -gt 0 ] && printf "%s\n" "${agree[@]}"
# What the reel process costs before it scores anything: its binary (the
# whole pipeline, ~220 MB) and shared libraries paged in, file-backed.
run "$work/x" "$work/reel" vmaf --help
printf "reel baseline: %.0f MiB peak RSS for 'reel vmaf --help' (nothing scored)\n" "$(echo "$(cat "$work/x.m") / 1024" | bc -l)"
if [ $have_lib = 1 ]; then
  echo "(speed = reel fps / libvmaf fps, > 1 is faster; cpu speed = libvmaf CPU time / reel's, > 1 is cheaper;"
  echo " memory = reel peak RSS / libvmaf's, < 1 is smaller;"
  echo " anon = peak anonymous RSS (heap and stacks, without binary and libraries), sampled every 20 ms)"
fi
