#!/usr/bin/env bash
# Run every NetNym benchmark (credential, predicates, verify, and the peer comparison `peers`
# with `--features peers`) in one run, then write the issue-5 table.
#
# Usage: benches/run-all.sh [CRITERION ARGS...]
#   With no arguments, criterion gets `--warm-up-time 1 --measurement-time 3`. Any arguments
#   replace those and are passed to every bench binary, e.g. a quick check of the pipeline:
#     benches/run-all.sh --warm-up-time 0.2 --measurement-time 0.5
#   (a name filter works too, but then the rows of unmeasured benches say "n/a").
# Environment:
#   CARGO_TARGET_DIR  cargo's target dir (default: ./target); criterion writes its estimates
#                     under $CARGO_TARGET_DIR/criterion.
#   BENCH_OUT         where the logs and the table go
#                     (default: $CARGO_TARGET_DIR/bench-runs/<UTC timestamp>).
#   BENCHES           the bench files to run (default: "credential predicates verify peers").
#
# Output in $BENCH_OUT: machine.txt (date, uptime, lscpu, rustc, git commit; start and end),
# build.log, build.json and executables.txt (the bench binaries that were run), <bench>.log for
# each bench (stdout+stderr, also shown on the terminal), table.md
# (benches/scripts/report.py's output, also printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TARGET_DIR="$target"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="${BENCH_OUT:-$target/bench-runs/$stamp}"
benches="${BENCHES:-credential predicates verify peers}"
if [ "$#" -eq 0 ]; then
    set -- --warm-up-time 1 --measurement-time 3
fi
mkdir -p "$out"
start_epoch="$(date -u +%s)"

{
    echo "start: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "uptime at start: $(uptime)"
    echo "git commit: $(git rev-parse HEAD) ($(git log -1 --format=%s | cut -c1-80))"
    if [ -n "$(git status --porcelain -- crates benches Cargo.toml Cargo.lock)" ]; then
        echo "working tree: modified (uncommitted changes under crates/, benches/ or Cargo.*):"
        git status --porcelain -- crates benches Cargo.toml Cargo.lock | sed 's/^/  /'
    else
        echo "working tree: clean under crates/, benches/, Cargo.*"
    fi
    echo "command: benches/run-all.sh $*"
    echo "benches: $benches"
    echo "$(rustc -V); $(cargo -V)"
    echo "nproc: $(nproc)"
    lscpu | grep -E '^(Architecture|Model name|CPU\(s\)|Thread\(s\) per core|Core\(s\) per socket|Hypervisor vendor|L2 cache|L3 cache):' |
        sed 's/  */ /g'
} >"$out/machine.txt"
cat "$out/machine.txt"

# Build everything first (bench profile: LTO, one codegen unit), so that build time and
# compiler load do not overlap any measurement, then run those exact executables: a commit
# landing in the tree during the run cannot make later benches measure a different build.
echo "=== build (cargo bench --no-run), log in $out/build.log"
cargo bench -p netnym-benches --features peers --no-run --message-format=json-render-diagnostics \
    >"$out/build.json" 2>"$out/build.log" || {
    tail -40 "$out/build.log"
    exit 1
}
echo "uptime after build: $(uptime)" >>"$out/machine.txt"
echo "git commit after build: $(git rev-parse HEAD)" >>"$out/machine.txt"
# Bench executables by target name, from cargo's JSON messages.
python3 - "$out/build.json" >"$out/executables.txt" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and "bench" in m["target"]["kind"] and m.get("executable"):
        print(m["target"]["name"], m["executable"])
PY
cat "$out/executables.txt" >>"$out/machine.txt"

failed=""
for b in $benches; do
    exe="$(awk -v b="$b" '$1 == b { print $2 }' "$out/executables.txt")"
    echo "=== bench $b: $exe --bench $*"
    echo "uptime before $b: $(uptime)" >>"$out/machine.txt"
    # A failing (or unknown) bench does not stop the others; its rows come out as "n/a" and the
    # script exits non-zero at the end. Run from benches/, as `cargo bench` does.
    if [ -z "$exe" ] || ! (cd benches && "$exe" --bench "$@") 2>&1 | tee "$out/$b.log"; then
        echo "bench $b FAILED (see $out/$b.log)" | tee -a "$out/machine.txt"
        failed="$failed $b"
    fi
done

{
    echo "end: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "uptime at end: $(uptime)"
    echo "git commit at end: $(git rev-parse HEAD) (the benches ran the executables built above)"
} >>"$out/machine.txt"

python3 benches/scripts/report.py "$target" "$out" --since "$start_epoch" >"$out/table.md"
echo "=== table ($out/table.md)"
cat "$out/table.md"
if [ -n "$failed" ]; then
    echo "failed benches:$failed" >&2
    exit 1
fi
