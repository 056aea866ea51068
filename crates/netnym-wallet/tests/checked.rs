//! Checked and prepared credentials in the wallet: stored as checked, loaded back as checked
//! from the authenticated file, presented without the pairing check (PRE-005), and prepared on
//! request for a wallet that stays open.
#![allow(clippy::unwrap_used)] // Test helpers outside #[test] functions unwrap fixtures too.

use netnym::*;
use netnym_wallet::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// 2025-11-24 16:00:00 UTC.
const NOW: u64 = 1_764_000_000;

struct Fixture {
    dir: tempfile::TempDir,
    issuer: Issuer,
    wallet: Wallet,
    rng: ChaCha20Rng,
}

fn pw() -> Password {
    Password::new("correct horse battery".to_owned())
}

fn fixture(seed: u64) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let issuer = Issuer::new(
        IssuerSecretKey::generate(&mut rng),
        &Schema::cn_network_id_v1(),
    );
    let (mut wallet, _) = Wallet::create(
        &mut rng,
        &dir.path().join("wallet.nnw"),
        &pw(),
        KdfParams::INSECURE_FAST,
        NOW,
    )
    .unwrap();
    wallet
        .add_issuer_key(&issuer.public_key().to_json())
        .unwrap();
    Fixture {
        dir,
        issuer,
        wallet,
        rng,
    }
}

fn enroll(f: &mut Fixture, region: &str) -> String {
    let pk = f.issuer.public_key().clone();
    let offer = IssuanceOffer::new(&mut f.rng, &pk);
    let (req, pending) = f.wallet.begin_enrollment(&mut f.rng, &offer).unwrap();
    let attrs = serde_json::json!({
        "revocation_id": 7, "document_type": "01", "document_number": "310115200001011234",
        "family_name": "Li", "given_name": "Na", "birth_date": "2000-01-01",
        "region": region, "nationality": "CHN", "issued_on": "2024-01-01",
        "expires_on": "2034-01-01"
    });
    let a = Attributes::from_json(pk.schema(), &attrs).unwrap();
    let resp = f.issuer.issue_blind(&mut f.rng, &offer, &req, &a).unwrap();
    f.wallet
        .finish_enrollment(pending, pk.key_id(), &resp.to_json(), NOW)
        .unwrap()
}

fn request(f: &mut Fixture) -> PresentationRequest {
    let pk = f.issuer.public_key();
    let q = CredentialQuery::new(pk.schema().id(), [pk.key_id()], ["region".to_owned()]).unwrap();
    PresentationRequest::new(&mut f.rng, "shop.example", NOW, 300, vec![q])
        .unwrap()
        .with_pseudonym()
}

/// Round trip: the credential is saved, loaded back as checked (from the authenticated file),
/// proves with the wallet's link secret and is refused with another (PRE-005).
#[test]
fn stored_credentials_load_as_checked_and_present() {
    let mut f = fixture(21);
    enroll(&mut f, "310115");
    f.wallet.save(&mut f.rng).unwrap();
    let mut w = Wallet::open(&f.dir.path().join("wallet.nnw"), &pw()).unwrap();
    let pk = f.issuer.public_key().clone();
    let verifier = Verifier::new([pk.clone()]);
    let ask = request(&mut f);
    let c = &w.credentials()[0];
    assert!(!c.is_prepared());
    assert_eq!(c.checked().credential().key_id(), pk.key_id());
    let p = Presentation::create_with(
        &mut f.rng,
        &ask,
        &[Holding::from_checked(c.checked(), &pk)],
        w.link_secret(),
        &[],
    )
    .unwrap();
    verifier.verify_json(&ask, &p.to_json(), NOW).unwrap();
    let other = LinkSecret::generate(&mut f.rng);
    assert_eq!(
        Presentation::create_with(
            &mut f.rng,
            &ask,
            &[Holding::from_checked(c.checked(), &pk)],
            &other,
            &[],
        )
        .unwrap_err(),
        PresentError::LinkSecretMismatch
    );
    // The wallet's own path presents from the checked credential.
    let (p, _) = w.present(&mut f.rng, &ask, NOW).unwrap();
    let v = verifier.verify_json(&ask, &p.to_json(), NOW).unwrap();
    assert_eq!(
        v.credentials()[0].get("region"),
        Some(&AttributeValue::Code("310115".into()))
    );
}

/// A wallet that stays open prepares its credentials once, and those it adds later; the
/// tables are memory only.
#[test]
fn prepared_wallet_presents_from_prepared_credentials() {
    let mut f = fixture(22);
    let first = enroll(&mut f, "310115");
    assert!(!f.wallet.credential(&first).unwrap().is_prepared());
    assert_eq!(f.wallet.prepare(), Ok(1));
    assert_eq!(f.wallet.prepare(), Ok(0), "already prepared");
    assert!(f.wallet.credential(&first).unwrap().is_prepared());
    let second = enroll(&mut f, "110101");
    assert!(f.wallet.credential(&second).unwrap().is_prepared());
    let verifier = Verifier::new([f.issuer.public_key().clone()]);
    let ask = request(&mut f);
    let (p, _) = f.wallet.present(&mut f.rng, &ask, NOW).unwrap();
    verifier.verify_json(&ask, &p.to_json(), NOW).unwrap();
    f.wallet.save(&mut f.rng).unwrap();
    let w = Wallet::open(&f.dir.path().join("wallet.nnw"), &pw()).unwrap();
    assert!(w.credentials().iter().all(|c| !c.is_prepared()));
    assert_eq!(w.credentials().len(), 2);
}
