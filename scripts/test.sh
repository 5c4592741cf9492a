#!/usr/bin/env bash
# The second command: formatting, lints and every test, then the Slurm
# end-to-end run where it can be set up. CI runs this (.ci/run). Unit
# tests live in src/, integration tests through the binary in tests/cli/
# (they also check that fixtures/ is what scripts/make_fixtures.py writes,
# score the labeled corpora, and scan ../shared/devset/pdf when it is
# there).
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
# Release mode: the same build scripts/setup.sh makes, and cheaper than a
# dev build with optimized dependencies (measured on a clean clone, 2 cores:
# 5-6.5 min against 7 min); the corpus tests then run the optimized binary.
cargo test --release --locked

# The sharded scan on a real scheduler (a one-node Slurm cluster on
# localhost, about 30 s): where Debian packages can be installed (root or
# sudo, apt-get) and ../shared/corpus/real is there. SLURM_E2E=0 skips it.
if [ "${SLURM_E2E:-1}" = 0 ]; then
  echo "test: slurm-e2e skipped (SLURM_E2E=0)" >&2
elif ! command -v apt-get >/dev/null 2>&1 || { [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; }; then
  echo "test: slurm-e2e skipped: needs apt-get and root or sudo" >&2
elif [ ! -d ../shared/corpus/real ]; then
  echo "test: slurm-e2e skipped: ../shared/corpus/real not found" >&2
else
  scripts/slurm-e2e.sh --bin target/release/policyscan
fi
