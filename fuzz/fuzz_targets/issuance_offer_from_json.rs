//! `IssuanceOffer` on untrusted bytes (the authority's offer, read by the wallet): never
//! panics; whatever it accepts re-encodes to bytes it accepts again, with the same encoding and
//! the same key id and nonce.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::IssuanceOffer;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = IssuanceOffer::from_json(data) {
        let encoded = value.to_json();
        let again = IssuanceOffer::from_json(&encoded).expect("own encoding decodes");
        assert!(again == value, "decoded value changed");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
    }
});
