#!/usr/bin/env bash
# VMAF speed and memory, reel vs libvmaf side by side in one run.
#
# Pairs: ffmpeg lavfi mandelbrot (N frames, default 60) as reference, x264
# -preset medium -crf 30 of it as distorted, both as y4m, at 1080p and 720p.
# For 1 and 2 threads, reel scores the pair two ways — reel-vmaf
# (cmd/reel-vmaf: the scoring alone in a small pure-Go binary, built with
# CGO_ENABLED=0, as libvmaf's own tool is the library alone) and `reel
# vmaf` (the same code in the pipeline's binary, which links libav, OpenCV
# and the Temporal server: about 0.3 s of CPU and 200 MiB of file-backed
# pages before it scores) — and libvmaf's CLI (../shared/tools/libvmaf/vmaf,
# model vmaf_v0.6.1, see its README) runs on the same y4m pair, the three
# in a rotating order, RUNS times each (default 5). Reported per
# (resolution, threads, reel binary): the median wall time of the whole
# process (y4m parsing included, files in page cache) as fps, the median
# peak RSS (/usr/bin/time %M, else /proc), and the ratios reel/libvmaf:
# speed (> 1 means reel is faster) and memory (< 1 means reel uses less),
# the same for the peak anonymous RSS (what the process allocated, without
# its binary and shared libraries), and the median CPU time (user+sys) per
# frame of each with its ratio, which other load on a shared machine
# disturbs less than wall time. Also checks that the pooled VMAF of the
# three agrees to 4 decimals, and prints what each reel binary costs
# before it scores (`--help`). Without ../shared/tools/libvmaf it prints
# reel's figures alone and says so.
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
CGO_ENABLED=0 go build -o "$work/reel-vmaf" ./cmd/reel-vmaf

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
# reel's two ways to score: "tool" is reel-vmaf (cmd/reel-vmaf, pure Go,
# a few MB), "reel" is `reel vmaf` in the pipeline's binary (libav, OpenCV
# and the Temporal server linked in: about 0.3 s and 200 MiB of file-backed
# pages before main). Same scoring code; the difference is the process.
WHO="tool reel"
label() { [ "$1" = tool ] && echo reel-vmaf || echo "reel vmaf"; }
for res in $RES; do
  size=$([ "$res" = 1080 ] && echo 1920x1080 || echo 1280x720)
  ref=$work/ref$res.y4m dis=$work/dis$res.y4m
  $FF -f lavfi -i "mandelbrot=size=$size:rate=25" -frames:v "$N" -pix_fmt yuv420p -f yuv4mpegpipe "$ref"
  $FF -i "$ref" -c:v libx264 -preset medium -crf 30 "$work/dis$res.mp4"
  $FF -i "$work/dis$res.mp4" -pix_fmt yuv420p -f yuv4mpegpipe "$dis"
  cat "$ref" "$dis" >/dev/null # page cache
  for t in $THREADS; do
    for w in $WHO lib; do : >"$work/$w.t"; : >"$work/$w.m"; : >"$work/$w.a"; : >"$work/$w.c"; done
    for i in $(seq 1 "$RUNS"); do
      # Each run in another order, so that none always goes first.
      case $((i % 3)) in
        1) order="tool reel lib" ;;
        2) order="lib tool reel" ;;
        *) order="reel lib tool" ;;
      esac
      for who in $order; do
        case $who in
          tool) run_anon "$work/x" "$work/reel-vmaf" --reference "$ref" --distorted "$dis" --threads "$t" --json "$work/tool.json" ;;
          reel) run_anon "$work/x" "$work/reel" vmaf --reference "$ref" --distorted "$dis" --threads "$t" --json "$work/reel.json" ;;
          lib)
            [ $have_lib = 1 ] || continue
            run_anon "$work/x" "$LIBVMAF" -q -r "$ref" -d "$dis" --model version=vmaf_v0.6.1 --threads "$t" --json -o "$work/lib.json"
            ;;
        esac
        cat "$work/x.t" >>"$work/$who.t"; cat "$work/x.m" >>"$work/$who.m"; cat "$work/x.a" >>"$work/$who.a"; cat "$work/x.c" >>"$work/$who.c"
      done
    done
    if [ $have_lib = 1 ]; then
      lt=$(median <"$work/lib.t"); lm=$(median <"$work/lib.m"); la=$(median <"$work/lib.a"); lc=$(median <"$work/lib.c")
      lfps=$(echo "$N / $lt" | bc -l); lmib=$(echo "$lm / 1024" | bc -l); lamib=$(echo "$la / 1024" | bc -l)
      lcpf=$(echo "1000 * $lc / $N" | bc -l)
    fi
    for who in $WHO; do
      rt=$(median <"$work/$who.t"); rm_=$(median <"$work/$who.m"); ra=$(median <"$work/$who.a"); rc=$(median <"$work/$who.c")
      rfps=$(echo "$N / $rt" | bc -l); rmib=$(echo "$rm_ / 1024" | bc -l); ramib=$(echo "$ra / 1024" | bc -l)
      rcpf=$(echo "1000 * $rc / $N" | bc -l)
      if [ $have_lib = 1 ]; then
        cratio=0
        [ "$(echo "$rcpf > 0" | bc -l)" = 1 ] && cratio=$(echo "$lcpf / $rcpf" | bc -l)
        cpulines+=("$(printf "%-6s %-7s %-10s %12.1f %14.1f %9.2fx" "${res}p" "$t" "$(label $who)" "$rcpf" "$lcpf" "$cratio")")
        lines+=("$(printf "%-6s %-7s %-10s %9.1f %11.1f %9.2fx %9.0f %11.0f %9.2fx %9.0f %11.0f %9.2fx" "${res}p" "$t" "$(label $who)" "$rfps" "$lfps" \
          "$(echo "$rfps / $lfps" | bc -l)" "$rmib" "$lmib" "$(echo "$rmib / $lmib" | bc -l)" \
          "$ramib" "$lamib" "$(echo "$ramib / $lamib" | bc -l)")")
      else
        lines+=("$(printf "%-6s %-7s %-10s %9.1f %11s %10s %9.0f %11s %10s %9.0f %11s %10s" "${res}p" "$t" "$(label $who)" "$rfps" - - "$rmib" - - "$ramib" - -)")
      fi
    done
    if [ $have_lib = 1 ] && [ "$t" = "$(echo $THREADS | awk '{print $1}')" ]; then
      tv=$(printf "%.4f" "$(jq -r '.pooled_metrics.vmaf.mean' "$work/tool.json")")
      rv=$(printf "%.4f" "$(jq -r '.pooled_metrics.vmaf.mean' "$work/reel.json")")
      lv=$(printf "%.4f" "$(jq -r '.pooled_metrics.vmaf.mean' "$work/lib.json")")
      if [ "$tv" = "$lv" ] && [ "$rv" = "$lv" ]; then verdict="agree"; else verdict="DIFFER"; fi
      agree+=("$(printf "%-6s pooled VMAF reel-vmaf %s  reel vmaf %s  libvmaf %s  (4 decimals: %s)" "${res}p" "$tv" "$rv" "$lv" "$verdict")")
    fi
  done
done

echo
echo "== VMAF vmaf_v0.6.1, $N frames, median of $RUNS, whole process =="
printf "%-6s %-7s %-10s %9s %11s %10s %9s %11s %10s %9s %11s %10s\n" res threads reel "reel fps" "libvmaf fps" "speed" "reel MiB" "libvmaf MiB" "memory" "reel anon" "libvmaf anon" "anon"
printf "%s\n" "${lines[@]}"
if [ ${#cpulines[@]} -gt 0 ]; then
  echo "== CPU time (user+sys) per frame, median of $RUNS; less sensitive to other load on the machine than wall time =="
  printf "%-6s %-7s %-10s %12s %14s %10s\n" res threads reel "reel ms/fr" "libvmaf ms/fr" "cpu speed"
  printf "%s\n" "${cpulines[@]}"
fi
[ ${#agree[@]} -gt 0 ] && printf "%s\n" "${agree[@]}"
# What each reel process costs before it scores anything: reel's binary
# (the whole pipeline, ~220 MB) and its shared libraries paged in,
# file-backed, and its start-up CPU.
for who in $WHO; do
  if [ "$who" = tool ]; then run "$work/x" "$work/reel-vmaf" --help; else run "$work/x" "$work/reel" vmaf --help; fi
  printf "%s baseline: %.0f MiB peak RSS, %.2f s CPU for '%s --help' (nothing scored)\n" "$(label $who)" \
    "$(echo "$(cat "$work/x.m") / 1024" | bc -l)" "$(cat "$work/x.c")" "$(label $who)"
done
if [ $have_lib = 1 ]; then
  echo "(speed = reel fps / libvmaf fps, > 1 is faster; cpu speed = libvmaf CPU time / reel's, > 1 is cheaper;"
  echo " memory = reel peak RSS / libvmaf's, < 1 is smaller;"
  echo " anon = peak anonymous RSS (heap and stacks, without binary and libraries), sampled every 20 ms)"
fi
