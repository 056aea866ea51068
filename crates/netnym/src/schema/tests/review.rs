//! The generators attributes are signed under (spec/02-crypto.md §Generators, SCH-010).

use std::collections::HashSet;

use ark_bls12_381::G1Affine;
use ark_ec::AffineRepr;

use super::*;
use crate::encoding::g1_bytes;

/// The schema the crate ships (`cn-network-id/v1`) and, as the generators' count comes from
/// the schema, the smallest and largest schemas SCH-002 allows.
fn schemas() -> Vec<Schema> {
    let sized = |n: usize| {
        Schema::new(
            &format!("review/size-{n}"),
            (0..n).map(|i| {
                let ty = if i == 0 {
                    AttributeType::HolderSecret
                } else {
                    AttributeType::Uint
                };
                (format!("a{i}"), ty)
            }),
        )
        .unwrap()
    };
    vec![Schema::cn_network_id_v1(), sized(1), sized(MAX_ATTRIBUTES)]
}

/// No base used for attributes (`h_0`, every `h[i]`) is the identity, `g1`, or equal to another
/// base or its negation — within a schema, across these schemas, and against the other G1
/// generators of the crate (range commitment key `g`, `h`; digit signatures' `g1` for bases 2
/// and 16; a pseudonym scope base). Every one is in the prime-order subgroup.
#[test]
fn sch_010_attribute_bases_not_g1_identity_or_each_other() {
    let mut rng = crate::testing::rng(41);
    let mut all: Vec<G1Affine> = Vec::new();
    for s in schemas() {
        let p = s.params();
        assert_eq!(p.h.len(), s.len());
        for b in std::iter::once(&p.h_0).chain(&p.h) {
            assert!(!b.is_zero(), "{}", s.id());
            assert_ne!(*b, p.g1, "{}", s.id());
            assert_ne!(*b, -p.g1, "{}", s.id());
            assert!(b.is_on_curve() && b.is_in_correct_subgroup_assuming_on_curve());
        }
        assert!(!p.g1.is_zero());
        all.push(p.g1);
        all.push(p.h_0);
        all.extend(&p.h);
    }
    let ck = crate::range::commitment_key();
    all.extend([ck.g, ck.h]);
    for base in [2, 16] {
        let params = crate::range::RangeParams::generate(&mut rng, base).unwrap();
        all.push(params.params().bb_sig_params.g1);
    }
    all.push(crate::pseudonym::scope_base("shop.example"));
    assert_eq!(all.len(), 3 * 2 + 11 + 1 + MAX_ATTRIBUTES + 2 + 2 + 1);
    let signed: HashSet<[u8; 48]> = all
        .iter()
        .flat_map(|p| [g1_bytes(p), g1_bytes(&-*p)])
        .collect();
    assert_eq!(signed.len(), 2 * all.len());
}
