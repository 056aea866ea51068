//! `IssuanceResponse::from_json` on untrusted bytes (the authority's reply to a blind issuance
//! request, read by the wallet), against the fixed issuer key of
//! test-vectors/netnym-v1/keys/001.json: never panics; whatever it accepts re-encodes stably
//! with the same clear attributes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::{IssuanceResponse, IssuerPublicKey};

static KEY: OnceLock<IssuerPublicKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let pk = KEY.get_or_init(netnym_fuzz::issuer_key);
    if let Ok(response) = IssuanceResponse::from_json(data, pk) {
        let encoded = response.to_json();
        let again = IssuanceResponse::from_json(&encoded, pk).expect("own encoding decodes");
        assert!(
            again.attributes().to_json() == response.attributes().to_json(),
            "attributes changed"
        );
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
    }
});
