//! `RevocationAuthority::from_json` on untrusted bytes (the registry secret key, unsealed from
//! the authority's store): never panics; whatever it accepts re-encodes to bytes it accepts
//! again with the same encoding and the same registry public key, which decodes as
//! `RegistryPublicKey`. (`genesis()` is not called: it costs one multiplication per id of a
//! domain of up to 2^24.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::{RegistryPublicKey, RevocationAuthority};

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = RevocationAuthority::from_json(data) {
        let encoded = value.to_json();
        let again = RevocationAuthority::from_json(&encoded).expect("own encoding decodes");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
        let public = value.public_key().to_json();
        assert!(again.public_key().to_json() == public, "public key changed");
        let decoded = RegistryPublicKey::from_json(&public).expect("derived key decodes");
        assert!(
            decoded.id() == value.public_key().id(),
            "registry id changed"
        );
    }
});
