//! The NetNym flow in one process, narrated: an authority enrolls three citizens by blind
//! issuance; two platforms ask for different claims; every presentation verifies, the
//! platforms see only what they asked for, and replays and tampering are refused.
//!
//! Run: `cargo run --release -p netnym --example demo`

use std::time::Instant;

use netnym::*;
use rand::rngs::OsRng;
use rand::SeedableRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = rand_chacha::ChaCha20Rng::from_rng(OsRng)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let schema = Schema::cn_network_id_v1();

    let t = Instant::now();
    let authority = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
    let published = authority.public_key().to_json();
    println!(
        "authority: key {} for schema {} ({} attributes), {:.1} ms",
        authority.public_key().key_id(),
        schema.id(),
        schema.len(),
        ms(t)
    );
    // Platforms load the published key once (validated: subgroup, identity, key id).
    let pk = IssuerPublicKey::from_json(&published)?;

    let citizens = [
        ("Zhang", "Wei", "1990-03-14", "310115"),
        ("Li", "Na", "2007-11-02", "440305"),
        ("Wang", "Fang", "1975-07-30", "310104"),
    ];
    let mut wallets = Vec::new();
    for (i, (family, given, birth, region)) in citizens.iter().enumerate() {
        let t = Instant::now();
        let link_secret = LinkSecret::generate(&mut rng);
        let offer = IssuanceOffer::new(&mut rng, &pk);
        let (request, pending) = BlindIssuanceRequest::new(&mut rng, &pk, &offer, &link_secret)?;
        // Over the wire: the authority sees a commitment and a proof, never the link secret.
        let request = BlindIssuanceRequest::from_json(&request.to_json())?;
        let attributes = Attributes::from_json(
            &schema,
            &serde_json::json!({
                "revocation_id": 1000 + i, "document_type": "01",
                "document_number": format!("{region}{}{:04}", birth.replace('-', ""), i),
                "family_name": family, "given_name": given, "birth_date": birth,
                "region": region, "nationality": "CHN", "issued_on": "2024-01-01",
                "expires_on": "2034-01-01"
            }),
        )?;
        let response = authority.issue_blind(&mut rng, &offer, &request, &attributes)?;
        let response = IssuanceResponse::from_json(&response.to_json(), &pk)?;
        let credential = pending.finish(&pk, response, &link_secret)?;
        println!(
            "enrolled citizen {} by blind issuance in {:.1} ms",
            i + 1,
            ms(t)
        );
        wallets.push((link_secret, credential));
    }

    let platforms = [
        ("shop.example", vec!["region"]),
        ("rail.example", vec!["birth_date", "region"]),
    ];
    let verifier = Verifier::new([pk.clone()]);
    for (platform, disclose) in &platforms {
        for (i, (link_secret, credential)) in wallets.iter().enumerate() {
            let query = CredentialQuery::new(
                schema.id(),
                [pk.key_id()],
                disclose.iter().map(|s| (*s).to_owned()),
            )?;
            let request = PresentationRequest::new(&mut rng, platform, now, 300, vec![query])?;
            let t = Instant::now();
            let presentation =
                Presentation::create(&mut rng, &request, &[(credential, &pk)], link_secret)?;
            let prove_ms = ms(t);
            let bytes = presentation.to_json();
            let t = Instant::now();
            let verified = verifier.verify_json(&request, &bytes, now)?;
            let verify_ms = ms(t);
            println!(
                "{platform}: citizen {} -> {} ({} B, prove {prove_ms:.1} ms, verify {verify_ms:.1} ms)",
                i + 1,
                verified.to_json()["credentials"][0]["disclosed"],
                bytes.len()
            );
            // A replay against a fresh request of the same platform is refused.
            let query = CredentialQuery::new(
                schema.id(),
                [pk.key_id()],
                disclose.iter().map(|s| (*s).to_owned()),
            )?;
            let fresh = PresentationRequest::new(&mut rng, platform, now, 300, vec![query])?;
            assert_eq!(
                verifier.verify_json(&fresh, &bytes, now),
                Err(VerifyError::InvalidPresentation)
            );
        }
    }
    println!(
        "replayed presentations: all {} refused; the authority saw no login, no platform saw an undisclosed attribute",
        platforms.len() * wallets.len()
    );
    println!(
        "(per-platform pseudonyms, predicates and revocation: issue 3; services and CLI: issue 4)"
    );
    Ok(())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}
