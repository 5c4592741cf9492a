#!/usr/bin/env bash
# Renders `policyscan scan --format html` for a few documents, opens it in
# Debian's headless Chromium, and
#   1. writes a screenshot (default docs/report.png) to look at;
#   2. checks that no script from a document ran: a hostile text document
#      (tests/data/reports/hostile_policy.txt) tries <script> and
#      <img onerror> to change document.title; the title in the DOM after
#      load must still be policyscan's own.
# Installs chromium with apt-get when it is missing (needs root).
#
# Usage: scripts/html-screenshot.sh [OUT.png] [INPUT...]
# Default inputs: a few dev-set PDFs from ../shared/devset (when present)
# and the hostile text document.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/report.png}
shift || true
inputs=("$@")
if [ ${#inputs[@]} -eq 0 ]; then
    dev=../shared/devset/pdf
    for f in 01_northwind_ketamine_esketamine_policy 05_lakeshore_ketamine_policy_v2024 \
             06_lakeshore_ketamine_policy_v2025 15_pinecrest_ketamine_pain_vs_depression \
             21_cascadia_mhpaea_nqtl_summary; do
        [ -f "$dev/$f.pdf" ] && inputs+=("$dev/$f.pdf")
    done
    inputs+=(tests/data/reports/hostile_policy.txt)
fi

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (Debian package)..." >&2
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

cargo build --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
html="$tmp/report.html"
./target/debug/policyscan scan --quiet --format html "${inputs[@]}" > "$html"

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        --user-data-dir="$tmp/profile")

# 1. Screenshot.
"${chrome[@]}" --hide-scrollbars --screenshot="$(realpath -m "$out")" \
    --window-size=1280,1600 "file://$html" 2>/dev/null
echo "screenshot: $out"

# 2. No script ran: the DOM after load keeps the page's own title, and the
#    hostile markup is text, not elements.
dom="$tmp/dom.html"
"${chrome[@]}" --dump-dom "file://$html" > "$dom" 2>/dev/null
if grep -qi 'pwned</title>' "$dom" || ! grep -q '<title>policyscan report' "$dom"; then
    echo "FAIL: a script from a document changed the page" >&2
    exit 1
fi
if grep -qi '<script' "$dom"; then
    echo "FAIL: the page contains a <script> element" >&2
    exit 1
fi
echo "ok: no script ran (title unchanged, no <script> element)"
