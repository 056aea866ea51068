//! The CLI's issuer file (`netnym verify --issuer FILE`, `netnym wallet add-issuer`, the
//! services' `--issuer`): one issuer public key or a `netnym-issuer-bundle` of issuer keys,
//! range parameters, registry keys and epoch entries. `crates/netnym-cli` is a binary crate,
//! so its `bundle` module is compiled into this target from the source file.
//!
//! Properties: `IssuerBundle::from_json` never panics; whatever it accepts is written by
//! `to_json` as a bundle that it accepts again and writes identically; `verifier()` (building a
//! verifier from the bundle, adding its epochs) never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../crates/netnym-cli/src/bundle.rs"]
mod bundle;

use bundle::IssuerBundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = IssuerBundle::from_json(data) {
        let encoded = b.to_json();
        let again = IssuerBundle::from_json(&encoded).expect("own encoding decodes");
        assert!(again.to_json() == encoded, "encoding is not stable");
        assert!(again.keys.len() == b.keys.len(), "issuer keys changed");
        assert!(again.epochs.len() == b.epochs.len(), "epochs changed");
        let _ = b.verifier();
    }
});
