//! `netnym demo`: the whole system in one process, narrated.
//!
//! In a temporary directory: a private CA made for the run (`ephemeral_pki`: `ca.pem`, and a
//! server certificate for `localhost` / `127.0.0.1` that all three services use); the
//! authority (embedded SQLite, sealed keys, HTTPS on a loopback port) registers three synthetic Shanghai residents and hands each a one-time enrollment
//! code; each citizen's encrypted wallet enrolls over HTTPS by blind issuance. Every client of
//! the run (wallets, the platforms' epoch-log fetches, the admin's revocation) trusts only the
//! run's CA. Two platforms
//! (each with its own SQLite database and policy) ask for age / residency / validity
//! predicates, non-revocation and a pseudonym; every citizen signs in twice to each. The demo
//! checks, and stops with an error if any check fails, that each platform sees one stable
//! pseudonym per citizen and that pseudonyms differ across platforms. Then the authority
//! revokes one citizen: that citizen's wallet can no longer prove non-revocation for the epoch
//! the platforms accept (before and after updating from the public log), while the others
//! update their witnesses and sign in again. A replayed presentation is refused.
//!
//! `--out DIR` also writes `issuer.json` (an issuer bundle: key, range-proof parameters,
//! registry key, the whole epoch log), `request.json` and `presentation.json` (the last
//! successful sign-in), which `netnym verify` accepts while the request is valid (10 minutes;
//! pass `--now` to verify later).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use netnym::{RangeParams, RegistryPublicKey};
use netnym_server::{
    create_enrollment_code, start_authority_on, start_verifier_on, system_clock, AdminToken,
    AuthorityConfig, AuthorityKeys, Blocking, Listen, Policy, ServerHandle, ServerTls,
    VerifierConfig, VerifierRevocation,
};
use netnym_store::{generate_citizens, CitizenRecord, Store, StoreOptions};
use netnym_wallet::{KdfParams, Password, Wallet};
use rand::{CryptoRng, RngCore};
use serde_json::json;
use thiserror::Error;

use crate::bundle::IssuerBundle;
use crate::cli::DemoArgs;
use crate::clock::now;
use crate::ephemeral_pki::{self, PkiError};
use crate::http::{self, Client, ExchangeError, HttpEpochSource, HttpError};
use crate::transport::ClientTls;

/// Revocation ids of the demo registry (small: the authority's work per witness is linear).
const DEMO_DOMAIN: u64 = 1024;
/// The passphrase sealing the demo authority's keys.
const AUTHORITY_PASSPHRASE: &str = "demo authority passphrase";

/// The password of a demo citizen's wallet.
fn wallet_password(citizen_id: &str) -> String {
    format!("demo password of {citizen_id}")
}

/// Errors of `netnym demo`.
#[derive(Debug, Error)]
pub(crate) enum DemoError {
    #[error("demo setup failed: {0}")]
    Setup(String),
    #[error("demo: {0}")]
    Exchange(#[from] ExchangeError),
    #[error("demo: {0}")]
    Http(#[from] HttpError),
    #[error("demo: {0}")]
    Pki(#[from] PkiError),
    #[error("demo: {0}")]
    Tls(#[from] netnym_server::TlsError),
    #[error("demo check failed: {0}")]
    Check(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl DemoError {
    pub(crate) fn exit_code(&self) -> u8 {
        1
    }
}

fn setup<E: core::fmt::Display>(what: &'static str) -> impl Fn(E) -> DemoError {
    move |e| DemoError::Setup(format!("{what}: {e}"))
}

fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), DemoError> {
    if ok {
        Ok(())
    } else {
        Err(DemoError::Check(what()))
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn short(s: &str) -> String {
    format!("{}…", s.get(..12).unwrap_or(s))
}

struct Citizen {
    id: String,
    name: String,
    wallet: Wallet,
}

struct Platform {
    name: &'static str,
    handle: ServerHandle,
    client: Client,
}

/// One sign-in as a platform saw it: pseudonym, account id, whether the account was new.
type Seen = (String, u64, bool);

/// Timings, in milliseconds.
#[derive(Default)]
struct Timings {
    enroll: Vec<f64>,
    prove: Vec<f64>,
    login: Vec<f64>,
}

fn avg(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn policy(name: &str, key_id: &str, predicates: serde_json::Value) -> String {
    json!({
        "verifier_id": name,
        "issuer_key_ids": [key_id],
        "disclose": [],
        "predicates": predicates,
        "pseudonym": true,
        "validity_seconds": 600,
        "non_revoked": true,
        "accepted_epochs": 1
    })
    .to_string()
}

/// One sign-in: request, wallet check, proof, verification. Returns the pseudonym, account
/// id, whether the account is new, the request and the presentation JSON.
struct SignIn {
    pseudonym: String,
    account_id: u64,
    new_account: bool,
    request: Vec<u8>,
    presentation: Vec<u8>,
}

fn sign_in(
    rng: &mut (impl RngCore + CryptoRng),
    platform: &Platform,
    citizen: &mut Citizen,
    timings: &mut Timings,
) -> Result<SignIn, DemoError> {
    let t = Instant::now();
    let request = http::fetch_request(&platform.client)?;
    let checked = citizen.wallet.check_request(&request, now());
    check(checked.is_satisfiable(), || {
        format!(
            "{}'s wallet cannot answer {}: {}",
            citizen.id,
            platform.name,
            checked.problem().unwrap_or_default()
        )
    })?;
    let tp = Instant::now();
    let (presentation, _) = citizen
        .wallet
        .present(rng, &request, now())
        .map_err(|e| DemoError::Check(format!("{}: {e}", citizen.id)))?;
    timings.prove.push(ms(tp));
    let login = http::submit(&platform.client, &presentation)?;
    timings.login.push(ms(t));
    let (Some(pseudonym), Some(account_id)) = (login.pseudonym, login.account_id) else {
        return Err(DemoError::Check(format!(
            "{} did not return a pseudonym account",
            platform.name
        )));
    };
    Ok(SignIn {
        pseudonym,
        account_id,
        new_account: login.new_account,
        request: request.to_json(),
        presentation: presentation.to_json(),
    })
}

/// Run the demo.
#[allow(clippy::too_many_lines)] // One narrated script reads best top to bottom.
pub(crate) fn run(rng: &mut (impl RngCore + CryptoRng), args: &DemoArgs) -> Result<(), DemoError> {
    let started = Instant::now();
    let tmp = tempfile::tempdir().map_err(setup("temporary directory"))?;
    let work: PathBuf = match &args.keep_data_for_test {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(setup("--keep-data-for-test directory"))?;
            d.clone()
        }
        None => tmp.path().to_owned(),
    };
    // Filled only with --keep-data-for-test.
    let mut test_secrets = serde_json::Map::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(setup("tokio runtime"))?;
    let pb = ProgressBar::new(8);
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    let say = |s: String| pb.suspend(|| println!("{s}"));
    let (wallet_kdf, sealed_kdf) = if args.insecure_fast_kdf {
        (
            KdfParams::INSECURE_FAST,
            netnym_store::KdfParams::INSECURE_FAST,
        )
    } else {
        (KdfParams::DEFAULT, netnym_store::KdfParams::DEFAULT)
    };

    // 0. TLS: a CA for this run only, and the services' certificate.
    let pki = ephemeral_pki::generate(&work, now())?;
    let server_tls = ServerTls::from_pem_files(&pki.cert, &pki.key)?;
    let client_tls = ClientTls::new(Some(&pki.ca), false).map_err(HttpError::from)?;
    let on_loopback = || Listen::tls(([127, 0, 0, 1], 0).into(), server_tls.clone());

    // 1. The authority.
    pb.set_message("authority: registry, keys, services");
    let t = Instant::now();
    let store = rt
        .block_on(Store::open_sqlite(
            &work.join("authority.sqlite"),
            &StoreOptions::default(),
        ))
        .map_err(setup("authority database"))?;
    let citizens: Vec<CitizenRecord> = generate_citizens(2026, 1, 64)
        .into_iter()
        .filter(|c| {
            c.attributes["region"]
                .as_str()
                .is_some_and(|r| r.starts_with("31"))
        })
        .take(3)
        .collect();
    check(citizens.len() == 3, || {
        "fewer than three synthetic Shanghai residents".into()
    })?;
    rt.block_on(store.import_citizens(&citizens, now()))
        .map_err(setup("citizen import"))?;
    let keys = rt
        .block_on(AuthorityKeys::init(
            &store,
            rng,
            AUTHORITY_PASSPHRASE.as_bytes(),
            DEMO_DOMAIN,
            sealed_kdf,
        ))
        .map_err(setup("authority keys"))?;
    let issuer_pk = keys.issuer().public_key().clone();
    let registry_pk: RegistryPublicKey = keys.registry().public_key().clone();
    // The authority's public range-proof parameters (their digit-signing key was destroyed
    // when `init` generated them); /v1/params publishes them too.
    let range: RangeParams = keys.range_params().clone();
    let mut token = [0u8; 16];
    rng.fill_bytes(&mut token);
    let admin_token: String = token.iter().map(|b| format!("{b:02x}")).collect();
    let config = AuthorityConfig {
        keys,
        admin_token: AdminToken::new(&admin_token).map_err(setup("admin token"))?,
        clock: system_clock(),
    };
    let authority = rt
        .block_on(start_authority_on(on_loopback(), store.clone(), config))
        .map_err(setup("authority service"))?;
    let auth_client = Client::new(&authority.base_url(), &client_tls)?;
    let authority_ms = ms(t);
    say(format!(
        "Authority up at {} in {authority_ms:.0} ms: issuer key {}, revocation registry {} (ids 1..={DEMO_DOMAIN}), {} citizens registered.",
        authority.base_url(),
        short(&issuer_pk.key_id().to_string()),
        short(&registry_pk.id().to_string()),
        citizens.len()
    ));
    pb.inc(1);

    // 2. Two platforms, each with its own database and policy.
    pb.set_message("platforms: policies, services");
    let key_hex = issuer_pk.key_id().to_string();
    let specs = [
        (
            "shop.example",
            json!([{"age_at_least": 18}, {"valid_on": "today"}]),
            "age at least 18, credential valid today, not revoked",
        ),
        (
            "metro.shanghai.example",
            json!([{"region_within": "31"}, {"valid_on": "today"}]),
            "lives in Shanghai (region 31xxxx), credential valid today, not revoked",
        ),
    ];
    let mut platforms = Vec::new();
    for (name, predicates, text) in specs {
        let db = work.join(format!("{name}.sqlite"));
        let pstore = rt
            .block_on(Store::open_sqlite(&db, &StoreOptions::default()))
            .map_err(setup("platform database"))?;
        let loaded = Policy::parse(&policy(name, &key_hex, predicates), false)
            .and_then(|p| p.validate(std::slice::from_ref(&issuer_pk)))
            .map_err(setup("platform policy"))?;
        let config = VerifierConfig {
            policy: loaded,
            issuer_keys: vec![issuer_pk.clone()],
            revocation: Some(VerifierRevocation {
                registry: registry_pk.clone(),
                epochs: Arc::new(Blocking::new(HttpEpochSource(Client::new(
                    &authority.base_url(),
                    &client_tls,
                )?))),
            }),
            range_params: Some(range.clone()),
            clock: system_clock(),
        };
        let handle = rt
            .block_on(start_verifier_on(on_loopback(), pstore, config))
            .map_err(setup("platform service"))?;
        say(format!(
            "Platform {name} up at {}: asks for {text}, and a pseudonym; discloses nothing else.",
            handle.base_url()
        ));
        platforms.push(Platform {
            name,
            client: Client::new(&handle.base_url(), &client_tls)?,
            handle,
        });
    }
    pb.inc(1);

    // 3. Enrollment: a one-time code per citizen, blind issuance into an encrypted wallet.
    pb.set_message("enrollment: wallets, blind issuance");
    let mut timings = Timings::default();
    let mut people = Vec::new();
    for c in &citizens {
        let code = rt
            .block_on(create_enrollment_code(
                &store,
                rng,
                &c.citizen_id,
                now(),
                3600,
            ))
            .map_err(setup("enrollment code"))?;
        let t = Instant::now();
        let path = work.join(format!("{}.wallet", c.citizen_id));
        let password = Password::new(wallet_password(&c.citizen_id));
        let (mut wallet, phrase) =
            Wallet::create(rng, &path, &password, wallet_kdf, now()).map_err(setup("wallet"))?;
        if args.keep_data_for_test.is_some() {
            test_secrets.insert(
                c.citizen_id.clone(),
                json!({
                    "wallet_password": wallet_password(&c.citizen_id),
                    "recovery_phrase": phrase.expose(),
                    "enrollment_code": code.expose(),
                }),
            );
        }
        drop(phrase);
        // Enrollment pins the authority's public data from /v1/params: issuer key, registry
        // key and range-proof parameters.
        let e = http::enroll(rng, &auth_client, &mut wallet, code.expose(), now())?;
        wallet.save(rng).map_err(setup("wallet save"))?;
        timings.enroll.push(ms(t));
        let name = format!(
            "{} {}",
            c.attributes["family_name"].as_str().unwrap_or("?"),
            c.attributes["given_name"].as_str().unwrap_or("?")
        );
        say(format!(
            "Enrolled {} ({name}, born {}, region {}): {} with revocation id {}, witness at epoch {}, {:.0} ms. The authority never saw the link secret.",
            c.citizen_id,
            c.attributes["birth_date"].as_str().unwrap_or("?"),
            c.attributes["region"].as_str().unwrap_or("?"),
            e.credential_id,
            e.revocation_id.unwrap_or(0),
            e.epoch.unwrap_or(0),
            timings.enroll.last().copied().unwrap_or(0.0)
        ));
        people.push(Citizen {
            id: c.citizen_id.clone(),
            name,
            wallet,
        });
    }
    if let Some(d) = &args.keep_data_for_test {
        test_secrets.insert("admin_token".into(), json!(admin_token));
        test_secrets.insert("authority_passphrase".into(), json!(AUTHORITY_PASSPHRASE));
        write_private(
            d,
            "test-secrets.json",
            &serde_json::Value::Object(test_secrets).to_string(),
        )?;
    }
    pb.inc(1);

    // What the wallet shows before the first sign-in.
    let first = http::fetch_request(&platforms[0].client)?;
    say(format!(
        "\nBefore presenting, {}'s wallet shows:\n{}\n",
        people[0].id,
        people[0].wallet.check_request(&first, now())
    ));

    // 4. Two sign-ins per citizen per platform.
    pb.set_message("sign-ins: 2 per citizen per platform");
    let mut seen: BTreeMap<(usize, usize), Vec<Seen>> = BTreeMap::new();
    let mut last = None;
    for round in 0..2 {
        for (pi, p) in platforms.iter().enumerate() {
            for (ci, c) in people.iter_mut().enumerate() {
                let s = sign_in(rng, p, c, &mut timings)?;
                seen.entry((pi, ci)).or_default().push((
                    s.pseudonym.clone(),
                    s.account_id,
                    s.new_account,
                ));
                if round == 1 && pi == 0 && ci == 0 {
                    last = Some(s);
                }
            }
        }
    }
    for (pi, p) in platforms.iter().enumerate() {
        for (ci, c) in people.iter().enumerate() {
            let v = &seen[&(pi, ci)];
            check(v.len() == 2 && v[0].0 == v[1].0 && v[0].1 == v[1].1, || {
                format!("{} got two different pseudonyms at {}", c.id, p.name)
            })?;
            check(v[0].2 && !v[1].2, || {
                format!(
                    "{} was not registered once then signed in at {}",
                    c.id, p.name
                )
            })?;
            say(format!(
                "{:<24} {} ({}): pseudonym {} account #{} — same on both sign-ins (registered, then signed in)",
                p.name,
                c.id,
                c.name,
                short(&v[0].0),
                v[0].1
            ));
        }
    }
    for ci in 0..people.len() {
        let a = &seen[&(0, ci)][0].0;
        let b = &seen[&(1, ci)][0].0;
        check(a != b, || {
            format!("{} has the same pseudonym on both platforms", people[ci].id)
        })?;
    }
    let mut all: Vec<&String> = seen.values().map(|v| &v[0].0).collect();
    all.sort();
    all.dedup();
    check(all.len() == platforms.len() * people.len(), || {
        "two citizens or platforms share a pseudonym".into()
    })?;
    say(format!(
        "Checked: each platform sees one stable pseudonym per citizen; the {} pseudonyms are all different, so the platforms cannot join their accounts.",
        all.len()
    ));
    pb.inc(1);

    // 5. A replayed presentation is refused.
    if let Some(s) = &last {
        let p: serde_json::Value =
            serde_json::from_slice(&s.presentation).unwrap_or(serde_json::Value::Null);
        match platforms[0]
            .client
            .post("/v1/verify", &json!({ "presentation": p }))
        {
            Err(HttpError::Problem { status, code, .. }) => say(format!(
                "Replaying {}'s last presentation to {}: refused ({status} {code}).",
                people[0].id, platforms[0].name
            )),
            Ok(_) => {
                return Err(DemoError::Check(
                    "a replayed presentation was accepted".into(),
                ))
            }
            Err(e) => return Err(e.into()),
        }
    }
    pb.inc(1);

    // 6. Revocation.
    pb.set_message("revocation");
    let revoked = 1;
    let t = Instant::now();
    let r = auth_client.post_bearer(
        "/v1/revoke",
        &json!({ "citizen_id": people[revoked].id }),
        &admin_token,
    )?;
    let revoke_ms = ms(t);
    let epoch = r
        .get("epoch")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    say(format!(
        "\nThe authority revokes {} ({}): epoch {epoch} published in {revoke_ms:.0} ms.",
        people[revoked].id, people[revoked].name
    ));
    // The revoked holder, with its old witness: no proof for the epoch the platform accepts.
    for p in &platforms {
        let req = http::fetch_request(&p.client)?;
        let c = people[revoked].wallet.check_request(&req, now());
        check(!c.is_satisfiable(), || {
            "a revoked holder could still present".into()
        })?;
        say(format!(
            "{} tries {} with its old witness: refused — {}",
            people[revoked].id,
            p.name,
            c.problem().unwrap_or_default()
        ));
    }
    let mut update_ms = Vec::new();
    for (ci, c) in people.iter_mut().enumerate() {
        let tu = Instant::now();
        let (report, latest) = http::update(&auth_client, &mut c.wallet)?;
        update_ms.push(ms(tu));
        if ci == revoked {
            check(report.revoked.len() == 1, || {
                "the revoked wallet did not notice".into()
            })?;
        } else {
            check(report.updated.len() == 1 && latest == epoch, || {
                format!("{}'s witness did not reach epoch {epoch}", c.id)
            })?;
        }
    }
    let req = http::fetch_request(&platforms[0].client)?;
    let c = people[revoked].wallet.check_request(&req, now());
    check(!c.is_satisfiable(), || {
        "a revoked holder could still present".into()
    })?;
    say(format!(
        "After updating from the public epoch log, {}'s wallet knows: {}",
        people[revoked].id,
        c.problem().unwrap_or_default()
    ));
    pb.inc(1);
    let mut after = None;
    for (pi, p) in platforms.iter().enumerate() {
        for (ci, c) in people.iter_mut().enumerate() {
            if ci == revoked {
                continue;
            }
            let s = sign_in(rng, p, c, &mut timings)?;
            check(
                s.pseudonym == seen[&(pi, ci)][0].0 && !s.new_account,
                || format!("{} lost its account at {} after updating", c.id, p.name),
            )?;
            if pi == 0 && ci == 0 {
                after = Some(s);
            }
        }
    }
    say(format!(
        "The other {} citizens updated their witnesses to epoch {epoch} and signed in again to both platforms: same accounts.",
        people.len() - 1
    ));
    pb.inc(1);

    // 7. Files for `netnym verify`.
    if let (Some(out), Some(s)) = (&args.out, &after) {
        let bundle = IssuerBundle {
            keys: vec![issuer_pk],
            range_params: vec![range],
            registries: vec![registry_pk],
            epochs: http::epochs_from(&auth_client, 0)?,
        };
        write(out, "issuer.json", &bundle.to_json())?;
        write(out, "request.json", &s.request)?;
        write(out, "presentation.json", &s.presentation)?;
        say(format!(
            "\nWrote {0}/issuer.json, {0}/request.json, {0}/presentation.json; check them offline (within 10 minutes) with:\n  netnym verify --issuer {0}/issuer.json --request {0}/request.json --presentation {0}/presentation.json",
            out.display()
        ));
    }
    pb.inc(1);

    for p in platforms {
        let _ = rt.block_on(p.handle.shutdown());
    }
    let _ = rt.block_on(authority.shutdown());
    pb.finish_and_clear();
    println!(
        "\nSummary: 1 authority, {} platforms, {} citizens over HTTPS (a CA made for the run) on loopback with embedded SQLite.\n  enrollment (wallet + blind issuance): {:.0} ms avg\n  sign-in: {:.0} ms avg round trip, of which the wallet's proof {:.0} ms ({} sign-ins)\n  revocation: {revoke_ms:.0} ms; witness update: {:.0} ms avg\n  total: {:.1} s",
        2,
        people.len(),
        avg(&timings.enroll),
        avg(&timings.login),
        avg(&timings.prove),
        timings.login.len(),
        avg(&update_ms),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Write a file readable by the owner only (mode 0600 from creation).
fn write_private(dir: &Path, name: &str, text: &str) -> Result<(), DemoError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = dir.join(name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|source| DemoError::Write { path, source })
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), DemoError> {
    let path = dir.join(name);
    std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|source| DemoError::Write { path, source })
}
