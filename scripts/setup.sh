#!/usr/bin/env bash
# The first command for a fresh machine: install what policyscan needs,
# build the release binary and scan the sample documents in fixtures/,
# printing the report (JSON) on stdout.
#
# Needs the Rust toolchain (cargo). The optional Debian packages
# (poppler-utils for the pdftotext fallback extractor, tesseract-ocr and
# tesseract-ocr-eng for --ocr, fonts-dejavu-core for the OCR tests) are
# installed by scripts/install-packages.sh when they are missing and
# apt-get is available: directly when running as root, through sudo
# otherwise; without either, setup goes on without them. Safe to run again:
# nothing is reinstalled, and cargo rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install the Rust toolchain first (https://rustup.rs)"
  exit 2
fi

scripts/install-packages.sh
log "building target/release/policyscan"
cargo build --release --locked
log "scanning fixtures/"
target/release/policyscan scan fixtures
