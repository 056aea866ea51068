//! `netnym authority ...` and `netnym verifier serve`: the services and their administration.
//!
//! Storage: `--data-dir DIR` (embedded SQLite, `DIR/netnym.sqlite3`) or `--database URL`
//! (PostgreSQL). Secrets come from the environment, a file or a prompt:
//! `NETNYM_AUTHORITY_PASSPHRASE` (unseals the authority's keys), `NETNYM_ADMIN_TOKEN` (the
//! bearer token of `POST /v1/revoke`, at least 16 characters), each also as `<VAR>_FILE`
//! naming a file. The `serve` commands take their options from flags, the environment and a
//! TOML file (`service_config`), and serve HTTPS with `--tls-cert` / `--tls-key`; plain HTTP
//! only on loopback unless `--allow-http`.
//!
//! `authority init` also writes the authority's **public data** to `DIR/public/`:
//! `issuer.json` (an issuer bundle: issuer key, range-proof parameters, registry key; the
//! format of `netnym verify --issuer`), which platforms (`verifier serve --issuer`) and wallets
//! (`wallet enroll --issuer`) load as trusted input. The same values are served at
//! `GET /v1/params`; the file lets them be distributed over another authenticated channel.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::ProgressBar;
use netnym_server::{
    create_enrollment_code, init_logging, install_panic_hook, run_until_stopped,
    start_authority_on, start_verifier_on, system_clock, AdminToken, AuthorityConfig,
    AuthorityKeys, Blocking, Listen, LogFormat, Policy, ServerHandle, ServerTls, VerifierConfig,
    VerifierRevocation,
};
use netnym_store::{generate_citizens, parse_citizens_csv, Store, StoreLocation, StoreOptions};
use rand::{CryptoRng, RngCore};
use serde_json::json;
use thiserror::Error;

use crate::bundle::IssuerBundle;
use crate::cli::{AuthorityServiceCommand, StoreArgs, VerifierServeArgs};
use crate::clock::now;
use crate::http::{Client, HttpEpochSource, HttpError};
use crate::service_config::{
    self, env_secret, process_env, Common, ConfigError, ADMIN_TOKEN_ENV, PASSPHRASE_ENV,
};
use crate::transport::ClientTls;
use crate::verify::read_limited;
/// Largest citizen CSV read, in bytes.
const MAX_CSV_BYTES: u64 = 512 * 1024 * 1024;

/// Errors of `netnym authority` and `netnym verifier`.
#[derive(Debug, Error)]
pub(crate) enum ServiceCmdError {
    #[error("no {what}: set {var} (or {var}_FILE) or run in a terminal")]
    NoSecret {
        what: &'static str,
        var: &'static str,
    },
    #[error("cannot read the {what}: {source}")]
    Prompt {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("give --data-dir DIR (SQLite) or --database URL (PostgreSQL)")]
    NoStore,
    #[error("database: {0}")]
    Store(String),
    #[error("authority keys: {0}")]
    Keys(#[from] netnym_server::AuthorityKeyError),
    #[error("{0}")]
    Import(#[from] netnym_store::ImportError),
    #[error("{0}")]
    Enrollment(#[from] netnym_store::EnrollmentError),
    #[error("invalid admin token: {0}")]
    AdminToken(netnym_store::WeakSecret),
    #[error("{0}")]
    WeakSecret(#[from] netnym_store::WeakSecret),
    #[error("unknown citizen {0:?}")]
    UnknownCitizen(String),
    #[error("the policy asks for non-revocation (non_revoked = true) but no --authority URL is configured to read the revocation epoch log from (also NETNYM_VERIFIER_AUTHORITY or `authority` in the --config file)")]
    NoEpochSource,
    #[error("the policy asks for non-revocation (non_revoked = true) but the issuer data {} holds no revocation registry key: give the issuer.json that `authority init` wrote", issuer.display())]
    NoRegistry { issuer: PathBuf },
    #[error("{0}")]
    Invalidate(#[from] netnym_store::InvalidateError),
    #[error("{0}")]
    Backup(#[from] netnym_store::BackupError),
    #[error("this is a PostgreSQL database: back it up with pg_dump, e.g. pg_dump --format=custom --file netnym.dump '{0}' (docs/operations.md § Backup)")]
    PostgresBackup(String),
    #[error("{} already exists: restore only into a data directory without a database", .0.display())]
    RestoreTarget(PathBuf),
    #[error("{} is not a usable NetNym backup: {reason}", path.display())]
    BadBackup { path: PathBuf, reason: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Http(#[from] HttpError),
    #[error("{0}")]
    Input(#[from] crate::verify::VerifyCmdError),
    #[error("issuer file {path} is malformed: {reason}")]
    BadIssuer { path: PathBuf, reason: String },
    #[error("policy: {0}")]
    Policy(#[from] netnym_server::PolicyError),
    #[error("{0}")]
    Start(#[from] netnym_server::StartError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Runtime(String),
    #[error("log: {0}")]
    Logging(String),
    #[error("give --citizen ID or --revocation-id N")]
    NothingToRevoke,
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Tls(#[from] netnym_server::TlsError),
    #[error("refusing to serve plain HTTP on {addr}, which is not a loopback address: give --tls-cert and --tls-key, or --allow-http to serve plain HTTP behind a proxy that terminates TLS")]
    PlainListen { addr: SocketAddr },
}

impl ServiceCmdError {
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Self::NoSecret { .. }
            | Self::NoStore
            | Self::Input(_)
            | Self::BadIssuer { .. }
            | Self::Policy(_)
            | Self::AdminToken(_)
            | Self::WeakSecret(_)
            | Self::UnknownCitizen(_)
            | Self::NoEpochSource
            | Self::NoRegistry { .. }
            | Self::Invalidate(netnym_store::InvalidateError::BadCodeId(_))
            | Self::PostgresBackup(_)
            | Self::RestoreTarget(_)
            | Self::BadBackup { .. }
            | Self::NothingToRevoke
            | Self::Config(_)
            | Self::Tls(_)
            | Self::PlainListen { .. } => 2,
            Self::Import(netnym_store::ImportError::Invalid(_)) => 2,
            Self::Keys(
                netnym_server::AuthorityKeyError::Domain(_)
                | netnym_server::AuthorityKeyError::LogOrigin(_),
            ) => 2,
            Self::Http(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// `resolved`, else a prompt on the terminal.
fn secret_or_prompt(
    what: &'static str,
    var: &'static str,
    resolved: Option<zeroize::Zeroizing<String>>,
) -> Result<zeroize::Zeroizing<String>, ServiceCmdError> {
    if let Some(s) = resolved {
        return Ok(s);
    }
    if !std::io::stdin().is_terminal() {
        return Err(ServiceCmdError::NoSecret { what, var });
    }
    rpassword::prompt_password(format!("{what}: "))
        .map(zeroize::Zeroizing::new)
        .map_err(|source| ServiceCmdError::Prompt { what, source })
}

/// A secret from `var` / `<var>_FILE`, else a prompt.
fn secret(
    what: &'static str,
    var: &'static str,
) -> Result<zeroize::Zeroizing<String>, ServiceCmdError> {
    secret_or_prompt(what, var, env_secret(what, var, &process_env)?)
}

pub(crate) fn passphrase() -> Result<zeroize::Zeroizing<String>, ServiceCmdError> {
    secret("authority passphrase", PASSPHRASE_ENV)
}

/// Where a service listens: HTTPS with the configured certificate, else plain HTTP, refused
/// on an address that is not loopback unless allowed.
fn listen(c: &Common) -> Result<Listen, ServiceCmdError> {
    let listen = match &c.tls {
        Some((cert, key)) => Listen::tls(c.listen, ServerTls::from_pem_files(cert, key)?),
        None if c.listen.ip().is_loopback() || c.allow_http => {
            tracing::warn!(
                target: "netnym_server",
                "serving plain HTTP on {} (no --tls-cert / --tls-key)",
                c.listen
            );
            Listen::plain(c.listen).allow_plain_http(c.allow_http)
        }
        None => return Err(ServiceCmdError::PlainListen { addr: c.listen }),
    };
    Ok(listen.with_limits(c.limits.clone()))
}

/// Open the store named by the flags (in the runtime that will use it: its connections belong
/// to that runtime).
pub(crate) async fn open_store(a: &StoreArgs) -> Result<Store, ServiceCmdError> {
    let location = match (&a.data_dir, &a.database) {
        (_, Some(url)) => StoreLocation::Postgres {
            conninfo: url.clone(),
            schema: a.database_schema.clone(),
        },
        (Some(dir), None) => StoreLocation::DataDir(dir.clone()),
        (None, None) => return Err(ServiceCmdError::NoStore),
    };
    let options = StoreOptions::default()
        .with_pool_size(a.db_pool_size.unwrap_or(netnym_store::DEFAULT_POOL_SIZE));
    Store::open(&location, &options)
        .await
        .map_err(|e| ServiceCmdError::Store(e.to_string()))
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ServiceCmdError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServiceCmdError::Runtime(e.to_string()))
}

/// Install the service's logger (`default_filter` unless `NETNYM_LOG` / `RUST_LOG` say
/// otherwise) and panic hook (a panic exits with 70 after logging it).
fn service_process(format: LogFormat, default_filter: &str) -> Result<(), ServiceCmdError> {
    init_logging(format, default_filter).map_err(|e| ServiceCmdError::Logging(e.to_string()))?;
    install_panic_hook();
    Ok(())
}

/// Print the address, serve until SIGTERM or SIGINT, then drain and stop (at most
/// `DRAIN_TIMEOUT` + `WORK_GRACE`; netnym-server API.md § Operations).
fn serve_until_stopped(
    rt: tokio::runtime::Runtime,
    what: &'static str,
    handle: ServerHandle,
) -> Result<(), ServiceCmdError> {
    // Tests and scripts read this line to learn the port.
    println!("{what} listening on {}", handle.base_url());
    run_until_stopped(rt, handle, what)
        .map(|_| ())
        .map_err(|e| ServiceCmdError::Runtime(e.to_string()))
}

pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ServiceCmdError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ServiceCmdError::Write {
            path: path.to_owned(),
            source,
        })?;
    }
    std::fs::write(path, bytes).map_err(|source| ServiceCmdError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Create `dir` and its parents, `dir` itself with mode 0700 (as the store does).
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), ServiceCmdError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir).map_err(|source| ServiceCmdError::Write {
        path: dir.to_owned(),
        source,
    })
}

/// Where the public data goes: `--public-dir`, else `DATA_DIR/public`, else `./public`.
pub(crate) fn public_bundle_path(store: &StoreArgs, public_dir: Option<&PathBuf>) -> PathBuf {
    public_dir
        .cloned()
        .unwrap_or_else(|| {
            store
                .data_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("public")
        })
        .join("issuer.json")
}

/// What `authority init` creates in a data directory, removed again if it fails.
struct NewSqliteFiles {
    dir: Option<PathBuf>,
    db: Option<PathBuf>,
}

impl NewSqliteFiles {
    /// Note which of the data directory and its database do not exist yet.
    fn before_open(store: &StoreArgs) -> Self {
        match (&store.data_dir, &store.database) {
            (Some(dir), None) => {
                let db = dir.join(netnym_store::SQLITE_FILE_NAME);
                Self {
                    dir: (!dir.exists()).then(|| dir.clone()),
                    db: (!db.exists()).then_some(db),
                }
            }
            _ => Self {
                dir: None,
                db: None,
            },
        }
    }

    /// Remove what was created (the store must be closed).
    fn remove(&self) {
        if let Some(db) = &self.db {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// `authority init`: the passphrase (rule `SEC-001`) and the domain are checked before the
/// database is opened; a failure after that removes a SQLite database (and data directory)
/// that init created.
fn init(
    rng: &mut (impl RngCore + CryptoRng),
    a: &crate::cli::AuthorityInitArgs,
) -> Result<(), ServiceCmdError> {
    let pass = passphrase()?;
    netnym_store::PASSPHRASE_RULE.check(&pass)?;
    if !(1..=netnym::MAX_DOMAIN).contains(&a.domain) {
        return Err(netnym_server::AuthorityKeyError::Domain(format!(
            "{} is outside 1..={}",
            a.domain,
            netnym::MAX_DOMAIN
        ))
        .into());
    }
    let kdf = if a.insecure_fast_kdf {
        netnym_store::KdfParams::INSECURE_FAST
    } else {
        netnym_store::KdfParams::DEFAULT
    };
    let created = NewSqliteFiles::before_open(&a.store);
    let rt = runtime()?;
    let result = rt.block_on(async {
        let store = open_store(&a.store).await?;
        let done = init_keys(rng, a, &store, pass.as_bytes(), kdf).await;
        store.close().await;
        done
    });
    if result.is_err() {
        created.remove();
    }
    result
}

async fn init_keys(
    rng: &mut (impl RngCore + CryptoRng),
    a: &crate::cli::AuthorityInitArgs,
    store: &Store,
    pass: &[u8],
    kdf: netnym_store::KdfParams,
) -> Result<(), ServiceCmdError> {
    let pb = ProgressBar::new_spinner();
    pb.set_message("generating keys and the revocation registry");
    pb.enable_steady_tick(std::time::Duration::from_millis(120));
    let keys =
        AuthorityKeys::init_with_log_origin(store, rng, pass, a.domain, kdf, &a.log_origin).await;
    pb.finish_and_clear();
    let keys = keys?;
    let bundle = IssuerBundle {
        keys: vec![keys.issuer().public_key().clone()],
        range_params: vec![keys.range_params().clone()],
        registries: vec![keys.registry().public_key().clone()],
        epochs: Vec::new(),
    };
    let path = public_bundle_path(&a.store, a.public_dir.as_ref());
    write_file(&path, &bundle.to_json())?;
    println!(
        "authority initialised ({}): issuer key {}, registry {} over ids 1..={}; public data in {}",
        store.backend(),
        keys.issuer().public_key().key_id(),
        keys.registry().public_key().id(),
        a.domain,
        path.display()
    );
    println!(
        "transparency log {}: log key {}",
        keys.log().origin(),
        keys.log().vkey()
    );
    Ok(())
}

/// Load an issuer bundle (trusted public data).
pub(crate) fn load_bundle(path: &Path) -> Result<IssuerBundle, ServiceCmdError> {
    let bytes = read_limited("issuer", path, crate::bundle::MAX_BUNDLE_BYTES)?;
    IssuerBundle::from_json(&bytes).map_err(|reason| ServiceCmdError::BadIssuer {
        path: path.to_owned(),
        reason,
    })
}

pub(crate) fn run(
    rng: &mut (impl RngCore + CryptoRng),
    cmd: AuthorityServiceCommand,
) -> Result<(), ServiceCmdError> {
    match cmd {
        AuthorityServiceCommand::Init(a) => init(rng, &a),
        AuthorityServiceCommand::Serve(a) => {
            let cfg = service_config::authority(&a, &process_env)?;
            service_process(cfg.common.log_format, &cfg.common.log)?;
            let listen = listen(&cfg.common)?;
            let rt = runtime()?;
            let store = rt.block_on(open_store(&cfg.common.store))?;
            let pass = secret_or_prompt("authority passphrase", PASSPHRASE_ENV, cfg.passphrase)?;
            let token = secret_or_prompt("admin token", ADMIN_TOKEN_ENV, cfg.admin_token)?;
            let keys = rt.block_on(AuthorityKeys::load(&store, pass.as_bytes()))?;
            drop(pass);
            let config = AuthorityConfig {
                keys,
                admin_token: AdminToken::new(&token).map_err(ServiceCmdError::AdminToken)?,
                clock: system_clock(),
            };
            let handle = rt.block_on(start_authority_on(listen, store, config))?;
            serve_until_stopped(rt, "authority", handle)
        }
        AuthorityServiceCommand::Import(a) => {
            let rt = runtime()?;
            let store = rt.block_on(open_store(&a.store))?;
            let records = match (&a.csv, a.synthetic) {
                (Some(path), _) => {
                    let bytes = read_limited("citizen CSV", path, MAX_CSV_BYTES)?;
                    parse_citizens_csv(&bytes)?
                }
                (None, Some(n)) => {
                    let first = rt
                        .block_on(store.citizen_count())
                        .map_err(|e| ServiceCmdError::Store(e.to_string()))?
                        + 1;
                    generate_citizens(a.seed, first, n)
                }
                (None, None) => return Err(netnym_store::ImportError::Empty.into()),
            };
            let pb = ProgressBar::new_spinner();
            pb.set_message(format!("importing {} citizens", records.len()));
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            let imported = rt.block_on(store.import_citizens(&records, now()))?;
            pb.finish_and_clear();
            let (first, last) = (
                imported.first().map_or(0, |c| c.revocation_id),
                imported.last().map_or(0, |c| c.revocation_id),
            );
            println!(
                "imported {} citizens (revocation ids {first}..={last})",
                imported.len()
            );
            for c in imported.iter().take(a.show) {
                println!("  {} revocation id {}", c.citizen_id, c.revocation_id);
            }
            Ok(())
        }
        AuthorityServiceCommand::EnrollCode(a) => {
            let rt = runtime()?;
            let store = rt.block_on(open_store(&a.store))?;
            let code = rt.block_on(create_enrollment_code(
                &store,
                rng,
                &a.citizen,
                now(),
                a.ttl,
            ))?;
            println!("{}", code.expose());
            Ok(())
        }
        AuthorityServiceCommand::Revoke(a) => {
            let token = secret("admin token", ADMIN_TOKEN_ENV)?;
            let body = match (&a.citizen, a.revocation_id.is_empty()) {
                (Some(c), _) => json!({ "citizen_id": c }),
                (None, false) => json!({ "revocation_ids": a.revocation_id }),
                (None, true) => return Err(ServiceCmdError::NothingToRevoke),
            };
            let tls =
                ClientTls::new(a.tls.ca.as_deref(), a.tls.allow_http).map_err(HttpError::from)?;
            let r = Client::new(&a.authority, &tls)?.post_bearer("/v1/revoke", &body, &token)?;
            println!(
                "epoch {}: revoked {}; already revoked {}",
                r.get("epoch").unwrap_or(&serde_json::Value::Null),
                r.get("revoked").unwrap_or(&serde_json::Value::Null),
                r.get("already_revoked").unwrap_or(&serde_json::Value::Null)
            );
            Ok(())
        }
    }
}

/// `netnym verifier serve`.
pub(crate) fn verifier_serve(a: &VerifierServeArgs) -> Result<(), ServiceCmdError> {
    let cfg = service_config::verifier(a, &process_env)?;
    service_process(cfg.common.log_format, &cfg.common.log)?;
    let listen = listen(&cfg.common)?;
    let rt = runtime()?;
    let store = rt.block_on(open_store(&cfg.common.store))?;
    let bundle = load_bundle(&cfg.issuer)?;
    let loaded = Policy::from_file(&cfg.policy)?.validate(&bundle.keys)?;
    let non_revoked = loaded.policy().non_revoked;
    let revocation = match (bundle.registries.first(), &cfg.authority) {
        (None, _) if non_revoked => {
            return Err(ServiceCmdError::NoRegistry {
                issuer: cfg.issuer.clone(),
            })
        }
        (Some(_), None) if non_revoked => return Err(ServiceCmdError::NoEpochSource),
        (Some(registry), Some(url)) => {
            let tls = ClientTls::new(cfg.ca.as_deref(), cfg.common.allow_http)
                .map_err(HttpError::from)?;
            Some(VerifierRevocation {
                registry: registry.clone(),
                epochs: Arc::new(Blocking::new(HttpEpochSource(Client::new(url, &tls)?))),
            })
        }
        _ => None,
    };
    let config = VerifierConfig {
        policy: loaded,
        issuer_keys: bundle.keys.clone(),
        revocation,
        range_params: bundle.range_params.first().cloned(),
        clock: system_clock(),
    };
    let handle = rt.block_on(start_verifier_on(listen, store, config))?;
    serve_until_stopped(rt, "verifier", handle)
}
