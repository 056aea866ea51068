//! End-to-end flow through the public API: blind issuance, presentation, verification.

use netnym::*;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn citizen(schema: &Schema) -> Attributes {
    let json = serde_json::json!({
        "revocation_id": 42, "document_type": "01", "document_number": "310115199001011234",
        "family_name": "Zhang", "given_name": "Wei", "birth_date": "1990-01-01",
        "region": "310115", "nationality": "CHN", "issued_on": "2020-05-01",
        "expires_on": "2030-05-01"
    });
    Attributes::from_json(schema, &json).expect("fixture attributes are valid")
}

#[test]
fn issue_present_verify() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let schema = Schema::cn_network_id_v1();
    let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
    let pk = IssuerPublicKey::from_json(&issuer.public_key().to_json()).unwrap();
    let ls = LinkSecret::generate(&mut rng);
    let offer = IssuanceOffer::from_json(&IssuanceOffer::new(&mut rng, &pk).to_json()).unwrap();
    let (req, pending) = BlindIssuanceRequest::new(&mut rng, &pk, &offer, &ls).unwrap();
    let req = BlindIssuanceRequest::from_json(&req.to_json()).unwrap();
    let resp = issuer
        .issue_blind(&mut rng, &offer, &req, &citizen(&schema))
        .unwrap();
    let resp = IssuanceResponse::from_json(&resp.to_json(), &pk).unwrap();
    let cred = pending.finish(&pk, resp, &ls).unwrap();

    let now = 1_764_000_000;
    let q = CredentialQuery::new(
        schema.id(),
        [pk.key_id()],
        ["region".to_owned(), "birth_date".to_owned()],
    )
    .unwrap();
    let request =
        PresentationRequest::new(&mut rng, "platform.example", now, 300, vec![q]).unwrap();
    let request = PresentationRequest::from_json(&request.to_json()).unwrap();
    let pres = Presentation::create(&mut rng, &request, &[(&cred, &pk)], &ls).unwrap();
    let bytes = pres.to_json();
    let verifier = Verifier::new([pk.clone()]);
    let v = verifier.verify_json(&request, &bytes, now + 10).unwrap();
    assert_eq!(
        v.credentials()[0].get("region"),
        Some(&AttributeValue::Code("310115".into()))
    );
    assert_eq!(v.credentials()[0].disclosed().len(), 2);
    assert_eq!(
        verifier.verify_json(&request, &bytes, now + 1000),
        Err(VerifyError::RequestExpired)
    );
}
