"""NetNym's encodings, request digest and presentation transcript, written from the spec's text.

Standard library only. Each function names the chapter and section it implements; nothing here is
taken from the Rust code. Inputs are the JSON objects of the test-vector files.
"""

import base64
import datetime
import re

import bls12_381 as g1
from hashing import R, Transcript, hash_to_scalar


class SpecError(ValueError):
    """An input that a rule of the spec rejects (the message names the rule)."""


# --- 03-wire-format §Encodings -------------------------------------------------------------------

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def unb64(text: str, length=None) -> bytes:
    """Unpadded canonical base64url (WIRE-005), of an exact length when given (WIRE-006)."""
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise SpecError("WIRE-005: not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        raise SpecError("WIRE-005: non-canonical trailing bits")
    if length is not None and len(raw) != length:
        raise SpecError(f"WIRE-006: {len(raw)} bytes, expected {length}")
    return raw


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def key_id(text: str) -> bytes:
    """A key id: exactly 64 lowercase hex characters (WIRE-005)."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9a-f]{64}", text):
        raise SpecError("WIRE-005: key id is not 64 lowercase hex characters")
    return bytes.fromhex(text)


def scalar(raw: bytes) -> int:
    """A canonical scalar: 32 bytes little-endian, below r (WIRE-009)."""
    if len(raw) != 32:
        raise SpecError("WIRE-006: a scalar is 32 bytes")
    value = int.from_bytes(raw, "little")
    if value >= R:
        raise SpecError("WIRE-009: scalar not below r")
    return value


class Reader:
    """Reads a fixed binary layout (03-wire-format §Binary layouts), keeping every field's bytes."""

    def __init__(self, raw: bytes):
        self.raw = raw
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.raw):
            raise SpecError("WIRE-006: layout too short")
        out = self.raw[self.pos : self.pos + n]
        self.pos += n
        return out

    def point(self, allow_identity: bool) -> bytes:
        """A G1 point's 48 bytes, checked with WIRE-007 and WIRE-008."""
        raw = self.take(48)
        try:
            g1.decode(raw, allow_identity)
        except g1.PointError as e:
            raise SpecError(f"WIRE-007/008: {e}") from e
        return raw

    def scalar(self) -> int:
        return scalar(self.take(32))

    def finish(self) -> None:
        if self.pos != len(self.raw):
            raise SpecError("WIRE-006: trailing bytes")


# --- 02-attributes: schema digest and attribute scalars -----------------------------------------

STRING_DST = b"NETNYM-V1-ATTR-STRING_XMD:SHA-256_"
EPOCH = datetime.date(1900, 1, 1)
DATE_MAX = (datetime.date(9999, 12, 31) - EPOCH).days


def schema_digest(schema: dict) -> bytes:
    """02-attributes §Schema digest."""
    t = Transcript(b"NetNym-v1:schema")
    t.append(b"id", schema["id"].encode())
    t.append_u64(b"count", len(schema["attributes"]))
    for a in schema["attributes"]:
        t.append(b"name", a["name"].encode())
        t.append(b"type", a["type"].encode())
        if a["type"] == "code":
            t.append_u64(b"digits", a["digits"])
    return t.digest()


def parse_date(text) -> datetime.date:
    """ENC-001: exactly YYYY-MM-DD, a real day in 1900-01-01..=9999-12-31."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise SpecError("ENC-001: not YYYY-MM-DD")
    try:
        day = datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError as e:
        raise SpecError("ENC-001: not a real day") from e
    if day < EPOCH:
        raise SpecError("ENC-001: before 1900-01-01")
    return day


def attribute_scalar(attr: dict, value) -> int:
    """02-attributes §Attribute types and encodings (ENC-001..ENC-005)."""
    ty = attr["type"]
    if ty == "date":
        return (parse_date(value) - EPOCH).days
    if ty == "code":
        if not isinstance(value, str) or not re.fullmatch(f"[0-9]{{{attr['digits']}}}", value):
            raise SpecError("ENC-002: not a code of the schema's width")
        return int(value)
    if ty == "uint":
        if type(value) is not int or not 0 <= value < 2**64:
            raise SpecError("ENC-004: not a JSON integer in 0..2^64")
        return value
    if ty == "string":
        if not isinstance(value, str) or len(value.encode()) > 1024:
            raise SpecError("ENC-003: not a string of at most 1024 bytes")
        return hash_to_scalar(STRING_DST, value.encode())
    raise SpecError("ENC-005: the holder secret has no clear value")


def generator_label(digest: bytes) -> bytes:
    """02-crypto §Generators."""
    return b"NetNym-v1:BBS+:BLS12-381:generators:" + digest.hex().encode()


def generators(digest: bytes, count: int) -> dict:
    """02-crypto §Generators (G1 part): g1, h_0 and h[0..count), compressed."""
    label = generator_label(digest)
    h2c = g1.hash_to_g1_try_and_increment
    return {
        "g1": g1.encode(h2c(label + b" : g1")),
        "h0": g1.encode(h2c(label + b" : h_" + (0).to_bytes(4, "little"))),
        "h": [
            g1.encode(h2c(label + b" : h_" + (i + 1).to_bytes(4, "little")))
            for i in range(count)
        ],
    }


# --- 03-wire-format KEY-002, 10-predicates §Parameter id, 09-revocation registry id ---------------


def issuer_key_id(digest: bytes, w: bytes) -> bytes:
    t = Transcript(b"NetNym-v1:key-id")
    t.append(b"schema", digest)
    t.append(b"w", w)
    return t.digest()


def range_label(base: int) -> bytes:
    return f"NetNym-v1:SMC:BLS12-381:digits:base-{base}".encode()


def range_params_id(params: dict) -> bytes:
    t = Transcript(b"NetNym-v1:range-params-id")
    t.append_u64(b"kind", {"public": 0, "keyed": 1}[params["kind"]])
    t.append(b"label", range_label(params["base"]))
    t.append(b"pk", unb64(params["public_key"], 96))
    for s in params["signatures"]:
        t.append(b"sig", unb64(s, 48))
    return t.digest()


REGISTRY_SETUP_LABEL = b"NetNym-v1:VB-accumulator:BLS12-381:setup"


def registry_id(registry: dict) -> bytes:
    t = Transcript(b"NetNym-v1:registry-id")
    t.append(b"setup", REGISTRY_SETUP_LABEL)
    t.append_u64(b"domain", registry["domain"])
    t.append(b"pk", unb64(registry["public_key"], 96))
    return t.digest()


# --- 05-presentation §Canonical form and request digest ------------------------------------------


def json_string(text: str) -> str:
    """A JSON string as 05-presentation §Canonical form writes it (serde_json's escaping)."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for ch in text:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def json_value(value) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise SpecError("predicate value other than a string or an integer")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json_string(value)
    raise SpecError("predicate value other than a string or an integer")


def predicate_bytes(pred: dict) -> bytes:
    """One predicate's compact JSON (05-presentation, item `predicate`)."""
    if not isinstance(pred, dict) or len(pred) != 1:
        raise SpecError("WIRE-002: a predicate is an object with exactly one key")
    (tag, arg), = pred.items()
    if tag in ("age_at_least", "age_below"):
        if type(arg) is not int or not 0 <= arg < 2**32:
            raise SpecError("WIRE-002: age is a u32")
        inner = str(arg)
    elif tag in ("valid_on", "region_within"):
        if not isinstance(arg, str):
            raise SpecError("WIRE-002: expected a string")
        inner = json_string(arg)
    elif tag == "range":
        if not isinstance(arg, dict) or not set(arg) <= {"attribute", "min", "max"}:
            raise SpecError("WIRE-002: range fields")
        fields = [json_string("attribute") + ":" + json_string(arg["attribute"])]
        for k in ("min", "max"):
            if k in arg:
                fields.append(json_string(k) + ":" + json_value(arg[k]))
        inner = "{" + ",".join(fields) + "}"
    else:
        raise SpecError(f"WIRE-002: unknown predicate {tag!r}")
    return ("{" + json_string(tag) + ":" + inner + "}").encode()


def canonical_request(request: dict) -> dict:
    """The parsed, canonical request: key ids sorted by bytes, disclosures sorted bytewise."""
    out = dict(request)
    out["credentials"] = []
    for q in request["credentials"]:
        q = dict(q)
        q["issuer_key_ids"] = sorted(key_id(k) for k in q["issuer_key_ids"])
        q["disclose"] = sorted(q["disclose"], key=lambda n: n.encode())
        out["credentials"].append(q)
    return out


def request_digest(request: dict) -> bytes:
    """05-presentation §Canonical form and request digest."""
    req = canonical_request(request)
    t = Transcript(b"NetNym-v1:presentation-request")
    t.append_u64(b"version", 1)
    t.append(b"verifier_id", req["verifier_id"].encode())
    t.append(b"nonce", unb64(req["nonce"]))
    t.append_u64(b"created_at", req["created_at"])
    t.append_u64(b"expires_at", req["expires_at"])
    t.append_u64(b"pseudonym", 1 if req.get("pseudonym", False) else 0)
    if req.get("range_params") is None:
        t.append_u64(b"range_params", 0)
    else:
        t.append_u64(b"range_params", 1)
        t.append(b"range_params_id", key_id(req["range_params"]))
    t.append_u64(b"queries", len(req["credentials"]))
    for q in req["credentials"]:
        t.append(b"schema_id", q["schema_id"].encode())
        t.append_u64(b"keys", len(q["issuer_key_ids"]))
        for k in q["issuer_key_ids"]:
            t.append(b"key_id", k)
        t.append_u64(b"disclose", len(q["disclose"]))
        for name in q["disclose"]:
            t.append(b"name", name.encode())
        preds = q.get("predicates") or []
        t.append_u64(b"predicates", len(preds))
        for p in preds:
            t.append(b"predicate", predicate_bytes(p))
        nr = q.get("non_revoked")
        if nr is None:
            t.append_u64(b"non_revoked", 0)
        else:
            t.append_u64(b"non_revoked", 1)
            t.append(b"registry_id", key_id(nr["registry_id"]))
            t.append(b"attribute", nr.get("attribute", "revocation_id").encode())
            t.append_u64(b"min_epoch", nr["min_epoch"])
            t.append_u64(b"max_epoch", nr["max_epoch"])
    return t.digest()


# --- 10-predicates §Lowering and §Digit count ----------------------------------------------------


def _years_before(ref: datetime.date, years: int):
    """PRD-002: same month and day `years` earlier; 29 February becomes 28 February."""
    year = ref.year - years
    if year < 1:
        return None
    try:
        return datetime.date(year, ref.month, ref.day)
    except ValueError:
        return datetime.date(year, 2, 28) if (ref.month, ref.day) == (2, 29) else None


def _type_max(attr: dict):
    """10-predicates §Predicates: type maxima (PRD-007 for uint)."""
    return {"date": DATE_MAX, "uint": 2**64 - 2}.get(
        attr["type"], 10 ** attr["digits"] - 1 if attr["type"] == "code" else None
    )


def lower(schema: dict, predicates: list, created_at: int, disclose: list) -> list:
    """10-predicates §Lowering: the inclusive bounds (index, min, max), in predicate order."""
    names = [a["name"] for a in schema["attributes"]]
    ref = datetime.datetime.fromtimestamp(created_at, datetime.timezone.utc).date()

    def attr(name, types):
        if name not in names or schema["attributes"][names.index(name)]["type"] not in types:
            raise SpecError(f"PRD: {name!r} is not a {'/'.join(types)} attribute")
        return names.index(name)

    def days(d):
        return (d - EPOCH).days

    bounds = []
    for p in predicates:
        (tag, arg), = p.items()
        if tag in ("age_at_least", "age_below"):
            i = attr("birth_date", ["date"])
            cut = _years_before(ref, arg)
            if cut is None or cut < EPOCH:
                raise SpecError("PRD-001: age reaches before 1900")
            if tag == "age_at_least":
                bounds.append((i, 0, days(cut)))
            else:
                bounds.append((i, days(cut) + 1, DATE_MAX))
        elif tag == "valid_on":
            d = days(parse_date(arg))
            bounds.append((attr("issued_on", ["date"]), 0, d))
            bounds.append((attr("expires_on", ["date"]), d, DATE_MAX))
        elif tag == "region_within":
            i = attr("region", ["code"])
            digits = schema["attributes"][i]["digits"]
            if not re.fullmatch(f"[0-9]{{1,{digits}}}", arg):
                raise SpecError("PRD-003: region prefix")
            k = 10 ** (digits - len(arg))
            bounds.append((i, int(arg) * k, int(arg) * k + k - 1))
        else:  # range
            i = attr(arg["attribute"], ["date", "uint", "code"])
            a = schema["attributes"][i]
            lo = attribute_scalar(a, arg["min"]) if "min" in arg else 0
            hi = attribute_scalar(a, arg["max"]) if "max" in arg else _type_max(a)
            bounds.append((i, lo, hi))
    for i, lo, hi in bounds:
        if lo > hi:
            raise SpecError("PRD-004: empty bound")
        if hi == 2**64 - 1:
            raise SpecError("PRD-007: max is 2^64 - 1")
        if names[i] in disclose:
            raise SpecError("PRD-005: bounded attribute disclosed")
    return bounds


def digit_count(base: int, lo: int, hi: int) -> int:
    """10-predicates §Digit count."""
    span = hi - lo
    if span % (base - 1) != 0:
        span *= base - 1
    count, power = 0, 1
    while power < span + 1:
        power *= base
        count += 1
    return count
