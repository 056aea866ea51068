//! The authority's citizen import, `netnym_store::parse_citizens_csv`, on untrusted bytes:
//! never panics; whatever it accepts is written back by `citizens_to_csv` (documented as its
//! inverse) to a CSV it accepts again with the same records, written identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use netnym_store::{citizens_to_csv, parse_citizens_csv};

fuzz_target!(|data: &[u8]| {
    if let Ok(records) = parse_citizens_csv(data) {
        assert!(!records.is_empty(), "an accepted file has records");
        let csv = citizens_to_csv(&records);
        let again = parse_citizens_csv(csv.as_bytes()).expect("own CSV parses");
        assert!(again == records, "records changed");
        assert!(citizens_to_csv(&again) == csv, "CSV is not stable");
    }
});
