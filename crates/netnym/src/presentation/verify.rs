//! Stage 2 of verification: every rule of spec/06-verification.md in order, with the pairing
//! equations and (on the fast path) the Schnorr relations deferred into one batch.

use super::blame::{PairingItem, SignatureItem};
use super::statement::{
    append_membership, append_pseudonym, append_range_params, append_statement, disclosed_indices,
    new_transcript, query_bounds, revocation_index, witness_position, CHALLENGE_DST,
};
use super::verified::{VerifiedCredential, VerifiedPresentation};
use super::verifier::{ClsProof, RangeCheck, TrustedRegistry, Verifier};
use super::{ParsedPresentation, Presentation, PresentedCredential};
use crate::encoding::{g1_bytes, Transcript};
use crate::error::Rejection;
use crate::pairing::PairingBatch;
use crate::predicate::Bound;
use crate::pseudonym::{scope_base, Pseudonym};
use crate::range::{commitment_key, commitment_key_tables, digit_count, RangeParts};
use crate::request::{CredentialQuery, PresentationRequest, CLOCK_SKEW};
use crate::schema::{AttributeValue, GeneratorWnaf, Schema};
use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ec::AffineRepr;
use bbs_plus::proof::PoKOfSignatureG1Proof;
use schnorr_pok::discrete_log::PokPedersenCommitmentProtocol;
use schnorr_pok::partial::{Partial2PokPedersenCommitment, PartialPokDiscreteLog};
use std::collections::{BTreeMap, BTreeSet};
use vb_accumulator::proofs_cdh::MembershipProof;

impl Verifier {
    /// Every check of [`Verifier::check`] except the final pairing check, whose equations go
    /// into `batch`.
    pub(super) fn check_into<'a>(
        &'a self,
        request: &PresentationRequest,
        presentation: &ParsedPresentation,
        now: u64,
        batch: &mut PairingBatch<'a>,
        items: &mut Vec<PairingItem<'a>>,
    ) -> Result<VerifiedPresentation, Rejection> {
        let p = &presentation.0;
        // VER-003
        if p.nonce != request.nonce() {
            return Err(Rejection::new(
                "VER-003",
                "nonce does not match the request",
            ));
        }
        // VER-004
        if now > request.expires_at() || now.saturating_add(CLOCK_SKEW) < request.created_at() {
            return Err(Rejection::new("VER-004", "request not valid at this time"));
        }
        // VER-005
        let queries = request.credentials();
        if p.credentials.len() != queries.len() {
            return Err(Rejection::new(
                "VER-005",
                format!(
                    "{} credentials for {} queries",
                    p.credentials.len(),
                    queries.len()
                ),
            ));
        }
        // VER-013: a pseudonym exactly when asked for.
        if p.pseudonym.is_some() != request.pseudonym() {
            return Err(Rejection::new(
                "VER-013",
                "pseudonym presence differs from the request",
            ));
        }
        // VER-023: no degenerate point, whatever built the presentation (the decoder refuses
        // them too, WIRE-008; this check does not rely on it).
        if let Some(field) = degenerate_point(p).filter(|_| ver_023_enforced()) {
            return Err(Rejection::new(
                "VER-023",
                format!("{field} is the identity"),
            ));
        }
        let mut tr = new_transcript(request, queries.len());
        let mut checks = Vec::with_capacity(queries.len());
        let mut verified = Vec::with_capacity(queries.len());
        for (i, (query, c)) in queries.iter().zip(&p.credentials).enumerate() {
            // VER-006
            if !query.issuer_key_ids().contains(&c.key_id) {
                return Err(Rejection::new(
                    "VER-006",
                    format!("credential {i}: key not accepted"),
                ));
            }
            let pk = self.issuers.get(&c.key_id).ok_or_else(|| {
                Rejection::new(
                    "VER-006",
                    format!("credential {i}: key unknown to verifier"),
                )
            })?;
            let schema = pk.schema();
            if schema.id() != query.schema_id() || c.schema_id != schema.id() {
                return Err(Rejection::new(
                    "VER-006",
                    format!("credential {i}: schema mismatch"),
                ));
            }
            // VER-007: exactly the requested attributes, none of them the holder secret.
            let wanted = disclosed_indices(schema, query.disclose()).map_err(|n| {
                Rejection::new(
                    "VER-007",
                    format!("credential {i}: {n:?} cannot be disclosed"),
                )
            })?;
            let mut revealed = BTreeMap::new();
            let mut disclosed = Vec::with_capacity(wanted.len());
            for (name, json) in &c.disclosed.0 {
                let idx = schema
                    .index_of(name)
                    .filter(|ix| wanted.contains(ix))
                    .ok_or_else(|| {
                        Rejection::new("VER-007", format!("credential {i}: {name:?} not requested"))
                    })?;
                // VER-008
                let value = AttributeValue::from_json(&schema.attributes()[idx], json)
                    .map_err(|e| Rejection::new("VER-008", format!("credential {i}: {e}")))?;
                revealed.insert(idx, value.to_scalar());
                disclosed.push((idx, name.clone(), value));
            }
            if revealed.len() != wanted.len() {
                return Err(Rejection::new(
                    "VER-007",
                    format!("credential {i}: requested attribute missing"),
                ));
            }
            // VER-012: the verifier lowers the predicates itself.
            let bounds = query_bounds(schema, query, request)
                .map_err(|e| Rejection::new("VER-012", format!("credential {i}: {e}")))?;
            // VER-009: the link secret's response is omitted from all but the first credential.
            let ls_index = schema.holder_secret_index();
            let total = schema.len() - revealed.len() + 2;
            let skipped_msgs: BTreeSet<usize> = if i == 0 {
                BTreeSet::new()
            } else {
                BTreeSet::from([ls_index])
            };
            let skipped: BTreeSet<usize> = skipped_msgs
                .iter()
                .map(|&m| witness_position(m, &revealed))
                .collect();
            let proof = c.proof.to_proof(total, &skipped).ok_or_else(|| {
                Rejection::new(
                    "VER-009",
                    format!(
                        "credential {i}: {} responses, expected {}",
                        c.proof.responses.len(),
                        total - skipped.len()
                    ),
                )
            })?;
            let mut contribution = Vec::new();
            proof
                .challenge_contribution(&revealed, schema.params(), &mut contribution)
                .map_err(|e| Rejection::new("VER-010", format!("contribution: {e:?}")))?;
            append_statement(&mut tr, pk, &revealed, &bounds, &contribution);
            let ranges =
                self.range_statement(&mut tr, i, request, c, &bounds, !batch.deferred())?;
            let membership = self.membership_statement(&mut tr, i, query, c, schema, &wanted)?;
            disclosed.sort_by_key(|(idx, _, _)| *idx);
            verified.push(VerifiedCredential {
                key_id: c.key_id,
                schema_id: schema.id().to_owned(),
                disclosed: disclosed.into_iter().map(|(_, n, v)| (n, v)).collect(),
            });
            checks.push((
                pk,
                revealed,
                proof,
                skipped_msgs,
                ls_index,
                ranges,
                membership,
            ));
        }
        let nym_base = p.pseudonym.map(|nym| {
            let base = scope_base(request.verifier_id());
            append_pseudonym(&mut tr, &base, &nym.nym, &nym.t);
            base
        });
        let challenge = tr.challenge(CHALLENGE_DST);
        // Every pairing equation (signatures, membership, range digits) goes into `batch`,
        // weighted at random after the challenge fixed every paired element (VER-011,
        // VER-019, VER-022; spec/06-verification.md §Pairing batch).
        batch.absorb(&challenge, &p.proof_digest());
        // The link secret's response, from the first credential's proof.
        let mut ls_response = None;
        for (i, (pk, revealed, proof, skipped, ls_index, ranges, membership)) in
            checks.into_iter().enumerate()
        {
            let params = pk.schema().params();
            let missing = match ls_response {
                Some(r) if !skipped.is_empty() => Some(BTreeMap::from([(ls_index, r)])),
                _ => None,
            };
            // The second Schnorr proof's responses in witness order, the omitted link-secret
            // response (credentials after the first) filled in from the first (VER-014).
            let z2 = full_responses(&proof, missing.as_ref(), &revealed)
                .ok_or_else(|| Rejection::new("VER-010", format!("credential {i}: responses")))?;
            // VER-010: both Schnorr proofs under the recomputed challenge.
            if batch.deferred() {
                let tables = pk.schema().wnaf_tables(crate::pairing::LAZY_W);
                defer_bbs(batch, &proof, params, tables, &revealed, &z2, &challenge);
            } else {
                proof
                    .verify_schnorr_proofs(
                        &revealed,
                        &challenge,
                        params.g1,
                        params.h_0,
                        params.h.clone(),
                        missing.clone(),
                    )
                    .map_err(|e| Rejection::new("VER-010", format!("credential {i}: {e:?}")))?;
            }
            let resp_of = |m: usize| z2[witness_position(m, &revealed)];
            if i == 0 {
                ls_response = Some(resp_of(ls_index));
            }
            // VER-019: membership of the same hidden revocation id (its response is the BBS+
            // proof's), in the epoch's accumulator.
            if let Some((r_index, reg, value, mproof)) = membership {
                let resp = &resp_of(r_index);
                if batch.deferred() {
                    // `V·z1 − A'·z_y − Ā·c − t = 0`.
                    let partial = mproof.0.sc_partial.as_ref().ok_or_else(|| {
                        Rejection::new("VER-019", format!("credential {i}: encoding"))
                    })?;
                    let w = batch.weight();
                    batch.point(value, w * partial.response1);
                    batch.point(mproof.0.A_prime, -(w * resp));
                    batch.point(mproof.0.A_bar, -(w * challenge));
                    batch.neg_point(partial.t, w);
                } else {
                    mproof
                        .0
                        .verify_partial_except_pairings(resp, &challenge, &value)
                        .map_err(|e| Rejection::new("VER-019", format!("credential {i}: {e:?}")))?;
                }
                let (ppk, pparams) = reg.key.prepared();
                batch.add(mproof.0.A_prime, &ppk.0, mproof.0.A_bar, &pparams.P_tilde);
                // Kept only on the step-by-step path, which re-checks equations one by one.
                if !batch.deferred() {
                    items.push(PairingItem::Membership(
                        i, reg, value, *resp, mproof, challenge,
                    ));
                }
            }
            // VER-021, VER-022: each range proof's opening shares the attribute's BBS+
            // response; the CLS proof holds for the verifier's own bounds.
            let ck = commitment_key();
            for (b, parts, mode, cls) in ranges {
                let resp = &resp_of(b.index);
                if batch.deferred() {
                    // `g·z_m + h·z_r − C·c − t = 0`.
                    let w = batch.weight();
                    let [tg, th] = commitment_key_tables();
                    batch.fixed_with(&ck.g, Some(tg), w * resp);
                    batch.fixed_with(&ck.h, Some(th), w * parts.z_r);
                    batch.point(parts.C, -(w * challenge));
                    batch.neg_point(parts.t, w);
                } else {
                    let opening = Partial2PokPedersenCommitment {
                        t: parts.t,
                        response2: parts.z_r,
                    };
                    if !opening.verify(&parts.C, &ck.g, &ck.h, &challenge, resp) {
                        return Err(Rejection::new(
                            "VER-021",
                            format!("credential {i}: range opening for attribute {}", b.index),
                        ));
                    }
                }
                let max = b.max.saturating_add(1);
                let bad = |e| Rejection::new("VER-022", format!("credential {i}: {e:?}"));
                match (mode, cls) {
                    // The fast path: the library's checks as weighted relations in the batch.
                    (RangeCheck::Public(params), None) if batch.deferred() => {
                        let rel = parts
                            .sum_relation(params.base(), b.min, max, &challenge)
                            .ok_or_else(|| bad("digit sum".to_owned()))?;
                        let w = batch.weight();
                        let [tg, th] = commitment_key_tables();
                        batch.point(parts.C, w * rel.c);
                        batch.fixed_with(&ck.g, Some(tg), w * rel.g);
                        batch.fixed_with(&ck.h, Some(th), w * rel.h);
                        batch.neg_point(parts.D, w);
                        let g1 = params.prepared().bb_sig_params.g1;
                        let digits: Vec<_> = parts
                            .digits
                            .iter()
                            .map(|d| (d.A_prime, d.A_bar, d.t, d.r1, d.r2))
                            .collect();
                        if !batch.digits(
                            &g1,
                            &challenge,
                            &digits,
                            params.prepared_pk(),
                            &params.prepared().bb_sig_params.g2_prepared,
                        ) {
                            return Err(bad("digits".to_owned()));
                        }
                    }
                    (RangeCheck::Public(params), Some(ClsProof::Public(cls))) => {
                        cls.verify_except_pairings(
                            &parts.C,
                            &challenge,
                            b.min,
                            max,
                            ck,
                            params.prepared(),
                        )
                        .map_err(|e| bad(format!("{e:?}")))?;
                        // The library's object exists on the reference path only (the fast
                        // path takes the arm above), so each digit is checked on its own.
                        let g1 = params.prepared().bb_sig_params.g1;
                        for d in &cls.pok_sigs {
                            d.verify_except_pairings(&challenge, &g1)
                                .map_err(|e| bad(format!("{e:?}")))?;
                        }
                        for d in &cls.pok_sigs {
                            batch.add(
                                d.A_prime,
                                params.prepared_pk(),
                                d.A_bar,
                                &params.prepared().bb_sig_params.g2_prepared,
                            );
                        }
                        if !batch.deferred() {
                            items.push(PairingItem::Range(i, b, params, parts, cls, challenge));
                        }
                    }
                    (RangeCheck::Keyed(k), Some(ClsProof::Keyed(cls))) => {
                        cls.verify(
                            &parts.C,
                            &challenge,
                            b.min,
                            max,
                            ck,
                            k.public_params().kv(),
                            k.secret(),
                        )
                        .map_err(|e| bad(format!("{e:?}")))?;
                    }
                    _ => return Err(bad("range proof kind".to_owned())),
                }
            }
            // VER-011: e(A', w) == e(Ā, g2).
            batch.add(
                proof.A_prime,
                &pk.prepared().0,
                proof.A_bar,
                pk.g2_prepared(),
            );
            if !batch.deferred() {
                items.push(PairingItem::Signature(Box::new(SignatureItem {
                    i,
                    pk,
                    revealed,
                    missing: ls_response
                        .filter(|_| !skipped.is_empty())
                        .map(|r| BTreeMap::from([(ls_index, r)])),
                    proof,
                    challenge,
                })));
            }
        }
        // VER-015: the pseudonym opens with the link secret's response.
        let pseudonym = match (p.pseudonym, nym_base, ls_response) {
            (Some(nym), Some(base), Some(resp)) => {
                if batch.deferred() {
                    // `H(scope)·z_ls − nym·c − t = 0`.
                    let w = batch.weight();
                    batch.point(base, w * resp);
                    batch.point(nym.nym, -(w * challenge));
                    batch.neg_point(nym.t, w);
                } else {
                    let proof = PartialPokDiscreteLog { t: nym.t };
                    if !proof.verify(&nym.nym, &base, &challenge, &resp) {
                        return Err(Rejection::new("VER-015", "pseudonym proof"));
                    }
                }
                Some(Pseudonym(nym.nym))
            }
            _ => None,
        };
        Ok(VerifiedPresentation {
            verifier_id: request.verifier_id().to_owned(),
            credentials: verified,
            pseudonym,
        })
    }
}

/// The second Schnorr proof's responses in witness order (hidden messages by index, then `d`,
/// then `h_0`), with `missing` (by message index) inserted where the proof omitted them.
fn full_responses(
    proof: &PoKOfSignatureG1Proof<Bls12_381>,
    missing: Option<&BTreeMap<usize, Fr>>,
    revealed: &BTreeMap<usize, Fr>,
) -> Option<Vec<Fr>> {
    match (&proof.sc_resp_2, &proof.sc_partial_resp_2, missing) {
        (Some(full), _, None) => Some(full.0.clone()),
        (None, Some(partial), Some(missing)) => {
            let mut all = partial.responses.clone();
            for (m, r) in missing {
                if all.insert(witness_position(*m, revealed), *r).is_some() {
                    return None;
                }
            }
            let n = partial.total_responses;
            (all.len() == n && all.keys().copied().eq(0..n)).then(|| all.into_values().collect())
        }
        _ => None,
    }
}

/// Defer both BBS+ Schnorr relations into the batch (spec/06-verification.md §Pairing batch):
/// `A'·z1 + h_0·z2 − (Ā − d)·c − T1 = 0` and
/// `Σ_hidden h_j·z_j + d·z_d + h_0·z_h0 + (g1 + Σ_revealed h_i·m_i)·c − T2 = 0`.
fn defer_bbs<'a>(
    batch: &mut PairingBatch<'a>,
    proof: &PoKOfSignatureG1Proof<Bls12_381>,
    params: &bbs_plus::setup::SignatureParamsG1<Bls12_381>,
    tables: &'a GeneratorWnaf,
    revealed: &BTreeMap<usize, Fr>,
    z: &[Fr],
    c: &Fr,
) {
    let (w1, w2) = (batch.weight(), batch.weight());
    let n = z.len();
    let (z_d, z_h0) = (z[n - 2], z[n - 1]);
    batch.point(proof.A_prime, w1 * proof.sc_resp_1.response1);
    batch.fixed_with(
        &params.h_0,
        Some(&tables.h_0),
        w1 * proof.sc_resp_1.response2 + w2 * z_h0,
    );
    batch.point(proof.A_bar, -(w1 * c));
    batch.point(proof.d, w1 * c + w2 * z_d);
    batch.neg_point(proof.sc_resp_1.t, w1);
    batch.neg_point(proof.T2, w2);
    batch.fixed_with(&params.g1, Some(&tables.g1), w2 * c);
    let mut k = 0;
    for (j, h) in params.h.iter().enumerate() {
        let table = tables.h.get(j);
        if let Some(m) = revealed.get(&j) {
            batch.fixed_with(h, table, w2 * c * m);
        } else {
            batch.fixed_with(h, table, w2 * z[k]);
            k += 1;
        }
    }
}

impl Verifier {
    /// VER-020 for one credential: range proofs exactly for the verifier's own bounds, with
    /// parameters the request names and the verifier accepts, each with the digit count its
    /// bound implies; appends their commitments to the transcript.
    #[allow(clippy::type_complexity)]
    fn range_statement<'a>(
        &'a self,
        tr: &mut Transcript,
        i: usize,
        request: &PresentationRequest,
        c: &PresentedCredential,
        bounds: &[Bound],
        library: bool,
    ) -> Result<Vec<(Bound, RangeParts, RangeCheck<'a>, Option<ClsProof>)>, Rejection> {
        let bad = |d: String| Rejection::new("VER-020", format!("credential {i}: {d}"));
        if bounds.is_empty() {
            if !c.ranges.is_empty() {
                return Err(bad("range proofs nobody asked for".to_owned()));
            }
            return Ok(Vec::new());
        }
        let id = request
            .range_params()
            .ok_or_else(|| bad("request names no range parameters".to_owned()))?;
        let mode = self
            .range_check(id)
            .ok_or_else(|| bad("range parameters not accepted".to_owned()))?;
        if c.ranges.len() != bounds.len() {
            return Err(bad(format!(
                "{} range proofs for {} bounds",
                c.ranges.len(),
                bounds.len()
            )));
        }
        let ck = commitment_key();
        let mut out = Vec::with_capacity(bounds.len());
        // Looked up once per credential, by reference (the parameters hold a prepared G2
        // point and every digit signature).
        let params = mode.params();
        append_range_params(tr, params);
        let base = params.base();
        for (b, parts) in bounds.iter().zip(&c.ranges) {
            if parts.digits.len() != digit_count(base, b.min, b.max) {
                return Err(bad(format!("wrong digit count for attribute {}", b.index)));
            }
            let mut contribution = g1_bytes(&parts.C).to_vec();
            // The library's proof object is built once here and reused by the checks, on the
            // reference path and for keyed parameters; the fast path with public parameters
            // works from the decoded parts.
            let cls = match &mode {
                RangeCheck::Public(p) if !library => {
                    parts.cls_contribution(&p.params().bb_sig_params.g1, &mut contribution);
                    None
                }
                RangeCheck::Public(p) => {
                    let cls = parts
                        .cls_proof(base)
                        .ok_or_else(|| bad("encoding".to_owned()))?;
                    cls.challenge_contribution(&parts.C, ck, p.params(), &mut contribution)
                        .map_err(|e| bad(format!("{e:?}")))?;
                    Some(ClsProof::Public(cls))
                }
                RangeCheck::Keyed(k) => {
                    let cls = parts
                        .kv_proof(base)
                        .ok_or_else(|| bad("encoding".to_owned()))?;
                    cls.challenge_contribution(
                        &parts.C,
                        ck,
                        k.public_params().kv(),
                        &mut contribution,
                    )
                    .map_err(|e| bad(format!("{e:?}")))?;
                    Some(ClsProof::Keyed(cls))
                }
            };
            PokPedersenCommitmentProtocol::compute_challenge_contribution(
                &ck.g,
                &ck.h,
                &parts.C,
                &parts.t,
                &mut contribution,
            )
            .map_err(|e| bad(format!("{e:?}")))?;
            tr.append(b"range", &contribution);
            out.push((*b, parts.clone(), mode, cls));
        }
        Ok(out)
    }

    /// VER-016..VER-018 for one credential: the non-revocation proof is present exactly when
    /// asked for, on a hidden uint attribute, at an accepted epoch of a trusted registry whose
    /// value the verifier knows; appends its statement to the transcript.
    #[allow(clippy::type_complexity)]
    fn membership_statement<'a>(
        &'a self,
        tr: &mut Transcript,
        i: usize,
        query: &CredentialQuery,
        c: &PresentedCredential,
        schema: &Schema,
        disclosed: &BTreeSet<usize>,
    ) -> Result<
        Option<(
            usize,
            &'a TrustedRegistry,
            G1Affine,
            MembershipProof<Bls12_381>,
        )>,
        Rejection,
    > {
        match (query.non_revoked(), &c.non_revoked) {
            (None, None) => Ok(None),
            (Some(nr), Some(m)) => {
                let r_index = revocation_index(schema, nr, disclosed)
                    .map_err(|e| Rejection::new("VER-016", format!("credential {i}: {e}")))?;
                if !(nr.min_epoch..=nr.max_epoch).contains(&m.epoch) {
                    return Err(Rejection::new(
                        "VER-017",
                        format!(
                            "credential {i}: epoch {} outside {}..={}",
                            m.epoch, nr.min_epoch, nr.max_epoch
                        ),
                    ));
                }
                let reg = self.registries.get(&nr.registry_id).ok_or_else(|| {
                    Rejection::new("VER-018", format!("credential {i}: registry not trusted"))
                })?;
                let value = *reg.epochs.get(&m.epoch).ok_or_else(|| {
                    Rejection::new(
                        "VER-018",
                        format!("credential {i}: epoch {} unknown", m.epoch),
                    )
                })?;
                let proof = m.to_proof().ok_or_else(|| {
                    Rejection::new("VER-019", format!("credential {i}: encoding"))
                })?;
                let mut contribution = Vec::new();
                proof
                    .challenge_contribution(&value, &mut contribution)
                    .map_err(|e| Rejection::new("VER-019", format!("contribution: {e:?}")))?;
                append_membership(tr, &nr.registry_id, m.epoch, &contribution);
                Ok(Some((r_index, reg, value, proof)))
            }
            _ => Err(Rejection::new(
                "VER-016",
                format!("credential {i}: non-revocation proof presence differs from the request"),
            )),
        }
    }
}

/// VER-023 applies: always, except on a test thread that switched it off (`SKIP_VER_023`).
#[cfg(not(test))]
fn ver_023_enforced() -> bool {
    true
}

#[cfg(test)]
fn ver_023_enforced() -> bool {
    !SKIP_VER_023.with(std::cell::Cell::get)
}

#[cfg(test)]
thread_local! {
    /// Test support only (absent from the library): set on a test's own thread, VER-023 is
    /// skipped there, so that presentation/tests/forgeries.rs can show the forgeries it stops
    /// would otherwise pass the fast path.
    pub(super) static SKIP_VER_023: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The first point of `p` that must not be the identity but is (VER-023): a BBS+ proof's `A'`
/// or `Ā`, a range digit's `A'`, a membership proof's `A'`, the pseudonym. With `A' = Ā = 0` a
/// digit's or a membership proof's Schnorr relation and pairing equation hold for any response,
/// so a presentation that reached the verifier without the decoder could prove a false predicate
/// or the membership of a revoked id.
fn degenerate_point(p: &Presentation) -> Option<String> {
    for (i, c) in p.credentials.iter().enumerate() {
        if c.proof.A_prime.is_zero() || c.proof.A_bar.is_zero() {
            return Some(format!("credential {i}: BBS+ A' or Ā"));
        }
        for (k, r) in c.ranges.iter().enumerate() {
            if r.digits.iter().any(|d| d.A_prime.is_zero()) {
                return Some(format!("credential {i}: range proof {k}: a digit's A'"));
            }
        }
        if c.non_revoked.as_ref().is_some_and(|m| m.A_prime.is_zero()) {
            return Some(format!("credential {i}: membership A'"));
        }
    }
    p.pseudonym
        .filter(|nym| nym.nym.is_zero())
        .map(|_| "pseudonym".to_owned())
}
