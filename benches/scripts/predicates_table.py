#!/usr/bin/env python3
"""Markdown table of the `predicates` criterion group: median prove/verify times, ratios to the
`disclose2` baseline, and proof sizes.

Usage: python3 benches/scripts/predicates_table.py TARGET_DIR BENCH_LOG
  TARGET_DIR: cargo's target dir (criterion writes TARGET_DIR/criterion/predicates/...)
  BENCH_LOG:  the stderr+stdout of the bench run (for the `SIZE` lines)
"""
import json
import re
import sys
from pathlib import Path

target, log = Path(sys.argv[1]), Path(sys.argv[2])
sizes = {}
for line in log.read_text().splitlines():
    m = re.match(r"SIZE predicates/(\S+): proof (\d+) bytes, json (\d+) bytes", line)
    if m:
        sizes[m.group(1)] = (int(m.group(2)), int(m.group(3)))


def median_ms(kind, case):
    est = target / "criterion" / "predicates" / f"{kind}_{case}" / "new" / "estimates.json"
    return json.loads(est.read_text())["median"]["point_estimate"] / 1e6


base_p, base_v = median_ms("prove", "disclose2"), median_ms("verify", "disclose2")
print("| case | prove (ms) | × disclose2 | verify (ms) | × disclose2 | proof bytes | JSON bytes |")
print("|---|---:|---:|---:|---:|---:|---:|")
for case, (proof, js) in sizes.items():
    p, v = median_ms("prove", case), median_ms("verify", case)
    print(f"| `{case}` | {p:.2f} | {p / base_p:.2f} | {v:.2f} | {v / base_v:.2f} | {proof} | {js} |")
