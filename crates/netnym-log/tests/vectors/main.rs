//! Deterministic transparency-log vectors under `test-vectors/netnym-v1/log/` (format:
//! test-vectors/README.md, section "Transparency log").
//!
//! [`build::build`] makes every file from fixed seeds and the existing core vectors (whose
//! envelopes the log publishes). The test `log_vectors_match_and_verify` rebuilds them and
//! requires every stored file to be **byte-identical** to its rebuild, then checks each file on
//! its own: entries decode and hash as stored, checkpoints verify under the policy, proofs
//! verify, a view replays the log, and each negative vector is rejected by exactly the rule it
//! names. With `--features generate-vectors`, `generate_log_vectors` writes the rebuilt set as
//! `*-new.json` for review.

mod build;
mod check;
mod files;
mod negative;

use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/netnym-v1")
}

/// Pretty JSON with a final newline, as stored.
fn render<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("json");
    text.push('\n');
    text
}

#[test]
fn log_vectors_match_and_verify() {
    let built = build::build();
    let mut negatives = 0;
    for (name, text) in &built {
        let path = dir().join(name);
        let stored =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(stored == *text, "{name} differs from its regeneration");
        if name.starts_with("log/negative/") {
            negatives += 1;
        }
    }
    check::check_positive();
    let rules = check::check_negative();
    assert_eq!(rules, negatives);
    assert!(negatives >= 20, "only {negatives} negative vectors");
    // No stray files.
    for sub in ["log", "log/negative"] {
        for entry in std::fs::read_dir(dir().join(sub)).expect("dir") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                continue;
            }
            let rel = format!("{sub}/{}", entry.file_name().into_string().expect("utf8"));
            assert!(built.iter().any(|(n, _)| *n == rel), "stray vector {rel}");
        }
    }
}

#[cfg(feature = "generate-vectors")]
#[test]
fn generate_log_vectors() {
    for (name, text) in build::build() {
        let path = dir().join(name.replace(".json", "-new.json"));
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
    }
}
