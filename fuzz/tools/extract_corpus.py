#!/usr/bin/env python3
"""Seed the fuzz corpora from test-vectors/netnym-v1 (run from the repository root).

Writes fuzz/corpus/<target>/<source>.json: the objects each decoder takes, compact JSON as
serde_json would write it, taken from the positive vectors and from the negative vectors of
the matching object kind (their `input`, or `input_raw` bytes when JSON cannot express them).
The verify_presentation corpus prefixes each presentation with the selector byte of its
context (presentation vector 001..010, index 0..9); negative presentations are paired with the
positive vector whose request equals their context's request, or skipped. The wallet_open
seed comes from `cargo run --example wallet_seed` instead.
"""
import glob
import json
import os

ROOT = "test-vectors/netnym-v1"
OUT = "fuzz/corpus"


def load(path):
    with open(os.path.join(ROOT, path)) as f:
        return json.load(f)


def compact(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode()


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    for k in ("001", "002"):
        put("issuer_public_key_from_json", f"keys-{k}.json", compact(load(f"keys/{k}.json")["public_key"]))
    iss = load("issuance/001.json")
    put("issuance_request_from_json", "issuance-001.json", compact(iss["request"]))
    put("credential_from_json", "issuance-001.json", compact(iss["credential"]))
    for k in ("001", "003"):
        put("range_params_from_json", f"params-{k}.json", compact(load(f"params/{k}.json")["range_params"]))
    reg = load("params/002.json")
    put("registry_public_key_from_json", "params-002.json", compact(reg["registry"]))
    for e in reg["epochs"]:
        put("epoch_entry_from_json", f"params-002-epoch-{e['epoch']}.json", compact(e))
    put("membership_witness_from_json", "params-002.json", compact(reg["witness"]))

    requests = []
    for i in range(1, 11):
        name = f"{i:03}"
        p = load(f"presentation/{name}.json")
        requests.append(p["request"])
        put("request_from_json", f"presentation-{name}.json", compact(p["request"]))
        put("presentation_from_json", f"presentation-{name}.json", compact(p["presentation"]))
        put("verify_presentation", f"presentation-{name}.bin", bytes([i - 1]) + compact(p["presentation"]))

    targets = {
        "presentation": "presentation_from_json",
        "issuance_request": "issuance_request_from_json",
        "public_key": "issuer_public_key_from_json",
    }
    for path in sorted(glob.glob(os.path.join(ROOT, "negative", "*.json"))):
        name = os.path.basename(path)[:-5]
        v = load(f"negative/{name}.json")
        data = v["input_raw"].encode() if "input_raw" in v else compact(v["input"])
        put(targets[v["object"]], f"negative-{name}.json", data)
        if v["object"] == "presentation":
            req = v["context"].get("request")
            if req in requests:
                put("verify_presentation", f"negative-{name}.bin", bytes([requests.index(req)]) + data)


if __name__ == "__main__":
    main()
