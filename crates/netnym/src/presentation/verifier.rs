//! The platform's verifier: what it trusts, and the entry points of verification
//! (spec/06-verification.md).

use super::blame::{blame_pairing, CRYPTO_RULES};
use super::verified::VerifiedPresentation;
use super::ParsedPresentation;
use crate::error::{Rejection, RevocationError, VerifyError};
use crate::keys::{IssuerPublicKey, KeyId};
use crate::pairing::PairingBatch;
use crate::range::{KeyedRangeVerifier, RangeKind, RangeParams};
use crate::request::PresentationRequest;
use crate::revocation::{EpochEntry, RegistryPublicKey};
use ark_bls12_381::{Bls12_381, G1Affine};
use std::collections::BTreeMap;

/// A platform's verifier: the issuer keys it trusts, validated and prepared once.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    pub(super) issuers: BTreeMap<KeyId, IssuerPublicKey>,
    pub(super) registries: BTreeMap<KeyId, TrustedRegistry>,
    pub(super) range_params: BTreeMap<KeyId, RangeParams>,
    pub(super) keyed_range: BTreeMap<KeyId, std::sync::Arc<KeyedRangeVerifier>>,
}

/// A range proof as the library's type, of either kind.
pub(super) enum ClsProof {
    Public(smc_range_proof::prelude::CLSRangeProof<Bls12_381>),
    Keyed(smc_range_proof::prelude::CLSRangeProofWithKV<G1Affine>),
}

/// How one range proof is verified.
#[derive(Clone, Copy)]
pub(super) enum RangeCheck<'a> {
    Public(&'a RangeParams),
    Keyed(&'a KeyedRangeVerifier),
}

impl<'a> RangeCheck<'a> {
    pub(super) fn params(&self) -> &'a RangeParams {
        match self {
            Self::Public(p) => p,
            Self::Keyed(k) => k.public_params(),
        }
    }
}

/// A revocation registry the verifier trusts and the accumulator values of the epochs it knows.
#[derive(Debug, Clone)]
pub(super) struct TrustedRegistry {
    pub(super) key: RegistryPublicKey,
    pub(super) epochs: BTreeMap<u64, G1Affine>,
}

impl Verifier {
    /// A verifier trusting `keys`.
    #[must_use]
    pub fn new(keys: impl IntoIterator<Item = IssuerPublicKey>) -> Self {
        Self {
            issuers: keys.into_iter().map(|k| (k.key_id(), k)).collect(),
            registries: BTreeMap::new(),
            range_params: BTreeMap::new(),
            keyed_range: BTreeMap::new(),
        }
    }

    /// Build now, and larger, the generator tables every trusted key's schema otherwise gets
    /// at its first verification (spec/06-verification.md §Precomputation: window 14, 8 192
    /// points or 0.85 MiB per generator instead of window 10 and 53 KiB, a few milliseconds per
    /// generator, shared with every clone of the key): no request pays for them and each
    /// verification is cheaper. Results are identical either way. For long-running verifiers;
    /// a schema already verified with keeps its tables.
    #[must_use]
    pub fn precompute(self) -> Self {
        for pk in self.issuers.values() {
            pk.schema().wnaf_tables(crate::pairing::PRECOMPUTED_W);
        }
        self
    }

    /// Accept range proofs made with public parameters (checked by [`RangeParams::from_json`]).
    #[must_use]
    pub fn with_range_params(mut self, params: RangeParams) -> Self {
        self.range_params.insert(params.id(), params);
        self
    }

    /// Accept range proofs made with this platform's keyed parameters, verified with its key.
    #[must_use]
    pub fn with_keyed_range_verifier(mut self, keyed: KeyedRangeVerifier) -> Self {
        self.keyed_range
            .insert(keyed.public_params().id(), std::sync::Arc::new(keyed));
        self
    }

    pub(super) fn range_check(&self, id: KeyId) -> Option<RangeCheck<'_>> {
        if let Some(k) = self.keyed_range.get(&id) {
            return Some(RangeCheck::Keyed(k));
        }
        self.range_params
            .get(&id)
            .filter(|p| p.kind() == RangeKind::Public)
            .map(RangeCheck::Public)
    }

    /// Trust a revocation registry (its key obtained on an authenticated channel).
    #[must_use]
    pub fn with_registry(mut self, key: RegistryPublicKey) -> Self {
        self.registries.insert(
            key.id(),
            TrustedRegistry {
                key,
                epochs: BTreeMap::new(),
            },
        );
        self
    }

    /// Learn an epoch's accumulator value from the registry's public log. Entries must come
    /// from the authority over an authenticated channel (they are not signed); a second,
    /// different value for a known epoch is refused (REV-011).
    ///
    /// # Errors
    /// [`RevocationError::WrongRegistry`] when the registry is not trusted,
    /// [`RevocationError::ConflictingEpoch`] when the epoch is known with another value.
    pub fn add_epoch(&mut self, entry: &EpochEntry) -> Result<(), RevocationError> {
        let reg = self
            .registries
            .get_mut(&entry.registry())
            .ok_or(RevocationError::WrongRegistry)?;
        // REV-011: an epoch's value never changes once known.
        match reg.epochs.get(&entry.epoch()) {
            Some(v) if v != entry.accumulator() => {
                Err(RevocationError::ConflictingEpoch(entry.epoch()))
            }
            Some(_) => Ok(()),
            None => {
                reg.epochs.insert(entry.epoch(), *entry.accumulator());
                Ok(())
            }
        }
    }

    /// Stage 2: verify a parsed presentation against the request it answers, at time `now`
    /// (Unix seconds). Checks VER-003..VER-022 (spec/06-verification.md).
    ///
    /// # Errors
    /// [`VerifyError::RequestExpired`] for VER-004; [`VerifyError::InvalidPresentation`] for
    /// every other failure (opaque; the rule is logged at debug level, target `netnym::verify`).
    pub fn verify(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        self.check(request, presentation, now).map_err(opaque)
    }

    /// Parse and verify in one call.
    ///
    /// # Errors
    /// [`VerifyError::Malformed`] for undecodable input, otherwise as [`Verifier::verify`].
    pub fn verify_json(
        &self,
        request: &PresentationRequest,
        bytes: &[u8],
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let parsed = ParsedPresentation::from_json(bytes)?;
        self.verify(request, &parsed, now)
    }

    /// The checks, with the failed rule for logs and tests.
    pub(crate) fn check(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut batch = PairingBatch::new(true);
        let mut items = Vec::new();
        let fast = self.check_into(request, presentation, now, &mut batch, &mut items);
        drop(items);
        let failed = match fast {
            Ok(out) if batch.verify() => return Ok(out),
            Ok(_) => Rejection::new("VER-011", "batch failed"),
            // Structural rules are decided identically on both paths.
            Err(r) if !CRYPTO_RULES.contains(&r.rule) => return Err(r),
            Err(r) => r,
        };
        // A cryptographic check failed: the step-by-step path names the first failing
        // relation in spec order, for the debug log and tests.
        Err(self
            .check_stepwise(request, presentation, now, false)
            .err()
            .unwrap_or(failed))
    }

    /// Every check one at a time, in spec order: the Schnorr relations with the libraries'
    /// checks, then the pairing equations one by one (BBS+ with a two-pairing product, or with
    /// `bbs_plus`'s complete verifier when `reference`).
    pub(super) fn check_stepwise(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
        reference: bool,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut batch = PairingBatch::new(false);
        let mut items = Vec::new();
        let out = self.check_into(request, presentation, now, &mut batch, &mut items)?;
        drop(batch);
        match blame_pairing(&items, reference) {
            Some(r) => Err(r),
            None => Ok(out),
        }
    }

    /// The straightforward verifier: the same checks as [`Verifier::verify`], with every
    /// pairing equation checked on its own by the libraries' own verifiers (`bbs_plus`'s
    /// complete proof verification, `vb_accumulator`'s and `smc_range_proof`'s) instead of one
    /// batch. Slower; it exists to test the fast path against (spec/06-verification.md
    /// §Reference verifier) and must always agree with it.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_reference(
        &self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        self.check_stepwise(request, presentation, now, true)
            .map_err(opaque)
    }

    /// Verify many presentations, each against its own request, at time `now`, with every
    /// pairing equation of the whole batch checked at once (spec/06-verification.md §Batch
    /// verification). The result says, per presentation, whether it verified; when the
    /// combined pairing check fails, each presentation whose other checks passed is verified on
    /// its own to find which ones are invalid.
    #[must_use]
    pub fn verify_batch(
        &self,
        items: &[(&PresentationRequest, &ParsedPresentation)],
        now: u64,
    ) -> Vec<Result<VerifiedPresentation, VerifyError>> {
        let mut batch = PairingBatch::new(true);
        let mut pairing_items = Vec::new();
        let mut out: Vec<Result<VerifiedPresentation, Rejection>> = items
            .iter()
            .map(|(req, p)| self.check_into(req, p, now, &mut batch, &mut pairing_items))
            .collect();
        drop(pairing_items);
        if !batch.verify() {
            for (slot, (req, p)) in out.iter_mut().zip(items) {
                if slot.is_ok() {
                    *slot = self.check(req, p, now);
                }
            }
        }
        out.into_iter().map(|r| r.map_err(opaque)).collect()
    }
}

/// The caller's view of a rejection: opaque except for an expired request; the rule goes to
/// the debug log.
pub(super) fn opaque(r: Rejection) -> VerifyError {
    log::debug!(target: "netnym::verify", "rejected by {}: {}", r.rule, r.detail);
    if r.rule == "VER-004" {
        VerifyError::RequestExpired
    } else {
        VerifyError::InvalidPresentation
    }
}
