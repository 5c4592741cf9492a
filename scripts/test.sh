#!/usr/bin/env bash
# The second command: formatting, lints and every test. CI runs this
# (.ci/run). Unit tests live in src/, integration tests through the binary
# in tests/cli/ (they also check that fixtures/ is what
# scripts/make_fixtures.py writes, and scan ../shared/devset/pdf when it
# is there).
set -euo pipefail
cd "$(dirname "$0")/.."

# rustfmt and clippy are rustup components; add them when missing.
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
      rustup component add "${component}" >&2 || true
    fi
  done
fi

# The OCR engine and the font the OCR tests draw with (and pdftotext);
# tests that need them skip with a message when they cannot be installed.
scripts/install-packages.sh

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
