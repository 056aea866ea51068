//! The negative vectors: each one input and the rule that must reject it.

use base64::{engine::general_purpose::STANDARD, Engine};
use netnym_log::*;

use super::build::*;
use super::files::*;

fn neg(
    name: &str,
    rule: &str,
    description: &str,
    operation: &str,
    context: NegativeContext,
    input: NegativeInput,
) -> NegativeFile {
    NegativeFile {
        name: name.to_owned(),
        rule: rule.to_owned(),
        description: description.to_owned(),
        operation: operation.to_owned(),
        context,
        input,
    }
}

/// The honest checkpoint of `size`, as published in checkpoints.json.
fn published(size: u64) -> String {
    let &(_, ts) = CHECKPOINTS
        .iter()
        .find(|(s, _)| *s == size)
        .expect("published size");
    cosign(&honest_log(size), &all_witnesses(), ts)
}

fn accepted(size: u64, now: u64) -> NegativeContext {
    NegativeContext {
        accepted: Some(published(size)),
        now,
    }
}

fn update(note: String, proof: Option<ConsistencyProof>) -> NegativeInput {
    NegativeInput {
        note: Some(note),
        consistency_proof: proof,
        ..NegativeInput::default()
    }
}

/// Flip one bit inside the signature (after the 4-byte key id, at `offset`) of the line whose
/// key name starts with `name`.
fn flip_signature(note: &str, name: &str, offset: usize) -> String {
    let line = note
        .lines()
        .find(|l| l.starts_with(&format!("— {name} ")))
        .expect("signature line");
    let b64 = line.rsplit(' ').next().expect("signature");
    let mut raw = STANDARD.decode(b64).expect("base64");
    raw[4 + offset] ^= 0x01;
    note.replace(b64, &STANDARD.encode(raw))
}

fn stats_bytes(refusals: &[(&str, u64)]) -> Vec<u8> {
    let mut w = vec![1, 6];
    w.extend(2025u16.to_be_bytes());
    w.extend([11, 24]);
    w.extend(1200u64.to_be_bytes());
    w.extend(u16::try_from(refusals.len()).expect("n").to_be_bytes());
    for (code, count) in refusals {
        w.push(u8::try_from(code.len()).expect("len"));
        w.extend(code.as_bytes());
        w.extend(count.to_be_bytes());
    }
    w.extend(2u64.to_be_bytes());
    w.extend(1u64.to_be_bytes());
    w
}

pub(crate) fn negatives() -> Vec<NegativeFile> {
    let full = honest_log(8);
    let forked8 = forked_log(8);
    let proof_6_8 = full.consistency_proof(6, 8).expect("proof");
    let a_and_b = || vec![witness_key(0), witness_key(1)];
    let cp8 = published(8);
    let mut v = Vec::new();

    v.push(neg(
        "forked-log",
        "LOG-016",
        "the view accepted checkpoint 8; the log signs another size-8 checkpoint whose epoch 1 \
         revokes id 42 (a split view for one target), cosigned by witness a: same size, \
         another root",
        "update",
        accepted(8, NOW),
        update(cosign(&forked8, &[witness_key(0)], NOW), None),
    ));
    v.push(neg(
        "rollback",
        "LOG-014",
        "the view accepted checkpoint 8; a mirror serves checkpoint 6 freshly re-cosigned",
        "update",
        accepted(8, NOW),
        update(cosign(&honest_log(6), &a_and_b(), NOW), None),
    ));
    v.push(neg(
        "too-few-cosignatures",
        "LOG-010",
        "checkpoint 8 with only witness a's cosignature (quorum 2)",
        "update",
        accepted(6, NOW),
        update(
            cosign(&full, &[witness_key(0)], NOW),
            Some(proof_6_8.clone()),
        ),
    ));
    let (forged_bytes, proof5) = (
        forged_epoch().encode(),
        full.inclusion_proof(5, 8).expect("p"),
    );
    v.push(neg(
        "entry-not-included",
        "LOG-012",
        "the forged epoch 1 offered with the inclusion proof of the genuine epoch 1 (index 5) in \
         the accepted checkpoint 8",
        "verify_entry",
        accepted(8, NOW),
        NegativeInput {
            entry: Some(hex::encode(forged_bytes)),
            inclusion_proof: Some(proof5),
            ..NegativeInput::default()
        },
    ));
    v.push(neg(
        "stale-checkpoint",
        "LOG-011",
        "checkpoint 8 whose cosignatures are two days old (maximum age one day): a mirror past \
         its maximum age",
        "update",
        accepted(6, NOW),
        update(
            cosign(&full, &a_and_b(), NOW - 2 * DAY),
            Some(proof_6_8.clone()),
        ),
    ));
    v.push(neg(
        "bad-log-signature",
        "LOG-007",
        "checkpoint 8 with one bit of the log signature flipped",
        "update",
        accepted(6, NOW),
        update(flip_signature(&cp8, ORIGIN, 20), Some(proof_6_8.clone())),
    ));
    let untrusted_note = {
        let note = cosign(&full, &[witness_key(0)], NOW);
        let mut w = Witness::new(untrusted_key(), log_key().verifying_key().clone());
        let cosigned = w.cosign(note.as_bytes(), None, NOW).expect("cosign");
        String::from_utf8(cosigned.as_bytes().to_vec()).expect("utf8")
    };
    v.push(neg(
        "untrusted-cosigner",
        "LOG-010",
        "checkpoint 8 cosigned by witness a and by a key outside the policy that uses witness \
         b's name (a different key id): only one trusted cosignature counts",
        "update",
        accepted(6, NOW),
        update(untrusted_note, Some(proof_6_8.clone())),
    ));
    v.push(neg(
        "inconsistent-checkpoint",
        "LOG-015",
        "the forked size-8 checkpoint, cosigned by a and b, with its own 6→8 consistency proof: \
         it does not extend the accepted checkpoint 6",
        "update",
        accepted(6, NOW),
        update(
            cosign(&forked8, &a_and_b(), NOW),
            Some(forked8.consistency_proof(6, 8).expect("proof")),
        ),
    ));
    v.push(neg(
        "named-checkpoint-contradicts-view",
        "LOG-018",
        "a presentation request names size 6 with the forked root; the wallet's view (checkpoint \
         8) has a consistency proof 6→8 that does not connect it",
        "check_named",
        accepted(8, NOW),
        NegativeInput {
            size: Some(6),
            root: Some(b64(&forked_log(6).root_at(6).expect("root"))),
            consistency_proof: Some(proof_6_8.clone()),
            ..NegativeInput::default()
        },
    ));
    let other_key = LogSigningKey::from_seed("other.netnym.example", &seed("log")).expect("key");
    let other = Log::new("other.netnym.example", MemoryStorage::new()).expect("log");
    v.push(neg(
        "wrong-origin",
        "LOG-004",
        "a checkpoint of another log (origin other.netnym.example)",
        "update",
        NegativeContext {
            accepted: None,
            now: NOW,
        },
        update(
            String::from_utf8(
                other
                    .sign_checkpoint(&other_key)
                    .expect("sign")
                    .as_bytes()
                    .to_vec(),
            )
            .expect("utf8"),
            None,
        ),
    ));
    v.push(neg(
        "checkpoint-extension-line",
        "LOG-004",
        "checkpoint 8 with an extension line added after the root",
        "update",
        accepted(6, NOW),
        update(
            cp8.replacen("\n\n", "\nextension\n\n", 1),
            Some(proof_6_8.clone()),
        ),
    ));
    v.push(neg(
        "bad-cosignature",
        "LOG-008",
        "checkpoint 8 whose witness b cosignature has its timestamp changed by one second",
        "update",
        accepted(6, NOW),
        update(
            flip_signature(&cp8, WITNESSES[1], 7),
            Some(proof_6_8.clone()),
        ),
    ));
    v.push(neg(
        "future-cosignatures",
        "LOG-011",
        "checkpoint 8 cosigned one hour ahead of the reader's clock (allowed skew 300 s)",
        "update",
        accepted(6, NOW),
        update(
            cosign(&full, &a_and_b(), NOW + 3600),
            Some(proof_6_8.clone()),
        ),
    ));
    v.push(neg(
        "no-log-signature",
        "LOG-007",
        "checkpoint 8 with its log signature line removed (cosignatures only)",
        "update",
        accepted(6, NOW),
        update(
            cp8.lines()
                .filter(|l| !l.starts_with(&format!("— {ORIGIN} ")))
                .map(|l| format!("{l}\n"))
                .collect(),
            Some(proof_6_8.clone()),
        ),
    ));
    v.push(neg(
        "non-canonical-size",
        "LOG-004",
        "checkpoint 8 with its size written 08",
        "update",
        accepted(6, NOW),
        update(cp8.replacen("\n8\n", "\n08\n", 1), Some(proof_6_8)),
    ));
    v.push(neg(
        "missing-consistency-proof",
        "LOG-015",
        "checkpoint 8 offered to a view at 6 without a consistency proof",
        "update",
        accepted(6, NOW),
        update(cp8, None),
    ));
    v.push(neg(
        "proof-for-another-size",
        "LOG-017",
        "entry 2 with its inclusion proof at size 3, against the accepted checkpoint 8",
        "verify_entry",
        accepted(8, NOW),
        NegativeInput {
            entry: Some(hex::encode(full.entry_bytes(2).expect("entry"))),
            inclusion_proof: Some(full.inclusion_proof(2, 3).expect("proof")),
            ..NegativeInput::default()
        },
    ));
    let retired = entries()[7].0.encode();
    v.push(neg(
        "entry-trailing-byte",
        "LOG-001",
        "the retirement entry with one byte appended",
        "decode_entry",
        NegativeContext::default(),
        NegativeInput {
            entry: Some(hex::encode([retired.as_slice(), &[0]].concat())),
            ..NegativeInput::default()
        },
    ));
    let mut unknown = retired;
    unknown[1] = 0x07;
    v.push(neg(
        "entry-unknown-type",
        "LOG-001",
        "an entry of type 0x07",
        "decode_entry",
        NegativeContext::default(),
        NegativeInput {
            entry: Some(hex::encode(unknown)),
            ..NegativeInput::default()
        },
    ));
    v.push(neg(
        "entry-unsorted-refusals",
        "LOG-002",
        "daily statistics with refusal reasons out of byte order",
        "decode_entry",
        NegativeContext::default(),
        NegativeInput {
            entry: Some(hex::encode(stats_bytes(&[
                ("document-expired", 9),
                ("biometric-mismatch", 4),
            ]))),
            ..NegativeInput::default()
        },
    ));
    v.push(neg(
        "entry-zero-count",
        "LOG-002",
        "daily statistics listing a reason with count 0",
        "decode_entry",
        NegativeContext::default(),
        NegativeInput {
            entry: Some(hex::encode(stats_bytes(&[("document-expired", 0)]))),
            ..NegativeInput::default()
        },
    ));
    let mut empty = vec![1, 1];
    empty.extend([0x27; 32]);
    empty.extend(0u32.to_be_bytes());
    v.push(neg(
        "entry-empty-envelope",
        "LOG-002",
        "an issuer key entry with a zero-length envelope",
        "decode_entry",
        NegativeContext::default(),
        NegativeInput {
            entry: Some(hex::encode(empty)),
            ..NegativeInput::default()
        },
    ));
    v
}
