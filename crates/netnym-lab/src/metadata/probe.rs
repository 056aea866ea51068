//! Real presentations behind the metadata channels (docs/lab.md §Metadata channels): which
//! epoch a presentation carries and whether a verifier accepts every epoch of a window, the
//! sizes of one policy's presentations, and the time a wallet takes to answer from a plain and
//! from a prepared credential.
//!
//! Everything here runs the core library: a registry that revokes other people's ids to make
//! epochs, witnesses updated entry by entry, presentations made and verified. The channel
//! models (`super::model`) take their inputs from these measurements.

use std::collections::BTreeMap;
use std::time::Instant;

use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};

use netnym::{
    Attributes, BlindIssuanceRequest, Credential, CredentialQuery, EpochEntry, Holding,
    InMemoryRevokedSet, IssuanceOffer, Issuer, IssuerPublicKey, IssuerSecretKey, LinkSecret,
    MembershipWitness, NonRevocation, ParsedPresentation, PreparedCredential, Presentation,
    PresentationRequest, RangeParams, RevocationAuthority, Schema, Verifier,
};

use crate::designs::{core_err, DesignError, Policy, RANGE_BASE, REGISTRY_DOMAIN};
use crate::population::REFERENCE_UNIX;
use crate::seeding;

/// The last epoch the probe makes: epochs `0..=LAST_EPOCH` cross the one-to-two-digit boundary
/// of the JSON number (9 → 10), the only place a presentation's size can change within a policy.
pub const LAST_EPOCH: u64 = 11;
/// Epochs every probe holder presents at (the window accepts all of `0..=LAST_EPOCH`).
pub const PROBED_EPOCHS: [u64; 5] = [0, 5, 9, 10, LAST_EPOCH];
/// First revocation id the probe revokes (far from the holders' ids, which are below 10 001).
const FIRST_REVOKED: u64 = 100_000;

/// What the probe measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResults {
    /// Holders that presented.
    pub holders: usize,
    /// Every probed presentation was accepted with a request window of all epochs, and its
    /// `non_revoked.epoch` field was the epoch of the witness it was made from.
    pub epoch_carried: bool,
    /// Per probed epoch, the distinct sizes (bytes) of the holders' presentations.
    pub sizes: BTreeMap<u64, Vec<usize>>,
    /// Wall time of `Presentation::create_with` from a plain credential, ms, one per run.
    pub prove_ms_plain: Vec<f64>,
    /// The same from a prepared credential (tables built once, before timing).
    pub prove_ms_prepared: Vec<f64>,
}

impl ProbeResults {
    /// The size of a presentation at `epoch`: the measured size at the probed epoch with the
    /// same number of decimal digits (the probe shows sizes depend on nothing else).
    #[must_use]
    pub fn size_at(&self, epoch: u64) -> usize {
        let digits = |e: u64| e.to_string().len();
        self.sizes
            .iter()
            .rfind(|(e, _)| digits(**e) <= digits(epoch))
            .and_then(|(e, s)| s.first().map(|s| s + digits(epoch) - digits(*e)))
            .unwrap_or(0)
    }
}

struct ProbeHolder {
    credential: Credential,
    link_secret: LinkSecret,
    /// The witness at each epoch `0..=LAST_EPOCH`.
    witnesses: Vec<MembershipWitness>,
}

/// Run the probe: `holders` holders with the attributes in `attributes`, `timings` timed
/// presentations of each kind.
///
/// # Errors
/// [`DesignError`] when the core library refuses a step (a bug: never expected).
pub fn run(
    seed: u64,
    attributes: &[serde_json::Value],
    policy: &Policy,
    timings: usize,
) -> Result<ProbeResults, DesignError> {
    let mut rng = seeding::rng(seed, "metadata-probe", 0, 0);
    let schema = Schema::cn_network_id_v1();
    let issuer = Issuer::new(IssuerSecretKey::generate(&mut rng), &schema);
    let pk = issuer.public_key().clone();
    let range = RangeParams::generate(&mut rng, RANGE_BASE).map_err(core_err)?;
    let (registry, genesis) =
        RevocationAuthority::generate(&mut rng, REGISTRY_DOMAIN).map_err(core_err)?;
    let mut revoked = InMemoryRevokedSet::default();
    let mut entries = vec![genesis];
    for e in 1..=LAST_EPOCH {
        let ids = [FIRST_REVOKED + 2 * e, FIRST_REVOKED + 2 * e + 1];
        let next = registry
            .revoke(&entries[entries.len() - 1], &ids, &mut revoked)
            .map_err(core_err)?;
        entries.push(next);
    }
    let mut verifier = Verifier::new([pk.clone()])
        .with_range_params(range.clone())
        .with_registry(registry.public_key().clone());
    for e in &entries {
        verifier.add_epoch(e).map_err(core_err)?;
    }
    let holders = attributes
        .iter()
        .map(|a| enroll(&mut rng, &issuer, &schema, &registry, &entries, a))
        .collect::<Result<Vec<_>, _>>()?;

    // Sizes and epochs: every holder at every probed epoch, one window accepting all.
    let mut epoch_carried = true;
    let mut sizes: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for h in &holders {
        for &e in &PROBED_EPOCHS {
            let request = request(&mut rng, &schema, &pk, &registry, &range, policy)?;
            let witness = &h.witnesses[usize::try_from(e).unwrap_or(0)];
            let holding = Holding::new(&h.credential, &pk).with_witness(witness);
            let bytes = Presentation::create_with(
                &mut rng,
                &request,
                &[holding],
                &h.link_secret,
                &[&range],
            )
            .map_err(core_err)?
            .to_json();
            let parsed = ParsedPresentation::from_json(&bytes).map_err(core_err)?;
            verifier
                .verify(&request, &parsed, REFERENCE_UNIX + 1)
                .map_err(core_err)?;
            epoch_carried &= carried_epoch(&bytes) == Some(e);
            let s = sizes.entry(e).or_default();
            if !s.contains(&bytes.len()) {
                s.push(bytes.len());
                s.sort_unstable();
            }
        }
    }

    // Answer time, plain and prepared, interleaved so that drift hits both alike.
    let h = &holders[0];
    let witness = &h.witnesses[h.witnesses.len() - 1];
    let prepared = PreparedCredential::new(&h.credential, &pk, &h.link_secret).map_err(core_err)?;
    let mut prove_ms_plain = Vec::with_capacity(timings);
    let mut prove_ms_prepared = Vec::with_capacity(timings);
    for _ in 0..timings {
        for use_prepared in [false, true] {
            let request = request(&mut rng, &schema, &pk, &registry, &range, policy)?;
            let holding = if use_prepared {
                prepared.holding().with_witness(witness)
            } else {
                Holding::new(&h.credential, &pk).with_witness(witness)
            };
            let start = Instant::now();
            let p = Presentation::create_with(
                &mut rng,
                &request,
                &[holding],
                &h.link_secret,
                &[&range],
            )
            .map_err(core_err)?;
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            drop(p);
            if use_prepared {
                prove_ms_prepared.push(ms);
            } else {
                prove_ms_plain.push(ms);
            }
        }
    }
    Ok(ProbeResults {
        holders: holders.len(),
        epoch_carried,
        sizes,
        prove_ms_plain,
        prove_ms_prepared,
    })
}

fn enroll(
    rng: &mut ChaCha20Rng,
    issuer: &Issuer,
    schema: &Schema,
    registry: &RevocationAuthority,
    entries: &[EpochEntry],
    attributes: &serde_json::Value,
) -> Result<ProbeHolder, DesignError> {
    let pk = issuer.public_key();
    let id = attributes["revocation_id"]
        .as_u64()
        .ok_or(DesignError::Baseline("revocation_id"))?;
    let link_secret = LinkSecret::generate(rng);
    let offer = IssuanceOffer::new(rng, pk);
    let (request, pending) =
        BlindIssuanceRequest::new(rng, pk, &offer, &link_secret).map_err(core_err)?;
    let attrs = Attributes::from_json(schema, attributes).map_err(core_err)?;
    let response = issuer
        .issue_blind(rng, &offer, &request, &attrs)
        .map_err(core_err)?;
    let credential = pending
        .finish(pk, response, &link_secret)
        .map_err(core_err)?;
    let mut witness = registry
        .witness(id, &entries[0], &InMemoryRevokedSet::default())
        .map_err(core_err)?;
    let mut witnesses = vec![witness.clone()];
    for e in &entries[1..] {
        witness.update(e).map_err(core_err)?;
        witnesses.push(witness.clone());
    }
    Ok(ProbeHolder {
        credential,
        link_secret,
        witnesses,
    })
}

/// Design d's request for the policy's predicates, with a window accepting every epoch
/// `0..=LAST_EPOCH`.
fn request(
    rng: &mut ChaCha20Rng,
    schema: &Schema,
    pk: &IssuerPublicKey,
    registry: &RevocationAuthority,
    range: &RangeParams,
    policy: &Policy,
) -> Result<PresentationRequest, DesignError> {
    // Design d: predicates, non-revocation and a pseudonym, nothing disclosed.
    let query = CredentialQuery::new(schema.id(), [pk.key_id()], Vec::new())
        .and_then(|q| q.with_predicates(policy.predicates.clone()))
        .and_then(|q| {
            q.with_non_revocation(NonRevocation::new(
                registry.public_key().id(),
                0,
                LAST_EPOCH,
            ))
        })
        .map_err(core_err)?;
    let request =
        PresentationRequest::new(rng, &policy.verifier_id, REFERENCE_UNIX, 300, vec![query])
            .map_err(core_err)?;
    Ok(request.with_range_params(range.id()).with_pseudonym())
}

/// The `epoch` of the first credential's `non_revoked` proof in a presentation's JSON.
#[must_use]
pub fn carried_epoch(bytes: &[u8]) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v["credentials"][0]["non_revoked"]["epoch"].as_u64()
}
