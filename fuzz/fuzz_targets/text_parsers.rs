//! The small parsers of typed or stored text and bytes, one selector byte choosing which:
//!
//! 0. `netnym::Date::parse` (strict `YYYY-MM-DD`, attribute values and predicates): accepted
//!    text is exactly its `Display`;
//! 1. `netnym::KeyId::parse` (64 lowercase hex digits): accepted text is exactly its
//!    `Display`;
//! 2. `netnym::LinkSecret::from_bytes` (32-byte canonical non-zero scalar, wallet contents):
//!    accepted bytes are exactly `to_bytes`;
//! 3. `netnym_store::EnrollmentCode::parse` (typed by a citizen, sent to the authority): the
//!    canonical form parses to itself, with the same hash;
//! 4. `netnym_wallet::RecoveryPhrase::parse` (typed by the holder to restore a wallet): the
//!    canonical phrase parses to itself and the link secret derivation succeeds and agrees.
//!
//! None may panic. Non-UTF-8 input to the text parsers is skipped (they take `&str`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym::{Date, KeyId, LinkSecret};
use netnym_store::EnrollmentCode;
use netnym_wallet::RecoveryPhrase;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    if selector % 5 == 2 {
        if let Ok(secret) = LinkSecret::from_bytes(rest) {
            assert!(
                secret.to_bytes()[..] == rest[..],
                "link secret not canonical"
            );
        }
        return;
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match selector % 5 {
        0 => {
            if let Some(d) = Date::parse(text) {
                assert!(d.to_string() == text, "date not canonical");
            }
        }
        1 => {
            if let Ok(id) = KeyId::parse(text) {
                assert!(id.to_string() == text, "key id not canonical");
            }
        }
        3 => {
            if let Some(code) = EnrollmentCode::parse(text) {
                let again = EnrollmentCode::parse(code.expose()).expect("canonical code parses");
                assert!(again.expose() == code.expose(), "code not canonical");
                assert!(again.hash() == code.hash(), "hash changed");
            }
        }
        _ => {
            if let Ok(phrase) = RecoveryPhrase::parse(text) {
                let again =
                    RecoveryPhrase::parse(phrase.expose()).expect("canonical phrase parses");
                assert!(again.expose() == phrase.expose(), "phrase not canonical");
                let a = phrase.link_secret().expect("link secret");
                let b = again.link_secret().expect("link secret");
                assert!(a == b, "link secret changed");
            }
        }
    }
});
