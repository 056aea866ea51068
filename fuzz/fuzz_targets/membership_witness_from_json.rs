//! `MembershipWitness::from_json` on untrusted bytes, against the fixed registry key of
//! test-vectors/netnym-v1/params/002.json (seed 5002): never panics; whatever it accepts
//! re-encodes stably.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::{MembershipWitness, RegistryPublicKey};

static REGISTRY: OnceLock<RegistryPublicKey> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let registry = REGISTRY.get_or_init(netnym_fuzz::registry_key);
    if let Ok(witness) = MembershipWitness::from_json(data, registry) {
        let encoded = witness.to_json();
        let again = MembershipWitness::from_json(&encoded, registry).expect("own encoding decodes");
        assert!(again.to_json() == encoded, "encoding is not stable");
    }
});
