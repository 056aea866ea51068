#!/usr/bin/env python3
"""Issue 5 targets as ratios of criterion medians measured in one run.

Usage: python3 benches/scripts/targets_table.py TARGET_DIR
Reads TARGET_DIR/criterion/{floor,sd10,batch}/.../new/estimates.json (bench `verify`).
"""
import json
import sys
from pathlib import Path

root = Path(sys.argv[1]) / "criterion"


def ms(*parts):
    est = root.joinpath(*parts, "new", "estimates.json")
    return json.loads(est.read_text())["median"]["point_estimate"] / 1e6


rows = []
floor = ms("floor", "two_pairing")
rows.append(("floor: two-pairing product (prepared G2)", f"{floor:.2f} ms", "", ""))
for n in (4, 12, 16, 64):
    rows.append((f"floor: G1 MSM of {n} points", f"{ms('floor', 'msm_g1', str(n)):.2f} ms", "", ""))
v, vr, vb = ms("sd10", "netnym_verify"), ms("sd10", "netnym_verify_reference"), ms("sd10", "bbs_plus_verify")
p, pb = ms("sd10", "netnym_prove"), ms("sd10", "bbs_plus_prove")
rows.append(("SD verify (10 attrs, 2 disclosed) / floor", f"{v:.2f} / {floor:.2f} ms", f"{v / floor:.2f}×", "≤ 1.3× — not met"
             if v / floor > 1.3 else "≤ 1.3× — met"))
rows.append(("SD verify / bbs_plus verify", f"{v:.2f} / {vb:.2f} ms", f"{v / vb:.2f}×", "(context)"))
rows.append(("SD verify reference path / fast path", f"{vr:.2f} / {v:.2f} ms", f"{vr / v:.2f}×", "(context)"))
rows.append(("SD prove / bbs_plus prove", f"{p:.2f} / {pb:.2f} ms", f"{p / pb:.2f}×", "≤ 0.5× — not met"
             if p / pb > 0.5 else "≤ 0.5× — met"))
for n in ("100", "1000"):
    one, bat = ms("batch", n, "one_by_one"), ms("batch", n, "verify_batch")
    rows.append((f"batch of {n}: one by one / verify_batch", f"{one:.1f} / {bat:.1f} ms", f"{one / bat:.1f}× throughput",
                 ("≥ 5× — met" if one / bat >= 5 else "≥ 5× — not met") if n == "1000" else "(context)"))
print("| measurement | medians | ratio | target |")
print("|---|---|---:|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
