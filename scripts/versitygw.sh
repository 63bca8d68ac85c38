#!/usr/bin/env bash
# Installs, idempotently, the versitygw S3 gateway used by mezzfs tests and
# benchmarks (a real S3 server over a local directory: `versitygw posix DIR`).
# Prints the path of the binary on stdout.
#
# VERSITYGW_VERSION overrides the pinned version; GOBIN (else `go env
# GOPATH`/bin) is where it is installed.
set -euo pipefail

VERSION="${VERSITYGW_VERSION:-v1.8.0}"
GOBIN="${GOBIN:-$(go env GOPATH)/bin}"
BIN="$GOBIN/versitygw"
STAMP="$GOBIN/.versitygw-version"

if [ -x "$BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$VERSION" ]; then
  echo "$BIN"
  exit 0
fi

echo "versitygw: go install github.com/versity/versitygw/cmd/versitygw@$VERSION" >&2
# The module may need a newer toolchain than the repo's; let go fetch it.
GOBIN="$GOBIN" GOFLAGS="${GOFLAGS:-} -mod=mod" go install "github.com/versity/versitygw/cmd/versitygw@$VERSION" >&2
echo "$VERSION" > "$STAMP"
echo "$BIN"
