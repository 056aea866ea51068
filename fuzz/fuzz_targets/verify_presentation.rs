//! Parse + verify untrusted presentation bytes against fixed requests and verifiers.
//!
//! Input: one selector byte choosing the context (presentation vector 001..=010, see
//! `netnym_fuzz::contexts`), then the presentation bytes. Properties:
//! - neither `ParsedPresentation::from_json` nor `Verifier::verify` panics;
//! - the fast (batched) verifier and the reference verifier agree;
//! - anything that verifies carries exactly the claims of the original presentation (same
//!   verifier id, issuer key, schema, disclosed values and pseudonym): a mutation is accepted
//!   only as an equivalent re-encoding, never with other claims.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use netnym::ParsedPresentation;
use netnym_fuzz::Context;

static CONTEXTS: OnceLock<Vec<Context>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let contexts = CONTEXTS.get_or_init(netnym_fuzz::contexts);
    let ctx = &contexts[usize::from(selector) % contexts.len()];
    let Ok(parsed) = ParsedPresentation::from_json(bytes) else {
        return;
    };
    let fast = ctx.verifier.verify(&ctx.request, &parsed, ctx.verify_at);
    let reference = ctx
        .verifier
        .verify_reference(&ctx.request, &parsed, ctx.verify_at);
    assert_eq!(
        fast.is_ok(),
        reference.is_ok(),
        "fast and reference verifiers disagree"
    );
    if let Ok(verified) = fast {
        assert_eq!(
            verified.to_json(),
            ctx.expected,
            "a mutated presentation verified with other claims"
        );
    }
});
