use base64::{engine::general_purpose::STANDARD, Engine};
use signed_note::Note;

use super::*;
use crate::keys::{key_id, TYPE_COSIGNATURE_V1};

// From Go's golang.org/x/mod/sumdb/note (note_test.go, example_test.go), also in signed_note's
// own tests: the PeterNeumann key pair and its signed note.
const PETER_SKEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n";
const PETER_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
                          then you don't know what your problem is.\n\
                          \n\
                          — PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn peter_signing_key() -> LogSigningKey {
    let b64 = PETER_SKEY.splitn(5, '+').nth(4).expect("key");
    let typed = STANDARD.decode(b64).expect("base64");
    assert_eq!(typed[0], 0x01);
    let seed: [u8; 32] = typed[1..].try_into().expect("32 bytes");
    LogSigningKey::from_seed("PeterNeumann", &seed).expect("name")
}

#[test]
fn log_006_log_007_go_note_vector_signs_and_verifies() {
    let key = peter_signing_key();
    let vkey = LogVerifyingKey::from_vkey(PETER_VKEY).expect("vkey");
    assert_eq!(key.verifying_key(), &vkey);
    assert_eq!(vkey.key_id(), 0xc74f_20a3);
    assert_eq!(vkey.to_vkey(), PETER_VKEY);
    // Ed25519 is deterministic: our signer reproduces Go's note byte for byte.
    let mut note = Note::new(PETER_TEXT.as_bytes(), &[]).expect("text");
    note.add_sigs(&[&LogSigner(&key)]).expect("sign");
    assert_eq!(note.to_bytes(), PETER_NOTE.as_bytes());
    // And our verifier accepts Go's note.
    let parsed = Note::from_bytes(PETER_NOTE.as_bytes()).expect("note");
    let (verified, unknown) = parsed
        .verify(&KnownKeys::new(Some(&vkey), &[]))
        .expect("verifies");
    assert_eq!((verified.len(), unknown.len()), (1, 0));
}

// A signed tree head published by sum.golang.org (quoted in the Go module ecosystem's tests),
// verified with the Go checksum database's well-known verifier key.
const SUMDB_VKEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
const SUMDB_NOTE: &str = "go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/C8DJ87F61QqspBYwM=\n";

#[test]
fn log_007_published_sumdb_checkpoint_verifies() {
    let vkey = LogVerifyingKey::from_vkey(SUMDB_VKEY).expect("vkey");
    let note = Note::from_bytes(SUMDB_NOTE.as_bytes()).expect("note");
    note.verify(&KnownKeys::new(Some(&vkey), &[]))
        .expect("the published signature verifies");
    let checkpoint = tlog_tiles::Checkpoint::from_bytes(note.text()).expect("checkpoint");
    assert_eq!(checkpoint.size(), 31_700_353);
    // One changed bit of the root and it fails.
    let tampered = SUMDB_NOTE.replace("qINS1", "qINS2");
    let note = Note::from_bytes(tampered.as_bytes()).expect("note");
    assert!(note.verify(&KnownKeys::new(Some(&vkey), &[])).is_err());
}

// From C2SP tlog-cosignature.md (C2SP/C2SP@01194db1): the example cosigned checkpoint and the
// message a v1 cosignature signs.
const C2SP_TEXT: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const C2SP_WITNESS_LINE: &str = "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==";
const C2SP_MESSAGE: &str = "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn log_008_c2sp_cosignature_example_layout() {
    let sig = signed_note::Signature::from_bytes(C2SP_WITNESS_LINE.as_bytes()).expect("line");
    assert_eq!(sig.name(), "witness.example.com/w1");
    assert_eq!(
        sig.signature().len(),
        72,
        "8-byte timestamp ‖ 64-byte signature"
    );
    assert_eq!(cosignature_timestamp(sig.signature()), Some(1_679_315_147));
    assert_eq!(
        cosignature_message(1_679_315_147, C2SP_TEXT.as_bytes()),
        C2SP_MESSAGE.as_bytes()
    );
}

#[test]
fn log_008_cosignature_signs_the_spec_message_with_the_0x04_key_id() {
    let key = WitnessSigningKey::from_seed("w.example", &[4; 32]).expect("key");
    let vk = key.verifying_key().clone();
    assert_eq!(
        vk.key_id(),
        key_id("w.example", TYPE_COSIGNATURE_V1, vk.public_bytes())
    );
    let ts = 1_679_315_147;
    let sig = Cosigner {
        key: &key,
        timestamp: ts,
    }
    .sign(C2SP_TEXT.as_bytes())
    .expect("sign");
    assert_eq!(sig[..8], ts.to_be_bytes());
    // A plain Ed25519 check over the literal spec message, independent of this module.
    let raw = ed25519_dalek::Signature::from_bytes(&sig[8..].try_into().expect("64"));
    ed25519_dalek::VerifyingKey::from_bytes(vk.public_bytes())
        .expect("key")
        .verify_strict(C2SP_MESSAGE.as_bytes(), &raw)
        .expect("signs cosignature/v1 ‖ time ‖ text");
    let verifier = CosignatureVerifier(vk);
    assert!(verifier.verify(C2SP_TEXT.as_bytes(), &sig));
    // Another timestamp in the prefix breaks it; so does a timestamp above 2^63 − 1.
    let mut moved = sig.clone();
    moved[7] ^= 1;
    assert!(!verifier.verify(C2SP_TEXT.as_bytes(), &moved));
    let mut huge = sig;
    huge[0] = 0x80;
    assert_eq!(cosignature_timestamp(&huge), None);
    assert!(!verifier.verify(C2SP_TEXT.as_bytes(), &huge));
    assert!(Cosigner {
        key: &key,
        timestamp: MAX_COSIGNATURE_TIMESTAMP + 1
    }
    .sign(b"x\n")
    .is_err());
}
