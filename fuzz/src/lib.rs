//! Fixed inputs shared by the fuzz targets: the repository's deterministic test vectors
//! (test-vectors/netnym-v1, built by `crates/netnym/tests/vectors/` from fixed
//! `ChaCha20Rng::seed_from_u64` seeds), embedded at compile time so a target never reads files.
//!
//! The verification target needs a trusted issuer key, a request and a valid presentation:
//! it takes them from the ten positive presentation vectors (disclosures, every predicate kind,
//! keyed and public range parameters, pseudonym, non-revocation), each with the verifier its
//! context describes, so one target reaches every verification path.

use netnym::{
    EpochEntry, IssuerPublicKey, KeyedRangeVerifier, ParsedPresentation, PresentationRequest,
    RangeParams, RegistryPublicKey, Verifier,
};
use serde_json::Value;

/// The issuer key of test-vectors/netnym-v1/keys/001.json (`cn-network-id/v1`, seed 1001).
pub const KEYS_001: &str = include_str!("../../test-vectors/netnym-v1/keys/001.json");
/// A second issuer key (keys/002.json, same schema, seed 1002).
pub const KEYS_002: &str = include_str!("../../test-vectors/netnym-v1/keys/002.json");
/// The blind issuance exchange (offer, request, response, credential) under keys/001.json.
pub const ISSUANCE_001: &str = include_str!("../../test-vectors/netnym-v1/issuance/001.json");
/// The `cn-network-id/v1` schema definition, digest and generators.
pub const ENCODING_001: &str = include_str!("../../test-vectors/netnym-v1/encoding/001.json");
/// Public range-proof parameters (base 16).
pub const PARAMS_001: &str = include_str!("../../test-vectors/netnym-v1/params/001.json");
/// Revocation registry over ids 1..=1000, epochs 0 and 1, a witness for id 42.
pub const PARAMS_002: &str = include_str!("../../test-vectors/netnym-v1/params/002.json");
/// A platform's keyed range verifier and its public parameters.
pub const PARAMS_003: &str = include_str!("../../test-vectors/netnym-v1/params/003.json");

/// The passphrase the `sealed_secret` seeds are sealed under (fuzz/examples/seed_corpora.rs).
pub const SEALED_PASSPHRASE: &[u8] = b"fuzzing passphrase 1";
/// The plaintext every `sealed_secret` seed holds.
pub const SEALED_PLAINTEXT: &[u8] = b"{\"fuzz\":\"the sealed plaintext of every seed\"}";

/// The ten positive presentation vectors.
pub const PRESENTATIONS: [&str; 10] = [
    include_str!("../../test-vectors/netnym-v1/presentation/001.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/002.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/003.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/004.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/005.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/006.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/007.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/008.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/009.json"),
    include_str!("../../test-vectors/netnym-v1/presentation/010.json"),
];

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("embedded vector is JSON")
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("JSON value serializes")
}

/// The compact JSON of the member `field` of the embedded vector `text`.
#[must_use]
pub fn field(text: &str, field: &str) -> Vec<u8> {
    let v = parse(text);
    assert!(v.get(field).is_some(), "vector has no field {field:?}");
    bytes(&v[field])
}

/// The issuer keys of keys/001.json and keys/002.json (both `cn-network-id/v1`): the keys a
/// verifier's policy is validated against.
#[must_use]
pub fn issuer_keys() -> Vec<IssuerPublicKey> {
    [KEYS_001, KEYS_002]
        .iter()
        .map(|t| IssuerPublicKey::from_json(&field(t, "public_key")).expect("vector key"))
        .collect()
}

/// The trusted issuer key (keys/001.json).
#[must_use]
pub fn issuer_key() -> IssuerPublicKey {
    IssuerPublicKey::from_json(&bytes(&parse(KEYS_001)["public_key"])).expect("vector key")
}

/// The registry key of params/002.json.
#[must_use]
pub fn registry_key() -> RegistryPublicKey {
    RegistryPublicKey::from_json(&bytes(&parse(PARAMS_002)["registry"])).expect("vector registry")
}

/// One verification context: what a platform holds when a presentation arrives.
pub struct Context {
    /// The request the presentation must answer.
    pub request: PresentationRequest,
    /// The verifier with every key and parameter the vector's context names.
    pub verifier: Verifier,
    /// Verification time (Unix seconds).
    pub verify_at: u64,
    /// The claims of the original presentation, as `VerifiedPresentation::to_json`.
    pub expected: Value,
    /// The original presentation bytes.
    pub original: Vec<u8>,
}

/// The contexts of presentation vectors 001..=010, in order; each original presentation is
/// verified here once (a failure is a broken vector, not a fuzz finding).
#[must_use]
pub fn contexts() -> Vec<Context> {
    let range_params =
        RangeParams::from_json(&bytes(&parse(PARAMS_001)["range_params"])).expect("params/001");
    let keyed =
        KeyedRangeVerifier::from_json(&bytes(&parse(PARAMS_003)["secret"])).expect("params/003");
    let registry = parse(PARAMS_002);
    PRESENTATIONS
        .iter()
        .map(|text| {
            let v = parse(text);
            let mut verifier = Verifier::new([issuer_key()]);
            if v.get("range_params").is_some() {
                verifier = verifier.with_range_params(range_params.clone());
            }
            if v.get("keyed_range").is_some() {
                verifier = verifier.with_keyed_range_verifier(
                    KeyedRangeVerifier::from_json(&keyed.to_json()).expect("keyed"),
                );
            }
            if v.get("registry").is_some() {
                verifier = verifier.with_registry(registry_key());
                for e in registry["epochs"].as_array().expect("epochs") {
                    verifier
                        .add_epoch(&EpochEntry::from_json(&bytes(e)).expect("epoch"))
                        .expect("trusted registry");
                }
            }
            let request = PresentationRequest::from_json(&bytes(&v["request"])).expect("request");
            let verify_at = v["verify_at"].as_u64().expect("verify_at");
            let original = bytes(&v["presentation"]);
            let parsed = ParsedPresentation::from_json(&original).expect("presentation");
            let expected = verifier
                .verify(&request, &parsed, verify_at)
                .expect("positive vector verifies")
                .to_json();
            Context {
                request,
                verifier,
                verify_at,
                expected,
                original,
            }
        })
        .collect()
}
