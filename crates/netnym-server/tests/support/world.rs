//! Shared fixture of the end-to-end tests: an authority and two platforms on loopback, and a
//! holder written against the core library.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::needless_collect
)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use netnym::*;
use netnym_server::*;
use netnym_store::*;
use rand::SeedableRng;
use serde_json::Value;

pub(crate) const ADMIN: &str = "admin-token-0123456789";
pub(crate) const SHOP: &str = "shop.example";
pub(crate) const RAIL: &str = "rail.example";

pub(crate) struct PgGuard {
    url: String,
    schema: String,
}

/// Drops a PostgreSQL schema at the end of a test.
pub(crate) type PgSchemaGuard = PgGuard;

impl PgGuard {
    pub(crate) fn new(url: &str, schema: &str) -> Self {
        Self {
            url: url.to_owned(),
            schema: schema.to_owned(),
        }
    }
}

impl Drop for PgGuard {
    /// On a thread with its own runtime: `Drop` cannot await, and may run inside a runtime.
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _ = rt.block_on(drop_postgres_schema(&url, &schema));
        })
        .join();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

pub(crate) fn pg_url() -> Option<String> {
    match std::env::var("NETNYM_TEST_PG_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but NETNYM_TEST_PG_URL is not set"
            );
            eprintln!("NETNYM_TEST_PG_URL not set: PostgreSQL variant skipped");
            None
        }
    }
}

/// A store of the backend, with whatever keeps it alive.
pub(crate) fn open_store(
    rt: &tokio::runtime::Runtime,
    backend: Backend,
    dir: &std::path::Path,
    name: &str,
) -> (Store, Option<PgGuard>) {
    let options = StoreOptions::default();
    match backend {
        Backend::Sqlite => (
            rt.block_on(Store::open_in_data_dir(&dir.join(name), &options))
                .unwrap(),
            None,
        ),
        Backend::Postgres => {
            use rand::RngCore;
            let url = pg_url().unwrap();
            let schema = format!("e2e_{}_{:012x}", name, rand::rngs::OsRng.next_u64() >> 16);
            let store = rt
                .block_on(Store::connect_postgres_in_schema(&url, &schema, &options))
                .unwrap();
            (store, Some(PgGuard { url, schema }))
        }
    }
}

pub(crate) struct World {
    pub(crate) rt: tokio::runtime::Runtime,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) authority_store: Store,
    pub(crate) platform_store: Store,
    pub(crate) authority: Option<ServerHandle>,
    pub(crate) shop: Option<ServerHandle>,
    pub(crate) rail: Option<ServerHandle>,
    pub(crate) pk: IssuerPublicKey,
    pub(crate) registry: RegistryPublicKey,
    pub(crate) range: RangeParams,
    /// Seconds added to the real clock (for expiry tests).
    pub(crate) skew: Arc<AtomicU64>,
    pub(crate) citizens: Vec<Citizen>,
    _guards: Vec<PgGuard>,
}

pub(crate) fn clock(skew: &Arc<AtomicU64>) -> Clock {
    let skew = skew.clone();
    Arc::new(move || unix_now() + skew.load(Ordering::SeqCst))
}

pub(crate) fn shop_policy() -> String {
    format!(
        r#"
verifier_id = "{SHOP}"
issuer_key_ids = ["KEY"]
disclose = ["region"]
predicates = [{{ age_at_least = 18 }}, {{ valid_on = "today" }}]
pseudonym = true
validity_seconds = 120
non_revoked = true
"#
    )
}

pub(crate) fn rail_policy() -> String {
    format!(
        r#"{{"verifier_id": "{RAIL}", "issuer_key_ids": ["KEY"], "disclose": [],
            "predicates": [{{"region_within": "31"}}], "pseudonym": true,
            "validity_seconds": 60, "non_revoked": true}}"#
    )
}

impl World {
    pub(crate) fn new(backend: Backend) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut guards = Vec::new();
        let (authority_store, g) = open_store(&rt, backend, dir.path(), "authority");
        guards.extend(g);
        let (platform_store, g) = open_store(&rt, backend, dir.path(), "platform");
        guards.extend(g);
        // Four Shanghai residents first (the rail policy's region), then two others.
        let (mut records, others): (Vec<_>, Vec<_>) = generate_citizens(11, 1, 60)
            .into_iter()
            .partition(|c| c.attributes["region"].as_str().unwrap().starts_with("31"));
        records.truncate(4);
        records.extend(others.into_iter().take(2));
        assert_eq!(records.len(), 6, "the generator's first 60 citizens");
        let citizens = rt
            .block_on(authority_store.import_citizens(&records, unix_now()))
            .unwrap();
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(99);
        let keys = rt
            .block_on(AuthorityKeys::init(
                &authority_store,
                &mut rng,
                b"authority passphrase",
                64,
                KdfParams::INSECURE_FAST,
            ))
            .unwrap();
        let pk = keys.issuer().public_key().clone();
        let registry = keys.registry().public_key().clone();
        let range = keys.range_params().clone();
        let skew = Arc::new(AtomicU64::new(0));
        let mut w = Self {
            rt,
            dir,
            authority_store,
            platform_store,
            authority: None,
            shop: None,
            rail: None,
            pk,
            registry,
            range,
            skew,
            citizens,
            _guards: guards,
        };
        w.start_authority(keys);
        w.shop = Some(w.start_platform(&shop_policy(), true));
        w.rail = Some(w.start_platform(&rail_policy(), false));
        w
    }

    pub(crate) fn start_authority(&mut self, keys: AuthorityKeys) {
        let config = AuthorityConfig {
            keys,
            admin_token: AdminToken::new(ADMIN).unwrap(),
            clock: clock(&self.skew),
        };
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let store = self.authority_store.clone();
        self.authority = Some(
            self.rt
                .block_on(start_authority(addr, store, config))
                .unwrap(),
        );
    }

    pub(crate) fn start_platform(&self, policy_text: &str, toml: bool) -> ServerHandle {
        self.start_platform_on(policy_text, toml, self.platform_store.clone())
    }

    pub(crate) fn start_platform_on(
        &self,
        policy_text: &str,
        toml: bool,
        store: Store,
    ) -> ServerHandle {
        let config = self.platform_config(policy_text, toml);
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        self.rt
            .block_on(start_verifier(addr, store, config))
            .unwrap()
    }

    /// A platform of `policy_text` (TOML) on the platform store, under `limits`.
    pub(crate) fn start_platform_limited(&self, policy_text: &str, limits: Limits) -> ServerHandle {
        let config = self.platform_config(policy_text, true);
        let listen = Listen::plain("127.0.0.1:0".parse().unwrap()).with_limits(limits);
        self.rt
            .block_on(start_verifier_on(
                listen,
                self.platform_store.clone(),
                config,
            ))
            .unwrap()
    }

    /// The configuration of a platform of `policy_text` trusting this world's authority.
    pub(crate) fn platform_config(&self, policy_text: &str, toml: bool) -> VerifierConfig {
        let text = policy_text.replace("KEY", &self.pk.key_id().to_string());
        let policy = Policy::parse(&text, toml)
            .unwrap()
            .validate(std::slice::from_ref(&self.pk))
            .unwrap();
        VerifierConfig {
            policy,
            issuer_keys: vec![self.pk.clone()],
            revocation: Some(VerifierRevocation {
                registry: self.registry.clone(),
                epochs: Arc::new(StoreEpochSource(self.authority_store.clone())),
            }),
            range_params: Some(self.range.clone()),
            clock: clock(&self.skew),
        }
    }

    pub(crate) fn authority_url(&self) -> String {
        self.authority.as_ref().unwrap().base_url()
    }
    pub(crate) fn shop_url(&self) -> String {
        self.shop.as_ref().unwrap().base_url()
    }
    pub(crate) fn rail_url(&self) -> String {
        self.rail.as_ref().unwrap().base_url()
    }

    pub(crate) fn code_for(&self, citizen: &str) -> String {
        let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
        self.rt
            .block_on(create_enrollment_code(
                &self.authority_store,
                &mut rng,
                citizen,
                unix_now(),
                3600,
            ))
            .unwrap()
            .expose()
            .to_owned()
    }

    pub(crate) fn citizen_region(&self, id: &str) -> String {
        let c = self.citizens.iter().find(|c| c.citizen_id == id).unwrap();
        c.attributes["region"].as_str().unwrap().to_owned()
    }

    pub(crate) fn shutdown(mut self) {
        for h in [self.authority.take(), self.shop.take(), self.rail.take()]
            .into_iter()
            .flatten()
        {
            self.rt.block_on(h.shutdown()).unwrap();
        }
    }
}

/// One HTTP call: (status, content type, body as JSON or Null).
pub(crate) fn call(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    body: Option<&str>,
) -> (u16, String, Value) {
    let mut req = ureq::request(method, url);
    if let Some(ct) = content_type {
        req = req.set("Content-Type", ct);
    }
    let result = match body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error on {method} {url}: {e}"),
    };
    let status = resp.status();
    let ct = resp.header("content-type").unwrap_or("").to_owned();
    let text = resp.into_string().unwrap();
    let v = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, ct, v)
}

pub(crate) fn post_json(url: &str, body: &str) -> (u16, Value) {
    let (s, _, v) = call("POST", url, Some("application/json"), Some(body));
    (s, v)
}

pub(crate) fn get(url: &str) -> (u16, Value) {
    let (s, _, v) = call("GET", url, None, None);
    (s, v)
}

/// Assert a problem document with `status` and `code`.
pub(crate) fn assert_problem(got: (u16, String, Value), status: u16, code: &str) {
    let (s, ct, v) = got;
    assert_eq!(s, status, "{v}");
    assert_eq!(ct, "application/problem+json", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["type"], format!("{PROBLEM_BASE}{code}"));
    assert!(v["title"].is_string() && v["detail"].is_string());
}

pub(crate) struct Holder {
    pub(crate) link_secret: LinkSecret,
    pub(crate) credential: Credential,
    pub(crate) witness: MembershipWitness,
    pub(crate) revocation_id: u64,
}

pub(crate) fn enroll(w: &World, code: &str) -> Holder {
    let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
    let (s, v) = post_json(
        &format!("{}/v1/enroll/offer", w.authority_url()),
        &serde_json::json!({ "code": code }).to_string(),
    );
    assert_eq!(s, 200, "{v}");
    let offer = IssuanceOffer::from_json(v["offer"].to_string().as_bytes()).unwrap();
    assert_eq!(v["issuer_key_id"], w.pk.key_id().to_string());
    let link_secret = LinkSecret::generate(&mut rng);
    let (request, pending) =
        BlindIssuanceRequest::new(&mut rng, &w.pk, &offer, &link_secret).unwrap();
    let body = format!(
        r#"{{"code": "{code}", "request": {}}}"#,
        String::from_utf8(request.to_json()).unwrap()
    );
    let (s, v) = post_json(&format!("{}/v1/enroll/finish", w.authority_url()), &body);
    assert_eq!(s, 200, "{v}");
    let response =
        IssuanceResponse::from_json(v["response"].to_string().as_bytes(), &w.pk).unwrap();
    let credential = pending.finish(&w.pk, response, &link_secret).unwrap();
    let witness =
        MembershipWitness::from_json(v["witness"].to_string().as_bytes(), &w.registry).unwrap();
    assert_eq!(witness.epoch(), v["epoch"].as_u64().unwrap());
    Holder {
        link_secret,
        credential,
        witness,
        revocation_id: v["revocation_id"].as_u64().unwrap(),
    }
}

/// Bring the witness to the authority's latest epoch over `GET /v1/epochs`.
///
/// # Errors
/// The core's error when an epoch revokes this holder.
pub(crate) fn update_witness(w: &World, h: &mut Holder) -> Result<(), RevocationError> {
    let (s, v) = get(&format!(
        "{}/v1/epochs?from={}",
        w.authority_url(),
        h.witness.epoch() + 1
    ));
    assert_eq!(s, 200, "{v}");
    for e in v["epochs"].as_array().unwrap() {
        let entry = EpochEntry::from_json(e["entry"].to_string().as_bytes()).unwrap();
        h.witness.update(&entry)?;
    }
    Ok(())
}

/// Ask a platform for a request.
pub(crate) fn new_request(platform_url: &str) -> (PresentationRequest, Value) {
    let (s, v) = post_json(&format!("{platform_url}/v1/requests"), "{}");
    assert_eq!(s, 200, "{v}");
    let req = PresentationRequest::from_json(v["request"].to_string().as_bytes()).unwrap();
    (req, v)
}

/// The presentation JSON answering `req`.
pub(crate) fn present(w: &World, h: &Holder, req: &PresentationRequest) -> String {
    let mut rng = rand_chacha::ChaCha20Rng::from_entropy();
    let holding = Holding::new(&h.credential, &w.pk).with_witness(&h.witness);
    let p =
        Presentation::create_with(&mut rng, req, &[holding], &h.link_secret, &[&w.range]).unwrap();
    String::from_utf8(p.to_json()).unwrap()
}

pub(crate) fn verify_body(presentation: &str) -> String {
    format!(r#"{{"presentation": {presentation}}}"#)
}

/// Request, present and verify at a platform; the 200 body.
pub(crate) fn login(w: &World, h: &Holder, platform_url: &str) -> Value {
    let (req, _) = new_request(platform_url);
    let p = present(w, h, &req);
    let (s, v) = post_json(&format!("{platform_url}/v1/verify"), &verify_body(&p));
    assert_eq!(s, 200, "{v}");
    v
}
