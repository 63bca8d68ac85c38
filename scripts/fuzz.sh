#!/usr/bin/env bash
# Runs every fuzz target of the repository (func FuzzXxx in a _test.go
# file) for FUZZTIME each, one after the other, and lists the ones that
# failed. `go test` (and so `make test`) already runs each target's seed
# corpus; this explores beyond it. A failing input is saved by Go under
# the package's testdata/fuzz/FuzzXxx/ directory: commit it with the fix
# so that the seed run keeps checking it.
#
#   scripts/fuzz.sh                    # every target, 30s each
#   FUZZTIME=5m scripts/fuzz.sh        # longer
#   scripts/fuzz.sh FuzzRead FuzzHull  # only these (names are anchored)
#
# FUZZ_PARALLEL sets the fuzzing workers per target (default: go's,
# GOMAXPROCS).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
parallel=()
if [[ -n "${FUZZ_PARALLEL:-}" ]]; then
	parallel=(-parallel "$FUZZ_PARALLEL")
fi

# "dir name" per target, sorted; vendored and hidden directories skipped.
mapfile -t targets < <(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(' . |
	grep -vE '^\./(\.|vendor/)' |
	sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\($#\1 \2#' | sort)

failed=()
ran=0
for t in "${targets[@]}"; do
	dir=${t% *}
	name=${t#* }
	if [[ $# -gt 0 ]] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	ran=$((ran + 1))
	echo "== ./$dir $name ($FUZZTIME)"
	start=$SECONDS
	if ! "$GO" test "./$dir" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "${parallel[@]}"; then
		failed+=("./$dir $name")
	fi
	echo "== ./$dir $name: $((SECONDS - start))s"
done
if [[ $ran -eq 0 ]]; then
	echo "no fuzz target matched: $*" >&2
	exit 2
fi
echo "$ran fuzz targets, ${#failed[@]} failed"
if [[ ${#failed[@]} -gt 0 ]]; then
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
