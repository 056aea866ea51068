use super::*;
use crate::fixture::*;
use crate::{CheckpointError, EvidenceKind};

fn witness(i: u8) -> Witness {
    Witness::new(witness_key(i), log_key().verifying_key().clone())
}

#[test]
fn log_020_cosigns_extensions_and_re_cosigns_the_same_checkpoint() {
    let mut w = witness(1);
    let four = log_of(4, false);
    let first = w
        .cosign(
            four.sign_checkpoint(&log_key()).expect("sign").as_bytes(),
            None,
            NOW,
        )
        .expect("first");
    let cos = first
        .check_signatures(
            log_key().verifying_key(),
            &[witness_key(1).verifying_key().clone()],
        )
        .expect("valid");
    assert_eq!(cos[0].timestamp(), NOW);
    let six = log_of(6, false);
    let proof = six.consistency_proof(4, 6).expect("proof");
    let note = six.sign_checkpoint(&log_key()).expect("sign");
    w.cosign(note.as_bytes(), Some(&proof), NOW + 60)
        .expect("extension");
    assert_eq!(w.last().expect("last").checkpoint().size(), 6);
    // Same checkpoint again, with a clock that went backwards: timestamps never decrease.
    let again = w.cosign(note.as_bytes(), None, NOW).expect("re-cosign");
    assert_eq!(w.last_timestamp(), NOW + 60);
    let cos = again
        .check_signatures(
            log_key().verifying_key(),
            &[witness_key(1).verifying_key().clone()],
        )
        .expect("valid");
    assert_eq!(cos[0].timestamp(), NOW + 60);
}

#[test]
fn log_020_refuses_rollback_missing_proof_and_bad_log_signature() {
    let mut w = witness(2);
    let six = log_of(6, false);
    w.cosign(
        six.sign_checkpoint(&log_key()).expect("s").as_bytes(),
        None,
        NOW,
    )
    .expect("first");
    let four = log_of(4, false).sign_checkpoint(&log_key()).expect("s");
    assert_eq!(
        w.cosign(four.as_bytes(), None, NOW),
        Err(WitnessError::Rollback { last: 6, got: 4 })
    );
    let eight = log_of(8, false);
    let note = eight.sign_checkpoint(&log_key()).expect("s");
    assert_eq!(
        w.cosign(note.as_bytes(), None, NOW)
            .expect_err("no proof")
            .rule(),
        "LOG-020"
    );
    let impostor = crate::LogSigningKey::from_seed(ORIGIN, &[5; 32]).expect("key");
    let forged = eight.sign_checkpoint(&impostor).expect("s");
    let proof = eight.consistency_proof(6, 8).expect("proof");
    assert_eq!(
        w.cosign(forged.as_bytes(), Some(&proof), NOW),
        Err(WitnessError::Checkpoint(
            CheckpointError::MissingLogSignature
        ))
    );
    assert_eq!(w.last().expect("unchanged").checkpoint().size(), 6);
}

#[test]
fn log_016_log_020_never_cosigns_both_sides_of_a_fork() {
    let mut w = witness(3);
    let six = log_of(6, false);
    w.cosign(
        six.sign_checkpoint(&log_key()).expect("s").as_bytes(),
        None,
        NOW,
    )
    .expect("first");
    let fork = log_of(6, true).sign_checkpoint(&log_key()).expect("s");
    let Err(WitnessError::Fork(evidence)) = w.cosign(fork.as_bytes(), None, NOW) else {
        panic!("fork not caught");
    };
    assert_eq!(
        evidence.verify(log_key().verifying_key()),
        Ok(EvidenceKind::Fork)
    );
    // A longer branch of the fork fails its consistency proof.
    let mut branch = log_of(6, true);
    branch.append(&entry(6)).expect("append");
    let proof = branch.consistency_proof(6, 7).expect("proof");
    let note = branch.sign_checkpoint(&log_key()).expect("s");
    let Err(WitnessError::Inconsistent(evidence)) = w.cosign(note.as_bytes(), Some(&proof), NOW)
    else {
        panic!("inconsistency not caught");
    };
    assert_eq!(
        evidence.verify(log_key().verifying_key()),
        Ok(EvidenceKind::Inconsistent)
    );
}

#[test]
fn log_020_restore_resumes_from_the_last_cosigned_note() {
    let mut w = witness(1);
    let four = log_of(4, false);
    let note = w
        .cosign(
            four.sign_checkpoint(&log_key()).expect("s").as_bytes(),
            None,
            NOW,
        )
        .expect("first");
    let mut resumed = Witness::restore(
        witness_key(1),
        log_key().verifying_key().clone(),
        note.as_bytes(),
        w.last_timestamp(),
    )
    .expect("restore");
    let older = log_of(3, false).sign_checkpoint(&log_key()).expect("s");
    assert!(matches!(
        resumed.cosign(older.as_bytes(), None, NOW),
        Err(WitnessError::Rollback { last: 4, got: 3 })
    ));
}
