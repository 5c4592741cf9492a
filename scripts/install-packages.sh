#!/usr/bin/env bash
# Installs the Debian packages policyscan uses at run time and in its tests,
# when they are missing: poppler-utils (pdftotext, the last-resort
# extractor), tesseract-ocr and tesseract-ocr-eng (the OCR engine behind
# --ocr) and fonts-dejavu-core (the font the OCR tests draw their pages
# with). Every one is optional: policyscan runs without them (--ocr then
# says what to install) and the tests that need them skip with a message.
#
# Idempotent: installed packages are left alone, and apt-get runs only when
# something is missing. Runs apt-get directly as root (CI), through sudo
# otherwise; without apt-get, root or sudo it says so and exits 0.
set -euo pipefail

log() { printf 'install-packages: %s\n' "$*" >&2; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for pkg in poppler-utils tesseract-ocr tesseract-ocr-eng fonts-dejavu-core; do
  if command -v dpkg-query >/dev/null 2>&1; then
    installed "$pkg" || missing+=("$pkg")
  else
    case "$pkg" in
      poppler-utils) command -v pdftotext >/dev/null 2>&1 || missing+=("$pkg") ;;
      tesseract-ocr) command -v tesseract >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
  fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  log "apt-get not found; continuing without ${missing[*]}"
  exit 0
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    log "not root and no sudo; continuing without ${missing[*]}"
    exit 0
  fi
fi
log "installing ${missing[*]}"
if ! {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}"
} >&2; then
  log "could not install ${missing[*]}; continuing without them"
fi
