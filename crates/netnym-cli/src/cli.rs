//! Command-line definitions (clap derive).

use std::net::SocketAddr;
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
    /// The national authority: keys, citizen registry, enrollment codes, service, revocation.
    #[command(subcommand)]
    Authority(AuthorityCommand),
    /// A platform's verifier service.
    #[command(subcommand)]
    Verifier(VerifierCommand),
    /// The holder's wallet.
    #[command(subcommand)]
    Wallet(WalletCommand),
    /// Verify a presentation offline: exit 0 and the claims as JSON, 1 if refused, 2 if an
    /// input is unreadable or malformed.
    Verify(VerifyArgs),
    /// The whole system in one process: authority, two platforms, three citizens, revocation.
    Demo(DemoArgs),
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

/// `netnym demo` options.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Also write issuer.json, request.json and presentation.json here for `netnym verify`.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// INSECURE, for tests: cheap Argon2 for the wallets and the authority's sealed keys.
    #[arg(long)]
    pub(crate) insecure_fast_kdf: bool,
    /// TEST ONLY (hidden): work in DIR instead of a temporary directory and keep it (databases,
    /// sealed authority keys, wallets), and write DIR/test-secrets.json (mode 0600) with the
    /// secrets the demo otherwise never stores (recovery phrases, enrollment codes, admin
    /// token, passphrases), so the secrets-in-logs test can look for their real values.
    #[arg(long, hide = true, value_name = "DIR")]
    pub(crate) keep_data_for_test: Option<PathBuf>,
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

/// How a client command reaches services (HTTPS by default).
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ClientTlsArgs {
    /// Trust only the CA certificates in this PEM file for https:// services, instead of the
    /// built-in Mozilla roots (also NETNYM_CA).
    #[arg(long, value_name = "PATH")]
    pub(crate) ca: Option<PathBuf>,
    /// Allow plain http:// URLs to a loopback address (127.0.0.0/8, ::1, localhost); plain
    /// HTTP anywhere else is always refused.
    #[arg(long)]
    pub(crate) allow_http: bool,
}

/// `netnym wallet enroll` options.
#[derive(Debug, Args)]
pub(crate) struct WalletEnrollArgs {
    /// Wallet file.
    #[arg(long)]
    pub(crate) wallet: PathBuf,
    /// Authority base URL, e.g. `https://authority.example:8443`.
    #[arg(long)]
    pub(crate) authority: String,
    #[command(flatten)]
    pub(crate) tls: ClientTlsArgs,
    /// The one-time enrollment code.
    #[arg(long)]
    pub(crate) code: String,
    /// The authority's public data (issuer bundle) to pin first: issuer key, range-proof
    /// parameters, registry key.
    #[arg(long)]
    pub(crate) issuer: Option<PathBuf>,
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
    #[command(flatten)]
    pub(crate) tls: ClientTlsArgs,
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
    /// A sign-in page's QR code content or wallet link
    /// (`openid4vp://?client_id=…&request_uri=…`): fetch the signed request there, present, and
    /// post the answer back (spec/13-oidc.md).
    #[arg(long, conflicts_with_all = ["verifier", "request"])]
    pub(crate) uri: Option<String>,
    /// Answer a request file instead (offline).
    #[arg(long)]
    pub(crate) request: Option<PathBuf>,
    /// Also write the presentation JSON to this file.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Present without asking for confirmation.
    #[arg(long)]
    pub(crate) yes: bool,
    /// Public data (issuer bundle) to pin first, e.g. range-proof parameters the request names.
    #[arg(long)]
    pub(crate) issuer: Option<PathBuf>,
    /// Update revocation witnesses from this authority's epoch log first.
    #[arg(long)]
    pub(crate) authority: Option<String>,
    #[command(flatten)]
    pub(crate) tls: ClientTlsArgs,
}

/// Where a service keeps its data.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Data directory (embedded SQLite `netnym.sqlite3`, created with mode 0700).
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// PostgreSQL instead of SQLite: a URL (postgres://user@localhost/netnym) or a libpq
    /// key/value string ('host=localhost port=5432 user=netnym dbname=netnym').
    #[arg(long, conflicts_with = "data_dir")]
    pub(crate) database: Option<String>,
    /// Confine the PostgreSQL tables to this schema (created if missing), e.g. to run several
    /// services or tests in one database.
    #[arg(long, requires = "database")]
    pub(crate) database_schema: Option<String>,
    /// Most database connections the service keeps open (its connection pool; default
    /// 16).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) db_pool_size: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuthorityCommand {
    /// Keys, registry, codes, the service and revocation (`authority_cmd`).
    #[command(flatten)]
    Service(AuthorityServiceCommand),
    /// The operator's commands on the database (`operator_cmd`).
    #[command(flatten)]
    Operator(AuthorityOperatorCommand),
}

/// The authority's setup, service and revocation commands.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthorityServiceCommand {
    /// Generate and seal the authority's keys (NETNYM_AUTHORITY_PASSPHRASE), start the epoch
    /// log, write the public data (DIR/public/issuer.json).
    Init(AuthorityInitArgs),
    /// Run the authority's HTTPS service (NETNYM_AUTHORITY_PASSPHRASE, NETNYM_ADMIN_TOKEN).
    Serve(AuthorityServeArgs),
    /// Register citizens from a CSV file, or synthetic ones.
    Import(AuthorityImportArgs),
    /// Create a one-time enrollment code for a registered citizen (printed once).
    EnrollCode(AuthorityEnrollCodeArgs),
    /// Revoke a citizen's credentials through the running service (NETNYM_ADMIN_TOKEN).
    Revoke(AuthorityRevokeArgs),
}

/// The authority operator's commands on its database.
#[derive(Debug, Subcommand)]
pub(crate) enum AuthorityOperatorCommand {
    /// The citizen registry: list citizens, show one.
    #[command(subcommand)]
    Citizens(CitizensCommand),
    /// Enrollment codes: list them (never the codes themselves), invalidate open ones.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Issuer keys: list, rotate to a new key, retire an old one.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Copy the SQLite database to a file, consistently, also while the service runs
    /// (PostgreSQL: pg_dump, docs/operations.md § Backup).
    Backup(AuthorityBackupArgs),
    /// Restore a backup into a data directory that has no database yet.
    Restore(AuthorityRestoreArgs),
}

/// Output of the listing commands.
#[derive(Debug, Args)]
pub(crate) struct ListFormat {
    /// One JSON document instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CitizensCommand {
    /// Citizens in revocation-id order, with credentials issued and revocation state.
    List(CitizensListArgs),
    /// One citizen: attributes, credentials, enrollment codes, revocation state.
    Show(CitizensShowArgs),
}

/// `netnym authority citizens list` options.
#[derive(Debug, Args)]
pub(crate) struct CitizensListArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Skip this many citizens.
    #[arg(long, default_value_t = 0)]
    pub(crate) offset: u64,
    /// Show at most this many.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) limit: u64,
    #[command(flatten)]
    pub(crate) format: ListFormat,
}

/// `netnym authority citizens show` options.
#[derive(Debug, Args)]
pub(crate) struct CitizensShowArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The citizen id.
    #[arg(long)]
    pub(crate) citizen: String,
    #[command(flatten)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CodesCommand {
    /// Enrollment codes, newest first, by code id (a handle; the codes are never stored).
    List(CodesListArgs),
    /// Invalidate an open code (by --code-id) or every open code of a citizen (--citizen).
    Invalidate(CodesInvalidateArgs),
}

/// `netnym authority codes list` options.
#[derive(Debug, Args)]
pub(crate) struct CodesListArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Only this citizen's codes.
    #[arg(long)]
    pub(crate) citizen: Option<String>,
    /// Show at most this many.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) limit: u64,
    #[command(flatten)]
    pub(crate) format: ListFormat,
}

/// `netnym authority codes invalidate` options.
#[derive(Debug, Args)]
pub(crate) struct CodesInvalidateArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The code id `codes list` shows (16 to 64 hex digits).
    #[arg(long, required_unless_present = "citizen", conflicts_with = "citizen")]
    pub(crate) code_id: Option<String>,
    /// Every open code of this citizen.
    #[arg(long)]
    pub(crate) citizen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum KeysCommand {
    /// Issuer keys in rotation order: current, accepted, retired.
    List(KeysListArgs),
    /// Make a new issuer key (NETNYM_AUTHORITY_PASSPHRASE); it becomes current at the
    /// service's next start, and the old keys stay accepted until retired. Rewrites the public
    /// data (issuer.json).
    Rotate(KeysRotateArgs),
    /// Retire an issuer key that is not current: no longer published or used (from the
    /// service's next start). Rewrites the public data (issuer.json).
    Retire(KeysRetireArgs),
}

/// `netnym authority keys list` options.
#[derive(Debug, Args)]
pub(crate) struct KeysListArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    #[command(flatten)]
    pub(crate) format: ListFormat,
}

/// `netnym authority keys rotate` options.
#[derive(Debug, Args)]
pub(crate) struct KeysRotateArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Where to write the public data (default DATA_DIR/public, or ./public).
    #[arg(long)]
    pub(crate) public_dir: Option<PathBuf>,
}

/// `netnym authority keys retire` options.
#[derive(Debug, Args)]
pub(crate) struct KeysRetireArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The key id to retire (64 hex, as `keys list` shows).
    #[arg(long)]
    pub(crate) key_id: String,
    /// Where to write the public data (default DATA_DIR/public, or ./public).
    #[arg(long)]
    pub(crate) public_dir: Option<PathBuf>,
}

/// `netnym authority backup` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityBackupArgs {
    /// Data directory of the SQLite database to back up.
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// A PostgreSQL database: refused with the pg_dump command to use instead.
    #[arg(long, conflicts_with = "data_dir")]
    pub(crate) database: Option<String>,
    /// The backup file to create (must not exist; mode 0600).
    #[arg(long)]
    pub(crate) out: PathBuf,
}

/// `netnym authority restore` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityRestoreArgs {
    /// Data directory to restore into (created; must not hold a database).
    #[arg(long)]
    pub(crate) data_dir: PathBuf,
    /// The backup file (`authority backup --out`).
    #[arg(long)]
    pub(crate) from: PathBuf,
}

/// `netnym authority init` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityInitArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Revocation ids 1..=N the registry covers (at least the number of citizens).
    #[arg(long, default_value_t = netnym_server::DEFAULT_REVOCATION_DOMAIN)]
    pub(crate) domain: u64,
    /// Where to write the public data (default DATA_DIR/public, or ./public).
    #[arg(long)]
    pub(crate) public_dir: Option<PathBuf>,
    /// The transparency log's origin, which names its signing key (printable ASCII without
    /// spaces or '+', e.g. log.authority.example/netnym).
    #[arg(long, default_value = netnym_server::DEFAULT_LOG_ORIGIN)]
    pub(crate) log_origin: String,
    /// INSECURE, for tests: cheap Argon2 for sealing the keys.
    #[arg(long)]
    pub(crate) insecure_fast_kdf: bool,
}

/// The options of both `serve` commands. Each also comes from an environment variable
/// (`NETNYM_AUTHORITY_<OPTION>` / `NETNYM_VERIFIER_<OPTION>`) or the `--config` file; the flag
/// wins (docs/operations.md § Configuration).
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// TOML configuration file (docs/examples/authority.toml, verifier.toml); flags and
    /// environment variables override it.
    #[arg(long, value_name = "PATH")]
    pub(crate) config: Option<PathBuf>,
    /// Data directory (embedded SQLite `netnym.sqlite3`, created with mode 0700).
    #[arg(long)]
    pub(crate) data_dir: Option<PathBuf>,
    /// PostgreSQL URL instead of SQLite, e.g. postgres://user@localhost/netnym.
    #[arg(long, conflicts_with = "data_dir")]
    pub(crate) database: Option<String>,
    /// Confine the PostgreSQL tables to this schema (created if missing).
    #[arg(long)]
    pub(crate) database_schema: Option<String>,
    /// Most database connections the service keeps open (its connection pool; default 16).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub(crate) db_pool_size: Option<u32>,
    /// Address to listen on (default 127.0.0.1:8080 for the authority, 127.0.0.1:8081 for a
    /// verifier; port 0: any free port; the URL is printed).
    #[arg(long)]
    pub(crate) listen: Option<SocketAddr>,
    /// Log lines on stderr: human (default) or json. Level and targets: NETNYM_LOG, else
    /// RUST_LOG, else the file's `log`, else info (crates/netnym-server/API.md § Operations).
    #[arg(long)]
    pub(crate) log_format: Option<netnym_server::LogFormat>,
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first); with
    /// --tls-key.
    #[arg(long, value_name = "PATH")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PATH")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Allow plain HTTP: without TLS on an address that is not loopback (only behind a proxy
    /// that terminates TLS); for a verifier also an http:// --authority on loopback.
    #[arg(long)]
    pub(crate) allow_http: bool,
    /// Per-client requests per second on the limited routes (API.md § Limits; default 10;
    /// 0: no rate limit, e.g. behind a proxy that limits).
    #[arg(long, value_name = "N")]
    pub(crate) rate_limit_per_second: Option<u32>,
    /// Per-client burst of the rate limit (default 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) rate_limit_burst: Option<u32>,
    /// An origin (scheme://host[:port]) allowed by CORS; repeat for more (default: none, no
    /// CORS headers).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub(crate) cors_origins: Vec<String>,
    /// Most open presentation requests per client of a verifier (default 64).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub(crate) max_open_requests_per_client: Option<u32>,
}

/// `netnym authority serve` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityServeArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// Read the passphrase from this file (else NETNYM_AUTHORITY_PASSPHRASE, its _FILE
    /// variant, the file's `passphrase_file`, or a prompt).
    #[arg(long, value_name = "PATH")]
    pub(crate) passphrase_file: Option<PathBuf>,
    /// Read the admin token from this file (else NETNYM_ADMIN_TOKEN, its _FILE variant, the
    /// file's `admin_token_file`, or a prompt).
    #[arg(long, value_name = "PATH")]
    pub(crate) admin_token_file: Option<PathBuf>,
}

/// `netnym authority import` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityImportArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Citizen CSV file (header: citizen_id and the cn-network-id/v1 attributes).
    #[arg(long, conflicts_with = "synthetic")]
    pub(crate) csv: Option<PathBuf>,
    /// Generate this many synthetic citizens instead.
    #[arg(long)]
    pub(crate) synthetic: Option<usize>,
    /// Seed of the synthetic citizens.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// How many imported citizen ids to print.
    #[arg(long, default_value_t = 10)]
    pub(crate) show: usize,
}

/// `netnym authority enroll-code` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityEnrollCodeArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// The citizen id.
    #[arg(long)]
    pub(crate) citizen: String,
    /// Validity of the code, in seconds.
    #[arg(long, default_value_t = 7 * 24 * 3600)]
    pub(crate) ttl: u64,
}

/// `netnym authority revoke` options.
#[derive(Debug, Args)]
pub(crate) struct AuthorityRevokeArgs {
    /// Authority base URL.
    #[arg(long)]
    pub(crate) authority: String,
    /// The citizen to revoke.
    #[arg(long, conflicts_with = "revocation_id")]
    pub(crate) citizen: Option<String>,
    /// Revocation ids to revoke (repeatable).
    #[arg(long)]
    pub(crate) revocation_id: Vec<u64>,
    #[command(flatten)]
    pub(crate) tls: ClientTlsArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VerifierCommand {
    /// Run a platform's verifier service from a policy file.
    Serve(VerifierServeArgs),
}

/// `netnym verifier serve` options.
#[derive(Debug, Args)]
pub(crate) struct VerifierServeArgs {
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
    /// Policy file (JSON, or TOML with a .toml extension; see crates/netnym-server/API.md).
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    /// The authority's public data (issuer bundle written by `authority init`).
    #[arg(long)]
    pub(crate) issuer: Option<PathBuf>,
    /// Authority base URL, for the revocation epoch log (needed when the policy has
    /// non_revoked = true).
    #[arg(long)]
    pub(crate) authority: Option<String>,
    /// Trust only the CA certificates in this PEM file for the https:// --authority, instead
    /// of the built-in Mozilla roots.
    #[arg(long, value_name = "PATH")]
    pub(crate) ca: Option<PathBuf>,
}
