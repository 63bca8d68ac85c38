#!/usr/bin/env bash
# Installs, idempotently, what reel needs to build and test on Debian 12.
# Safe to run many times: it only installs what is missing.
set -euo pipefail

PKGS=(
  pkg-config gcc g++ make xz-utils bc
  ffmpeg
  libavcodec-dev libavformat-dev libavutil-dev libavfilter-dev libavdevice-dev
  libswscale-dev libswresample-dev
  libopencv-dev
  fuse3
  systemd    # systemd-analyze verify of deploy/systemd (internal/cli TestDeploySystemdUnits)
  chromium   # the real-browser playback tests (internal/playtest)
  postgresql # reel server's PostgreSQL end-to-end test (internal/pgtest starts it on loopback)
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Go-installed tools, pinned.
GOBIN="$(go env GOPATH)/bin"
install_go_tool() { # name module@version
  if [ ! -x "$GOBIN/$1" ]; then
    echo "deps: go install $2" >&2
    go install "$2"
  fi
}
install_go_tool workflowcheck go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

# The S3-compatible server the tests start on loopback (Apache-2.0), built
# once here so that test packages running in parallel do not race to build it.
bash "$(dirname "$0")/versitygw.sh" >/dev/null
