//! The authority as adversary (docs/lab.md §Authority views): what it holds about every holder
//! it enrolled, and its two adversaries.
//!
//! The authority keeps, per holder, a **record**: the register entry (every attribute, and in
//! designs a and b the number, certificate, signed payload and disclosures it made), and in the
//! NetNym designs the whole issuance transcript — the offer, the blind request (commitment and
//! proof), the response with the signature `A ‖ e ‖ s'` it returned, the membership witness `C`
//! it issued — plus, when it learned it (non-blind issuance only), the link secret and the
//! pseudonyms `H(scope)·ls` it can then compute at every platform it knows. It also holds the
//! issuer secret key(s) `x` and the registry secret key `α`. [`Knowledge::gather`] builds all
//! of this from a deployment through the core library's public API (`to_json` of every message
//! and key).
//!
//! Its adversaries ([`transcript_match`], [`signature_relations`]) are in `authority/relations.rs`.

mod relations;

use std::collections::{HashMap, HashSet};

use ark_bls12_381::{g1, Bls12_381, Fr, G1Affine, G1Projective};
use ark_ec::hashing::{
    curve_maps::wb::WBMap, map_to_curve_hasher::MapToCurveBasedHasher, HashToCurve,
};
use ark_ec::CurveGroup;
use ark_ff::field_hashers::DefaultFieldHasher;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::Sha256;
use zeroize::Zeroize;

use netnym::Schema;

use crate::designs::{
    transcript_view, ComponentKind, Deployment, DesignError, Holder, IssuanceTranscript, View,
};

pub use self::relations::{signature_relations, transcript_match};

/// Shortest value the name-blind search compares (16 bytes: identifiers, keys, points; shorter
/// values such as a one-digit id or a version number coincide by chance across fields).
pub const MIN_MATCH_LEN: usize = 16;
/// Largest `k` tried in `A' = k·A` and membership `A' = k·C`: a randomizer with at most 8 bits
/// of entropy (a stuck or badly seeded wallet generator).
pub const SMALL_RANDOMIZER: u32 = 1 << 8;
/// Largest `k` tried in `(e + x)·A' − d = k·h_0` (`k = r2`, from 0: `d` not blinded).
pub const SMALL_R2: u32 = 1 << 12;
/// Label prefix of a schema's BBS+ generators (spec/02-crypto.md §Generators).
const GENERATOR_LABEL: &str = "NetNym-v1:BBS+:BLS12-381:generators:";
/// Domain separation tag of the pseudonym scope hash (spec/11-pseudonyms.md, NYM-001).
const SCOPE_DST: &[u8] = b"NETNYM-V1-PSEUDONYM-SCOPE_BLS12381G1_XMD:SHA-256_SSWU_RO_";

type G1Hasher =
    MapToCurveBasedHasher<G1Projective, DefaultFieldHasher<Sha256, 128>, WBMap<g1::Config>>;

/// Compressed 48-byte encoding of a G1 point (as on the wire).
type Compressed = [u8; 48];

/// Everything the authority holds: a record per enrolled holder and its secret keys.
pub struct Knowledge {
    records: Vec<Record>,
    /// The issuer secret keys `x`, by key index.
    issuer_keys: Vec<Fr>,
    /// The registry secret key `α` (NetNym designs).
    registry_key: Option<Fr>,
    /// `k·h_0 → k` for `k` in `0..=SMALL_R2` (NetNym designs).
    h0_multiples: HashMap<Compressed, u32>,
}

impl core::fmt::Debug for Knowledge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the secret keys.
        f.debug_struct("Knowledge")
            .field("records", &self.records.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Knowledge {
    fn drop(&mut self) {
        self.issuer_keys.zeroize();
        self.registry_key.zeroize();
        for r in &mut self.records {
            if let Some(a) = &mut r.algebra {
                a.x.zeroize();
            }
        }
    }
}

/// The authority's record of one holder.
struct Record {
    /// Register entry, issuance transcript and derived pseudonyms as components.
    dossier: View,
    /// What the algebra needs (NetNym designs).
    algebra: Option<RecordAlgebra>,
}

/// A holder's signature and witness as the authority issued them, with small multiples.
struct RecordAlgebra {
    /// The issuer secret key that signed.
    x: Fr,
    /// The signature's `e`.
    e: Fr,
    /// `k·A` for `k` in `1..=SMALL_RANDOMIZER`.
    a_multiples: HashSet<Compressed>,
    /// `k·C` (membership witness) for `k` in `1..=SMALL_RANDOMIZER`.
    c_multiples: HashSet<Compressed>,
}

impl Knowledge {
    /// What the authority of `deployment` holds after enrolling `holders` with `attributes`
    /// (same order), knowing the platforms' verifier ids `scopes`.
    ///
    /// # Errors
    /// [`DesignError::Core`] if a transcript or key the core library produced does not parse
    /// (never expected).
    pub fn gather(
        deployment: &Deployment,
        holders: &[Holder],
        attributes: &[serde_json::Value],
        scopes: &[&str],
    ) -> Result<Self, DesignError> {
        let (issuer_keys, registry_key, h0) = match deployment.netnym_authority() {
            Some((issuers, registry, schema)) => {
                let keys = issuers
                    .iter()
                    .map(|i| secret_scalar(&i.secret_key().to_json()))
                    .collect::<Result<Vec<_>, _>>()?;
                (
                    keys,
                    Some(secret_scalar(&registry.to_json())?),
                    Some(h0(schema)),
                )
            }
            None => (Vec::new(), None, None),
        };
        let h0_multiples = h0.map_or_else(HashMap::new, |h| {
            multiples(h, 0, SMALL_R2)
                .into_iter()
                .zip(0..)
                .collect::<HashMap<_, _>>()
        });
        let records = holders
            .iter()
            .zip(attributes)
            .map(|(h, a)| {
                let mut dossier = deployment.register_view(h, a);
                let algebra = match h.transcript() {
                    Some(t) => {
                        transcript_components(t, scopes, &mut dossier)?;
                        Some(record_algebra(&dossier, &issuer_keys, t.key_index)?)
                    }
                    None => None,
                };
                Ok(Record { dossier, algebra })
            })
            .collect::<Result<Vec<_>, DesignError>>()?;
        Ok(Self {
            records,
            issuer_keys,
            registry_key,
            h0_multiples,
        })
    }

    /// The authority's record of holder `index` as components (register entry, issuance
    /// transcript, derived pseudonyms): the labelled view the byte-level adversaries get.
    #[must_use]
    pub fn dossier(&self, index: usize) -> &View {
        &self.records[index].dossier
    }

    /// Number of holders recorded.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no holder is recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// The issuance messages as `issuance.*` components; with a known link secret, the secret
/// and the holder's pseudonym at every scope in `scopes` (`pseudonym.nym`, as presentations
/// name it).
fn transcript_components(
    t: &IssuanceTranscript,
    scopes: &[&str],
    out: &mut View,
) -> Result<(), DesignError> {
    transcript_view("issuance.offer", &t.offer, out)?;
    transcript_view("issuance.request", &t.request, out)?;
    transcript_view("issuance.response", &t.response, out)?;
    transcript_view("issuance.witness", &t.witness, out)?;
    if let Some(ls) = &t.link_secret {
        out.push("issuance.link_secret", ComponentKind::Claim, ls.as_slice());
        let ls = Fr::deserialize_compressed(ls.as_slice()).map_err(parse_err)?;
        for scope in scopes {
            let nym = (scope_base(scope)? * ls).into_affine();
            out.push(
                "pseudonym.nym",
                ComponentKind::Claim,
                compress(&nym).as_slice(),
            );
        }
    }
    Ok(())
}

fn record_algebra(
    dossier: &View,
    issuer_keys: &[Fr],
    key_index: usize,
) -> Result<RecordAlgebra, DesignError> {
    let get = |name: &str| {
        dossier
            .components
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.bytes.as_slice())
            .ok_or_else(|| DesignError::Core(format!("issuance transcript lacks {name}")))
    };
    let a = G1Affine::deserialize_compressed(get("issuance.response.signature.A")?)
        .map_err(parse_err)?;
    let e = Fr::deserialize_compressed(get("issuance.response.signature.e")?).map_err(parse_err)?;
    let c =
        G1Affine::deserialize_compressed(get("issuance.witness.witness")?).map_err(parse_err)?;
    let x = *issuer_keys
        .get(key_index)
        .ok_or_else(|| DesignError::Core("no such issuer key".to_owned()))?;
    Ok(RecordAlgebra {
        x,
        e,
        a_multiples: multiples(a, 1, SMALL_RANDOMIZER).into_iter().collect(),
        c_multiples: multiples(c, 1, SMALL_RANDOMIZER).into_iter().collect(),
    })
}

/// `k·p` for `k` in `from..=to`, compressed.
fn multiples(p: G1Affine, from: u32, to: u32) -> Vec<Compressed> {
    let mut acc = G1Projective::from(p) * Fr::from(from);
    let mut points = Vec::with_capacity((to - from + 1) as usize);
    for _ in from..=to {
        points.push(acc);
        acc += p;
    }
    G1Projective::normalize_batch(&points)
        .iter()
        .map(compress)
        .collect()
}

pub(crate) fn compress(p: &G1Affine) -> Compressed {
    let mut out = [0u8; 48];
    // A valid affine point fills exactly its 48-byte compressed encoding.
    let _ = p.serialize_compressed(&mut out[..]);
    out
}

/// `h_0` of `schema`, rederived from its public label (spec/02-crypto.md §Generators).
fn h0(schema: &Schema) -> G1Affine {
    let label = format!("{GENERATOR_LABEL}{}", hex::encode(schema.digest()));
    let count = u32::try_from(schema.len()).unwrap_or(1);
    bbs_plus::setup::SignatureParamsG1::<Bls12_381>::new::<blake2::Blake2b512>(
        label.as_bytes(),
        count,
    )
    .h_0
}

/// `H(scope)`, the pseudonym base of a verifier id (spec/11-pseudonyms.md, NYM-001).
fn scope_base(scope: &str) -> Result<G1Affine, DesignError> {
    G1Hasher::new(SCOPE_DST)
        .and_then(|h| h.hash(scope.as_bytes()))
        .map_err(|e| DesignError::Core(format!("hash to G1: {e:?}")))
}

/// The scalar in a secret-key JSON (`{"type", "version", "secret_key": b64(32)}`, issuer or
/// registry, spec/03-wire-format.md).
fn secret_scalar(json: &[u8]) -> Result<Fr, DesignError> {
    let v: serde_json::Value = serde_json::from_slice(json).map_err(parse_err)?;
    let b64 = v["secret_key"]
        .as_str()
        .ok_or_else(|| DesignError::Core("secret key JSON lacks secret_key".to_owned()))?;
    let bytes = zeroize::Zeroizing::new(URL_SAFE_NO_PAD.decode(b64).map_err(parse_err)?);
    Fr::deserialize_compressed(bytes.as_slice()).map_err(parse_err)
}

fn parse_err(e: impl core::fmt::Display) -> DesignError {
    DesignError::Core(format!("authority record: {e}"))
}

#[cfg(test)]
mod tests;
