//! Checking the stored files on their own: positives verify, each negative is rejected by
//! exactly its rule.

use netnym_log::*;

use super::dir;
use super::files::*;

fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = dir().join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("typed vector file")
}

fn hash(text: &str) -> TreeHash {
    TreeHash::from_base64(text).expect("stored hash")
}

pub(crate) fn check_positive() {
    let keys: KeysFile = load("log/keys.json");
    let seed = |r: &KeyRecord| -> [u8; 32] {
        hex::decode(&r.seed)
            .expect("hex")
            .try_into()
            .expect("32 bytes")
    };
    // LOG-006: each vkey is the one of its seed.
    let log_key = LogSigningKey::from_seed(&keys.log.name, &seed(&keys.log)).expect("log key");
    assert_eq!(log_key.verifying_key().to_vkey(), keys.log.vkey);
    for w in keys.witnesses.iter().chain([&keys.untrusted_witness]) {
        let k = WitnessSigningKey::from_seed(&w.name, &seed(w)).expect("witness key");
        assert_eq!(k.verifying_key().to_vkey(), w.vkey);
    }
    let policy = keys.policy;
    assert_eq!(policy.log_key(), log_key.verifying_key());
    assert_eq!(policy.witnesses().len(), keys.witnesses.len());

    // LOG-001..LOG-003: entries decode, re-encode and hash as stored.
    let entries: EntriesFile = load("log/entries.json");
    let mut log = Log::new(policy.origin(), MemoryStorage::new()).expect("log");
    let mut encoded = Vec::new();
    for (i, r) in entries.entries.iter().enumerate() {
        assert_eq!(r.index, i as u64);
        let bytes = hex::decode(&r.encoding).expect("hex");
        let e = LogEntry::decode(&bytes).expect("entry decodes");
        assert_eq!(e.kind(), r.kind);
        assert_eq!(e.encode(), bytes);
        assert_eq!(leaf_hash(&bytes), hash(&r.leaf_hash));
        log.append(&e).expect("append");
        encoded.push(bytes);
    }

    // LOG-003, LOG-004, LOG-007, LOG-008, LOG-010, LOG-011: checkpoints.
    let cps: CheckpointsFile = load("log/checkpoints.json");
    for (n, root) in cps.roots.iter().enumerate() {
        assert_eq!(log.root_at(n as u64).expect("root"), hash(root), "root {n}");
    }
    for c in &cps.checkpoints {
        let signed = SignedCheckpoint::parse(c.note.as_bytes()).expect("note");
        assert_eq!(signed.checkpoint().to_text(), c.text);
        assert_eq!(signed.checkpoint().size(), c.size);
        assert_eq!(signed.checkpoint().root(), &hash(&c.root));
        let v = signed.verify(&policy, c.cosigned_at).expect("verifies");
        assert_eq!(v.cosignatures().len(), 3);
        assert!(v
            .cosignatures()
            .iter()
            .all(|x| x.timestamp() == c.cosigned_at));
    }

    // LOG-012, LOG-013: proofs.
    let proofs: ProofsFile = load("log/proofs.json");
    let root = |n: u64| hash(&cps.roots[usize::try_from(n).expect("small")]);
    for p in &proofs.inclusion {
        p.verify(
            &leaf_hash(&encoded[usize::try_from(p.leaf_index()).expect("small")]),
            &root(p.tree_size()),
        )
        .expect("inclusion");
    }
    for p in &proofs.consistency {
        p.verify(&root(p.old_size()), &root(p.new_size()))
            .expect("consistency");
    }

    // The wallet's path: accept 3, extend to 6 and 8, accept every entry.
    let mut view = LogView::new(policy);
    let by_size = |s: u64| {
        cps.checkpoints
            .iter()
            .find(|c| c.size == s)
            .expect("checkpoint")
    };
    let proof = |a: u64, b: u64| {
        proofs
            .consistency
            .iter()
            .find(|p| (p.old_size(), p.new_size()) == (a, b))
            .expect("proof")
    };
    let c3 = by_size(3);
    view.update(c3.note.as_bytes(), None, c3.cosigned_at)
        .expect("first");
    let c6 = by_size(6);
    view.update(c6.note.as_bytes(), Some(proof(3, 6)), c6.cosigned_at)
        .expect("3 → 6");
    let c8 = by_size(8);
    view.update(c8.note.as_bytes(), Some(proof(6, 8)), c8.cosigned_at)
        .expect("6 → 8");
    for p in proofs.inclusion.iter().filter(|p| p.tree_size() == 8) {
        let e = view
            .verify_entry(&encoded[usize::try_from(p.leaf_index()).expect("small")], p)
            .expect("included");
        assert_eq!(e.index(), p.leaf_index());
    }
    assert!(view.is_ready(c8.cosigned_at));
}

/// The rule that rejects one negative vector.
fn reject_rule(v: &NegativeFile, policy: &WitnessPolicy) -> String {
    let state = ViewState {
        accepted: v.context.accepted.clone(),
        evidence: None,
    };
    let mut view = LogView::restore(policy.clone(), &state, v.context.now).expect("context");
    let input = &v.input;
    let now = v.context.now;
    match v.operation.as_str() {
        "update" => {
            let note = input.note.as_ref().expect("note");
            let err = view
                .update(note.as_bytes(), input.consistency_proof.as_ref(), now)
                .expect_err("must reject");
            match &err {
                UpdateError::Fork(e) => {
                    assert_eq!(e.verify(policy.log_key()), Ok(EvidenceKind::Fork));
                    assert_eq!(view.evidence(), Some(e.as_ref()), "fork is kept");
                }
                UpdateError::Inconsistent(e) => {
                    assert_eq!(e.verify(policy.log_key()), Ok(EvidenceKind::Inconsistent));
                }
                _ => {}
            }
            err.rule().to_owned()
        }
        "verify_entry" => {
            let entry = hex::decode(input.entry.as_ref().expect("entry")).expect("hex");
            view.verify_entry(&entry, input.inclusion_proof.as_ref().expect("proof"))
                .expect_err("must reject")
                .rule()
                .to_owned()
        }
        "check_named" => view
            .check_named(
                input.size.expect("size"),
                &hash(input.root.as_ref().expect("root")),
                input.consistency_proof.as_ref(),
            )
            .expect_err("must reject")
            .rule()
            .to_owned(),
        "decode_entry" => {
            let entry = hex::decode(input.entry.as_ref().expect("entry")).expect("hex");
            LogEntry::decode(&entry)
                .expect_err("must reject")
                .rule()
                .to_owned()
        }
        other => panic!("unknown operation {other}"),
    }
}

/// Run every stored negative vector; returns how many.
pub(crate) fn check_negative() -> usize {
    let keys: KeysFile = load("log/keys.json");
    let mut names: Vec<String> = std::fs::read_dir(dir().join("log/negative"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf8"))
        .collect();
    names.sort();
    let mut seen = std::collections::BTreeSet::new();
    for name in &names {
        let v: NegativeFile = load(&format!("log/negative/{name}"));
        assert!(seen.insert(v.name.clone()), "duplicate name {}", v.name);
        assert_eq!(reject_rule(&v, &keys.policy), v.rule, "{name} ({})", v.name);
    }
    names.len()
}
