#!/usr/bin/env bash
# Compare the prepared provers of two or more builds in alternating rounds, so that the load of
# a shared machine falls on every build alike (issue 11: variable-time vs constant-time table
# lookups; benches/README.md §Constant-time fixed-base multiplication).
#
# Usage: benches/scripts/ab_prove.sh DIR ROUNDS VARIANT...
#   DIR holds, for each VARIANT V, the bench executables V-verify and V-predicates, copied from
#   target/release/deps after `cargo bench -p netnym-benches --bench verify --bench predicates
#   --no-run` at the commit to measure. Criterion writes its files under DIR/run.
# Prints one line per benchmark: variant, round, id, criterion's [low estimate high].
set -euo pipefail
dir="$1"
rounds="$2"
shift 2
mkdir -p "$dir/run"
cd "$dir/run"
for r in $(seq 1 "$rounds"); do
    for v in "$@"; do
        echo "# round $r variant $v $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
        "$dir/$v-verify" --bench --warm-up-time 1 --measurement-time 3 \
            'sd10/netnym_prove_prepared|sd10/netnym_prepare' 2>&1 |
            grep -E "^sd10|time:" | paste - - | tr -s ' \t' ' ' | sed "s/^/$v r$r /"
        "$dir/$v-predicates" --bench --warm-up-time 1 --measurement-time 3 \
            'predicates/prove_prepared/full' 2>&1 |
            grep -E "^predicates|time:" | paste - - | tr -s ' \t' ' ' | sed "s/^/$v r$r /"
    done
done
