//! Property tests (proptest) over the public API: encode/decode round trips; issue -> present
//! -> verify for random schemas, values and requests; single-bit flips of a presentation.
//!
//! Case counts are small so the file runs in well under a minute in the test profile; raise
//! them with `PROPTEST_CASES=N cargo test -p netnym --test properties` (read by [`cases`]: it
//! replaces every count below). Randomness inside a case (keys, nonces, blinding) comes from a
//! `ChaCha20Rng` seeded by a proptest-chosen `u64`, so a failing case is reproduced from
//! proptest's printed inputs alone.

use std::sync::OnceLock;

use netnym::*;
use proptest::prelude::*;
use proptest::sample::subsequence;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// The fixture "now" of the test vectors: 2025-11-24T16:00:00Z.
const NOW: u64 = 1_764_000_000;
/// Revocation ids of the shared registry: `1..=DOMAIN`.
const DOMAIN: u64 = 64;

/// `n` cases, or `PROPTEST_CASES` when set (proptest reads that variable only for its default
/// configuration, which an explicit count would override).
fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n);
    ProptestConfig::with_cases(n)
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Public range-proof parameters (base 16), generated once.
fn range_params() -> &'static RangeParams {
    static P: OnceLock<RangeParams> = OnceLock::new();
    P.get_or_init(|| RangeParams::generate(&mut rng(5001), 16).expect("base 16"))
}

/// A revocation registry over `1..=DOMAIN` at epoch 1 (ids 3 and 5 revoked), generated once.
struct Registry {
    authority: RevocationAuthority,
    genesis: EpochEntry,
    current: EpochEntry,
    revoked: InMemoryRevokedSet,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        let (authority, genesis) =
            RevocationAuthority::generate(&mut rng(5002), DOMAIN).expect("domain");
        let mut revoked = InMemoryRevokedSet::default();
        let current = authority
            .revoke(&genesis, &[3, 5], &mut revoked)
            .expect("revoke");
        Registry {
            authority,
            genesis,
            current,
            revoked,
        }
    })
}

/// Blind issuance of `values` under a fresh key for `schema`, through the JSON encodings.
fn issue(
    r: &mut ChaCha20Rng,
    schema: &Schema,
    values: Vec<(String, AttributeValue)>,
) -> (IssuerPublicKey, Credential, LinkSecret) {
    let issuer = Issuer::new(IssuerSecretKey::generate(r), schema);
    let pk = issuer.public_key().clone();
    let offer = IssuanceOffer::new(r, &pk);
    let ls = LinkSecret::generate(r);
    let (req, pending) = BlindIssuanceRequest::new(r, &pk, &offer, &ls).expect("request");
    let req = BlindIssuanceRequest::from_json(&req.to_json()).expect("request round trip");
    let attributes = Attributes::new(schema, values).expect("valid attributes");
    let resp = issuer
        .issue_blind(r, &offer, &req, &attributes)
        .expect("issue");
    let resp = IssuanceResponse::from_json(&resp.to_json(), &pk).expect("response round trip");
    let cred = pending.finish(&pk, resp, &ls).expect("finish");
    let cred = Credential::from_json(&cred.to_json(), &pk).expect("credential round trip");
    (pk, cred, ls)
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn date() -> impl Strategy<Value = Date> {
    (0..=Date::MAX.days()).prop_map(|d| Date::from_days(d).expect("in range"))
}

fn digits(n: u8) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, usize::from(n))
        .prop_map(|ds| ds.into_iter().map(|d| char::from(b'0' + d)).collect())
}

/// A non-secret attribute type.
fn attribute_type() -> impl Strategy<Value = AttributeType> {
    prop_oneof![
        Just(AttributeType::Date),
        Just(AttributeType::Uint),
        (1u8..=18).prop_map(|digits| AttributeType::Code { digits }),
        Just(AttributeType::String),
    ]
}

/// A valid value of a non-secret type. Uint values stop at `u64::MAX - 1`, the largest a range
/// predicate can bound (PRD-007), so every value can carry a predicate.
fn value_of(ty: AttributeType) -> BoxedStrategy<AttributeValue> {
    match ty {
        AttributeType::Date => date().prop_map(AttributeValue::Date).boxed(),
        AttributeType::Uint => prop_oneof![0..=u64::MAX - 1, 0u64..1000]
            .prop_map(AttributeValue::Uint)
            .boxed(),
        AttributeType::Code { digits: n } => digits(n).prop_map(AttributeValue::Code).boxed(),
        AttributeType::String => ".{0,40}".prop_map(AttributeValue::String).boxed(),
        _ => unreachable!("only non-secret types are generated"),
    }
}

/// A random schema: 1..=6 typed attributes `a0..` plus the link secret at a random position,
/// with a valid value for each attribute.
#[derive(Debug, Clone)]
struct RandomSchema {
    id: String,
    types: Vec<AttributeType>,
    secret_at: usize,
    values: Vec<AttributeValue>,
}

impl RandomSchema {
    fn names(&self) -> Vec<String> {
        (0..self.types.len()).map(|i| format!("a{i}")).collect()
    }

    fn schema(&self) -> Schema {
        let mut attrs: Vec<(String, AttributeType)> =
            self.names().into_iter().zip(self.types.clone()).collect();
        attrs.insert(
            self.secret_at,
            ("link_secret".to_owned(), AttributeType::HolderSecret),
        );
        Schema::new(&self.id, attrs).expect("valid schema")
    }
}

fn random_schema() -> impl Strategy<Value = RandomSchema> {
    (
        "[a-z][a-z0-9._:/-]{0,20}",
        proptest::collection::vec(attribute_type(), 1..=6),
    )
        .prop_flat_map(|(id, types)| {
            let n = types.len();
            let values: Vec<BoxedStrategy<AttributeValue>> =
                types.iter().map(|t| value_of(*t)).collect();
            (Just(id), Just(types), 0..=n, values)
        })
        .prop_map(|(id, types, secret_at, values)| RandomSchema {
            id,
            types,
            secret_at,
            values,
        })
}

/// The JSON form of a bound `offset` below (`down`) or above the scalar `v` of a value of
/// type `ty`, clamped to the type's range, so the value satisfies it.
fn bound_json(ty: AttributeType, v: u64, offset: u64, down: bool) -> serde_json::Value {
    let max = match ty {
        AttributeType::Date => u64::from(Date::MAX.days()),
        AttributeType::Uint => u64::MAX - 1,
        AttributeType::Code { digits } => 10u64.pow(u32::from(digits)) - 1,
        _ => unreachable!("numeric types only"),
    };
    let b = if down {
        v.saturating_sub(offset)
    } else {
        v.saturating_add(offset).min(max)
    };
    match ty {
        AttributeType::Date => {
            let d = Date::from_days(u32::try_from(b).expect("date range")).expect("date range");
            serde_json::Value::String(d.to_string())
        }
        AttributeType::Uint => serde_json::Value::from(b),
        AttributeType::Code { digits } => {
            serde_json::Value::String(format!("{b:0width$}", width = usize::from(digits)))
        }
        _ => unreachable!("numeric types only"),
    }
}

fn scalar_of(v: &AttributeValue) -> Option<u64> {
    match v {
        AttributeValue::Date(d) => Some(u64::from(d.days())),
        AttributeValue::Uint(u) => Some(*u),
        AttributeValue::Code(c) => c.parse().ok(),
        _ => None,
    }
}

fn key_id() -> impl Strategy<Value = KeyId> {
    proptest::array::uniform32(any::<u8>())
        .prop_map(|b| KeyId::parse(&hex::encode(b)).expect("64 hex digits"))
}

fn predicate() -> impl Strategy<Value = Predicate> {
    prop_oneof![
        (0u32..=120).prop_map(Predicate::AgeAtLeast),
        (1u32..=120).prop_map(Predicate::AgeBelow),
        date().prop_map(|d| Predicate::ValidOn(d.to_string())),
        (1u8..=6)
            .prop_flat_map(digits)
            .prop_map(Predicate::RegionWithin),
        ("[a-z][a-z0-9_]{0,10}", 0u64..1_000_000, 0u64..1_000_000).prop_map(|(a, x, y)| {
            Predicate::Range(RangeSpec {
                attribute: a,
                min: Some(serde_json::Value::from(x.min(y))),
                max: Some(serde_json::Value::from(x.max(y))),
            })
        }),
    ]
}

fn query() -> impl Strategy<Value = CredentialQuery> {
    (
        "[a-z][a-z0-9./-]{0,30}",
        proptest::collection::btree_set(key_id(), 1..=3),
        proptest::collection::btree_set("[a-z][a-z0-9_]{0,12}", 0..=4),
        proptest::collection::vec(predicate(), 0..=3),
        proptest::option::of((key_id(), 0u64..100, 0u64..100)),
    )
        .prop_map(|(schema, keys, disclose, predicates, nr)| {
            let mut q = CredentialQuery::new(&schema, keys, disclose)
                .expect("valid query")
                .with_predicates(predicates)
                .expect("at most 3 predicates");
            if let Some((reg, a, b)) = nr {
                q = q
                    .with_non_revocation(NonRevocation::new(reg, a.min(b), a.max(b)))
                    .expect("ordered window");
            }
            q
        })
}

// ---------------------------------------------------------------------------------------------
// Round trips

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn date_round_trips(d in date()) {
        let s = d.to_string();
        prop_assert_eq!(Date::parse(&s), Some(d));
        let (y, m, day) = d.ymd();
        prop_assert_eq!(Date::from_ymd(y, m, day), Some(d));
        prop_assert_eq!(Date::from_days(d.days()), Some(d));
        prop_assert_eq!(format!("{y:04}-{m:02}-{day:02}"), s);
    }

    #[test]
    fn date_order_is_day_order(a in date(), b in date()) {
        prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
    }

    #[test]
    fn attribute_value_round_trips(
        (ty, v) in attribute_type().prop_flat_map(|t| (Just(t), value_of(t)))
    ) {
        let schema = Schema::new(
            "prop/value",
            [("x".to_owned(), ty), ("link_secret".to_owned(), AttributeType::HolderSecret)],
        ).expect("schema");
        let spec = &schema.attributes()[0];
        prop_assert_eq!(AttributeValue::from_json(spec, &v.to_json()), Ok(v.clone()));
        let attrs = Attributes::new(&schema, [("x".to_owned(), v.clone())]).expect("attributes");
        let again = Attributes::from_json(&schema, &attrs.to_json()).expect("attributes json");
        prop_assert_eq!(again.get("x"), Some(&v));
    }
}

proptest! {
    #![proptest_config(cases(64))]

    #[test]
    fn request_round_trips(
        seed in any::<u64>(),
        verifier_id in "[!-~]{1,40}",
        created_at in 0u64..=4_000_000_000,
        ttl in 1u64..=MAX_REQUEST_TTL,
        queries in proptest::collection::vec(query(), 1..=3),
        pseudonym in any::<bool>(),
        range in proptest::option::of(key_id()),
    ) {
        let mut r = PresentationRequest::new(&mut rng(seed), &verifier_id, created_at, ttl, queries)
            .expect("valid request");
        if pseudonym {
            r = r.with_pseudonym();
        }
        // REQ-009: predicates need named range parameters (the decoder enforces it; the
        // builder does not, see the fuzz engineer's report), so name them whenever any query
        // has predicates.
        let needs_range = r.credentials().iter().any(|q| !q.predicates().is_empty());
        match range {
            Some(id) => r = r.with_range_params(id),
            None if needs_range => r = r.with_range_params(KeyId::parse(&"ab".repeat(32)).expect("id")),
            None => {}
        }
        let json = r.to_json();
        let back = PresentationRequest::from_json(&json).expect("own encoding decodes");
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(back.digest(), r.digest());
        prop_assert_eq!(back.to_json(), json);
    }
}

proptest! {
    #![proptest_config(cases(16))]

    #[test]
    fn schema_and_issuer_key_round_trip(rs in random_schema(), seed in any::<u64>()) {
        let schema = rs.schema();
        let schema_back = Schema::from_json(schema.to_json().as_bytes()).expect("schema json");
        prop_assert_eq!(&schema_back, &schema);
        prop_assert_eq!(schema_back.digest(), schema.digest());

        let sk = IssuerSecretKey::generate(&mut rng(seed));
        let pk = IssuerPublicKey::from_secret(&sk, &schema);
        let json = pk.to_json();
        let back = IssuerPublicKey::from_json(&json).expect("own encoding decodes");
        prop_assert_eq!(back.key_id(), pk.key_id());
        prop_assert_eq!(back.to_json(), json);
        prop_assert_eq!(&back, &pk);
        let sk_back = IssuerSecretKey::from_json(&sk.to_json()).expect("secret key json");
        prop_assert_eq!(IssuerPublicKey::from_secret(&sk_back, &schema), pk);
    }

    #[test]
    fn epoch_entries_and_witnesses_round_trip(
        revoke in proptest::collection::btree_set(1u64..=DOMAIN, 1..=8),
        holder in 1u64..=DOMAIN,
    ) {
        let reg = registry();
        // Ids 3 and 5 are revoked in the shared registry's epoch 1: revoke from genesis here.
        let mut revoked = InMemoryRevokedSet::default();
        let ids: Vec<u64> = revoke.iter().copied().collect();
        let entry = reg.authority.revoke(&reg.genesis, &ids, &mut revoked).expect("revoke");
        let json = entry.to_json();
        let back = EpochEntry::from_json(&json).expect("own encoding decodes");
        prop_assert_eq!(&back, &entry);
        prop_assert_eq!(back.to_json(), json);
        prop_assert_eq!(back.revoked(), &ids[..]);
        prop_assert_eq!(back.epoch(), 1);

        let rk = RegistryPublicKey::from_json(&reg.authority.public_key().to_json())
            .expect("registry key json");
        prop_assert_eq!(&rk, reg.authority.public_key());

        // A witness at genesis, through JSON, updated with the decoded entry: still valid
        // exactly when the holder was not revoked.
        let w = reg
            .authority
            .witness(holder, &reg.genesis, &InMemoryRevokedSet::default())
            .expect("witness");
        let mut w = MembershipWitness::from_json(&w.to_json(), &rk).expect("witness json");
        let updated = w.update(&back);
        if revoke.contains(&holder) {
            prop_assert!(updated.is_err() || !w.verify(&rk));
        } else {
            prop_assert_eq!(updated, Ok(()));
            prop_assert!(w.verify(&rk));
            prop_assert_eq!(w.epoch(), 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Issue -> present -> verify

/// What a random request asks of a random schema's credential.
#[derive(Debug, Clone)]
struct Ask {
    disclose_mask: Vec<bool>,
    /// Per attribute: None, or (offset, lower?, upper?) of a range predicate it satisfies.
    ranges: Vec<Option<(u64, bool, bool)>>,
    pseudonym: bool,
    seed: u64,
}

fn ask(n: usize) -> impl Strategy<Value = Ask> {
    let range = proptest::option::weighted(
        0.3,
        (
            prop_oneof![Just(0u64), 0u64..100, any::<u64>()],
            any::<bool>(),
            any::<bool>(),
        ),
    );
    (
        proptest::collection::vec(any::<bool>(), n),
        proptest::collection::vec(range, n),
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(|(disclose_mask, ranges, pseudonym, seed)| Ask {
            disclose_mask,
            ranges,
            pseudonym,
            seed,
        })
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn random_schema_issue_present_verify(
        (rs, a) in random_schema().prop_flat_map(|rs| {
            let n = rs.types.len();
            (Just(rs), ask(n))
        })
    ) {
        let mut r = rng(a.seed);
        let schema = rs.schema();
        let names = rs.names();
        let values: Vec<(String, AttributeValue)> =
            names.iter().cloned().zip(rs.values.iter().cloned()).collect();
        let (pk, cred, ls) = issue(&mut r, &schema, values);

        let disclose: Vec<String> = names
            .iter()
            .zip(&a.disclose_mask)
            .filter(|(_, d)| **d)
            .map(|(n, _)| n.clone())
            .collect();
        // Range predicates on hidden numeric attributes, at most two (cost), each satisfied.
        let mut predicates = Vec::new();
        for (i, spec) in a.ranges.iter().enumerate() {
            let Some((offset, lower, upper)) = *spec else { continue };
            let Some(v) = scalar_of(&rs.values[i]) else { continue };
            if a.disclose_mask[i] || predicates.len() == 2 {
                continue;
            }
            predicates.push(Predicate::Range(RangeSpec {
                attribute: names[i].clone(),
                min: lower.then(|| bound_json(rs.types[i], v, offset, true)),
                max: upper.then(|| bound_json(rs.types[i], v, offset, false)),
            }));
        }
        let has_predicates = !predicates.is_empty();
        let q = CredentialQuery::new(schema.id(), [pk.key_id()], disclose.clone())
            .expect("query")
            .with_predicates(predicates)
            .expect("predicates");
        let mut request = PresentationRequest::new(&mut r, "prop.example", NOW, 300, vec![q])
            .expect("request");
        if a.pseudonym {
            request = request.with_pseudonym();
        }
        if has_predicates {
            request = request.with_range_params(range_params().id());
        }
        let request = PresentationRequest::from_json(&request.to_json()).expect("request json");

        let p = Presentation::create_with(
            &mut r, &request, &[Holding::new(&cred, &pk)], &ls, &[range_params()],
        ).expect("the credential satisfies the request");
        let parsed = ParsedPresentation::from_json(&p.to_json()).expect("presentation json");
        let verifier = Verifier::new([pk.clone()]).with_range_params(range_params().clone());
        let verified = verifier.verify(&request, &parsed, NOW + 1).expect("verifies");
        let reference = verifier.verify_reference(&request, &parsed, NOW + 1).expect("reference");
        prop_assert_eq!(&verified, &reference);

        let c = &verified.credentials()[0];
        prop_assert_eq!(c.key_id(), pk.key_id());
        prop_assert_eq!(c.disclosed().len(), disclose.len());
        for name in &disclose {
            let i = names.iter().position(|n| n == name).expect("name");
            prop_assert_eq!(c.get(name), Some(&rs.values[i]));
        }
        prop_assert_eq!(verified.pseudonym().is_some(), a.pseudonym);
    }
}

/// The cn-network-id/v1 citizen of a random birth date, region and validity window.
#[derive(Debug, Clone)]
struct Citizen {
    birth: Date,
    region: String,
    issued: Date,
    expires: Date,
    revocation_id: u64,
}

fn citizen() -> impl Strategy<Value = Citizen> {
    // Birth dates 1901-01-01..NOW (so `AgeBelow(age + 1)` stays after 1900); validity
    // windows around NOW (2025-11-24).
    let today = Date::from_unix(NOW).expect("now").days();
    let first = Date::from_ymd(1901, 1, 1).expect("date").days();
    (
        first..today,
        digits(6),
        0u32..4000,
        0u32..4000,
        prop_oneof![1u64..=DOMAIN, Just(3u64), Just(5u64)],
    )
        .prop_map(move |(b, region, back, fwd, id)| Citizen {
            birth: Date::from_days(b).expect("date"),
            region,
            issued: Date::from_days(today - back).expect("date"),
            expires: Date::from_days(today + fwd).expect("date"),
            revocation_id: id,
        })
}

impl Citizen {
    fn values(&self) -> Vec<(String, AttributeValue)> {
        let schema = Schema::cn_network_id_v1();
        let json = serde_json::json!({
            "revocation_id": self.revocation_id, "document_type": "01",
            "document_number": "310115199001011234", "family_name": "Zhang",
            "given_name": "Wei", "birth_date": self.birth.to_string(), "region": self.region,
            "nationality": "CHN", "issued_on": self.issued.to_string(),
            "expires_on": self.expires.to_string()
        });
        json.as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| {
                let spec = &schema.attributes()[schema.index_of(k).expect("attribute")];
                (
                    k.clone(),
                    AttributeValue::from_json(spec, v).expect("valid value"),
                )
            })
            .collect()
    }

    /// Age in whole years on `reference`.
    fn age_on(&self, reference: Date) -> u32 {
        let (by, bm, bd) = self.birth.ymd();
        let (ry, rm, rd) = reference.ymd();
        ry - by - u32::from((rm, rd) < (bm, bd))
    }
}

proptest! {
    #![proptest_config(cases(16))]

    /// The named predicates of cn-network-id/v1 (age, validity, region prefix) and
    /// non-revocation, each included at random and always satisfied by the random citizen.
    #[test]
    fn citizen_predicates_and_revocation_verify(
        who in citizen(),
        picks in proptest::collection::vec(any::<bool>(), 5),
        prefix_len in 1usize..=6,
        pseudonym in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let mut r = rng(seed);
        let schema = Schema::cn_network_id_v1();
        let (pk, cred, ls) = issue(&mut r, &schema, who.values());
        let today = Date::from_unix(NOW).expect("now");
        let age = who.age_on(today);

        let mut predicates = Vec::new();
        if picks[0] {
            predicates.push(Predicate::AgeAtLeast(age));
        }
        if picks[1] {
            predicates.push(Predicate::AgeBelow(age + 1));
        }
        if picks[2] {
            predicates.push(Predicate::ValidOn(today.to_string()));
        }
        if picks[3] {
            predicates.push(Predicate::RegionWithin(who.region[..prefix_len].to_owned()));
        }
        let reg = registry();
        let revoked = [3, 5].contains(&who.revocation_id);
        let non_revocation = picks[4] && !revoked;
        let has_predicates = !predicates.is_empty();
        let mut q = CredentialQuery::new(schema.id(), [pk.key_id()], ["nationality".to_owned()])
            .expect("query")
            .with_predicates(predicates)
            .expect("predicates");
        if non_revocation {
            q = q.with_non_revocation(NonRevocation::new(reg.authority.public_key().id(), 1, 1))
                .expect("window");
        }
        let mut request = PresentationRequest::new(&mut r, "shop.example", NOW, 300, vec![q])
            .expect("request");
        if pseudonym {
            request = request.with_pseudonym();
        }
        if has_predicates {
            request = request.with_range_params(range_params().id());
        }
        let witness = non_revocation.then(|| {
            reg.authority.witness(who.revocation_id, &reg.current, &reg.revoked).expect("witness")
        });
        let mut holding = Holding::new(&cred, &pk);
        if let Some(w) = &witness {
            holding = holding.with_witness(w);
        }
        let p = Presentation::create_with(&mut r, &request, &[holding], &ls, &[range_params()])
            .expect("the citizen satisfies the request");
        let mut verifier = Verifier::new([pk.clone()])
            .with_range_params(range_params().clone())
            .with_registry(reg.authority.public_key().clone());
        verifier.add_epoch(&reg.current).expect("epoch");
        let verified = verifier.verify_json(&request, &p.to_json(), NOW + 1).expect("verifies");
        prop_assert_eq!(
            verified.credentials()[0].get("nationality"),
            Some(&AttributeValue::String("CHN".into()))
        );
        prop_assert_eq!(verified.credentials()[0].disclosed().len(), 1);
        prop_assert_eq!(verified.pseudonym().is_some(), pseudonym);
    }
}

// ---------------------------------------------------------------------------------------------
// Single-bit flips

struct Fixed {
    request: PresentationRequest,
    verifier: Verifier,
    bytes: Vec<u8>,
}

/// One presentation exercising every field: two disclosures, age and validity predicates
/// (three range proofs), a pseudonym and non-revocation.
fn fixed() -> &'static Fixed {
    static F: OnceLock<Fixed> = OnceLock::new();
    F.get_or_init(|| {
        let mut r = rng(9001);
        let schema = Schema::cn_network_id_v1();
        let who = Citizen {
            birth: Date::parse("1990-01-01").expect("date"),
            region: "310115".into(),
            issued: Date::parse("2020-05-01").expect("date"),
            expires: Date::parse("2030-05-01").expect("date"),
            revocation_id: 42,
        };
        let (pk, cred, ls) = issue(&mut r, &schema, who.values());
        let reg = registry();
        let q = CredentialQuery::new(
            schema.id(),
            [pk.key_id()],
            ["region".to_owned(), "given_name".to_owned()],
        )
        .expect("query")
        .with_predicates([
            Predicate::AgeAtLeast(18),
            Predicate::ValidOn("2025-11-24".into()),
        ])
        .expect("predicates")
        .with_non_revocation(NonRevocation::new(reg.authority.public_key().id(), 1, 1))
        .expect("window");
        let request = PresentationRequest::new(&mut r, "shop.example", NOW, 300, vec![q])
            .expect("request")
            .with_pseudonym()
            .with_range_params(range_params().id());
        let w = reg
            .authority
            .witness(42, &reg.current, &reg.revoked)
            .expect("witness");
        let p = Presentation::create_with(
            &mut r,
            &request,
            &[Holding::new(&cred, &pk).with_witness(&w)],
            &ls,
            &[range_params()],
        )
        .expect("present");
        let mut verifier = Verifier::new([pk])
            .with_range_params(range_params().clone())
            .with_registry(reg.authority.public_key().clone());
        verifier.add_epoch(&reg.current).expect("epoch");
        let bytes = p.to_json();
        verifier
            .verify_json(&request, &bytes, NOW + 1)
            .expect("the original verifies");
        Fixed {
            request,
            verifier,
            bytes,
        }
    })
}

/// True when `bytes` is rejected by parsing or verification.
fn rejected(f: &Fixed, bytes: &[u8]) -> bool {
    f.verifier.verify_json(&f.request, bytes, NOW + 1).is_err()
}

#[test]
fn fixed_presentation_is_compact_json() {
    // The encoder writes no insignificant whitespace, so no flip can land in whitespace; a
    // flip that creates whitespace (e.g. '0' 0x30 -> ' ' 0x20, '"' 0x22 -> ' ') changes the
    // JSON value. Hence the flip property below demands that every flip be rejected, unless
    // the flipped bytes denote the very same JSON value (checked, never observed).
    let f = fixed();
    serde_json::from_slice::<serde_json::Value>(&f.bytes).expect("JSON");
    // No JSON whitespace anywhere (the fixture's strings hold none either).
    assert!(
        !f.bytes.iter().any(|b| b" \t\n\r".contains(b)),
        "the encoder wrote whitespace"
    );
    assert!(f.bytes.len() > 1000, "the fixture carries proofs");
}

proptest! {
    #![proptest_config(cases(128))]

    /// Any single-bit flip of the presentation's JSON bytes is rejected: by the decoder
    /// (syntax, unknown keys, base64 alphabet or trailing bits, encodings of points and
    /// scalars) or by verification (nonce, claims, proofs). Half the cases aim at the bytes
    /// outside base64 runs (keys, structure, disclosed values), where a flip most often
    /// still parses.
    #[test]
    fn single_bit_flip_is_rejected(pick in any::<proptest::sample::Index>(), bit in 0u8..8, structural in any::<bool>()) {
        let f = fixed();
        let positions: Vec<usize> = if structural {
            structural_positions(&f.bytes)
        } else {
            (0..f.bytes.len()).collect()
        };
        let at = positions[pick.index(positions.len())];
        let mut flipped = f.bytes.clone();
        flipped[at] ^= 1 << bit;
        if !rejected(f, &flipped) {
            let same = serde_json::from_slice::<serde_json::Value>(&flipped).ok()
                == serde_json::from_slice::<serde_json::Value>(&f.bytes).ok();
            prop_assert!(same, "flip of bit {} at byte {} accepted: {:?}",
                bit, at, String::from_utf8_lossy(&flipped[at.saturating_sub(20)..(at + 20).min(flipped.len())]));
        }
    }
}

/// Byte positions outside runs of 20 or more base64url characters.
fn structural_positions(bytes: &[u8]) -> Vec<usize> {
    let b64 = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && b64(bytes[i]) {
            i += 1;
        }
        if i - start < 20 {
            out.extend(start..i);
        }
        if i < bytes.len() {
            out.push(i);
        }
        i += 1;
    }
    out
}

#[test]
fn every_structural_bit_flip_is_rejected() {
    // Exhaustive over the structural bytes (every bit), complementing the random property.
    let f = fixed();
    let positions = structural_positions(&f.bytes);
    let mut accepted = Vec::new();
    for &at in &positions {
        for bit in 0..8 {
            let mut flipped = f.bytes.clone();
            flipped[at] ^= 1 << bit;
            if !rejected(f, &flipped) {
                accepted.push((at, bit));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "accepted flips (byte, bit): {accepted:?}"
    );
}

/// Keep `subsequence` in use for disclosure subsets of the cn schema.
#[test]
fn cn_disclosure_subsets_verify() {
    let schema = Schema::cn_network_id_v1();
    let names: Vec<String> = schema
        .attributes()
        .iter()
        .filter(|a| a.ty() != AttributeType::HolderSecret)
        .map(|a| a.name().to_owned())
        .collect();
    let mut runner = proptest::test_runner::TestRunner::new(cases(6));
    let mut r = rng(9002);
    let who = Citizen {
        birth: Date::parse("1990-01-01").expect("date"),
        region: "310115".into(),
        issued: Date::parse("2020-05-01").expect("date"),
        expires: Date::parse("2030-05-01").expect("date"),
        revocation_id: 42,
    };
    let values = who.values();
    let (pk, cred, ls) = issue(&mut r, &schema, values.clone());
    let verifier = Verifier::new([pk.clone()]);
    runner
        .run(
            &(subsequence(names.clone(), 0..=names.len()), any::<u64>()),
            |(subset, seed)| {
                let mut r = rng(seed);
                let q = CredentialQuery::new(schema.id(), [pk.key_id()], subset.clone())
                    .expect("query");
                let request =
                    PresentationRequest::new(&mut r, "platform.example", NOW, 300, vec![q])
                        .expect("request");
                let p =
                    Presentation::create(&mut r, &request, &[(&cred, &pk)], &ls).expect("present");
                let v = verifier
                    .verify_json(&request, &p.to_json(), NOW + 1)
                    .expect("verifies");
                let c = &v.credentials()[0];
                prop_assert_eq!(c.disclosed().len(), subset.len());
                for name in &subset {
                    let expected = values.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                    prop_assert_eq!(c.get(name), expected);
                }
                Ok(())
            },
        )
        .expect("every disclosure subset verifies");
}
