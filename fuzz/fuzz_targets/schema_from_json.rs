//! `Schema::from_json` on untrusted bytes (a schema definition, also embedded in every issuer
//! public key): never panics; whatever it accepts re-encodes to bytes it accepts again, with
//! the same encoding and the same digest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::Schema;

fuzz_target!(|data: &[u8]| {
    if let Ok(schema) = Schema::from_json(data) {
        let encoded = schema.to_json();
        let again = Schema::from_json(encoded.as_bytes()).expect("own encoding decodes");
        assert!(again.to_json() == encoded, "encoding is not stable");
        assert!(again.digest() == schema.digest(), "digest changed");
    }
});
