#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png, the pictures in README, from the
# browser tests that take them (headless Chromium, see internal/browsertest):
#   report.png         report.html of a real packaged title (reporthtml)
#   compare.png        reel ladder compare --html (reporthtml)
#   campaign.png       campaign.html (reporthtml)
#   serve-list.png     reel serve: the titles list (internal/cli, end to end)
#   serve-title.png    reel serve: a finished title, its report and package
#   serve-held.png     reel serve: a title held at the QC gate
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go test ./reporthtml -run 'TestReportInBrowser$|TestCompareInBrowser$' -count=1 -artifacts -outputdir "$out"
go test ./internal/cli -run 'TestServeReviewersUI$' -count=1 -artifacts -outputdir "$out"
mkdir -p docs/screenshots
find "$out" -name '*.png' -exec cp {} docs/screenshots/ \;
ls -l docs/screenshots
