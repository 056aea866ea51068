"""Tests of the Python package: issue, present, verify, revoke, decode, lab experiments.

Run: `maturin develop` in a virtualenv with pytest, then `pytest crates/netnym-py/tests`.
"""

import json

import pytest

import netnym

CITIZEN = {
    "revocation_id": 42,
    "document_type": "01",
    "document_number": "310115199001011234",
    "family_name": "Zhang",
    "given_name": "Wei",
    "birth_date": "1990-01-01",
    "region": "310115",
    "nationality": "CHN",
    "issued_on": "2020-05-01",
    "expires_on": "2030-05-01",
}


@pytest.fixture(scope="module")
def authority():
    return netnym.Authority(seed=7)


@pytest.fixture(scope="module")
def holder():
    return netnym.Holder(seed=8)


@pytest.fixture(scope="module")
def credential(authority, holder):
    return authority.enroll(holder, CITIZEN)


def test_enrolled_credential_holds_the_attributes(credential):
    assert credential.attributes == CITIZEN
    assert credential.epoch == 0


def test_predicates_and_pseudonym_verify_without_disclosing(authority, holder, credential):
    platform = netnym.Verifier(authority, "shop.example")
    request = platform.request(
        predicates=[{"age_at_least": 18}, {"region_within": "31"}], pseudonym=True
    )
    presentation = holder.present(request, credential, authority)
    result = platform.verify(request, presentation)
    claims = json.dumps(result["claims"])
    assert "Zhang" not in claims and "1990-01-01" not in claims
    assert result["pseudonym"]
    # The same holder gets the same pseudonym at the same platform, another at another.
    again = platform.request(predicates=[{"age_at_least": 18}])
    second = platform.verify(again, holder.present(again, credential, authority))
    assert second["pseudonym"] == result["pseudonym"]
    other = netnym.Verifier(authority, "news.example")
    r3 = other.request()
    assert other.verify(r3, holder.present(r3, credential, authority))["pseudonym"] != result["pseudonym"]


def test_disclosed_attribute_is_returned(authority, holder, credential):
    platform = netnym.Verifier(authority, "rail.example")
    request = platform.request(disclose=["family_name"], pseudonym=False)
    result = platform.verify(request, holder.present(request, credential, authority))
    assert "Zhang" in json.dumps(result["claims"])
    assert result["pseudonym"] is None


def test_a_presentation_for_another_request_is_refused(authority, holder, credential):
    platform = netnym.Verifier(authority, "shop.example")
    r1 = platform.request()
    r2 = platform.request()
    p1 = holder.present(r1, credential, authority)
    with pytest.raises(ValueError, match="^invalid presentation$"):
        platform.verify(r2, p1)


def test_a_tampered_presentation_is_refused(authority, holder, credential):
    platform = netnym.Verifier(authority, "shop.example")
    request = platform.request(predicates=[{"age_at_least": 18}])
    p = json.loads(holder.present(request, credential, authority))
    p["credentials"][0]["disclosed"] = {"family_name": "Li"}
    with pytest.raises(ValueError, match="^invalid presentation$"):
        platform.verify(request, json.dumps(p))


def test_an_unsatisfiable_predicate_is_refused_by_the_holder(authority, holder, credential):
    platform = netnym.Verifier(authority, "club.example")
    request = platform.request(predicates=[{"age_below": 18}])
    with pytest.raises(ValueError):
        holder.present(request, credential, authority)


def test_revocation_then_update():
    authority = netnym.Authority(seed=11)
    alice, bob = netnym.Holder(seed=1), netnym.Holder(seed=2)
    a = authority.enroll(alice, {**CITIZEN, "revocation_id": 1})
    b = authority.enroll(bob, {**CITIZEN, "revocation_id": 2})
    assert authority.revoke([2]) == 1
    a.update(authority)
    assert a.epoch == 1
    platform = netnym.Verifier(authority, "shop.example")
    request = platform.request()
    assert platform.verify(request, alice.present(request, a, authority))["pseudonym"]
    with pytest.raises(ValueError):
        b.update(authority)
    # Bob's stale witness is for epoch 0, which the one-epoch window no longer accepts.
    with pytest.raises(ValueError):
        platform.verify(request, bob.present(request, b, authority))
    with pytest.raises(ValueError, match="revoked"):
        authority.revoke([2])


def test_invalid_attributes_are_refused(authority, holder):
    with pytest.raises(ValueError, match="revocation_id"):
        authority.enroll(holder, {k: v for k, v in CITIZEN.items() if k != "revocation_id"})
    with pytest.raises(ValueError):
        authority.enroll(holder, {**CITIZEN, "birth_date": "1990-02-30"})


def test_decode_presentation_names_every_component(authority, holder, credential):
    platform = netnym.Verifier(authority, "shop.example")
    request = platform.request(predicates=[{"age_at_least": 18}])
    components = netnym.decode_presentation(holder.present(request, credential, authority))
    names = [c["name"] for c in components]
    assert len(names) == len(set(names))
    kinds = {c["kind"] for c in components}
    assert kinds <= {"claim", "proof", "envelope"} and "proof" in kinds
    assert all(isinstance(c["bytes"], bytes) for c in components)
    assert any(c["kind"] == "claim" and "nym" in c["name"] for c in components)
    with pytest.raises(ValueError):
        netnym.decode_presentation(b"not json")


def test_lab_unlinkability_returns_scores_and_catches_a_control():
    r = netnym.lab_unlinkability(
        trials=200, holders=8, pool=2, samples=2, designs=["d"], views=["platforms"],
        controls=["shared-scope"], control_trials=100, control_holders=8,
    )
    assert r["experiment"] == "unlinkability"
    [design] = r["designs"]
    assert design["design"].startswith("d")
    scores = design["views"][0]["adversaries"]
    assert {s["adversary"] for s in scores} >= {"exact-match", "nearest-neighbour"}
    [control] = r["controls"]
    caught = [s for s in control["views"][0]["adversaries"] if s["adversary"] == "exact-match"]
    assert caught[0]["advantage_ci95"]["lo"] > 0.5
    with pytest.raises(ValueError, match="unknown design"):
        netnym.lab_unlinkability(designs=["z"])


def test_lab_metadata_rows():
    r = netnym.lab_metadata(trials=500, holders=16, probe_timings=2)
    assert r["experiment"] == "metadata"
    assert r["probe"]["epoch_carried"] is True
    rows = {(x["channel"], x["setting"]): x["score"] for x in r["rows"]}
    assert rows[("epoch", "one-epoch-window")]["indistinguishable"] is True
    assert rows[("epoch", "window")]["advantage"] > 0.2
