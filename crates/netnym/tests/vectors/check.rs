//! Checking one stored vector on its own: positive ones decode and verify, negative ones are
//! rejected by exactly their rule.

use super::*;

/// Run one negative vector; return the rule that rejected it.
pub(crate) fn reject_rule(v: &Value) -> String {
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
            let inner =
                verify_with_rule(&verifier, &request, &parsed, now).expect_err("must reject");
            let expected_public = if inner == "VER-004" {
                VerifyError::RequestExpired
            } else {
                VerifyError::InvalidPresentation
            };
            assert_eq!(public, expected_public);
            inner.to_owned()
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
pub(crate) fn context_verifier(ctx: &Value, pk: IssuerPublicKey) -> Verifier {
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

pub(crate) fn check_positive(name: &str, v: &Value) {
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
                to_hex(&fr_bytes(&attribute_scalar(&value))),
                a["scalar"].as_str().expect("scalar")
            );
        }
    }
}
