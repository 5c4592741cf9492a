#!/usr/bin/env bash
# Writes docs/policyscan.1, the manual page, from the command-line
# definitions (what `policyscan man` prints). Run it after changing a flag
# or a subcommand; the test suite fails while the page is out of date.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
tmp=$(mktemp docs/policyscan.1.XXXXXX)
trap 'rm -f "$tmp"' EXIT
target/release/policyscan man >"$tmp"
chmod 644 "$tmp"
mv "$tmp" docs/policyscan.1
trap - EXIT
echo "wrote docs/policyscan.1 ($(wc -l <docs/policyscan.1) lines); view it with: man -l docs/policyscan.1"
