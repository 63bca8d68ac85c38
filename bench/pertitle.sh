#!/usr/bin/env bash
# Per-title ladders (issue 7): BD-rate of reel's per-title H.264 ladder against
# Apple's HLS authoring spec ladder, per clip and on average, and the further
# BD-rate of the per-shot optimizer, all measured with reel's VMAF
# (`reel ladder compare --monotone`: Bjøntegaard, PCHIP on log-rate, over the
# VMAF range both ladders cover; negative is better). Goal: average <= -20%.
#
#   bench/pertitle.sh                            # all five clips, whole length
#   CLIPS=driving,bunny SECONDS=4 bench/pertitle.sh
#   PRESET=medium FORCE=1 bench/pertitle.sh
#
# Clips (../shared/corpus, see its SOURCES.md; the raw .yuv ones are too
# short): driving (VID_1920x1080_cabac_temporal_direct.264, 25 fps, full
# range converted to limited), flower (VID_1280x720_…264, 30 fps), city
# (cityCC0.mpg, 720x405), bunny (bigbuckbunny.mp4, 1280x720), parking
# (car-detection.mp4, 768x432). Each becomes an FFV1 yuv420p mezzanine
# without audio under $WORK/mezz (made once, then reused). A sixth title, mix,
# is the first 4 s (or SECONDS) of each at 1280x720 25 fps, back to back: the
# single clips have one or two shots and, short, few chunks, so the mix is
# what gives the per-shot optimizer CRFs and sizes to vary; it is not in the
# average. A seventh, catalog (issue 22), looks like a catalog title: 124 s,
# 24 shots of seven kinds (animation, night city, foliage, driving,
# surveillance, talking heads, welding sparks), clips used again re-cut at
# another point, zoomed, mirrored or reversed, all conformed to 1280x720
# 25 fps and joined (build_catalog_title; x264 CRF 10 mezzanine cached in
# bench/results/pertitle, CATALOG_DIR; SECONDS does not cut it). Its row is
# printed apart, with the issue's goals: per-title <= -20% and per-shot
# <= -30% BD-rate against Apple, complexity stage <= 0.5x the final encode's
# wall time (cplx/enc, from the default per-shot run's report timings),
# mean |measured - predicted VMAF| <= 0.3.
#   CLIPS=catalog bench/pertitle.sh              # the long title alone
# Per clip, three ladders are encoded by `reel run` (embedded server in a
# `reel worker` process of its own, state in $WORK/state), all with x264
# preset $PRESET, no audio:
#   apple     fixed ladder, 416x234@145k 640x360@365k 768x432@730k
#             768x432@1100k 960x540@2000k 1280x720@3000k 1280x720@4500k
#             1920x1080@6000k 1920x1080@7800k; VBR, maxrate 2 x bitrate (the
#             spec's VOD peak), reel's default bufsize (2 x maxrate). reel
#             caps it at the source: rungs taller than the source are encoded
#             at its height, each at its own bitrate (ids keep Apple's names).
#   pertitle  ladder.mode per-title, per_title.per_shot false, reel's defaults
#   pershot   the same with per_shot true (reel's default: per-chunk CRFs
#             and, with shot_resolution, per-chunk sizes up to the rung's)
# and compared: per-title against Apple (BD-rate, BD-VMAF), per-shot against
# per-title (the further gain) and per-shot against Apple. "pred." is the
# BD-rate against Apple that the per-title run predicted from its trial
# encodes alone (report.json ladder.reference.bd_rate_predicted).
# Knobs: CORPUS (../shared/corpus), WORK (/tmp/reel-bench-pertitle), CLIPS
# (comma/space separated names or file names; default all), SECONDS (cut each
# clip to its first SECONDS seconds; default whole clip), PRESET (veryfast, or
# REEL_BENCH_PRESET), FORCE=1 (encode again even if a run finished earlier),
# REEL (a reel binary to use; default: go build of this tree into $WORK/bin),
# REEL_PORT (embedded server frontend port, 7254; uses the next 3 too),
# RETRIES (1: runs a failed title again, unless its error is not retryable),
# ANALYSIS (every-chunk, reel's default: the complexity stage measures every
# chunk cheaply, mapped to the final preset by calibration chunks; sample:
# per_title.analysis.every_chunk false, the full grid at the final preset
# on a sample of at most 8 windows, as before issue 22),
# PERTITLE_PROFILE / PERSHOT_PROFILE (profile files to use instead of the two
# above), REEL_BENCH_JSON (jq or python3: the JSON tool; default jq if found).
# Runs are titled by clip, length, variant and a hash of the profile, the reel
# binary and the mezzanine's size and time, so a rerun with the same binary,
# settings and mezzanines reuses finished titles (and resumes interrupted
# ones); a changed binary, profile or mezzanine encodes again. Reports and `ladder compare` outputs stay in $WORK/out and $WORK/cmp.
set -euo pipefail
shopt -s inherit_errexit
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

# bash's own $SECONDS counts the seconds since the shell started; the knob is
# read from the environment instead.
CUT="$(printenv SECONDS || true)"
CORPUS="${CORPUS:-$repo/../shared/corpus}"
WORK="${WORK:-/tmp/reel-bench-pertitle}"
PRESET="${PRESET:-${REEL_BENCH_PRESET:-veryfast}}"
FORCE="${FORCE:-0}"
REEL_PORT="${REEL_PORT:-7254}"
RETRIES="${RETRIES:-1}"
ANALYSIS="${ANALYSIS:-every-chunk}"
LEN="${CUT:+${CUT}s}" # in file names and title ids
LEN="${LEN:-full}"
MIX_PART="${CUT:-4}s" # of each clip in the mix

if [ ! -d "$CORPUS" ]; then
  echo "bench/pertitle.sh: skipped: no corpus at $CORPUS (set CORPUS=dir; the clips are listed in ../shared/corpus/SOURCES.md)"
  exit 0
fi
case "$ANALYSIS" in every-chunk | sample) ;; *)
  echo "bench/pertitle.sh: ANALYSIS=$ANALYSIS: want every-chunk or sample" >&2
  exit 2
  ;;
esac
if [ -n "$CUT" ] && ! awk -v s="$CUT" 'BEGIN { exit !(s ~ /^[0-9]+(\.[0-9]+)?$/ && s > 0) }'; then
  echo "bench/pertitle.sh: SECONDS=$CUT: want a positive number of seconds" >&2
  exit 2
fi

# name|file|ffmpeg input options|video filter
CLIP_TABLE=(
  "driving|VID_1920x1080_cabac_temporal_direct.264|-r 25|scale=in_range=full:out_range=limited,format=yuv420p"
  "flower|VID_1280x720_cabac_temporal_direct.264|-r 30|format=yuv420p"
  "city|cityCC0.mpg||format=yuv420p"
  "bunny|bigbuckbunny.mp4||format=yuv420p"
  "parking|car-detection.mp4||format=yuv420p"
  "mix|the five above|-|-"
  "catalog|the corpus, cut into 24 shots and conformed (build_catalog_title)|-|-"
)
# Apple HLS authoring spec, H.264 ladder: height kbps (16:9 sizes).
APPLE=("234 145" "360 365" "432 730" "432 1100" "540 2000" "720 3000" "720 4500" "1080 6000" "1080 7800")

selected=()
for entry in "${CLIP_TABLE[@]}"; do
  IFS='|' read -r name file _ _ <<<"$entry"
  if [ -z "${CLIPS:-}" ]; then
    selected+=("$entry")
    continue
  fi
  for want in ${CLIPS//,/ }; do
    if [ "$want" = "$name" ] || [ "$want" = "$file" ]; then selected+=("$entry"); fi
  done
done
if [ ${#selected[@]} -eq 0 ]; then
  echo "bench/pertitle.sh: CLIPS=$CLIPS matches no clip; names: driving flower city bunny parking mix catalog (or their file names)" >&2
  exit 2
fi

JSON="${REEL_BENCH_JSON:-}"
if [ -z "$JSON" ]; then
  if command -v jq >/dev/null; then JSON=jq; elif command -v python3 >/dev/null; then JSON=python3; else
    echo "bench/pertitle.sh: needs jq or python3 to read reel's JSON" >&2
    exit 1
  fi
fi
case "$JSON" in jq | python3) ;; *)
  echo "bench/pertitle.sh: REEL_BENCH_JSON=$JSON: want jq or python3" >&2
  exit 2
  ;;
esac

mkdir -p "$WORK"/{mezz,profiles,out,cmp,logs,bin}
if [ -z "${REEL:-}" ]; then
  echo "building reel into $WORK/bin..." >&2
  go build -buildvcs=false -o "$WORK/bin/reel" ./cmd/reel
  REEL="$WORK/bin/reel"
fi
reel_hash="$(sha256sum "$REEL" | cut -c1-16)"

# --- JSON helpers (jq, or python3 doing the same) ---

# report_summary REPORT: "rungs min_kbps max_kbps min_vmaf max_vmaf"
report_summary() {
  if [ "$JSON" = jq ]; then
    jq -r '[.rungs[].bitrate_kbps] as $b | [.rungs[].vmaf.mean] as $v |
      "\($b | length) \($b | min) \($b | max) \($v | min) \($v | max)"' "$1"
  else
    python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["rungs"]
b = [x["bitrate_kbps"] for x in r]; v = [x["vmaf"]["mean"] for x in r]
print(len(b), min(b), max(b), min(v), max(v))' "$1"
  fi
}

# prediction_error REPORT: the mean over the ladder's rungs of |measured −
# predicted VMAF| ("-" without a per-title ladder section)
prediction_error() {
  if [ "$JSON" = jq ]; then
    jq -r '[.ladder.rungs[]? | .measured_vmaf - .predicted_vmaf | fabs] |
      if length == 0 then "-" else add / length end' "$1"
  else
    python3 -c 'import json, sys
r = (json.load(open(sys.argv[1])).get("ladder") or {}).get("rungs") or []
d = [abs(x["measured_vmaf"] - x["predicted_vmaf"]) for x in r]
print(sum(d) / len(d) if d else "-")' "$1"
  fi
}

# predicted_bd REPORT: the per-title run's own BD-rate against Apple in
# percent, predicted from its trial encodes ("-" when absent)
predicted_bd() {
  if [ "$JSON" = jq ]; then
    jq -r '.ladder.reference.bd_rate_predicted? // null | if . == null then "-" else . * 100 end' "$1"
  else
    python3 -c 'import json, sys
v = ((json.load(open(sys.argv[1])).get("ladder") or {}).get("reference") or {}).get("bd_rate_predicted")
print("-" if v is None else v * 100)' "$1"
  fi
}

# stage_times REPORT: "complexity encode", the wall seconds of the
# complexity stage (the trial encodes) and of the final encode ("-" when
# absent)
stage_times() {
  if [ "$JSON" = jq ]; then
    jq -r '"\(.timings.complexity // "-") \(.timings.encode // "-")"' "$1"
  else
    python3 -c 'import json, sys
t = json.load(open(sys.argv[1])).get("timings") or {}
print(t.get("complexity", "-"), t.get("encode", "-"))' "$1"
  fi
}

# cmp_fields CMP: tab-separated bd_rate_percent, bd_vmaf, VMAF range low and
# high, rungs dropped from A and from B, error ("-" for what is missing)
cmp_fields() {
  if [ "$JSON" = jq ]; then
    jq -r '[(.bd_rate_percent // "-"), (.bd_vmaf // "-"), (.vmaf_range[0]? // "-"), (.vmaf_range[1]? // "-"),
      (.a.dropped // [] | length), (.b.dropped // [] | length),
      ([.bd_rate_error, .bd_vmaf_error] | map(select(. != null and . != "")) | if length > 0 then join("; ") else "-" end)] | @tsv' "$1"
  else
    python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))
d = lambda v: "-" if v is None else v
vr = c.get("vmaf_range") or ["-", "-"]
errs = [e for e in (c.get("bd_rate_error"), c.get("bd_vmaf_error")) if e]
print(*[d(c.get("bd_rate_percent")), d(c.get("bd_vmaf")), vr[0], vr[1],
        len(c["a"].get("dropped") or []), len(c["b"].get("dropped") or []), "; ".join(errs) or "-"], sep="\t")' "$1"
  fi
}

# --- profiles ---

write_pertitle_profile() { # FILE PER_SHOT
  local analysis=""
  [ "$ANALYSIS" = sample ] && analysis=", analysis: {every_chunk: false}"
  cat >"$1" <<EOF
# bench/pertitle.sh: reel's per-title ladder, per_shot $2, analysis $ANALYSIS
name: bench-pertitle
ladder:
  mode: per-title
  defaults: {codec: h264, preset: $PRESET}
  per_title: {per_shot: $2$analysis}
audio: []
EOF
}

write_apple_profile() { # FILE
  local r h k
  {
    echo "# bench/pertitle.sh: Apple HLS authoring spec H.264 ladder, VBR, 200% peak"
    echo "name: bench-apple"
    echo "ladder:"
    echo "  mode: fixed"
    echo "  defaults: {codec: h264, preset: $PRESET, profile: high}"
    echo "  rungs:"
    for r in "${APPLE[@]}"; do
      read -r h k <<<"$r"
      echo "    - {id: ${h}p-${k}k, height: $h, bitrate_kbps: $k, maxrate_kbps: $((2 * k))}"
    done
    echo "audio: []"
  } >"$1"
}

apple_profile="$WORK/profiles/apple.yaml"
write_apple_profile "$apple_profile"
pertitle_profile="${PERTITLE_PROFILE:-$WORK/profiles/pertitle.yaml}"
pershot_profile="${PERSHOT_PROFILE:-$WORK/profiles/pershot.yaml}"
[ -n "${PERTITLE_PROFILE:-}" ] || write_pertitle_profile "$pertitle_profile" false
[ -n "${PERSHOT_PROFILE:-}" ] || write_pertitle_profile "$pershot_profile" true
for p in "$apple_profile" "$pertitle_profile" "$pershot_profile"; do
  if ! msg="$("$REEL" profile --check "$p" 2>&1)"; then
    echo "bench/pertitle.sh: $REEL rejects the profile $p:" >&2
    echo "$msg" | sed 's/^/  /' >&2
    echo "(a reel without the per-title ladder mode of issue 7 cannot run this benchmark)" >&2
    exit 1
  fi
done

# --- the embedded server, in a process of its own ---

# `reel worker --queues reel` holds the state directory and runs the embedded
# Temporal server; each `reel run` below finds the directory taken and uses
# that server, with a worker of its own for the work. With the server inside
# the `reel run` process, its RPCs wait behind the encode and VMAF goroutines:
# on a loaded 2-core box, heartbeats then take over the 1 s the Temporal SDK
# gives one (reel's 1 s heartbeat throttle), and the SDK cancels the attempt.
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
REEL_STATE_DIR="$WORK/state" "$REEL" worker --queues reel --embedded-port "$REEL_PORT" >"$WORK/logs/server.log" 2>&1 &
server_pid=$!
for ((i = 0; ; i++)); do
  grep -qsE '^reel worker: (.* )?serving' "$WORK/logs/server.log" && break
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$i" -ge 120 ]; then
    echo "bench/pertitle.sh: the embedded server did not start (log $WORK/logs/server.log):" >&2
    sed 's/^/  /' "$WORK/logs/server.log" >&2
    exit 1
  fi
  sleep 0.5
done

# --- mezzanines ---

# make_mezz NAME FILE INPUT_OPTS FILTER: prints the mezzanine's path
make_mezz() {
  local name="$1" file="$2" inopts="$3" vf="$4" mezz
  mezz="$WORK/mezz/$name-$LEN.mkv"
  if [ ! -s "$mezz" ]; then
    echo "making the mezzanine $mezz from $file..." >&2
    # shellcheck disable=SC2086 # inopts is a list of options
    ffmpeg -v error -nostdin -y $inopts -i "$CORPUS/$file" ${CUT:+-t "$CUT"} -map 0:v:0 -an -sn -dn \
      -vf "$vf" -c:v ffv1 -f matroska "$mezz.tmp"
    mv "$mezz.tmp" "$mezz"
  fi
  echo "$mezz"
}

# make_mix: the first MIX_PART seconds of each clip's mezzanine, back to
# back, at 1280x720 25 fps: a title of several shots, where per-shot CRFs and
# sizes can differ (the single clips have one or two shots, few chunks when short).
# Made part by part from the mezzanines, then joined by the concat demuxer
# (ffmpeg's concat filter over the raw clips, and -t on the raw .264 input,
# ran out of 24 GB). Prints its path.
make_mix() {
  local mezz="$WORK/mezz/mix-$MIX_PART.mkv" parts="$WORK/mezz/mix-$MIX_PART.parts" entry name file inopts vf src
  if [ ! -s "$mezz" ]; then
    rm -rf "$parts"
    mkdir -p "$parts"
    for entry in "${CLIP_TABLE[@]}"; do
      IFS='|' read -r name file inopts vf <<<"$entry"
      [ "$name" != mix ] || continue
      src="$(make_mezz "$name" "$file" "$inopts" "$vf")"
      ffmpeg -v error -nostdin -y -i "$src" -t "${MIX_PART%s}" -map 0:v:0 \
        -vf "fps=25,scale=1280:720:flags=bicubic,setsar=1,format=yuv420p" -c:v ffv1 -color_range tv \
        -f matroska "$parts/$name.mkv"
      echo "file '$parts/$name.mkv'" >>"$parts/list.txt"
    done
    echo "making the mezzanine $mezz from the first $MIX_PART of each clip..." >&2
    ffmpeg -v error -nostdin -y -f concat -safe 0 -i "$parts/list.txt" -map 0:v:0 -c:v ffv1 -color_range tv \
      -f matroska "$mezz.tmp"
    mv "$mezz.tmp" "$mezz"
    rm -rf "$parts"
  fi
  echo "$mezz"
}

# --- the catalog title (issue 22) ---

# The conform every catalog shot goes through: 25 fps, 1280x720 filled
# (scaled up to cover it, the overhang cropped off the centre), square
# pixels, 8-bit 4:2:0 limited range, as a mastering house conforms clips of
# mixed origin to one delivery format.
CATALOG_CONFORM="fps=25,scale=1280:720:force_original_aspect_ratio=increase:flags=bicubic,crop=1280:720,setsar=1,format=yuv420p"
# The catalog's sources: kind|file|ffmpeg input options|filter before the
# cut. The raw clips (9 and 5 frames) play forwards then backwards, over and
# over, so that a shot of them lasts some seconds.
CATALOG_SOURCES=(
  "animation|bigbuckbunny.mp4||"
  "night-city|cityCC0.mpg||"
  "foliage|VID_1280x720_cabac_temporal_direct.264|-r 30|"
  "driving|VID_1920x1080_cabac_temporal_direct.264|-r 25|scale=in_range=full:out_range=limited,format=yuv420p"
  "surveillance|car-detection.mp4||"
  "talking-heads|CiscoVT2people_320x192_12fps.yuv|-f rawvideo -pix_fmt yuv420p -s 320x192 -r 12|split[f][b];[b]reverse[r];[f][r]concat=n=2:v=1,loop=loop=-1:size=18"
  "sparks|sparks_ref_480x270.yuv42010le.yuv|-f rawvideo -pix_fmt yuv420p10le -s 480x270 -r 25|split[f][b];[b]reverse[r];[f][r]concat=n=2:v=1,loop=loop=-1:size=10"
)
# The catalog's shots, in order: kind|start s|duration s|re-cut (none;
# zoom: the centre 2/3 of the picture; hflip: mirrored; reverse: played
# backwards; or several, comma-separated). Kinds alternate so that every
# join is a cut; a clip used again is re-cut at another point or framed
# otherwise. 24 shots, 124.4 s.
CATALOG_SHOTS=(
  "animation|0|5.3|none"
  "night-city|0|4|none"
  "surveillance|0|10|none"
  "foliage|0|5|none"
  "talking-heads|0|3|none"
  "driving|0|2.16|none"
  "animation|1.5|3.8|zoom"
  "night-city|4|3.6|none"
  "sparks|0|2|none"
  "surveillance|10|10|none"
  "foliage|5|5|none"
  "driving|0|2.16|reverse"
  "night-city|0|7.6|hflip"
  "animation|0|5.3|hflip"
  "surveillance|20|10|none"
  "talking-heads|0|3|zoom"
  "foliage|0|10|zoom"
  "driving|0|2.16|zoom,hflip"
  "night-city|1|6|zoom"
  "surveillance|0|8|zoom"
  "foliage|2|8|hflip"
  "sparks|0|2|zoom"
  "animation|2|3.3|zoom,hflip"
  "talking-heads|0|3|hflip"
)
CATALOG_DIR="${CATALOG_DIR:-$repo/bench/results/pertitle}"

# catalog_source KIND: prints "file|input options|pre-filter" of a kind
catalog_source() {
  local entry kind rest
  for entry in "${CATALOG_SOURCES[@]}"; do
    IFS='|' read -r kind rest <<<"$entry"
    if [ "$kind" = "$1" ]; then
      echo "$rest"
      return 0
    fi
  done
  echo "bench/pertitle.sh: catalog shot of unknown kind $1" >&2
  return 1
}

# catalog_recut RECUT: the filter of a shot's re-cut ("" for none)
catalog_recut() {
  local out="" r
  for r in ${1//,/ }; do
    case "$r" in
    none) ;;
    zoom) out+="${out:+,}crop=trunc(iw*2/3/2)*2:trunc(ih*2/3/2)*2" ;;
    hflip) out+="${out:+,}hflip" ;;
    reverse) out+="${out:+,}reverse" ;;
    *)
      echo "bench/pertitle.sh: catalog shot re-cut $r: want none, zoom, hflip or reverse" >&2
      return 1
      ;;
    esac
  done
  echo "$out"
}

# catalog_missing: the corpus files the catalog needs that are not there
catalog_missing() {
  local entry kind file
  for entry in "${CATALOG_SOURCES[@]}"; do
    IFS='|' read -r kind file _ <<<"$entry"
    [ -f "$CORPUS/$file" ] || printf ' %s' "$file"
  done
}

# build_catalog_title: a mezzanine that looks like a catalog title, made
# from the corpus: CATALOG_SHOTS cut from the clips, each conformed
# (CATALOG_CONFORM) into an FFV1 part, the parts joined by ffmpeg's concat
# demuxer and encoded once with x264 CRF 10 (preset medium, 2 s GOPs): a
# high-quality mezzanine a tenth the size of an FFV1 one. Cached in
# CATALOG_DIR (bench/results/pertitle, git-ignored) under a key of the shot
# list, the conform, the corpus files' sizes and ffmpeg's version: made
# once, then reused. Beside it, NAME.shots.tsv lists each shot (index,
# first frame, frames, kind, source file, re-cut; the shot boundaries by
# construction) and NAME.cuts the scene detector's count of cuts
# (ffmpeg's scene score over 0.3 on a 320-pixel-wide copy), a check that
# the joins read as cuts. Prints the mezzanine's path.
build_catalog_title() {
  local key name mezz parts entry kind start dur recut src file inopts pre vf i=0 part frames first=0 cuts
  key="$( (printf '%s\n' "$CATALOG_CONFORM" "${CATALOG_SOURCES[@]}" "${CATALOG_SHOTS[@]}" &&
    for entry in "${CATALOG_SOURCES[@]}"; do
      IFS='|' read -r _ file _ <<<"$entry"
      stat -c '%n %s' "$CORPUS/$file"
    done && ffmpeg -version | head -1) | sha256sum | cut -c1-10)"
  name="catalog-$key"
  mezz="$CATALOG_DIR/$name.mkv"
  if [ -s "$mezz" ] && [ -s "$CATALOG_DIR/$name.shots.tsv" ]; then
    echo "$mezz"
    return 0
  fi
  mkdir -p "$CATALOG_DIR"
  parts="$CATALOG_DIR/$name.parts"
  rm -rf "$parts"
  mkdir -p "$parts"
  echo "making the catalog mezzanine $mezz: ${#CATALOG_SHOTS[@]} shots from $CORPUS..." >&2
  printf 'shot\tfirst_frame\tframes\tkind\tsource\trecut\n' >"$parts/shots.tsv"
  for entry in "${CATALOG_SHOTS[@]}"; do
    IFS='|' read -r kind start dur recut <<<"$entry"
    src="$(catalog_source "$kind")"
    IFS='|' read -r file inopts pre <<<"$src"
    # Frame-counted timestamps first: the raw .264 streams' own (with -r)
    # kept trim and fps busy for minutes on 54 frames.
    vf="setpts=N/FRAME_RATE/TB,${pre:+$pre,}trim=start=$start:duration=$dur,setpts=PTS-STARTPTS"
    recut="$(catalog_recut "$recut")" || return 1
    vf+="${recut:+,$recut},$CATALOG_CONFORM"
    part="$parts/$(printf '%03d' "$i").mkv"
    # shellcheck disable=SC2086 # inopts is a list of options
    ffmpeg -v error -nostdin -y $inopts -i "$CORPUS/$file" -an -sn -dn -filter_complex "[0:v:0]$vf[v]" -map '[v]' \
      -t "$dur" -c:v ffv1 -color_range tv -f matroska "$part" </dev/null || {
      echo "bench/pertitle.sh: catalog shot $i ($entry) failed" >&2
      return 1
    }
    frames="$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$part")"
    printf '%d\t%d\t%d\t%s\t%s\t%s\n' "$i" "$first" "$frames" "$kind" "$file" "${entry##*|}" >>"$parts/shots.tsv"
    echo "file '$part'" >>"$parts/list.txt"
    first=$((first + frames))
    i=$((i + 1))
  done
  ffmpeg -v error -nostdin -y -f concat -safe 0 -i "$parts/list.txt" -map 0:v:0 \
    -c:v libx264 -preset medium -crf 10 -g 50 -pix_fmt yuv420p -color_range tv \
    -color_primaries bt709 -color_trc bt709 -colorspace bt709 -f matroska "$parts/mezz.mkv"
  cuts="$(ffmpeg -v error -nostdin -i "$parts/mezz.mkv" -map 0:v:0 -vf "scale=320:-2,select='gt(scene,0.3)'" \
    -fps_mode vfr -f framecrc - | grep -vc '^#' || true)"
  echo "$cuts" >"$CATALOG_DIR/$name.cuts"
  mv "$parts/shots.tsv" "$CATALOG_DIR/$name.shots.tsv"
  mv "$parts/mezz.mkv" "$mezz"
  rm -rf "$parts"
  echo "  $mezz: $first frames at 25 fps ($(awk -v f="$first" 'BEGIN { printf "%.1f", f / 25 }') s), ${#CATALOG_SHOTS[@]} shots, $cuts cuts found by the scene detector" >&2
  echo "$mezz"
}

# --- reel runs ---

# reel_run_log LOG ARGS...: one `reel run`, its output in LOG; reel's exit
# status, with the error on stderr when it failed
reel_run_log() {
  local log="$1" rc=0
  shift
  REEL_STATE_DIR="$WORK/state" "$REEL" "$@" >"$log" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || return 0
  echo "    reel run failed, status $rc (log $log):" >&2
  tail -5 "$log" | sed 's/^/      /' >&2
  return "$rc"
}

# run_reel CLIP VARIANT PROFILE MEZZ: encodes; prints the report's path, or
# nothing (with the error on stderr) when the run failed
run_reel() {
  local clip="$1" variant="$2" prof="$3" mezz="$4" key title out log t0 t1 cached="" args try=0 rc
  key="$( (cat "$prof" && echo "$reel_hash" && stat -c '%n %s %Y' "$mezz") | sha256sum | cut -c1-10)"
  title="pertitle-$clip-$LEN-$variant-$key"
  out="$WORK/out/$title"
  log="$WORK/logs/$title.log"
  args=(run "$mezz" --profile "$prof" --title "$title" --out "$out" --quiet --embedded-port "$REEL_PORT")
  [ "$FORCE" = 1 ] && args+=(--force)
  [ "$FORCE" != 1 ] && [ -s "$out/report.json" ] && cached=" (finished earlier)"
  echo "  $clip $variant: reel run --title $title$cached" >&2
  t0=$(date +%s.%N)
  # A failed title (status 1) starts again when run again (finished
  # windows, chunks and trials are reused); RETRIES more runs before giving
  # up on it, unless reel said the error is not retryable (bad input or
  # settings). Any other status (130: interrupted, 143: terminated) stops.
  while :; do
    rc=0
    reel_run_log "$log" "${args[@]}" || rc=$?
    [ "$rc" -ne 0 ] || break
    if [ "$rc" -ne 1 ] || [ $((try += 1)) -gt "$RETRIES" ] || grep -q 'not retryable' "$log"; then return 0; fi
    echo "  $clip $variant: again ($try of $RETRIES)" >&2
  done
  if [ ! -s "$out/report.json" ] && [ "$FORCE" != 1 ]; then
    # The title finished earlier but its outputs are gone: encode again.
    echo "  $clip $variant: no $out/report.json from the earlier run; again with --force" >&2
    reel_run_log "$log" "${args[@]}" --force || return 0
  fi
  t1=$(date +%s.%N)
  if [ ! -s "$out/report.json" ]; then
    echo "  $clip $variant: no report at $out/report.json (log $log)" >&2
    return 0
  fi
  [ -n "$cached" ] || awk -v a="$t0" -v b="$t1" -v c="$clip" -v v="$variant" \
    'BEGIN { printf "  %s %s: done in %.1f s\n", c, v, b - a }' >&2
  echo "$out/report.json"
}

rungs_of() { if [ -n "$1" ]; then report_summary "$1"; else echo "0 - - - -"; fi; }

# compare CLIP NAME A B: runs `reel ladder compare` and prints cmp_fields
# (all "-" and the error when it could not run)
compare() {
  local cmp="$WORK/cmp/$1-$LEN-$2.json"
  if [ -z "$3" ] || [ -z "$4" ]; then
    printf -- '-\t-\t-\t-\t0\t0\tno report\n'
    return
  fi
  "$REEL" ladder compare "$3" "$4" --json --monotone >"$cmp" 2>"$cmp.err" || true
  if [ -s "$cmp" ]; then
    cmp_fields "$cmp"
  else
    printf -- '-\t-\t-\t-\t0\t0\t%s\n' "$(tr '\n' ' ' <"$cmp.err")"
  fi
}

failures=0
rows=()  # one tab-separated line per clip, printed at the end
notes=() # why a BD measure is missing, rungs --monotone dropped
echo "per-title benchmark: ${#selected[@]} clip(s), ${CUT:+first $CUT s, }x264 preset $PRESET, work dir $WORK, JSON via $JSON" >&2
for entry in "${selected[@]}"; do
  IFS='|' read -r name file inopts vf <<<"$entry"
  missing=""
  for e in "${CLIP_TABLE[@]}"; do
    IFS='|' read -r n f _ _ <<<"$e"
    if [ "$n" != mix ] && [ "$n" != catalog ] && { [ "$name" = mix ] || [ "$n" = "$name" ]; } && [ ! -f "$CORPUS/$f" ]; then missing+=" $f"; fi
  done
  [ "$name" != catalog ] || missing="$(catalog_missing)"
  if [ -n "$missing" ]; then
    echo "$name: missing from $CORPUS:$missing; skipped" >&2
    notes+=("$name: missing from $CORPUS:$missing; skipped")
    continue
  fi
  if [ "$name" = mix ]; then
    mezz="$(make_mix)"
  elif [ "$name" = catalog ]; then
    mezz="$(build_catalog_title)"
  else
    mezz="$(make_mezz "$name" "$file" "$inopts" "$vf")"
  fi
  size="$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$mezz")"
  IFS=, read -r sw sh <<<"$size"
  if ! [[ "$sw" =~ ^[0-9]+$ && "$sh" =~ ^[0-9]+$ ]]; then
    echo "bench/pertitle.sh: cannot read the size of $mezz (ffprobe said: $size)" >&2
    exit 1
  fi

  # The Apple ladder, capped at the source size by reel: rungs taller than
  # the source are encoded at its height, each at its own bitrate.
  apple="$(run_reel "$name" apple "$apple_profile" "$mezz")"
  [ -n "$apple" ] || failures=$((failures + 1))
  pertitle="$(run_reel "$name" pertitle "$pertitle_profile" "$mezz")"
  [ -n "$pertitle" ] || failures=$((failures + 1))
  pershot="$(run_reel "$name" pershot "$pershot_profile" "$mezz")"
  [ -n "$pershot" ] || failures=$((failures + 1))

  read -r an alo ahi _ _ < <(rungs_of "$apple")
  # A reel whose fixed ladder keeps one rung per size drops Apple's
  # same-size rungs (768x432, 1280x720, 1920x1080 twice each).
  [ -z "$apple" ] || [ "$an" = ${#APPLE[@]} ] ||
    notes+=("$name: the Apple ladder has $an rungs, not ${#APPLE[@]}: reel left out rungs that land on the same size")
  read -r tn tlo thi _ _ < <(rungs_of "$pertitle")
  read -r pn plo phi _ _ < <(rungs_of "$pershot")
  IFS=$'\t' read -r bd bdv vlo vhi adrop tdrop err1 < <(compare "$name" apple-pertitle "$apple" "$pertitle")
  IFS=$'\t' read -r bds _ _ _ _ sdrop err2 < <(compare "$name" pertitle-pershot "$pertitle" "$pershot")
  IFS=$'\t' read -r bdas _ _ _ _ _ err3 < <(compare "$name" apple-pershot "$apple" "$pershot")
  [ "$err1" = - ] || notes+=("$name, per-title against Apple: $err1")
  [ "$err2" = - ] || notes+=("$name, per-shot against per-title: $err2")
  [ "$err3" = - ] || notes+=("$name, per-shot against Apple: $err3")
  [ "$adrop$tdrop$sdrop" = 000 ] ||
    notes+=("$name: --monotone left out rungs not above a cheaper one: Apple $adrop, per-title $tdrop, per-shot $sdrop")
  pred=- perr=- cplx=- enc=-
  [ -z "$pertitle" ] || pred="$(predicted_bd "$pertitle")" perr="$(prediction_error "$pertitle")"
  # The stage times of the default profile's run (per-shot).
  [ -z "$pershot" ] || read -r cplx enc < <(stage_times "$pershot")
  rows+=("$(printf '%s\t' "$name" "${sw}x$sh" "$an" "$alo" "$ahi" "$tn" "$tlo" "$thi" "$pn" "$plo" "$phi" \
    "$bd" "$bdv" "$vlo" "$vhi" "$bds" "$bdas" "$pred" "$perr" "$cplx" "$enc")")
done

if [ ${#rows[@]} -eq 0 ]; then
  printf 'note: %s\n' "${notes[@]}"
  echo "bench/pertitle.sh: no clip of CLIPS=${CLIPS:-all} in $CORPUS" >&2
  exit 1
fi
echo
echo "== per-title H.264 ladders vs Apple's HLS ladder, reel VMAF (vmaf_v0.6.1), x264 preset $PRESET${CUT:+, first $CUT s of each clip} =="
printf '%s\n' "${rows[@]}" | awk -F'\t' '
  function rng(n, lo, hi) { return n == 0 ? "-" : sprintf("%d: %.0f-%.0f", n, lo, hi) }
  function pct(v) { return v == "-" ? "-" : sprintf("%+.1f%%", v) }
  function num(v) { return v == "-" ? "-" : sprintf("%+.2f", v) }
  function err(v) { return v == "-" ? "-" : sprintf("%.2f", v) }
  function cost(c, e) { return c == "-" || e == "-" || e <= 0 ? "-" : sprintf("%.0f/%.0f=%.2fx", c, e, c / e) }
  function line(a, b, c, d, e, f, g, h, i, j, k, l, m) {
    printf "%-8s %-9s %-15s %-15s %-15s %8s %7s %8s %-11s %8s %8s %6s  %s\n", a, b, c, d, e, f, g, h, i, j, k, l, m
  }
  function row(r, f) {
    split(r, f, "\t")
    line(f[1], f[2], rng(f[3], f[4], f[5]), rng(f[6], f[7], f[8]), rng(f[9], f[10], f[11]), pct(f[12]), pct(f[18]), num(f[13]),
      f[14] == "-" ? "-" : sprintf("%.1f-%.1f", f[14], f[15]), pct(f[16]), pct(f[17]), err(f[19]), cost(f[20], f[21]))
  }
  function goal(what, v, lim, fmt) {
    if (v == "-") printf "  %s: not measured\n", what
    else printf "  %s: " fmt " (%s)\n", what, v, v <= lim ? "met" : "NOT met"
  }
  function add(k, v) { if (v != "-") { sum[k] += v; cnt[k]++ } }
  function avg(k, f) { return cnt[k] ? (f == "pct" ? pct(sum[k] / cnt[k]) : num(sum[k] / cnt[k])) : "-" }
  BEGIN {
    line("clip", "source", "Apple kbps", "per-title kbps", "per-shot kbps", "BD-rate", "pred.", "BD-VMAF", "over VMAF", "per-shot", "shot/App", "|dV|",
      "cplx/enc s")
  }
  $1 == "mix" { mix[++nmix] = $0; next }
  $1 == "catalog" { mix[++nmix] = $0; cat = $0; next }
  {
    row($0)
    add("bd", $12); add("pred", $18); add("vmaf", $13); add("shot", $16); add("shotapp", $17); add("perr", $19)
    n++
  }
  END {
    if (n) line("average", "", "", "", "", avg("bd", "pct"), avg("pred", "pct"), avg("vmaf"), cnt["bd"] ? "(" cnt["bd"] " of " n ")" : "",
      avg("shot", "pct"), avg("shotapp", "pct"), cnt["perr"] ? err(sum["perr"] / cnt["perr"]) : "-")
    for (i = 1; i <= nmix; i++) row(mix[i])
    print ""
    if (nmix) print "mix: the clips back to back (several shots, for the per-shot optimizer); catalog: the long title of"
    if (nmix) print "24 shots cut from them (build_catalog_title); neither is in the average."
    print "kbps: rungs: lowest-highest measured bitrate. BD-rate, BD-VMAF: per-title ladder against Apple, measured"
    print "(negative BD-rate, positive BD-VMAF: per-title is better), over the VMAF range both cover; pred.: the same"
    print "BD-rate as the per-title run predicted it from its trial encodes. per-shot: BD-rate of the per-shot ladder"
    print "against the per-title one (its further gain); shot/App: per-shot against Apple. |dV|: mean over the"
    print "per-title rungs of |measured - predicted VMAF|. cplx/enc s: wall seconds of the complexity stage and of"
    print "the final encode in the default (per-shot) run, and their ratio."
    if (!cnt["bd"]) print "goal: average BD-rate <= -20%: not computable"
    else printf "goal: average BD-rate <= -20%%: %s (%+.1f%% over %d of %d clips)%s\n", sum["bd"] / cnt["bd"] <= -20 ? "met" : "NOT met",
      sum["bd"] / cnt["bd"], cnt["bd"], n, cnt["bd"] < n ? "; incomplete: see the notes" : ""
    if (cat != "") {
      split(cat, c, "\t")
      print "goals on the catalog title (issue 22):"
      goal("per-title BD-rate against Apple <= -20%", c[12], -20, "%+.1f%%")
      goal("per-shot BD-rate against Apple <= -30%", c[17], -30, "%+.1f%%")
      goal("complexity stage <= 0.5x the final encode", c[20] == "-" || c[21] == "-" || c[21] <= 0 ? "-" : c[20] / c[21], 0.5, "%.2fx")
      goal("mean |measured - predicted VMAF| <= 0.3", c[19], 0.3, "%.2f")
    }
  }'
for n in "${notes[@]}"; do echo "note: $n"; done
echo "reports: $WORK/out; comparisons: $WORK/cmp; reel logs: $WORK/logs"
if [ "$failures" -gt 0 ]; then
  echo "bench/pertitle.sh: $failures reel run(s) failed (see above)" >&2
  exit 1
fi
