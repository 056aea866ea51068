//! A verifier's policy file (`netnym_server::Policy`, JSON or TOML) on untrusted bytes.
//!
//! Input: one selector byte (even: JSON, odd: TOML, as `Policy::from_file` picks by the file
//! extension), then the file text (non-UTF-8 text is refused by `from_file` before parsing, so
//! it is skipped here). Properties:
//! - neither `Policy::parse` nor `Policy::validate` (against the issuer keys of
//!   test-vectors/netnym-v1/keys/001.json and 002.json) panics;
//! - a validated policy makes a presentation request (`LoadedPolicy::request`, with a
//!   non-revocation window and range parameters as the verifier service passes them), which
//!   the validation promises;
//! - a validated policy's JSON form (served as `GET /v1/policy`) parses back to the same
//!   policy, less its `[oidc]` section, which that route never shows (client secret hashes).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::{IssuerPublicKey, KeyId, RangeParams};
use netnym_server::Policy;
use rand::SeedableRng;

struct Trusted {
    keys: Vec<IssuerPublicKey>,
    registry: KeyId,
    range_params: KeyId,
}

static TRUSTED: OnceLock<Trusted> = OnceLock::new();

fn trusted() -> Trusted {
    let range = netnym_fuzz::field(netnym_fuzz::PARAMS_001, "range_params");
    Trusted {
        keys: netnym_fuzz::issuer_keys(),
        registry: netnym_fuzz::registry_key().id(),
        range_params: RangeParams::from_json(&range).expect("params/001").id(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let Ok(policy) = Policy::parse(text, selector % 2 == 1) else {
        return;
    };
    let t = TRUSTED.get_or_init(trusted);
    let Ok(loaded) = policy.clone().validate(&t.keys) else {
        return;
    };
    assert!(loaded.policy() == &policy, "validation changed the policy");
    let latest = 1;
    let window = policy.non_revoked.then(|| {
        let span = policy.accepted_epochs - 1;
        (t.registry, latest - span.min(latest), latest)
    });
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    let now = netnym_store::unix_now();
    if let Err(e) = loaded.request(&mut rng, now, window, Some(t.range_params)) {
        panic!("a validated policy cannot make a request: {e}");
    }
    let json = serde_json::to_string(&policy).expect("policy serializes");
    let back = Policy::parse(&json, false).expect("own JSON form parses");
    let shown = Policy {
        oidc: None,
        ..policy
    };
    assert!(back == shown, "JSON round trip changed the policy");
});
