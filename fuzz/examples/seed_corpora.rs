//! Writes the seed inputs of the targets added for the authority's and services' decoders
//! (`issuance_offer_from_json`, `issuance_response_from_json`, `issuer_secret_key_from_json`,
//! `keyed_range_verifier_from_json`, `revocation_authority_from_json`, `schema_from_json`,
//! `sealed_secret`, `policy_parse`, `citizens_csv`, `issuer_bundle_from_json`,
//! `text_parsers`) as `<dir>/<target>/seed-*`: valid inputs taken from the test vectors or
//! made with fixed `ChaCha20Rng` seeds, so the output is the same on every run.
//!
//! `cargo run --release --example seed_corpora -- corpus` (from `fuzz/`)

use std::path::{Path, PathBuf};

use netnym::{
    AttributeType, IssuanceOffer, IssuerPublicKey, IssuerSecretKey, KeyedRangeVerifier, Schema,
};
use netnym_fuzz::{field, ENCODING_001, ISSUANCE_001, KEYS_001, KEYS_002, PARAMS_001, PARAMS_002};
use netnym_store::{citizens_to_csv, generate_citizens, EnrollmentCode, KdfParams, SealedSecret};
use rand::SeedableRng;
use serde_json::{json, Value};

/// Checks that a seed is accepted by the decoder its target is about (the seeds are the
/// valid inputs the fuzzer mutates), then writes it.
fn check(target: &str, data: &[u8]) {
    let ok = match target {
        "issuance_offer_from_json" => netnym::IssuanceOffer::from_json(data).is_ok(),
        "issuance_response_from_json" => {
            netnym::IssuanceResponse::from_json(data, &netnym_fuzz::issuer_key()).is_ok()
        }
        "issuer_secret_key_from_json" => IssuerSecretKey::from_json(data).is_ok(),
        "keyed_range_verifier_from_json" => KeyedRangeVerifier::from_json(data).is_ok(),
        "revocation_authority_from_json" => netnym::RevocationAuthority::from_json(data).is_ok(),
        "schema_from_json" => Schema::from_json(data).is_ok(),
        "sealed_secret" => SealedSecret::from_json(data).is_ok_and(|s| {
            s.open(
                netnym_fuzz::SEALED_PASSPHRASE,
                netnym_server::authority::AUTHORITY_SECRET_NAME,
            )
            .is_ok_and(|p| p[..] == netnym_fuzz::SEALED_PLAINTEXT[..])
        }),
        "policy_parse" => netnym_server::Policy::parse(
            std::str::from_utf8(&data[1..]).expect("UTF-8"),
            data[0] % 2 == 1,
        )
        .map_err(|e| e.to_string())
        .and_then(|p| {
            p.validate(&netnym_fuzz::issuer_keys())
                .map_err(|e| e.to_string())
        })
        .map_err(|e| eprintln!("policy seed refused: {e}"))
        .is_ok(),
        "citizens_csv" => netnym_store::parse_citizens_csv(data).is_ok(),
        "issuer_bundle_from_json" => {
            IssuerPublicKey::from_json(data).is_ok() || {
                let v = value(data);
                v["issuer_keys"]
                    .as_array()
                    .expect("issuer_keys")
                    .iter()
                    .all(|k| {
                        IssuerPublicKey::from_json(&serde_json::to_vec(k).expect("json")).is_ok()
                    })
            }
        }
        "text_parsers" => {
            let text = std::str::from_utf8(&data[1..]).unwrap_or_default();
            match data[0] {
                0 => netnym::Date::parse(text).is_some(),
                1 => netnym::KeyId::parse(text).is_ok(),
                2 => netnym::LinkSecret::from_bytes(&data[1..]).is_ok(),
                3 => EnrollmentCode::parse(text).is_some(),
                _ => netnym_wallet::RecoveryPhrase::parse(text).is_ok(),
            }
        }
        _ => panic!("unknown target {target}"),
    };
    assert!(ok, "a {target} seed is not accepted");
}

fn put(dir: &Path, target: &str, name: &str, data: &[u8]) {
    check(target, data);
    let d = dir.join(target);
    std::fs::create_dir_all(&d).expect("corpus directory");
    std::fs::write(d.join(format!("seed-{name}")), data).expect("write seed");
}

fn value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("JSON")
}

fn rng(seed: u64) -> rand_chacha::ChaCha20Rng {
    rand_chacha::ChaCha20Rng::seed_from_u64(seed)
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).expect("usage: seed_corpora DIR"));
    let key_001 = IssuerPublicKey::from_json(&field(KEYS_001, "public_key")).expect("key 001");
    let key_002 = IssuerPublicKey::from_json(&field(KEYS_002, "public_key")).expect("key 002");

    // Issuance replies.
    let t = "issuance_offer_from_json";
    put(&dir, t, "issuance-001.json", &field(ISSUANCE_001, "offer"));
    put(
        &dir,
        t,
        "keys-002.json",
        &IssuanceOffer::new(&mut rng(8001), &key_002).to_json(),
    );
    let t = "issuance_response_from_json";
    put(
        &dir,
        t,
        "issuance-001.json",
        &field(ISSUANCE_001, "response"),
    );

    // Secret keys.
    let t = "issuer_secret_key_from_json";
    put(&dir, t, "keys-001.json", &field(KEYS_001, "secret_key"));
    put(&dir, t, "keys-002.json", &field(KEYS_002, "secret_key"));
    let fresh = IssuerSecretKey::generate(&mut rng(8002));
    put(&dir, t, "generated-8002.json", &fresh.to_json());
    let t = "keyed_range_verifier_from_json";
    put(
        &dir,
        t,
        "params-003.json",
        &field(netnym_fuzz::PARAMS_003, "secret"),
    );
    for base in [2u16, 4, 16] {
        let k = KeyedRangeVerifier::generate(&mut rng(8003), base).expect("keyed verifier");
        put(&dir, t, &format!("base-{base}.json"), &k.to_json());
    }
    let t = "revocation_authority_from_json";
    for domain in [1u64, 1000, 1 << 24] {
        // `generate` also computes the genesis entry, one multiplication per id: keep the
        // generated domain small and write the large one by editing the encoding.
        let (ra, _) =
            netnym::RevocationAuthority::generate(&mut rng(8004), domain.min(1000)).expect("ra");
        let mut v = value(&ra.to_json());
        v["domain"] = json!(domain);
        put(
            &dir,
            t,
            &format!("domain-{domain}.json"),
            &serde_json::to_vec(&v).expect("json"),
        );
    }

    // Schemas.
    let t = "schema_from_json";
    put(&dir, t, "encoding-001.json", &field(ENCODING_001, "schema"));
    put(
        &dir,
        t,
        "cn-network-id-v1.json",
        Schema::cn_network_id_v1().to_json().as_bytes(),
    );
    let small = Schema::new(
        "example.org/membership/v2",
        [
            ("member_id".to_owned(), AttributeType::String),
            ("link_secret".to_owned(), AttributeType::HolderSecret),
            ("joined".to_owned(), AttributeType::Date),
            ("level".to_owned(), AttributeType::Uint),
            ("branch".to_owned(), AttributeType::Code { digits: 4 }),
        ],
    )
    .expect("schema");
    put(&dir, t, "membership-v2.json", small.to_json().as_bytes());

    // Sealed secrets: cheap KDF parameters the target opens, and the fast test parameters,
    // which it only decodes.
    let t = "sealed_secret";
    let kdfs = [
        (
            "m8-t1-p1",
            KdfParams {
                m_cost: 8,
                t_cost: 1,
                p_cost: 1,
            },
        ),
        (
            "m64-t2-p1",
            KdfParams {
                m_cost: 64,
                t_cost: 2,
                p_cost: 1,
            },
        ),
        (
            "m16-t1-p2",
            KdfParams {
                m_cost: 16,
                t_cost: 1,
                p_cost: 2,
            },
        ),
        ("insecure-fast", KdfParams::INSECURE_FAST),
    ];
    for (i, (name, kdf)) in kdfs.into_iter().enumerate() {
        let s = SealedSecret::seal(
            &mut rng(8005 + i as u64),
            netnym_fuzz::SEALED_PASSPHRASE,
            netnym_server::authority::AUTHORITY_SECRET_NAME,
            netnym_fuzz::SEALED_PLAINTEXT,
            kdf,
        )
        .expect("seal");
        put(&dir, t, &format!("{name}.json"), &s.to_json());
    }

    // Policies: selector byte 0 = JSON, 1 = TOML.
    let t = "policy_parse";
    let id_001 = key_001.key_id().to_string();
    let id_002 = key_002.key_id().to_string();
    let policies = [
        json!({"verifier_id": "shop.example", "issuer_key_ids": [id_001]}),
        json!({
            "verifier_id": "forum.example", "issuer_key_ids": [id_001, id_002],
            "schema_id": "cn-network-id/v1", "disclose": ["nationality", "given_name"],
            "predicates": [{"age_at_least": 18}, {"valid_on": "today"}, {"region_within": "31"}],
            "pseudonym": true, "validity_seconds": 600, "non_revoked": true, "accepted_epochs": 2
        }),
        json!({
            "verifier_id": "bank.example", "issuer_key_ids": [id_002], "disclose": [],
            "predicates": [{"age_below": 65}, {"valid_on": "2026-11-25"},
                {"range": {"attribute": "birth_date", "min": "1950-01-01", "max": "2000-12-31"}}],
            "pseudonym": false, "validity_seconds": 86400, "non_revoked": false
        }),
    ];
    for (i, p) in policies.iter().enumerate() {
        let mut data = vec![0u8];
        data.extend(serde_json::to_vec_pretty(p).expect("json"));
        put(&dir, t, &format!("policy-{i}.json"), &data);
    }
    // The TOML example of crates/netnym-server/API.md, with `disclose = ["nationality"]`: the
    // example's `disclose = ["region"]` next to `region_within` is refused by validation
    // ("region" is both disclosed and range-checked).
    let toml = format!(
        "\u{1}verifier_id = \"shop.example\"\nnon_revoked = true\naccepted_epochs = 1\n\
         issuer_key_ids = [\"{id_001}\"]\nschema_id = \"cn-network-id/v1\"\n\
         disclose = [\"nationality\"]\npseudonym = true\nvalidity_seconds = 300\n\
         predicates = [ {{ age_at_least = 18 }}, {{ valid_on = \"today\" }}, \
         {{ region_within = \"31\" }} ]\n"
    );
    put(&dir, t, "api-md-example.toml", toml.as_bytes());

    // Citizen CSV: the generator's output (canonical column order) and a hand-written file
    // with a byte-order mark, reordered columns and quoted fields.
    let t = "citizens_csv";
    put(
        &dir,
        t,
        "generated-3.csv",
        citizens_to_csv(&generate_citizens(8010, 0, 3)).as_bytes(),
    );
    let hand = "\u{feff}given_name,family_name,citizen_id,document_type,document_number,\
                birth_date,region,nationality,issued_on,expires_on\r\n\
                \"Wei\",\"Zhang, Jr\",c-0001,01,310115199001011234,1990-01-01,310115,CHN,\
                2020-05-01,2030-05-01\r\n\
                \"Na \"\"Nana\"\"\",Li,c_0002,01,110105198502023456,1985-02-02,110105,CHN,\
                2019-03-04,2039-03-04\r\n";
    put(&dir, t, "hand-written.csv", hand.as_bytes());

    // Issuer files: one key alone, and a bundle with every kind of entry.
    let t = "issuer_bundle_from_json";
    put(&dir, t, "key-001.json", &key_001.to_json());
    let reg = value(PARAMS_002.as_bytes());
    let bundle = json!({
        "type": "netnym-issuer-bundle", "version": 1,
        "issuer_keys": [value(&key_001.to_json()), value(&key_002.to_json())],
        "range_params": [value(&field(PARAMS_001, "range_params"))],
        "registries": [reg["registry"]],
        "epochs": reg["epochs"],
    });
    put(
        &dir,
        t,
        "bundle-full.json",
        &serde_json::to_vec_pretty(&bundle).expect("json"),
    );
    let minimal = json!({"type": "netnym-issuer-bundle", "version": 1,
        "issuer_keys": [value(&key_002.to_json())]});
    put(
        &dir,
        t,
        "bundle-minimal.json",
        &serde_json::to_vec(&minimal).expect("json"),
    );

    // Small parsers: selector byte (0 date, 1 key id, 2 link secret, 3 code, 4 phrase).
    let t = "text_parsers";
    let with = |selector: u8, body: &[u8]| {
        let mut v = vec![selector];
        v.extend_from_slice(body);
        v
    };
    put(&dir, t, "date.txt", &with(0, b"2024-02-29"));
    put(&dir, t, "key-id.txt", &with(1, id_001.as_bytes()));
    let link = netnym::LinkSecret::generate(&mut rng(8020));
    put(&dir, t, "link-secret.bin", &with(2, &link.to_bytes()[..]));
    let code = EnrollmentCode::generate(&mut rng(8021));
    put(
        &dir,
        t,
        "code.txt",
        &with(3, code.expose().to_ascii_lowercase().as_bytes()),
    );
    let phrase = netnym_wallet::RecoveryPhrase::generate(&mut rng(8022));
    put(
        &dir,
        t,
        "phrase.txt",
        &with(4, phrase.expose().to_uppercase().as_bytes()),
    );
}
