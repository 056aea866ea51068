//! Hooks for NetNym's own tests and its test-vector generator (`crates/netnym/tests/vectors/`),
//! behind the `test-support` feature.
//!
//! **Not part of the API.** Nothing here is needed to issue, present or verify; the crate enables
//! the feature only through its own dev-dependency, so no production build contains it. The hooks
//! build what a cheating holder would send (proofs without the holder-side checks, credentials
//! with arbitrary signatures, requests re-bound to another nonce) and expose the rule that
//! rejected a presentation, which the public API keeps opaque.

use ark_bls12_381::{Fr, G1Affine};
use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};

use crate::credential::Credential;
use crate::encoding::G1_LEN;
use crate::error::PresentError;
use crate::issuance::BlindIssuanceRequest;
use crate::keys::{IssuerPublicKey, KeyId};
use crate::link_secret::LinkSecret;
use crate::presentation::{ParsedPresentation, Presentation, VerifiedPresentation, Verifier};
use crate::request::PresentationRequest;
use crate::schema::{AttributeValue, Attributes, Schema};

/// The fixture "now": 2025-11-24T16:00:00Z.
pub const NOW: u64 = 1_764_000_000;

/// The deterministic RNG of the fixtures and test vectors.
#[must_use]
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The fixture citizen's attributes (schema `cn-network-id/v1`, revocation id 42).
#[must_use]
pub fn citizen_json() -> serde_json::Value {
    serde_json::json!({
        "revocation_id": 42, "document_type": "01", "document_number": "310115199001011234",
        "family_name": "Zhang", "given_name": "Wei", "birth_date": "1990-01-01",
        "region": "310115", "nationality": "CHN", "issued_on": "2020-05-01",
        "expires_on": "2030-05-01"
    })
}

/// [`Verifier::verify`], with the rule that rejected the presentation instead of the opaque
/// error.
///
/// # Errors
/// The rule (`"VER-010"`, …) of the first failed check.
pub fn verify_with_rule(
    verifier: &Verifier,
    request: &PresentationRequest,
    presentation: &ParsedPresentation,
    now: u64,
) -> Result<VerifiedPresentation, &'static str> {
    verifier
        .check(request, presentation, now)
        .map_err(|r| r.rule)
}

/// A presentation built without the holder-side checks of the signature (PRE-005), the
/// predicates (PRE-007) and the witness (PRE-009): what a cheating holder would send.
///
/// # Errors
/// [`PresentError`] for the structural checks that remain.
pub fn present_without_holder_checks(
    rng: &mut (impl RngCore + CryptoRng),
    request: &PresentationRequest,
    credentials: &[(&Credential, &IssuerPublicKey)],
    link_secret: &LinkSecret,
) -> Result<Presentation, PresentError> {
    Presentation::build_pairs(rng, request, credentials, link_secret, false)
}

/// A credential claiming the signature `(A, e, s)` on `attributes`, unchecked.
#[must_use]
pub fn credential_with_signature(
    key_id: KeyId,
    attributes: Attributes,
    A: G1Affine,
    e: Fr,
    s: Fr,
) -> Credential {
    Credential::new(
        key_id,
        attributes,
        bbs_plus::signature::SignatureG1 { A, e, s },
    )
}

/// `request` re-bound to another nonce, its digest recomputed (a replay to another verifier
/// that echoes the nonce).
#[must_use]
pub fn request_with_nonce(request: &PresentationRequest, nonce: &[u8]) -> PresentationRequest {
    let mut out = request.clone();
    out.nonce = nonce.to_vec();
    out.digest = out.compute_digest();
    out
}

/// The Schnorr responses of a blind issuance request's proof, to tamper with.
pub fn issuance_responses_mut(request: &mut BlindIssuanceRequest) -> &mut Vec<Fr> {
    request.parts_mut().2
}

/// The scalar an attribute value is signed as (ENC rules).
#[must_use]
pub fn attribute_scalar(value: &AttributeValue) -> Fr {
    value.to_scalar()
}

/// The schema's BBS+ generators (`g1`, `g2`, `h_0`, `h[i]`).
#[must_use]
pub fn signature_params(
    schema: &Schema,
) -> &bbs_plus::setup::SignatureParamsG1<ark_bls12_381::Bls12_381> {
    schema.params()
}

/// A compressed encoding of a point on the curve but outside the prime-order subgroup, built
/// from constants (no untrusted data): the decoders must reject it (WIRE-007).
#[must_use]
pub fn non_subgroup_g1() -> [u8; G1_LEN] {
    use ark_bls12_381::Fq;
    use ark_serialize::CanonicalSerialize;
    let mut x = Fq::from(1u64);
    loop {
        // Constants only: the unvalidated constructor is how the invalid point is made.
        if let Some(p) = G1Affine::get_point_from_x_unchecked(x, true) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                let mut out = [0u8; G1_LEN];
                if p.serialize_compressed(&mut out[..]).is_ok() {
                    return out;
                }
            }
        }
        x += Fq::from(1u64);
    }
}
