//! Per-platform pseudonyms (spec/05-presentation.md §Pseudonym, `NYM-nnn`).
//!
//! `nym = H(scope) * link_secret`, with `H` the RFC 9380 hash to G1
//! (`BLS12381G1_XMD:SHA-256_SSWU_RO_`) under NetNym's DST, and `scope` the verifier id.
//! The holder proves knowledge of `link_secret` for `nym` with the same Schnorr blinding as the
//! link secret in its BBS+ proofs, so one response serves both and proves they are equal.
//! The same holder gets the same nym at the same platform every time; different platforms get
//! unrelated nyms (DDH in G1); the authority, which never learns the link secret, cannot
//! compute any nym.

use ark_bls12_381::{g1, Fr, G1Affine, G1Projective};
use ark_ec::hashing::{
    curve_maps::wb::WBMap, map_to_curve_hasher::MapToCurveBasedHasher, HashToCurve,
};
use ark_ff::field_hashers::DefaultFieldHasher;
use sha2::Sha256;

use crate::encoding::{b64, g1_bytes};
use crate::fixed_base::{normalize_batch, FixedBaseTable};

/// Domain separation tag of the scope hash (RFC 9380 §3.1 naming).
pub(crate) const SCOPE_DST: &[u8] = b"NETNYM-V1-PSEUDONYM-SCOPE_BLS12381G1_XMD:SHA-256_SSWU_RO_";

type G1Hasher =
    MapToCurveBasedHasher<G1Projective, DefaultFieldHasher<Sha256, 128>, WBMap<g1::Config>>;

/// RFC 9380 `hash_to_curve` to G1 with SHA-256 (suite `BLS12381G1_XMD:SHA-256_SSWU_RO_`).
pub(crate) fn hash_to_g1(dst: &[u8], msg: &[u8]) -> G1Affine {
    // `new` only fails for an empty DST and `hash` only for a DST over 255 bytes; ours are
    // fixed non-empty constants (tested against the RFC's vectors).
    G1Hasher::new(dst)
        .and_then(|h| h.hash(msg))
        .unwrap_or_else(|e| unreachable!("hash_to_g1 with a fixed DST: {e:?}"))
}

/// The base point of a scope (verifier id).
pub(crate) fn scope_base(scope: &str) -> G1Affine {
    hash_to_g1(SCOPE_DST, scope.as_bytes())
}

/// Window of the per-presentation table of a scope's base ([`nym_and_commitment`]). With two
/// multiplications per table, building the table dominates; measured CPU time for the table
/// and both multiplications (`benches/benches/constant_time.rs`, `pseudonym/ct/{w}`, one run):
/// 700 µs at width 2, 713 µs at 3, 897 µs at 4, against 475 µs for arkworks' variable-time
/// multiplications. Width 3 (85 × 4 entries) is as fast as 2 with fewer additions per product.
const SCOPE_TABLE_W: usize = 3;

/// `(H(scope)·link_secret, H(scope)·blinding)`: the pseudonym and its Schnorr commitment, in
/// constant time in both secrets (NYM-001). The base is public, so its table is built in
/// variable time; the two multiplications and their normalisation to affine are
/// `fixed_base`'s constant-time code (SECURITY.md §Side channels).
pub(crate) fn nym_and_commitment(
    base: &G1Affine,
    link_secret: &Fr,
    blinding: &Fr,
) -> (G1Affine, G1Affine) {
    let table = FixedBaseTable::with_window(base, SCOPE_TABLE_W);
    let points = normalize_batch(&[table.mul(link_secret), table.mul(blinding)]);
    (points[0], points[1])
}

/// A per-platform pseudonym: a G1 element, stable for one holder and one verifier id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pseudonym(pub(crate) G1Affine);

impl Pseudonym {
    /// The 48-byte compressed encoding.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; 48] {
        g1_bytes(&self.0)
    }
}

impl core::fmt::Display for Pseudonym {
    /// Unpadded base64url of the compressed point: a stable account key for the platform.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&b64(&self.to_bytes()))
    }
}

impl core::fmt::Debug for Pseudonym {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Pseudonym({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{BigInteger, PrimeField};

    fn x_hex(p: &G1Affine) -> String {
        crate::encoding::to_hex(&p.x.into_bigint().to_bytes_be())
    }

    /// NYM-001: the constant-time pseudonym and commitment equal arkworks' multiplications,
    /// for random secrets and the edge scalars 0, 1 and −1.
    #[test]
    fn nym_001_constant_time_nym_matches_arkworks() {
        use ark_ec::CurveGroup;
        use ark_ff::{One, UniformRand, Zero};
        let mut rng = rand::thread_rng();
        let base = scope_base("https://platform.example");
        let mut scalars = vec![Fr::zero(), Fr::one(), -Fr::one()];
        scalars.extend((0..8).map(|_| Fr::rand(&mut rng)));
        for pair in scalars.windows(2) {
            let (nym, t) = nym_and_commitment(&base, &pair[0], &pair[1]);
            assert_eq!(nym, (base * pair[0]).into_affine());
            assert_eq!(t, (base * pair[1]).into_affine());
        }
    }

    /// RFC 9380 Appendix J.9.1, suite BLS12381G1_XMD:SHA-256_SSWU_RO_, msg "" and "abc".
    #[test]
    fn nym_001_hash_to_g1_matches_rfc9380() {
        let dst = b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_";
        assert_eq!(
            x_hex(&hash_to_g1(dst, b"")),
            "052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1"
        );
        assert_eq!(
            x_hex(&hash_to_g1(dst, b"abc")),
            "03567bc5ef9c690c2ab2ecdf6a96ef1c139cc0b2f284dca0a9a7943388a49a3aee664ba5379a7655d3c68900be2f6903"
        );
    }

    #[test]
    fn scope_bases_differ_and_are_in_the_subgroup() {
        let a = scope_base("shop.example");
        let b = scope_base("rail.example");
        assert_ne!(a, b);
        assert!(a.is_in_correct_subgroup_assuming_on_curve() && a.is_on_curve());
    }
}
