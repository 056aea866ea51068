use super::*;
use crate::storage::{MemoryStorage, MemoryStorageError};
use crate::{
    node_hash, ConsistencyProofError, InclusionProofError, LogSigningKey, ObjectId, SignError,
};

fn h(hex: &str) -> TreeHash {
    TreeHash::from_bytes(hex::decode(hex).expect("hex").try_into().expect("32 bytes"))
}

fn b(text: &str) -> TreeHash {
    TreeHash::from_base64(text).expect("base64")
}

// From transparency-dev/merkle@417fb0c314750d94e53942e9f92e79b6d35915db, testonly/constants.go
// (`LeafInputs`, `NodeHashes()[0]`, `RootHashes`): the RFC 6962 reference tree.
const LEAF_INPUTS: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
const LEAF_HASHES: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
];
const ROOT_HASHES: [&str; 9] = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

// From the same commit, testdata/inclusion/{0,1,2,3,4}/happy-path.json:
// (leafIdx, treeSize, proof).
const INCLUSION: [(u64, u64, &[&str]); 5] = [
    (0, 1, &[]),
    (
        0,
        8,
        &[
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
    ),
    (
        5,
        8,
        &[
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
    (2, 3, &["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (
        1,
        5,
        &[
            "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
        ],
    ),
];

// From the same commit, testdata/consistency/{0,1,2,3,4}/happy-path.json: (size1, size2, proof).
const CONSISTENCY: [(u64, u64, &[&str]); 5] = [
    (1, 1, &[]),
    (
        1,
        8,
        &[
            "lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=",
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=",
        ],
    ),
    (
        6,
        8,
        &[
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
    (
        2,
        5,
        &[
            "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=",
        ],
    ),
    (
        6,
        7,
        &[
            "DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=",
            "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
        ],
    ),
];

fn reference_log() -> Log<MemoryStorage> {
    let mut log = Log::new("reference.example", MemoryStorage::new()).expect("origin");
    for input in LEAF_INPUTS {
        log.append_encoded(&hex::decode(input).expect("hex"))
            .expect("append");
    }
    log
}

/// RFC 9162 §2.1.1 `MTH`, written from the definition: the independent reference.
fn mth(leaves: &[TreeHash]) -> TreeHash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            // The largest power of two smaller than n.
            let k = 1usize << (n - 1).ilog2();
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

#[test]
fn log_003_published_rfc6962_leaf_and_root_hashes() {
    let log = reference_log();
    for (input, expected) in LEAF_INPUTS.iter().zip(LEAF_HASHES) {
        assert_eq!(leaf_hash(&hex::decode(input).expect("hex")), h(expected));
    }
    for (size, expected) in ROOT_HASHES.iter().enumerate() {
        assert_eq!(
            log.root_at(size as u64).expect("root"),
            h(expected),
            "size {size}"
        );
    }
    assert_eq!(EMPTY_ROOT, h(ROOT_HASHES[0]));
}

#[test]
fn log_012_published_inclusion_proofs_are_produced_and_verify() {
    let log = reference_log();
    for (index, size, path) in INCLUSION {
        let proof = log.inclusion_proof(index, size).expect("proof");
        let expected: Vec<TreeHash> = path.iter().map(|p| b(p)).collect();
        assert_eq!(proof.hashes(), expected.as_slice(), "({index}, {size})");
        let root = h(ROOT_HASHES[usize::try_from(size).expect("small")]);
        let leaf = h(LEAF_HASHES[usize::try_from(index).expect("small")]);
        proof.verify(&leaf, &root).expect("verifies");
        // A different leaf, or the root of another size, fails.
        let other = h(LEAF_HASHES[(usize::try_from(index).expect("small") + 1) % 8]);
        assert_eq!(
            proof.verify(&other, &root),
            Err(InclusionProofError::Mismatch)
        );
        let wrong_root = h(ROOT_HASHES[usize::try_from(size).expect("small") - 1]);
        assert_eq!(
            proof.verify(&leaf, &wrong_root),
            Err(InclusionProofError::Mismatch)
        );
    }
}

#[test]
fn log_013_published_consistency_proofs_are_produced_and_verify() {
    let log = reference_log();
    for (old, new, path) in CONSISTENCY {
        let proof = log.consistency_proof(old, new).expect("proof");
        let expected: Vec<TreeHash> = path.iter().map(|p| b(p)).collect();
        assert_eq!(proof.hashes(), expected.as_slice(), "({old}, {new})");
        let (r1, r2) = (
            h(ROOT_HASHES[usize::try_from(old).expect("small")]),
            h(ROOT_HASHES[usize::try_from(new).expect("small")]),
        );
        proof.verify(&r1, &r2).expect("verifies");
        if old != new {
            assert_eq!(proof.verify(&r2, &r1), Err(ConsistencyProofError::Mismatch));
        }
    }
}

fn entry(i: u64) -> LogEntry {
    LogEntry::IssuerKeyRetired {
        key_id: ObjectId::from_bytes([u8::try_from(i % 251).expect("small"); 32]),
        retired_at: i,
    }
}

#[test]
fn log_012_log_013_every_proof_of_small_trees_verifies_and_every_bit_flip_fails() {
    let mut log = Log::new("t.example", MemoryStorage::new()).expect("origin");
    let mut leaves = Vec::new();
    for i in 0..33u64 {
        log.append(&entry(i)).expect("append");
        leaves.push(entry(i).leaf_hash());
        let size = i + 1;
        assert_eq!(
            log.root_at(size).expect("root"),
            mth(&leaves),
            "size {size}"
        );
    }
    for size in 1..=33u64 {
        let root = mth(&leaves[..usize::try_from(size).expect("small")]);
        for index in 0..size {
            let proof = log.inclusion_proof(index, size).expect("proof");
            let leaf = leaves[usize::try_from(index).expect("small")];
            proof.verify(&leaf, &root).expect("verifies");
            for (j, _) in proof.hashes().iter().enumerate() {
                let mut hashes = proof.hashes().to_vec();
                let mut bytes = *hashes[j].as_bytes();
                bytes[j % 32] ^= 1;
                hashes[j] = TreeHash::from_bytes(bytes);
                let bad = InclusionProof::new(index, size, hashes).expect("shape");
                assert_eq!(bad.verify(&leaf, &root), Err(InclusionProofError::Mismatch));
            }
            // Truncated and extended proofs fail.
            if let Some((_, rest)) = proof.hashes().split_last() {
                let short = InclusionProof::new(index, size, rest.to_vec()).expect("shape");
                assert!(short.verify(&leaf, &root).is_err());
            }
            let mut long = proof.hashes().to_vec();
            long.push(root);
            let long = InclusionProof::new(index, size, long).expect("shape");
            assert!(long.verify(&leaf, &root).is_err());
        }
        for old in 1..=size {
            let proof = log.consistency_proof(old, size).expect("proof");
            let old_root = mth(&leaves[..usize::try_from(old).expect("small")]);
            proof.verify(&old_root, &root).expect("verifies");
            for j in 0..proof.hashes().len() {
                let mut hashes = proof.hashes().to_vec();
                let mut bytes = *hashes[j].as_bytes();
                bytes[0] ^= 0x80;
                hashes[j] = TreeHash::from_bytes(bytes);
                let bad = ConsistencyProof::new(old, size, hashes).expect("shape");
                assert!(
                    bad.verify(&old_root, &root).is_err(),
                    "{old}->{size} flip {j}"
                );
            }
        }
    }
}

#[test]
fn log_012_log_013_requests_beyond_the_log_are_refused() {
    let log = reference_log();
    assert!(matches!(
        log.inclusion_proof(8, 8),
        Err(LogError::IndexOutOfRange { index: 8, size: 8 })
    ));
    assert!(matches!(
        log.inclusion_proof(0, 9),
        Err(LogError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        log.consistency_proof(0, 4),
        Err(LogError::SizeOrder { .. })
    ));
    assert!(matches!(
        log.consistency_proof(5, 4),
        Err(LogError::SizeOrder { .. })
    ));
    assert!(matches!(
        log.consistency_proof(4, 9),
        Err(LogError::SizeOrder { .. })
    ));
    assert!(matches!(
        log.root_at(9),
        Err(LogError::IndexOutOfRange { .. })
    ));
    assert!(matches!(
        log.entry_bytes(8),
        Err(LogError::IndexOutOfRange { .. })
    ));
    assert_eq!(
        log.consistency_proof(4, 9).map(|_| ()).unwrap_err().rule(),
        "LOG-013"
    );
}

#[test]
fn log_021_entries_round_trip_through_the_log() {
    let mut log = Log::new("t.example", MemoryStorage::new()).expect("origin");
    for i in 0..5 {
        assert_eq!(log.append(&entry(i)).expect("append"), i);
    }
    assert_eq!(log.size().expect("size"), 5);
    assert_eq!(log.entry(3).expect("entry"), entry(3));
    let cp = log.checkpoint().expect("checkpoint");
    assert_eq!((cp.origin(), cp.size()), ("t.example", 5));
}

#[test]
fn log_007_sign_checkpoint_needs_the_key_named_by_the_origin() {
    let log = reference_log();
    let wrong = LogSigningKey::from_seed("other.example", &[9; 32]).expect("key");
    let err = log.sign_checkpoint(&wrong).expect_err("wrong key");
    assert!(matches!(
        err,
        LogError::Sign(SignError::KeyNotForOrigin { .. })
    ));
    assert_eq!(err.rule(), "LOG-007");
    let right = LogSigningKey::from_seed("reference.example", &[9; 32]).expect("key");
    let signed = log.sign_checkpoint(&right).expect("sign");
    signed
        .verify_log_signature(right.verifying_key())
        .expect("verifies");
}

/// A storage that lies: it returns one hash too few, or fails.
struct Broken {
    inner: MemoryStorage,
    short: bool,
}

impl LogStorage for Broken {
    type Error = MemoryStorageError;
    fn size(&self) -> Result<u64, Self::Error> {
        self.inner.size()
    }
    fn entry(&self, index: u64) -> Result<Vec<u8>, Self::Error> {
        self.inner.entry(index)
    }
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, Self::Error> {
        if self.short {
            let mut v = self.inner.read_hashes(indexes)?;
            v.pop();
            Ok(v)
        } else if let Some(&first) = indexes.first() {
            Err(MemoryStorageError::NoHash(first))
        } else {
            Ok(Vec::new())
        }
    }
    fn append(
        &mut self,
        index: u64,
        entry: &[u8],
        first: u64,
        hashes: &[TreeHash],
    ) -> Result<(), Self::Error> {
        self.inner.append(index, entry, first, hashes)
    }
}

#[test]
fn log_021_a_lying_storage_is_an_error_not_a_panic() {
    let inner = reference_log().into_storage();
    let short = Log::new(
        "t.example",
        Broken {
            inner: inner.clone(),
            short: true,
        },
    )
    .expect("o");
    assert!(matches!(short.root_at(7), Err(LogError::Corrupt(_))));
    assert!(matches!(
        short.inclusion_proof(1, 7),
        Err(LogError::Corrupt(_))
    ));
    let mut failing = Log::new(
        "t.example",
        Broken {
            inner,
            short: false,
        },
    )
    .expect("o");
    assert!(matches!(
        failing.consistency_proof(3, 7),
        Err(LogError::Storage(MemoryStorageError::NoHash(_)))
    ));
    // Entry 8 completes no subtree (no read); entry 9 completes one and must read entry 8's
    // hash: the failure is reported and nothing is appended.
    assert_eq!(failing.append(&entry(8)).expect("no read needed"), 8);
    assert!(matches!(
        failing.append(&entry(9)),
        Err(LogError::Storage(_))
    ));
    assert_eq!(failing.size().expect("size"), 9);
}

#[test]
fn log_021_memory_storage_refuses_out_of_order_appends() {
    let mut s = MemoryStorage::new();
    assert_eq!(
        s.append(1, b"x", 0, &[EMPTY_ROOT]),
        Err(MemoryStorageError::OutOfOrder {
            index: 1,
            first_hash_index: 0
        })
    );
}
