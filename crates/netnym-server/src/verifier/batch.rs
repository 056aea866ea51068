//! `POST /v1/verify/batch` (API.md § Verifier service, § Limits): what a batch full of invalid
//! presentations may cost.
//!
//! Each presentation goes through the cheap checks first — parsing with validating
//! deserialization, then its stored request (known, of this verifier, unconsumed, unexpired) —
//! and only then are its proofs checked (the pairing batch of `Verifier::verify`). Two budgets
//! bound the proof checks:
//!
//! - **per batch**: once [`MAX_INVALID_PER_BATCH`] presentations of a batch had proofs that
//!   failed, the remaining ones are not checked (each answered `batch-budget-exhausted`, its
//!   request left open). A batch of `n` valid presentations costs `n` proof checks; one of
//!   `n` invalid ones at most `MAX_INVALID_PER_BATCH`.
//! - **per client**: a batch of `n` costs `n` requests of the client's rate limit (one charged
//!   by the rate-limit layer, `n - 1` here), so batches do not multiply a client's rate.
//!
//! No bisection: each presentation's proofs are checked on their own (the core's pairing
//! batch covers one presentation), so a failure needs no narrowing and the budget above bounds
//! the cost instead. Bisection pays only for a pairing batch across presentations, whose
//! failure says nothing about which one failed; issue 15's micro-batching brings that.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{VerifierState, MAX_BATCH};
use crate::body::{json_ok, read_json, BATCH_BODY_LIMIT};
use crate::limits::{rate_limited, Budget};
use crate::problem::Problem;

/// Presentations of one batch whose proofs may fail before the rest is left unchecked.
pub const MAX_INVALID_PER_BATCH: usize = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    presentations: Vec<Box<RawValue>>,
}

/// The problem of a presentation left unchecked.
fn budget_exhausted() -> Problem {
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "batch-budget-exhausted",
        "Not checked",
        format!(
            "not checked: {MAX_INVALID_PER_BATCH} presentations of this batch had invalid proofs; \
             send this one again (its request is still open)"
        ),
    )
}

pub(super) async fn verify_batch(
    State(s): State<VerifierState>,
    budget: Budget,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let BatchBody { presentations } = read_json(&headers, body, BATCH_BODY_LIMIT).await?;
    if presentations.is_empty() || presentations.len() > MAX_BATCH {
        return Err(Problem::malformed(format!(
            "a batch holds 1..={MAX_BATCH} presentations"
        )));
    }
    if let Some((client, limiter)) = &budget.0 {
        let more = u32::try_from(presentations.len() - 1).unwrap_or(u32::MAX);
        limiter.check_n(*client, more).map_err(rate_limited)?;
    }
    s.0.metrics.batch(presentations.len());
    let mut invalid = 0;
    let mut results = Vec::with_capacity(presentations.len());
    for p in presentations {
        if invalid >= MAX_INVALID_PER_BATCH {
            let e = budget_exhausted();
            s.0.metrics.problem(&e);
            results.push(serde_json::json!({"ok": false, "problem": e.to_json()}));
            continue;
        }
        results.push(match s.verify_timed(p).await {
            Ok(result) => serde_json::json!({"ok": true, "result": result}),
            // A database outage fails the whole batch (nothing half-acknowledged).
            Err(e) if e.status == StatusCode::SERVICE_UNAVAILABLE => return Err(e),
            Err(e) => {
                if e.code == "invalid-presentation" {
                    invalid += 1;
                }
                s.0.metrics.problem(&e);
                serde_json::json!({"ok": false, "problem": e.to_json()})
            }
        });
    }
    Ok(json_ok(&serde_json::json!({ "results": results })))
}
