//! `KeyedRangeVerifier::from_json` on untrusted bytes (a platform's keyed range-proof secret,
//! read from its configuration): never panics; whatever it accepts re-encodes to bytes it
//! accepts again with the same encoding, and the public parameters it derives decode as
//! `RangeParams` and are the same after the round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::{KeyedRangeVerifier, RangeParams};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = KeyedRangeVerifier::from_json(data) {
        let encoded = value.to_json();
        let again = KeyedRangeVerifier::from_json(&encoded).expect("own encoding decodes");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
        let public = value.public_params().to_json();
        assert!(
            again.public_params().to_json() == public,
            "public parameters changed"
        );
        let decoded = RangeParams::from_json(&public).expect("derived parameters decode");
        assert!(
            decoded.id() == value.public_params().id(),
            "parameter id changed"
        );
    }
});
