//! Deterministic test vectors under `test-vectors/netnym-v1/` (format: test-vectors/README.md).
//!
//! [`build`] makes every vector from fixed seeds. The test `vectors_match_and_verify` rebuilds
//! them and requires the stored files to be identical, then checks each stored file on its
//! own: positive vectors must decode and verify, each negative vector must be rejected by
//! exactly the rule it names. With `--features generate-vectors`, the test
//! `generate_vectors` writes the rebuilt set as `*-new.json` next to the stored files for review.

use std::path::PathBuf;

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;
use serde_json::{json, Value};

use crate::encoding::{b64, fr_bytes, g1_bytes, g2_bytes, to_hex, unb64, G1_LEN};
use crate::presentation::tests::non_subgroup_g1;
use crate::testing::{citizen_json, rng, NOW};
use crate::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/netnym-v1")
}

fn to_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("our own encoders emit JSON")
}

struct Fixture {
    issuers: Vec<Issuer>,
    link_secret: LinkSecret,
    credential: Credential,
    request: PresentationRequest,
    presentation: Presentation,
}

fn issuer(seed: u64) -> Issuer {
    Issuer::new(
        IssuerSecretKey::generate(&mut rng(seed)),
        &Schema::cn_network_id_v1(),
    )
}

/// Build every vector: `(relative path, content)`.
pub(crate) fn build() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let schema = Schema::cn_network_id_v1();

    // --- encoding/001: attribute scalars and schema generators.
    let params = schema.params();
    let attrs = Attributes::from_json(&schema, &citizen_json()).expect("fixture");
    let encodings: Vec<Value> = schema
        .attributes()
        .iter()
        .filter_map(|a| {
            attrs.get(a.name()).map(|v| {
                json!({"name": a.name(), "value": v.to_json(),
                       "scalar": to_hex(&fr_bytes(&v.to_scalar()))})
            })
        })
        .collect();
    out.push((
        "encoding/001.json".to_owned(),
        json!({
            "description": "cn-network-id/v1: schema digest, derived generators and the scalar of each attribute value",
            "schema": to_value(schema.to_json().as_bytes()),
            "schema_digest": to_hex(&schema.digest()),
            "generators": {
                "g1": b64(&g1_bytes(&params.g1)),
                "g2": b64(&g2_bytes(&params.g2)),
                "h0": b64(&g1_bytes(&params.h_0)),
                "h": params.h.iter().map(|h| b64(&g1_bytes(h))).collect::<Vec<_>>(),
            },
            "attributes": encodings,
        }),
    ));

    // --- keys/001, keys/002: issuer keys from seeded RNGs.
    let issuers = vec![issuer(1001), issuer(1002)];
    for (i, iss) in issuers.iter().enumerate() {
        out.push((
            format!("keys/{:03}.json", i + 1),
            json!({
                "description": format!("issuer key from ChaCha20Rng::seed_from_u64({})", 1001 + i),
                "rng_seed": 1001 + i,
                "secret_key": to_value(&iss.secret_key().to_json()),
                "public_key": to_value(&iss.public_key().to_json()),
                "key_id": iss.public_key().key_id().to_string(),
            }),
        ));
    }

    // --- issuance/001: blind issuance, every message.
    let mut r = rng(2001);
    let pk = issuers[0].public_key();
    let link_secret = LinkSecret::generate(&mut r);
    let offer = IssuanceOffer::new(&mut r, pk);
    let (ireq, pending) =
        BlindIssuanceRequest::new(&mut r, pk, &offer, &link_secret).expect("fixture");
    let resp = issuers[0]
        .issue_blind(&mut r, &offer, &ireq, &attrs)
        .expect("fixture");
    let credential = pending
        .finish(pk, resp.clone(), &link_secret)
        .expect("fixture");
    out.push((
        "issuance/001.json".to_owned(),
        json!({
            "description": "blind issuance with keys/001.json; holder and authority share ChaCha20Rng::seed_from_u64(2001) in the order: link secret, offer, request, signature",
            "issuer": "keys/001.json",
            "rng_seed": 2001,
            "link_secret": b64(&*link_secret.to_bytes()),
            "offer": to_value(&offer.to_json()),
            "request": to_value(&ireq.to_json()),
            "response": to_value(&resp.to_json()),
            "credential": to_value(&credential.to_json()),
        }),
    ));

    // --- presentation/001: selective disclosure of region and birth_date.
    let mut r = rng(3001);
    let q = CredentialQuery::new(
        schema.id(),
        [pk.key_id()],
        ["region".to_owned(), "birth_date".to_owned()],
    )
    .expect("fixture");
    let request =
        PresentationRequest::new(&mut r, "platform.example", NOW, 600, vec![q]).expect("fixture");
    let presentation = Presentation::create(&mut r, &request, &[(&credential, pk)], &link_secret)
        .expect("fixture");
    let verified = Verifier::new([pk.clone()])
        .verify(
            &request,
            &ParsedPresentation::from_json(&presentation.to_json()).expect("fixture parses"),
            NOW + 1,
        )
        .expect("fixture verifies");
    out.push((
        "presentation/001.json".to_owned(),
        json!({
            "description": "credential of issuance/001.json disclosing region and birth_date; ChaCha20Rng::seed_from_u64(3001) for nonce then proof",
            "issuer": "keys/001.json",
            "rng_seed": 3001,
            "request": to_value(&request.to_json()),
            "presentation": to_value(&presentation.to_json()),
            "verify_at": NOW + 1,
            "verified": verified.to_json(),
        }),
    ));

    let f = Fixture {
        issuers,
        link_secret,
        credential,
        request,
        presentation,
    };
    let extra = predicate_vectors(&mut out, &f);
    out.extend(negative(&f, &offer, &ireq, extra));
    out
}

/// A negative case: name, rule, input, context.
type Case = (String, &'static str, Value, Value);

/// The UTC noon of a date, in Unix seconds.
fn noon(date: &str) -> u64 {
    Date::parse(date).map_or(0, |d| u64::from(d.days()) * 86_400 - 2_208_988_800 + 43_200)
}

/// Edit the bytes of range proof `k` of credential 0.
fn with_range_bytes(p: &Value, k: usize, edit: impl FnOnce(&mut Vec<u8>)) -> Value {
    edited(p, |v| {
        let field = &mut v["credentials"][0]["ranges"][k];
        let mut bytes = unb64("ranges", field.as_str().unwrap_or("")).unwrap_or_default();
        edit(&mut bytes);
        *field = json!(b64(&bytes));
    })
}

/// params/, presentation/002.. (one per predicate type, pseudonym, non-revocation, keyed
/// verification, the full presentation), and their negative cases.
#[allow(clippy::too_many_lines)]
fn predicate_vectors(out: &mut Vec<(String, Value)>, f: &Fixture) -> Vec<Case> {
    let pk = f.issuers[0].public_key();
    let schema = pk.schema();
    // params/001: public range parameters, base 16, key destroyed.
    let range = RangeParams::generate(&mut rng(5001), 16).expect("fixture");
    out.push((
        "params/001.json".to_owned(),
        json!({
            "description": "public range-proof parameters, base 16, from ChaCha20Rng::seed_from_u64(5001); the digit-signing key was destroyed",
            "range_params": to_value(&range.to_json()),
        }),
    ));
    // params/002: a revocation registry over ids 1..=1000; epoch 1 revokes 5 and 7; the
    // fixture citizen's (id 42) witness at epoch 1.
    let mut r = rng(5002);
    let (auth, genesis) = RevocationAuthority::generate(&mut r, 1000).expect("fixture");
    let mut set = InMemoryRevokedSet::default();
    let e1 = auth.revoke(&genesis, &[5, 7], &mut set).expect("fixture");
    let mut witness = auth.witness(42, &genesis, &set).expect("fixture");
    witness.update(&e1).expect("fixture");
    out.push((
        "params/002.json".to_owned(),
        json!({
            "description": "revocation registry over ids 1..=1000 from ChaCha20Rng::seed_from_u64(5002); epoch 1 revokes 5 and 7; witness of id 42 computed at epoch 0 and updated with epoch 1",
            "registry": to_value(&auth.public_key().to_json()),
            "epochs": [to_value(&genesis.to_json()), to_value(&e1.to_json())],
            "witness": to_value(&witness.to_json()),
        }),
    ));
    // params/003: a platform's keyed range verifier, base 16.
    let keyed = KeyedRangeVerifier::generate(&mut rng(5003), 16).expect("fixture");
    let keyed_public = keyed.public_params().clone();
    out.push((
        "params/003.json".to_owned(),
        json!({
            "description": "a platform's keyed range verifier (secret) and its public parameters, base 16, from ChaCha20Rng::seed_from_u64(5003)",
            "secret": to_value(&keyed.to_json()),
            "range_params": to_value(&keyed_public.to_json()),
        }),
    ));

    let now = noon("2025-11-24");
    let mut verifier = Verifier::new([pk.clone()])
        .with_range_params(range.clone())
        .with_registry(auth.public_key().clone())
        .with_keyed_range_verifier(keyed);
    verifier.add_epoch(&genesis).expect("fixture");
    verifier.add_epoch(&e1).expect("fixture");
    let ctx_base = json!({"issuer": "keys/001.json", "range_params": "params/001.json",
                          "registry": "params/002.json", "keyed_range": "params/003.json",
                          "verify_at": now + 1});
    let nr = NonRevocation::new(auth.public_key().id(), 1, 1);
    let range_spec = |min: u64, max: u64| {
        Predicate::Range(RangeSpec {
            attribute: "revocation_id".into(),
            min: Some(min.into()),
            max: Some(max.into()),
        })
    };
    // (file, description, disclose, predicates, pseudonym, non-revocation, keyed)
    type Kind<'a> = (
        &'a str,
        &'a str,
        Vec<&'a str>,
        Vec<Predicate>,
        bool,
        bool,
        bool,
    );
    let kinds: Vec<Kind<'_>> = vec![
        ("002", "age_at_least 18", vec![], vec![Predicate::AgeAtLeast(18)], false, false, false),
        ("003", "age_below 60", vec![], vec![Predicate::AgeBelow(60)], false, false, false),
        ("004", "valid_on 2025-11-24", vec![], vec![Predicate::ValidOn("2025-11-24".into())], false, false, false),
        ("005", "region_within 31", vec![], vec![Predicate::RegionWithin("31".into())], false, false, false),
        ("006", "range 40 <= revocation_id <= 50", vec![], vec![range_spec(40, 50)], false, false, false),
        ("007", "pseudonym only", vec![], vec![], true, false, false),
        ("008", "non-revocation at epoch 1", vec![], vec![], false, true, false),
        ("009", "age_at_least 18 with the platform's keyed parameters", vec![], vec![Predicate::AgeAtLeast(18)], false, false, true),
        ("010", "full: disclose nationality and document_type, age_at_least 18, valid_on, region_within 31, pseudonym, non-revocation", vec!["nationality", "document_type"],
            vec![Predicate::AgeAtLeast(18), Predicate::ValidOn("2025-11-24".into()), Predicate::RegionWithin("31".into())], true, true, false),
    ];
    let mut cases: Vec<Case> = Vec::new();
    for (k, (file, what, disclose, preds, nym, nonrev, keyed)) in kinds.into_iter().enumerate() {
        let seed = 6001 + k as u64;
        let mut r = rng(seed);
        let mut q = CredentialQuery::new(
            schema.id(),
            [pk.key_id()],
            disclose.iter().map(|s| (*s).to_owned()),
        )
        .expect("fixture")
        .with_predicates(preds.clone())
        .expect("fixture");
        if nonrev {
            q = q.with_non_revocation(nr.clone()).expect("fixture");
        }
        let mut request =
            PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q]).expect("fixture");
        if !preds.is_empty() {
            request = request.with_range_params(if keyed { keyed_public.id() } else { range.id() });
        }
        if nym {
            request = request.with_pseudonym();
        }
        let mut holding = Holding::new(&f.credential, pk);
        if nonrev {
            holding = holding.with_witness(&witness);
        }
        let presentation = Presentation::create_with(
            &mut r,
            &request,
            &[holding],
            &f.link_secret,
            &[&range, &keyed_public],
        )
        .expect("fixture");
        let verified = verifier
            .verify(
                &request,
                &ParsedPresentation::from_json(&presentation.to_json()).expect("fixture parses"),
                now + 1,
            )
            .expect("fixture verifies");
        let req_v = to_value(&request.to_json());
        let pres_v = to_value(&presentation.to_json());
        out.push((
            format!("presentation/{file}.json"),
            json!({
                "description": format!("{what}; credential of issuance/001.json; ChaCha20Rng::seed_from_u64({seed}) for nonce then proof"),
                "issuer": "keys/001.json",
                "range_params": "params/001.json",
                "registry": "params/002.json",
                "keyed_range": "params/003.json",
                "rng_seed": seed,
                "request": req_v.clone(),
                "presentation": pres_v.clone(),
                "verify_at": now + 1,
                "verified": verified.to_json(),
            }),
        ));
        let mut ctx = ctx_base.clone();
        ctx["request"] = req_v;
        let mut case = |name: String, rule: &'static str, input: Value| {
            cases.push((name, rule, input, ctx.clone()));
        };
        let tag = format!(
            "{file}-{}",
            what.split(' ').next().unwrap_or("x").replace(':', "")
        );
        if !preds.is_empty() {
            case(
                format!("{tag}-range-opening-response"),
                "VER-021",
                with_range_bytes(&pres_v, 0, |b| {
                    let i = 2 * G1_LEN;
                    b[i] ^= 1;
                }),
            );
            case(
                format!("{tag}-range-cls-response"),
                "VER-022",
                with_range_bytes(&pres_v, 0, |b| {
                    let i = 3 * G1_LEN + 32;
                    b[i] ^= 1;
                }),
            );
            case(
                format!("{tag}-range-digit-response"),
                "VER-022",
                with_range_bytes(&pres_v, 0, |b| {
                    let i = b.len() - 1 - 31;
                    b[i] ^= 1;
                }),
            );
            case(
                format!("{tag}-range-commitment"),
                "VER-010",
                with_range_bytes(&pres_v, 0, |b| {
                    let c = G1Affine::generator();
                    b[..G1_LEN].copy_from_slice(&g1_bytes(&c));
                }),
            );
            case(
                format!("{tag}-range-missing"),
                "VER-020",
                edited(&pres_v, |v| {
                    v["credentials"][0]
                        .as_object_mut()
                        .map(|m| m.remove("ranges"));
                }),
            );
            case(
                format!("{tag}-range-digit-dropped"),
                "VER-020",
                with_range_bytes(&pres_v, 0, |b| b.truncate(b.len() - (3 * G1_LEN + 64))),
            );
            case(
                format!("{tag}-range-truncated"),
                "WIRE-006",
                with_range_bytes(&pres_v, 0, |b| b.truncate(b.len() - 1)),
            );
        }
        if nym {
            case(
                format!("{tag}-pseudonym-replaced"),
                "VER-010",
                edited(&pres_v, |v| {
                    v["pseudonym"]["nym"] = json!(b64(&g1_bytes(&G1Affine::generator())));
                }),
            );
            case(
                format!("{tag}-pseudonym-missing"),
                "VER-013",
                edited(&pres_v, |v| {
                    v.as_object_mut().map(|m| m.remove("pseudonym"));
                }),
            );
        }
        if nonrev {
            case(
                format!("{tag}-membership-response"),
                "VER-019",
                edited(&pres_v, |v| {
                    let f = &mut v["credentials"][0]["non_revoked"]["proof"];
                    let mut b = unb64("p", f.as_str().unwrap_or("")).unwrap_or_default();
                    let i = b.len() - 32;
                    b[i] ^= 1;
                    *f = json!(b64(&b));
                }),
            );
            case(
                format!("{tag}-membership-identity-A-prime"),
                "WIRE-008",
                edited(&pres_v, |v| {
                    let f = &mut v["credentials"][0]["non_revoked"]["proof"];
                    let mut b = unb64("p", f.as_str().unwrap_or("")).unwrap_or_default();
                    b[..G1_LEN].copy_from_slice(&g1_bytes(&G1Affine::zero()));
                    *f = json!(b64(&b));
                }),
            );
            case(
                format!("{tag}-membership-missing"),
                "VER-016",
                edited(&pres_v, |v| {
                    v["credentials"][0]
                        .as_object_mut()
                        .map(|m| m.remove("non_revoked"));
                }),
            );
            case(
                format!("{tag}-stale-epoch-claimed"),
                "VER-017",
                edited(&pres_v, |v| {
                    v["credentials"][0]["non_revoked"]["epoch"] = json!(0);
                }),
            );
        }
    }
    // A stale accumulator: a genuine proof against epoch 0 for a request accepting only epoch 1.
    let mut r = rng(6100);
    let q = CredentialQuery::new(schema.id(), [pk.key_id()], [])
        .expect("fixture")
        .with_non_revocation(NonRevocation::new(auth.public_key().id(), 0, 1))
        .expect("fixture");
    let lenient =
        PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q]).expect("fixture");
    let old = auth
        .witness(42, &genesis, &InMemoryRevokedSet::default())
        .expect("fixture");
    let stale = Presentation::create_with(
        &mut r,
        &lenient,
        &[Holding::new(&f.credential, pk).with_witness(&old)],
        &f.link_secret,
        &[],
    )
    .expect("fixture");
    let q = CredentialQuery::new(schema.id(), [pk.key_id()], [])
        .expect("fixture")
        .with_non_revocation(nr)
        .expect("fixture");
    let mut strict =
        PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q]).expect("fixture");
    strict.nonce = lenient.nonce().to_vec();
    let strict = PresentationRequest::from_json(&strict.to_json()).expect("fixture");
    let mut ctx = ctx_base.clone();
    ctx["request"] = to_value(&strict.to_json());
    cases.push((
        "stale-accumulator-outside-window".to_owned(),
        "VER-017",
        to_value(&stale.to_json()),
        ctx,
    ));
    // An age proof for 17 presented for 18.
    let mut r = rng(6101);
    let q17 = CredentialQuery::new(schema.id(), [pk.key_id()], [])
        .expect("fixture")
        .with_predicates([Predicate::AgeAtLeast(17)])
        .expect("fixture");
    let q18 = CredentialQuery::new(schema.id(), [pk.key_id()], [])
        .expect("fixture")
        .with_predicates([Predicate::AgeAtLeast(18)])
        .expect("fixture");
    let r17 = PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q17])
        .expect("fixture")
        .with_range_params(range.id());
    let mut r18 =
        PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q18]).expect("fixture");
    r18.nonce = r17.nonce().to_vec();
    let r18 = PresentationRequest::from_json(&r18.with_range_params(range.id()).to_json())
        .expect("fixture");
    let p17 = Presentation::create_with(
        &mut r,
        &r17,
        &[Holding::new(&f.credential, pk)],
        &f.link_secret,
        &[&range],
    )
    .expect("fixture");
    let mut ctx = ctx_base;
    ctx["request"] = to_value(&r18.to_json());
    cases.push((
        "age-17-proof-for-age-18-request".to_owned(),
        "VER-010",
        to_value(&p17.to_json()),
        ctx,
    ));
    cases
}

/// Apply `edit` to the JSON form of `v`.
fn edited(v: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    edit(&mut v);
    v
}

fn with_proof_bytes(p: &Value, edit: impl FnOnce(&mut Vec<u8>)) -> Value {
    edited(p, |v| {
        let mut bytes =
            unb64("proof", v["credentials"][0]["proof"].as_str().unwrap_or("")).unwrap_or_default();
        edit(&mut bytes);
        v["credentials"][0]["proof"] = json!(b64(&bytes));
    })
}

#[allow(clippy::too_many_lines)] // one flat list of named mutations reads best
fn negative(
    f: &Fixture,
    offer: &IssuanceOffer,
    ireq: &BlindIssuanceRequest,
    extra: Vec<Case>,
) -> Vec<(String, Value)> {
    let pres = to_value(&f.presentation.to_json());
    let req = to_value(&f.request.to_json());
    let pk = f.issuers[0].public_key();
    let mut r = rng(4001);
    let mut cases: Vec<(&str, &str, &str, Value, Value)> = Vec::new(); // name, rule, object, input, context
    let ctx = json!({"issuer": "keys/001.json", "request": req, "verify_at": NOW + 1});
    let mut p =
        |name, rule, input: Value| cases.push((name, rule, "presentation", input, ctx.clone()));

    p(
        "tampered-response",
        "VER-010",
        with_proof_bytes(&pres, |b| {
            let i = b.len() - 32;
            b[i] ^= 1;
        }),
    );
    p(
        "swapped-disclosed-value",
        "VER-010",
        edited(&pres, |v| {
            v["credentials"][0]["disclosed"]["region"] = json!("310116");
        }),
    );
    p(
        "disclosed-values-exchanged",
        "VER-008",
        edited(&pres, |v| {
            let d = &mut v["credentials"][0]["disclosed"];
            let (a, b) = (d["region"].clone(), d["birth_date"].clone());
            d["region"] = b;
            d["birth_date"] = a;
        }),
    );
    p(
        "extra-disclosed-attribute",
        "VER-007",
        edited(&pres, |v| {
            v["credentials"][0]["disclosed"]["given_name"] = json!("Wei");
        }),
    );
    p(
        "missing-disclosed-attribute",
        "VER-007",
        edited(&pres, |v| {
            v["credentials"][0]["disclosed"]
                .as_object_mut()
                .map(|m| m.remove("region"));
        }),
    );
    p(
        "ill-typed-disclosed-date",
        "VER-008",
        edited(&pres, |v| {
            v["credentials"][0]["disclosed"]["birth_date"] = json!("1990-02-30");
        }),
    );
    p(
        "wrong-nonce",
        "VER-003",
        edited(&pres, |v| {
            v["nonce"] = json!(b64(&[7u8; 32]));
        }),
    );
    p(
        "identity-A-prime",
        "WIRE-008",
        with_proof_bytes(&pres, |b| {
            b[..G1_LEN].copy_from_slice(&g1_bytes(&G1Affine::zero()));
        }),
    );
    p(
        "identity-A-bar",
        "WIRE-008",
        with_proof_bytes(&pres, |b| {
            b[G1_LEN..2 * G1_LEN].copy_from_slice(&g1_bytes(&G1Affine::zero()));
        }),
    );
    p(
        "non-subgroup-d",
        "WIRE-007",
        with_proof_bytes(&pres, |b| {
            b[2 * G1_LEN..3 * G1_LEN].copy_from_slice(&non_subgroup_g1());
        }),
    );
    p(
        "non-subgroup-A-prime",
        "WIRE-007",
        with_proof_bytes(&pres, |b| {
            b[..G1_LEN].copy_from_slice(&non_subgroup_g1());
        }),
    );
    p(
        "uncompressed-flag-cleared",
        "WIRE-007",
        with_proof_bytes(&pres, |b| b[0] &= 0x7f),
    );
    p(
        "non-canonical-scalar",
        "WIRE-009",
        with_proof_bytes(&pres, |b| {
            let i = 5 * G1_LEN;
            b[i..i + 32].copy_from_slice(&[0xff; 32]);
        }),
    );
    p(
        "truncated-proof",
        "WIRE-006",
        with_proof_bytes(&pres, |b| b.truncate(b.len() - 1)),
    );
    p(
        "padded-proof",
        "WIRE-006",
        with_proof_bytes(&pres, |b| b.push(0)),
    );
    p(
        "missing-response",
        "VER-009",
        with_proof_bytes(&pres, |b| b.truncate(b.len() - 32)),
    );
    p(
        "extra-response",
        "VER-009",
        with_proof_bytes(&pres, |b| b.extend_from_slice(&[0u8; 32])),
    );
    p(
        "wrong-version",
        "WIRE-004",
        edited(&pres, |v| v["version"] = json!(2)),
    );
    p(
        "wrong-type",
        "WIRE-003",
        edited(&pres, |v| v["type"] = json!("netnym-credential")),
    );
    p(
        "unknown-field",
        "WIRE-002",
        edited(&pres, |v| v["extra"] = json!(true)),
    );
    p(
        "padded-base64",
        "WIRE-005",
        edited(&pres, |v| {
            let s = v["credentials"][0]["proof"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            v["credentials"][0]["proof"] = json!(format!("{s}=="));
        }),
    );
    p(
        "key-id-uppercase-hex",
        "WIRE-005",
        edited(&pres, |v| {
            let s = v["credentials"][0]["issuer_key_id"]
                .as_str()
                .unwrap_or("")
                .to_uppercase();
            v["credentials"][0]["issuer_key_id"] = json!(s);
        }),
    );
    p(
        "no-credentials",
        "WIRE-010",
        edited(&pres, |v| v["credentials"] = json!([])),
    );
    p(
        "two-credentials-for-one-query",
        "VER-005",
        edited(&pres, |v| {
            let c = v["credentials"][0].clone();
            v["credentials"] = json!([c.clone(), c]);
        }),
    );
    p(
        "schema-id-relabelled",
        "VER-006",
        edited(&pres, |v| {
            v["credentials"][0]["schema_id"] = json!("cn-network-id/v2");
        }),
    );
    let key2 = f.issuers[1].public_key().key_id().to_string();
    p(
        "key-id-relabelled-to-unaccepted-key",
        "VER-006",
        edited(&pres, |v| {
            v["credentials"][0]["issuer_key_id"] = json!(key2);
        }),
    );

    // Forged signature: Schnorr proofs are honest, only the pairing catches it (VER-011).
    let forged = Credential::new(
        pk.key_id(),
        f.credential.attributes().clone(),
        bbs_plus::signature::SignatureG1 {
            A: (G1Affine::generator() * Fr::rand(&mut r)).into_affine(),
            e: Fr::rand(&mut r),
            s: Fr::rand(&mut r),
        },
    );
    let forged =
        Presentation::build_pairs(&mut r, &f.request, &[(&forged, pk)], &f.link_secret, false)
            .expect("fixture");
    p("forged-signature", "VER-011", to_value(&forged.to_json()));

    // Replay against another request (fresh nonce) and a forged nonce echo.
    let q = f.request.credentials().to_vec();
    let other =
        PresentationRequest::new(&mut r, "platform.example", NOW, 600, q.clone()).expect("fixture");
    cases.push(("replay-against-another-request", "VER-003", "presentation", pres.clone(),
        json!({"issuer": "keys/001.json", "request": to_value(&other.to_json()), "verify_at": NOW + 1})));
    let mut other_verifier =
        PresentationRequest::new(&mut r, "other.example", NOW, 600, q).expect("fixture");
    other_verifier.nonce = f.request.nonce().to_vec();
    other_verifier.digest = other_verifier.compute_digest();
    cases.push(("replay-to-another-verifier-same-nonce", "VER-010", "presentation", pres.clone(),
        json!({"issuer": "keys/001.json", "request": to_value(&other_verifier.to_json()), "verify_at": NOW + 1})));
    cases.push((
        "expired-request",
        "VER-004",
        "presentation",
        pres,
        json!({"issuer": "keys/001.json", "request": req, "verify_at": NOW + 601}),
    ));

    // Issuance requests, checked by keys/001.json against the offer of issuance/001.json.
    let ireq_v = to_value(&ireq.to_json());
    let ictx = json!({"issuer": "keys/001.json", "offer": to_value(&offer.to_json())});
    let mut iss = |name, rule, input: Value| {
        cases.push((name, rule, "issuance_request", input, ictx.clone()))
    };
    iss(
        "commits-to-clear-attribute",
        "ISS-004",
        edited(&ireq_v, |v| v["committed"] = json!(["birth_date"])),
    );
    // Commit to the link secret and `region`: three responses, the third copied.
    iss(
        "commits-to-secret-and-clear-attribute",
        "ISS-004",
        edited(&ireq_v, |v| {
            let mut proof = unb64("proof", v["proof"].as_str().unwrap_or("")).unwrap_or_default();
            let first = proof[G1_LEN..G1_LEN + 32].to_vec();
            proof.extend_from_slice(&first);
            v["committed"] = json!(["link_secret", "region"]);
            v["proof"] = json!(b64(&proof));
        }),
    );
    iss(
        "commits-to-unknown-attribute",
        "ISS-004",
        edited(&ireq_v, |v| v["committed"] = json!(["nickname"])),
    );
    iss("tampered-commitment-proof", "ISS-006", {
        let mut x = ireq.clone();
        x.parts_mut().2[0] += Fr::from(1u64);
        to_value(&x.to_json())
    });
    iss(
        "other-offer-nonce",
        "ISS-003",
        edited(&ireq_v, |v| v["nonce"] = json!(b64(&[9u8; 32]))),
    );
    iss(
        "identity-commitment",
        "WIRE-008",
        edited(&ireq_v, |v| {
            v["commitment"] = json!(b64(&g1_bytes(&G1Affine::zero())));
        }),
    );
    iss(
        "non-subgroup-commitment",
        "WIRE-007",
        edited(&ireq_v, |v| {
            v["commitment"] = json!(b64(&non_subgroup_g1()))
        }),
    );
    iss(
        "truncated-commitment-proof",
        "WIRE-006",
        edited(&ireq_v, |v| {
            let mut b = unb64("proof", v["proof"].as_str().unwrap_or("")).unwrap_or_default();
            b.pop();
            v["proof"] = json!(b64(&b));
        }),
    );

    // Issuer public keys.
    let pkv = to_value(&pk.to_json());
    let mut key =
        |name, rule, input: Value| cases.push((name, rule, "public_key", input, json!({})));
    key(
        "identity-public-key (KEY-001)",
        "WIRE-008",
        edited(&pkv, |v| {
            let mut id = [0u8; 96];
            id[0] = 0xc0;
            v["public_key"] = json!(b64(&id));
        }),
    );
    key(
        "public-key-not-on-curve (KEY-001)",
        "WIRE-007",
        edited(&pkv, |v| {
            let mut b = pk.public_key_bytes();
            b[95] ^= 1;
            v["public_key"] = json!(b64(&b));
        }),
    );
    key(
        "key-id-mismatch (KEY-002)",
        "WIRE-010",
        edited(&pkv, |v| {
            v["key_id"] = json!(f.issuers[1].public_key().key_id().to_string());
        }),
    );
    key(
        "schema-without-holder-secret (SCH-005)",
        "SCH",
        edited(&pkv, |v| {
            v["schema"]["attributes"][0]["type"] = json!("uint");
        }),
    );

    // Raw inputs that a JSON value cannot express: stored as text in `input_raw`.
    let pres_text = String::from_utf8(f.presentation.to_json()).unwrap_or_default();
    let raw = [
        (
            "duplicated-disclosed-key",
            pres_text.replacen("\"region\":", "\"region\":\"310115\",\"region\":", 1),
        ),
        (
            "deeply-nested-json",
            format!("{}{}", "[".repeat(200), "]".repeat(200)),
        ),
        ("trailing-garbage", format!("{pres_text} x")),
    ];
    cases
        .into_iter()
        .map(|(name, rule, object, input, context)| {
            json!({"name": name, "rule": rule, "object": object,
                   "context": context, "input": input})
        })
        .chain(extra.into_iter().map(|(name, rule, input, context)| {
            json!({"name": name, "rule": rule, "object": "presentation",
                   "context": context, "input": input})
        }))
        .chain(raw.into_iter().map(|(name, text)| {
            json!({"name": name, "rule": "WIRE-002", "object": "presentation",
                   "context": ctx.clone(), "input_raw": text})
        }))
        .enumerate()
        .map(|(i, v)| (format!("negative/{:03}.json", i + 1), v))
        .collect()
}

/// Run one negative vector; return the rule that rejected it.
fn reject_rule(v: &Value) -> String {
    let input = match v.get("input_raw").and_then(Value::as_str) {
        Some(text) => text.as_bytes().to_vec(),
        None => serde_json::to_vec(&v["input"]).expect("json"),
    };
    let ctx = &v["context"];
    let issuer_pk = || {
        let path = ctx["issuer"].as_str().expect("issuer path");
        let keys: Value =
            serde_json::from_slice(&std::fs::read(dir().join(path)).expect("key file"))
                .expect("json");
        IssuerPublicKey::from_json(&serde_json::to_vec(&keys["public_key"]).expect("json"))
            .expect("stored key is valid")
    };
    match v["object"].as_str() {
        Some("presentation") => {
            let request =
                PresentationRequest::from_json(&serde_json::to_vec(&ctx["request"]).expect("json"))
                    .expect("stored request is valid");
            let parsed = match ParsedPresentation::from_json(&input) {
                Ok(p) => p,
                Err(e) => return e.rule().to_owned(),
            };
            let verifier = context_verifier(ctx, issuer_pk());
            let now = ctx["verify_at"].as_u64().expect("verify_at");
            // The public API's answer must be the opaque one (or RequestExpired for VER-004).
            let public = verifier
                .verify(&request, &parsed, now)
                .expect_err("must reject");
            let inner = verifier
                .check(&request, &parsed, now)
                .expect_err("must reject");
            let expected_public = if inner.rule == "VER-004" {
                VerifyError::RequestExpired
            } else {
                VerifyError::InvalidPresentation
            };
            assert_eq!(public, expected_public);
            inner.rule.to_owned()
        }
        Some("issuance_request") => {
            let pk = issuer_pk();
            let req = match BlindIssuanceRequest::from_json(&input) {
                Ok(r) => r,
                Err(e) => return e.rule().to_owned(),
            };
            let offer = IssuanceOffer::from_json(&serde_json::to_vec(&ctx["offer"]).expect("json"))
                .expect("stored offer");
            // Sign with the real key of keys/001.json.
            let keys: Value = serde_json::from_slice(
                &std::fs::read(dir().join("keys/001.json")).expect("key file"),
            )
            .expect("json");
            let sk =
                IssuerSecretKey::from_json(&serde_json::to_vec(&keys["secret_key"]).expect("json"))
                    .expect("stored secret key");
            let issuer = Issuer::new(sk, pk.schema());
            let attrs = Attributes::from_json(pk.schema(), &citizen_json()).expect("fixture");
            issuer
                .issue_blind(&mut rng(0), &offer, &req, &attrs)
                .expect_err("must reject")
                .rule()
                .to_owned()
        }
        Some("public_key") => IssuerPublicKey::from_json(&input)
            .expect_err("must reject")
            .rule()
            .to_owned(),
        other => panic!("unknown object {other:?}"),
    }
}

/// The verifier a vector's context describes: the issuer key, and the range parameters,
/// keyed range verifier and revocation registry (with every epoch) its files name.
fn context_verifier(ctx: &Value, pk: IssuerPublicKey) -> Verifier {
    let read = |key: &str| -> Option<Value> {
        let path = ctx.get(key)?.as_str()?;
        Some(serde_json::from_slice(&std::fs::read(dir().join(path)).expect("file")).expect("json"))
    };
    let bytes = |v: &Value| serde_json::to_vec(v).expect("json");
    let mut v = Verifier::new([pk]);
    if let Some(p) = read("range_params") {
        v = v
            .with_range_params(RangeParams::from_json(&bytes(&p["range_params"])).expect("params"));
    }
    if let Some(k) = read("keyed_range") {
        v = v.with_keyed_range_verifier(
            KeyedRangeVerifier::from_json(&bytes(&k["secret"])).expect("keyed"),
        );
    }
    if let Some(reg) = read("registry") {
        v = v.with_registry(
            RegistryPublicKey::from_json(&bytes(&reg["registry"])).expect("registry"),
        );
        for e in reg["epochs"].as_array().expect("epochs") {
            v.add_epoch(&EpochEntry::from_json(&bytes(e)).expect("epoch"))
                .expect("trusted");
        }
    }
    v
}

fn check_positive(name: &str, v: &Value) {
    let read_key = |path: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir().join(path)).expect("file")).expect("json")
    };
    let bytes = |v: &Value| serde_json::to_vec(v).expect("json");
    if name.starts_with("keys/") {
        let pk = IssuerPublicKey::from_json(&bytes(&v["public_key"])).expect(name);
        let sk = IssuerSecretKey::from_json(&bytes(&v["secret_key"])).expect(name);
        assert_eq!(IssuerPublicKey::from_secret(&sk, pk.schema()), pk);
        assert_eq!(
            pk.key_id().to_string(),
            v["key_id"].as_str().expect("key_id")
        );
    } else if name.starts_with("issuance/") {
        let keys = read_key(v["issuer"].as_str().expect("issuer"));
        let pk = IssuerPublicKey::from_json(&bytes(&keys["public_key"])).expect("key");
        let ls = LinkSecret::from_bytes(
            &unb64("link_secret", v["link_secret"].as_str().expect("ls")).expect("b64"),
        )
        .expect("ls");
        BlindIssuanceRequest::from_json(&bytes(&v["request"])).expect("request");
        IssuanceResponse::from_json(&bytes(&v["response"]), &pk).expect("response");
        let cred = Credential::from_json(&bytes(&v["credential"]), &pk).expect("credential");
        cred.verify(&pk, &ls).expect("stored credential verifies");
    } else if name.starts_with("presentation/") {
        let keys = read_key(v["issuer"].as_str().expect("issuer"));
        let pk = IssuerPublicKey::from_json(&bytes(&keys["public_key"])).expect("key");
        let req = PresentationRequest::from_json(&bytes(&v["request"])).expect("request");
        let now = v["verify_at"].as_u64().expect("verify_at");
        let verified = context_verifier(v, pk)
            .verify_json(&req, &bytes(&v["presentation"]), now)
            .expect("stored presentation verifies");
        assert_eq!(verified.to_json(), v["verified"]);
    } else if name.starts_with("params/") {
        if let Some(p) = v.get("range_params") {
            RangeParams::from_json(&bytes(p)).expect(name);
        }
        if let Some(k) = v.get("secret") {
            let keyed = KeyedRangeVerifier::from_json(&bytes(k)).expect(name);
            assert_eq!(
                to_value(&keyed.public_params().to_json()),
                v["range_params"]
            );
        }
        if let Some(reg) = v.get("registry") {
            let reg = RegistryPublicKey::from_json(&bytes(reg)).expect(name);
            let w = MembershipWitness::from_json(&bytes(&v["witness"]), &reg).expect(name);
            let last = v["epochs"]
                .as_array()
                .and_then(|e| e.last())
                .expect("epochs");
            assert_eq!(
                w.epoch(),
                EpochEntry::from_json(&bytes(last)).expect(name).epoch()
            );
        }
    } else if name.starts_with("encoding/") {
        let schema = Schema::from_json(&bytes(&v["schema"])).expect("schema");
        assert_eq!(
            to_hex(&schema.digest()),
            v["schema_digest"].as_str().expect("digest")
        );
        for a in v["attributes"].as_array().expect("attributes") {
            let i = schema
                .index_of(a["name"].as_str().expect("name"))
                .expect("known");
            let value =
                AttributeValue::from_json(&schema.attributes()[i], &a["value"]).expect("value");
            assert_eq!(
                to_hex(&fr_bytes(&value.to_scalar())),
                a["scalar"].as_str().expect("scalar")
            );
        }
    }
}

#[test]
fn vectors_match_and_verify() {
    let built = build();
    let mut negatives = 0;
    for (name, value) in &built {
        let path = dir().join(name);
        let stored: Value = serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&stored, value, "{name} differs from its regeneration");
        if name.starts_with("negative/") {
            negatives += 1;
            let rule = reject_rule(&stored);
            assert_eq!(
                rule,
                stored["rule"].as_str().unwrap_or(""),
                "{name} ({})",
                stored["name"]
            );
        } else {
            check_positive(name, &stored);
        }
    }
    assert!(negatives >= 80, "only {negatives} negative vectors");
    // No stray files: every stored vector is one we build.
    for sub in [
        "encoding",
        "keys",
        "issuance",
        "params",
        "presentation",
        "negative",
    ] {
        for entry in std::fs::read_dir(dir().join(sub)).expect("dir") {
            let file = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf8");
            let rel = format!("{sub}/{file}");
            assert!(built.iter().any(|(n, _)| *n == rel), "stray vector {rel}");
        }
    }
}

#[cfg(feature = "generate-vectors")]
#[test]
fn generate_vectors() {
    for (name, value) in build() {
        let path = dir().join(name.replace(".json", "-new.json"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let mut text = serde_json::to_string_pretty(&value).expect("json");
        text.push('\n');
        std::fs::write(&path, text).expect("write");
    }
}
