#!/usr/bin/env bash
# Fuzz one target (or all) for a while:
#
#     scripts/fuzz.sh TARGET [SECONDS]     # TARGET: pattern_file | normalize | matcher | analyze | all
#
# Needs a nightly toolchain (rustup toolchain install nightly) and cargo-fuzz
# (installed here on first use). New inputs go to fuzz/corpus/TARGET (not
# committed); crashes to fuzz/artifacts/TARGET/. When one is found and fixed,
# copy it into fuzz/regressions/TARGET/: `cargo test --test cli fuzz` replays
# every file there (and fuzz/seeds/) on stable.
set -euo pipefail
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
secs=${2:-60}
cd "$(dirname "$0")/../fuzz"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
run() {
    local t=$1
    mkdir -p "corpus/$t"
    # No sanitizer: the code under test is safe Rust; libFuzzer still finds
    # panics, overflows (debug assertions are on), hangs and runaway memory.
    cargo +nightly fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" "regressions/$t" -- \
        -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
}
if [ "$target" = all ]; then
    for t in pattern_file normalize matcher analyze; do run "$t"; done
else
    run "$target"
fi
