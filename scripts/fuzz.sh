#!/usr/bin/env bash
# Fuzz one target (or all) for a while:
#
#     scripts/fuzz.sh TARGET [SECONDS]
#
# TARGET: pattern_file | normalize | matcher | analyze   (text side)
#         content | font | pdf | page_images             (PDF bytes)
#         text | pdfs | all                              (groups, one after another)
#
# Needs cargo-fuzz (installed here on first use) and a nightly toolchain, or
# the stable one with RUSTC_BOOTSTRAP=1 (used when no nightly is installed).
# New inputs go to fuzz/corpus/TARGET (not committed); crashes to
# fuzz/artifacts/TARGET/. When one is found and fixed, copy it into
# fuzz/regressions/TARGET/: `cargo test --test cli fuzz` replays every file
# there (and fuzz/seeds/) on stable. The PDF targets also start from the
# repository's fixtures and, when present, ../shared/corpus/torture.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS=-rss_limit_mb=1024).
set -euo pipefail
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
secs=${2:-60}
cd "$(dirname "$0")/../fuzz"
if cargo +nightly --version >/dev/null 2>&1; then
    cargo=(cargo +nightly)
else
    cargo=(env RUSTC_BOOTSTRAP=1 cargo)
fi
if ! "${cargo[@]}" fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
run() {
    local t=$1
    local dirs=("corpus/$t" "seeds/$t" "regressions/$t")
    local max_len=65536
    case $t in
        pdf | page_images)
            max_len=262144
            dirs+=(../fixtures)
            if [ -d ../../shared/corpus/torture ]; then dirs+=(../../shared/corpus/torture); fi
            ;;
    esac
    mkdir -p "corpus/$t"
    # No sanitizer: the code under test is safe Rust; libFuzzer still finds
    # panics, overflows (debug assertions are on), hangs and runaway memory.
    # shellcheck disable=SC2086
    "${cargo[@]}" fuzz run --sanitizer none "$t" "${dirs[@]}" -- \
        -max_total_time="$secs" -max_len="$max_len" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 ${FUZZ_ARGS:-}
}
case $target in
    text) for t in pattern_file normalize matcher analyze; do run "$t"; done ;;
    pdfs) for t in content font pdf page_images; do run "$t"; done ;;
    all) for t in pattern_file normalize matcher analyze content font pdf page_images; do run "$t"; done ;;
    *) run "$target" ;;
esac
