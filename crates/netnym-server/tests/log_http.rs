//! The authority's transparency log over HTTP (issue 13 item 1; API.md § Transparency log):
//! the signed checkpoint verifies with the published log key, every entry's inclusion proof
//! verifies against it, a revocation appends its epoch, signs a new checkpoint and the two are
//! consistent; malformed or out-of-range queries get problem documents. On SQLite, and on
//! PostgreSQL when `NETNYM_TEST_PG_URL` is set.

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;

use base64::Engine as _;
use common::*;
use netnym_log::{
    leaf_hash, ConsistencyProof, InclusionProof, LogEntry, LogVerifyingKey, SignedCheckpoint,
    TreeHash,
};
use serde_json::Value;

fn text(url: &str) -> (u16, String, String) {
    match ureq::get(url).call() {
        Ok(r) | Err(ureq::Error::Status(_, r)) => {
            let status = r.status();
            let ct = r.header("content-type").unwrap_or("").to_owned();
            (status, ct, r.into_string().unwrap())
        }
        Err(e) => panic!("{url}: {e}"),
    }
}

fn hashes(v: &Value) -> Vec<TreeHash> {
    v["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| TreeHash::from_base64(h.as_str().unwrap()).unwrap())
        .collect()
}

/// The signed checkpoint now, verified with the log key.
fn checkpoint(w: &World, key: &LogVerifyingKey) -> SignedCheckpoint {
    let (s, ct, note) = text(&format!("{}/v1/log/checkpoint", w.authority_url()));
    assert_eq!((s, ct.as_str()), (200, "text/plain; charset=utf-8"));
    let signed = SignedCheckpoint::parse(note.as_bytes()).unwrap();
    signed.verify_log_signature(key).unwrap();
    signed
}

fn entries(w: &World) -> Vec<Vec<u8>> {
    let (s, v) = get(&format!("{}/v1/log/entries?from=0", w.authority_url()));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["from"], 0);
    let b64 = base64::engine::general_purpose::STANDARD;
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| b64.decode(e.as_str().unwrap()).unwrap())
        .collect()
}

fn log_over_http(backend: Backend) {
    let w = World::new(backend);
    let a = w.authority_url();
    let (s, k) = get(&format!("{a}/v1/log/key"));
    assert_eq!(s, 200);
    let key = LogVerifyingKey::from_vkey(k["vkey"].as_str().unwrap()).unwrap();
    assert_eq!(k["origin"], key.name());

    let first = checkpoint(&w, &key);
    let size = first.checkpoint().size();
    let logged = entries(&w);
    assert_eq!(logged.len() as u64, size);
    let kinds: Vec<_> = logged
        .iter()
        .map(|b| LogEntry::decode(b).unwrap().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "issuer-key-published",
            "range-params-published",
            "registry-key-published",
            "epoch"
        ]
    );
    // LOG-012: every entry is in the checkpoint.
    for (i, e) in logged.iter().enumerate() {
        let (s, v) = get(&format!("{a}/v1/log/proof/inclusion?index={i}&size={size}"));
        assert_eq!(s, 200, "{v}");
        InclusionProof::new(i as u64, size, hashes(&v))
            .unwrap()
            .verify(&leaf_hash(e), first.checkpoint().root())
            .unwrap();
    }

    // A revocation appends its epoch and signs a new checkpoint, consistent with the first.
    let revoked = ureq::post(&format!("{a}/v1/revoke"))
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {ADMIN}"))
        .send_string(&format!(
            r#"{{"citizen_id": "{}"}}"#,
            w.citizens[0].citizen_id
        ));
    assert_eq!(revoked.unwrap().status(), 200);
    let second = checkpoint(&w, &key);
    assert_eq!(second.checkpoint().size(), size + 1);
    let logged = entries(&w);
    assert_eq!(logged.len() as u64, size + 1);
    match LogEntry::decode(logged.last().unwrap()).unwrap() {
        LogEntry::Epoch { epoch, .. } => assert_eq!(epoch, 1),
        other => panic!("{other:?}"),
    }
    let (s, v) = get(&format!(
        "{a}/v1/log/proof/consistency?old={size}&new={}",
        size + 1
    ));
    assert_eq!(s, 200, "{v}");
    ConsistencyProof::new(size, size + 1, hashes(&v))
        .unwrap()
        .verify(first.checkpoint().root(), second.checkpoint().root())
        .unwrap();

    // Out of range and malformed queries.
    for q in [
        format!("inclusion?index={}&size={}", size + 1, size + 1),
        format!("inclusion?index=0&size={}", size + 9),
        format!("consistency?old=0&new={size}"),
        format!("consistency?old={}&new={size}", size + 1),
    ] {
        let (s, v) = get(&format!("{a}/v1/log/proof/{q}"));
        assert_eq!(
            (s, v["code"].as_str()),
            (400, Some("proof-out-of-range")),
            "{q}"
        );
    }
    for q in [
        "proof/inclusion?index=0",
        "proof/inclusion?index=x&size=2",
        "entries",
        "entries?from=0&extra=1",
    ] {
        let (s, _) = get(&format!("{a}/v1/log/{q}"));
        assert_eq!(s, 400, "{q}");
    }
    let (s, v) = get(&format!("{a}/v1/log/entries?from={}", size + 1));
    assert_eq!((s, v["entries"].as_array().map(Vec::len)), (200, Some(0)));
    w.shutdown();
}

#[test]
fn log_is_served_signed_and_provable_sqlite() {
    log_over_http(Backend::Sqlite);
}

#[test]
fn log_is_served_signed_and_provable_postgres() {
    if pg_url().is_none() {
        return;
    }
    log_over_http(Backend::Postgres);
}
