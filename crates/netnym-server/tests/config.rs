//! Authority key management and policy validation.

#![allow(clippy::unwrap_used)]

use netnym::{IssuerPublicKey, IssuerSecretKey, Schema};
use netnym_server::*;
use netnym_store::*;
use rand::SeedableRng;

fn rng() -> rand_chacha::ChaCha20Rng {
    seeded(4)
}

fn seeded(seed: u64) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(seed)
}

#[tokio::test]
async fn authority_keys_are_sealed_and_need_the_passphrase() {
    let store = Store::open_in_memory().await.unwrap();
    assert!(matches!(
        AuthorityKeys::load(&store, b"pass").await,
        Err(AuthorityKeyError::NotInitialised)
    ));
    store
        .import_citizens(&generate_citizens(1, 1, 5), 0)
        .await
        .unwrap();
    assert!(matches!(
        AuthorityKeys::init(&store, &mut rng(), b"pass", 4, KdfParams::INSECURE_FAST).await,
        Err(AuthorityKeyError::Domain(_))
    ));
    assert!(matches!(
        AuthorityKeys::init(&store, &mut rng(), b"", 8, KdfParams::INSECURE_FAST).await,
        Err(AuthorityKeyError::Seal(SecretError::EmptyPassphrase))
    ));
    let keys = AuthorityKeys::init(&store, &mut rng(), b"pass", 8, KdfParams::INSECURE_FAST)
        .await
        .unwrap();
    assert_eq!(store.latest_epoch().await.unwrap(), Some(0));
    assert!(matches!(
        AuthorityKeys::init(&store, &mut rng(), b"pass", 8, KdfParams::INSECURE_FAST).await,
        Err(AuthorityKeyError::AlreadyInitialised)
    ));
    let err = AuthorityKeys::load(&store, b"wrong").await.unwrap_err();
    assert!(matches!(err, AuthorityKeyError::WrongPassphrase));
    assert_eq!(err.to_string(), "wrong passphrase for the authority keys");
    let loaded = AuthorityKeys::load(&store, b"pass").await.unwrap();
    assert_eq!(loaded.issuer().public_key(), keys.issuer().public_key());
    assert_eq!(loaded.registry().public_key(), keys.registry().public_key());
    assert_eq!(loaded.range_params().id(), keys.range_params().id());
    // Still one genesis entry.
    assert_eq!(store.latest_epoch().await.unwrap(), Some(0));
    // Debug never shows secrets.
    let dbg = format!("{loaded:?}");
    assert!(dbg.starts_with("AuthorityKeys") && !dbg.contains("secret_key"));
    assert_eq!(
        format!(
            "{:?}",
            AdminToken::new("admin-token-for-tests-0123456789").unwrap()
        ),
        "AdminToken(..)"
    );
    // SEC-002.
    assert!(matches!(
        AdminToken::new("short"),
        Err(WeakSecret::TooShort { min: 16, .. })
    ));
    assert!(matches!(
        AdminToken::new("0123456789abcdef"),
        Err(WeakSecret::TooGuessable { .. })
    ));
}

#[tokio::test]
async fn issuer_keys_rotate_and_retire() {
    let store = Store::open_in_memory().await.unwrap();
    let keys = AuthorityKeys::init(&store, &mut rng(), b"pass", 8, KdfParams::INSECURE_FAST)
        .await
        .unwrap();
    let first = keys.issuer().public_key().clone();
    let recorded = store.issuer_keys().await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].key_id, first.key_id().to_string());

    // Rotation checks the passphrase first and changes nothing when it is wrong.
    assert!(matches!(
        AuthorityKeys::rotate(&store, &mut rng(), b"wrong", 10).await,
        Err(AuthorityKeyError::WrongPassphrase)
    ));
    assert_eq!(store.issuer_keys().await.unwrap().len(), 1);
    let second = AuthorityKeys::rotate(&store, &mut seeded(40), b"pass", 10)
        .await
        .unwrap();
    assert_ne!(second.key_id(), first.key_id());
    let loaded = AuthorityKeys::load(&store, b"pass").await.unwrap();
    assert_eq!(loaded.issuer().public_key(), &second);
    assert_eq!(
        loaded
            .issuers()
            .iter()
            .map(|i| i.public_key().key_id())
            .collect::<Vec<_>>(),
        [first.key_id(), second.key_id()]
    );
    assert!(loaded.issuer_by_id(&first.key_id()).is_some());
    assert_eq!(
        published_issuer_keys(&store).await.unwrap(),
        [first.clone(), second.clone()]
    );

    // The current key is not retired; the first one is, and is neither used nor published.
    let err = retire_issuer_key(&store, &second.key_id().to_string(), 11)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        AuthorityKeyError::IssuerKey(IssuerKeyError::Current(_))
    ));
    retire_issuer_key(&store, &first.key_id().to_string(), 11)
        .await
        .unwrap();
    let loaded = AuthorityKeys::load(&store, b"pass").await.unwrap();
    assert_eq!(loaded.issuers().len(), 1);
    assert!(loaded.issuer_by_id(&first.key_id()).is_none());
    assert_eq!(loaded.issuer().public_key(), &second);
    assert_eq!(
        published_issuer_keys(&store).await.unwrap(),
        vec![second.clone()]
    );

    // A third key: retiring the second deletes its sealed secret.
    let third = AuthorityKeys::rotate(&store, &mut seeded(41), b"pass", 12)
        .await
        .unwrap();
    retire_issuer_key(&store, &second.key_id().to_string(), 13)
        .await
        .unwrap();
    assert!(store
        .sealed_secret(&format!(
            "{}{}",
            authority::ROTATED_KEY_SECRET_PREFIX,
            second.key_id()
        ))
        .await
        .is_err());
    let loaded = AuthorityKeys::load(&store, b"pass").await.unwrap();
    assert_eq!(loaded.issuer().public_key(), &third);
    assert_eq!(loaded.issuers().len(), 1);

    // LOG-021: init started the transparency log, and every key and retirement since was
    // logged with its record.
    let kinds: Vec<_> = store
        .log_entries(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|b| netnym_log::LogEntry::decode(b).unwrap().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "issuer-key-published",
            "range-params-published",
            "registry-key-published",
            "epoch",
            "issuer-key-published",
            "issuer-key-retired",
            "issuer-key-published",
            "issuer-key-retired",
        ]
    );
}

#[tokio::test]
async fn load_repairs_a_missing_genesis_and_refuses_a_foreign_log() {
    let store = Store::open_in_memory().await.unwrap();
    let keys = AuthorityKeys::init(&store, &mut rng(), b"pass", 8, KdfParams::INSECURE_FAST)
        .await
        .unwrap();
    drop(keys);
    // A second database whose log belongs to another registry.
    let other = Store::open_in_memory().await.unwrap();
    let sealed = store
        .sealed_secret(authority::AUTHORITY_SECRET_NAME)
        .await
        .unwrap();
    other
        .put_sealed_secret(authority::AUTHORITY_SECRET_NAME, &sealed)
        .await
        .unwrap();
    // No genesis yet: load writes it. Nor a log (a database from before the log): load
    // starts it with everything published so far (LOG-021).
    assert_eq!(other.log_size().await.unwrap(), 0);
    let loaded = AuthorityKeys::load(&other, b"pass").await.unwrap();
    assert_eq!(other.latest_epoch().await.unwrap(), Some(0));
    let entries: Vec<_> = other
        .log_entries(0, 100)
        .await
        .unwrap()
        .iter()
        .map(|b| netnym_log::LogEntry::decode(b).unwrap())
        .collect();
    assert_eq!(entries.len(), 4);
    assert!(matches!(
        &entries[0],
        netnym_log::LogEntry::IssuerKeyPublished { key_id, .. }
            if key_id.as_bytes() == loaded.issuer().public_key().key_id().as_bytes()
    ));
    assert!(matches!(
        &entries[3],
        netnym_log::LogEntry::Epoch { epoch: 0, .. }
    ));
    // Loading again adds nothing.
    AuthorityKeys::load(&other, b"pass").await.unwrap();
    assert_eq!(other.log_size().await.unwrap(), 4);
    let third = Store::open_in_memory().await.unwrap();
    let (foreign, genesis) =
        netnym::RevocationAuthority::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(77), 8)
            .unwrap();
    drop(foreign);
    third
        .append_epoch(0, &[], &genesis.to_json(), 0)
        .await
        .unwrap();
    third
        .put_sealed_secret(authority::AUTHORITY_SECRET_NAME, &sealed)
        .await
        .unwrap();
    assert!(matches!(
        AuthorityKeys::load(&third, b"pass").await,
        Err(AuthorityKeyError::Corrupt(m)) if m.contains("another registry")
    ));
}

fn key() -> IssuerPublicKey {
    let sk = IssuerSecretKey::generate(&mut rng());
    IssuerPublicKey::from_secret(&sk, &Schema::cn_network_id_v1())
}

fn policy(extra: &str) -> String {
    format!(
        r#"{{"verifier_id": "shop.example", "issuer_key_ids": ["{}"]{extra}}}"#,
        key().key_id()
    )
}

fn invalid(text: &str) -> String {
    match Policy::parse(text, false).unwrap().validate(&[key()]) {
        Err(PolicyError::Invalid(m)) => m,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn policies_are_validated_at_load() {
    let ok = Policy::parse(&policy(r#", "disclose": ["region"], "predicates": [{"age_at_least": 18}, {"valid_on": "today"}]"#), false)
        .unwrap()
        .validate(&[key()])
        .unwrap();
    assert!(ok.has_predicates());
    assert_eq!(ok.policy().validity_seconds, 300);
    assert!(ok.policy().pseudonym);
    let req = ok
        .request(&mut rng(), 1_764_000_000, None, Some(key().key_id()))
        .unwrap();
    assert!(req.pseudonym());
    assert_eq!(req.expires_at(), 1_764_000_300);
    assert_eq!(req.range_params(), Some(key().key_id()));

    assert!(invalid(&policy(r#", "disclose": ["favourite_colour"]"#)).contains("unknown attribute"));
    assert!(invalid(&policy(r#", "disclose": ["link_secret"]"#)).contains("holder's secret"));
    assert!(invalid(&policy(r#", "validity_seconds": 0"#)).contains("validity_seconds"));
    assert!(invalid(&policy(r#", "validity_seconds": 86401"#)).contains("validity_seconds"));
    assert!(invalid(&policy(r#", "accepted_epochs": 0"#)).contains("accepted_epochs"));
    // The core's verifier-id rule (found by the policy_parse fuzz target).
    for id in ["sh aop.example", r"shop\u00e9", r"tab\there", ""] {
        let text = format!(
            r#"{{"verifier_id": "{id}", "issuer_key_ids": ["{}"]}}"#,
            key().key_id()
        );
        assert_eq!(
            invalid(&text),
            "verifier_id must be 1..=128 printable ASCII characters without spaces",
            "{id:?}"
        );
    }
    assert!(invalid(&policy(r#", "predicates": [{"age_at_least": "x"}]"#)).contains("predicate"));
    assert!(invalid(&policy(
        r#", "disclose": ["birth_date"], "predicates": [{"age_at_least": 18}]"#
    ))
    .contains("both disclosed and range-checked"));
    assert!(invalid(&policy(r#", "predicates": [{"region_within": "3x"}]"#)).contains("region"));
    assert!(invalid(&policy(r#", "schema_id": "other/v1""#)).contains("schema"));
    assert!(invalid(r#"{"verifier_id": "", "issuer_key_ids": []}"#).contains("verifier_id"));
    assert!(invalid(r#"{"verifier_id": "a", "issuer_key_ids": []}"#).contains("must not be empty"));
    assert!(invalid(&format!(
        r#"{{"verifier_id": "a", "issuer_key_ids": ["{}"]}}"#,
        "ab".repeat(32)
    ))
    .contains("not among the trusted keys"));
    assert!(
        invalid(r#"{"verifier_id": "a", "issuer_key_ids": ["nothex"]}"#).contains("issuer_key_ids")
    );
    // Syntax errors name the format and position; unknown fields are refused.
    let e = Policy::parse("verifier_id = ", true).unwrap_err();
    assert!(
        matches!(e, PolicyError::Syntax { format: "TOML", .. }),
        "{e}"
    );
    let e = Policy::parse(
        r#"{"verifier_id": "a", "issuer_key_ids": [], "colour": 1}"#,
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    let e = Policy::from_file(std::path::Path::new("/nonexistent/policy.toml")).unwrap_err();
    assert!(matches!(e, PolicyError::Io { .. }));
}

#[tokio::test]
async fn verifier_config_needs_range_params_and_registry_when_the_policy_does() {
    let pk = key();
    let store = Store::open_in_memory().await.unwrap();
    let with_predicates =
        Policy::parse(&policy(r#", "predicates": [{"age_at_least": 18}]"#), false)
            .unwrap()
            .validate(std::slice::from_ref(&pk))
            .unwrap();
    let cfg = VerifierConfig {
        policy: with_predicates,
        issuer_keys: vec![pk.clone()],
        revocation: None,
        range_params: None,
        clock: system_clock(),
    };
    assert!(
        matches!(VerifierState::new(store.clone(), cfg), Err(StartError::Config(m)) if m.contains("range-proof"))
    );
    let non_revoked = Policy::parse(&policy(r#", "non_revoked": true"#), false)
        .unwrap()
        .validate(std::slice::from_ref(&pk))
        .unwrap();
    let cfg = VerifierConfig {
        policy: non_revoked,
        issuer_keys: vec![pk],
        revocation: None,
        range_params: None,
        clock: system_clock(),
    };
    assert!(
        matches!(VerifierState::new(store, cfg), Err(StartError::Config(m)) if m.contains("non-revocation"))
    );
}
