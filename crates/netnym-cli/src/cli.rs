//! Command-line definitions (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// NetNym: privacy-preserving network identity. Authority, platform and holder tools.
#[derive(Debug, Parser)]
#[command(name = "netnym", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The holder's wallet.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Verify a presentation offline: exit 0 and the claims as JSON, 1 if refused, 2 if an
    /// input is unreadable or malformed.
    Verify(VerifyArgs),
    /// The whole system in one process: authority, two platforms, three citizens, revocation.
    Demo(crate::demo::DemoArgs),
    /// Unlinkability lab: experiments, collusion simulation, privacy linter, reports.
    #[command(subcommand)]
    Lab(netnym_lab::cli::LabCommand),
}

/// `netnym verify` options.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Issuer public data: a `netnym-issuer-public-key` JSON, or a `netnym-issuer-bundle`
    /// (issuer keys, revocation registry keys and epoch entries; `netnym demo --out` writes one).
    #[arg(long)]
    pub(crate) issuer: PathBuf,
    /// The presentation request (`netnym-presentation-request` JSON).
    #[arg(long)]
    pub(crate) request: PathBuf,
    /// The presentation (`netnym-presentation` JSON).
    #[arg(long)]
    pub(crate) presentation: PathBuf,
    /// Verification time, Unix seconds (default: now). The request must be valid then.
    #[arg(long)]
    pub(crate) now: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum WalletCommand {
    /// Create a wallet file (prints the recovery phrase once), or restore one from a phrase.
    Init(WalletInitArgs),
    /// Show the wallet's credentials (and, with --history, what was disclosed to whom).
    List(WalletListArgs),
    /// Enroll with the authority using a one-time code (blind issuance).
    Enroll(WalletEnrollArgs),
    /// Update revocation witnesses from the authority's public epoch log.
    Update(WalletUpdateArgs),
    /// Show what a platform's request would reveal, then present (sign in).
    Present(WalletPresentArgs),
}

/// `netnym wallet init` options.
#[derive(Debug, Args)]
pub(crate) struct WalletInitArgs {
    /// Wallet file to create (must not exist).
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Restore the link secret from a recovery phrase (NETNYM_RECOVERY_PHRASE or a prompt).
    #[arg(long)]
    pub(crate) restore: bool,
    /// INSECURE, for tests and demos: a 64 KiB, 1-pass Argon2id instead of 64 MiB, 3 passes.
    #[arg(long)]
    pub(crate) insecure_fast_kdf: bool,
}

/// `netnym wallet list` options.
#[derive(Debug, Args)]
pub(crate) struct WalletListArgs {
    /// Wallet file.
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Also show the disclosure history.
    #[arg(long)]
    pub(crate) history: bool,
}

/// `netnym wallet enroll` options.
#[derive(Debug, Args)]
pub(crate) struct WalletEnrollArgs {
    /// Wallet file.
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Authority base URL, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    pub(crate) authority: String,
    /// The one-time enrollment code.
    #[arg(long)]
    pub(crate) code: String,
}

/// `netnym wallet update` options.
#[derive(Debug, Args)]
pub(crate) struct WalletUpdateArgs {
    /// Wallet file.
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Authority base URL.
    #[arg(long)]
    pub(crate) authority: String,
}

/// `netnym wallet present` options.
#[derive(Debug, Args)]
pub(crate) struct WalletPresentArgs {
    /// Wallet file.
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Platform base URL: fetch a request there and send the presentation back.
    #[arg(long, conflicts_with = "request")]
    pub(crate) verifier: Option<String>,
    /// Answer a request file instead (offline).
    #[arg(long)]
    pub(crate) request: Option<PathBuf>,
    /// Also write the presentation JSON to this file.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Present without asking for confirmation.
    #[arg(long)]
    pub(crate) yes: bool,
}
