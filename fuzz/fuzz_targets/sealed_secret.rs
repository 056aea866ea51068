//! `netnym_store::SealedSecret` (the authority's keys encrypted at rest) on untrusted bytes:
//! `from_json` never panics and whatever it accepts re-encodes to bytes it accepts again, with
//! the same encoding and value. When the blob's Argon2 cost is small (at most 1 MiB x pass in
//! total: the seeds use 8..=64 KiB, 1..=2 passes), it is also opened under the authority's
//! slot name (`netnym_server::authority::AUTHORITY_SECRET_NAME`):
//! - with an empty passphrase: `EmptyPassphrase`;
//! - with a wrong passphrase: `WrongPassphrase`, never plaintext;
//! - with the seeds' passphrase: either the seeds' plaintext (the AEAD tag cannot be forged, so
//!   anything else opening is a bug) or `WrongPassphrase`.
//!
//! Costlier parameters (up to the decoder's own bounds: 4 GiB, 64 passes, 16 lanes) are
//! decoded but not opened, as `wallet_open` never reaches the KDF with parameters other than
//! its seed's: one such open would take minutes and exceed libFuzzer's memory limit, which
//! says nothing about the decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym_fuzz::{SEALED_PASSPHRASE, SEALED_PLAINTEXT};
use netnym_server::authority::AUTHORITY_SECRET_NAME;
use netnym_store::{SealedSecret, SecretError};

/// Largest `m_cost (KiB) * t_cost` opened.
const MAX_OPEN_COST: u64 = 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(sealed) = SealedSecret::from_json(data) else {
        return;
    };
    let encoded = sealed.to_json();
    let again = SealedSecret::from_json(&encoded).expect("own encoding decodes");
    assert!(again == sealed, "decoded value changed");
    assert!(again.to_json() == encoded, "encoding is not stable");
    let kdf = sealed.kdf();
    if u64::from(kdf.m_cost) * u64::from(kdf.t_cost) > MAX_OPEN_COST {
        return;
    }
    assert!(
        matches!(
            sealed.open(b"", AUTHORITY_SECRET_NAME),
            Err(SecretError::EmptyPassphrase)
        ),
        "empty passphrase not refused as such"
    );
    assert!(
        matches!(
            sealed.open(b"fuzzing passphrase 2", AUTHORITY_SECRET_NAME),
            Err(SecretError::WrongPassphrase)
        ),
        "wrong passphrase not refused as such"
    );
    match sealed.open(SEALED_PASSPHRASE, AUTHORITY_SECRET_NAME) {
        Ok(plain) => assert!(plain[..] == SEALED_PLAINTEXT[..], "opened to other bytes"),
        Err(e) => assert!(
            matches!(e, SecretError::WrongPassphrase),
            "accepted blob failed to open: {e}"
        ),
    }
});
