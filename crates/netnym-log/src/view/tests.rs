use super::*;
use crate::fixture::*;
use crate::{CheckpointError, EvidenceKind, Log, MemoryStorage};

fn view_at(size: u64) -> (LogView, Log<MemoryStorage>) {
    let log = log_of(size, false);
    let mut view = LogView::new(policy());
    assert_eq!(
        view.update(cosigned(&log, &[1, 2], NOW).as_bytes(), None, NOW),
        Ok(ViewUpdate::First { size })
    );
    (view, log)
}

#[test]
fn log_015_extends_with_a_consistency_proof() {
    let (mut view, _) = view_at(4);
    let log = log_of(6, false);
    let proof = log.consistency_proof(4, 6).expect("proof");
    let note = cosigned(&log, &[2, 3], NOW + 10);
    assert_eq!(
        view.update(note.as_bytes(), Some(&proof), NOW + 10),
        Ok(ViewUpdate::Extended { from: 4, to: 6 })
    );
    assert_eq!(view.accepted().expect("accepted").checkpoint().size(), 6);
    assert!(view.is_ready(NOW + 10));
}

#[test]
fn log_015_proof_must_be_present_exactly_when_needed() {
    let (mut view, _) = view_at(4);
    let log = log_of(6, false);
    let note = cosigned(&log, &[1, 2], NOW);
    assert_eq!(
        view.update(note.as_bytes(), None, NOW),
        Err(UpdateError::ProofShape {
            accepted: 4,
            got: 6
        })
    );
    let wrong_sizes = log.consistency_proof(3, 6).expect("proof");
    assert_eq!(
        view.update(note.as_bytes(), Some(&wrong_sizes), NOW)
            .expect_err("sizes")
            .rule(),
        "LOG-015"
    );
    // Same size: no proof.
    let same = cosigned(&log_of(4, false), &[1, 3], NOW);
    let p = log.consistency_proof(4, 4).expect("empty proof");
    assert!(view.update(same.as_bytes(), Some(&p), NOW).is_err());
    assert_eq!(
        view.update(same.as_bytes(), None, NOW),
        Ok(ViewUpdate::Refreshed { size: 4 })
    );
}

#[test]
fn log_015_a_failing_consistency_proof_is_kept_as_evidence() {
    let (mut view, _) = view_at(4);
    // A log whose 4th entry differs, grown to 6: signed, cosigned, but not an extension.
    let forked = log_of(4, true);
    let mut grown = forked;
    for i in 4..6 {
        grown.append(&entry(i)).expect("append");
    }
    let proof = grown.consistency_proof(4, 6).expect("proof");
    let note = cosigned(&grown, &[1, 2], NOW);
    let err = view
        .update(note.as_bytes(), Some(&proof), NOW)
        .expect_err("inconsistent");
    let UpdateError::Inconsistent(evidence) = err else {
        panic!("expected Inconsistent, got {err:?}");
    };
    assert_eq!(
        evidence.verify(policy().log_key()),
        Ok(EvidenceKind::Inconsistent)
    );
    // Not conclusive on its own, so the view is not poisoned.
    assert!(view.evidence().is_none());
    assert_eq!(view.accepted().expect("kept").checkpoint().size(), 4);
}

#[test]
fn log_014_rollback_is_refused() {
    let (mut view, log) = view_at(6);
    let _ = log;
    let older = cosigned(&log_of(4, false), &[1, 2], NOW + 5);
    assert_eq!(
        view.update(older.as_bytes(), None, NOW + 5),
        Err(UpdateError::Rollback {
            accepted: 6,
            got: 4
        })
    );
}

#[test]
fn log_016_fork_is_recorded_and_poisons_the_view() {
    let (mut view, log) = view_at(6);
    // Same size, other root, signed by the log; one cosignature is enough to be caught.
    let fork = cosigned(&log_of(6, true), &[3], NOW);
    let err = view.update(fork.as_bytes(), None, NOW).expect_err("fork");
    assert_eq!(err.rule(), "LOG-016");
    let evidence = view.evidence().expect("kept").clone();
    assert_eq!(evidence.kind(), EvidenceKind::Fork);
    assert_eq!(evidence.verify(policy().log_key()), Ok(EvidenceKind::Fork));
    // Everything is refused afterwards, and the view is not ready.
    let again = cosigned(&log, &[1, 2], NOW);
    assert_eq!(
        view.update(again.as_bytes(), None, NOW),
        Err(UpdateError::Equivocated)
    );
    let proof = log.inclusion_proof(0, 6).expect("proof");
    assert_eq!(
        view.verify_entry(&log.entry_bytes(0).expect("entry"), &proof),
        Err(EntryError::Equivocated)
    );
    assert!(!view.is_ready(NOW));
    // The evidence survives persistence.
    let restored = LogView::restore(policy(), &view.state(), NOW).expect("restore");
    assert_eq!(restored.evidence(), Some(&evidence));
}

#[test]
fn log_010_log_011_update_enforces_quorum_and_freshness() {
    let (mut view, _) = view_at(4);
    let log = log_of(6, false);
    let proof = log.consistency_proof(4, 6).expect("proof");
    let one = cosigned(&log, &[1], NOW);
    assert_eq!(
        view.update(one.as_bytes(), Some(&proof), NOW),
        Err(UpdateError::Checkpoint(
            CheckpointError::TooFewCosignatures { have: 1, need: 2 }
        ))
    );
    let stale = cosigned(&log, &[1, 2], NOW - 2 * DAY);
    assert_eq!(
        view.update(stale.as_bytes(), Some(&proof), NOW)
            .expect_err("stale")
            .rule(),
        "LOG-011"
    );
    assert_eq!(view.accepted().expect("kept").checkpoint().size(), 4);
}

#[test]
fn log_022_readiness_follows_the_freshest_quorum() {
    let (mut view, log) = view_at(4);
    assert!(view.is_ready(NOW + DAY));
    assert!(!view.is_ready(NOW + DAY + 1));
    // Witnesses re-cosign the unchanged checkpoint later: the view becomes fresh again.
    let later = cosigned(&log, &[1, 3], NOW + DAY);
    assert_eq!(
        view.update(later.as_bytes(), None, NOW + DAY),
        Ok(ViewUpdate::Refreshed { size: 4 })
    );
    assert!(view.is_ready(NOW + 2 * DAY));
    // An older re-cosignature does not replace it.
    let earlier = cosigned(&log, &[2, 3], NOW + 10);
    view.update(earlier.as_bytes(), None, NOW + DAY)
        .expect("refresh");
    assert!(view.is_ready(NOW + 2 * DAY));
    assert!(!LogView::new(policy()).is_ready(NOW));
}

#[test]
fn log_017_entries_need_an_inclusion_proof_in_the_accepted_checkpoint() {
    let (view, log) = view_at(6);
    for i in 0..6 {
        let proof = log.inclusion_proof(i, 6).expect("proof");
        let accepted = view
            .verify_entry(&log.entry_bytes(i).expect("entry"), &proof)
            .expect("included");
        assert_eq!((accepted.index(), accepted.tree_size()), (i, 6));
        assert_eq!(accepted.into_entry(), entry(i));
    }
    // Another entry with a genuine proof for index 2.
    let proof = log.inclusion_proof(2, 6).expect("proof");
    assert_eq!(
        view.verify_entry(&entry(99).encode(), &proof),
        Err(EntryError::Proof(crate::InclusionProofError::Mismatch))
    );
    // A proof for an older tree size.
    let old = log.inclusion_proof(2, 5).expect("proof");
    assert_eq!(
        view.verify_entry(&log.entry_bytes(2).expect("entry"), &old),
        Err(EntryError::WrongTreeSize {
            proof: 5,
            accepted: 6
        })
    );
    // Bytes that are not an entry.
    assert_eq!(
        view.verify_entry(b"\x02", &proof)
            .expect_err("decode")
            .rule(),
        "LOG-001"
    );
    assert_eq!(
        LogView::new(policy()).verify_entry(b"", &proof),
        Err(EntryError::NoCheckpoint)
    );
}

#[test]
fn log_018_named_checkpoints_must_agree_with_the_view() {
    let (view, log) = view_at(6);
    let root = |n| log.root_at(n).expect("root");
    assert_eq!(view.check_named(6, &root(6), None), Ok(()));
    let proof = log.consistency_proof(4, 6).expect("proof");
    assert_eq!(view.check_named(4, &root(4), Some(&proof)), Ok(()));
    assert_eq!(view.check_named(0, &EMPTY_ROOT, None), Ok(()));
    assert_eq!(
        view.check_named(6, &root(5), None),
        Err(NamedCheckpointError::Contradicts)
    );
    let forked = log_of(4, true);
    assert_eq!(
        view.check_named(4, &forked.root_at(4).expect("root"), Some(&proof)),
        Err(NamedCheckpointError::Contradicts)
    );
    assert_eq!(
        view.check_named(4, &root(4), None),
        Err(NamedCheckpointError::ProofShape {
            named: 4,
            accepted: 6
        })
    );
    assert_eq!(
        view.check_named(7, &root(6), None),
        Err(NamedCheckpointError::Ahead {
            named: 7,
            accepted: 6
        })
    );
}

#[test]
fn log_022_state_round_trips_and_restore_rechecks() {
    let (view, _) = view_at(4);
    let state = view.state();
    let json = serde_json::to_string(&state).expect("json");
    let back: ViewState = serde_json::from_str(&json).expect("parse");
    let restored = LogView::restore(policy(), &back, NOW + 3 * DAY).expect("restore");
    assert_eq!(restored.accepted().map(|a| a.checkpoint().size()), Some(4));
    assert!(!restored.is_ready(NOW + 3 * DAY), "restored stale");
    // Under a policy that does not trust those witnesses, the note no longer counts.
    let strict = WitnessPolicy::new(
        log_key().verifying_key().clone(),
        vec![witness_key(3).verifying_key().clone()],
        1,
        DAY,
    )
    .expect("policy");
    assert_eq!(
        LogView::restore(strict, &state, NOW)
            .expect_err("untrusted")
            .rule(),
        "LOG-010"
    );
}
