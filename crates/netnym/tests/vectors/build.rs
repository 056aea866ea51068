//! The positive vectors (encoding, keys, issuance, params, presentations) and the fixtures
//! the negative ones start from.

use super::*;

pub(crate) struct Fixture {
    pub(crate) issuers: Vec<Issuer>,
    pub(crate) link_secret: LinkSecret,
    pub(crate) credential: Credential,
    pub(crate) request: PresentationRequest,
    pub(crate) presentation: Presentation,
}

pub(crate) fn issuer(seed: u64) -> Issuer {
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
    let params = signature_params(&schema);
    let attrs = Attributes::from_json(&schema, &citizen_json()).expect("fixture");
    let encodings: Vec<Value> = schema
        .attributes()
        .iter()
        .filter_map(|a| {
            attrs.get(a.name()).map(|v| {
                json!({"name": a.name(), "value": v.to_json(),
                       "scalar": to_hex(&fr_bytes(&attribute_scalar(v)))})
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
    let (extra, canonical_010) = predicate_vectors(&mut out, &f);
    out.extend(negative(&f, &offer, &ireq, extra, canonical_010));
    out
}

/// A negative case: name, rule, input, context.
pub(crate) type Case = (String, &'static str, Value, Value);

/// The UTC noon of a date, in Unix seconds.
pub(crate) fn noon(date: &str) -> u64 {
    Date::parse(date).map_or(0, |d| u64::from(d.days()) * 86_400 - 2_208_988_800 + 43_200)
}

/// Edit the bytes of range proof `k` of credential 0.
pub(crate) fn with_range_bytes(p: &Value, k: usize, edit: impl FnOnce(&mut Vec<u8>)) -> Value {
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
pub(crate) fn predicate_vectors(
    out: &mut Vec<(String, Value)>,
    f: &Fixture,
) -> (Vec<Case>, Vec<Case>) {
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
    let mut canonical: Vec<Case> = Vec::new();
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
        if file == "010" {
            canonical = canonical_identity_cases(&pres_v, &ctx)
                .into_iter()
                .map(|(name, rule, input, context)| (format!("{tag}-{name}"), rule, input, context))
                .collect();
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
    let strict = request_with_nonce(
        &PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q]).expect("fixture"),
        lenient.nonce(),
    );
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
    let r18 = request_with_nonce(
        &PresentationRequest::new(&mut r, "shop.example", now, 600, vec![q18]).expect("fixture"),
        r17.nonce(),
    );
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
    (cases, canonical)
}
