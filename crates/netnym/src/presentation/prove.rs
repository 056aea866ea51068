//! The holder side: building a presentation (spec/05-presentation.md, PRE rules).

use super::prepared::PreparedPok;
use super::statement::{
    append_membership, append_pseudonym, append_range_params, append_statement, disclosed_indices,
    new_transcript, query_bounds, revocation_index, CHALLENGE_DST,
};
use super::wire::{MembershipParts, PokParts};
use super::{holdings_of, Holding, Presentation, PresentedCredential, PseudonymProof};
use crate::credential::Credential;
use crate::encoding::{g1_bytes, StrictMap};
use crate::error::PresentError;
use crate::fixed_base::normalize_batch;
use crate::keys::{IssuerPublicKey, KeyId};
use crate::link_secret::LinkSecret;
use crate::predicate::Bound;
use crate::pseudonym::{nym_and_commitment, scope_base};
use crate::range::prover::TabledCls;
use crate::range::{
    commitment_key, prover as range_prover, DigitProof, RangeKind, RangeParams, RangeParts,
};
use crate::request::PresentationRequest;
use crate::revocation::scalar_to_id;
use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ff::UniformRand;
use bbs_plus::proof::PoKOfSignatureG1Protocol;
use dock_crypto_utils::signature::MessageOrBlinding;
use rand_core::{CryptoRng, RngCore};
use schnorr_pok::discrete_log::{PokPedersenCommitment, PokPedersenCommitmentProtocol};
use smc_range_proof::prelude::{CLSRangeProofProtocol, CLSRangeProofWithKVProtocol};
use std::collections::{BTreeMap, BTreeSet};
use vb_accumulator::proofs_cdh::MembershipProofProtocol;
use zeroize::Zeroizing;

type MembershipProtocol = MembershipProofProtocol<Bls12_381>;

/// One credential's proof in progress.
struct ProverState {
    protocol: PokProver,
    key_id: KeyId,
    schema_id: String,
    disclosed: StrictMap<serde_json::Value>,
    reveal: BTreeSet<usize>,
    ls_index: usize,
    ranges: Vec<RangeProver>,
    membership: Option<(u64, MembershipProtocol)>,
}

/// A BBS+ proof of knowledge in progress: `bbs_plus`'s protocol, or the same protocol from a
/// prepared credential's tables.
enum PokProver {
    Library(Box<PoKOfSignatureG1Protocol<Bls12_381>>),
    Prepared(Box<PreparedPok>),
}

impl PokProver {
    fn challenge_contribution(
        &self,
        revealed: &BTreeMap<usize, Fr>,
        params: &bbs_plus::setup::SignatureParamsG1<Bls12_381>,
        out: &mut Vec<u8>,
    ) -> Result<(), ()> {
        match self {
            Self::Library(p) => p
                .challenge_contribution(revealed, params, out)
                .map_err(|_| ()),
            Self::Prepared(p) => p.challenge_contribution(revealed, params, out),
        }
    }

    /// Respond; `skip_ls`: leave out the link secret's response (carried by the first
    /// credential's proof).
    fn finish(
        self,
        challenge: &Fr,
        reveal: &BTreeSet<usize>,
        skip_ls: Option<usize>,
    ) -> Result<PokParts, ()> {
        match self {
            Self::Library(p) => match skip_ls {
                None => p.gen_proof(challenge),
                Some(ls) => p.gen_partial_proof(challenge, reveal, &BTreeSet::from([ls])),
            }
            .map(|proof| PokParts::from_proof(&proof))
            .map_err(|_| ()),
            Self::Prepared(p) => Ok(p.finish(challenge, skip_ls)),
        }
    }
}

/// The CLS protocol of either kind, by the library or (public parameters, prepared
/// credentials) from the parameters' tables.
enum ClsProtocol {
    Public(Box<CLSRangeProofProtocol<Bls12_381>>),
    Keyed(Box<CLSRangeProofWithKVProtocol<G1Affine>>),
    Tabled(Box<TabledCls>),
}

/// The opening proof of `C = g·m + h·r` (the response for `m` is the BBS+ proof's): by the
/// library, or by table as `t = g·β + h·ρ`, response `ρ + c·r`.
enum Opening {
    Library(PokPedersenCommitmentProtocol<G1Affine>),
    Tabled {
        t: G1Affine,
        secrets: Zeroizing<[Fr; 2]>,
    },
}

/// One bound's range proof in progress.
struct RangeProver {
    C: G1Affine,
    cls: ClsProtocol,
    opening: Opening,
}

impl RangeProver {
    /// `tabled`: prove from the parameters' tables (built on first use), for holders that
    /// present often (prepared credentials).
    fn init(
        rng: &mut (impl RngCore + CryptoRng),
        params: &RangeParams,
        b: &Bound,
        m: Fr,
        value: u64,
        blinding: Fr,
        tabled: bool,
    ) -> Result<Self, ()> {
        let ck = commitment_key();
        let r = Fr::rand(rng);
        let max = b.max.checked_add(1).ok_or(())?;
        if let Some(tables) = params.prover_tables().filter(|_| tabled) {
            let cls = TabledCls::init(rng, tables, params.base(), value, r, b.min, max).ok_or(())?;
            let rho = Fr::rand(rng);
            // Both multiplications and the normalisation are constant time (fixed_base).
            let [C, t]: [G1Affine; 2] = normalize_batch(&[
                range_prover::commit(&m, &r),
                range_prover::commit(&blinding, &rho),
            ])
            .try_into()
            .map_err(|_| ())?;
            return Ok(Self {
                C,
                cls: ClsProtocol::Tabled(Box::new(cls)),
                opening: Opening::Tabled {
                    t,
                    secrets: Zeroizing::new([rho, r]),
                },
            });
        }
        let C = ck.commit(&m, &r);
        let cls = match params.kind() {
            RangeKind::Public => ClsProtocol::Public(Box::new(
                CLSRangeProofProtocol::init_given_base(
                    rng,
                    value,
                    r,
                    b.min,
                    max,
                    params.base(),
                    ck,
                    params.params(),
                )
                .map_err(|_| ())?,
            )),
            RangeKind::Keyed => ClsProtocol::Keyed(Box::new(
                CLSRangeProofWithKVProtocol::init_given_base(
                    rng,
                    value,
                    r,
                    b.min,
                    max,
                    params.base(),
                    ck,
                    params.kv(),
                )
                .map_err(|_| ())?,
            )),
        };
        let opening = Opening::Library(PokPedersenCommitmentProtocol::init(
            m,
            blinding,
            &ck.g,
            r,
            Fr::rand(rng),
            &ck.h,
        ));
        Ok(Self { C, cls, opening })
    }

    fn contribution(&self, params: &RangeParams, out: &mut Vec<u8>) -> Result<(), ()> {
        let ck = commitment_key();
        out.extend_from_slice(&g1_bytes(&self.C));
        match &self.cls {
            ClsProtocol::Public(p) => p
                .challenge_contribution(&self.C, ck, params.params(), &mut *out)
                .map_err(|_| ())?,
            ClsProtocol::Keyed(p) => p
                .challenge_contribution(&self.C, ck, params.kv(), &mut *out)
                .map_err(|_| ())?,
            ClsProtocol::Tabled(p) => {
                p.contribution(&self.C, &params.params().bb_sig_params.g1, out);
            }
        }
        match &self.opening {
            Opening::Library(o) => o
                .challenge_contribution(&ck.g, &ck.h, &self.C, &mut *out)
                .map_err(|_| ()),
            Opening::Tabled { t, .. } => {
                PokPedersenCommitmentProtocol::compute_challenge_contribution(
                    &ck.g, &ck.h, &self.C, t, &mut *out,
                )
                .map_err(|_| ())
            }
        }
    }

    /// The range proof as sent, taken field by field from the library's proof (every point
    /// is our own, just computed: no decoding, no second subgroup check).
    fn finish(self, challenge: &Fr) -> Option<RangeParts> {
        let digit = |A_prime: G1Affine,
                     A_bar: G1Affine,
                     sc: Option<&PokPedersenCommitment<G1Affine>>,
                     partial: bool| {
            let sc = sc.filter(|_| !partial)?;
            Some(DigitProof {
                A_prime,
                A_bar,
                t: sc.t,
                r1: sc.response1,
                r2: sc.response2,
            })
        };
        let (t, z_r) = match self.opening {
            Opening::Library(o) => {
                let opening = o.gen_partial2_proof(challenge);
                (opening.t, opening.response2)
            }
            Opening::Tabled { t, secrets } => (t, secrets[0] + secrets[1] * challenge),
        };
        let (digits, D, resp_r) = match self.cls {
            ClsProtocol::Tabled(p) => {
                let parts = p.parts(self.C, challenge);
                (parts.digits, parts.D, parts.resp_r)
            }
            ClsProtocol::Public(p) => {
                let proof = p.gen_proof(challenge);
                let digits = proof
                    .pok_sigs
                    .iter()
                    .map(|s| digit(s.A_prime, s.A_bar, s.sc.as_ref(), s.sc_partial.is_some()))
                    .collect::<Option<Vec<_>>>()?;
                (digits, proof.D, proof.resp_r)
            }
            ClsProtocol::Keyed(p) => {
                let proof = p.gen_proof(challenge);
                let digits = proof
                    .pok_sigs
                    .iter()
                    .map(|s| digit(s.A_prime, s.A_bar, s.sc.as_ref(), s.sc_partial.is_some()))
                    .collect::<Option<Vec<_>>>()?;
                (digits, proof.D, proof.resp_r)
            }
        };
        Some(RangeParts {
            C: self.C,
            t,
            z_r,
            D,
            resp_r,
            digits,
        })
    }
}

/// `PRE-005` for a holding without tables. A checked credential's signature was verified once
/// (or its authenticated storage vouches it was): only the link secret it was checked with is
/// compared, in constant time, without a pairing. Any other credential's signature is checked
/// with pairings.
fn pre_005(holding: &Holding<'_>, link_secret: &LinkSecret) -> Result<(), PresentError> {
    match holding.checked {
        Some(c) if !core::ptr::eq(c.credential(), holding.credential) => {
            Err(PresentError::Internal("checked credential is another"))
        }
        Some(c) if c.has_link_secret(link_secret) => Ok(()),
        Some(_) => Err(PresentError::LinkSecretMismatch),
        None => holding
            .credential
            .verify(holding.public_key, link_secret)
            .map_err(|_| PresentError::LinkSecretMismatch),
    }
}

impl Presentation {
    /// Build a presentation answering `request` with `credentials[i]` for query `i`.
    ///
    /// # Errors
    /// [`PresentError`] when the credentials cannot satisfy the request (PRE-001..PRE-010).
    pub fn create(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        credentials: &[(&Credential, &IssuerPublicKey)],
        link_secret: &LinkSecret,
    ) -> Result<Self, PresentError> {
        let holdings = holdings_of(credentials);
        Self::build(rng, request, &holdings, link_secret, &[], true)
    }

    /// Build a presentation answering `request` with `holdings[i]` for query `i`: range
    /// proofs for predicates with the parameters the request names (found in `range_params`,
    /// each checked once by [`RangeParams::from_json`]), non-revocation proofs from the
    /// holdings' witnesses.
    ///
    /// # Errors
    /// [`PresentError`] when the holdings cannot satisfy the request (PRE-001..PRE-010).
    pub fn create_with(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
    ) -> Result<Self, PresentError> {
        Self::build(rng, request, holdings, link_secret, range_params, true)
    }

    /// Test support: [`Presentation::build`] from credential and key pairs.
    #[cfg(any(test, feature = "test-support"))]
    pub(crate) fn build_pairs(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        credentials: &[(&Credential, &IssuerPublicKey)],
        link_secret: &LinkSecret,
        check_credentials: bool,
    ) -> Result<Self, PresentError> {
        let holdings = holdings_of(credentials);
        Self::build(rng, request, &holdings, link_secret, &[], check_credentials)
    }

    /// [`Presentation::create_with`], optionally without the holder-side checks of the
    /// signature (PRE-005), predicates (PRE-007) and witness (PRE-009); tests use that to build
    /// proofs a cheating holder would send.
    pub(crate) fn build(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
        check_credentials: bool,
    ) -> Result<Self, PresentError> {
        Self::build_inner(
            rng,
            request,
            holdings,
            link_secret,
            range_params,
            check_credentials,
            link_secret,
        )
    }

    /// [`Presentation::build`] with the pseudonym computed from `nym_secret`: tests use a
    /// secret other than the credentials' to play a cheating holder (VER-015).
    pub(crate) fn build_inner(
        rng: &mut (impl RngCore + CryptoRng),
        request: &PresentationRequest,
        holdings: &[Holding<'_>],
        link_secret: &LinkSecret,
        range_params: &[&RangeParams],
        check_credentials: bool,
        nym_secret: &LinkSecret,
    ) -> Result<Self, PresentError> {
        let queries = request.credentials();
        // PRE-010: the parameters the request names, when it has predicates.
        let params = request
            .range_params()
            .and_then(|id| range_params.iter().copied().find(|p| p.id() == id));
        // PRE-001
        if holdings.len() != queries.len() {
            return Err(PresentError::CredentialCount {
                expected: queries.len(),
                given: holdings.len(),
            });
        }
        // One blinding for the link secret in every sub-proof: equal responses prove the
        // credentials and the pseudonym share it (spec/05-presentation.md §Linking).
        let ls_blinding = Fr::rand(rng);
        let mut protocols = Vec::with_capacity(holdings.len());
        let mut tr = new_transcript(request, holdings.len());
        for (index, (query, holding)) in queries.iter().zip(holdings).enumerate() {
            let (cred, pk) = (holding.credential, holding.public_key);
            let schema = pk.schema();
            // PRE-006
            if cred.key_id() != pk.key_id() || cred.attributes().schema() != schema {
                return Err(PresentError::WrongIssuerKey);
            }
            // PRE-002
            if schema.id() != query.schema_id() {
                return Err(PresentError::SchemaMismatch {
                    index,
                    expected: query.schema_id().to_owned(),
                    found: schema.id().to_owned(),
                });
            }
            // PRE-003
            if !query.issuer_key_ids().contains(&pk.key_id()) {
                return Err(PresentError::IssuerNotAccepted { index });
            }
            // PRE-004
            let reveal = disclosed_indices(schema, query.disclose())
                .map_err(|name| PresentError::CannotDisclose { index, name })?;
            let bounds =
                query_bounds(schema, query, request).map_err(|e| PresentError::InvalidRequest {
                    index,
                    reason: e.to_string(),
                })?;
            // PRE-005: a wrong link secret would make an invalid proof; refuse up front. A
            // prepared credential was checked when it was prepared: only the link secret is
            // compared.
            let prepared = match holding.prepared {
                Some(p) if !p.is_for(holding) => {
                    return Err(PresentError::Internal("prepared credential is another"))
                }
                Some(p) if !p.has_link_secret(link_secret, schema.holder_secret_index()) => {
                    return Err(PresentError::LinkSecretMismatch)
                }
                Some(p) => Some(p),
                None => {
                    if check_credentials {
                        pre_005(holding, link_secret)?;
                    }
                    None
                }
            };
            let messages = Zeroizing::new(match prepared {
                Some(p) => p.messages().to_vec(),
                None => cred.attributes().scalars(link_secret.scalar()),
            });
            // PRE-007: a holder whose attributes break a predicate cannot prove it; say so.
            if check_credentials {
                for b in &bounds {
                    let v = Fr::from(b.min)..=Fr::from(b.max);
                    if !v.contains(&messages[b.index]) {
                        return Err(PresentError::PredicateNotSatisfied {
                            index,
                            attribute: schema.attributes()[b.index].name().to_owned(),
                        });
                    }
                }
            }
            // PRE-009: non-revocation needs a witness of the named registry, at an accepted
            // epoch, for this credential's revocation id.
            let revocation = match query.non_revoked() {
                None => None,
                Some(nr) => {
                    let r_index = revocation_index(schema, nr, &reveal)
                        .map_err(|reason| PresentError::InvalidRequest { index, reason })?;
                    let witness = holding.witness.ok_or(PresentError::Revocation {
                        index,
                        reason: "no membership witness given",
                    })?;
                    if check_credentials {
                        if witness.registry() != nr.registry_id {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness is for another registry",
                            });
                        }
                        if !(nr.min_epoch..=nr.max_epoch).contains(&witness.epoch()) {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness epoch outside the accepted window: update it",
                            });
                        }
                        if Fr::from(witness.revocation_id()) != messages[r_index] {
                            return Err(PresentError::Revocation {
                                index,
                                reason: "witness is for another revocation id",
                            });
                        }
                    }
                    Some((r_index, witness, Fr::rand(rng)))
                }
            };
            let ls_index = schema.holder_secret_index();
            // Messages whose responses other sub-proofs reuse get chosen blindings.
            let mut linked: BTreeMap<usize, Fr> = BTreeMap::from([(ls_index, ls_blinding)]);
            if let Some((r, _, blinding)) = &revocation {
                linked.insert(*r, *blinding);
            }
            for b in &bounds {
                linked.entry(b.index).or_insert_with(|| Fr::rand(rng));
            }
            if !bounds.is_empty() && params.is_none() {
                return Err(PresentError::RangeParams { index });
            }
            let protocol = match prepared {
                Some(p) => {
                    PokProver::Prepared(Box::new(PreparedPok::init(rng, p, &reveal, &linked)))
                }
                None => PokProver::Library(Box::new(
                    PoKOfSignatureG1Protocol::init(
                        rng,
                        cred.signature(),
                        schema.params(),
                        messages.iter().enumerate().map(|(i, m)| {
                            if reveal.contains(&i) {
                                MessageOrBlinding::RevealMessage(m)
                            } else if let Some(blinding) = linked.get(&i) {
                                MessageOrBlinding::blind_message_with(m, *blinding)
                            } else {
                                MessageOrBlinding::BlindMessageRandomly(m)
                            }
                        }),
                    )
                    .map_err(|_| PresentError::Internal("bbs+ proof init"))?,
                )),
            };
            let revealed: BTreeMap<usize, Fr> = reveal.iter().map(|&i| (i, messages[i])).collect();
            let mut contribution = Vec::new();
            protocol
                .challenge_contribution(&revealed, schema.params(), &mut contribution)
                .map_err(|()| PresentError::Internal("bbs+ challenge contribution"))?;
            append_statement(&mut tr, pk, &revealed, &bounds, &contribution);
            // RNG-003: one range proof per bound, over a commitment to the same hidden value.
            let mut ranges = Vec::with_capacity(bounds.len());
            if let Some(params) = params.filter(|_| !bounds.is_empty()) {
                append_range_params(&mut tr, params);
                for b in &bounds {
                    let m = messages[b.index];
                    let value = scalar_to_id(&m).ok_or(PresentError::PredicateNotSatisfied {
                        index,
                        attribute: schema.attributes()[b.index].name().to_owned(),
                    })?;
                    let st = RangeProver::init(
                        rng,
                        params,
                        b,
                        m,
                        value,
                        linked[&b.index],
                        prepared.is_some(),
                    )
                    .map_err(|()| PresentError::PredicateNotSatisfied {
                        index,
                        attribute: schema.attributes()[b.index].name().to_owned(),
                    })?;
                    let mut c = Vec::new();
                    st.contribution(params, &mut c)
                        .map_err(|()| PresentError::Internal("range contribution"))?;
                    tr.append(b"range", &c);
                    ranges.push(st);
                }
            }
            // REV-010: membership of the same hidden value, with the BBS+ blinding.
            let membership = match (revocation, query.non_revoked()) {
                (Some((r_index, witness, blinding)), Some(nr)) => {
                    let proto = MembershipProtocol::init(
                        rng,
                        messages[r_index],
                        Some(blinding),
                        witness.accumulator(),
                        &witness.vb(),
                    );
                    let mut c = Vec::new();
                    proto
                        .challenge_contribution(witness.accumulator(), &mut c)
                        .map_err(|_| PresentError::Internal("membership contribution"))?;
                    append_membership(&mut tr, &nr.registry_id, witness.epoch(), &c);
                    Some((witness.epoch(), proto))
                }
                _ => None,
            };
            let disclosed = StrictMap(
                reveal
                    .iter()
                    .filter_map(|&i| {
                        let name = schema.attributes()[i].name();
                        cred.attributes()
                            .get(name)
                            .map(|v| (name.to_owned(), v.to_json()))
                    })
                    .collect(),
            );
            protocols.push(ProverState {
                protocol,
                key_id: pk.key_id(),
                schema_id: schema.id().to_owned(),
                disclosed,
                reveal,
                ls_index,
                ranges,
                membership,
            });
        }
        // NYM-001: nym = H(verifier id) * link_secret, proven with the shared blinding.
        let nym = request.pseudonym().then(|| {
            let base = scope_base(request.verifier_id());
            let (nym, t) = nym_and_commitment(&base, nym_secret.scalar(), &ls_blinding);
            append_pseudonym(&mut tr, &base, &nym, &t);
            (nym, t)
        });
        let challenge = tr.challenge(CHALLENGE_DST);
        let mut out = Vec::with_capacity(protocols.len());
        for (i, st) in protocols.into_iter().enumerate() {
            // The first credential carries the link secret's response; the others omit it.
            let proof = st
                .protocol
                .finish(&challenge, &st.reveal, (i > 0).then_some(st.ls_index))
                .map_err(|()| PresentError::Internal("bbs+ proof generation"))?;
            let non_revoked = match st.membership {
                None => None,
                Some((epoch, proto)) => Some(
                    proto
                        .gen_partial_proof(&challenge)
                        .ok()
                        .and_then(|p| MembershipParts::from_proof(epoch, &p))
                        .ok_or(PresentError::Internal("membership proof generation"))?,
                ),
            };
            let ranges = st
                .ranges
                .into_iter()
                .map(|r| r.finish(&challenge))
                .collect::<Option<Vec<_>>>()
                .ok_or(PresentError::Internal("range proof generation"))?;
            out.push(PresentedCredential {
                key_id: st.key_id,
                schema_id: st.schema_id,
                disclosed: st.disclosed,
                proof,
                ranges,
                non_revoked,
            });
        }
        Ok(Self {
            nonce: request.nonce().to_vec(),
            credentials: out,
            pseudonym: nym.map(|(nym, t)| PseudonymProof { nym, t }),
        })
    }
}
