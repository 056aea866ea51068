//! Shared harness of the load test (`examples/loadtest.rs`, `tests/load.rs`) and the fault
//! tests (`tests/faults.rs`): holders enrolled at an in-process authority, a verifier running
//! as a separate process (`netnym-verifier`), logins made with the core API, a load driver.
//!
//! Include after `support/world.rs` as `mod common;`.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use netnym::*;
use netnym_store::*;
use serde_json::Value;

use crate::common::*;

/// The load verifier's policy: the shop's (disclose region, age ≥ 18, valid today, pseudonym,
/// non-revocation) with requests valid for an hour, so a pool of presentations made before
/// the timed phase stays valid through it.
pub fn load_policy() -> String {
    shop_policy().replace("validity_seconds = 120", "validity_seconds = 3600")
}

/// An authority (in-process, SQLite), holders enrolled over HTTP, and the files a verifier
/// process needs (policy, trust bundle).
pub struct Fleet {
    pub w: World,
    pub holders: Vec<Holder>,
    pub policy: PathBuf,
    pub trust: PathBuf,
}

impl Fleet {
    /// Enroll `n` holders (1..=50) that satisfy the load policy.
    pub fn new(n: usize) -> Self {
        assert!((1..=50).contains(&n));
        let w = World::new(Backend::Sqlite);
        // More citizens than the fixture's six.
        w.rt.block_on(
            w.authority_store
                .import_citizens(&generate_citizens(12, 1000, n + 10), unix_now()),
        )
        .unwrap();
        let today = Date::from_unix(unix_now()).unwrap();
        let mut holders = Vec::new();
        for c in w.rt.block_on(w.authority_store.citizens(0, 1000)).unwrap() {
            if holders.len() == n {
                break;
            }
            // The policy's `valid_on = "today"`: skip documents that have expired.
            let until = c.attributes["expires_on"].as_str().unwrap_or("");
            if until <= today.to_string().as_str() {
                continue;
            }
            holders.push(enroll(&w, &w.code_for(&c.citizen_id)));
        }
        assert_eq!(holders.len(), n, "not enough citizens with valid documents");
        let policy = w.dir.path().join("load-policy.toml");
        std::fs::write(
            &policy,
            load_policy().replace("KEY", &w.pk.key_id().to_string()),
        )
        .unwrap();
        let epochs: Vec<Value> =
            w.rt.block_on(w.authority_store.epochs_from(0, MAX_EPOCH_PAGE))
                .unwrap()
                .iter()
                .map(|r| serde_json::from_slice(&r.entry).unwrap())
                .collect();
        let bundle = serde_json::json!({
            "type": "netnym-issuer-bundle", "version": 1,
            "issuer_keys": [serde_json::from_slice::<Value>(&w.pk.to_json()).unwrap()],
            "range_params": [serde_json::from_slice::<Value>(&w.range.to_json()).unwrap()],
            "registries": [serde_json::from_slice::<Value>(&w.registry.to_json()).unwrap()],
            "epochs": epochs,
        });
        let trust = w.dir.path().join("trust.json");
        std::fs::write(&trust, bundle.to_string()).unwrap();
        Self {
            w,
            holders,
            policy,
            trust,
        }
    }
}

#[path = "db.rs"]
pub mod db;
pub use db::Db as VerifierDb;

/// A verifier process; SIGKILLed when dropped.
pub struct VerifierProc {
    child: Child,
    pub url: String,
    pub stderr: PathBuf,
}

impl VerifierProc {
    /// Start `cmd` (the `netnym-verifier` binary, or a program that runs it) on `db` and wait
    /// until it listens.
    pub fn spawn(mut cmd: Command, fleet: &Fleet, db: &VerifierDb, dir: &Path, round: u32) -> Self {
        let addr_file = dir.join(format!("verifier-addr-{round}"));
        let stderr = dir.join(format!("verifier-stderr-{round}"));
        let child = cmd
            .args(db.args())
            .arg("--policy")
            .arg(&fleet.policy)
            .arg("--trust")
            .arg(&fleet.trust)
            .arg("--addr-file")
            .arg(&addr_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(&stderr).unwrap()))
            .spawn()
            .unwrap();
        let mut p = Self {
            child,
            url: String::new(),
            stderr,
        };
        let start = Instant::now();
        loop {
            if let Ok(a) = std::fs::read_to_string(&addr_file) {
                p.url = format!("http://{a}");
                return p;
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                panic!("verifier exited with {status}: {}", p.stderr_text());
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "verifier did not start: {}",
                p.stderr_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// A field of /proc/PID/status in KiB (`VmHWM` is the peak resident set).
    pub fn status_kib(&self, field: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        s.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse().ok())
    }

    /// SIGKILL and reap.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Send `signal` (`TERM`, `INT`) to the process.
    pub fn signal(&self, signal: &str) {
        send_signal(self.pid(), signal);
    }

    /// Wait up to `limit` for the process to exit; its status, or None if it still runs.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        wait_exit(&mut self.child, limit)
    }
}

/// Send `signal` (`TERM`, `INT`) to process `pid` with kill(1).
pub fn send_signal(pid: u32, signal: &str) {
    let ok = Command::new("kill")
        .args(["-s", signal, &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -s {signal} {pid} failed");
}

/// Wait up to `limit` for `child` to exit.
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Drop for VerifierProc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One login ready to be posted: the request's nonce, the holder, the `POST /v1/verify` body.
#[derive(Clone)]
pub struct Login {
    pub holder: usize,
    pub nonce: Vec<u8>,
    pub body: String,
}

/// Fetch a request from the verifier at `url` and answer it for holder `h` with the core API.
pub fn make_login(
    fleet: &Fleet,
    agent: &ureq::Agent,
    url: &str,
    h: usize,
) -> Result<Login, String> {
    let (s, v) = send(agent, &format!("{url}/v1/requests"), "{}").map_err(|e| e.to_string())?;
    if s != 200 {
        return Err(format!("POST /v1/requests: {s} {v}"));
    }
    let req = PresentationRequest::from_json(v["request"].to_string().as_bytes())
        .map_err(|e| format!("request: {e}"))?;
    Ok(Login {
        holder: h,
        nonce: req.nonce().to_vec(),
        body: verify_body(&present(&fleet.w, &fleet.holders[h], &req)),
    })
}

/// `count` logins made by `threads` threads (holders round robin).
pub fn make_logins(fleet: &Fleet, url: &str, count: usize, threads: usize) -> Vec<Login> {
    let next = AtomicUsize::new(0);
    let out = Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                let agent = agent(Duration::from_secs(30));
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        break;
                    }
                    let l = make_login(fleet, &agent, url, i % fleet.holders.len()).unwrap();
                    out.lock().unwrap().push(l);
                }
            });
        }
    });
    out.into_inner().unwrap()
}

pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new().timeout(timeout).build()
}

/// A transport failure (no HTTP status).
#[derive(Debug)]
pub struct Transport(pub String);

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// POST JSON; (status, body as JSON with `"_content_type"` added for problems).
pub fn send(agent: &ureq::Agent, url: &str, body: &str) -> Result<(u16, Value), Transport> {
    let resp = match agent
        .post(url)
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(Transport(e.to_string())),
    };
    let status = resp.status();
    let ct = resp.header("content-type").unwrap_or("").to_owned();
    let text = resp.into_string().map_err(|e| Transport(e.to_string()))?;
    let mut v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != 200 {
        v = serde_json::json!({"_content_type": ct, "_body": v, "code": v["code"].clone()});
    }
    Ok((status, v))
}

/// The pseudonym bytes of a 200 answer.
pub fn pseudonym_bytes(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(v["pseudonym"].as_str().unwrap())
        .unwrap()
}

/// What each holder's account must look like: the account id and pseudonym of its first
/// acknowledged login; later logins must return the same.
#[derive(Default)]
pub struct Accounts(Mutex<Vec<Option<(u64, String)>>>);

impl Accounts {
    pub fn new(holders: usize) -> Self {
        Self(Mutex::new(vec![None; holders]))
    }

    /// Each holder's (account id, pseudonym) so far.
    pub fn snapshot(&self) -> Vec<Option<(u64, String)>> {
        self.0.lock().unwrap().clone()
    }

    /// Check a 200 body of `holder`'s login; Err(reason) when it is not a valid login.
    pub fn check(&self, holder: usize, v: &Value) -> Result<(), String> {
        let id = v["account"]["account_id"]
            .as_u64()
            .ok_or_else(|| format!("no account id: {v}"))?;
        let nym = v["pseudonym"]
            .as_str()
            .ok_or_else(|| format!("no pseudonym: {v}"))?
            .to_owned();
        if v["claims"]["verifier_id"] != SHOP {
            return Err(format!("wrong verifier id: {v}"));
        }
        let mut a = self.0.lock().unwrap();
        match &a[holder] {
            None => a[holder] = Some((id, nym)),
            Some((i, n)) if *i == id && *n == nym => {}
            Some(prev) => {
                return Err(format!(
                    "holder {holder}: account {id} {nym}, earlier {prev:?}"
                ))
            }
        }
        Ok(())
    }
}

/// Load-test parameters.
pub struct LoadConfig {
    pub seconds: f64,
    pub clients: usize,
    /// Presentations made before the timed phase.
    pub pool: usize,
    /// Threads making the pool.
    pub provers: usize,
}

/// What a load run measured.
pub struct LoadReport {
    pub backend: &'static str,
    pub clients: usize,
    pub holders: usize,
    pub pool_made: usize,
    pub pool_seconds: f64,
    pub elapsed: f64,
    pub ok: usize,
    pub from_pool: usize,
    pub live: usize,
    pub errors: usize,
    pub first_errors: Vec<String>,
    /// Latencies of `POST /v1/verify`, sorted, in seconds.
    pub latencies: Vec<f64>,
    /// Holders with at least one acknowledged login.
    pub holders_seen: usize,
    pub vm_hwm_kib: Option<u64>,
    pub vm_rss_kib: Option<u64>,
}

impl LoadReport {
    pub fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        // Nearest rank.
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies[rank.clamp(1, self.latencies.len()) - 1]
    }

    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed
    }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |s: f64| s * 1000.0;
        writeln!(
            f,
            "backend: {}   clients: {}   holders: {}",
            self.backend, self.clients, self.holders
        )?;
        writeln!(
            f,
            "pool: {} presentations made in {:.1} s before the timed phase",
            self.pool_made, self.pool_seconds
        )?;
        writeln!(
            f,
            "timed phase: {:.2} s, {} verifications OK ({} from the pool, {} proved live), {} errors",
            self.elapsed, self.ok, self.from_pool, self.live, self.errors
        )?;
        writeln!(f, "throughput: {:.1} verifications/s", self.throughput())?;
        writeln!(
            f,
            "POST /v1/verify latency ms: p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
            ms(self.percentile(50.0)),
            ms(self.percentile(95.0)),
            ms(self.percentile(99.0)),
            ms(self.latencies.last().copied().unwrap_or(f64::NAN))
        )?;
        let mib =
            |k: Option<u64>| k.map_or("?".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
        write!(
            f,
            "verifier process: peak RSS (VmHWM) {}, RSS at end {}",
            mib(self.vm_hwm_kib),
            mib(self.vm_rss_kib)
        )?;
        for e in &self.first_errors {
            write!(f, "\nerror: {e}")?;
        }
        Ok(())
    }
}

/// Run the load against a started verifier: build the pool, then `clients` threads post
/// logins for `seconds` (taking from the pool, then proving live when it runs out).
pub fn run_load(
    fleet: &Fleet,
    verifier: &VerifierProc,
    backend: &'static str,
    cfg: &LoadConfig,
) -> LoadReport {
    let t = Instant::now();
    let pool = make_logins(fleet, &verifier.url, cfg.pool, cfg.provers);
    let pool_seconds = t.elapsed().as_secs_f64();
    let pool_made = pool.len();
    let pool = Mutex::new(pool);
    let accounts = Accounts::new(fleet.holders.len());
    let latencies = Mutex::new(Vec::new());
    let errors = AtomicUsize::new(0);
    let first_errors = Mutex::new(Vec::new());
    let (from_pool, live) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let stop = AtomicBool::new(false);
    let url = format!("{}/v1/verify", verifier.url);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(cfg.seconds);
    let record_error = |e: String| {
        errors.fetch_add(1, Ordering::SeqCst);
        let mut fe = first_errors.lock().unwrap();
        if fe.len() < 10 {
            fe.push(e);
        }
    };
    std::thread::scope(|s| {
        for c in 0..cfg.clients {
            let (pool, accounts, latencies, url) = (&pool, &accounts, &latencies, &url);
            let (from_pool, live, stop, record_error) = (&from_pool, &live, &stop, &record_error);
            s.spawn(move || {
                let agent = agent(Duration::from_secs(30));
                let mut mine = Vec::new();
                let mut n = 0usize;
                while Instant::now() < deadline && !stop.load(Ordering::SeqCst) {
                    let pooled = pool.lock().unwrap().pop();
                    let login = match pooled {
                        Some(l) => {
                            from_pool.fetch_add(1, Ordering::SeqCst);
                            l
                        }
                        None => {
                            let h = (c + n * cfg.clients) % fleet.holders.len();
                            match make_login(fleet, &agent, &verifier.url, h) {
                                Ok(l) => {
                                    live.fetch_add(1, Ordering::SeqCst);
                                    l
                                }
                                Err(e) => {
                                    record_error(e);
                                    continue;
                                }
                            }
                        }
                    };
                    n += 1;
                    let t0 = Instant::now();
                    let r = send(&agent, url, &login.body);
                    let dt = t0.elapsed().as_secs_f64();
                    match r {
                        Ok((200, v)) => match accounts.check(login.holder, &v) {
                            Ok(()) => mine.push(dt),
                            Err(e) => record_error(e),
                        },
                        Ok((st, v)) => record_error(format!("status {st}: {v}")),
                        Err(e) => {
                            record_error(format!("transport: {e}"));
                            // A dead server: stop everyone rather than spin.
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                }
                latencies.lock().unwrap().extend(mine);
            });
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort_by(f64::total_cmp);
    LoadReport {
        backend,
        clients: cfg.clients,
        holders: fleet.holders.len(),
        pool_made,
        pool_seconds,
        elapsed,
        ok: latencies.len(),
        from_pool: from_pool.into_inner(),
        live: live.into_inner(),
        errors: errors.into_inner(),
        first_errors: first_errors.into_inner().unwrap(),
        latencies,
        holders_seen: accounts.snapshot().iter().flatten().count(),
        vm_hwm_kib: verifier.status_kib("VmHWM"),
        vm_rss_kib: verifier.status_kib("VmRSS"),
    }
}
