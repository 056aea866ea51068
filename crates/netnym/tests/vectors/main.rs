//! Deterministic test vectors under `test-vectors/netnym-v1/` (format: test-vectors/README.md).
//!
//! [`build`] makes every vector from fixed seeds. The test `vectors_match_and_verify` rebuilds
//! them and requires the stored files to be identical, then checks each stored file on its
//! own: positive vectors must decode and verify, each negative vector must be rejected by
//! exactly the rule it names. With `--features generate-vectors`, the test
//! `generate_vectors` writes the rebuilt set as `*-new.json` next to the stored files for review.

mod build;
mod check;
mod negative;

use std::path::PathBuf;

use ark_bls12_381::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;
use ark_serialize::CanonicalSerialize;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::{json, Value};

use netnym::test_support::{
    attribute_scalar, citizen_json, credential_with_signature, issuance_responses_mut,
    non_subgroup_g1, present_without_holder_checks, request_with_nonce, rng, signature_params,
    verify_with_rule, NOW,
};
use netnym::*;

use build::*;
use check::*;
use negative::*;

/// Unpadded base64url, as the wire format writes binary fields.
fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(_field: &str, text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

fn to_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

fn g1_bytes(p: &G1Affine) -> Vec<u8> {
    let mut out = Vec::new();
    p.serialize_compressed(&mut out).expect("in-memory");
    out
}

fn g2_bytes(p: &ark_bls12_381::G2Affine) -> Vec<u8> {
    let mut out = Vec::new();
    p.serialize_compressed(&mut out).expect("in-memory");
    out
}

fn fr_bytes(s: &Fr) -> Vec<u8> {
    let mut out = Vec::new();
    s.serialize_compressed(&mut out).expect("in-memory");
    out
}

/// Compressed size of a G1 element.
const G1_LEN: usize = 48;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/netnym-v1")
}

fn to_value(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("our own encoders emit JSON")
}

#[test]
fn vectors_match_and_verify() {
    let built = build();
    let mut negatives = 0;
    for (name, value) in &built {
        let path = dir().join(name);
        let stored: Value = serde_json::from_slice(
            &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&stored, value, "{name} differs from its regeneration");
        if name.starts_with("negative/") {
            negatives += 1;
            let rule = reject_rule(&stored);
            assert_eq!(
                rule,
                stored["rule"].as_str().unwrap_or(""),
                "{name} ({})",
                stored["name"]
            );
        } else {
            check_positive(name, &stored);
        }
    }
    assert!(negatives >= 80, "only {negatives} negative vectors");
    // No stray files: every stored vector is one we build.
    for sub in [
        "encoding",
        "keys",
        "issuance",
        "params",
        "presentation",
        "negative",
    ] {
        for entry in std::fs::read_dir(dir().join(sub)).expect("dir") {
            let file = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf8");
            let rel = format!("{sub}/{file}");
            assert!(built.iter().any(|(n, _)| *n == rel), "stray vector {rel}");
        }
    }
}

#[cfg(feature = "generate-vectors")]
#[test]
fn generate_vectors() {
    for (name, value) in build() {
        let path = dir().join(name.replace(".json", "-new.json"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        let mut text = serde_json::to_string_pretty(&value).expect("json");
        text.push('\n');
        std::fs::write(&path, text).expect("write");
    }
}
