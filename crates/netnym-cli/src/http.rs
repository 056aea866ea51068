//! The HTTP client side of the wallet commands (crates/netnym-server/API.md, v1): HTTPS (or
//! plain HTTP to loopback when allowed, `transport`) with JSON bodies,
//! `application/problem+json` errors mapped to one-line messages.

use std::io::Read;

use netnym::{EpochEntry, IssuanceOffer, KeyId, Presentation, PresentationRequest};
use netnym_wallet::{Wallet, WitnessUpdate};
use rand::{CryptoRng, RngCore};
use serde_json::{json, Value};
use thiserror::Error;

use crate::transport::{self, ClientTls, TransportError};

/// Largest response body read, in bytes.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// A failed exchange with a service.
#[derive(Debug, Error)]
pub(crate) enum HttpError {
    /// No connection or no answer.
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    /// The service answered with a problem document.
    #[error("{url} refused ({status} {code}): {detail}")]
    Problem {
        url: String,
        status: u16,
        code: String,
        detail: String,
    },
    /// The service's answer does not follow the API.
    #[error("{url} sent an invalid answer: {reason}")]
    BadResponse { url: String, reason: String },
    /// The URL or the TLS settings are refused before any connection.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl HttpError {
    /// 2 for a refused URL or an unusable `--ca` (bad arguments), else 1.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::Transport(_) => 2,
            _ => 1,
        }
    }
}

/// A JSON client for one service.
pub(crate) struct Client {
    base: String,
    agent: ureq::Agent,
}

fn read_body(url: &str, resp: ureq::Response) -> Result<Value, HttpError> {
    let mut buf = Vec::new();
    resp.into_reader()
        .take(MAX_RESPONSE_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| HttpError::Unreachable {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
    if buf.len() as u64 > MAX_RESPONSE_BYTES {
        return Err(HttpError::BadResponse {
            url: url.to_owned(),
            reason: "response larger than 4 MiB".to_owned(),
        });
    }
    serde_json::from_slice(&buf).map_err(|e| HttpError::BadResponse {
        url: url.to_owned(),
        reason: format!("not JSON: {e}"),
    })
}

impl Client {
    /// A client of the service at `base`, refused unless `tls` allows the URL.
    pub(crate) fn new(base: &str, tls: &ClientTls) -> Result<Self, HttpError> {
        tls.check_url(base)?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            agent: tls.agent(),
        })
    }

    fn handle(
        &self,
        url: &str,
        r: Result<ureq::Response, ureq::Error>,
    ) -> Result<Value, HttpError> {
        match r {
            Ok(resp) => read_body(url, resp),
            Err(ureq::Error::Status(status, resp)) => {
                let body = read_body(url, resp).unwrap_or(Value::Null);
                let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
                Err(HttpError::Problem {
                    url: url.to_owned(),
                    status,
                    code: text("code").unwrap_or_else(|| "unknown".to_owned()),
                    detail: text("detail")
                        .or_else(|| text("title"))
                        .unwrap_or_else(|| "no detail".to_owned()),
                })
            }
            Err(ureq::Error::Transport(t)) => Err(HttpError::Unreachable {
                url: url.to_owned(),
                reason: transport::describe(&t),
            }),
        }
    }

    pub(crate) fn get(&self, path: &str) -> Result<Value, HttpError> {
        let url = format!("{}{path}", self.base);
        let r = self.agent.get(&url).call();
        self.handle(&url, r)
    }

    pub(crate) fn post(&self, path: &str, body: &Value) -> Result<Value, HttpError> {
        let url = format!("{}{path}", self.base);
        let r = self
            .agent
            .post(&url)
            .set("Content-Type", "application/json")
            .send_string(&body.to_string());
        self.handle(&url, r)
    }

    /// POST with `Authorization: Bearer <token>` (the authority's admin routes).
    pub(crate) fn post_bearer(
        &self,
        path: &str,
        body: &Value,
        token: &str,
    ) -> Result<Value, HttpError> {
        let url = format!("{}{path}", self.base);
        let r = self
            .agent
            .post(&url)
            .set("Content-Type", "application/json")
            .set("Authorization", &format!("Bearer {token}"))
            .send_string(&body.to_string());
        self.handle(&url, r)
    }

    fn bad(&self, path: &str, reason: impl Into<String>) -> HttpError {
        HttpError::BadResponse {
            url: format!("{}{path}", self.base),
            reason: reason.into(),
        }
    }

    /// The bytes of an embedded core envelope.
    fn envelope(&self, path: &str, v: &Value, field: &str) -> Result<Vec<u8>, HttpError> {
        match v.get(field) {
            Some(x) if x.is_object() => Ok(x.to_string().into_bytes()),
            _ => Err(self.bad(path, format!("missing object {field:?}"))),
        }
    }
}

/// The outcome of an enrollment.
#[derive(Debug)]
pub(crate) struct Enrolled {
    pub(crate) credential_id: String,
    pub(crate) revocation_id: Option<u64>,
    pub(crate) epoch: Option<u64>,
}

/// Errors of the wallet's service exchanges.
#[derive(Debug, Error)]
pub(crate) enum ExchangeError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("the authority's {what} is invalid: {reason}")]
    Invalid { what: &'static str, reason: String },
}

fn invalid(what: &'static str) -> impl Fn(String) -> ExchangeError {
    move |reason| ExchangeError::Invalid { what, reason }
}

/// Fetch the authority's public parameters into the wallet (issuer keys, registry key).
/// Returns the current issuer key id and the registry id, if any.
pub(crate) fn sync_params(
    authority: &Client,
    wallet: &mut Wallet,
) -> Result<(KeyId, Option<KeyId>), ExchangeError> {
    let p = authority.get("/v1/params")?;
    let keys = p
        .get("issuer_keys")
        .and_then(Value::as_array)
        .ok_or_else(|| authority.bad("/v1/params", "missing issuer_keys"))?;
    for k in keys {
        wallet
            .add_issuer_key(k.to_string().as_bytes())
            .map_err(|e| invalid("issuer key")(e.to_string()))?;
    }
    let current = p
        .get("current_issuer_key_id")
        .and_then(Value::as_str)
        .and_then(|s| KeyId::parse(s).ok())
        .ok_or_else(|| authority.bad("/v1/params", "missing current_issuer_key_id"))?;
    // Range-proof parameters, when the authority publishes them (an extra field of
    // /v1/params: one object or a list).
    let ranges = match p.get("range_params") {
        Some(Value::Array(a)) => a.clone(),
        Some(v) if v.is_object() => vec![v.clone()],
        _ => Vec::new(),
    };
    for r in ranges {
        wallet
            .add_range_params(r.to_string().as_bytes())
            .map_err(|e| invalid("range-proof parameters")(e.to_string()))?;
    }
    let registry = match p.get("revocation") {
        Some(r) if r.is_object() => {
            let json = authority.envelope("/v1/params", r, "registry_public_key")?;
            let (id, _) = wallet
                .add_registry_key(&json)
                .map_err(|e| invalid("registry key")(e.to_string()))?;
            Some(id)
        }
        _ => None,
    };
    Ok((current, registry))
}

/// Enroll with a one-time code: offer, blind request, response, witness. The wallet is
/// changed in memory only; the caller saves it.
pub(crate) fn enroll(
    rng: &mut (impl RngCore + CryptoRng),
    authority: &Client,
    wallet: &mut Wallet,
    code: &str,
    now: u64,
) -> Result<Enrolled, ExchangeError> {
    let (_, registry) = sync_params(authority, wallet)?;
    let o = authority.post("/v1/enroll/offer", &json!({ "code": code }))?;
    let offer = IssuanceOffer::from_json(&authority.envelope("/v1/enroll/offer", &o, "offer")?)
        .map_err(|e| invalid("offer")(e.to_string()))?;
    let (request, pending) = wallet
        .begin_enrollment(rng, &offer)
        .map_err(|e| invalid("offer")(e.to_string()))?;
    let request: Value =
        serde_json::from_slice(&request.to_json()).map_err(|e| invalid("offer")(e.to_string()))?;
    let f = authority.post(
        "/v1/enroll/finish",
        &json!({ "code": code, "request": request }),
    )?;
    let response = authority.envelope("/v1/enroll/finish", &f, "response")?;
    let credential_id = wallet
        .finish_enrollment(pending, offer.key_id(), &response, now)
        .map_err(|e| invalid("issuance response")(e.to_string()))?;
    let revocation_id = f.get("revocation_id").and_then(Value::as_u64);
    let epoch = f.get("epoch").and_then(Value::as_u64);
    if let Some(w) = f.get("witness").filter(|w| w.is_object()) {
        let reg = registry.ok_or_else(|| {
            invalid("enrollment response")("a witness but no registry key in /v1/params".into())
        })?;
        if let Some(named) = f.get("registry_id").and_then(Value::as_str) {
            if named != reg.to_string() {
                return Err(invalid("enrollment response")(
                    "the witness names another registry than /v1/params".into(),
                ));
            }
        }
        wallet
            .set_witness(&credential_id, &reg, w.to_string().as_bytes())
            .map_err(|e| invalid("witness")(e.to_string()))?;
    }
    Ok(Enrolled {
        credential_id,
        revocation_id,
        epoch,
    })
}

/// Fetch the epoch log after the oldest witness epoch and update every witness.
pub(crate) fn update(
    authority: &Client,
    wallet: &mut Wallet,
) -> Result<(WitnessUpdate, u64), ExchangeError> {
    let (_, registry) = sync_params(authority, wallet)?;
    let from = wallet
        .credentials()
        .iter()
        .filter_map(|c| c.witness())
        .filter(|w| !w.revoked())
        .map(|w| w.epoch() + 1)
        .min();
    let Some(from) = from else {
        return Ok((WitnessUpdate::default(), 0));
    };
    let entries = epochs_from(authority, from)?;
    if let Some(e) = entries
        .iter()
        .find(|e| registry.is_some_and(|r| r != e.registry()))
    {
        return Err(invalid("epoch entry")(format!(
            "epoch {} belongs to another registry",
            e.epoch()
        )));
    }
    let latest = entries
        .last()
        .map_or(from.saturating_sub(1), EpochEntry::epoch);
    let report = wallet
        .update_witnesses(&entries)
        .map_err(|e| invalid("epoch log")(e.to_string()))?;
    Ok((report, latest))
}

/// Ask a platform for a fresh presentation request.
pub(crate) fn fetch_request(verifier: &Client) -> Result<PresentationRequest, ExchangeError> {
    let r = verifier.post("/v1/requests", &json!({}))?;
    let bytes = verifier.envelope("/v1/requests", &r, "request")?;
    PresentationRequest::from_json(&bytes).map_err(|e| ExchangeError::Invalid {
        what: "presentation request",
        reason: e.to_string(),
    })
}

/// A platform's answer to a presentation.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub(crate) account_id: Option<u64>,
    pub(crate) new_account: bool,
    pub(crate) login_count: u64,
    pub(crate) pseudonym: Option<String>,
    pub(crate) claims: Value,
}

/// Send a presentation to a platform.
pub(crate) fn submit(verifier: &Client, presentation: &Presentation) -> Result<Login, HttpError> {
    let p: Value = serde_json::from_slice(&presentation.to_json()).unwrap_or(Value::Null);
    let r = verifier.post("/v1/verify", &json!({ "presentation": p }))?;
    let account = r.get("account").filter(|a| a.is_object());
    Ok(Login {
        account_id: account
            .and_then(|a| a.get("account_id"))
            .and_then(Value::as_u64),
        new_account: account
            .and_then(|a| a.get("new_account"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        login_count: account
            .and_then(|a| a.get("login_count"))
            .and_then(Value::as_u64)
            .unwrap_or(0),
        pseudonym: r
            .get("pseudonym")
            .and_then(Value::as_str)
            .map(str::to_owned),
        claims: r.get("claims").cloned().unwrap_or(Value::Null),
    })
}

/// Every epoch entry `>= from` of the authority's public log (all pages).
pub(crate) fn epochs_from(authority: &Client, from: u64) -> Result<Vec<EpochEntry>, ExchangeError> {
    let mut out = Vec::new();
    let mut next = from;
    loop {
        let path = format!("/v1/epochs?from={next}");
        let page = authority.get(&path)?;
        let latest = page.get("latest").and_then(Value::as_u64).unwrap_or(0);
        let items = page
            .get("epochs")
            .and_then(Value::as_array)
            .ok_or_else(|| authority.bad(&path, "missing epochs"))?;
        let before = out.len();
        for item in items {
            let json = authority.envelope(&path, item, "entry")?;
            let e =
                EpochEntry::from_json(&json).map_err(|e| invalid("epoch entry")(e.to_string()))?;
            next = next.max(e.epoch() + 1);
            out.push(e);
        }
        if out.len() == before || next > latest {
            return Ok(out);
        }
    }
}

/// A verifier's view of a remote authority's epoch log, over `GET /v1/epochs`.
pub(crate) struct HttpEpochSource(pub(crate) Client);

impl netnym_server::BlockingEpochSource for HttpEpochSource {
    fn epochs_from(&self, from: u64) -> Result<Vec<EpochEntry>, String> {
        epochs_from(&self.0, from).map_err(|e| e.to_string())
    }

    /// The `created_at` the authority gives the epoch in `GET /v1/epochs`.
    fn published_at(&self, epoch: u64) -> Option<u64> {
        let page = self.0.get(&format!("/v1/epochs?from={epoch}")).ok()?;
        page.get("epochs")?
            .as_array()?
            .iter()
            .find(|item| item.get("epoch").and_then(Value::as_u64) == Some(epoch))?
            .get("created_at")?
            .as_u64()
    }
}
