use super::*;
use crate::fixture::*;
use crate::{Log, MemoryStorage, TreeHash, EMPTY_ROOT};

fn text(size: &str, extra: &str) -> Vec<u8> {
    format!(
        "{ORIGIN}\n{size}\n{}\n{extra}",
        TreeHash::from_bytes([3; 32])
    )
    .into_bytes()
}

#[test]
fn log_004_checkpoint_text_is_strict_and_canonical() {
    let cp = Checkpoint::parse(&text("12", "")).expect("valid");
    assert_eq!((cp.origin(), cp.size()), (ORIGIN, 12));
    assert_eq!(cp.to_text().as_bytes(), text("12", ""));
    for (bad, why) in [
        (text("012", ""), "leading zero"),
        (text("+12", ""), "sign"),
        (text("12", "extension\n"), "extension line"),
        (text("12", "\n"), "empty line"),
        (text("18446744073709551616", ""), "overflow"),
        (b"log.test.example\n12\n".to_vec(), "no root"),
        (
            text("12", "")[..text("12", "").len() - 1].to_vec(),
            "no final newline",
        ),
        (
            format!("{ORIGIN}\n12\n{}\n", "A".repeat(43)).into_bytes(),
            "root not canonical base64",
        ),
        (
            format!("bad origin\n1\n{}\n", TreeHash::from_bytes([3; 32])).into_bytes(),
            "space in origin",
        ),
        (
            format!("{ORIGIN}\n0\n{}\n", TreeHash::from_bytes([3; 32])).into_bytes(),
            "size 0 with another root",
        ),
    ] {
        let e = Checkpoint::parse(&bad).expect_err(why);
        assert_eq!(e.rule(), "LOG-004", "{why}");
    }
    assert!(Checkpoint::new(ORIGIN, 0, EMPTY_ROOT).is_ok());
}

#[test]
fn log_005_signed_note_syntax() {
    let good = cosigned(&log_of(3, false), &[1], NOW);
    assert_eq!(
        SignedCheckpoint::parse(good.as_bytes()).expect("parses"),
        good
    );
    let bytes = good.as_bytes();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (bytes[..bytes.len() - 1].to_vec(), "no final newline"),
        (
            good.checkpoint().to_text().into_bytes(),
            "no signature block",
        ),
        (
            [good.checkpoint().to_text().as_bytes(), b"\n"].concat(),
            "empty signature block",
        ),
        ([b"\x01".as_slice(), bytes].concat(), "control character"),
        (vec![b'a'; MAX_NOTE_BYTES + 1], "too large"),
        (
            String::from_utf8_lossy(bytes)
                .replacen("— ", "- ", 1)
                .into_bytes(),
            "not an em dash",
        ),
    ];
    for (bad, why) in cases {
        let e = SignedCheckpoint::parse(&bad).expect_err(why);
        assert_eq!(e.rule(), "LOG-005", "{why}: {e}");
    }
    // A well-formed note whose body is not a checkpoint.
    let mut note = Note::new(b"hello\n", &[]).expect("text");
    note.add_sigs(&[&LogSigner(&log_key())]).expect("sign");
    assert_eq!(
        SignedCheckpoint::parse(&note.to_bytes())
            .expect_err("not a checkpoint")
            .rule(),
        "LOG-004"
    );
}

#[test]
fn log_010_quorum_of_distinct_trusted_witnesses() {
    let log = log_of(3, false);
    let v = cosigned(&log, &[1, 3], NOW)
        .verify(&policy(), NOW)
        .expect("2 of 3");
    let names: Vec<&str> = v.cosignatures().iter().map(Cosignature::witness).collect();
    assert_eq!(names, ["w1.test.example", "w3.test.example"]);
    assert_eq!(
        cosigned(&log, &[2], NOW).verify(&policy(), NOW),
        Err(CheckpointError::TooFewCosignatures { have: 1, need: 2 })
    );
    // The same witness twice counts once (the second replaces the first).
    assert_eq!(
        cosigned(&log, &[2, 2], NOW).verify(&policy(), NOW),
        Err(CheckpointError::TooFewCosignatures { have: 1, need: 2 })
    );
    // A witness outside the policy does not count, even under a trusted witness's name.
    let stranger = WitnessSigningKey::from_seed("w2.test.example", &[99; 32]).expect("key");
    let note = cosigned(&log, &[1], NOW)
        .add_cosignature(&stranger, NOW)
        .expect("cosign");
    assert_eq!(
        note.verify(&policy(), NOW).expect_err("untrusted").rule(),
        "LOG-010"
    );
}

#[test]
fn log_007_log_signature_is_required_and_must_verify() {
    let log = log_of(3, false);
    let signed = cosigned(&log, &[1, 2], NOW);
    // Flip one bit of the log signature (the first signature line).
    let text = String::from_utf8(signed.as_bytes().to_vec()).expect("utf8");
    let line = text
        .lines()
        .find(|l| l.starts_with("— log."))
        .expect("log line");
    let b64 = line.rsplit(' ').next().expect("sig");
    let mut raw =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).expect("b64");
    raw[10] ^= 1;
    let bad = text.replace(
        b64,
        &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw),
    );
    let parsed = SignedCheckpoint::parse(bad.as_bytes()).expect("syntax ok");
    assert_eq!(
        parsed.verify(&policy(), NOW),
        Err(CheckpointError::BadLogSignature)
    );
    // Signed by another log key of the same name: unknown key id, so no log signature.
    let other = LogSigningKey::from_seed(ORIGIN, &[2; 32]).expect("key");
    let forged = log.sign_checkpoint(&other).expect("sign");
    let forged = forged
        .add_cosignature(&witness_key(1), NOW)
        .and_then(|f| f.add_cosignature(&witness_key(2), NOW))
        .expect("cosign");
    assert_eq!(
        forged.verify(&policy(), NOW),
        Err(CheckpointError::MissingLogSignature)
    );
    // Another origin.
    let elsewhere = Log::new("other.example", MemoryStorage::new()).expect("log");
    let key = LogSigningKey::from_seed("other.example", &[1; 32]).expect("key");
    let note = elsewhere.sign_checkpoint(&key).expect("sign");
    assert_eq!(
        note.verify(&policy(), NOW).expect_err("origin").rule(),
        "LOG-004"
    );
}

#[test]
fn log_008_a_bad_cosignature_by_a_trusted_witness_rejects_the_note() {
    let signed = cosigned(&log_of(3, false), &[1, 2], NOW);
    let text = String::from_utf8(signed.as_bytes().to_vec()).expect("utf8");
    let line = text.lines().find(|l| l.starts_with("— w2.")).expect("w2");
    let b64 = line.rsplit(' ').next().expect("sig");
    let mut raw =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).expect("b64");
    raw[4 + 7] ^= 1; // the timestamp's last byte: the signature no longer matches
    let bad = text.replace(
        b64,
        &base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw),
    );
    assert_eq!(
        SignedCheckpoint::parse(bad.as_bytes())
            .expect("syntax")
            .verify(&policy(), NOW),
        Err(CheckpointError::BadCosignature {
            witness: "w2.test.example".to_owned()
        })
    );
}

#[test]
fn log_011_freshness_window_and_deadline() {
    let log = log_of(3, false);
    let p = policy();
    // Cosigned a day ago exactly: still fresh; one second more: stale.
    let old = cosigned(&log, &[1, 2], NOW - DAY);
    assert_eq!(old.verify(&p, NOW).expect("fresh").fresh_until(), NOW);
    assert_eq!(
        old.verify(&p, NOW + 1),
        Err(CheckpointError::NotFresh { fresh: 0, need: 2 })
    );
    // One fresh and one stale cosignature is not a fresh quorum.
    let mixed = log
        .sign_checkpoint(&log_key())
        .and_then(|s| Ok(s.add_cosignature(&witness_key(1), NOW - 2 * DAY)?))
        .and_then(|s| Ok(s.add_cosignature(&witness_key(2), NOW)?))
        .expect("cosign");
    assert_eq!(
        mixed.verify(&p, NOW),
        Err(CheckpointError::NotFresh { fresh: 1, need: 2 })
    );
    // The deadline is the k-th newest timestamp plus the maximum age.
    let three = log
        .sign_checkpoint(&log_key())
        .and_then(|s| Ok(s.add_cosignature(&witness_key(1), NOW - 100)?))
        .and_then(|s| Ok(s.add_cosignature(&witness_key(2), NOW - 50)?))
        .and_then(|s| Ok(s.add_cosignature(&witness_key(3), NOW - 300)?))
        .expect("cosign");
    let v = three.verify(&p, NOW).expect("fresh");
    assert_eq!(v.fresh_until(), NOW - 100 + DAY);
    assert!(v.is_fresh(NOW - 100 + DAY) && !v.is_fresh(NOW - 99 + DAY));
    // Timestamps further ahead than the allowed clock skew do not count.
    let ahead = cosigned(&log, &[1, 2], NOW + MAX_CLOCK_SKEW + 1);
    assert_eq!(ahead.verify(&p, NOW).expect_err("future").rule(), "LOG-011");
    assert!(cosigned(&log, &[1, 2], NOW + MAX_CLOCK_SKEW)
        .verify(&p, NOW)
        .is_ok());
}

mod tamper {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any one-byte change to a cosigned note is rejected, or (a change the note syntax
        /// absorbs, none known) still yields exactly the original checkpoint: tampering never
        /// produces another accepted checkpoint, and never panics.
        #[test]
        fn log_007_log_008_tampered_notes_never_verify_as_another_checkpoint(
            pos in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let good = cosigned(&log_of(5, false), &[1, 2], NOW);
            let mut bytes = good.as_bytes().to_vec();
            let i = pos.index(bytes.len());
            prop_assume!(bytes[i] != byte);
            bytes[i] = byte;
            if let Ok(v) = SignedCheckpoint::parse(&bytes).and_then(|s| s.verify(&policy(), NOW)) {
                prop_assert_eq!(v.checkpoint(), good.checkpoint());
            }
        }
    }
}
