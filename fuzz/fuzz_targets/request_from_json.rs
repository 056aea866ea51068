//! `PresentationRequest` on untrusted bytes: never panics; whatever it accepts re-encodes to bytes it
//! accepts again, with the same encoding (decode . encode is the identity on accepted input).
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::PresentationRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = PresentationRequest::from_json(data) {
        let encoded = value.to_json();
        let again = PresentationRequest::from_json(&encoded).expect("own encoding decodes");
        assert!(again.to_json()[..] == encoded[..], "encoding is not stable");
    }
});
