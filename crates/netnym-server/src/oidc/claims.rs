//! Verified results → ID token claims (spec/13-oidc.md § Claims, OIDC-034).
//!
//! The claims come from two sources only: the predicates of the verifier's own request (a
//! presentation verifies only if every one of them holds, so each is a proven `true` or a
//! proven bound) and the attributes the verified presentation disclosed. Nothing else of the
//! credential exists on the verifier's side, so no hidden attribute can reach a token.

use netnym::{Predicate, PresentationRequest, VerifiedPresentation};
use serde_json::{Map, Value};

/// Claims the facade sets itself; a result claim never takes one of these names (OIDC-004).
const RESERVED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
    "sid",
];

/// The claim name of a disclosed attribute: the OpenID Connect standard claim where one means
/// the same (`birth_date` → `birthdate`; `family_name`, `given_name` are already standard),
/// else the attribute's name.
fn attribute_claim(name: &str) -> &str {
    match name {
        "birth_date" => "birthdate",
        other => other,
    }
}

/// The claim a proven predicate becomes.
fn predicate_claim(p: &Predicate, request_date: &str) -> Result<(String, Value), String> {
    Ok(match p {
        Predicate::AgeAtLeast(n) => (format!("age_over_{n}"), Value::Bool(true)),
        Predicate::AgeBelow(n) => (format!("age_under_{n}"), Value::Bool(true)),
        Predicate::ValidOn(d) if d == request_date => ("valid".to_owned(), Value::Bool(true)),
        Predicate::ValidOn(d) => ("valid_on".to_owned(), Value::String(d.clone())),
        Predicate::RegionWithin(prefix) => {
            ("resident_of".to_owned(), Value::String(prefix.clone()))
        }
        Predicate::Range(r) => (
            format!("{}_in_range", attribute_claim(&r.attribute)),
            serde_json::json!({ "min": r.min, "max": r.max }),
        ),
        other => return Err(format!("no claim for predicate {other:?}")),
    })
}

fn insert(claims: &mut Map<String, Value>, name: String, value: Value) -> Result<(), String> {
    if RESERVED.contains(&name.as_str()) {
        return Err(format!("claim {name:?} is reserved (OIDC-004)"));
    }
    if claims.contains_key(&name) {
        return Err(format!("claim {name:?} would be set twice (OIDC-004)"));
    }
    claims.insert(name, value);
    Ok(())
}

/// The predicate claims of `request` (what a verified presentation of it proves).
fn proven(request: &PresentationRequest) -> Result<Map<String, Value>, String> {
    let date = request.reference_date().to_string();
    let mut claims = Map::new();
    for q in request.credentials() {
        for p in q.predicates() {
            let (name, value) = predicate_claim(p, &date)?;
            insert(&mut claims, name, value)?;
        }
    }
    Ok(claims)
}

/// Check that the claims of a request of this shape have distinct, unreserved names
/// (OIDC-004; run at start on a trial request).
///
/// Returns the names, for discovery's `claims_supported`.
///
/// # Errors
/// The colliding name.
pub(crate) fn check_names(request: &PresentationRequest) -> Result<Vec<String>, String> {
    let mut claims = proven(request)?;
    for q in request.credentials() {
        for name in q.disclose() {
            insert(&mut claims, attribute_claim(name).to_owned(), Value::Null)?;
        }
    }
    Ok(claims.into_iter().map(|(k, _)| k).collect())
}

/// The result claims of a verified presentation of `request` (OIDC-034).
///
/// # Errors
/// A collision (prevented by [`check_names`] at start).
pub(crate) fn result_claims(
    request: &PresentationRequest,
    verified: &VerifiedPresentation,
) -> Result<Map<String, Value>, String> {
    let mut claims = proven(request)?;
    for c in verified.credentials() {
        for (name, value) in c.disclosed() {
            insert(
                &mut claims,
                attribute_claim(name).to_owned(),
                value.to_json(),
            )?;
        }
    }
    Ok(claims)
}
