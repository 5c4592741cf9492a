#!/usr/bin/env bash
# The first command for a fresh machine: install what policyscan needs,
# build the release binary and scan the sample documents in fixtures/,
# printing the report (JSON) on stdout.
#
# Needs the Rust toolchain (cargo). poppler-utils (pdftotext, an optional
# fallback extractor) is installed with apt-get when it is missing and
# apt-get is available: directly when running as root, through sudo
# otherwise; without either, setup goes on without it. Safe to run again:
# nothing is reinstalled, and cargo rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

install_optional_packages() {
  local missing=()
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not found; continuing without optional ${missing[*]}"
    return 0
  fi
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      as_root=(sudo)
    else
      log "not root and no sudo; continuing without optional ${missing[*]}"
      return 0
    fi
  fi
  log "installing ${missing[*]} (optional: the pdftotext fallback extractor)"
  if ! {
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >&2; then
    log "could not install ${missing[*]}; continuing without it"
  fi
}

if ! command -v cargo >/dev/null 2>&1; then
  log "cargo not found: install the Rust toolchain first (https://rustup.rs)"
  exit 2
fi

install_optional_packages
log "building target/release/policyscan"
cargo build --release --locked
log "scanning fixtures/"
target/release/policyscan scan fixtures
