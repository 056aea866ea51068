//! Stage 1 of verification, `ParsedPresentation::from_json`, on untrusted bytes: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::ParsedPresentation;

fuzz_target!(|data: &[u8]| {
    let _ = ParsedPresentation::from_json(data);
});
