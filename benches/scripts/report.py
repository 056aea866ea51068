#!/usr/bin/env python3
"""Issue 5 report: every target as a ratio of criterion medians from one run of
`benches/run-all.sh`, met / not met, plus context rows for the peers.

Usage: python3 benches/scripts/report.py TARGET_DIR LOG_DIR [--since EPOCH_SECONDS]
  TARGET_DIR: cargo's target dir; criterion's estimates are read from
              TARGET_DIR/criterion/<group>/<id>/new/estimates.json (`median.point_estimate`).
  LOG_DIR:    the directory run-all.sh wrote: credential.log, predicates.log, peers.log (for the
              `SIZE` lines) and machine.txt (printed as the run's header).
  --since:    estimates written before this time are reported as stale (not from this run)
              instead of being used; run-all.sh passes the start time of its run.

A missing measurement (e.g. a filtered run) is reported as "not measured" and its rows say
"n/a"; the script never invents a number.
"""
import json
import re
import sys
from pathlib import Path

args = sys.argv[1:]
since = None
if "--since" in args:
    i = args.index("--since")
    since = float(args[i + 1])
    del args[i : i + 2]
if len(args) != 2:
    sys.exit(__doc__)
root = Path(args[0]) / "criterion"
logs = Path(args[1])

missing = []


def ms(*parts):
    """Median in ms of criterion id `parts`, or None if absent or stale."""
    est = root.joinpath(*parts, "new", "estimates.json")
    name = "/".join(parts)
    if not est.exists():
        missing.append(f"`{name}`: not measured")
        return None
    if since is not None and est.stat().st_mtime < since:
        missing.append(f"`{name}`: stale (estimates older than this run), ignored")
        return None
    return json.loads(est.read_text())["median"]["point_estimate"] / 1e6


def log_text(name):
    p = logs / name
    return p.read_text(errors="replace") if p.exists() else ""


sizes = {}
for m in re.finditer(r"SIZE predicates/(\S+): proof (\d+) bytes", log_text("predicates.log")):
    sizes[f"ours/{m.group(1)}"] = int(m.group(2))
for m in re.finditer(r"SIZE peers/(\S+): proof (\d+) bytes", log_text("peers.log")):
    sizes[m.group(1)] = int(m.group(2))
for m in re.finditer(
    r"SIZE n=10 disclosed=2: Presentation::proof_size=(\d+) B.*?compressed=(\d+) B",
    log_text("credential.log"),
):
    sizes["ours/sd10"] = int(m.group(1))
    sizes["bbs_plus/sd10"] = int(m.group(2))


def fmt_ms(v):
    return "n/a" if v is None else (f"{v:.1f}" if v >= 100 else f"{v:.2f}")


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


rows = []


def target(name, num, den, medians, op, bound):
    r = ratio(num, den)
    if r is None:
        verdict = "n/a"
    else:
        ok = r <= bound if op == "≤" else r >= bound
        verdict = f"{op} {bound}× — " + ("**met**" if ok else "**not met**")
    rows.append((name, medians, "n/a" if r is None else f"{r:.2f}×", verdict))


def context(name, num, den, nums, dens):
    r = ratio(num, den)
    rows.append((name, f"{nums} / {dens}", "n/a" if r is None else f"{r:.2f}×", "(context)"))


# --- Selective disclosure, 10 attributes, 2 disclosed (bench `verify`) ---
floor = ms("floor", "two_pairing")
v, p = ms("sd10", "netnym_verify"), ms("sd10", "netnym_prove")
bv, bp = ms("sd10", "bbs_plus_verify"), ms("sd10", "bbs_plus_prove")
target("SD verify (10 attrs, 2 disclosed) / two-pairing floor", v, floor,
       f"{fmt_ms(v)} / {fmt_ms(floor)} ms", "≤", 1.3)
target("SD prove / bbs_plus prove", p, bp, f"{fmt_ms(p)} / {fmt_ms(bp)} ms", "≤", 0.5)
# NetNym's prepared paths (bench `verify`, when present): a verifier with precomputed generator
# tables (`Verifier::precompute`) and a prover with a `PreparedCredential` (signature checked
# and tables built once when the wallet loads the credential; `sd10/netnym_prepare` is that
# one-time cost). Reported next to the plain rows, which stay the conservative reading.
vpre, ppre, prep = ms("sd10", "netnym_verify_precomputed"), ms("sd10", "netnym_prove_prepared"), ms("sd10", "netnym_prepare")
if vpre is not None:
    target("SD verify, precomputed verifier / two-pairing floor", vpre, floor,
           f"{fmt_ms(vpre)} / {fmt_ms(floor)} ms", "≤", 1.3)
if ppre is not None:
    target("SD prove, prepared credential / bbs_plus prove", ppre, bp,
           f"{fmt_ms(ppre)} / {fmt_ms(bp)} ms", "≤", 0.5)
if prep is not None:
    context("SD one-time credential preparation / bbs_plus prove", prep, bp, fmt_ms(prep), f"{fmt_ms(bp)} ms")
# One-shot proof from a checked credential (what the CLI wallet does per process: PRE-005 without
# pairings), against bbs_plus's prover, and against it on the same messages (NetNym's small
# attribute scalars make `b` cheaper than the random messages of `bbs_plus_prove`).
pchk, bps = ms("sd10", "netnym_prove_checked"), ms("sd10", "bbs_plus_prove_same_messages")
if pchk is not None:
    target("SD prove one-shot, checked credential / bbs_plus prove", pchk, bp,
           f"{fmt_ms(pchk)} / {fmt_ms(bp)} ms", "≤", 1)
    if bps is not None:
        context("SD prove one-shot, checked credential / bbs_plus prove on the same messages",
                pchk, bps, fmt_ms(pchk), f"{fmt_ms(bps)} ms")

# --- Full presentation vs proof_system (benches `predicates` and `peers`) ---
for base in ("b16", "b64"):
    ov, op_ = ms("predicates", f"verify_full_{base}"), ms("predicates", f"prove_full_{base}")
    pv_plain = ms("peers", f"proof_system_full_{base}_verify")
    pv_rpc = ms("peers", f"proof_system_full_{base}_verify_rpc")
    pp = ms("peers", f"proof_system_full_{base}_prove")
    # proof_system's faster verifier configuration is the one compared against.
    cands = [(x, n) for x, n in ((pv_plain, "default"), (pv_rpc, "randomized pairing check")) if x is not None]
    pv, pv_name = min(cands) if cands else (None, "n/a")
    target(f"proof_system full verify / ours full verify ({base}; proof_system {pv_name})",
           pv, ov, f"{fmt_ms(pv)} / {fmt_ms(ov)} ms", "≥", 4)
    target(f"ours full prove / proof_system full prove ({base})",
           op_, pp, f"{fmt_ms(op_)} / {fmt_ms(pp)} ms", "≤", 1)
    ovp = ms("predicates", f"verify_precomputed_full_{base}")
    opp = ms("predicates", f"prove_prepared_full_{base}")
    if ovp is not None:
        target(f"proof_system full verify / ours, precomputed verifier ({base})",
               pv, ovp, f"{fmt_ms(pv)} / {fmt_ms(ovp)} ms", "≥", 4)
    if opp is not None:
        target(f"ours full prove, prepared credential / proof_system full prove ({base})",
               opp, pp, f"{fmt_ms(opp)} / {fmt_ms(pp)} ms", "≤", 1)
    so, sp = sizes.get(f"ours/full_{base}"), sizes.get(f"proof_system/full_{base}")
    target(f"ours full proof size / proof_system's ({base})", so, sp,
           f"{so if so is not None else 'n/a'} / {sp if sp is not None else 'n/a'} B", "≤", 1)
    if pv_plain is not None and pv_rpc is not None:
        context(f"proof_system full verify, default / randomized pairing check ({base})",
                pv_plain, pv_rpc, f"{fmt_ms(pv_plain)}", f"{fmt_ms(pv_rpc)} ms")

# --- Batch verification (bench `verify`) ---
for n in ("100", "1000"):
    one, bat = ms("batch", n, "one_by_one"), ms("batch", n, "verify_batch")
    name = f"batch of {n}: one by one / verify_batch (throughput)"
    if n == "1000":
        target(name, one, bat, f"{fmt_ms(one)} / {fmt_ms(bat)} ms", "≥", 5)
    else:
        context(name, one, bat, fmt_ms(one), f"{fmt_ms(bat)} ms")

# --- Context: the peers on selective disclosure ---
for peer in ("zkryptium", "proof_system"):
    pv_, pp_ = ms("peers", f"{peer}_sd_verify"), ms("peers", f"{peer}_sd_prove")
    context(f"{peer} SD verify / ours SD verify", pv_, v, f"{fmt_ms(pv_)}", f"{fmt_ms(v)} ms")
    context(f"{peer} SD prove / ours SD prove", pp_, p, f"{fmt_ms(pp_)}", f"{fmt_ms(p)} ms")
context("bbs_plus SD verify / ours SD verify", bv, v, f"{fmt_ms(bv)}", f"{fmt_ms(v)} ms")
for peer in ("zkryptium/sd", "proof_system/sd", "bbs_plus/sd10"):
    s, o = sizes.get(peer), sizes.get("ours/sd10")
    context(f"SD proof size: {peer.split('/')[0]} / ours", s, o,
            f"{s if s is not None else 'n/a'}", f"{o if o is not None else 'n/a'} B")

machine = log_text("machine.txt").strip()
if machine:
    print("```")
    print(machine)
    print("```")
    print()
print("| measurement | medians | ratio | target |")
print("|---|---|---:|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
if missing:
    print()
    print("Missing from this run:")
    for m in missing:
        print(f"- {m}")
