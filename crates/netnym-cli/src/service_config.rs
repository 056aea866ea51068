//! Configuration of `netnym authority serve` and `netnym verifier serve` (issue 12 §
//! Configuration; `docs/operations.md` § Configuration has the full table).
//!
//! Every option comes from, in this order of precedence: the command-line flag, the
//! environment variable, the TOML file of `--config PATH` (or `NETNYM_<SERVICE>_CONFIG`), the
//! default. The variable of TOML key `key` is `NETNYM_AUTHORITY_KEY` / `NETNYM_VERIFIER_KEY`
//! (upper case); an empty variable counts as unset. Two exceptions keep their established
//! names: the admin token is `NETNYM_ADMIN_TOKEN`, and `NETNYM_LOG` (else `RUST_LOG`) overrides
//! the file's `log` filter.
//!
//! - **The file** is strict: an unknown key, a value of the wrong type or a malformed address is
//!   an error naming the key and the file. Relative paths in it are relative to the file's
//!   directory; at most 64 KiB.
//! - **The store** is chosen as a whole by the first layer that names one (`data_dir`,
//!   `database` or `database_file`); naming two in one layer is an error.
//! - **Secrets** never appear in the file itself, only as `*_file` keys naming a file that
//!   holds them (the passphrase, the admin token, a database URL with a password). A secret is
//!   taken from `--<name>-file`, else the variable (`NETNYM_AUTHORITY_PASSPHRASE`) or the
//!   variable naming a file (`NETNYM_AUTHORITY_PASSPHRASE_FILE`; both set is an error), else the
//!   file's `<name>_file`, else a terminal prompt. A secret file is at most 64 KiB of UTF-8; one
//!   trailing newline is removed.
//! - **TLS**: `tls_cert` and `tls_key` come together or not at all.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use netnym_server::LogFormat;
use serde::Deserialize;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::cli::{AuthorityServeArgs, ServeArgs, StoreArgs, VerifierServeArgs};

/// Environment variable holding the authority's passphrase (`_FILE`: a file holding it).
pub(crate) const PASSPHRASE_ENV: &str = "NETNYM_AUTHORITY_PASSPHRASE";
/// Environment variable holding the admin bearer token (`_FILE`: a file holding it).
pub(crate) const ADMIN_TOKEN_ENV: &str = "NETNYM_ADMIN_TOKEN";

/// Largest configuration or secret file read, in bytes.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The default filter when neither `NETNYM_LOG`, `RUST_LOG` nor the file's `log` is set.
const DEFAULT_LOG: &str = "info";

/// The configuration cannot be used.
#[derive(Debug, Error)]
pub(crate) enum ConfigError {
    #[error("cannot read {what} {path}: {source}")]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what} {path} is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge { what: &'static str, path: PathBuf },
    #[error("configuration file {path}: {detail}")]
    Syntax { path: PathBuf, detail: String },
    #[error("configuration file {path}: `{key}`: {reason}")]
    FileValue {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
    #[error("{var}: {reason}")]
    Env { var: String, reason: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{what} file {path} is empty or not UTF-8")]
    BadSecret { what: &'static str, path: PathBuf },
    #[error("{0}")]
    Missing(String),
}

/// Where the environment comes from (the process, or a map in tests).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, empty variables counting as unset.
pub(crate) fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The `[authority serve]` TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthorityFile {
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    cors_origins: Option<Vec<String>>,
    max_open_requests_per_client: Option<u32>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    database_file: Option<PathBuf>,
    database_schema: Option<String>,
    db_pool_size: Option<u32>,
    listen: Option<String>,
    log_format: Option<String>,
    log: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    allow_http: Option<bool>,
    passphrase_file: Option<PathBuf>,
    admin_token_file: Option<PathBuf>,
}

/// The `[verifier serve]` TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VerifierFile {
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    cors_origins: Option<Vec<String>>,
    max_open_requests_per_client: Option<u32>,
    data_dir: Option<PathBuf>,
    database: Option<String>,
    database_file: Option<PathBuf>,
    database_schema: Option<String>,
    db_pool_size: Option<u32>,
    listen: Option<String>,
    log_format: Option<String>,
    log: Option<String>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    allow_http: Option<bool>,
    policy: Option<PathBuf>,
    issuer: Option<PathBuf>,
    authority: Option<String>,
    ca: Option<PathBuf>,
}

/// The options both services share, as a file gives them.
struct FileCommon<'a> {
    rate_limit_per_second: Option<u32>,
    rate_limit_burst: Option<u32>,
    cors_origins: &'a Option<Vec<String>>,
    max_open_requests_per_client: Option<u32>,
    data_dir: &'a Option<PathBuf>,
    database: &'a Option<String>,
    database_file: &'a Option<PathBuf>,
    database_schema: &'a Option<String>,
    db_pool_size: Option<u32>,
    listen: &'a Option<String>,
    log_format: &'a Option<String>,
    log: &'a Option<String>,
    tls_cert: &'a Option<PathBuf>,
    tls_key: &'a Option<PathBuf>,
    allow_http: Option<bool>,
}

macro_rules! file_common {
    ($f:expr) => {
        FileCommon {
            rate_limit_per_second: $f.rate_limit_per_second,
            rate_limit_burst: $f.rate_limit_burst,
            cors_origins: &$f.cors_origins,
            max_open_requests_per_client: $f.max_open_requests_per_client,
            data_dir: &$f.data_dir,
            database: &$f.database,
            database_file: &$f.database_file,
            database_schema: &$f.database_schema,
            db_pool_size: $f.db_pool_size,
            listen: &$f.listen,
            log_format: &$f.log_format,
            log: &$f.log,
            tls_cert: &$f.tls_cert,
            tls_key: &$f.tls_key,
            allow_http: $f.allow_http,
        }
    };
}

fn read_limited_text(what: &'static str, path: &Path) -> Result<Zeroizing<String>, ConfigError> {
    let io = |source| ConfigError::Read {
        what,
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(ConfigError::TooLarge {
            what,
            path: path.to_owned(),
        });
    }
    let bytes = Zeroizing::new(std::fs::read(path).map_err(io)?);
    match std::str::from_utf8(&bytes) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        Err(_) => Err(ConfigError::BadSecret {
            what,
            path: path.to_owned(),
        }),
    }
}

/// Parse a TOML configuration file of type `T` (unknown keys refused).
pub(crate) fn parse_file<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, ConfigError> {
    let text = read_limited_text("configuration file", path)?;
    toml::from_str(&text).map_err(|e| ConfigError::Syntax {
        path: path.to_owned(),
        detail: e.to_string().trim().replace('\n', " "),
    })
}

/// Read a secret from a file: at most 64 KiB of UTF-8, one trailing newline removed.
pub(crate) fn read_secret_file(
    what: &'static str,
    path: &Path,
) -> Result<Zeroizing<String>, ConfigError> {
    let mut text = read_limited_text(what, path)?;
    for end in ["\r\n", "\n"] {
        if text.ends_with(end) {
            let keep = text.len() - end.len();
            text.truncate(keep);
            break;
        }
    }
    if text.is_empty() {
        return Err(ConfigError::BadSecret {
            what,
            path: path.to_owned(),
        });
    }
    Ok(text)
}

/// The layers below the command line: the environment (with the service's prefix) and the
/// configuration file (its path, for messages and relative paths).
struct Layers<'a> {
    prefix: &'static str,
    env: Env<'a>,
    file: Option<PathBuf>,
}

impl Layers<'_> {
    fn var(&self, key: &str) -> String {
        format!("{}_{}", self.prefix, key.to_ascii_uppercase())
    }

    fn env_raw(&self, key: &str) -> Option<(String, String)> {
        let var = self.var(key);
        (self.env)(&var).map(|v| (var, v))
    }

    fn env_parsed<T: FromStr>(&self, key: &str) -> Result<Option<T>, ConfigError>
    where
        T::Err: core::fmt::Display,
    {
        match self.env_raw(key) {
            None => Ok(None),
            Some((var, v)) => v.parse().map(Some).map_err(|e: T::Err| ConfigError::Env {
                var,
                reason: e.to_string(),
            }),
        }
    }

    fn env_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        match self.env_raw(key) {
            None => Ok(None),
            Some((_, v)) if matches!(v.as_str(), "true" | "1") => Ok(Some(true)),
            Some((_, v)) if matches!(v.as_str(), "false" | "0") => Ok(Some(false)),
            Some((var, _)) => Err(ConfigError::Env {
                var,
                reason: "expected true, false, 1 or 0".to_owned(),
            }),
        }
    }

    /// A value of the file, parsed.
    fn file_parsed<T: FromStr>(
        &self,
        key: &'static str,
        v: &Option<String>,
    ) -> Result<Option<T>, ConfigError>
    where
        T::Err: core::fmt::Display,
    {
        v.as_deref()
            .map(|s| {
                s.parse().map_err(|e: T::Err| ConfigError::FileValue {
                    path: self.file.clone().unwrap_or_default(),
                    key,
                    reason: e.to_string(),
                })
            })
            .transpose()
    }

    /// A path of the file, relative to the file's directory.
    fn file_path(&self, p: &Option<PathBuf>) -> Option<PathBuf> {
        let dir = self.file.as_deref().and_then(Path::parent);
        p.as_ref().map(|p| match dir {
            Some(d) if p.is_relative() => d.join(p),
            _ => p.clone(),
        })
    }

    /// flag > environment > file, for a string-valued option.
    fn string(&self, key: &str, flag: &Option<String>, file: &Option<String>) -> Option<String> {
        flag.clone()
            .or_else(|| self.env_raw(key).map(|(_, v)| v))
            .or_else(|| file.clone())
    }

    /// flag > environment > file, for a path.
    fn path(&self, key: &str, flag: &Option<PathBuf>, file: &Option<PathBuf>) -> Option<PathBuf> {
        flag.clone()
            .or_else(|| self.env_raw(key).map(|(_, v)| PathBuf::from(v)))
            .or_else(|| self.file_path(file))
    }

    /// A secret: `flag_file` > `value_var` / `<value_var>_FILE` (not both) > the file's key.
    fn secret(
        &self,
        what: &'static str,
        value_var: &str,
        flag_file: &Option<PathBuf>,
        file_key: &Option<PathBuf>,
    ) -> Result<Option<Zeroizing<String>>, ConfigError> {
        if let Some(p) = flag_file {
            return read_secret_file(what, p).map(Some);
        }
        if let Some(v) = env_secret(what, value_var, self.env)? {
            return Ok(Some(v));
        }
        self.file_path(file_key)
            .map(|p| read_secret_file(what, &p))
            .transpose()
    }
}

/// A secret from the environment: `var` holds it, or `<var>_FILE` names a file holding it
/// (both set is an error).
pub(crate) fn env_secret(
    what: &'static str,
    var: &str,
    env: Env<'_>,
) -> Result<Option<Zeroizing<String>>, ConfigError> {
    let file_var = format!("{var}_FILE");
    match (env(var), env(&file_var)) {
        (Some(_), Some(_)) => Err(ConfigError::Conflict(format!(
            "both {var} and {file_var} are set; unset one"
        ))),
        (Some(v), None) => Ok(Some(Zeroizing::new(v))),
        (None, Some(p)) => read_secret_file(what, Path::new(&p)).map(Some),
        (None, None) => Ok(None),
    }
}

/// A database URL as one layer gives it.
enum Database {
    Url(Zeroizing<String>),
    File(PathBuf),
}

/// Where a service's data is.
fn store(
    l: &Layers<'_>,
    flag: &StoreArgs,
    file: &FileCommon<'_>,
) -> Result<StoreArgs, ConfigError> {
    let both =
        |a: &str, b: &str| ConfigError::Conflict(format!("both {a} and {b} are set; unset one"));
    let flag_layer = (
        flag.data_dir.clone(),
        flag.database
            .clone()
            .map(|u| Database::Url(Zeroizing::new(u))),
    );
    let env_db = match (l.env_raw("database"), l.env_raw("database_file")) {
        (Some((a, _)), Some((b, _))) => return Err(both(&a, &b)),
        (Some((_, url)), None) => Some(Database::Url(Zeroizing::new(url))),
        (None, Some((_, p))) => Some(Database::File(PathBuf::from(p))),
        (None, None) => None,
    };
    let env_layer = (l.env_raw("data_dir").map(|(_, d)| PathBuf::from(d)), env_db);
    let file_db = match (file.database, l.file_path(file.database_file)) {
        (Some(_), Some(_)) => {
            return Err(both(
                "`database`",
                "`database_file` in the configuration file",
            ))
        }
        (Some(url), None) => Some(Database::Url(Zeroizing::new(url.clone()))),
        (None, Some(p)) => Some(Database::File(p)),
        (None, None) => None,
    };
    let file_layer = (l.file_path(file.data_dir), file_db);
    // One layer at a time: the first that names a store decides.
    let chosen = [
        ("command line", flag_layer),
        ("environment", env_layer),
        ("configuration file", file_layer),
    ]
    .into_iter()
    .find(|(_, (dir, db))| dir.is_some() || db.is_some());
    let (data_dir, database) = match chosen {
        Some((layer, (Some(_), Some(_)))) => {
            return Err(ConfigError::Conflict(format!(
                "the {layer} names both a data directory and a database; give one"
            )))
        }
        Some((_, (dir, db))) => (dir, db),
        None => (None, None),
    };
    let database = match database {
        None => None,
        Some(Database::Url(u)) => Some(u.to_string()),
        Some(Database::File(p)) => Some(read_secret_file("database URL", &p)?.to_string()),
    };
    let database_schema = l.string(
        "database_schema",
        &flag.database_schema,
        file.database_schema,
    );
    let db_pool_size = match flag.db_pool_size {
        Some(n) => Some(n),
        None => l.env_parsed::<u32>("db_pool_size")?.or(file.db_pool_size),
    };
    if db_pool_size.is_some_and(|n| !(1..=1000).contains(&n)) {
        return Err(ConfigError::Conflict(
            "db_pool_size must be in 1..=1000".to_owned(),
        ));
    }
    Ok(StoreArgs {
        data_dir,
        database,
        database_schema,
        db_pool_size,
    })
}

/// The options both services share, resolved.
pub(crate) struct Common {
    pub(crate) store: StoreArgs,
    pub(crate) listen: SocketAddr,
    pub(crate) log_format: LogFormat,
    pub(crate) log: String,
    /// Certificate chain and key (PEM), when the service speaks HTTPS.
    pub(crate) tls: Option<(PathBuf, PathBuf)>,
    pub(crate) allow_http: bool,
    /// Timeouts, rate limits, open requests per client, CORS (API.md § Limits).
    pub(crate) limits: netnym_server::Limits,
}

impl core::fmt::Debug for Common {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the database URL, which may hold a password.
        f.debug_struct("Common")
            .field("data_dir", &self.store.data_dir)
            .field("database_schema", &self.store.database_schema)
            .field("listen", &self.listen)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("tls", &self.tls)
            .field("allow_http", &self.allow_http)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

fn common(
    l: &Layers<'_>,
    flag: &ServeArgs,
    file: &FileCommon<'_>,
    default_listen: SocketAddr,
) -> Result<Common, ConfigError> {
    let listen = match flag.listen {
        Some(a) => Some(a),
        None => match l.env_parsed("listen")? {
            Some(a) => Some(a),
            None => l.file_parsed("listen", file.listen)?,
        },
    }
    .unwrap_or(default_listen);
    let log_format = match flag.log_format {
        Some(f) => Some(f),
        None => match l.env_parsed("log_format")? {
            Some(f) => Some(f),
            None => l.file_parsed("log_format", file.log_format)?,
        },
    }
    .unwrap_or(LogFormat::Human);
    let log = file.log.clone().unwrap_or_else(|| DEFAULT_LOG.to_owned());
    let cert = l.path("tls_cert", &flag.tls_cert, file.tls_cert);
    let key = l.path("tls_key", &flag.tls_key, file.tls_key);
    let tls = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(ConfigError::Missing(format!(
                "a TLS certificate without a key: give --tls-key (or {}, or `tls_key`)",
                l.var("tls_key")
            )))
        }
        (None, Some(_)) => {
            return Err(ConfigError::Missing(format!(
                "a TLS key without a certificate: give --tls-cert (or {}, or `tls_cert`)",
                l.var("tls_cert")
            )))
        }
    };
    let allow_http = if flag.allow_http {
        true
    } else {
        l.env_bool("allow_http")?
            .or(file.allow_http)
            .unwrap_or(false)
    };
    let store_flags = StoreArgs {
        data_dir: flag.data_dir.clone(),
        database: flag.database.clone(),
        database_schema: flag.database_schema.clone(),
        db_pool_size: flag.db_pool_size,
    };
    Ok(Common {
        store: store(l, &store_flags, file)?,
        listen,
        log_format,
        log,
        tls,
        allow_http,
        limits: limits(l, flag, file)?,
    })
}

/// The limits: flag > environment (`…_CORS_ORIGINS` comma-separated) > file > default.
fn limits(
    l: &Layers<'_>,
    flag: &ServeArgs,
    file: &FileCommon<'_>,
) -> Result<netnym_server::Limits, ConfigError> {
    use std::num::NonZeroU32;
    let number = |key: &'static str, flag: Option<u32>, file: Option<u32>| {
        Ok::<_, ConfigError>(match flag {
            Some(n) => Some(n),
            None => l.env_parsed::<u32>(key)?.or(file),
        })
    };
    let per_second = number(
        "rate_limit_per_second",
        flag.rate_limit_per_second,
        file.rate_limit_per_second,
    )?
    .unwrap_or(netnym_server::DEFAULT_RATE_PER_SECOND);
    let burst = number(
        "rate_limit_burst",
        flag.rate_limit_burst,
        file.rate_limit_burst,
    )?
    .unwrap_or(netnym_server::DEFAULT_RATE_BURST);
    let burst = NonZeroU32::new(burst)
        .ok_or_else(|| ConfigError::Conflict("rate_limit_burst must be at least 1".to_owned()))?;
    let rate = NonZeroU32::new(per_second)
        .map(|per_second| netnym_server::RateLimit { per_second, burst });
    let max_open = number(
        "max_open_requests_per_client",
        flag.max_open_requests_per_client,
        file.max_open_requests_per_client,
    )?
    .unwrap_or(netnym_server::DEFAULT_MAX_OUTSTANDING_PER_CLIENT);
    if max_open == 0 {
        return Err(ConfigError::Conflict(
            "max_open_requests_per_client must be at least 1".to_owned(),
        ));
    }
    let origins: Vec<String> = if !flag.cors_origins.is_empty() {
        flag.cors_origins.clone()
    } else if let Some((_, v)) = l.env_raw("cors_origins") {
        v.split(',').map(|o| o.trim().to_owned()).collect()
    } else {
        file.cors_origins.clone().unwrap_or_default()
    };
    netnym_server::Limits::default()
        .rate_limit(rate)
        .max_outstanding_per_client(max_open)
        .cors_origins(&origins)
        .map_err(|e| ConfigError::Conflict(e.to_string()))
}

fn config_file<T: Default + for<'de> Deserialize<'de>>(
    l: &mut Layers<'_>,
    flag: &Option<PathBuf>,
) -> Result<T, ConfigError> {
    l.file = l.path("config", flag, &None);
    match &l.file {
        Some(p) => parse_file(p),
        None => Ok(T::default()),
    }
}

/// `authority serve`, resolved.
pub(crate) struct AuthorityServe {
    pub(crate) common: Common,
    /// The passphrase, unless it is to be asked for.
    pub(crate) passphrase: Option<Zeroizing<String>>,
    /// The admin token, unless it is to be asked for.
    pub(crate) admin_token: Option<Zeroizing<String>>,
}

impl core::fmt::Debug for AuthorityServe {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Avoids printing the passphrase and the admin token.
        f.debug_struct("AuthorityServe")
            .field("common", &self.common)
            .finish_non_exhaustive()
    }
}

/// Resolve `authority serve`'s options.
pub(crate) fn authority(
    a: &AuthorityServeArgs,
    env: Env<'_>,
) -> Result<AuthorityServe, ConfigError> {
    let mut l = Layers {
        prefix: "NETNYM_AUTHORITY",
        env,
        file: None,
    };
    let file: AuthorityFile = config_file(&mut l, &a.serve.config)?;
    let common = common(
        &l,
        &a.serve,
        &file_common!(file),
        SocketAddr::from(([127, 0, 0, 1], 8080)),
    )?;
    let passphrase = l.secret(
        "passphrase",
        PASSPHRASE_ENV,
        &a.passphrase_file,
        &file.passphrase_file,
    )?;
    let admin_token = l.secret(
        "admin token",
        ADMIN_TOKEN_ENV,
        &a.admin_token_file,
        &file.admin_token_file,
    )?;
    Ok(AuthorityServe {
        common,
        passphrase,
        admin_token,
    })
}

/// `verifier serve`, resolved.
#[derive(Debug)]
pub(crate) struct VerifierServe {
    pub(crate) common: Common,
    pub(crate) policy: PathBuf,
    pub(crate) issuer: PathBuf,
    pub(crate) authority: Option<String>,
    pub(crate) ca: Option<PathBuf>,
}

/// Resolve `verifier serve`'s options.
pub(crate) fn verifier(a: &VerifierServeArgs, env: Env<'_>) -> Result<VerifierServe, ConfigError> {
    let mut l = Layers {
        prefix: "NETNYM_VERIFIER",
        env,
        file: None,
    };
    let file: VerifierFile = config_file(&mut l, &a.serve.config)?;
    let common = common(
        &l,
        &a.serve,
        &file_common!(file),
        SocketAddr::from(([127, 0, 0, 1], 8081)),
    )?;
    let required = |key: &str, v: Option<PathBuf>| {
        v.ok_or_else(|| {
            ConfigError::Missing(format!(
                "verifier serve needs --{} (or {}, or `{key}` in the configuration file)",
                key.replace('_', "-"),
                l.var(key)
            ))
        })
    };
    Ok(VerifierServe {
        policy: required("policy", l.path("policy", &a.policy, &file.policy))?,
        issuer: required("issuer", l.path("issuer", &a.issuer, &file.issuer))?,
        authority: l.string("authority", &a.authority, &file.authority),
        ca: l.path("ca", &a.ca, &file.ca),
        common,
    })
}

#[cfg(test)]
mod tests;
