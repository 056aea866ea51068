use super::*;

fn t(byte: u8) -> TreeHash {
    TreeHash::from_bytes([byte; 32])
}

#[test]
fn log_003_leaf_and_node_hashes_are_domain_separated() {
    // SHA-256(0x00) — RFC 6962's hash of the empty leaf (transparency-dev/merkle testonly).
    assert_eq!(
        hex::encode(leaf_hash(b"").as_bytes()),
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    );
    let mut raw = Sha256::new();
    raw.update([0x01]);
    raw.update([1u8; 32]);
    raw.update([2u8; 32]);
    assert_eq!(node_hash(&t(1), &t(2)).as_bytes()[..], raw.finalize()[..]);
    assert_ne!(node_hash(&t(1), &t(2)), node_hash(&t(2), &t(1)));
}

#[test]
fn log_012_inclusion_proof_shape() {
    assert_eq!(
        InclusionProof::new(3, 3, vec![]),
        Err(InclusionProofError::IndexOutOfRange { index: 3, size: 3 })
    );
    assert_eq!(
        InclusionProof::new(0, 2, vec![t(0); MAX_INCLUSION_HASHES + 1]),
        Err(InclusionProofError::TooManyHashes { len: 65 })
    );
    // A one-leaf tree: the leaf is the root and the proof is empty.
    let p = InclusionProof::new(0, 1, vec![]).expect("shape");
    p.verify(&t(5), &t(5)).expect("leaf is root");
    assert_eq!(p.verify(&t(5), &t(6)), Err(InclusionProofError::Mismatch));
    let extra = InclusionProof::new(0, 1, vec![t(1)]).expect("shape");
    assert_eq!(
        extra.verify(&t(5), &t(5)),
        Err(InclusionProofError::Mismatch)
    );
}

#[test]
fn log_013_consistency_proof_shape_and_equal_sizes() {
    assert_eq!(
        ConsistencyProof::new(0, 4, vec![]),
        Err(ConsistencyProofError::SizeOrder { old: 0, new: 4 })
    );
    assert_eq!(
        ConsistencyProof::new(5, 4, vec![]),
        Err(ConsistencyProofError::SizeOrder { old: 5, new: 4 })
    );
    assert_eq!(
        ConsistencyProof::new(1, 2, vec![t(0); MAX_CONSISTENCY_HASHES + 1]),
        Err(ConsistencyProofError::TooManyHashes { len: 66 })
    );
    let same = ConsistencyProof::new(4, 4, vec![]).expect("shape");
    same.verify(&t(1), &t(1)).expect("equal roots");
    assert_eq!(
        same.verify(&t(1), &t(2)),
        Err(ConsistencyProofError::Mismatch)
    );
    let not_empty = ConsistencyProof::new(4, 4, vec![t(1)]).expect("shape");
    assert_eq!(
        not_empty.verify(&t(1), &t(1)),
        Err(ConsistencyProofError::Mismatch)
    );
    let empty = ConsistencyProof::new(4, 5, vec![]).expect("shape");
    assert_eq!(
        empty.verify(&t(1), &t(2)),
        Err(ConsistencyProofError::Mismatch)
    );
}

#[test]
fn log_012_log_013_proofs_round_trip_through_json_strictly() {
    let p = InclusionProof::new(1, 3, vec![t(1), t(2)]).expect("shape");
    let json = serde_json::to_string(&p).expect("json");
    assert_eq!(
        json,
        format!(
            r#"{{"leaf_index":1,"tree_size":3,"hashes":["{}","{}"]}}"#,
            t(1),
            t(2)
        )
    );
    assert_eq!(
        serde_json::from_str::<InclusionProof>(&json).expect("parse"),
        p
    );
    // The same validation as `new`, unknown fields refused, hashes canonical.
    assert!(serde_json::from_str::<InclusionProof>(
        r#"{"leaf_index":3,"tree_size":3,"hashes":[]}"#
    )
    .is_err());
    assert!(serde_json::from_str::<InclusionProof>(
        r#"{"leaf_index":0,"tree_size":3,"hashes":[],"extra":1}"#
    )
    .is_err());
    let c = ConsistencyProof::new(2, 3, vec![t(3)]).expect("shape");
    let json = serde_json::to_string(&c).expect("json");
    assert_eq!(
        serde_json::from_str::<ConsistencyProof>(&json).expect("parse"),
        c
    );
    assert!(
        serde_json::from_str::<ConsistencyProof>(r#"{"old_size":0,"new_size":3,"hashes":[]}"#)
            .is_err()
    );
}

#[test]
fn log_004_hash_text_is_canonical_padded_base64() {
    let h = t(0xab);
    assert_eq!(TreeHash::from_base64(&h.to_base64()), Ok(h));
    let text = h.to_base64();
    assert!(
        TreeHash::from_base64(text.trim_end_matches('=')).is_err(),
        "unpadded"
    );
    // Last character with non-zero trailing bits: decodes leniently elsewhere, not here.
    let mut bad = text.into_bytes();
    bad[42] = b'v'; // 'q' (…101010) → 'v' (…101111): the low 2 bits must be zero
    assert!(TreeHash::from_base64(std::str::from_utf8(&bad).expect("ascii")).is_err());
    assert!(
        TreeHash::from_base64(&h.to_base64().replace('q', "-")).is_err(),
        "url alphabet"
    );
    assert!(TreeHash::from_base64("AAAA").is_err(), "3 bytes");
}
