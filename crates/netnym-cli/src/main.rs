//! `netnym`: the NetNym command-line tool.
//!
//! Commands: `demo`, `authority init|serve|import|enroll-code|revoke`, `verifier serve`,
//! `wallet init|list|enroll|update|present`, `verify`, `lab ...`.
//!
//! ## Errors and exit codes
//! Every command has its own error enum mapped to a one-line message on stderr
//! (`netnym: ...`) and an exit code: 0 success; 1 the operation was refused (wrong password, an
//! invalid presentation, a service said no, a request the wallet cannot satisfy); 2 unusable
//! input (unreadable or malformed files, bad arguments: clap also uses 2). A bug never prints a
//! stack trace: a panic hook prints one line and the process exits with 70.
//!
//! Services are reached over HTTPS (`transport`: `--ca`, plain HTTP only to loopback with
//! `--allow-http`). `authority serve` and `verifier serve` take their options from flags, the
//! environment and a TOML file (`service_config`), serve HTTPS with `--tls-cert` / `--tls-key`,
//! and are service processes (crates/netnym-server/API.md § Operations): log lines on stderr (`--log-format`, `NETNYM_LOG`), SIGTERM / SIGINT drain
//! and exit 0, a failure exits 1, and a panic anywhere (any thread) is logged and exits 70.
#![forbid(unsafe_code)]

mod authority_cmd;
mod bundle;
mod cli;
mod clock;
mod demo;
mod ephemeral_pki;
mod http;
mod openid4vp;
mod operator_cmd;
mod service_config;
mod transport;
mod verify;
mod wallet_cmd;

use std::process::ExitCode;

use clap::Parser;
use rand::SeedableRng;
use thiserror::Error;

use crate::cli::{Cli, Command};

/// Exit code after a panic (EX_SOFTWARE).
const PANIC_EXIT: u8 = 70;

/// The error of any command.
#[derive(Debug, Error)]
enum CliError {
    #[error(transparent)]
    Verify(#[from] verify::VerifyCmdError),
    #[error(transparent)]
    Wallet(#[from] wallet_cmd::WalletCmdError),
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    #[error(transparent)]
    Service(#[from] authority_cmd::ServiceCmdError),
    #[error("lab: {0}")]
    Lab(#[from] netnym_lab::cli::LabError),
    #[error("cannot seed the random number generator: {0}")]
    Rng(String),
    #[error("log: {0}")]
    Logging(String),
}

impl CliError {
    fn exit_code(&self) -> u8 {
        match self {
            Self::Verify(e) => e.exit_code(),
            Self::Wallet(e) => e.exit_code(),
            Self::Demo(e) => e.exit_code(),
            Self::Service(e) => e.exit_code(),
            Self::Lab(_) | Self::Rng(_) => 1,
            Self::Logging(_) => 2,
        }
    }
}

fn run(cli: Cli) -> Result<(), CliError> {
    let mut rng = rand_chacha::ChaCha20Rng::from_rng(rand::rngs::OsRng)
        .map_err(|e| CliError::Rng(e.to_string()))?;
    match cli.command {
        Command::Verify(a) => {
            let now = a.now.unwrap_or_else(clock::now);
            let claims = verify::verify_files(&a.issuer, &a.request, &a.presentation, now)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&claims).unwrap_or_else(|_| claims.to_string())
            );
            Ok(())
        }
        Command::Wallet(c) => Ok(wallet_cmd::run(&mut rng, c)?),
        Command::Demo(a) => {
            // The in-process services log like `serve` does; warnings only unless NETNYM_LOG /
            // RUST_LOG asks for more, so the narration stays readable.
            netnym_server::init_logging(netnym_server::LogFormat::Human, "warn")
                .map_err(|e| CliError::Logging(e.to_string()))?;
            Ok(demo::run(&mut rng, &a)?)
        }
        Command::Authority(cli::AuthorityCommand::Service(c)) => {
            Ok(authority_cmd::run(&mut rng, c)?)
        }
        Command::Authority(cli::AuthorityCommand::Operator(c)) => {
            Ok(operator_cmd::run(&mut rng, c)?)
        }
        Command::Verifier(cli::VerifierCommand::Serve(a)) => Ok(authority_cmd::verifier_serve(&a)?),
        Command::Lab(c) => Ok(netnym_lab::cli::run(c)?),
    }
}

/// One line, whatever the message holds.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "netnym: internal error (a bug, please report it): {}{at}",
            one_line(&msg)
        );
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(move || run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("netnym: {}", one_line(&e.to_string()));
            ExitCode::from(e.exit_code())
        }
        Err(_) => ExitCode::from(PANIC_EXIT),
    }
}
