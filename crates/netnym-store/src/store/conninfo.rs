//! PostgreSQL connection strings: a `postgres://` URL, or a libpq key/value string
//! (`host=127.0.0.1 port=55432 user=netnym dbname=netnym`, as `.ci/pg-start.sh` prints),
//! turned into the URL sqlx reads.

use std::time::Duration;

use crate::error::OpenError;

/// The keys of a key/value string that are passed on (as URL query parameters sqlx knows).
const PASSED_KEYS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "application_name",
    "options",
];

/// A parsed connection string.
pub(crate) struct ConnInfo {
    /// A `postgres://` URL.
    pub(crate) url: String,
    /// `connect_timeout` (seconds) of a key/value string.
    pub(crate) connect_timeout: Option<Duration>,
}

/// Parse `input` (URL or key/value).
pub(crate) fn parse(input: &str) -> Result<ConnInfo, OpenError> {
    let trimmed = input.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        url::Url::parse(trimmed).map_err(|e| OpenError::Config(format!("connection URL: {e}")))?;
        return Ok(ConnInfo {
            url: trimmed.to_owned(),
            connect_timeout: None,
        });
    }
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let mut connect_timeout = None;
    for (key, value) in pairs(trimmed)? {
        if key == "connect_timeout" {
            let secs: u64 = value
                .parse()
                .map_err(|_| OpenError::Config(format!("connect_timeout={value:?}")))?;
            connect_timeout = Some(Duration::from_secs(secs.max(1)));
        } else if PASSED_KEYS.contains(&key.as_str()) {
            query.append_pair(&key, &value);
        } else {
            return Err(OpenError::Config(format!(
                "unsupported connection parameter {key:?} (supported: {}, connect_timeout)",
                PASSED_KEYS.join(", ")
            )));
        }
    }
    Ok(ConnInfo {
        url: format!("postgres://?{}", query.finish()),
        connect_timeout,
    })
}

/// `url` with `search_path` set to `schema` for every connection (a startup option).
pub(crate) fn with_search_path(url: &str, schema: &str) -> Result<String, OpenError> {
    let mut u =
        url::Url::parse(url).map_err(|e| OpenError::Config(format!("connection URL: {e}")))?;
    u.query_pairs_mut()
        .append_pair("options[search_path]", schema);
    Ok(u.into())
}

/// `key=value` pairs separated by whitespace; values may be single-quoted with `\'` and `\\`
/// escapes (libpq's syntax).
fn pairs(input: &str) -> Result<Vec<(String, String)>, OpenError> {
    let bad = |m: &str| OpenError::Config(format!("connection string: {m}"));
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') || key.is_empty() {
            return Err(bad("expected key=value"));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(bad("unterminated quoted value")),
                    Some('\'') => break,
                    Some('\\') => value.push(chars.next().ok_or_else(|| bad("dangling \\"))?),
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '\\' {
                    chars.next();
                    value.push(chars.next().ok_or_else(|| bad("dangling \\"))?);
                    continue;
                }
                value.push(c);
                chars.next();
            }
        }
        out.push((key, value));
    }
    if out.is_empty() {
        return Err(bad("empty"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
