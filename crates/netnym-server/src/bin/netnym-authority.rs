//! `netnym-authority`: a minimal authority daemon over an initialised data directory (or a
//! PostgreSQL database). The full command line is `netnym authority serve` in `netnym-cli`; this
//! binary exists so tests can run the authority as a separate process and kill it.
//!
//! ```text
//! netnym-authority --data-dir DIR | --postgres URL [--pg-schema NAME]
//!                   [--listen 127.0.0.1:0] [--tls-cert PEM --tls-key PEM]
//!                   [--addr-file FILE] [--log-format human|json]
//! env: NETNYM_AUTHORITY_PASSPHRASE (required), NETNYM_ADMIN_TOKEN (required, >= 16 chars),
//!      NETNYM_LOG / RUST_LOG (log filter, default info)
//! ```
//! With `--tls-cert` and `--tls-key` it serves HTTPS; without, plain HTTP on loopback only.
//! On start it writes the bound address to `--addr-file` (via a temporary file and a rename).
//! SIGTERM / SIGINT drain and stop it; exit codes 0 (stopped, drained), 1 (failed), 70 (panic)
//! — `netnym_server`'s lifecycle module.

use std::net::SocketAddr;
use std::path::PathBuf;

use netnym_server::{
    init_logging, install_panic_hook, run_until_stopped, start_authority_on, system_clock,
    AdminToken, AuthorityConfig, AuthorityKeys, Listen, LogFormat, ServerTls, EXIT_FAILURE,
};
use netnym_store::{Store, StoreLocation, StoreOptions};

struct Args {
    data_dir: Option<PathBuf>,
    postgres: Option<String>,
    pg_schema: Option<String>,
    listen: SocketAddr,
    addr_file: Option<PathBuf>,
    log_format: LogFormat,
    tls: Option<(PathBuf, PathBuf)>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        data_dir: None,
        postgres: None,
        pg_schema: None,
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        addr_file: None,
        log_format: LogFormat::Human,
        tls: None,
    };
    let (mut cert, mut key) = (None, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--data-dir" => args.data_dir = Some(PathBuf::from(value()?)),
            "--postgres" => args.postgres = Some(value()?),
            "--pg-schema" => args.pg_schema = Some(value()?),
            "--listen" => {
                args.listen = value()?.parse().map_err(|e| format!("--listen: {e}"))?;
            }
            "--addr-file" => args.addr_file = Some(PathBuf::from(value()?)),
            "--log-format" => args.log_format = value()?.parse().map_err(|e| format!("{e}"))?,
            "--tls-cert" => cert = Some(PathBuf::from(value()?)),
            "--tls-key" => key = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    args.tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        _ => return Err("give both --tls-cert and --tls-key, or neither".to_owned()),
    };
    if args.data_dir.is_some() == args.postgres.is_some() {
        return Err("give exactly one of --data-dir or --postgres".to_owned());
    }
    Ok(args)
}

fn env(name: &str) -> Result<zeroize::Zeroizing<String>, String> {
    std::env::var(name)
        .map(zeroize::Zeroizing::new)
        .map_err(|_| format!("set {name}"))
}

/// Open the store (in the service's runtime, which owns its connections) and unseal the keys.
async fn open(args: &Args) -> Result<(Store, AuthorityConfig), String> {
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
    let passphrase = env("NETNYM_AUTHORITY_PASSPHRASE")?;
    let token = env("NETNYM_ADMIN_TOKEN")?;
    let keys = AuthorityKeys::load(&store, passphrase.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let config = AuthorityConfig {
        keys,
        admin_token: AdminToken::new(&token).map_err(|e| e.to_string())?,
        clock: system_clock(),
    };
    Ok((store, config))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
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
    };
    let (store, config) = rt.block_on(open(&args))?;
    let handle = rt
        .block_on(start_authority_on(listen, store, config))
        .map_err(|e| e.to_string())?;
    if let Some(file) = &args.addr_file {
        let tmp = file.with_extension("tmp");
        std::fs::write(&tmp, handle.addr().to_string()).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, file).map_err(|e| e.to_string())?;
    }
    tracing::info!("netnym-authority listening on {}", handle.base_url());
    run_until_stopped(rt, handle, "netnym-authority")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("netnym-authority: {e}");
            std::process::ExitCode::from(EXIT_FAILURE)
        }
    }
}
