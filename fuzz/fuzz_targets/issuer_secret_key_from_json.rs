//! `IssuerSecretKey::from_json` on untrusted bytes (the authority's key, unsealed from its
//! store): never panics; whatever it accepts re-encodes to bytes it accepts again with the same
//! encoding, and gives the same public key (for `cn-network-id/v1`) before and after.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::{IssuerPublicKey, IssuerSecretKey, Schema};

static SCHEMA: OnceLock<Schema> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let schema = SCHEMA.get_or_init(Schema::cn_network_id_v1);
    if let Ok(sk) = IssuerSecretKey::from_json(data) {
        let encoded = sk.to_json();
        let again = IssuerSecretKey::from_json(&encoded).expect("own encoding decodes");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
        let pk = IssuerPublicKey::from_secret(&sk, schema);
        assert!(
            IssuerPublicKey::from_secret(&again, schema).key_id() == pk.key_id(),
            "public key changed"
        );
        let public = IssuerPublicKey::from_json(&pk.to_json()).expect("derived key decodes");
        assert!(public.key_id() == pk.key_id(), "derived key id changed");
    }
});
