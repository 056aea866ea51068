//! Writes the seed corpus file of the `wallet_open` target: a wallet created with the
//! target's fixed password, fast (insecure) KDF parameters and a fixed RNG seed, holding the
//! vector issuer key, registry key and range parameters.
//!
//! `cargo run --release --example wallet_seed -- corpus/wallet_open/seed-wallet.nnw`

use netnym_wallet::{KdfParams, Password, Wallet};
use rand::SeedableRng;

fn main() {
    let out = std::env::args().nth(1).expect("usage: wallet_seed OUTPUT");
    let out = std::path::PathBuf::from(out);
    let dir = std::env::temp_dir().join(format!("netnym-wallet-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("seed.nnw");
    let _ = std::fs::remove_file(&path);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7001);
    let password = Password::new("fuzzing password 1".to_owned());
    let (mut wallet, _phrase) = Wallet::create(
        &mut rng,
        &path,
        &password,
        KdfParams::INSECURE_FAST,
        1_764_000_000,
    )
    .expect("create");
    let v = |text: &str, field: &str| -> Vec<u8> {
        let v: serde_json::Value = serde_json::from_str(text).expect("json");
        serde_json::to_vec(&v[field]).expect("json")
    };
    wallet
        .add_issuer_key(&v(netnym_fuzz::KEYS_001, "public_key"))
        .expect("issuer key");
    wallet
        .add_registry_key(&v(netnym_fuzz::PARAMS_002, "registry"))
        .expect("registry key");
    wallet
        .add_range_params(&v(netnym_fuzz::PARAMS_001, "range_params"))
        .expect("range params");
    wallet.save(&mut rng).expect("save");
    Wallet::open(&path, &password).expect("reopens");
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).expect("output directory");
    }
    std::fs::copy(&path, &out).expect("copy");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
