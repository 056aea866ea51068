//! Prepared credentials: the holder-side values that do not change between presentations,
//! computed once (spec/05-presentation.md §Prepared credentials).
//!
//! A BBS+ proof of knowledge randomizes the signature `(A, e, s)` on messages `m` with
//! `b = g1 + h_0·s + Σ h_i·m_i = (e + x)·A`:
//!
//! ```text
//! A' = r1·A        Ā = r1·(b − e·A)        d = r1·b − r2·h_0
//! T1 = ρ_e·A' + ρ_r2·h_0
//! T2 = Σ_hidden β_j·h_j + ρ_r3·d + ρ_s·h_0
//!    = Σ_hidden β_j·h_j + (ρ_r3·r1)·b + (ρ_s − ρ_r3·r2)·h_0
//! ```
//!
//! Every point on the right is fixed for a given credential (`A`, `b − e·A`, `b`) or schema
//! (`h_0`, `h_j`), so with fixed-base tables of those points ([`FixedBaseTable`]) each
//! multiplication is 43 table additions. Every scalar here is secret (`r1`, `r2`, the
//! blindings, `e`), so the multiplications, the inversion of `r1` and the normalisation to
//! affine are NetNym's constant-time code (`crate::fixed_base` says what that covers and what
//! stays variable time: here the scalar-field products, such as the responses, are arkworks').
//! The signature is checked once (PRE-005),
//! when the credential is prepared. The proof is the same as `bbs_plus`'s
//! (`PoKOfSignatureG1Protocol`) — same relations, same witness order, same challenge
//! contribution, responses `blinding + c·witness` — so every verifier accepts it unchanged;
//! tests check it against `bbs_plus`'s own verifier.

use std::collections::{BTreeMap, BTreeSet};

use ark_bls12_381::{Bls12_381, Fr, G1Affine};
use ark_ff::{UniformRand, Zero};
use bbs_plus::proof::PoKOfSignatureG1Protocol;
use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::wire::PokParts;
use super::Holding;
use crate::credential::Credential;
use crate::encoding::fr_bytes;
use crate::error::CredentialError;
use crate::fixed_base::{self, FixedBaseTable};
use crate::keys::IssuerPublicKey;
use crate::link_secret::LinkSecret;

/// A credential ready for fast presentations: its signature checked against its key and link
/// secret once, its message scalars computed once, and fixed-base tables of its signature
/// values and of its schema's generators built once (420 KiB for the credential plus 140 KiB
/// per schema generator, shared by every credential of the schema; for the first credential
/// of an 11-generator schema about 0.38× the 69.6 ms the former width-8 tables took,
/// `sd10/netnym_prepare`, benches/README.md §Constant-time fixed-base multiplication). Range
/// proofs from it also use tables of the range parameters' digit signatures (53 KiB per digit,
/// built on first use). Presentations from it cost a fraction of an unprepared one
/// (benches/README.md). Zeroized on drop; `Debug` shows only the key id.
pub struct PreparedCredential {
    credential: Credential,
    public_key: IssuerPublicKey,
    messages: Zeroizing<Vec<Fr>>,
    e: Fr,
    s: Fr,
    a: FixedBaseTable,
    xa: FixedBaseTable,
    b: FixedBaseTable,
}

impl core::fmt::Debug for PreparedCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreparedCredential")
            .field("key_id", &self.public_key.key_id())
            .finish_non_exhaustive()
    }
}

impl Drop for PreparedCredential {
    fn drop(&mut self) {
        self.e.zeroize();
        self.s.zeroize();
    }
}

impl PreparedCredential {
    /// Check `credential` under `public_key` with `link_secret` (PRE-005, PRE-006) and
    /// precompute its tables.
    ///
    /// # Errors
    /// [`CredentialError::WrongIssuerKey`] or [`CredentialError::InvalidSignature`], as
    /// [`Credential::verify`].
    pub fn new(
        credential: &Credential,
        public_key: &IssuerPublicKey,
        link_secret: &LinkSecret,
    ) -> Result<Self, CredentialError> {
        credential.verify(public_key, link_secret)?;
        let messages = Zeroizing::new(credential.attributes().scalars(link_secret.scalar()));
        let sig = credential.signature();
        let params = public_key.schema().params();
        let mut b = params
            .b(messages.iter().enumerate(), &sig.s)
            .map_err(|_| CredentialError::InvalidSignature)?;
        let a = FixedBaseTable::new(&sig.A);
        // b − e·A, with e secret: by table, in constant time.
        let mut xa = b;
        a.mul_add(&-sig.e, &mut xa);
        let mut points = fixed_base::normalize_batch(&[b, xa]);
        let prepared = Self {
            credential: credential.clone(),
            public_key: public_key.clone(),
            messages,
            e: sig.e,
            s: sig.s,
            a,
            xa: FixedBaseTable::new(&points[1]),
            b: FixedBaseTable::new(&points[0]),
        };
        b.zeroize();
        xa.zeroize();
        points.zeroize();
        public_key.schema().tables();
        Ok(prepared)
    }

    /// The credential and key as a [`Holding`] that presentations use the tables for.
    #[must_use]
    pub fn holding(&self) -> Holding<'_> {
        Holding {
            credential: &self.credential,
            public_key: &self.public_key,
            witness: None,
            prepared: Some(self),
            checked: None,
        }
    }

    /// Whether `holding` is this prepared credential's own.
    pub(super) fn is_for(&self, holding: &Holding<'_>) -> bool {
        core::ptr::eq(holding.credential, &self.credential)
            && holding.public_key.key_id() == self.public_key.key_id()
    }

    /// Whether `link_secret` is the one the credential was prepared with (constant time).
    pub(super) fn has_link_secret(&self, link_secret: &LinkSecret, index: usize) -> bool {
        self.messages
            .get(index)
            .is_some_and(|m| bool::from(fr_bytes(m).ct_eq(&fr_bytes(link_secret.scalar()))))
    }

    /// The message scalars, link secret included.
    pub(super) fn messages(&self) -> &[Fr] {
        &self.messages
    }
}

/// A BBS+ proof of knowledge in progress from a [`PreparedCredential`]: the same protocol as
/// `bbs_plus`'s `PoKOfSignatureG1Protocol`, with the multiplications done by table.
pub(super) struct PreparedPok {
    A_prime: G1Affine,
    A_bar: G1Affine,
    d: G1Affine,
    t1: G1Affine,
    T2: G1Affine,
    /// Secrets: first relation `[blinding, witness]` for `−e`, then `r2`; second relation's
    /// hidden messages `[blinding, message]` (message indices in `hidden_index`), then
    /// `[blinding, witness]` for `−r3`, then `s'`.
    first: Zeroizing<[Fr; 4]>,
    hidden_index: Vec<usize>,
    hidden: Zeroizing<Vec<Fr>>,
    last: Zeroizing<[Fr; 4]>,
}

impl PreparedPok {
    /// Commit (the protocol's first move). `blindings`: chosen blindings of hidden messages
    /// other sub-proofs share; the other hidden messages get random ones.
    pub(super) fn init(
        rng: &mut (impl RngCore + CryptoRng),
        p: &PreparedCredential,
        reveal: &BTreeSet<usize>,
        blindings: &BTreeMap<usize, Fr>,
    ) -> Self {
        let schema = p.public_key.schema();
        let gens = schema.tables();
        let mut r1 = Fr::rand(rng);
        while r1.is_zero() {
            r1 = Fr::rand(rng);
        }
        let r2 = Fr::rand(rng);
        let r3 = fixed_base::fr_inverse(&r1);
        let s_prime = p.s - r2 * r3;
        let (rho_e, rho_r2, rho_r3, rho_s) =
            (Fr::rand(rng), Fr::rand(rng), Fr::rand(rng), Fr::rand(rng));
        let mut hidden_index = Vec::with_capacity(p.messages.len());
        let mut hidden = Zeroizing::new(Vec::with_capacity(2 * p.messages.len()));
        for (i, m) in p.messages.iter().enumerate() {
            if !reveal.contains(&i) {
                hidden_index.push(i);
                hidden.push(blindings.get(&i).copied().unwrap_or_else(|| Fr::rand(rng)));
                hidden.push(*m);
            }
        }
        let a_prime = p.a.mul(&r1);
        let a_bar = p.xa.mul(&r1);
        let mut d = p.b.mul(&r1);
        gens.h_0.mul_add(&-r2, &mut d);
        let mut t1 = p.a.mul(&(rho_e * r1));
        gens.h_0.mul_add(&rho_r2, &mut t1);
        let mut t2 = p.b.mul(&(rho_r3 * r1));
        gens.h_0.mul_add(&(rho_s - rho_r3 * r2), &mut t2);
        for (i, pair) in hidden_index.iter().zip(hidden.chunks_exact(2)) {
            gens.h[*i].mul_add(&pair[0], &mut t2);
        }
        let pts = fixed_base::normalize_batch(&[a_prime, a_bar, d, t1, t2]);
        Self {
            A_prime: pts[0],
            A_bar: pts[1],
            d: pts[2],
            t1: pts[3],
            T2: pts[4],
            first: Zeroizing::new([rho_e, -p.e, rho_r2, r2]),
            hidden_index,
            hidden,
            last: Zeroizing::new([rho_r3, -r3, rho_s, s_prime]),
        }
    }

    /// The challenge contribution, byte for byte `bbs_plus`'s.
    pub(super) fn challenge_contribution(
        &self,
        revealed: &BTreeMap<usize, Fr>,
        params: &bbs_plus::setup::SignatureParamsG1<Bls12_381>,
        out: &mut Vec<u8>,
    ) -> Result<(), ()> {
        PoKOfSignatureG1Protocol::<Bls12_381>::compute_challenge_contribution(
            &self.A_prime,
            &self.A_bar,
            &self.d,
            &self.t1,
            &self.T2,
            revealed,
            params,
            out,
        )
        .map_err(|_| ())
    }

    /// Respond to `challenge`, leaving out the response of message `skip` (carried by another
    /// sub-proof).
    pub(super) fn finish(self, challenge: &Fr, skip: Option<usize>) -> PokParts {
        let respond = |pair: &[Fr]| pair[0] + pair[1] * challenge;
        let responses = self
            .hidden_index
            .iter()
            .zip(self.hidden.chunks_exact(2))
            .filter(|(i, _)| Some(**i) != skip)
            .map(|(_, pair)| respond(pair))
            .chain(self.last.chunks_exact(2).map(respond))
            .collect();
        PokParts {
            A_prime: self.A_prime,
            A_bar: self.A_bar,
            d: self.d,
            t1: self.t1,
            T2: self.T2,
            r1: respond(&self.first[..2]),
            r2: respond(&self.first[2..]),
            responses,
        }
    }
}
