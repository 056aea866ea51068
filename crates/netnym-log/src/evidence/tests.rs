use super::*;
use crate::fixture::*;
use crate::{LogSigningKey, Witness, WitnessError};

fn fork_evidence() -> EquivocationEvidence {
    let mut w = Witness::new(witness_key(1), log_key().verifying_key().clone());
    w.cosign(cosigned(&log_of(5, false), &[], NOW).as_bytes(), None, NOW)
        .expect("first");
    match w.cosign(
        log_of(5, true)
            .sign_checkpoint(&log_key())
            .expect("s")
            .as_bytes(),
        None,
        NOW,
    ) {
        Err(WitnessError::Fork(e)) => *e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn log_019_evidence_round_trips_through_json() {
    let e = fork_evidence();
    let json = e.to_json();
    let back = EquivocationEvidence::from_json(&json).expect("parse");
    assert_eq!(back, e);
    assert_eq!(
        back.verify(log_key().verifying_key()),
        Ok(EvidenceKind::Fork)
    );
    let text = String::from_utf8(json).expect("utf8");
    assert!(text.contains("\"type\": \"netnym-log-equivocation\""));
    assert!(text.contains("\"kind\": \"fork\""));
    for bad in [
        text.replace("netnym-log-equivocation", "other"),
        text.replace("\"version\": 1", "\"version\": 2"),
        text.replace("\"kind\"", "\"extra\": 1, \"kind\""),
    ] {
        assert_eq!(
            EquivocationEvidence::from_json(bad.as_bytes())
                .expect_err("malformed")
                .rule(),
            "LOG-019"
        );
    }
}

#[test]
fn log_019_judging_evidence() {
    let e = fork_evidence();
    // Under another log key, the notes are not the log's.
    let other = LogSigningKey::from_seed(ORIGIN, &[42; 32]).expect("key");
    assert!(matches!(
        e.verify(other.verifying_key()),
        Err(EvidenceError::Signature(_))
    ));
    // Two identical checkpoints are no fork.
    let same = EquivocationEvidence::fork(e.first().clone(), e.first().clone());
    assert_eq!(
        same.verify(log_key().verifying_key()),
        Err(EvidenceError::NotConflicting)
    );
    // An "inconsistent" claim with a proof that in fact verifies is refuted.
    let six = log_of(6, false);
    let four = cosigned(&log_of(4, false), &[], NOW);
    let good = six.consistency_proof(4, 6).expect("proof");
    let claim = EquivocationEvidence::inconsistent(four, cosigned(&six, &[], NOW), good.clone());
    assert_eq!(
        claim.verify(log_key().verifying_key()),
        Err(EvidenceError::NotConflicting)
    );
    assert!(claim.is_refuted_by(&good));
    assert!(!e.is_refuted_by(&good), "a fork is never refuted");
}
