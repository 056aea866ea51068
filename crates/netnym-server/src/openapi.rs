//! The OpenAPI 3.0 documents served at `GET /openapi.json` (hand-written; API.md is the prose).

use serde_json::{json, Value};

fn problem_response(desc: &str) -> Value {
    json!({
        "description": desc,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// `responses` with the common problems plus `extra` (status, description).
fn responses(success: Value, extra: &[(&str, &str)], with_body: bool) -> Value {
    let mut r = serde_json::Map::new();
    r.insert("200".into(), success);
    for (status, desc) in extra {
        r.insert((*status).into(), problem_response(desc));
    }
    if with_body {
        r.insert(
            "400".into(),
            problem_response("malformed (or a route-specific 400 code)"),
        );
        r.insert("413".into(), problem_response("payload-too-large"));
        r.insert("415".into(), problem_response("unsupported-media-type"));
    }
    r.insert("500".into(), problem_response("internal"));
    r.insert("503".into(), problem_response("service-unavailable"));
    Value::Object(r)
}

fn envelope(tag: &str) -> Value {
    json!({"type": "object", "description": format!("core JSON envelope `{tag}` (spec/03-wire-format.md)"),
           "required": ["type", "version"],
           "properties": {"type": {"type": "string", "enum": [tag]}, "version": {"type": "integer", "enum": [1]}}})
}

fn components() -> Value {
    json!({"schemas": {"Problem": {
        "type": "object", "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "format": "uri"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "code": {"type": "string", "description": "stable machine-readable code"}
        }}},
        "securitySchemes": {"admin": {"type": "http", "scheme": "bearer"}}})
}

fn health_and_openapi(paths: &mut serde_json::Map<String, Value>) {
    paths.insert("/v1/health".into(), json!({"get": {"summary": "Liveness and database check",
        "responses": responses(ok("ok", json!({"type": "object", "properties": {"status": {"type": "string"}}})), &[], false)}}));
    paths.insert("/v1/ready".into(), json!({"get": {"summary": "Readiness: database reachable, public data (epoch log) fresh",
        "responses": {"200": ok("ready", json!({"type": "object", "properties": {"status": {"type": "string"}, "checks": {"type": "object"}}})),
            "503": problem_response("not-ready / service-unavailable")}}}));
    paths.insert("/metrics".into(), json!({"get": {"summary": "Prometheus metrics (OpenMetrics text)",
        "responses": {"200": {"description": "metrics", "content": {"application/openmetrics-text": {}}}}}}));
    paths.insert("/openapi.json".into(), json!({"get": {"summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3.0 document", "content": {"application/json": {}}}}}}));
}

/// The authority service's document.
#[must_use]
pub fn authority() -> Value {
    let mut paths = serde_json::Map::new();
    paths.insert("/v1/params".into(), json!({"get": {"summary": "Public parameters: schema, issuer keys, registry key, latest epoch",
        "responses": responses(ok("parameters", json!({"type": "object", "required": ["schema", "issuer_keys", "current_issuer_key_id", "revocation"],
            "properties": {"schema": {"type": "object"}, "issuer_keys": {"type": "array", "items": envelope("netnym-issuer-public-key")},
                "current_issuer_key_id": {"type": "string"}, "range_params": envelope("netnym-range-params"),
                "revocation": {"type": "object", "properties": {"registry_public_key": envelope("netnym-registry-public-key"), "latest_epoch": {"type": "integer"}}}}})), &[], false)}}));
    paths.insert("/v1/issuer-keys".into(), json!({"get": {"summary": "Issuer public keys",
        "responses": responses(ok("keys", json!({"type": "object", "properties": {"keys": {"type": "array", "items": envelope("netnym-issuer-public-key")}}})), &[], false)}}));
    let code_errors = [
        ("404", "enrollment-code-unknown"),
        ("409", "enrollment-code-used / no-offer"),
        (
            "410",
            "enrollment-code-expired / enrollment-code-invalidated",
        ),
    ];
    paths.insert("/v1/enroll/offer".into(), json!({"post": {"summary": "Enrollment step 1: an issuance offer for a one-time code",
        "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["code"], "properties": {"code": {"type": "string"}}})),
        "responses": responses(ok("offer", json!({"type": "object", "properties": {"offer": envelope("netnym-issuance-offer"), "issuer_key_id": {"type": "string"}}})), &code_errors, true)}}));
    let mut finish_errors = code_errors.to_vec();
    finish_errors.push(("403", "citizen-revoked"));
    paths.insert("/v1/enroll/finish".into(), json!({"post": {"summary": "Enrollment step 2: blind issuance; consumes the code",
        "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["code", "request"],
            "properties": {"code": {"type": "string"}, "request": envelope("netnym-issuance-request")}})),
        "responses": responses(ok("credential response", json!({"type": "object", "properties": {
            "response": envelope("netnym-issuance-response"), "revocation_id": {"type": "integer"},
            "witness": envelope("netnym-membership-witness"), "epoch": {"type": "integer"}, "registry_id": {"type": "string"}}})), &finish_errors, true)}}));
    paths.insert("/v1/revoke".into(), json!({"post": {"summary": "Revoke revocation ids (admin); acknowledged after commit",
        "security": [{"admin": []}],
        "requestBody": body(json!({"type": "object", "additionalProperties": false,
            "properties": {"revocation_ids": {"type": "array", "items": {"type": "integer"}}, "citizen_id": {"type": "string"}}})),
        "responses": responses(ok("revoked", json!({"type": "object", "properties": {"epoch": {"type": "integer"},
            "revoked": {"type": "array", "items": {"type": "integer"}}, "already_revoked": {"type": "array", "items": {"type": "integer"}}}})),
            &[("401", "unauthorized"), ("404", "unknown-revocation-id"), ("409", "revocation-domain-exhausted")], true)}}));
    paths.insert("/v1/epochs".into(), json!({"get": {"summary": "The public revocation epoch log from epoch `from`",
        "parameters": [{"name": "from", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}}],
        "responses": responses(ok("epochs", json!({"type": "object", "properties": {"epochs": {"type": "array", "items": {"type": "object",
            "properties": {"epoch": {"type": "integer"}, "entry": envelope("netnym-revocation-epoch")}}}, "latest": {"type": "integer"}}})),
            &[("400", "malformed")], false)}}));
    let hashes = json!({"type": "array", "items": {"type": "string", "description": "base64 SHA-256 tree hash"}});
    paths.insert("/v1/log/checkpoint".into(), json!({"get": {"summary": "The transparency log's latest signed checkpoint (C2SP signed note, spec/12-transparency-log.md)",
        "responses": {"200": {"description": "signed note", "content": {"text/plain": {"schema": {"type": "string"}}}},
            "404": problem_response("no-checkpoint"), "500": problem_response("internal"), "503": problem_response("service-unavailable")}}}));
    paths.insert("/v1/log/key".into(), json!({"get": {"summary": "The log's origin and public key (C2SP verifier key)",
        "responses": responses(ok("key", json!({"type": "object", "properties": {"origin": {"type": "string"}, "vkey": {"type": "string"}}})), &[], false)}}));
    paths.insert("/v1/log/entries".into(), json!({"get": {"summary": "Encoded log entries from index `from` (base64)",
        "parameters": [{"name": "from", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 0}},
                       {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
        "responses": responses(ok("entries", json!({"type": "object", "properties": {"from": {"type": "integer"}, "entries": {"type": "array", "items": {"type": "string"}}}})),
            &[("400", "malformed")], false)}}));
    paths.insert("/v1/log/proof/inclusion".into(), json!({"get": {"summary": "Inclusion proof of entry `index` in the tree of size `size` (LOG-012)",
        "parameters": [{"name": "index", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 0}},
                       {"name": "size", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1}}],
        "responses": responses(ok("proof", json!({"type": "object", "properties": {"index": {"type": "integer"}, "size": {"type": "integer"}, "hashes": hashes}})),
            &[("400", "malformed / proof-out-of-range")], false)}}));
    paths.insert("/v1/log/proof/consistency".into(), json!({"get": {"summary": "Consistency proof from the tree of size `old` to the tree of size `new` (LOG-013)",
        "parameters": [{"name": "old", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1}},
                       {"name": "new", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 1}}],
        "responses": responses(ok("proof", json!({"type": "object", "properties": {"old": {"type": "integer"}, "new": {"type": "integer"}, "hashes": hashes}})),
            &[("400", "malformed / proof-out-of-range")], false)}}));
    health_and_openapi(&mut paths);
    json!({"openapi": "3.0.3", "info": {"title": "NetNym authority", "version": "1"},
           "paths": paths, "components": components()})
}

/// The verifier service's document.
#[must_use]
pub fn verifier() -> Value {
    let mut paths = serde_json::Map::new();
    let verify_ok = json!({"type": "object", "properties": {
        "account": {"type": "object", "nullable": true, "properties": {"account_id": {"type": "integer"},
            "new_account": {"type": "boolean"}, "login_count": {"type": "integer"}, "created_at": {"type": "integer"}}},
        "pseudonym": {"type": "string", "nullable": true},
        "claims": {"type": "object"}}});
    let verify_errors = [
        ("404", "unknown-request"),
        ("409", "nonce-replayed"),
        ("410", "request-expired"),
        ("422", "invalid-presentation"),
    ];
    paths.insert(
        "/v1/policy".into(),
        json!({"get": {"summary": "The platform's policy",
        "responses": responses(ok("policy", json!({"type": "object"})), &[], false)}}),
    );
    paths.insert("/v1/requests".into(), json!({"post": {"summary": "A fresh presentation request from the policy",
        "requestBody": body(json!({"type": "object", "additionalProperties": false})),
        "responses": responses(ok("request", json!({"type": "object", "properties": {
            "request": envelope("netnym-presentation-request"), "nonce": {"type": "string"}, "expires_at": {"type": "integer"}}})), &[], true)}}));
    paths.insert("/v1/verify".into(), json!({"post": {"summary": "Verify a presentation, consume its nonce, sign in or register",
        "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["presentation"],
            "properties": {"presentation": envelope("netnym-presentation")}})),
        "responses": responses(ok("verified", verify_ok.clone()), &verify_errors, true)}}));
    paths.insert("/v1/verify/batch".into(), json!({"post": {"summary": "Verify up to 64 presentations independently",
        "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["presentations"],
            "properties": {"presentations": {"type": "array", "minItems": 1, "maxItems": 64, "items": envelope("netnym-presentation")}}})),
        "responses": responses(ok("per-item results", json!({"type": "object", "properties": {"results": {"type": "array", "items": {
            "type": "object", "properties": {"ok": {"type": "boolean"}, "result": verify_ok, "problem": {"$ref": "#/components/schemas/Problem"}}}}}})), &[], true)}}));
    health_and_openapi(&mut paths);
    json!({"openapi": "3.0.3", "info": {"title": "NetNym verifier", "version": "1"},
           "paths": paths, "components": components()})
}
