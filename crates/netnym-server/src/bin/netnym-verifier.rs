//! `netnym-verifier`: a minimal verifier daemon over a SQLite data directory or a PostgreSQL
//! database. The full command line is `netnym verifier serve` in `netnym-cli`; this binary
//! exists so the load test and the fault tests can run a verifier as a separate process, measure
//! its memory and kill it.
//!
//! ```text
//! netnym-verifier --data-dir DIR | --postgres URL [--pg-schema NAME]
//!                 --policy FILE(.toml|.json) --trust FILE
//!                 [--listen 127.0.0.1:0] [--tls-cert PEM --tls-key PEM]
//!                 [--addr-file FILE] [--log-format human|json]
//! env: NETNYM_LOG / RUST_LOG (log filter, default info)
//! ```
//! `--trust` is an issuer bundle as `netnym demo --out` writes it (`{"type":
//! "netnym-issuer-bundle", "version": 1, "issuer_keys": [..], "range_params": [..],
//! "registries": [..], "epochs": [..]}`); the first registry and range parameters are used and
//! the bundle's epochs are the (static) epoch log. With `--tls-cert` and `--tls-key` it serves
//! HTTPS; without, plain HTTP on loopback only. On start the bound address is written to
//! `--addr-file` (via a temporary file and a rename). SIGTERM / SIGINT drain and stop it; exit
//! codes 0 (stopped, drained), 1 (failed), 70 (panic) — `netnym_server`'s lifecycle module.
//! It runs without per-client limits (the tests drive it from one address); the timeouts of
//! [`netnym_server::Limits`] apply.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use netnym::{EpochEntry, IssuerPublicKey, RangeParams, RegistryPublicKey};
use netnym_server::{
    init_logging, install_panic_hook, run_until_stopped, start_verifier_on, system_clock,
    EpochFuture, EpochSource, Limits, Listen, LogFormat, Policy, ServerTls, VerifierConfig,
    VerifierRevocation, EXIT_FAILURE,
};
use netnym_store::{Store, StoreLocation, StoreOptions};

/// Parsed command line.
pub(crate) struct Args {
    data_dir: Option<PathBuf>,
    postgres: Option<String>,
    pg_schema: Option<String>,
    policy: PathBuf,
    trust: PathBuf,
    listen: SocketAddr,
    addr_file: Option<PathBuf>,
    log_format: LogFormat,
    tls: Option<(PathBuf, PathBuf)>,
}

fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let (mut data_dir, mut postgres, mut pg_schema, mut policy, mut trust, mut addr_file) =
        (None, None, None, None, None, None);
    let (mut cert, mut key) = (None, None);
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut log_format = LogFormat::Human;
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(value()?)),
            "--postgres" => postgres = Some(value()?),
            "--pg-schema" => pg_schema = Some(value()?),
            "--policy" => policy = Some(PathBuf::from(value()?)),
            "--trust" => trust = Some(PathBuf::from(value()?)),
            "--listen" => listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--addr-file" => addr_file = Some(PathBuf::from(value()?)),
            "--log-format" => log_format = value()?.parse().map_err(|e| format!("{e}"))?,
            "--tls-cert" => cert = Some(PathBuf::from(value()?)),
            "--tls-key" => key = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err("give both --tls-cert and --tls-key, or neither".to_owned()),
    };
    if data_dir.is_some() == postgres.is_some() {
        return Err("give exactly one of --data-dir or --postgres".to_owned());
    }
    Ok(Args {
        data_dir,
        postgres,
        pg_schema,
        policy: policy.ok_or("--policy is required")?,
        trust: trust.ok_or("--trust is required")?,
        listen,
        addr_file,
        log_format,
        tls,
    })
}

/// The epoch log of the trust bundle (it does not change while the daemon runs).
struct StaticEpochs(Vec<EpochEntry>);

impl EpochSource for StaticEpochs {
    fn epochs_from(&self, from: u64) -> EpochFuture<'_, Result<Vec<EpochEntry>, String>> {
        let found = self
            .0
            .iter()
            .filter(|e| e.epoch() >= from)
            .cloned()
            .collect();
        Box::pin(async move { Ok(found) })
    }
}

/// Decode every element of `v[field]` with `parse`.
fn list<T, E: core::fmt::Display>(
    v: &serde_json::Value,
    field: &str,
    parse: impl Fn(&[u8]) -> Result<T, E>,
) -> Result<Vec<T>, String> {
    v.get(field)
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| format!("trust bundle: {field} must be a list"))?
        .iter()
        .enumerate()
        .map(|(i, x)| parse(x.to_string().as_bytes()).map_err(|e| format!("{field}[{i}]: {e}")))
        .collect()
}

/// Open the store (in the service's runtime, which owns its connections) and load the policy and trust bundle.
async fn open(args: &Args) -> Result<(Store, VerifierConfig), String> {
    let location = match (&args.data_dir, &args.postgres) {
        (Some(dir), _) => StoreLocation::DataDir(dir.clone()),
        (_, Some(url)) => StoreLocation::Postgres {
            conninfo: url.clone(),
            schema: args.pg_schema.clone(),
        },
        _ => return Err("no store".to_owned()),
    };
    let store = Store::open(&location, &StoreOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    let text = std::fs::read(&args.trust).map_err(|e| format!("--trust: {e}"))?;
    let v: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| format!("--trust: not JSON: {e}"))?;
    if v.get("type").and_then(serde_json::Value::as_str) != Some("netnym-issuer-bundle") {
        return Err("--trust: not a netnym-issuer-bundle".to_owned());
    }
    let issuer_keys = list(&v, "issuer_keys", IssuerPublicKey::from_json)?;
    let range = list(&v, "range_params", RangeParams::from_json)?;
    let registries = list(&v, "registries", RegistryPublicKey::from_json)?;
    let epochs = list(&v, "epochs", EpochEntry::from_json)?;
    let policy = Policy::from_file(&args.policy)
        .and_then(|p| p.validate(&issuer_keys))
        .map_err(|e| e.to_string())?;
    let config = VerifierConfig {
        policy,
        issuer_keys,
        revocation: registries
            .into_iter()
            .next()
            .map(|registry| VerifierRevocation {
                registry,
                epochs: Arc::new(StaticEpochs(epochs)),
            }),
        range_params: range.into_iter().next(),
        clock: system_clock(),
    };
    Ok((store, config))
}

/// Run the daemon with `argv` (without the program name) until SIGTERM or SIGINT.
///
/// # Errors
/// A human-readable reason.
pub(crate) fn run(argv: impl IntoIterator<Item = String>) -> Result<(), String> {
    let args = parse_args(argv)?;
    init_logging(args.log_format, "info").map_err(|e| e.to_string())?;
    install_panic_hook();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let listen = match &args.tls {
        Some((cert, key)) => Listen::tls(
            args.listen,
            ServerTls::from_pem_files(cert, key).map_err(|e| e.to_string())?,
        ),
        None => Listen::plain(args.listen),
    }
    // The load and fault tests drive it from one address: no per-client rate or open-request
    // caps (the timeouts stay).
    .with_limits(
        Limits::default()
            .rate_limit(None)
            .max_outstanding_per_client(u32::MAX),
    );
    let (store, config) = rt.block_on(open(&args))?;
    let handle = rt
        .block_on(start_verifier_on(listen, store, config))
        .map_err(|e| e.to_string())?;
    if let Some(file) = &args.addr_file {
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, handle.addr().to_string()).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, file).map_err(|e| e.to_string())?;
    }
    tracing::info!("netnym-verifier listening on {}", handle.base_url());
    run_until_stopped(rt, handle, "netnym-verifier")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[allow(dead_code)] // Unused where the load test includes this file as a module.
fn main() -> std::process::ExitCode {
    match run(std::env::args().skip(1)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netnym-verifier: {e}");
            std::process::ExitCode::from(EXIT_FAILURE)
        }
    }
}
