//! `Credential::from_json` on untrusted bytes (a wallet's stored credential), against the
//! fixed issuer key of test-vectors/netnym-v1/keys/001.json: never panics; whatever it
//! accepts re-encodes stably.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::{Credential, IssuerPublicKey};

static KEY: OnceLock<IssuerPublicKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let pk = KEY.get_or_init(netnym_fuzz::issuer_key);
    if let Ok(credential) = Credential::from_json(data, pk) {
        let encoded = credential.to_json();
        let again = Credential::from_json(&encoded, pk).expect("own encoding decodes");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
    }
});
