//! `netnym_wallet::Wallet::open` on an untrusted wallet file with a fixed password: never
//! panics. The bytes are written to a per-process temporary file and opened read-only.
//!
//! Reach: the header (magic, version, checksum, algorithm ids, KDF bounds, lengths) is fully
//! exercised; past the header checksum a mutation must also keep the key check and the AEAD
//! tag valid, which the fuzzer cannot forge, so the decrypted contents decoder is reached
//! only by the unmodified seed (its decoders have their own targets).
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym_wallet::{Password, Wallet};

/// The password of the seed wallet (fuzz/examples/wallet_seed.rs).
pub const PASSWORD: &str = "fuzzing password 1";

static PATH: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let path = PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("netnym-fuzz-wallet-{}.nnw", std::process::id()))
    });
    std::fs::write(path, data).expect("temporary file");
    let _ = Wallet::open(path, &Password::new(PASSWORD.to_owned()));
});
