#!/usr/bin/env bash
# Runs every benchmark script in bench/ and prints their ratio tables.
set -euo pipefail
cd "$(dirname "$0")"
for s in *.sh; do
  [ "$s" = run.sh ] && continue
  echo "== bench/$s"
  bash "$s"
done
