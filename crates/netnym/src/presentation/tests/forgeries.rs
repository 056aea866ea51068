//! VER-023 regression tests (issue 11, item 1): two forgeries built in-crate, without
//! [`ParsedPresentation::from_json`], whose degenerate points (`A' = Ā = identity`) make a range
//! digit's or a membership proof's Schnorr relation and pairing equation hold for any response.
//!
//! What each path did with VER-023 switched off (shown by the tests below on their own thread,
//! through `SKIP_VER_023`; first observed with the check commented out in verify.rs):
//! - an underage holder (born 2015) "proving" `age_at_least 18`: the fast path (`verify`) and
//!   the batch (`verify_batch`, alone and next to an honest presentation) accepted it; the
//!   reference path (`verify_reference`) refused it by `short_group_sig`'s `A' ≠ identity` check
//!   of each digit (VER-022);
//! - a revoked revocation id "proving" non-revocation: the same — fast and batch accepted,
//!   reference refused by `vb_accumulator`'s `A' ≠ identity` check (VER-019).
//!
//! With VER-023 every path refuses both, and `Verifier::check` names VER-023.

use super::*;
use crate::encoding::StrictMap;
use crate::presentation::statement::{
    append_membership, append_range_params, append_statement, disclosed_indices, new_transcript,
    query_bounds, revocation_index, CHALLENGE_DST,
};
use crate::presentation::verify::SKIP_VER_023;
use crate::presentation::wire::{MembershipParts, PokParts};
use crate::range::{
    commitment_key, digit_count, sumset_boundaries, sumset_range, DigitProof, RangeParams,
    RangeParts,
};
use crate::revocation::{EpochEntry, InMemoryRevokedSet, RevocationAuthority};
use crate::testing::{citizen_with, issue_with};
use crate::Predicate;
use ark_ff::{Field, Zero};
use bbs_plus::proof::PoKOfSignatureG1Protocol;
use dock_crypto_utils::signature::MessageOrBlinding;
use schnorr_pok::discrete_log::PokPedersenCommitmentProtocol;
use std::collections::BTreeMap;

/// VER-023 off on this thread while the guard lives (restored on drop, even on panic).
struct Ver023Off;

impl Ver023Off {
    fn new() -> Self {
        SKIP_VER_023.with(|s| s.set(true));
        Self
    }
}

impl Drop for Ver023Off {
    fn drop(&mut self) {
        SKIP_VER_023.with(|s| s.set(false));
    }
}

/// A range proof whose digits are all `A' = Ā = identity`, over an honest commitment and opening.
struct ForgedRange {
    parts: RangeParts,
    opening: PokPedersenCommitmentProtocol<G1Affine>,
    /// `C = g·m + h·r`, `D = g·δ + h·ρ`: known to the forger.
    m: Fr,
    r: Fr,
    delta: Fr,
    rho: Fr,
    bound: Bound,
}

impl ForgedRange {
    /// Before the challenge: `C`, `D`, the opening's commitment and every digit's `t = g1·z1`
    /// with `z1` random; the value responses `r2` and `resp_r` are filled in by `finish`.
    fn init(
        rng: &mut rand_chacha::ChaCha20Rng,
        params: &RangeParams,
        bound: Bound,
        m: Fr,
        blinding: Fr,
    ) -> Self {
        let ck = commitment_key();
        let r = Fr::rand(rng);
        let C = ck.commit(&m, &r);
        let opening =
            PokPedersenCommitmentProtocol::init(m, blinding, &ck.g, r, Fr::rand(rng), &ck.h);
        let (delta, rho) = (Fr::rand(rng), Fr::rand(rng));
        let D = (ck.g * delta + ck.h * rho).into_affine();
        let g1 = params.params().bb_sig_params.g1;
        let digits = (0..digit_count(params.base(), bound.min, bound.max))
            .map(|_| {
                let z1 = Fr::rand(rng);
                DigitProof {
                    A_prime: G1Affine::zero(),
                    A_bar: G1Affine::zero(),
                    t: (g1 * z1).into_affine(),
                    r1: z1,
                    r2: Fr::zero(),
                }
            })
            .collect();
        Self {
            parts: RangeParts {
                C,
                t: opening.t,
                z_r: Fr::zero(),
                D,
                resp_r: Fr::zero(),
                digits,
            },
            opening,
            m,
            r,
            delta,
            rho,
            bound,
        }
    }

    /// The range proof's transcript contribution, written as the fast verifier writes it.
    fn contribution(&self, params: &RangeParams) -> Vec<u8> {
        let ck = commitment_key();
        let mut out = g1_bytes(&self.parts.C).to_vec();
        self.parts
            .cls_contribution(&params.params().bb_sig_params.g1, &mut out);
        self.opening
            .challenge_contribution(&ck.g, &ck.h, &self.parts.C, &mut out)
            .unwrap();
        out
    }

    /// After the challenge `c`: solve the sum relation
    /// `−C·(k·c) + g·(min·k·c + Σ z_i·G_i) + h·(k·resp_r) − D = 0` for the digits' `z_i` and
    /// `resp_r`: `Σ z_i·G_i = δ + k·c·(m − min)` and `resp_r = c·r + ρ/k`.
    fn finish(mut self, rng: &mut rand_chacha::ChaCha20Rng, base: u16, c: &Fr) -> RangeParts {
        let (range, multiple) = sumset_range(base, self.bound.min, self.bound.max);
        let boundaries = sumset_boundaries(range, base);
        assert_eq!(boundaries.len(), self.parts.digits.len());
        let k = Fr::from(multiple);
        let target = self.delta + k * c * (self.m - Fr::from(self.bound.min));
        let pivot = boundaries.iter().position(|g| *g != 0).unwrap();
        let mut sum = Fr::zero();
        for (i, (d, g)) in self.parts.digits.iter_mut().zip(&boundaries).enumerate() {
            if i != pivot {
                d.r2 = Fr::rand(rng);
                sum += d.r2 * Fr::from(*g);
            }
        }
        self.parts.digits[pivot].r2 =
            (target - sum) * Fr::from(boundaries[pivot]).inverse().unwrap();
        self.parts.resp_r = *c * self.r + self.rho * k.inverse().unwrap();
        let opening = self.opening.gen_partial2_proof(c);
        self.parts.t = opening.t;
        self.parts.z_r = opening.response2;
        self.parts
    }
}

/// A membership proof (CDH) with `A' = Ā = identity` and `t = V·z1`.
fn forged_membership(
    rng: &mut rand_chacha::ChaCha20Rng,
    epoch: u64,
    value: &G1Affine,
) -> MembershipParts {
    let z1 = Fr::rand(rng);
    MembershipParts {
        epoch,
        A_prime: G1Affine::zero(),
        A_bar: G1Affine::zero(),
        t: (*value * z1).into_affine(),
        response: z1,
    }
}

/// One credential answering the single query of `request`: an honest BBS+ proof for `cred`, a
/// forged range proof per bound (digits degenerate) and, when the query asks for it, a forged
/// membership proof at `epoch` (accumulator `value`), all under one challenge computed as the
/// verifier computes it (statement.rs helpers).
fn forge(
    rng: &mut rand_chacha::ChaCha20Rng,
    request: &PresentationRequest,
    cred: &Credential,
    pk: &IssuerPublicKey,
    link_secret: &LinkSecret,
    params: Option<&RangeParams>,
    revocation: Option<(u64, G1Affine)>,
) -> Presentation {
    let schema = pk.schema();
    let [query] = request.credentials() else {
        panic!("one query")
    };
    let reveal = disclosed_indices(schema, query.disclose()).unwrap();
    let bounds = query_bounds(schema, query, request).unwrap();
    let messages = cred.attributes().scalars(link_secret.scalar());
    // The bounded attributes' BBS+ blindings are the range openings' (their response for `m`
    // is the BBS+ proof's, VER-021).
    let linked: BTreeMap<usize, Fr> = bounds.iter().map(|b| (b.index, Fr::rand(rng))).collect();
    let pok = PoKOfSignatureG1Protocol::init(
        rng,
        cred.signature(),
        schema.params(),
        messages.iter().enumerate().map(|(i, m)| {
            if reveal.contains(&i) {
                MessageOrBlinding::RevealMessage(m)
            } else if let Some(b) = linked.get(&i) {
                MessageOrBlinding::blind_message_with(m, *b)
            } else {
                MessageOrBlinding::BlindMessageRandomly(m)
            }
        }),
    )
    .unwrap();
    let revealed: BTreeMap<usize, Fr> = reveal.iter().map(|&i| (i, messages[i])).collect();
    let mut contribution = Vec::new();
    pok.challenge_contribution(&revealed, schema.params(), &mut contribution)
        .unwrap();
    let mut tr = new_transcript(request, 1);
    append_statement(&mut tr, pk, &revealed, &bounds, &contribution);
    let mut ranges = Vec::new();
    if let Some(params) = params.filter(|_| !bounds.is_empty()) {
        append_range_params(&mut tr, params);
        for b in &bounds {
            let f = ForgedRange::init(rng, params, *b, messages[b.index], linked[&b.index]);
            tr.append(b"range", &f.contribution(params));
            ranges.push(f);
        }
    }
    let non_revoked = match (query.non_revoked(), revocation) {
        (Some(nr), Some((epoch, value))) => {
            // The revocation attribute is hidden (REV-008); its BBS+ response is unconstrained
            // by a degenerate membership proof.
            revocation_index(schema, nr, &reveal).unwrap();
            let m = forged_membership(rng, epoch, &value);
            let mut c = Vec::new();
            m.to_proof()
                .unwrap()
                .challenge_contribution(&value, &mut c)
                .unwrap();
            append_membership(&mut tr, &nr.registry_id, epoch, &c);
            Some(m)
        }
        (None, None) => None,
        _ => panic!("revocation given exactly when asked for"),
    };
    assert!(!request.pseudonym());
    let challenge = tr.challenge(CHALLENGE_DST);
    let proof = PokParts::from_proof(&pok.gen_proof(&challenge).unwrap());
    let base = params.map_or(2, RangeParams::base);
    let ranges = ranges
        .into_iter()
        .map(|f| f.finish(rng, base, &challenge))
        .collect();
    let disclosed = StrictMap(
        reveal
            .iter()
            .map(|&i| {
                let name = schema.attributes()[i].name();
                (
                    name.to_owned(),
                    cred.attributes().get(name).unwrap().to_json(),
                )
            })
            .collect(),
    );
    Presentation {
        nonce: request.nonce().to_vec(),
        credentials: vec![PresentedCredential {
            key_id: pk.key_id(),
            schema_id: schema.id().to_owned(),
            disclosed,
            proof,
            ranges,
            non_revoked,
        }],
        pseudonym: None,
    }
}

/// A forgery, an honest presentation for the same request, and the verifier.
struct Forged {
    verifier: Verifier,
    request: PresentationRequest,
    forged: ParsedPresentation,
    honest: ParsedPresentation,
}

impl Forged {
    /// A holder born in 2015 "proving" `age_at_least 18` with public range parameters (base 16).
    fn underage() -> Self {
        let mut rng = rng(23);
        let world = World::new(&mut rng);
        let params = RangeParams::generate(&mut rng, 16).unwrap();
        let pk = world.pk();
        let young = issue_with(
            &mut rng,
            &world.issuer,
            &world.link_secret,
            &citizen_with(pk.schema(), &[("birth_date", "2015-06-01".into())]),
        );
        let q = CredentialQuery::new(pk.schema().id(), [pk.key_id()], ["nationality".to_owned()])
            .unwrap()
            .with_predicates([Predicate::AgeAtLeast(18)])
            .unwrap();
        let request = PresentationRequest::new(&mut rng, "bar.example", NOW, 600, vec![q])
            .unwrap()
            .with_range_params(params.id());
        // The holder's own wallet refuses (PRE-007), and so does the honest prover unchecked.
        assert!(matches!(
            Presentation::create_with(
                &mut rng,
                &request,
                &[Holding::new(&young, pk)],
                &world.link_secret,
                &[&params],
            ),
            Err(PresentError::PredicateNotSatisfied { index: 0, .. })
        ));
        let forged = forge(
            &mut rng,
            &request,
            &young,
            pk,
            &world.link_secret,
            Some(&params),
            None,
        );
        // The born-1990 fixture holder answers the same request honestly.
        let honest = Presentation::create_with(
            &mut rng,
            &request,
            &[Holding::new(&world.credential, pk)],
            &world.link_secret,
            &[&params],
        )
        .unwrap();
        Self {
            verifier: world.verifier().with_range_params(params),
            request,
            forged: ParsedPresentation(forged),
            honest: ParsedPresentation::from_json(&honest.to_json()).unwrap(),
        }
    }

    /// Revocation id 42 revoked at epoch 1, "proving" membership in epoch 1's accumulator.
    fn revoked() -> Self {
        let mut rng = rng(29);
        let world = World::new(&mut rng);
        let pk = world.pk();
        let (auth, genesis) = RevocationAuthority::generate(&mut rng, 64).unwrap();
        let mut set = InMemoryRevokedSet::default();
        let epoch1: EpochEntry = auth.revoke(&genesis, &[42], &mut set).unwrap();
        assert_eq!(
            auth.witness(42, &epoch1, &set).unwrap_err(),
            RevocationError::Revoked(42)
        );
        let nr = NonRevocation::new(auth.public_key().id(), 1, 1);
        let q = CredentialQuery::new(pk.schema().id(), [pk.key_id()], ["region".to_owned()])
            .unwrap()
            .with_non_revocation(nr)
            .unwrap();
        let request =
            PresentationRequest::new(&mut rng, "shop.example", NOW, 600, vec![q]).unwrap();
        // The fixture credential carries revocation id 42.
        let forged = forge(
            &mut rng,
            &request,
            &world.credential,
            pk,
            &world.link_secret,
            None,
            Some((1, *epoch1.accumulator())),
        );
        // Another holder, id 7, not revoked, answers honestly.
        let other = issue_with(
            &mut rng,
            &world.issuer,
            &world.link_secret,
            &citizen_with(pk.schema(), &[("revocation_id", 7.into())]),
        );
        let witness = auth.witness(7, &epoch1, &set).unwrap();
        let honest = Presentation::create_with(
            &mut rng,
            &request,
            &[Holding::new(&other, pk).with_witness(&witness)],
            &world.link_secret,
            &[],
        )
        .unwrap();
        let mut verifier = world.verifier().with_registry(auth.public_key().clone());
        verifier.add_epoch(&genesis).unwrap();
        verifier.add_epoch(&epoch1).unwrap();
        Self {
            verifier,
            request,
            forged: ParsedPresentation(forged),
            honest: ParsedPresentation::from_json(&honest.to_json()).unwrap(),
        }
    }

    fn verify(&self, p: &ParsedPresentation) -> Result<VerifiedPresentation, VerifyError> {
        self.verifier.verify(&self.request, p, NOW + 1)
    }

    fn reference(&self, p: &ParsedPresentation) -> Result<VerifiedPresentation, VerifyError> {
        self.verifier.verify_reference(&self.request, p, NOW + 1)
    }

    /// `verify_batch` over `ps`, as `Ok`/`Err` flags.
    fn batch(&self, ps: &[&ParsedPresentation]) -> Vec<bool> {
        let items: Vec<_> = ps.iter().map(|p| (&self.request, *p)).collect();
        self.verifier
            .verify_batch(&items, NOW + 1)
            .iter()
            .map(Result::is_ok)
            .collect()
    }

    /// Without VER-023 (on this thread only): the fast path and the batch accept the forgery,
    /// the reference path refuses it by `reference_rule`. This shows the forgery is sound
    /// against every other check, so the refusals below are VER-023's.
    fn without_ver_023(&self, reference_rule: &str) {
        let _off = Ver023Off::new();
        assert!(self.verify(&self.forged).is_ok(), "fast path accepts");
        assert_eq!(self.batch(&[&self.forged]), [true]);
        assert_eq!(self.batch(&[&self.honest, &self.forged]), [true, true]);
        assert_eq!(
            self.verifier
                .check_stepwise(&self.request, &self.forged, NOW + 1, true)
                .unwrap_err()
                .rule,
            reference_rule
        );
        assert_eq!(
            self.reference(&self.forged),
            Err(VerifyError::InvalidPresentation)
        );
    }

    /// With VER-023: every path refuses the forgery, the honest presentation still verifies.
    fn with_ver_023(&self) {
        assert_eq!(
            self.verifier
                .check(&self.request, &self.forged, NOW + 1)
                .unwrap_err()
                .rule,
            "VER-023"
        );
        assert_eq!(
            self.verify(&self.forged),
            Err(VerifyError::InvalidPresentation)
        );
        assert_eq!(
            self.reference(&self.forged),
            Err(VerifyError::InvalidPresentation)
        );
        assert_eq!(
            self.verifier
                .check_stepwise(&self.request, &self.forged, NOW + 1, true)
                .unwrap_err()
                .rule,
            "VER-023"
        );
        assert_eq!(self.batch(&[&self.forged]), [false]);
        assert_eq!(self.batch(&[&self.honest, &self.forged]), [true, false]);
        assert_eq!(self.batch(&[&self.forged, &self.honest]), [false, true]);
        assert!(self.verify(&self.honest).is_ok());
        assert!(self.reference(&self.honest).is_ok());
    }
}

#[test]
fn ver_023_underage_holder_with_identity_digits_refused_on_every_path() {
    let f = Forged::underage();
    f.without_ver_023("VER-022");
    f.with_ver_023();
}

#[test]
fn ver_023_revoked_id_with_identity_membership_proof_refused_on_every_path() {
    let f = Forged::revoked();
    f.without_ver_023("VER-019");
    f.with_ver_023();
}

/// The same forgeries as bytes never reach the verifier: the decoder refuses a digit's or a
/// membership proof's identity `A'` (WIRE-008).
#[test]
fn wire_008_forgeries_refused_by_the_decoder() {
    for (f, field) in [
        (Forged::underage(), "ranges"),
        (Forged::revoked(), "non_revoked.proof"),
    ] {
        let json = f.forged.0.to_json();
        assert_eq!(
            ParsedPresentation::from_json(&json).unwrap_err(),
            DecodeError::IdentityPoint { field }
        );
        assert_eq!(
            f.verifier.verify_json(&f.request, &json, NOW + 1),
            Err(VerifyError::Malformed(DecodeError::IdentityPoint { field }))
        );
    }
}
