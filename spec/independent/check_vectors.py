#!/usr/bin/env python3
"""Independent check of NetNym's positive presentation vectors, from the spec's text alone.

For every test-vectors/netnym-v1/presentation/NNN.json this program computes, with Python's
standard library only, the request digest (spec/05-presentation.md §Canonical form and request
digest) and the Fiat–Shamir challenge (§Challenge), then checks that challenge against the proof
bytes: the challenge is not sent, so it is checked through the Schnorr relations the spec gives
(spec/02-crypto.md, spec/06-verification.md), which hold only for the prover's challenge.

    python3 spec/independent/check_vectors.py              # check every positive vector
    python3 spec/independent/check_vectors.py --self-test  # and show that mutations are caught

Exit status 0 when everything matches; 1 with a message naming the vector and the check otherwise.
See README.md in this directory.
"""

import copy
import json
import pathlib
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree

import bls12_381 as g1  # noqa: E402 (after the line above)
from hashing import Transcript, le32
from netnym_spec import (
    Reader,
    SpecError,
    attribute_scalar,
    b64,
    digit_count,
    generators,
    issuer_key_id,
    key_id,
    lower,
    range_label,
    range_params_id,
    registry_id,
    request_digest,
    schema_digest,
    unb64,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "test-vectors" / "netnym-v1"
CHALLENGE_DST = b"NETNYM-V1-PRESENTATION-CHALLENGE_XMD:SHA-256_"
SCOPE_DST = b"NETNYM-V1-PSEUDONYM-SCOPE_BLS12381G1_XMD:SHA-256_SSWU_RO_"
COMMITMENT_KEY_LABEL = b"NetNym-v1:SMC:BLS12-381:commitment-key"


class Mismatch(Exception):
    """A computed value differs from what the vector records."""


def load(rel: str) -> dict:
    return json.loads((VECTORS / rel).read_text(encoding="utf-8"))


def point(raw: bytes):
    return g1.decode(raw, allow_identity=True)


def require(cond: bool, what: str) -> None:
    if not cond:
        raise Mismatch(what)


# --- public data the verifier trusts ------------------------------------------------------------


class Issuer:
    """An issuer public key file (keys/NNN.json) with its schema's generators."""

    def __init__(self, rel: str, encoding: dict):
        pk = load(rel)["public_key"]
        self.key_id = key_id(pk["key_id"])
        self.schema = pk["schema"]
        self.digest = schema_digest(self.schema)
        self.w = unb64(pk["public_key"], 96)
        require(issuer_key_id(self.digest, self.w) == self.key_id, f"{rel}: KEY-002 key id")
        # The generators are derived from the schema (02-crypto §Generators); encoding/001 records
        # those of cn-network-id/v1, and the derivation must reproduce them.
        n = len(self.schema["attributes"])
        gens = generators(self.digest, n)
        if self.digest.hex() == encoding["schema_digest"]:
            rec = encoding["generators"]
            recorded = {
                "g1": unb64(rec["g1"], 48),
                "h0": unb64(rec["h0"], 48),
                "h": [unb64(h, 48) for h in rec["h"]],
            }
            require(gens == recorded, "encoding/001: derived generators differ from the recorded")
        self.g1, self.h0, self.h = gens["g1"], gens["h0"], gens["h"]
        self.names = [a["name"] for a in self.schema["attributes"]]
        holder = [i for i, a in enumerate(self.schema["attributes"]) if a["type"] == "holder_secret"]
        self.ls = holder[0]


def range_params_of(vector: dict, wanted: bytes) -> dict:
    """The range parameters the request names, among the vector's files (VER-020)."""
    for field in ("keyed_range", "range_params"):
        if field in vector:
            params = load(vector[field])["range_params"]
            require(range_params_id(params) == key_id(params["id"]), f"{vector[field]}: params id")
            if key_id(params["id"]) == wanted:
                return params
    raise Mismatch("no range parameters with the requested id")


# --- the proofs as sent (03-wire-format §Binary layouts) -----------------------------------------


def bbs_proof(raw: bytes) -> dict:
    r = Reader(raw)
    p = {
        "A_prime": r.point(False),
        "A_bar": r.point(False),
        "d": r.point(True),
        "T1": r.point(True),
        "T2": r.point(True),
        "resp1": [r.scalar(), r.scalar()],
    }
    n2 = (len(raw) - 304) // 32
    p["resp2"] = [r.scalar() for _ in range(n2)]
    r.finish()
    return p


def range_proof(raw: bytes) -> dict:
    r = Reader(raw)
    p = {"C": r.point(True), "t": r.point(True), "z_r": r.scalar(), "D": r.point(True)}
    p["resp_r"] = r.scalar()
    digits = (len(raw) - 208) // 208
    p["digits"] = [
        {"A_prime": r.point(False), "A_bar": r.point(True), "t": r.point(True),
         "r1": r.scalar(), "r2": r.scalar()}
        for _ in range(digits)
    ]
    r.finish()
    return p


def membership_proof(raw: bytes) -> dict:
    r = Reader(raw)
    p = {"A_prime": r.point(False), "A_bar": r.point(True), "t": r.point(True), "resp": r.scalar()}
    r.finish()
    return p


# --- one vector -------------------------------------------------------------------------------


def check_vector(name: str, vector: dict, encoding: dict) -> str:
    request = vector["request"]
    pres = vector["presentation"]
    require(unb64(pres["nonce"]) == unb64(request["nonce"]), "VER-003 nonce")
    digest = request_digest(request)

    t = Transcript(b"NetNym-v1:presentation")
    t.append(b"request", digest)
    t.append_u64(b"credentials", len(request["credentials"]))
    require(len(pres["credentials"]) == len(request["credentials"]), "VER-005")
    checks = []
    for i, (query, cred) in enumerate(zip(request["credentials"], pres["credentials"])):
        issuer = Issuer(vector["issuer"], encoding)
        require(key_id(cred["issuer_key_id"]) == issuer.key_id, "VER-006 key")
        schema = issuer.schema
        disclosed = {}
        for nm, value in cred["disclosed"].items():
            require(nm in query["disclose"], f"VER-007 {nm!r} not requested")
            idx = issuer.names.index(nm)
            disclosed[idx] = attribute_scalar(schema["attributes"][idx], value)
        require(len(disclosed) == len(query["disclose"]), "VER-007 missing disclosure")
        bounds = lower(schema, query.get("predicates") or [], request["created_at"], query["disclose"])
        proof = bbs_proof(unb64(cred["proof"]))
        hidden = [i for i in range(len(schema["attributes"])) if i not in disclosed]
        # VER-009: credentials after the first omit the link secret's response (VER-014).
        require(len(proof["resp2"]) == len(hidden) + (2 if i == 0 else 1), "VER-009 response count")

        t.append(b"key_id", issuer.key_id)
        t.append(b"schema", issuer.digest)
        t.append(b"w", issuer.w)
        t.append_u64(b"disclosed", len(disclosed))
        for idx in sorted(disclosed):
            t.append_u64(b"index", idx)
            t.append(b"value", le32(disclosed[idx]))
        t.append_u64(b"bounds", len(bounds))
        for idx, lo, hi in bounds:
            t.append_u64(b"bound_index", idx)
            t.append_u64(b"bound_min", lo)
            t.append_u64(b"bound_max", hi)
        contribution = proof["A_prime"] + proof["A_bar"] + proof["d"] + issuer.h0 + issuer.g1
        contribution += proof["T1"] + proof["T2"]
        for j, h in enumerate(issuer.h):
            contribution += h + (le32(disclosed[j]) if j in disclosed else b"")
        t.append(b"bbs_pok", contribution)

        ranges = [range_proof(unb64(r)) for r in cred.get("ranges") or []]
        require(len(ranges) == len(bounds), "VER-020 range proof count")
        ck_g = ck_h = digit_g1 = None
        if bounds:
            params = range_params_of(vector, key_id(request["range_params"]))
            keyed = params["kind"] == "keyed"
            t.append(b"range_params_id", key_id(params["id"]))
            t.append_u64(b"range_base", params["base"])
            t.append_u64(b"range_keyed", 1 if keyed else 0)
            h2c = g1.hash_to_g1_try_and_increment
            ck_g = g1.encode(h2c(COMMITMENT_KEY_LABEL + b" : G"))
            ck_h = g1.encode(h2c(COMMITMENT_KEY_LABEL + b" : H"))
            digit_g1 = g1.encode(h2c(range_label(params["base"]) + b" : g1"))
            for (idx, lo, hi), rp in zip(bounds, ranges):
                require(len(rp["digits"]) == digit_count(params["base"], lo, hi), "VER-020 digits")
                item = rp["C"]
                for dg in rp["digits"]:
                    pair = dg["A_bar"] + dg["A_prime"] if keyed else dg["A_prime"] + dg["A_bar"]
                    item += pair + digit_g1 + dg["t"]
                item += ck_g + ck_h + rp["C"] + rp["D"]
                item += ck_g + ck_h + rp["C"] + rp["t"]
                t.append(b"range", item)

        membership = None
        nr = query.get("non_revoked")
        if nr is not None:
            require("non_revoked" in cred, "VER-016")
            registry_file = load(vector["registry"])
            require(registry_id(registry_file["registry"]) == key_id(nr["registry_id"]), "registry id")
            epoch = cred["non_revoked"]["epoch"]
            require(nr["min_epoch"] <= epoch <= nr["max_epoch"], "VER-017")
            values = [e["accumulator"] for e in registry_file["epochs"] if e["epoch"] == epoch]
            require(len(values) == 1, "VER-018 epoch unknown")
            v = unb64(values[0], 48)
            membership = membership_proof(unb64(cred["non_revoked"]["proof"], 176))
            t.append(b"registry_id", key_id(nr["registry_id"]))
            t.append_u64(b"epoch", epoch)
            t.append(b"membership", membership["A_prime"] + membership["A_bar"] + v + membership["t"])
            membership["V"] = v
            membership["index"] = issuer.names.index(nr.get("attribute", "revocation_id"))
        checks.append((issuer, disclosed, hidden, proof, bounds, ranges, (ck_g, ck_h, digit_g1),
                       membership))

    nym = None
    if "pseudonym" in pres:
        require(request.get("pseudonym", False), "VER-013")
        base = g1.encode(g1.hash_to_g1_rfc9380(SCOPE_DST, request["verifier_id"].encode()))
        nym = {"base": base, "nym": unb64(pres["pseudonym"]["nym"], 48),
               "t": unb64(pres["pseudonym"]["proof"], 48)}
        point(nym["nym"])
        point(nym["t"])
        t.append(b"nym_base", nym["base"])
        t.append(b"nym", nym["nym"])
        t.append(b"nym_t", nym["t"])
    else:
        require(not request.get("pseudonym", False), "VER-013")

    c = t.challenge(CHALLENGE_DST)
    verify_relations(c, checks, nym)
    return f"request digest {digest.hex()}, challenge {le32(c).hex()}"


def response_of(hidden: list, proof: dict, index: int) -> int:
    """The BBS+ response of hidden attribute `index` (03-wire-format §Presentation proof)."""
    return proof["resp2"][hidden.index(index)]


def verify_relations(c: int, checks: list, nym) -> None:
    """The Schnorr relations of spec/02-crypto.md and spec/06-verification.md under `c`."""
    ls_response = None
    for i, (issuer, disclosed, hidden, proof, bounds, ranges, keys, membership) in enumerate(checks):
        a_prime, a_bar, d = point(proof["A_prime"]), point(proof["A_bar"]), point(proof["d"])
        h0, gen1 = point(issuer.h0), point(issuer.g1)
        s1, s2 = proof["resp1"]
        if i > 0:
            # VER-014: the omitted link-secret response is credential 0's.
            proof = dict(proof)
            proof["resp2"] = list(proof["resp2"])
            proof["resp2"].insert(hidden.index(issuer.ls), ls_response)
        # VER-010 relation 1: A'·resp1_1 + h_0·resp1_2 − (Ā − d)·c = T1. With Ā ≠ d it holds for
        # one challenge only: the prover's.
        require(a_bar != d, f"credential {i}: Ā = d, relation 1 would not pin the challenge")
        lhs = g1.msm([(a_prime, s1), (h0, s2), (g1.add(a_bar, g1.neg(d)), -c)])
        require(lhs == point(proof["T1"]),
                f"credential {i}: VER-010 relation 1 fails: the computed challenge differs from "
                "the prover's")
        # VER-010 relation 2: Σ bases·resp2 − Y·c = T2, Y = −(g1 + Σ_{i∈D} h[i]·m_i).
        y = g1.neg(g1.add(gen1, g1.msm([(point(issuer.h[j]), m) for j, m in disclosed.items()])))
        bases = [point(issuer.h[j]) for j in hidden] + [d, h0]
        lhs = g1.msm(list(zip(bases, proof["resp2"])) + [(y, -c)])
        require(lhs == point(proof["T2"]), f"credential {i}: VER-010 relation 2 fails")
        if i == 0:
            ls_response = response_of(hidden, proof, issuer.ls)
        ck_g, ck_h, digit_g1 = keys
        for (idx, _, _), rp in zip(bounds, ranges):
            # VER-021: g·s_m + h·z_r − C·c = t.
            lhs = g1.msm([(point(ck_g), response_of(hidden, proof, idx)), (point(ck_h), rp["z_r"]),
                          (point(rp["C"]), -c)])
            require(lhs == point(rp["t"]), f"credential {i}: VER-021 opening fails")
            for k, dg in enumerate(rp["digits"]):
                # VER-022 (digit Schnorr part): g1·r1 − A'·r2 − Ā·c = t.
                lhs = g1.msm([(point(digit_g1), dg["r1"]), (point(dg["A_prime"]), -dg["r2"]),
                              (point(dg["A_bar"]), -c)])
                require(lhs == point(dg["t"]), f"credential {i}: VER-022 digit {k} Schnorr fails")
        if membership is not None:
            # VER-019 (Schnorr part): V·resp − A'·s_y − Ā·c = t, s_y the BBS+ response of the id.
            s_y = response_of(hidden, proof, membership["index"])
            lhs = g1.msm([(point(membership["V"]), membership["resp"]),
                          (point(membership["A_prime"]), -s_y), (point(membership["A_bar"]), -c)])
            require(lhs == point(membership["t"]), f"credential {i}: VER-019 Schnorr fails")
    if nym is not None:
        # VER-015: H(verifier_id)·s − nym·c = t, s the link secret's response of credential 0.
        lhs = g1.msm([(point(nym["base"]), ls_response), (point(nym["nym"]), -c)])
        require(lhs == point(nym["t"]), "VER-015 pseudonym relation fails")


def check_primitives(encoding: dict) -> str:
    """The primitives on recorded values: encoding/001's schema digest and attribute scalars
    (02-attributes), and RFC 9380 Appendix J.9.1's hash_to_curve outputs (x only, as recorded in
    the RFC) for the pseudonym base (11-pseudonyms)."""
    schema = encoding["schema"]
    require(schema_digest(schema).hex() == encoding["schema_digest"], "encoding/001: schema digest")
    names = [a["name"] for a in schema["attributes"]]
    for entry in encoding["attributes"]:
        attr = schema["attributes"][names.index(entry["name"])]
        got = le32(attribute_scalar(attr, entry["value"])).hex()
        require(got == entry["scalar"], f"encoding/001: scalar of {entry['name']}")
    dst = b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"
    for msg, x in RFC9380_G1_RO_X.items():
        require(g1.hash_to_g1_rfc9380(dst, msg)[0] == x, f"RFC 9380 J.9.1 msg {msg!r}")
    return f"schema digest, {len(encoding['attributes'])} attribute scalars, RFC 9380 J.9.1"


RFC9380_G1_RO_X = {
    b"": 0x052926ADD2207B76CA4FA57A8734416C8DC95E24501772C814278700EED6D1E4E8CF62D9C09DB0FAC349612B759E79A1,
    b"abc": 0x03567BC5EF9C690C2AB2ECDF6A96EF1C139CC0B2F284DCA0A9A7943388A49A3AEE664BA5379A7655D3C68900BE2F6903,
}


# --- driver --------------------------------------------------------------------------------------


def positive_vectors() -> list:
    files = sorted((VECTORS / "presentation").glob("*.json"))
    require(len(files) == 10, f"expected presentation/001..010, found {len(files)} files")
    return [(f"presentation/{f.name}", json.loads(f.read_text(encoding="utf-8"))) for f in files]


def check_all(vectors, encoding) -> list:
    """Check every vector; return the failures as messages."""
    failures = []
    for name, vector in vectors:
        try:
            print(f"{name}: {check_vector(name, vector, encoding)}: OK")
        except (Mismatch, SpecError, g1.PointError) as e:
            failures.append(f"{name}: {e}")
    return failures


def flip(b64text: str, offset: int, mask: int) -> str:
    raw = bytearray(unb64(b64text))
    raw[offset] ^= mask
    return b64(bytes(raw))


def mutations(vectors: dict) -> list:
    """One-byte mutations that must each make the vector fail. Flipping bit 5 of a point's first
    byte (the sort flag) negates the point, so it stays a valid encoding and only the transcript
    changes."""
    out = []

    def mutate(vname, what, fn):
        v = copy.deepcopy(vectors[vname])
        fn(v)
        out.append((f"{vname} with {what}", v))

    def cred(v):
        return v["presentation"]["credentials"][0]

    mutate("presentation/001.json", "the BBS+ proof's T2 negated (one byte)",
           lambda v: cred(v).update(proof=flip(cred(v)["proof"], 192, 0x20)))
    mutate("presentation/001.json", "one byte of the request's verifier_id changed",
           lambda v: v["request"].update(verifier_id="qlatform.example"))
    mutate("presentation/001.json", "a disclosed value changed (one byte)",
           lambda v: cred(v)["disclosed"].update(region="310116"))
    mutate("presentation/002.json", "the request's age_at_least 18 changed to 19 (one byte)",
           lambda v: v["request"]["credentials"][0].update(predicates=[{"age_at_least": 19}]))
    mutate("presentation/002.json", "the range proof's D negated (one byte)",
           lambda v: cred(v).update(ranges=[flip(cred(v)["ranges"][0], 128, 0x20)]))
    mutate("presentation/009.json", "a keyed range digit's A_bar negated (one byte)",
           lambda v: cred(v).update(ranges=[flip(cred(v)["ranges"][0], 208 + 48, 0x20)]))
    mutate("presentation/007.json", "the pseudonym's t negated (one byte)",
           lambda v: v["presentation"]["pseudonym"].update(
               proof=flip(v["presentation"]["pseudonym"]["proof"], 0, 0x20)))
    mutate("presentation/008.json", "the membership proof's t negated (one byte)",
           lambda v: cred(v)["non_revoked"].update(proof=flip(cred(v)["non_revoked"]["proof"], 96, 0x20)))
    mutate("presentation/010.json", "one byte of the request nonce changed (echoed nonce too)",
           lambda v: [v[k].update(nonce=flip(v[k]["nonce"], 0, 0x01)) for k in ("request", "presentation")])
    return out


def self_test(vectors, encoding) -> list:
    """Every mutation must be caught by the challenge check itself (relation 1 of VER-010)."""
    failures = []
    for what, v in mutations(dict(vectors)):
        try:
            check_vector(what, v, encoding)
            failures.append(f"self-test: {what}: NOT detected")
        except (Mismatch, SpecError, g1.PointError) as e:
            if "relation 1" in str(e):
                print(f"self-test: {what}: detected ({e})")
            else:
                failures.append(f"self-test: {what}: rejected, but not by the challenge: {e}")
    return failures


def main(argv: list) -> int:
    if any(a not in ("--self-test",) for a in argv):
        print("usage: check_vectors.py [--self-test]", file=sys.stderr)
        return 2
    encoding = load("encoding/001.json")
    try:
        print(f"primitives: {check_primitives(encoding)}: OK")
    except (Mismatch, SpecError) as e:
        print(f"FAIL primitives: {e}", file=sys.stderr)
        return 1
    vectors = positive_vectors()
    failures = check_all(vectors, encoding)
    if "--self-test" in argv and not failures:
        failures += self_test(vectors, encoding)
    for f in failures:
        print(f"FAIL {f}", file=sys.stderr)
    if failures:
        return 1
    print("all positive presentation vectors match the spec" +
          (" and every mutation was detected" if "--self-test" in argv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
