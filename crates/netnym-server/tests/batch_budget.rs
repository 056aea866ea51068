//! What a batch full of invalid presentations costs (issue 12 item 5; API.md § Limits),
//! counted, not timed: `netnym_verifier_proof_checks_total` counts the presentations whose
//! proofs were checked. A batch of n valid presentations costs n proof checks; a batch of 64
//! presentations with invalid proofs costs `MAX_INVALID_PER_BATCH` (4), the rest answered
//! `batch-budget-exhausted` with their requests left open; and a batch costs the client one
//! request of its rate limit per presentation.

#![allow(clippy::unwrap_used)]

#[path = "support/world.rs"]
mod common;

use std::num::NonZeroU32;

use common::*;
use netnym_server::verifier::MAX_INVALID_PER_BATCH;
use netnym_server::*;
use serde_json::Value;

/// `netnym_verifier_proof_checks_total` of the verifier at `base`.
fn proof_checks(base: &str) -> u64 {
    let text = ureq::get(&format!("{base}/metrics"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("netnym_verifier_proof_checks_total "))
        .unwrap_or_else(|| panic!("no proof-check counter in {text}"))
        .trim()
        .parse()
        .unwrap()
}

fn batch(base: &str, presentations: &[String]) -> Vec<Value> {
    let body = format!(r#"{{"presentations": [{}]}}"#, presentations.join(","));
    let (s, v) = post_json(&format!("{base}/v1/verify/batch"), &body);
    assert_eq!(s, 200, "{v}");
    v["results"].as_array().unwrap().clone()
}

fn shanghai_holder(w: &World) -> Holder {
    let c = w
        .citizens
        .iter()
        .find(|c| c.attributes["region"].as_str().unwrap().starts_with("31"))
        .unwrap();
    enroll(w, &w.code_for(&c.citizen_id))
}

#[test]
fn an_invalid_batch_costs_at_most_max_invalid_proof_checks() {
    let w = World::new(Backend::Sqlite);
    let limits = Limits::default()
        .rate_limit(None)
        .max_outstanding_per_client(1000);
    let h = w.start_platform_limited(&shop_policy(), limits);
    let base = h.base_url();
    let alice = shanghai_holder(&w);

    // Valid: n presentations, n proof checks.
    let n = 16;
    let valid: Vec<String> = (0..n)
        .map(|_| present(&w, &alice, &new_request(&base).0))
        .collect();
    let before = proof_checks(&base);
    let results = batch(&base, &valid);
    assert!(results.iter().all(|r| r["ok"] == true), "{results:?}");
    let valid_cost = proof_checks(&base) - before;
    assert_eq!(valid_cost, n);

    // Invalid: 64 presentations that parse and name open requests, but whose proofs were made
    // for another nonce.
    let (r0, v0) = new_request(&base);
    let p0 = present(&w, &alice, &r0);
    let nonce0 = v0["nonce"].as_str().unwrap().to_owned();
    assert_eq!(p0.matches(&nonce0).count(), 1);
    let requests: Vec<(netnym::PresentationRequest, String)> = (0..64)
        .map(|_| {
            let (r, v) = new_request(&base);
            (r, v["nonce"].as_str().unwrap().to_owned())
        })
        .collect();
    let forged: Vec<String> = requests
        .iter()
        .map(|(_, nonce)| p0.replace(&nonce0, nonce))
        .collect();
    let before = proof_checks(&base);
    let results = batch(&base, &forged);
    let invalid_cost = proof_checks(&base) - before;
    assert_eq!(invalid_cost, MAX_INVALID_PER_BATCH as u64);
    // The stated multiple: a batch of 64 invalid presentations costs at most 4 proof checks,
    // a quarter of what 16 valid ones cost.
    assert!(invalid_cost * 4 <= valid_cost);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["ok"], false);
        let (status, code) = if i < MAX_INVALID_PER_BATCH {
            (422, "invalid-presentation")
        } else {
            (429, "batch-budget-exhausted")
        };
        assert_eq!(r["problem"]["status"], status, "{i}: {r}");
        assert_eq!(r["problem"]["code"], code, "{i}: {r}");
    }
    // A presentation left unchecked keeps its request open: answered properly, it verifies.
    let (last, _) = requests.last().unwrap();
    let (s, v) = post_json(
        &format!("{base}/v1/verify"),
        &verify_body(&present(&w, &alice, last)),
    );
    assert_eq!(s, 200, "{v}");
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}

#[test]
fn a_batch_costs_one_request_per_presentation() {
    let w = World::new(Backend::Sqlite);
    let rate = RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(100).unwrap(),
    };
    let h = w.start_platform_limited(&shop_policy(), Limits::default().rate_limit(Some(rate)));
    let base = h.base_url();
    // 64 presentations that do not parse: cheap, but they still cost 64 of the burst of 100.
    let junk = vec!["{}".to_owned(); 64];
    let results = batch(&base, &junk);
    assert!(results.iter().all(|r| r["problem"]["code"] == "malformed"));
    let body = format!(r#"{{"presentations": [{}]}}"#, junk.join(","));
    let (s, ct, v) = call(
        "POST",
        &format!("{base}/v1/verify/batch"),
        Some("application/json"),
        Some(&body),
    );
    assert_problem((s, ct, v), 429, "rate-limited");
    // Single requests still fit in what is left of the burst.
    let (s, _) = post_json(&format!("{base}/v1/requests"), "{}");
    assert_eq!(s, 200);
    w.rt.block_on(h.shutdown()).unwrap();
    w.shutdown();
}
