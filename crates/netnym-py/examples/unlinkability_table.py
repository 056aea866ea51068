"""Reproduce the lab's unlinkability table from Python (docs/lab.md).

    python crates/netnym-py/examples/unlinkability_table.py                 # the CLI's defaults
    python crates/netnym-py/examples/unlinkability_table.py --trials 500 --holders 16

Prints, per view, one row per adversary and one column per design: advantage with its 95%
interval, as `netnym lab unlinkability` does, then each positive control's advantage for the
adversary designated to catch it.
"""

import argparse
import time

import netnym


def cell(score):
    if score is None:
        return "—"
    if score["checked"] == 0:
        return "n/a"
    lo, hi = score["advantage_ci95"]["lo"], score["advantage_ci95"]["hi"]
    return f"{score['advantage']:.4f} [{lo:.4f}, {hi:.4f}]"


def scores_of(design, view):
    for v in design["views"]:
        if v["view"] == view:
            return {s["adversary"]: s for s in v["adversaries"]}
    return {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--holders", type=int, default=256)
    ap.add_argument("--pool", type=int, default=8)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--control-trials", type=int, default=1_000)
    ap.add_argument("--control-holders", type=int, default=64)
    a = ap.parse_args()
    start = time.monotonic()
    r = netnym.lab_unlinkability(
        trials=a.trials, holders=a.holders, pool=a.pool, samples=a.samples, seed=a.seed,
        control_trials=a.control_trials, control_holders=a.control_holders,
    )
    first = (r["designs"] + r["controls"])[0]
    for view in [v["view"] for v in first["views"]]:
        adversaries = []
        for d in r["designs"] + r["controls"]:
            for name in scores_of(d, view):
                if name not in adversaries:
                    adversaries.append(name)
        print(f"\nview {view}\n")
        print("| adversary | " + " | ".join(d["design"] for d in r["designs"]) + " |")
        print("|---|" + "---|" * len(r["designs"]))
        for adv in adversaries:
            row = [cell(scores_of(d, view).get(adv)) for d in r["designs"]]
            print(f"| {adv} | " + " | ".join(row) + " |")
    print("\npositive controls (the strongest adversary of any view):\n")
    for c in r["controls"]:
        best = max(
            (s for v in c["views"] for s in v["adversaries"] if s["checked"]),
            key=lambda s: s["advantage"],
            default=None,
        )
        if best is not None:
            print(f"- {c['design']}: {best['adversary']} {cell(best)}")
    print(f"\n{a.trials} trials per design, seed {a.seed}, {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
