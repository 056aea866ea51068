//! The negative vectors: one rejected input each, named after its mutation, with the rule
//! that must reject it.

use super::*;

/// Apply `edit` to the JSON form of `v`.
pub(crate) fn edited(v: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    edit(&mut v);
    v
}

pub(crate) fn with_proof_bytes(p: &Value, edit: impl FnOnce(&mut Vec<u8>)) -> Value {
    edited(p, |v| {
        let mut bytes =
            unb64("proof", v["credentials"][0]["proof"].as_str().unwrap_or("")).unwrap_or_default();
        edit(&mut bytes);
        v["credentials"][0]["proof"] = json!(b64(&bytes));
    })
}

#[allow(clippy::too_many_lines)] // one flat list of named mutations reads best
pub(crate) fn negative(
    f: &Fixture,
    offer: &IssuanceOffer,
    ireq: &BlindIssuanceRequest,
    extra: Vec<Case>,
    canonical_010: Vec<Case>,
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
    let forged = credential_with_signature(
        pk.key_id(),
        f.credential.attributes().clone(),
        (G1Affine::generator() * Fr::rand(&mut r)).into_affine(),
        Fr::rand(&mut r),
        Fr::rand(&mut r),
    );
    let forged =
        present_without_holder_checks(&mut r, &f.request, &[(&forged, pk)], &f.link_secret)
            .expect("fixture");
    p("forged-signature", "VER-011", to_value(&forged.to_json()));

    // Replay against another request (fresh nonce) and a forged nonce echo.
    let q = f.request.credentials().to_vec();
    let other =
        PresentationRequest::new(&mut r, "platform.example", NOW, 600, q.clone()).expect("fixture");
    cases.push(("replay-against-another-request", "VER-003", "presentation", pres.clone(),
        json!({"issuer": "keys/001.json", "request": to_value(&other.to_json()), "verify_at": NOW + 1})));
    let other_verifier = request_with_nonce(
        &PresentationRequest::new(&mut r, "other.example", NOW, 600, q).expect("fixture"),
        f.request.nonce(),
    );
    cases.push(("replay-to-another-verifier-same-nonce", "VER-010", "presentation", pres.clone(),
        json!({"issuer": "keys/001.json", "request": to_value(&other_verifier.to_json()), "verify_at": NOW + 1})));
    cases.push((
        "expired-request",
        "VER-004",
        "presentation",
        pres.clone(),
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
        issuance_responses_mut(&mut x)[0] += Fr::from(1u64);
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

    let issuance_canonical: Vec<Case> = NONCANONICAL_IDENTITIES
        .iter()
        .map(|(variant, bytes)| {
            let input = edited(&ireq_v, |v| {
                let mut proof =
                    unb64("proof", v["proof"].as_str().unwrap_or("")).unwrap_or_default();
                proof[..G1_LEN].copy_from_slice(bytes);
                v["proof"] = json!(b64(&proof));
            });
            (
                format!("issuance-proof-t-identity-{variant}"),
                "WIRE-007",
                input,
                ictx.clone(),
            )
        })
        .collect();

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
        // WIRE-007: identity encodings other than `0xC0` and zeros, in every field where the
        // identity is allowed (appended last, so earlier vectors keep their numbers).
        .chain(
            canonical_identity_cases(&pres, &ctx)
                .into_iter()
                .filter(|(name, ..)| name.starts_with("bbs-"))
                .chain(issuance_canonical)
                .chain(canonical_010)
                .map(|(name, rule, input, context)| {
                    let object = if name.starts_with("issuance-") {
                        "issuance_request"
                    } else {
                        "presentation"
                    };
                    json!({"name": name, "rule": rule, "object": object,
                           "context": context, "input": input})
                }),
        )
        .enumerate()
        .map(|(i, v)| (format!("negative/{:03}.json", i + 1), v))
        .collect()
}

/// Identity encodings other than the canonical `0xC0` followed by zeros: the identity flag with
/// a non-zero byte after it, and with the sort flag set. arkworks 0.4 reads both as the identity.
pub(crate) const NONCANONICAL_IDENTITIES: [(&str, [u8; G1_LEN]); 2] = [
    ("c0-nonzero-tail", {
        let mut b = [0u8; G1_LEN];
        b[0] = 0xC0;
        b[G1_LEN - 1] = 1;
        b
    }),
    ("e0-sort-flag", {
        let mut b = [0u8; G1_LEN];
        b[0] = 0xE0;
        b
    }),
];

/// The WIRE-007 cases of one presentation: each field where the identity is allowed (BBS+ `d`,
/// `T1`, `T2`; range `C`, `t`, `D`, first digit's `Ā` and `t`; membership `Ā`, `t`; pseudonym
/// `t`) set to each non-canonical identity encoding, where the presentation has that field.
pub(crate) fn canonical_identity_cases(pres: &Value, ctx: &Value) -> Vec<Case> {
    let c0 = &pres["credentials"][0];
    let mut fields: Vec<(&str, &[&str], usize)> = vec![
        ("bbs-d", &["credentials", "0", "proof"], 2 * G1_LEN),
        ("bbs-T1", &["credentials", "0", "proof"], 3 * G1_LEN),
        ("bbs-T2", &["credentials", "0", "proof"], 4 * G1_LEN),
    ];
    if c0.get("ranges").is_some() {
        fields.extend([
            ("range-C", &["credentials", "0", "ranges", "0"][..], 0),
            ("range-t", &["credentials", "0", "ranges", "0"][..], G1_LEN),
            (
                "range-D",
                &["credentials", "0", "ranges", "0"][..],
                2 * G1_LEN + 32,
            ),
            (
                "range-digit-A_bar",
                &["credentials", "0", "ranges", "0"][..],
                208 + G1_LEN,
            ),
            (
                "range-digit-t",
                &["credentials", "0", "ranges", "0"][..],
                208 + 2 * G1_LEN,
            ),
        ]);
    }
    if c0.get("non_revoked").is_some() {
        fields.extend([
            (
                "membership-A_bar",
                &["credentials", "0", "non_revoked", "proof"][..],
                G1_LEN,
            ),
            (
                "membership-t",
                &["credentials", "0", "non_revoked", "proof"][..],
                2 * G1_LEN,
            ),
        ]);
    }
    if pres.get("pseudonym").is_some() {
        fields.push(("pseudonym-t", &["pseudonym", "proof"][..], 0));
    }
    let mut out = Vec::new();
    for (field, path, offset) in fields {
        for (variant, bytes) in &NONCANONICAL_IDENTITIES {
            let input = edited(pres, |v| {
                let slot = path.iter().fold(v, |v, key| match key.parse::<usize>() {
                    Ok(i) => &mut v[i],
                    Err(_) => &mut v[*key],
                });
                let mut b = unb64("field", slot.as_str().unwrap_or("")).unwrap_or_default();
                b[offset..offset + G1_LEN].copy_from_slice(bytes);
                *slot = json!(b64(&b));
            });
            out.push((
                format!("{field}-identity-{variant}"),
                "WIRE-007",
                input,
                ctx.clone(),
            ));
        }
    }
    out
}
