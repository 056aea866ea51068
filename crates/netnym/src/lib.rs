//! # NetNym core
//!
//! Privacy-preserving national network identity: an authority issues a BBS+ credential
//! (Au–Susilo–Mu, proof of knowledge of section 4.5 of Camenisch–Drijvers–Lehmann 2016, as
//! implemented by docknetwork's `bbs_plus` 0.25 over BLS12-381) through **blind issuance**, so
//! it never learns the holder's link secret; the holder answers a platform's
//! [`PresentationRequest`] with an **unlinkable zero-knowledge [`Presentation`]** that discloses
//! only what was asked; the platform verifies offline.
//!
//! This crate has no I/O and no async: it is what a platform `cargo add`s to verify.
//! The specification is in the repository's `spec/` folder; code comments cite its numbered
//! checks (`SCH-`, `ENC-`, `WIRE-`, `KEY-`, `ISS-`, `REQ-`, `PRE-`, `VER-`).
//!
//! ## Modules (all re-exported at the root)
//! - schema: [`Schema`], [`AttributeType`], [`Attributes`], [`AttributeValue`], [`Date`]
//!   (spec/02-attributes.md)
//! - keys: [`IssuerSecretKey`], [`IssuerPublicKey`], [`KeyId`] (spec/07-key-management.md)
//! - link_secret: [`LinkSecret`] (spec/07-key-management.md)
//! - issuance: [`IssuanceOffer`], [`BlindIssuanceRequest`], [`Issuer`], [`IssuanceResponse`],
//!   [`PendingIssuance`] (spec/04-issuance.md)
//! - credential: [`Credential`] (spec/04-issuance.md), [`CheckedCredential`]
//!   (spec/05-presentation.md); signature: the BBS+ signature's wire encoding
//!   (spec/03-wire-format.md)
//! - request: [`PresentationRequest`], [`CredentialQuery`] (spec/05-presentation.md)
//! - presentation: [`Presentation`], [`Holding`], [`PreparedCredential`],
//!   [`ParsedPresentation`], [`Verifier`], [`VerifiedPresentation`] (spec/05-presentation.md,
//!   spec/06-verification.md)
//! - error: one error enum per operation
//!
//! # Example
//! ```
//! use netnym::*;
//! use rand::{rngs::OsRng, SeedableRng};
//!
//! let mut rng = rand_chacha::ChaCha20Rng::from_rng(OsRng).unwrap();
//! let schema = Schema::cn_network_id_v1();
//!
//! // Authority: a key for the schema, and an offer to issue.
//! let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
//! let pk = issuer.public_key().clone();
//! let offer = IssuanceOffer::new(&mut rng, &pk);
//!
//! // Holder: commit to a fresh link secret.
//! let link_secret = LinkSecret::generate(&mut rng);
//! let (request, pending) = BlindIssuanceRequest::new(&mut rng, &pk, &offer, &link_secret)?;
//!
//! // Authority: check the request and sign the enrolled attributes.
//! let attributes = Attributes::from_json(&schema, &serde_json::json!({
//!     "revocation_id": 7, "document_type": "01", "document_number": "310115200001011234",
//!     "family_name": "Li", "given_name": "Na", "birth_date": "2000-01-01",
//!     "region": "310115", "nationality": "CHN", "issued_on": "2024-01-01",
//!     "expires_on": "2034-01-01"
//! }))?;
//! let response = issuer.issue_blind(&mut rng, &offer, &request, &attributes)?;
//!
//! // Holder: unblind and verify.
//! let credential = pending.finish(&pk, response, &link_secret)?;
//!
//! // Platform: ask for the region only.
//! let now = 1_764_000_000;
//! let query = CredentialQuery::new(schema.id(), [pk.key_id()], ["region".to_owned()])?;
//! let ask = PresentationRequest::new(&mut rng, "shop.example", now, 300, vec![query])?;
//!
//! // Holder: prove.
//! let presentation = Presentation::create(&mut rng, &ask, &[(&credential, &pk)], &link_secret)?;
//! let bytes = presentation.to_json();
//!
//! // Platform: parse, then verify; only the verified value exposes the claims.
//! let verifier = Verifier::new([pk]);
//! let parsed = ParsedPresentation::from_json(&bytes)?;
//! let verified = verifier.verify(&ask, &parsed, now + 5)?;
//! assert_eq!(
//!     verified.credentials()[0].get("region"),
//!     Some(&AttributeValue::Code("310115".into()))
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Performance
//! A wallet checks each credential once ([`Credential::check`],
//! [`PendingIssuance::finish_checked`]) and presents from [`Holding::from_checked`]: the
//! signature's pairing check is not repeated on every presentation (it stays in
//! [`Presentation::create`] for plain credentials). A wallet that presents a credential many
//! times in one process also prepares it
//! ([`PreparedCredential::new`]: the signature is checked once and fixed-base tables are built,
//! a few tens of milliseconds and about 2 MiB for the first credential of a schema) and
//! presents from [`PreparedCredential::holding`]; proofs are identical in form, several times
//! cheaper to make (benches/README.md). A long-running verifier calls
//! [`Verifier::precompute`] once. Both are optional: results are the same without them.
//!
//! # Security
//! Not independently audited. Arithmetic comes from arkworks 0.4, which does not promise
//! constant-time operation, except in the prepared credential's and the tabled range prover's
//! group operations, which are NetNym's own constant-time code; NetNym's own secret comparisons
//! use `subtle`. See SECURITY.md §Side channels and spec/01-threat-model.md.
#![forbid(unsafe_code)]
#![allow(non_snake_case)] // Allow notation matching the spec (A_bar, T1).

mod credential;
mod encoding;
mod error;
mod fixed_base;
mod issuance;
mod keys;
mod link_secret;
mod pairing;
mod predicate;
mod presentation;
mod pseudonym;
mod range;
mod request;
mod revocation;
mod schema;
mod signature;
#[cfg(feature = "test-support")]
#[doc(hidden)]
pub mod test_support;
#[cfg(test)]
mod testing;

pub use crate::credential::*;
pub use crate::error::*;
/// ⚠️ Hazmat: fixed-base multiplication internals for `benches/` (feature `hazmat`).
#[cfg(feature = "hazmat")]
pub use crate::fixed_base::hazmat;
pub use crate::issuance::*;
pub use crate::keys::*;
pub use crate::link_secret::LinkSecret;
pub use crate::predicate::*;
pub use crate::presentation::*;
pub use crate::pseudonym::Pseudonym;
pub use crate::range::{
    KeyedRangeVerifier, RangeKind, RangeParams, MAX_BASE, MAX_RANGE_PARAMS_BYTES, MIN_BASE,
};
pub use crate::request::*;
pub use crate::revocation::*;
pub use crate::schema::*;

/// The root README's code blocks compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The wire format version every envelope carries.
pub const WIRE_VERSION: u64 = 1;

/// Largest number of attributes in one schema (SCH-002), in a request's `disclose` list and in a
/// presentation's `disclosed` map.
// At the root, with `WIRE_VERSION`: the schema, the wire decoder (`disclosed` maps), requests
// and presentations all bound their input by it, and none of them owns the others.
pub const MAX_ATTRIBUTES: usize = 64;
