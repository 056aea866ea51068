//! The NetNym deployments (designs c and d) built from the core library, and the flawed
//! variants the positive controls run (`crate::controls`): every variant is a real deployment
//! whose presentations the core [`Verifier`] accepts; only the authority, the wallet's
//! randomness or the platforms' configuration is broken.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

use netnym::{
    Attributes, BlindIssuanceRequest, Credential, CredentialQuery, EpochEntry, Holding,
    InMemoryRevokedSet, IssuanceOffer, Issuer, IssuerPublicKey, IssuerSecretKey, LinkSecret,
    MembershipWitness, NonRevocation, ParsedPresentation, Presentation, PresentationRequest,
    RangeParams, RevocationAuthority, Schema, Verifier, MAX_ACCEPTED_KEYS,
};

use super::{core_err, netnym_view, Design, DesignError, FixedBytes, Login, Policy};
use crate::flaw::{Flaw, StuckRng};
use crate::population::REFERENCE_UNIX;

/// Digit base of the NetNym range parameters (RNG-001 allows 2..=256).
pub const RANGE_BASE: u16 = 16;
/// Revocation domain of the lab's registries: ids `1..=2^17` (the lab's people are numbered
/// from 1 within populations of at most 10 000 in the unlinkability experiment and a few
/// hundred in the collusion validation).
pub const REGISTRY_DOMAIN: u64 = 1 << 17;
/// The stuck wallet's value: every scalar it draws is this (1: `A' = A`, `d = b - h_0`).
pub const STUCK_VALUE: u64 = 1;

/// What the authority keeps from one NetNym enrollment: the issuance messages it exchanged
/// (spec/04-issuance.md) and the membership witness it issued (spec/09-revocation.md).
#[derive(Clone)]
pub struct IssuanceTranscript {
    /// Index of the issuer key that signed (always 0 unless the authority partitions holders
    /// between keys).
    pub key_index: usize,
    /// The offer (`IssuanceOffer::to_json`).
    pub offer: Vec<u8>,
    /// The holder's blind request: commitment and proof (`BlindIssuanceRequest::to_json`).
    pub request: Vec<u8>,
    /// The response: clear attributes and `A ‖ e ‖ s'` (`IssuanceResponse::to_json`).
    pub response: Vec<u8>,
    /// The membership witness issued for the holder's revocation id
    /// (`MembershipWitness::to_json`).
    pub witness: Vec<u8>,
    /// The holder's link secret, when the authority learned it (non-blind issuance only).
    pub link_secret: Option<Zeroizing<[u8; 32]>>,
}

impl core::fmt::Debug for IssuanceTranscript {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing a link secret.
        f.debug_struct("IssuanceTranscript")
            .field("key_index", &self.key_index)
            .finish_non_exhaustive()
    }
}

pub(super) struct NetNym {
    flaw: Option<Flaw>,
    issuers: Vec<Issuer>,
    pks: Vec<IssuerPublicKey>,
    verifier: Verifier,
    schema: Schema,
    range: RangeParams,
    registry: RevocationAuthority,
    epoch: EpochEntry,
}

pub(super) struct NetNymHolder {
    credential: Credential,
    link_secret: LinkSecret,
    witness: MembershipWitness,
    /// The seed a wallet that reuses its randomness restarts from at every presentation.
    wallet_seed: [u8; 32],
    pub(super) transcript: IssuanceTranscript,
}

impl NetNym {
    pub(super) fn new(flaw: Option<Flaw>, rng: &mut ChaCha20Rng) -> Result<Self, DesignError> {
        let schema = Schema::cn_network_id_v1();
        // The partitioning authority issues under as many keys as one query may accept.
        let keys = if flaw == Some(Flaw::PartitionedKeys) {
            MAX_ACCEPTED_KEYS
        } else {
            1
        };
        let issuers: Vec<Issuer> = (0..keys)
            .map(|_| Issuer::new(IssuerSecretKey::generate(rng), &schema))
            .collect();
        let pks: Vec<IssuerPublicKey> = issuers.iter().map(|i| i.public_key().clone()).collect();
        // The authority publishes public range parameters (digit key destroyed).
        let range = RangeParams::generate(rng, RANGE_BASE).map_err(core_err)?;
        let (registry, epoch) =
            RevocationAuthority::generate(rng, REGISTRY_DOMAIN).map_err(core_err)?;
        let mut verifier = Verifier::new(pks.iter().cloned())
            .with_range_params(range.clone())
            .with_registry(registry.public_key().clone());
        verifier.add_epoch(&epoch).map_err(core_err)?;
        Ok(Self {
            flaw,
            issuers,
            pks,
            verifier,
            schema,
            range,
            registry,
            epoch,
        })
    }

    pub(super) fn issuers(&self) -> &[Issuer] {
        &self.issuers
    }

    pub(super) fn registry(&self) -> &RevocationAuthority {
        &self.registry
    }

    pub(super) fn schema(&self) -> &Schema {
        &self.schema
    }

    pub(super) fn public_key(&self, h: &NetNymHolder) -> &IssuerPublicKey {
        &self.pks[h.transcript.key_index]
    }

    /// Blind issuance (ISS rules) and a membership witness for the holder's revocation id.
    pub(super) fn enroll(
        &self,
        rng: &mut ChaCha20Rng,
        attributes: &serde_json::Value,
    ) -> Result<NetNymHolder, DesignError> {
        let revocation_id = attributes["revocation_id"]
            .as_u64()
            .ok_or(DesignError::Baseline("revocation_id"))?;
        let key_index = if self.flaw == Some(Flaw::PartitionedKeys) {
            usize::try_from(revocation_id % self.pks.len() as u64).unwrap_or(0)
        } else {
            0
        };
        let (issuer, pk) = (&self.issuers[key_index], &self.pks[key_index]);
        let link_secret = LinkSecret::generate(rng);
        let offer = IssuanceOffer::new(rng, pk);
        let (request, pending) =
            BlindIssuanceRequest::new(rng, pk, &offer, &link_secret).map_err(core_err)?;
        let attrs = Attributes::from_json(&self.schema, attributes).map_err(core_err)?;
        let response = issuer
            .issue_blind(rng, &offer, &request, &attrs)
            .map_err(core_err)?;
        let response_json = response.to_json();
        let credential = pending
            .finish(pk, response, &link_secret)
            .map_err(core_err)?;
        let witness = self
            .registry
            .witness(revocation_id, &self.epoch, &InMemoryRevokedSet::default())
            .map_err(core_err)?;
        let mut wallet_seed = [0u8; 32];
        rng.fill(&mut wallet_seed);
        let transcript = IssuanceTranscript {
            key_index,
            offer: offer.to_json(),
            request: request.to_json(),
            response: response_json,
            witness: witness.to_json(),
            // Non-blind issuance: the authority's enrollment generates the link secret, so the
            // authority knows it.
            link_secret: (self.flaw == Some(Flaw::NonBlindIssuance))
                .then(|| link_secret.to_bytes()),
        };
        Ok(NetNymHolder {
            credential,
            link_secret,
            witness,
            wallet_seed,
            transcript,
        })
    }

    /// One login: the platform's request with a fresh nonce from `rng`, the holder's
    /// presentation (with the wallet's randomness, which a flawed wallet breaks), the platform's
    /// verification.
    pub(super) fn login(
        &self,
        design: Design,
        rng: &mut ChaCha20Rng,
        h: &NetNymHolder,
        policy: &Policy,
    ) -> Result<Login, DesignError> {
        let mut nonce = [0u8; 32];
        rng.fill(&mut nonce);
        let request = self.request(design, &nonce, policy)?;
        let holding =
            Holding::new(&h.credential, &self.pks[h.transcript.key_index]).with_witness(&h.witness);
        let ranges = [&self.range];
        let create = |wallet: &mut dyn RngAndCrypto| {
            Presentation::create_with(
                &mut WalletRng(wallet),
                &request,
                &[holding],
                &h.link_secret,
                &ranges,
            )
            .map_err(core_err)
        };
        let presentation = match self.flaw {
            // The wallet restarts its generator from the same seed at every presentation.
            Some(Flaw::ReusedRandomness) => create(&mut ChaCha20Rng::from_seed(h.wallet_seed))?,
            // The wallet's generator is stuck: every scalar it draws is STUCK_VALUE.
            Some(Flaw::StuckRng) => create(&mut StuckRng::at(STUCK_VALUE))?,
            _ => create(rng)?,
        };
        let bytes = presentation.to_json();
        let parsed = ParsedPresentation::from_json(&bytes).map_err(core_err)?;
        self.verifier
            .verify(&request, &parsed, REFERENCE_UNIX + 1)
            .map_err(core_err)?;
        Ok(Login {
            platform: netnym_view(&bytes)?,
            authority: None,
        })
    }

    fn request(
        &self,
        design: Design,
        nonce: &[u8; 32],
        policy: &Policy,
    ) -> Result<PresentationRequest, DesignError> {
        // A deterministic "RNG" hands the platform's nonce to the core's request constructor.
        let mut nonce_rng = FixedBytes(nonce.to_vec());
        let (disclose, predicates, pseudonym) = if design == Design::NetNymUnique {
            let mut d = policy.disclose.clone();
            if !d.iter().any(|n| n == "document_number") {
                d.push("document_number".to_owned());
            }
            (d, Vec::new(), false)
        } else {
            (Vec::new(), policy.predicates.clone(), true)
        };
        let has_predicates = !predicates.is_empty();
        let query = CredentialQuery::new(
            self.schema.id(),
            self.pks.iter().map(IssuerPublicKey::key_id),
            disclose,
        )
        .and_then(|q| q.with_predicates(predicates))
        .and_then(|q| {
            q.with_non_revocation(NonRevocation::new(
                self.registry.public_key().id(),
                self.epoch.epoch(),
                self.epoch.epoch(),
            ))
        })
        .map_err(core_err)?;
        let request = PresentationRequest::new(
            &mut nonce_rng,
            &policy.verifier_id,
            REFERENCE_UNIX,
            300,
            vec![query],
        )
        .map_err(core_err)?;
        let request = if has_predicates {
            request.with_range_params(self.range.id())
        } else {
            request
        };
        Ok(if pseudonym {
            request.with_pseudonym()
        } else {
            request
        })
    }
}

/// Object-safe `RngCore + CryptoRng`, so one closure serves every wallet generator.
trait RngAndCrypto: rand_core::RngCore + rand_core::CryptoRng {}
impl<T: rand_core::RngCore + rand_core::CryptoRng> RngAndCrypto for T {}

/// A `&mut dyn` wallet generator as a sized `RngCore + CryptoRng`.
struct WalletRng<'a>(&'a mut dyn RngAndCrypto);

impl rand_core::RngCore for WalletRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.try_fill_bytes(dest)
    }
}
impl rand_core::CryptoRng for WalletRng<'_> {}
