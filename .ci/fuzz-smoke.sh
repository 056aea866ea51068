#!/usr/bin/env bash
# Fuzz smoke test: build every cargo-fuzz target in fuzz/ and run each for a short, fixed time
# against its committed corpus (fuzz/corpus/<target>/). Exits non-zero when any target crashes
# (panic, failed assertion, timeout or out-of-memory), printing the reproducer's path.
#
#   bash .ci/fuzz-smoke.sh                     # FUZZ_SECONDS=6 per target (default)
#   FUZZ_SECONDS=120 bash .ci/fuzz-smoke.sh    # a longer campaign, same checks
#
# Needs the nightly toolchain (`cargo +nightly`); skips with a message, exit 0, without it.
# Installs cargo-fuzz from crates.io when it is missing. New inputs the fuzzer finds go to a
# temporary directory: the committed corpora are only read.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-6}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz-smoke: SKIPPED: the nightly toolchain is not installed (cargo +nightly fails)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-smoke: installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked
fi

# -s none: the targets exercise safe Rust, where a bug shows as a panic, which needs no
# sanitizer; this halves the build. -a: debug assertions and overflow checks on.
build_flags=(-s none -a)
echo "fuzz-smoke: building the fuzz targets"
start=$(date +%s)
cargo +nightly fuzz build "${build_flags[@]}"
echo "fuzz-smoke: built in $(( $(date +%s) - start )) s"

work="$(mktemp -d /tmp/netnym-fuzz-smoke.XXXXXX)"
trap 'rm -rf "$work"' EXIT
failed=()
for target in $(cargo +nightly fuzz list); do
    corpus="fuzz/corpus/$target"
    if [ ! -d "$corpus" ]; then
        echo "fuzz-smoke: $target has no committed corpus at $corpus"
        failed+=("$target")
        continue
    fi
    mkdir -p "$work/$target/new" "$work/$target/artifacts"
    log="$work/$target/log"
    if cargo +nightly fuzz run "${build_flags[@]}" "$target" "$work/$target/new" "$corpus" -- \
        -max_total_time="$seconds" -runs=2000000 -timeout=20 -rss_limit_mb=2048 \
        -artifact_prefix="$work/$target/artifacts/" -print_final_stats=1 >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz-smoke: $target ok ($execs executions in <= ${seconds} s)"
    else
        echo "fuzz-smoke: $target FAILED; last lines of its log:"
        tail -n 40 "$log"
        for a in "$work/$target/artifacts/"*; do
            [ -e "$a" ] || continue
            keep="fuzz/artifacts/$target/$(basename "$a")"
            mkdir -p "$(dirname "$keep")"
            cp "$a" "$keep"
            echo "fuzz-smoke: reproducer kept at $keep (cargo +nightly fuzz run $target $keep)"
        done
        failed+=("$target")
    fi
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzz-smoke: FAILED targets: ${failed[*]}"
    exit 1
fi
echo "fuzz-smoke: every target ran without a crash"
