//! Wallet integration tests: file round trip, wrong password, tampering, recovery, the check
//! before presenting and the reveal summary.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use std::fs;
use std::path::{Path, PathBuf};

use netnym::*;
use netnym_wallet::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// 2025-11-24 16:00:00 UTC.
const NOW: u64 = 1_764_000_000;

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn pw() -> Password {
    Password::new("correct horse battery".to_owned())
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    issuer: Issuer,
    range: RangeParams,
    wallet: Wallet,
    rng: ChaCha20Rng,
}

impl Fixture {
    fn verifier(&self) -> Verifier {
        Verifier::new([self.issuer.public_key().clone()]).with_range_params(self.range.clone())
    }
}

fn attributes(birth: &str, region: &str, expires: &str) -> serde_json::Value {
    serde_json::json!({
        "revocation_id": 7, "document_type": "01", "document_number": "310115200001011234",
        "family_name": "Li", "given_name": "Na", "birth_date": birth,
        "region": region, "nationality": "CHN", "issued_on": "2024-01-01",
        "expires_on": expires
    })
}

fn enroll(f: &mut Fixture, attrs: &serde_json::Value) -> String {
    let pk = f.issuer.public_key().clone();
    let (key_id, _) = f.wallet.add_issuer_key(&pk.to_json()).unwrap();
    let offer = IssuanceOffer::new(&mut f.rng, &pk);
    let (req, pending) = f.wallet.begin_enrollment(&mut f.rng, &offer).unwrap();
    let a = Attributes::from_json(pk.schema(), attrs).unwrap();
    let resp = f.issuer.issue_blind(&mut f.rng, &offer, &req, &a).unwrap();
    f.wallet
        .finish_enrollment(pending, key_id, &resp.to_json(), NOW)
        .unwrap()
}

fn fixture(seed: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wallet.nnw");
    let mut rng = rng(seed);
    let issuer = Issuer::new(
        IssuerSecretKey::generate(&mut rng),
        &Schema::cn_network_id_v1(),
    );
    let (mut wallet, _) =
        Wallet::create(&mut rng, &path, &pw(), KdfParams::INSECURE_FAST, NOW).unwrap();
    let range = RangeParams::generate(&mut rng, 16).unwrap();
    wallet.add_range_params(&range.to_json()).unwrap();
    Fixture {
        _dir: dir,
        path,
        issuer,
        range,
        wallet,
        rng,
    }
}

fn request(
    f: &mut Fixture,
    disclose: &[&str],
    predicates: Vec<Predicate>,
    keys: Vec<KeyId>,
) -> PresentationRequest {
    let q = CredentialQuery::new(
        Schema::cn_network_id_v1().id(),
        keys,
        disclose.iter().map(|s| (*s).to_owned()),
    )
    .unwrap()
    .with_predicates(predicates)
    .unwrap();
    PresentationRequest::new(&mut f.rng, "shop.example", NOW, 300, vec![q])
        .unwrap()
        .with_pseudonym()
        .with_range_params(f.range.id())
}

fn open_err(path: &Path, password: &Password) -> OpenError {
    Wallet::open(path, password).unwrap_err()
}

#[test]
fn save_and_open_round_trip() {
    let mut f = fixture(1);
    let id = enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    assert_eq!(id, "cred-1");
    let (ra, genesis) = RevocationAuthority::generate(&mut f.rng, 64).unwrap();
    let witness = ra
        .witness(7, &genesis, &InMemoryRevokedSet::default())
        .unwrap();
    let (reg, _) = f
        .wallet
        .add_registry_key(&ra.public_key().to_json())
        .unwrap();
    f.wallet.set_witness(&id, &reg, &witness.to_json()).unwrap();
    assert!(f
        .wallet
        .add_public_param("registry", b"{\"k\":1}", |_| Ok(()), NOW)
        .unwrap());
    let key = f.issuer.public_key().key_id();
    let ask = request(
        &mut f,
        &["region"],
        vec![Predicate::AgeAtLeast(18)],
        vec![key],
    );
    f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
    f.wallet.save(&mut f.rng).unwrap();

    let w = Wallet::open(&f.path, &pw()).unwrap();
    assert_eq!(w.link_secret(), f.wallet.link_secret());
    assert_eq!(w.kdf_params(), KdfParams::INSECURE_FAST);
    assert_eq!(w.created_at(), NOW);
    assert_eq!(w.issuer_keys().count(), 1);
    assert_eq!(w.credentials().len(), 1);
    let c = w.credential("cred-1").unwrap();
    assert_eq!(
        c.credential().attributes().get("region"),
        Some(&AttributeValue::Code("310115".into()))
    );
    assert_eq!(c.witness().unwrap().witness(), &witness);
    assert_eq!(c.witness().unwrap().epoch(), 0);
    assert!(w.registry_key(&reg).is_some());
    assert!(w.range_params(&f.range.id()).is_some());
    assert_eq!(w.public_param("registry"), Some(&b"{\"k\":1}"[..]));
    assert_eq!(w.history(), f.wallet.history());
    let h = &w.history()[0];
    assert_eq!(h.verifier_id, "shop.example");
    assert_eq!(
        h.disclosed,
        vec![("region".to_owned(), "310115".to_owned())]
    );
    assert_eq!(h.proven.len(), 1);
    assert!(h.pseudonym.is_some());
    // Debug never shows secrets or personal data.
    let dbg = format!("{w:?} {h:?} {c:?}");
    // (The family name is "Li"; match it quoted: the temp dir's random name may contain "Li".)
    assert!(!dbg.contains("310115") && !dbg.contains("\"Li\""), "{dbg}");
    // Ids keep counting after reopening.
    let mut w = w;
    let pk = f.issuer.public_key().clone();
    let offer = IssuanceOffer::new(&mut f.rng, &pk);
    let (req, pending) = w.begin_enrollment(&mut f.rng, &offer).unwrap();
    let a = Attributes::from_json(
        pk.schema(),
        &attributes("2000-01-01", "310115", "2034-01-01"),
    )
    .unwrap();
    let resp = f.issuer.issue_blind(&mut f.rng, &offer, &req, &a).unwrap();
    assert_eq!(
        w.finish_enrollment(pending, pk.key_id(), &resp.to_json(), NOW)
            .unwrap(),
        "cred-2"
    );
}

#[test]
fn wrong_password_is_refused_and_the_file_is_untouched() {
    let mut f = fixture(2);
    enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    f.wallet.save(&mut f.rng).unwrap();
    let before = fs::read(&f.path).unwrap();
    let mtime = fs::metadata(&f.path).unwrap().modified().unwrap();
    let e = open_err(&f.path, &Password::new("correct horse batterY".into()));
    assert!(matches!(e, OpenError::WrongPassword), "{e}");
    assert_eq!(e.to_string(), "wrong wallet password");
    assert_eq!(fs::read(&f.path).unwrap(), before);
    assert_eq!(fs::metadata(&f.path).unwrap().modified().unwrap(), mtime);
    // The right password still opens it.
    assert_eq!(Wallet::open(&f.path, &pw()).unwrap().credentials().len(), 1);
}

#[test]
fn tampered_and_truncated_files_are_rejected() {
    let mut f = fixture(3);
    enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    f.wallet.save(&mut f.rng).unwrap();
    let good = fs::read(&f.path).unwrap();

    let mut b = good.clone();
    let n = b.len();
    b[n - 40] ^= 0x80;
    fs::write(&f.path, &b).unwrap();
    assert!(matches!(
        open_err(&f.path, &pw()),
        OpenError::Corrupted("authentication failed (the file was modified)")
    ));

    let mut b = good.clone();
    b[13] ^= 0x01; // Argon2 memory cost
    fs::write(&f.path, &b).unwrap();
    assert!(matches!(
        open_err(&f.path, &pw()),
        OpenError::Corrupted("header checksum does not match")
    ));

    fs::write(&f.path, &good[..good.len() / 2]).unwrap();
    assert!(matches!(
        open_err(&f.path, &pw()),
        OpenError::Truncated { expected, actual }
            if expected == good.len() as u64 && actual == (good.len() / 2) as u64
    ));

    fs::write(&f.path, b"").unwrap();
    assert!(matches!(
        open_err(&f.path, &pw()),
        OpenError::NotAWallet { .. }
    ));

    fs::remove_file(&f.path).unwrap();
    assert!(matches!(open_err(&f.path, &pw()), OpenError::Io { .. }));

    fs::write(&f.path, &good).unwrap();
    assert!(Wallet::open(&f.path, &pw()).is_ok());
}

#[test]
fn create_refuses_weak_passwords_and_existing_files() {
    let mut f = fixture(4);
    let before = fs::read(&f.path).unwrap();
    let e = Wallet::create(&mut f.rng, &f.path, &pw(), KdfParams::INSECURE_FAST, NOW).unwrap_err();
    assert!(
        matches!(e, CreateError::Save(SaveError::AlreadyExists(_))),
        "{e}"
    );
    assert_eq!(fs::read(&f.path).unwrap(), before);
    let other = f.path.with_file_name("other.nnw");
    let e = Wallet::create(
        &mut f.rng,
        &other,
        &Password::new("short".into()),
        KdfParams::INSECURE_FAST,
        NOW,
    )
    .unwrap_err();
    assert!(matches!(e, CreateError::WeakPassword { min: 8 }));
    assert!(!other.exists());
    // SEC-003: long enough but easy to guess.
    for guessable in ["password1", "aaaaaaaaaaaa", "12345678"] {
        let e = Wallet::create(
            &mut f.rng,
            &other,
            &Password::new(guessable.into()),
            KdfParams::INSECURE_FAST,
            NOW,
        )
        .unwrap_err();
        assert!(
            matches!(e, CreateError::GuessablePassword { min: 2, .. }),
            "{guessable}: {e}"
        );
        assert!(!other.exists());
    }
}

#[test]
fn change_password() {
    let mut f = fixture(5);
    let new = Password::new("a much better passphrase".into());
    f.wallet
        .change_password(&mut f.rng, &new, KdfParams::new(128, 2, 1).unwrap())
        .unwrap();
    assert!(matches!(open_err(&f.path, &pw()), OpenError::WrongPassword));
    let w = Wallet::open(&f.path, &new).unwrap();
    assert_eq!(w.kdf_params(), KdfParams::new(128, 2, 1).unwrap());
}

#[test]
fn recovery_phrase_restores_the_link_secret_and_pseudonyms() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rng(6);
    let a = dir.path().join("a.nnw");
    let (wa, phrase) = Wallet::create(&mut rng, &a, &pw(), KdfParams::INSECURE_FAST, NOW).unwrap();
    let typed = RecoveryPhrase::parse(&phrase.expose().to_uppercase()).unwrap();
    let b = dir.path().join("b.nnw");
    let wb = Wallet::restore(&mut rng, &b, &pw(), KdfParams::INSECURE_FAST, &typed, NOW).unwrap();
    assert_eq!(wa.link_secret(), wb.link_secret());
    assert_eq!(
        Wallet::open(&b, &pw()).unwrap().link_secret(),
        wa.link_secret()
    );

    // A credential re-issued to the restored wallet gives the same pseudonym.
    let issuer = Issuer::new(
        IssuerSecretKey::generate(&mut rng),
        &Schema::cn_network_id_v1(),
    );
    let mut nyms = Vec::new();
    for (path, w) in [(a, wa), (b, wb)] {
        let mut f = Fixture {
            _dir: tempfile::tempdir().unwrap(),
            path,
            issuer: Issuer::new(
                IssuerSecretKey::from_json(&issuer.secret_key().to_json()).unwrap(),
                &Schema::cn_network_id_v1(),
            ),
            range: RangeParams::generate(&mut rng, 4).unwrap(),
            wallet: w,
            rng: rng.clone(),
        };
        enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
        let key = f.issuer.public_key().key_id();
        let ask = request(&mut f, &[], vec![], vec![key]);
        let (p, _) = f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
        nyms.push(p.pseudonym().unwrap());
    }
    assert_eq!(nyms[0], nyms[1]);
}

#[test]
fn credential_for_another_link_secret_is_refused() {
    let mut f = fixture(7);
    let pk = f.issuer.public_key().clone();
    f.wallet.add_issuer_key(&pk.to_json()).unwrap();
    let other = LinkSecret::generate(&mut f.rng);
    let offer = IssuanceOffer::new(&mut f.rng, &pk);
    let (req, pending) = BlindIssuanceRequest::new(&mut f.rng, &pk, &offer, &other).unwrap();
    let a = Attributes::from_json(
        pk.schema(),
        &attributes("2000-01-01", "310115", "2034-01-01"),
    )
    .unwrap();
    let resp = f.issuer.issue_blind(&mut f.rng, &offer, &req, &a).unwrap();
    let cred = pending.finish(&pk, resp, &other).unwrap();
    assert_eq!(
        f.wallet.add_credential(cred, NOW),
        Err(AddCredentialError::DoesNotVerify)
    );
    assert!(f.wallet.credentials().is_empty());
}

#[test]
fn issuer_keys_and_params_are_validated_and_pinned() {
    let mut f = fixture(8);
    let e = f.wallet.add_issuer_key(b"{\"garbage\":true}").unwrap_err();
    assert!(matches!(
        e,
        AddPublicError::Invalid {
            what: "issuer public key",
            ..
        }
    ));
    let json = f.issuer.public_key().to_json();
    assert!(f.wallet.add_issuer_key(&json).unwrap().1);
    assert!(!f.wallet.add_issuer_key(&json).unwrap().1);
    assert_eq!(
        f.wallet
            .add_public_param("range", b"{}", |_| Err("bad range params".into()), NOW),
        Err(AddPublicError::Invalid {
            what: "public parameter",
            reason: "bad range params".into()
        })
    );
    assert!(f
        .wallet
        .add_public_param("range", b"1", |_| Ok(()), NOW)
        .unwrap());
    assert!(!f
        .wallet
        .add_public_param("range", b"1", |_| Ok(()), NOW)
        .unwrap());
    assert_eq!(
        f.wallet.add_public_param("range", b"2", |_| Ok(()), NOW),
        Err(AddPublicError::Conflict {
            what: "public parameter",
            name: "range".into()
        })
    );
}

#[test]
fn satisfiable_request_and_its_summary() {
    let mut f = fixture(9);
    enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    let key = f.issuer.public_key().key_id();
    let ask = request(
        &mut f,
        &["nationality"],
        vec![
            Predicate::AgeAtLeast(18),
            Predicate::RegionWithin("31".into()),
            Predicate::ValidOn("2025-11-24".into()),
        ],
        vec![key],
    );
    let check = f.wallet.check_request(&ask, NOW);
    assert!(check.is_satisfiable(), "{check}");
    assert_eq!(check.problem(), None);
    let q = &check.queries()[0];
    assert_eq!(q.chosen(), Some("cred-1"));
    assert_eq!(q.reveal(), &[("nationality".to_owned(), "CHN".to_owned())]);
    assert_eq!(
        q.proves(),
        &[
            "age at least 18 (born on or before 2007-11-24)".to_owned(),
            "region code starts with 31".to_owned(),
            "credential valid on 2025-11-24 (issued_on <= 2025-11-24 <= expires_on)".to_owned(),
        ]
    );
    assert!(q.hidden().contains(&"birth_date".to_owned()));
    assert!(!q.hidden().contains(&"nationality".to_owned()));
    assert!(!q.hidden().contains(&"link_secret".to_owned()));
    let text = check.to_string();
    for needle in [
        "shop.example asks for 1 credential",
        "reveals: nationality = CHN",
        "proves without revealing: age at least 18",
        "Pseudonym: shown",
        "The wallet can answer this request.",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    // The birth date itself is not in the summary: only the statement is.
    assert!(!text.contains("2000-01-01"), "{text}");

    let (p, _) = f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
    let verified = f.verifier().verify_json(&ask, &p.to_json(), NOW).unwrap();
    assert_eq!(
        verified.credentials()[0].get("nationality"),
        Some(&AttributeValue::String("CHN".into()))
    );
}

#[test]
fn unsatisfiable_requests_say_why() {
    let mut f = fixture(10);
    // Born 2010: a minor. Region 440305 (Shenzhen).
    enroll(&mut f, &attributes("2010-06-01", "440305", "2034-01-01"));
    let key = f.issuer.public_key().key_id();

    let ask = request(&mut f, &[], vec![Predicate::AgeAtLeast(18)], vec![key]);
    let check = f.wallet.check_request(&ask, NOW);
    assert!(!check.is_satisfiable());
    assert_eq!(
        check.queries()[0].rejected(),
        &[(
            "cred-1".to_owned(),
            Unsatisfied::PredicateNotSatisfied {
                statement: "age at least 18 (born on or before 2007-11-24)".into()
            }
        )]
    );
    assert_eq!(
        f.wallet.present(&mut f.rng, &ask, NOW).unwrap_err(),
        WalletPresentError::Unsatisfiable(
            "query 1: cred-1: it does not satisfy \"age at least 18 (born on or before 2007-11-24)\""
                .into()
        )
    );
    assert!(f.wallet.history().is_empty());

    let ask = request(
        &mut f,
        &[],
        vec![Predicate::RegionWithin("31".into())],
        vec![key],
    );
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::PredicateNotSatisfied {
            statement: "region code starts with 31".into()
        }
    );

    // An issuer key the request does not accept.
    let other = IssuerPublicKey::from_secret(
        &IssuerSecretKey::generate(&mut f.rng),
        &Schema::cn_network_id_v1(),
    );
    let ask = request(&mut f, &["region"], vec![], vec![other.key_id()]);
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::IssuerNotAccepted
    );

    // Another schema.
    let q = CredentialQuery::new("edu-degree/v1", [key], ["region".to_owned()]).unwrap();
    let ask = PresentationRequest::new(&mut f.rng, "shop.example", NOW, 300, vec![q]).unwrap();
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::SchemaMismatch {
            found: "cn-network-id/v1".into()
        }
    );

    // Disclosing the link secret or an unknown attribute.
    let ask = request(&mut f, &["link_secret"], vec![], vec![key]);
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::CannotDisclose("link_secret".into())
    );

    // A predicate on a disclosed attribute is a malformed request.
    let ask = request(
        &mut f,
        &["region"],
        vec![Predicate::RegionWithin("44".into())],
        vec![key],
    );
    assert!(matches!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::InvalidPredicates(_)
    ));

    // Range-proof parameters the wallet does not have.
    let unknown = RangeParams::generate(&mut f.rng, 4).unwrap();
    let q = CredentialQuery::new(Schema::cn_network_id_v1().id(), [key], [])
        .unwrap()
        .with_predicates([Predicate::AgeAtLeast(10)])
        .unwrap();
    let ask = PresentationRequest::new(&mut f.rng, "shop.example", NOW, 300, vec![q])
        .unwrap()
        .with_range_params(unknown.id());
    assert_eq!(
        f.wallet.check_request(&ask, NOW).problem().unwrap(),
        format!(
            "the wallet does not have the range-proof parameters {} this request names",
            unknown.id()
        )
    );
    f.wallet.add_range_params(&unknown.to_json()).unwrap();
    assert!(f.wallet.check_request(&ask, NOW).is_satisfiable());
    assert!(matches!(
        f.wallet.add_range_params(b"{}"),
        Err(AddPublicError::Invalid {
            what: "range-proof parameters",
            ..
        })
    ));

    // An expired request.
    let ask = request(&mut f, &["region"], vec![], vec![key]);
    let check = f.wallet.check_request(&ask, NOW + 301);
    assert!(!check.is_satisfiable());
    assert_eq!(
        check.problem().unwrap(),
        "the request expired at 2025-11-24 16:05:00 UTC"
    );
    // The same request is fine until it expires (VER-004: `now > expires_at` is expired).
    assert!(f.wallet.check_request(&ask, NOW + 300).is_satisfiable());
}

#[test]
fn expired_credentials_are_skipped_for_newer_ones() {
    let mut f = fixture(11);
    enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    let key = f.issuer.public_key().key_id();
    let ask = request(&mut f, &["region"], vec![], vec![key]);
    // 2035: the only credential has expired.
    let later = NOW + 10 * 366 * 86_400;
    let q = CredentialQuery::new(
        Schema::cn_network_id_v1().id(),
        [key],
        ["region".to_owned()],
    )
    .unwrap();
    let ask_later =
        PresentationRequest::new(&mut f.rng, "shop.example", later, 300, vec![q]).unwrap();
    assert_eq!(
        f.wallet.check_request(&ask_later, later).queries()[0].rejected()[0].1,
        Unsatisfied::Expired {
            expires_on: "2034-01-01".into()
        }
    );
    // A renewed credential is chosen over the expired one.
    enroll(&mut f, &attributes("2000-01-01", "310116", "2044-01-01"));
    let check = f.wallet.check_request(&ask_later, later);
    assert_eq!(check.queries()[0].chosen(), Some("cred-2"));
    // Today, the newest valid one is also chosen.
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].reveal(),
        &[("region".to_owned(), "310116".to_owned())]
    );
    // No credential at all.
    let empty = fixture(12);
    let check = empty.wallet.check_request(&ask, NOW);
    assert_eq!(
        check.problem().unwrap(),
        "query 1: no cn-network-id/v1 credential in the wallet"
    );
    assert!(check.to_string().contains("none available"));
}

#[test]
fn witnesses_follow_the_epoch_log_and_revocation_is_detected() {
    let mut f = fixture(13);
    let id = enroll(&mut f, &attributes("2000-01-01", "310115", "2034-01-01"));
    let key = f.issuer.public_key().key_id();
    let (ra, genesis) = RevocationAuthority::generate(&mut f.rng, 64).unwrap();
    let mut revoked = InMemoryRevokedSet::default();
    let (reg, _) = f
        .wallet
        .add_registry_key(&ra.public_key().to_json())
        .unwrap();

    // A witness for another revocation id is refused.
    let other = ra.witness(8, &genesis, &revoked).unwrap();
    assert_eq!(
        f.wallet.set_witness(&id, &reg, &other.to_json()),
        Err(WitnessError::WrongRevocationId {
            witness: 8,
            credential: 7
        })
    );
    let w = ra.witness(7, &genesis, &revoked).unwrap();
    f.wallet.set_witness(&id, &reg, &w.to_json()).unwrap();

    let ask_window = |f: &mut Fixture, min, max| {
        let q = CredentialQuery::new(Schema::cn_network_id_v1().id(), [key], [])
            .unwrap()
            .with_non_revocation(NonRevocation::new(reg, min, max))
            .unwrap();
        PresentationRequest::new(&mut f.rng, "shop.example", NOW, 300, vec![q]).unwrap()
    };
    let mut verifier =
        Verifier::new([f.issuer.public_key().clone()]).with_registry(ra.public_key().clone());
    verifier.add_epoch(&genesis).unwrap();

    // Epoch 0: provable, and the summary says so.
    let ask = ask_window(&mut f, 0, 0);
    let check = f.wallet.check_request(&ask, NOW);
    assert!(check.is_satisfiable(), "{check}");
    assert_eq!(
        check.queries()[0].proves(),
        &["not revoked (revocation registry epoch 0)".to_owned()]
    );
    let (p, _) = f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
    verifier.verify_json(&ask, &p.to_json(), NOW).unwrap();

    // Someone else is revoked: epoch 1. A request accepting only epoch 1 needs an update.
    let e1 = ra.revoke(&genesis, &[9], &mut revoked).unwrap();
    verifier.add_epoch(&e1).unwrap();
    let ask = ask_window(&mut f, 1, 1);
    assert_eq!(
        f.wallet.check_request(&ask, NOW).queries()[0].rejected()[0].1,
        Unsatisfied::WitnessEpoch {
            epoch: 0,
            min: 1,
            max: 1
        }
    );
    // Entries must be consecutive: epoch 2 alone cannot be applied to a witness at 0.
    let e2 = ra.revoke(&e1, &[7], &mut revoked).unwrap();
    assert!(matches!(
        f.wallet.update_witnesses(std::slice::from_ref(&e2)),
        Err(WitnessError::Update(RevocationError::EpochGap {
            have: 0,
            got: 2
        }))
    ));
    assert_eq!(
        f.wallet.credential(&id).unwrap().witness().unwrap().epoch(),
        0
    );
    let report = f
        .wallet
        .update_witnesses(std::slice::from_ref(&e1))
        .unwrap();
    assert_eq!(report.updated, vec![id.clone()]);
    assert!(report.revoked.is_empty());
    let (p, _) = f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
    verifier.verify_json(&ask, &p.to_json(), NOW).unwrap();
    // Applying the same entries again changes nothing.
    assert_eq!(
        f.wallet
            .update_witnesses(std::slice::from_ref(&e1))
            .unwrap(),
        WitnessUpdate::default()
    );

    // This holder is revoked at epoch 2: the wallet notices and refuses to present.
    let report = f.wallet.update_witnesses(&[e1, e2]).unwrap();
    assert_eq!(report.revoked, vec![id.clone()]);
    let ask = ask_window(&mut f, 2, 2);
    let check = f.wallet.check_request(&ask, NOW);
    assert_eq!(check.queries()[0].rejected()[0].1, Unsatisfied::Revoked);
    assert!(check.to_string().contains("it has been revoked"), "{check}");
    // The revoked flag survives a save and reopen.
    f.wallet.save(&mut f.rng).unwrap();
    let w = Wallet::open(&f.path, &pw()).unwrap();
    assert!(w.credential(&id).unwrap().witness().unwrap().revoked());
}
