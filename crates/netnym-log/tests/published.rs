//! The transparency-dev/merkle proof probes (RFC 6962 / RFC 9162 inclusion and consistency
//! verification, with their mutations: truncated, extended, bit-flipped, shifted indexes, …)
//! run through this crate's verifiers (LOG-012, LOG-013).
//!
//! The probe files are not part of this repository. Run with a checkout of
//! <https://github.com/transparency-dev/merkle> (checked at commit
//! 417fb0c314750d94e53942e9f92e79b6d35915db):
//!
//! ```text
//! NETNYM_MERKLE_TESTDATA=/path/to/merkle/testdata \
//!   cargo test -p netnym-log --test published -- --ignored
//! ```
//!
//! A subset of the same published data (the reference tree's leaf and root hashes and the
//! happy-path proofs) is embedded in the crate's unit tests and always runs.

use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD, Engine};
use netnym_log::{ConsistencyProof, InclusionProof, TreeHash};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InclusionProbe {
    leaf_idx: u64,
    tree_size: u64,
    root: String,
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsistencyProbe {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    want_err: bool,
}

/// A probe's hash; the probes also carry empty or odd-length values, which no `TreeHash`
/// can be (so the probe must fail, except the one listed in [`UNREPRESENTABLE`]).
fn hash(text: &str) -> Option<TreeHash> {
    let bytes = STANDARD.decode(text).ok()?;
    Some(TreeHash::from_bytes(bytes.try_into().ok()?))
}

fn hashes(list: &Option<Vec<String>>) -> Option<Vec<TreeHash>> {
    list.iter().flatten().map(|h| hash(h)).collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("probe dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn inclusion_ok(p: &InclusionProbe) -> bool {
    let (Some(root), Some(leaf), Some(path)) =
        (hash(&p.root), hash(&p.leaf_hash), hashes(&p.proof))
    else {
        return false;
    };
    InclusionProof::new(p.leaf_idx, p.tree_size, path)
        .is_ok_and(|proof| proof.verify(&leaf, &root).is_ok())
}

fn consistency_ok(p: &ConsistencyProbe) -> bool {
    let (Some(r1), Some(r2), Some(path)) = (hash(&p.root1), hash(&p.root2), hashes(&p.proof))
    else {
        return false;
    };
    ConsistencyProof::new(p.size1, p.size2, path).is_ok_and(|proof| proof.verify(&r1, &r2).is_ok())
}

/// Probes that expect success for hashes that are not 32 bytes: a `TreeHash` cannot hold them,
/// so this crate cannot be asked the question. (The probe checks that equal sizes with an
/// empty proof and equal roots pass; `merkle::tests` checks the same with 32-byte roots.)
const UNREPRESENTABLE: [&str; 1] = ["sizes are equal (one) and proof is empty"];

fn representable(values: &[&str]) -> bool {
    values.iter().all(|v| hash(v).is_some())
}

#[test]
#[ignore = "needs NETNYM_MERKLE_TESTDATA=<transparency-dev/merkle checkout>/testdata"]
fn log_012_log_013_transparency_dev_probes() {
    let root =
        PathBuf::from(std::env::var("NETNYM_MERKLE_TESTDATA").expect("set NETNYM_MERKLE_TESTDATA"));
    let mut wrong = Vec::new();
    let (mut inclusion, mut consistency) = (Vec::new(), Vec::new());
    files(&root.join("inclusion"), &mut inclusion);
    files(&root.join("consistency"), &mut consistency);
    for path in &inclusion {
        let p: InclusionProbe =
            serde_json::from_slice(&std::fs::read(path).expect("read")).expect("probe json");
        if inclusion_ok(&p) == p.want_err {
            wrong.push(format!("{}: {}", path.display(), p.desc));
        }
    }
    for path in &consistency {
        let p: ConsistencyProbe =
            serde_json::from_slice(&std::fs::read(path).expect("read")).expect("probe json");
        if !p.want_err && !representable(&[&p.root1, &p.root2]) {
            assert!(UNREPRESENTABLE.contains(&p.desc.as_str()), "{}", p.desc);
            continue;
        }
        if consistency_ok(&p) == p.want_err {
            wrong.push(format!("{}: {}", path.display(), p.desc));
        }
    }
    println!(
        "{} inclusion and {} consistency probes",
        inclusion.len(),
        consistency.len()
    );
    assert!(
        inclusion.len() >= 80 && consistency.len() >= 90,
        "probe set incomplete"
    );
    assert!(
        wrong.is_empty(),
        "{} probes answered wrongly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
