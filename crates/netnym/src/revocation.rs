//! Non-revocation (spec/09-revocation.md, `REV-nnn`).
//!
//! The authority keeps a VB **positive** accumulator (Vitto–Biryukov 2020, docknetwork
//! `vb_accumulator` 0.29) **pre-filled** with every revocation id of its domain `1..=N`:
//! `V_0 = P · Π (y + α)`. Issuing a credential assigns an unused id and does not change the
//! accumulator, so issuance never forces witness updates; revoking ids `D` divides them out,
//! `V_{k+1} = V_k · Π_{y∈D} 1/(y + α)`, and publishes an [`EpochEntry`] (the revoked ids, the
//! `Omega` update data and the new value) in an append-only log. A holder updates its
//! [`MembershipWitness`] from those public entries only, and proves membership of its hidden
//! `revocation_id` in the value of an epoch the request accepts with the CDH-variant protocol
//! (no pairings for the prover), sharing the BBS+ blinding of the attribute.
//!
//! The accumulator's membership state is persisted behind [`RevokedSet`]: only revoked ids are
//! stored (the domain is implicit), so a database can back it with one table.

use std::collections::BTreeSet;

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, CurveGroup};
use ark_ff::{BigInteger, One, PrimeField, UniformRand, Zero};
use blake2::Blake2b512;
use rand_core::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use vb_accumulator::persistence::State;
use vb_accumulator::prelude::{
    Accumulator, MembershipWitness as VbWitness, Omega, PositiveAccumulator, PreparedPublicKey,
    PreparedSetupParams, PublicKey, SecretKey, SetupParams,
};
use zeroize::{Zeroize, Zeroizing};

use crate::encoding::{
    b64, check_envelope, fr_bytes, fr_from, g1_bytes, g1_from, g2_bytes, g2_from, parse_json,
    unb64, Transcript,
};
use crate::error::{DecodeError, RevocationError};
use crate::keys::KeyId;

const SETUP_LABEL: &[u8] = b"NetNym-v1:VB-accumulator:BLS12-381:setup";
const REGISTRY_KEY_TYPE: &str = "netnym-registry-public-key";
const REGISTRY_SECRET_TYPE: &str = "netnym-registry-secret-key";
const EPOCH_TYPE: &str = "netnym-revocation-epoch";
const WITNESS_TYPE: &str = "netnym-membership-witness";
/// Largest revocation domain (REV-001): ids `1..=N` with `N <= 2^31`, enough for one id per
/// person of a 1.4-billion-person country with room for re-enrollments. The genesis value
/// costs one field multiplication per id (spec/09-revocation.md §Scale); nothing else grows
/// with the domain.
pub const MAX_DOMAIN: u64 = 1 << 31;
/// Most ids revoked in one epoch (REV-004).
pub const MAX_REVOKED_PER_EPOCH: usize = 1024;
/// Largest epoch entry JSON accepted, in bytes.
pub const MAX_EPOCH_BYTES: usize = 256 * 1024;

/// The public accumulator parameters `(P, P̃)`, derived from a public label (REV-001).
fn setup_params() -> SetupParams<Bls12_381> {
    SetupParams::<Bls12_381>::new::<Blake2b512>(SETUP_LABEL)
}

/// Persistence of the accumulator's membership state: the set of revoked ids. Implemented in
/// memory by [`InMemoryRevokedSet`] and by a database in `netnym-store`.
pub trait RevokedSet {
    /// Whether `id` has been revoked.
    fn is_revoked(&self, id: u64) -> bool;
    /// Record `id` as revoked.
    fn mark_revoked(&mut self, id: u64);
    /// Number of revoked ids.
    fn revoked_count(&self) -> u64;
}

/// A [`RevokedSet`] in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InMemoryRevokedSet(BTreeSet<u64>);

impl RevokedSet for InMemoryRevokedSet {
    fn is_revoked(&self, id: u64) -> bool {
        self.0.contains(&id)
    }
    fn mark_revoked(&mut self, id: u64) {
        self.0.insert(id);
    }
    fn revoked_count(&self) -> u64 {
        self.0.len() as u64
    }
}

/// `vb_accumulator`'s `State` over a pre-filled domain `1..=N` minus a [`RevokedSet`].
struct DomainState<'a, S: RevokedSet + ?Sized> {
    revoked: &'a mut S,
    domain: u64,
}

/// The id a scalar encodes, if it is a small integer.
pub(crate) fn scalar_to_id(e: &Fr) -> Option<u64> {
    let bytes = e.into_bigint().to_bytes_le();
    if bytes[8..].iter().any(|&b| b != 0) {
        return None;
    }
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[..8]);
    Some(u64::from_le_bytes(le))
}

impl<S: RevokedSet + ?Sized> State<Fr> for DomainState<'_, S> {
    /// The domain is fixed at setup; a pre-filled accumulator never adds (REV-002).
    fn add(&mut self, _element: Fr) {}
    fn remove(&mut self, element: &Fr) {
        if let Some(id) = scalar_to_id(element) {
            self.revoked.mark_revoked(id);
        }
    }
    fn has(&self, element: &Fr) -> bool {
        scalar_to_id(element)
            .is_some_and(|id| (1..=self.domain).contains(&id) && !self.revoked.is_revoked(id))
    }
    fn size(&self) -> u64 {
        self.domain - self.revoked.revoked_count()
    }
}

/// The authority's revocation registry public key: the accumulator key `Q̃ = P̃·α` and the
/// domain size. Its id names both (REV-001).
#[derive(Clone)]
pub struct RegistryPublicKey {
    pk: G2Affine,
    domain: u64,
    id: KeyId,
    prepared_pk: PreparedPublicKey<Bls12_381>,
    prepared_params: PreparedSetupParams<Bls12_381>,
}

impl core::fmt::Debug for RegistryPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RegistryPublicKey")
            .field("id", &self.id)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RegistryPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for RegistryPublicKey {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryKeyWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    registry_id: String,
    domain: u64,
    public_key: String,
}

impl RegistryPublicKey {
    fn from_parts(pk: G2Affine, domain: u64) -> Self {
        let mut t = Transcript::new(b"NetNym-v1:registry-id");
        t.append(b"setup", SETUP_LABEL);
        t.append_u64(b"domain", domain);
        t.append(b"pk", &g2_bytes(&pk));
        Self {
            pk,
            domain,
            id: KeyId(t.digest()),
            prepared_pk: PreparedPublicKey::from(PublicKey::<Bls12_381>(pk)),
            prepared_params: PreparedSetupParams::from(setup_params()),
        }
    }

    /// The registry id.
    #[must_use]
    pub fn id(&self) -> KeyId {
        self.id
    }

    /// Revocation ids are `1..=domain()`.
    #[must_use]
    pub fn domain(&self) -> u64 {
        self.domain
    }

    pub(crate) fn prepared(
        &self,
    ) -> (
        &PreparedPublicKey<Bls12_381>,
        &PreparedSetupParams<Bls12_381>,
    ) {
        (&self.prepared_pk, &self.prepared_params)
    }

    /// JSON envelope published by the authority.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(&RegistryKeyWire {
            ty: REGISTRY_KEY_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            registry_id: self.id.to_string(),
            domain: self.domain,
            public_key: b64(&g2_bytes(&self.pk)),
        })
        .unwrap_or_default()
    }

    /// Parse and validate (REV-001: valid non-identity G2 point, domain `1..=2^31`, id matches).
    ///
    /// # Errors
    /// [`DecodeError`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: RegistryKeyWire = parse_json(bytes, 4096)?;
        check_envelope(REGISTRY_KEY_TYPE, &w.ty, w.version)?;
        check_domain(w.domain)?;
        let pk = g2_from("public_key", &unb64("public_key", &w.public_key)?, false)?;
        let key = Self::from_parts(pk, w.domain);
        if KeyId::parse(&w.registry_id)? != key.id {
            return Err(DecodeError::InvalidField {
                field: "registry_id",
                reason: "does not match the public key and domain".to_owned(),
            });
        }
        Ok(key)
    }
}

fn check_domain(domain: u64) -> Result<(), DecodeError> {
    if domain == 0 || domain > MAX_DOMAIN {
        return Err(DecodeError::InvalidField {
            field: "domain",
            reason: format!("must be 1..={MAX_DOMAIN}"),
        });
    }
    Ok(())
}

/// The authority's accumulator secret key `α` (zeroized on drop, redacted in `Debug`).
pub struct RevocationAuthority {
    sk: SecretKey<Fr>,
    public: RegistryPublicKey,
}

impl core::fmt::Debug for RevocationAuthority {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RevocationAuthority")
            .field("registry", &self.public.id)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistrySecretWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    domain: u64,
    secret_key: String,
}

impl Drop for RegistrySecretWire {
    fn drop(&mut self) {
        self.secret_key.zeroize();
    }
}

impl RevocationAuthority {
    /// A fresh registry over revocation ids `1..=domain`, and its genesis entry (epoch 0) with
    /// every id a member (REV-002).
    ///
    /// # Errors
    /// [`RevocationError::Domain`] when `domain` is not in `1..=MAX_DOMAIN`.
    pub fn generate(
        rng: &mut (impl RngCore + CryptoRng),
        domain: u64,
    ) -> Result<(Self, EpochEntry), RevocationError> {
        check_domain(domain).map_err(|_| RevocationError::Domain)?;
        let alpha = loop {
            let a = Fr::rand(rng);
            // α = -y for a domain id would make that id's witness undefined.
            if !a.is_zero() && scalar_to_id(&-a).is_none_or(|y| y > domain) {
                break a;
            }
        };
        let authority = Self::from_secret(alpha, domain);
        let genesis = authority.genesis();
        Ok((authority, genesis))
    }

    fn from_secret(alpha: Fr, domain: u64) -> Self {
        let params = setup_params();
        let pk = (params.P_tilde * alpha).into_affine();
        Self {
            sk: SecretKey(alpha),
            public: RegistryPublicKey::from_parts(pk, domain),
        }
    }

    /// The genesis entry: `V_0 = P · Π_{y=1..N} (y + α)`.
    #[must_use]
    pub fn genesis(&self) -> EpochEntry {
        let mut d = Zeroizing::new(Fr::one());
        let mut y = Fr::zero();
        for _ in 0..self.public.domain {
            y += Fr::one();
            *d *= y + self.sk.0;
        }
        let v = (setup_params().P * *d).into_affine();
        EpochEntry {
            registry: self.public.id,
            epoch: 0,
            revoked: Vec::new(),
            omega: Vec::new(),
            accumulator: v,
        }
    }

    /// The public key.
    #[must_use]
    pub fn public_key(&self) -> &RegistryPublicKey {
        &self.public
    }

    /// Serialize the secret key as JSON in a zeroizing buffer (encrypt it before storing).
    #[must_use]
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let raw = Zeroizing::new(fr_bytes(&self.sk.0));
        let w = RegistrySecretWire {
            ty: REGISTRY_SECRET_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            domain: self.public.domain,
            secret_key: b64(&*raw),
        };
        Zeroizing::new(serde_json::to_vec(&w).unwrap_or_default())
    }

    /// Parse the secret key JSON.
    ///
    /// # Errors
    /// [`DecodeError`] for malformed input or a zero key.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: RegistrySecretWire = parse_json(bytes, 1024)?;
        check_envelope(REGISTRY_SECRET_TYPE, &w.ty, w.version)?;
        check_domain(w.domain)?;
        let raw = Zeroizing::new(unb64("secret_key", &w.secret_key)?);
        let alpha = fr_from("secret_key", &raw)?;
        // REV-001: as in `generate`, α is not zero and −α is not an id of the domain.
        if alpha.is_zero() || scalar_to_id(&-alpha).is_some_and(|y| y <= w.domain) {
            return Err(DecodeError::InvalidScalar {
                field: "secret_key",
            });
        }
        Ok(Self::from_secret(alpha, w.domain))
    }

    /// A membership witness for `id` against `current` (REV-003: `id` in the domain, not
    /// revoked, `current` is this registry's latest entry as the caller knows it).
    ///
    /// # Errors
    /// [`RevocationError`] when the id is outside the domain, revoked, or the entry belongs to
    /// another registry.
    pub fn witness(
        &self,
        id: u64,
        current: &EpochEntry,
        revoked: &(impl RevokedSet + ?Sized),
    ) -> Result<MembershipWitness, RevocationError> {
        if current.registry != self.public.id {
            return Err(RevocationError::WrongRegistry);
        }
        if !(1..=self.public.domain).contains(&id) {
            return Err(RevocationError::Domain);
        }
        if revoked.is_revoked(id) {
            return Err(RevocationError::Revoked(id));
        }
        let acc = PositiveAccumulator::<G1Affine>::from_value(current.accumulator);
        let c = acc.compute_membership_witness(&Fr::from(id), &self.sk).0;
        Ok(MembershipWitness {
            registry: self.public.id,
            id,
            epoch: current.epoch,
            accumulator: current.accumulator,
            c,
        })
    }

    /// Revoke `ids` (REV-004: 1..=1024 distinct ids of the domain, none already revoked),
    /// marking them in `revoked` and returning the next epoch's entry. The caller persists the
    /// state change and the entry together, and acknowledges only after both are durable.
    ///
    /// # Errors
    /// [`RevocationError`]; on error `revoked` is unchanged.
    pub fn revoke(
        &self,
        current: &EpochEntry,
        ids: &[u64],
        revoked: &mut (impl RevokedSet + ?Sized),
    ) -> Result<EpochEntry, RevocationError> {
        if current.registry != self.public.id {
            return Err(RevocationError::WrongRegistry);
        }
        if ids.is_empty() || ids.len() > MAX_REVOKED_PER_EPOCH {
            return Err(RevocationError::BatchSize);
        }
        let mut sorted: Vec<u64> = ids.to_vec();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(RevocationError::Duplicate);
        }
        for &id in &sorted {
            if !(1..=self.public.domain).contains(&id) {
                return Err(RevocationError::Domain);
            }
            if revoked.is_revoked(id) {
                return Err(RevocationError::Revoked(id));
            }
        }
        let next_epoch = current
            .epoch
            .checked_add(1)
            .ok_or(RevocationError::Domain)?;
        let elements: Vec<Fr> = sorted.iter().map(|&y| Fr::from(y)).collect();
        let omega = Omega::new(&[], &elements, &current.accumulator, &self.sk);
        let mut state = DomainState {
            revoked,
            domain: self.public.domain,
        };
        let acc = PositiveAccumulator::<G1Affine>::from_value(current.accumulator)
            .remove_batch(&elements, &self.sk, &mut state)
            .map_err(|_| RevocationError::Internal("accumulator removal"))?;
        Ok(EpochEntry {
            registry: self.public.id,
            epoch: next_epoch,
            revoked: sorted,
            omega: omega.0,
            accumulator: *acc.value(),
        })
    }
}

/// One entry of a registry's append-only public log: epoch `n`'s accumulator value and what
/// changed since epoch `n − 1` (the revoked ids and the `Omega` update data).
#[derive(Clone, PartialEq, Eq)]
pub struct EpochEntry {
    registry: KeyId,
    epoch: u64,
    revoked: Vec<u64>,
    omega: Vec<G1Affine>,
    accumulator: G1Affine,
}

impl core::fmt::Debug for EpochEntry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EpochEntry")
            .field("registry", &self.registry)
            .field("epoch", &self.epoch)
            .field("revoked", &self.revoked.len())
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    registry_id: String,
    epoch: u64,
    revoked: Vec<u64>,
    omega: Vec<String>,
    accumulator: String,
}

impl EpochEntry {
    /// The registry.
    #[must_use]
    pub fn registry(&self) -> KeyId {
        self.registry
    }
    /// The epoch number (0 = genesis).
    #[must_use]
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// The ids revoked by this epoch (sorted).
    #[must_use]
    pub fn revoked(&self) -> &[u64] {
        &self.revoked
    }
    pub(crate) fn accumulator(&self) -> &G1Affine {
        &self.accumulator
    }

    /// JSON form.
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&EpochWire {
            ty: EPOCH_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            registry_id: self.registry.to_string(),
            epoch: self.epoch,
            revoked: self.revoked.clone(),
            omega: self.omega.iter().map(|p| b64(&g1_bytes(p))).collect(),
            accumulator: b64(&g1_bytes(&self.accumulator)),
        })
        .unwrap_or_default()
    }

    /// Parse and validate (REV-005: sorted distinct ids, `Omega` of exactly `#revoked`
    /// valid points when `epoch > 0`, none at genesis; a non-identity accumulator value).
    ///
    /// # Errors
    /// [`DecodeError`] naming the field at fault.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DecodeError> {
        let w: EpochWire = parse_json(bytes, MAX_EPOCH_BYTES)?;
        check_envelope(EPOCH_TYPE, &w.ty, w.version)?;
        let invalid = |field, reason: &str| DecodeError::InvalidField {
            field,
            reason: reason.to_owned(),
        };
        if w.revoked.len() > MAX_REVOKED_PER_EPOCH
            || w.revoked.windows(2).any(|p| p[0] >= p[1])
            || w.revoked.first() == Some(&0)
        {
            return Err(invalid(
                "revoked",
                "must be at most 1024 sorted distinct ids >= 1",
            ));
        }
        let expected_omega = if w.epoch == 0 {
            if !w.revoked.is_empty() {
                return Err(invalid("revoked", "genesis revokes nothing"));
            }
            0
        } else {
            if w.revoked.is_empty() {
                return Err(invalid("revoked", "an epoch revokes at least one id"));
            }
            w.revoked.len()
        };
        if w.omega.len() != expected_omega {
            return Err(invalid("omega", "must hold one point per revoked id"));
        }
        let omega = w
            .omega
            .iter()
            .map(|s| g1_from("omega", &unb64("omega", s)?, true))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            registry: KeyId::parse(&w.registry_id)?,
            epoch: w.epoch,
            revoked: w.revoked,
            omega,
            accumulator: g1_from("accumulator", &unb64("accumulator", &w.accumulator)?, false)?,
        })
    }
}

/// A holder's membership witness `C = V · 1/(y + α)` for its revocation id `y`, valid for one
/// epoch's accumulator value. Not secret from the authority, but it identifies the holder to
/// it: keep it in the wallet. Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct MembershipWitness {
    registry: KeyId,
    pub(crate) id: u64,
    pub(crate) epoch: u64,
    accumulator: G1Affine,
    c: G1Affine,
}

impl core::fmt::Debug for MembershipWitness {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MembershipWitness")
            .field("registry", &self.registry)
            .field("epoch", &self.epoch)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessWire {
    #[serde(rename = "type")]
    ty: String,
    version: u64,
    registry_id: String,
    revocation_id: u64,
    epoch: u64,
    accumulator: String,
    witness: String,
}

impl MembershipWitness {
    /// The registry.
    #[must_use]
    pub fn registry(&self) -> KeyId {
        self.registry
    }
    /// The epoch whose accumulator value this witness is valid for.
    #[must_use]
    pub fn epoch(&self) -> u64 {
        self.epoch
    }
    /// The revocation id it proves membership of.
    #[must_use]
    pub fn revocation_id(&self) -> u64 {
        self.id
    }
    pub(crate) fn accumulator(&self) -> &G1Affine {
        &self.accumulator
    }
    pub(crate) fn vb(&self) -> VbWitness<G1Affine> {
        VbWitness(self.c)
    }

    /// Check the witness against the registry key (REV-006):
    /// `e(C, P̃·y + Q̃) = e(V, P̃)`.
    #[must_use]
    pub fn verify(&self, registry: &RegistryPublicKey) -> bool {
        if registry.id != self.registry {
            return false;
        }
        let params = setup_params();
        let lhs_g2 = (params.P_tilde * Fr::from(self.id) + registry.pk).into_affine();
        Bls12_381::multi_pairing(
            [
                self.c,
                G1Affine::from(-ark_ec::AffineRepr::into_group(self.accumulator)),
            ],
            [lhs_g2, params.P_tilde],
        )
        .is_zero()
    }

    /// Move the witness to the next epoch with that epoch's public entry (REV-007: same
    /// registry, epoch exactly one more; fails if this id was revoked in it).
    ///
    /// # Errors
    /// [`RevocationError::Revoked`] when the entry revokes this id; [`RevocationError`] for an
    /// entry of another registry or epoch.
    pub fn update(&mut self, entry: &EpochEntry) -> Result<(), RevocationError> {
        if entry.registry != self.registry {
            return Err(RevocationError::WrongRegistry);
        }
        if Some(entry.epoch) != self.epoch.checked_add(1) {
            return Err(RevocationError::EpochGap {
                have: self.epoch,
                got: entry.epoch,
            });
        }
        if entry.revoked.binary_search(&self.id).is_ok() {
            return Err(RevocationError::Revoked(self.id));
        }
        let removals: Vec<Fr> = entry.revoked.iter().map(|&y| Fr::from(y)).collect();
        let updated = VbWitness(self.c)
            .update_using_public_info_after_batch_updates(
                &[],
                &removals,
                &Omega(entry.omega.clone()),
                &Fr::from(self.id),
            )
            .map_err(|_| RevocationError::Internal("witness update"))?;
        self.c = updated.0;
        self.epoch = entry.epoch;
        self.accumulator = entry.accumulator;
        Ok(())
    }

    /// Move the witness through several consecutive entries at once (REV-007 for each: same
    /// registry, epochs following each other from this witness's, this id revoked in none).
    /// The result equals [`MembershipWitness::update`] applied entry by entry; the per-entry
    /// updates `C_{t+1} = s_t·(C_t + Σ_i y^i·Ω_{t,i})`, `s_t = 1/Π_{r∈D_t}(r − y)`, are unrolled
    /// into one multi-scalar multiplication over every entry's `Ω` (spec/09-revocation.md
    /// §Scale), instead of one per entry. On error the witness is unchanged.
    ///
    /// # Errors
    /// As [`MembershipWitness::update`], for the first entry at fault.
    pub fn update_all(&mut self, entries: &[EpochEntry]) -> Result<(), RevocationError> {
        use ark_ec::VariableBaseMSM;
        let Some(last) = entries.last() else {
            return Ok(());
        };
        let mut epoch = self.epoch;
        for entry in entries {
            if entry.registry != self.registry {
                return Err(RevocationError::WrongRegistry);
            }
            if Some(entry.epoch) != epoch.checked_add(1) {
                return Err(RevocationError::EpochGap {
                    have: epoch,
                    got: entry.epoch,
                });
            }
            if entry.revoked.binary_search(&self.id).is_ok() {
                return Err(RevocationError::Revoked(self.id));
            }
            epoch = entry.epoch;
        }
        let y = Fr::from(self.id);
        // s_t = 1/d_t with d_t = Π_{r∈D_t} (r − y), non-zero as y is in no D_t.
        let mut s: Vec<Fr> = entries
            .iter()
            .map(|e| {
                e.revoked
                    .iter()
                    .fold(Fr::one(), |d, &r| d * (Fr::from(r) - y))
            })
            .collect();
        if s.iter().any(Zero::is_zero) {
            return Err(RevocationError::Internal("witness update"));
        }
        ark_ff::batch_inversion(&mut s);
        // Suffix products: entry t's terms are scaled by Π_{u≥t} s_u.
        let mut scale = Fr::one();
        let mut suffix = vec![Fr::zero(); s.len()];
        for (t, st) in s.iter().enumerate().rev() {
            scale *= st;
            suffix[t] = scale;
        }
        let points = 1 + entries.iter().map(|e| e.omega.len()).sum::<usize>();
        let mut bases = Vec::with_capacity(points);
        let mut scalars = Vec::with_capacity(points);
        bases.push(self.c);
        scalars.push(suffix[0]);
        for (entry, factor) in entries.iter().zip(&suffix) {
            let mut coefficient = *factor;
            for omega in &entry.omega {
                bases.push(*omega);
                scalars.push(coefficient);
                coefficient *= y;
            }
        }
        let c = G1Projective::msm(&bases, &scalars)
            .map_err(|_| RevocationError::Internal("witness update"))?;
        self.c = c.into_affine();
        self.epoch = last.epoch;
        self.accumulator = last.accumulator;
        Ok(())
    }

    /// JSON form (wallet storage).
    #[must_use]
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&WitnessWire {
            ty: WITNESS_TYPE.to_owned(),
            version: crate::WIRE_VERSION,
            registry_id: self.registry.to_string(),
            revocation_id: self.id,
            epoch: self.epoch,
            accumulator: b64(&g1_bytes(&self.accumulator)),
            witness: b64(&g1_bytes(&self.c)),
        })
        .unwrap_or_default()
    }

    /// Parse, and check against the registry key (REV-006).
    ///
    /// # Errors
    /// [`DecodeError`] for malformed input or a witness that does not verify.
    pub fn from_json(bytes: &[u8], registry: &RegistryPublicKey) -> Result<Self, DecodeError> {
        let w: WitnessWire = parse_json(bytes, 4096)?;
        check_envelope(WITNESS_TYPE, &w.ty, w.version)?;
        let out = Self {
            registry: KeyId::parse(&w.registry_id)?,
            id: w.revocation_id,
            epoch: w.epoch,
            accumulator: g1_from("accumulator", &unb64("accumulator", &w.accumulator)?, false)?,
            c: g1_from("witness", &unb64("witness", &w.witness)?, false)?,
        };
        if !out.verify(registry) {
            return Err(DecodeError::InvalidField {
                field: "witness",
                reason: "does not verify against the registry key".to_owned(),
            });
        }
        Ok(out)
    }
}

impl ConstantTimeEq for RevocationAuthority {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        fr_bytes(&self.sk.0).ct_eq(&fr_bytes(&other.sk.0))
    }
}

#[cfg(test)]
mod tests;
